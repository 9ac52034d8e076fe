"""Storage read functions on SQLite and PostgreSQL: backends, types, per-type quotas, and the
volume listings behind `govcloud volume list|show`, joined to department and server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection

from govcloud.adapters.store import declared_repo, storage_repo, sync_repo
from govcloud.adapters.store.engine import Store, open_store
from govcloud.adapters.store.storage_repo import VolumeFilter
from govcloud.core import sync
from govcloud.core.errors import NotFoundError
from govcloud.core.models import (
    FloatingIp,
    Inventory,
    Port,
    Project,
    ProjectAllocation,
    QuotaResource,
    SecurityGroup,
    SecurityRule,
    Server,
    StorageBackend,
    TypeQuotaUsage,
    Volume,
    VolumeType,
)
from govcloud.services.inventory import read_inventory

EXAMPLE = Path(__file__).resolve().parents[2] / "inventory" / "example"
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
ZW, HLW = "zw-prod", "hlw"
GIB = QuotaResource.GIGABYTES


@pytest.fixture(scope="module")
def example() -> Inventory:
    return read_inventory(EXAMPLE)


def _server(pool: str, server_id: str, name: str, project: str) -> Server:
    return Server(pool, server_id, name, project, "ACTIVE", "m1", 2, 4096, 40)


def _volume(pool: str, volume_id: str, name: str, project: str, vtype: str | None,
            status: str, attached: str | None = None, size: int = 100) -> Volume:  # fmt: skip
    return Volume(pool, volume_id, name, project, size, status, vtype, attached,
                  created_at=T0 - timedelta(days=30), updated_at=T0)  # fmt: skip


def listings(example: Inventory) -> list[sync.PoolListing]:
    """Two pools: 教育局 (jyj) has projects in both, 发改委 (fgw) in zw-prod only, and one
    project of zw-prod no department declares."""
    zw = sync.PoolListing(
        pool_code=ZW,
        projects=(
            Project(ZW, "p-jyj", "jyj-zw-prod", True, None),
            Project(ZW, "p-fgw", "fgw-zw-prod", True, None),
            Project(ZW, "p-x", "nobody", True, None),
        ),
        servers=(
            _server(ZW, "srv-jyj-1", "his-app", "p-jyj"),
            _server(ZW, "srv-fgw-1", "fgw-db", "p-fgw"),
        ),
        volumes=(
            _volume(ZW, "vol-aaaaaaaa-1", "data", "p-jyj", "ssd", "in-use", "srv-jyj-1"),
            _volume(ZW, "vol-aaaaaaaa-2", "spare", "p-jyj", "sata", "available", size=40),
            _volume(ZW, "vol-bbbbbbbb-1", "data", "p-fgw", "ssd", "in-use", "srv-fgw-1"),
            _volume(ZW, "vol-cccccccc-1", "orphan", "p-x", None, "error"),
        ),
        backends=(
            StorageBackend(ZW, "c@ceph-ssd#ssd", "ceph-ssd", 1000.0, 400.0, 600.0, 800.0, 1.5),
            StorageBackend(ZW, "c@ceph-sata#sata", "ceph-sata", None, None, 10.0, None, None),
        ),
        volume_types=(
            VolumeType(ZW, "t-ssd", "ssd", "ceph-ssd"),
            VolumeType(ZW, "t-sata", "sata", "ceph-sata"),
        ),
        type_quotas=(
            TypeQuotaUsage(ZW, "p-jyj", "ssd", GIB, 500, 100),
            TypeQuotaUsage(ZW, "p-jyj", "sata", GIB, -1, 40),
            TypeQuotaUsage(ZW, "p-fgw", "ssd", GIB, 200, 100),
        ),
        ports=(
            Port(
                ZW,
                "port-jyj",
                "p-jyj",
                "net-1",
                "srv-jyj-1",
                "compute:nova",
                ("10.1.0.5",),
                ("sg-web",),
                "ACTIVE",
            ),
            Port(ZW, "port-fgw", "p-fgw", "net-2", "srv-fgw-1", "compute:nova", ("10.2.0.5",)),
            Port(ZW, "port-dhcp", "p-jyj", "net-1", "dhcp", "network:dhcp", ("10.1.0.2",)),
        ),
        floating_ips=(
            FloatingIp(
                ZW,
                "fip-1",
                "p-jyj",
                "203.0.113.5",
                "ext",
                "ACTIVE",
                "port-jyj",
                "10.1.0.5",
                "srv-jyj-1",
                T0 - timedelta(days=3),
            ),
            FloatingIp(ZW, "fip-2", "p-fgw", "203.0.113.6", "ext", "DOWN"),
        ),
        security_groups=(
            SecurityGroup(
                ZW,
                "sg-web",
                "p-jyj",
                "web",
                (SecurityRule("ingress", "IPv4", "tcp", 22, 22, "0.0.0.0/0"),),
            ),
        ),
        allocations=(
            ProjectAllocation(ZW, "p-jyj", 2, 4096, 40),
            ProjectAllocation(ZW, "p-fgw", 2, 4096, 40),
        ),
    )
    hlw = sync.PoolListing(
        pool_code=HLW,
        projects=(Project(HLW, "p-jyj-h", "jyj-hlw", True, None),),
        servers=(_server(HLW, "srv-h-1", "portal", "p-jyj-h"),),
        volumes=(_volume(HLW, "vol-dddddddd-1", "web", "p-jyj-h", "hlw-ssd", "in-use", "srv-h-1"),),
        backends=(StorageBackend(HLW, "h@hlw#pool", "hlw-ceph", 300.0, 200.0, 100.0, None, 1.0),),
        volume_types=(VolumeType(HLW, "t-h", "hlw-ssd", "hlw-ceph"),),
        type_quotas=(TypeQuotaUsage(HLW, "p-jyj-h", "hlw-ssd", GIB, 100, 100),),
        ports=(Port(HLW, "port-h", "p-jyj-h", "net-h", "srv-h-1", "compute:nova", ("10.9.0.5",)),),
        floating_ips=(FloatingIp(HLW, "fip-h", "p-jyj-h", "198.51.100.7", "ext", "DOWN"),),
        allocations=(ProjectAllocation(HLW, "p-jyj-h", 2, 4096, 40),),
    )
    return [
        replace(lst, projects=tuple(sync.assign_departments(lst.projects, example.departments,
                                                            lst.pool_code)))
        for lst in (zw, hlw)
    ]  # fmt: skip


def seed(conn: Connection, example: Inventory) -> None:
    """The two pools as sync writes them; a volume seen once and then gone (marked deleted)."""
    declared_repo.load_inventory(conn, example)
    ids, depts = sync_repo.pool_ids(conn), sync_repo.department_ids(conn)
    gone = _volume(ZW, "vol-eeeeeeee-1", "data", "p-jyj", "ssd", "available")
    for lst in listings(example):
        first = replace(lst, volumes=(*lst.volumes, gone)) if lst.pool_code == ZW else lst
        for when, listed in ((T0 - timedelta(hours=1), first), (T0, lst)):
            snap = sync_repo.read_snapshot(conn, ids[lst.pool_code], lst.pool_code)
            diff = sync.diff_pool(snap, listed)
            sync_repo.apply_diff(conn, ids[lst.pool_code], diff, depts, when)


@pytest.fixture
def store(store_url: str, example: Inventory) -> Iterator[Store]:
    s = open_store(store_url, create=True)
    with s.write() as conn:
        seed(conn, example)
    yield s
    s.close()


def test_backends_by_pool(store: Store, example: Inventory) -> None:
    zw, hlw = listings(example)
    with store.read() as conn:
        every = storage_repo.backends(conn)
        only_hlw = storage_repo.backends(conn, [HLW])
        none = storage_repo.backends(conn, [])
    assert every == sorted(hlw.backends + zw.backends, key=lambda b: (b.pool_code, b.name))
    assert only_hlw == list(hlw.backends)
    assert none == []


def test_volume_types_and_type_quotas(store: Store, example: Inventory) -> None:
    zw, hlw = listings(example)
    with store.read() as conn:
        types = storage_repo.volume_types(conn)
        zw_types = storage_repo.volume_types(conn, ZW)
        quotas = storage_repo.type_quotas(conn)
        jyj_zw = storage_repo.type_quotas(conn, ZW, ["p-jyj"])
        jyj_any = storage_repo.type_quotas(conn, project_ids=["p-jyj", "p-jyj-h"])
    assert [v.name for v in types] == ["hlw-ssd", "sata", "ssd"]
    assert set(zw_types) == set(zw.volume_types)
    assert set(quotas) == set(zw.type_quotas + hlw.type_quotas)
    assert [(q.volume_type, q.limit) for q in jyj_zw] == [("sata", -1), ("ssd", 500)]
    assert {q.pool_code for q in jyj_any} == {ZW, HLW}


def _ids(store: Store, f: VolumeFilter) -> list[str]:
    with store.read() as conn:
        return [v.volume_id for v in storage_repo.list_volumes(conn, f)]


def test_volume_list_filters(store: Store) -> None:
    live = [
        "vol-dddddddd-1",
        "vol-bbbbbbbb-1",
        "vol-aaaaaaaa-1",
        "vol-aaaaaaaa-2",
        "vol-cccccccc-1",
    ]
    assert _ids(store, VolumeFilter()) == live  # by pool, department, name; the gone one not
    assert _ids(store, VolumeFilter(pool=HLW)) == ["vol-dddddddd-1"]
    jyj = ["vol-dddddddd-1", "vol-aaaaaaaa-1", "vol-aaaaaaaa-2"]
    assert _ids(store, VolumeFilter(department="jyj")) == jyj
    assert _ids(store, VolumeFilter(department="教育局")) == jyj
    assert _ids(store, VolumeFilter(department="jyj", pool=ZW)) == jyj[1:]
    assert _ids(store, VolumeFilter(volume_type="ssd")) == ["vol-bbbbbbbb-1", "vol-aaaaaaaa-1"]
    assert _ids(store, VolumeFilter(status="IN-USE")) == ["vol-dddddddd-1", "vol-bbbbbbbb-1",
                                                          "vol-aaaaaaaa-1"]  # fmt: skip
    assert _ids(store, VolumeFilter(attached=False)) == ["vol-aaaaaaaa-2", "vol-cccccccc-1"]
    assert _ids(store, VolumeFilter(attached=True, department="fgw")) == ["vol-bbbbbbbb-1"]
    assert _ids(store, VolumeFilter(limit=2)) == live[:2]
    assert _ids(store, VolumeFilter(department="no-such")) == []


def test_volume_views_carry_department_project_and_server(store: Store) -> None:
    with store.read() as conn:
        views = {v.volume_id: v for v in storage_repo.list_volumes(conn)}
    attached = views["vol-aaaaaaaa-1"]
    assert (attached.pool, attached.department, attached.department_zh) == (ZW, "jyj", "教育局")
    assert (attached.project, attached.attached_server) == ("jyj-zw-prod", "his-app")
    assert (attached.size_gib, attached.volume_type, attached.bootable) == (100, "ssd", False)
    assert attached.created_at == T0 - timedelta(days=30)
    assert attached.updated_at == T0
    orphan = views["vol-cccccccc-1"]
    assert (orphan.department, orphan.project, orphan.attached_server) == (None, "nobody", None)


def test_volume_show_by_id_prefix_or_name(store: Store) -> None:
    with store.read() as conn:
        assert storage_repo.get_volume(conn, "vol-bbbbbbbb-1").name == "data"
        assert storage_repo.get_volume(conn, "vol-dddd").volume_id == "vol-dddddddd-1"
        assert storage_repo.get_volume(conn, "orphan").volume_id == "vol-cccccccc-1"
        with pytest.raises(NotFoundError, match="2 volumes match 'data'"):
            storage_repo.get_volume(conn, "data")  # the gone volume named data is not counted
        with pytest.raises(NotFoundError, match="no volume 'vol-eeeeeeee-1'") as err:
            storage_repo.get_volume(conn, "vol-eeeeeeee-1")
        assert "volume list" in (err.value.hint or "")
