"""The sync repository on SQLite and PostgreSQL: round trips, deletions, bulk writes, runs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, event, func, select

from govcloud.adapters.store import declared_repo, sync_repo
from govcloud.adapters.store import schema as t
from govcloud.adapters.store import schema_network as tn
from govcloud.adapters.store.engine import Store, open_store
from govcloud.core import sync
from govcloud.core.models import (
    CapacityRecord,
    Flavor,
    FloatingIp,
    Inventory,
    Port,
    Project,
    ProjectAllocation,
    QuotaResource,
    QuotaUsage,
    SecurityGroup,
    SecurityRule,
    Server,
    Snapshot,
    StorageBackend,
    TypeQuotaUsage,
    Unassigned,
    Volume,
    VolumeType,
)
from govcloud.services.inventory import read_inventory

EXAMPLE = Path(__file__).resolve().parents[2] / "inventory" / "example"
POOL = "zw-prod"
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def example() -> Inventory:
    return read_inventory(EXAMPLE)


@pytest.fixture
def store(store_url: str, example: Inventory) -> Iterator[Store]:
    s = open_store(store_url, create=True)
    with s.write() as conn:
        declared_repo.load_inventory(conn, example)
    yield s
    s.close()


def server(i: int, **kw: object) -> Server:
    base = Server(
        POOL, f"srv-{i:06d}", f"vm-{i}\x1b[31m", "proj-a", "ACTIVE", "m1.large", 4, 8192, 80,
        created_at=T0 - timedelta(days=i % 30), host="cn-1", availability_zone="nova",
        addresses=("10.0.0.1", "fd00::1"), system_code="his" if i % 2 else None,
        updated_at=T0 - timedelta(hours=i % 7),
    )  # fmt: skip
    return replace(base, **kw)  # type: ignore[arg-type]


def snap(i: int, **kw: object) -> Snapshot:
    base = Snapshot(POOL, f"snap-{i}", f"s{i}", "proj-a", "vol-1" if i % 2 else "vol-gone", 500,
                    "available", T0 - timedelta(days=100 + i))  # fmt: skip
    return replace(base, **kw)  # type: ignore[arg-type]


def listing(
    servers: list[Server], project_name: str = "p-a", snapshots: tuple[Snapshot, ...] = ()
) -> sync.PoolListing:
    return sync.PoolListing(
        pool_code=POOL,
        projects=(Project(POOL, "proj-a", project_name, True, None),),
        flavors=(Flavor(POOL, "f1", "m1.large", 4, 8192, 80),),
        servers=tuple(servers),
        volumes=(
            Volume(
                POOL,
                "vol-1",
                "data",
                "proj-a",
                500,
                "in-use",
                "ssd",
                "srv-000001",
                created_at=T0 - timedelta(days=300),
                updated_at=T0 - timedelta(days=2),
            ),
        ),
        snapshots=snapshots,
        quotas=(
            QuotaUsage(POOL, "proj-a", QuotaResource.CORES, 100, 8),
            QuotaUsage(POOL, "proj-a", QuotaResource.GIGABYTES, -1, 500, 3),
        ),
        capacity=(CapacityRecord(POOL, "VCPU", 256, 8, 4.0, 40, 4),),
    )


def write(store: Store, lst: sync.PoolListing, now: datetime = T0) -> sync.PoolDiff:
    with store.write() as conn:
        pool_id = sync_repo.pool_ids(conn)[POOL]
        snap = sync_repo.read_snapshot(conn, pool_id, POOL)
        diff = sync.diff_pool(snap, lst)
        sync_repo.apply_diff(conn, pool_id, diff, sync_repo.department_ids(conn), now)
    return diff


def count(store: Store, row: Table, *where: object) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(row).where(*where)).scalar_one())  # type: ignore[arg-type]


def test_round_trip_is_exact_so_a_second_write_changes_nothing(store: Store) -> None:
    lst = listing([server(1), server(2)], snapshots=(snap(1), snap(2)))
    assert write(store, lst).totals() == (10, 0, 0)
    with store.read() as conn:
        back = sync_repo.read_snapshot(conn, sync_repo.pool_ids(conn)[POOL], POOL)
    assert back.servers == lst.servers  # timestamps, addresses and escape codes survive
    assert back.volumes == lst.volumes  # with created_at and updated_at
    assert back.snapshots == lst.snapshots
    assert back.quotas == lst.quotas
    assert back.capacity == lst.capacity
    again = write(store, lst, T0 + timedelta(hours=1))
    assert again.totals() == (0, 0, 0)
    assert again.servers.unchanged == 2


def test_removed_servers_are_marked_deleted_and_can_come_back(store: Store) -> None:
    write(store, listing([server(1), server(2)]))
    diff = write(store, listing([server(1)]), T0 + timedelta(hours=1))
    assert diff.servers.removed == ("srv-000002",)
    assert count(store, t.ServerRow, t.ServerRow.c.deleted_at.is_not(None)) == 1
    diff = write(store, listing([server(1), server(2, status="SHUTOFF")]), T0 + timedelta(hours=2))
    assert [s.server_id for s in diff.servers.revived] == ["srv-000002"]
    assert count(store, t.ServerRow, t.ServerRow.c.deleted_at.is_not(None)) == 0


def test_a_newer_updated_at_is_stored(store: Store) -> None:
    write(store, listing([server(1)]))
    later = T0 + timedelta(days=3)
    diff = write(store, listing([server(1, updated_at=later)]), T0 + timedelta(hours=1))
    assert len(diff.servers.changed) == 1
    with store.read() as conn:
        stored = conn.execute(select(t.ServerRow.c.updated_at)).scalar_one()
    assert stored is not None
    assert stored.replace(tzinfo=stored.tzinfo or UTC) == later


def test_snapshots_are_marked_deleted_only_after_a_complete_listing(store: Store) -> None:
    gone = t.SnapshotRow.c.deleted_at.is_not(None)
    write(store, listing([server(1)], snapshots=(snap(1), snap(2))))
    partial = replace(
        listing([server(1)], snapshots=(snap(1),)),
        complete=frozenset(sync.KINDS) - {"snapshots"},
    )
    assert write(store, partial, T0 + timedelta(hours=1)).snapshots.removed == ()
    assert count(store, t.SnapshotRow, gone) == 0
    diff = write(store, listing([server(1)], snapshots=(snap(1),)), T0 + timedelta(hours=2))
    assert diff.snapshots.removed == ("snap-2",)
    assert count(store, t.SnapshotRow, gone) == 1
    diff = write(store, listing([server(1)], snapshots=(snap(1), snap(2))), T0 + timedelta(hours=3))
    assert [s.snapshot_id for s in diff.snapshots.revived] == ["snap-2"]
    assert count(store, t.SnapshotRow, gone) == 0


def test_usage_history_sums_live_servers_and_volumes_per_call(store: Store) -> None:
    write(store, listing([server(1), server(2), server(3)]))
    write(store, listing([server(1), server(2)]), T0 + timedelta(hours=1))  # srv 3 deleted
    with store.write() as conn:
        pool_id = sync_repo.pool_ids(conn)[POOL]
        first = sync_repo.record_usage(conn, pool_id, POOL, T0 + timedelta(hours=1))
        sync_repo.record_usage(conn, pool_id, POOL, T0 + timedelta(hours=2))
    assert first.servers == 2
    assert (first.vcpus, first.ram_mib, first.volume_gib) == (8, 16384, 500)
    with store.read() as conn:
        rows = conn.execute(select(t.PoolUsageRow).order_by(t.PoolUsageRow.c.ts)).all()
    assert [(r.pool_id, r.servers, r.vcpus, r.ram_mib, r.volume_gib) for r in rows] == [
        (pool_id, 2, 8, 16384, 500)
    ] * 2


def test_usage_of_an_empty_pool_is_zero(store: Store) -> None:
    with store.write() as conn:
        pool_id = sync_repo.pool_ids(conn)[POOL]
        point = sync_repo.record_usage(conn, pool_id, POOL, T0)
    assert (point.servers, point.vcpus, point.ram_mib, point.volume_gib) == (0, 0, 0, 0)


def test_projects_link_to_departments_and_quotas_follow_projects(
    store: Store, example: Inventory
) -> None:
    dept = next(d for d in example.departments if any(b.pool_code == POOL for b in d.projects))
    binding = next(b for b in dept.projects if b.pool_code == POOL)
    lst = listing([server(1)], project_name=binding.project_name)
    projects = sync.assign_departments(lst.projects, example.departments, POOL)
    write(store, replace(lst, projects=tuple(projects)))
    with store.read() as conn:
        dept_id = conn.execute(select(t.ProjectRow.c.department_id)).scalar_one()
        code = conn.execute(select(t.DepartmentRow.c.code).where(t.DepartmentRow.c.id == dept_id))
        assert code.scalar_one() == dept.code
    gone = replace(lst, projects=(), quotas=())
    diff = write(store, gone, T0 + timedelta(hours=1))
    assert diff.projects.removed == ("proj-a",)
    assert count(store, t.QuotaRow) == 0


def test_a_failed_transaction_leaves_the_pool_as_it_was(store: Store) -> None:
    write(store, listing([server(1)]))

    def write_then_fail() -> None:
        with store.write() as conn:
            pool_id = sync_repo.pool_ids(conn)[POOL]
            snap = sync_repo.read_snapshot(conn, pool_id, POOL)
            diff = sync.diff_pool(snap, listing([server(2), server(3)]))
            sync_repo.apply_diff(conn, pool_id, diff, {}, T0 + timedelta(hours=1))
            raise RuntimeError("the sync_run row could not be written")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert count(store, t.ServerRow) == 1
    assert count(store, t.ServerRow, t.ServerRow.c.deleted_at.is_not(None)) == 0


def test_bulk_write_of_many_servers(store: Store) -> None:
    many = [server(i) for i in range(12_000)]
    assert write(store, listing(many)).servers.added == tuple(many)
    changed = [server(i, status="SHUTOFF") if i % 3 == 0 else server(i) for i in range(11_000)]
    diff = write(store, listing(changed), T0 + timedelta(hours=1))
    assert len(diff.servers.changed) == 3667
    assert len(diff.servers.removed) == 1000
    assert count(store, t.ServerRow, t.ServerRow.c.status == "SHUTOFF") == 3667
    assert count(store, t.ServerRow, t.ServerRow.c.deleted_at.is_not(None)) == 1000


def test_writes_go_out_in_batches_and_batch_edges_lose_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_repo, "BATCH", 7)
    sizes: list[int] = []

    def spy(*args: Any) -> None:
        parameters, executemany = args[3], args[5]
        if executemany:
            sizes.append(len(parameters))

    event.listen(store.engine, "before_cursor_execute", spy)
    write(store, listing([server(i) for i in range(30)]))
    write(store, listing([server(i) for i in range(25)]), T0 + timedelta(hours=1))
    back = [server(i, status="SHUTOFF") if i < 10 else server(i) for i in range(30)]
    diff = write(store, listing(back), T0 + timedelta(hours=2))
    event.remove(store.engine, "before_cursor_execute", spy)
    assert (len(diff.servers.changed), len(diff.servers.revived)) == (10, 5)
    assert sizes
    assert max(sizes) <= 7
    assert count(store, t.ServerRow, t.ServerRow.c.status == "SHUTOFF") == 10
    assert count(store, t.ServerRow, t.ServerRow.c.deleted_at.is_(None)) == 30


def test_sync_runs_record_status_counts_and_error(store: Store) -> None:
    with store.write() as conn:
        pool_id = sync_repo.pool_ids(conn)[POOL]
        ok = sync_repo.start_run(conn, pool_id, T0)
        bad = sync_repo.start_run(conn, pool_id, T0)
        sync_repo.finish_run(conn, ok, status="ok", now=T0, counts={"servers": {"added": 1}})
        sync_repo.finish_run(conn, bad, status="failed", now=T0, error="GET /x: 503")
    with store.read() as conn:
        rows = {r.id: r for r in conn.execute(select(t.SyncRunRow))}
    assert rows[ok].status == "ok"
    assert rows[ok].counts == {"servers": {"added": 1}}
    assert (rows[bad].status, rows[bad].error) == ("failed", "GET /x: 503")


def test_metadata_key_comes_from_the_inventory_setting(store: Store, example: Inventory) -> None:
    with store.read() as conn:
        assert sync_repo.metadata_key(conn) == example.system_metadata_key


def storage_and_network(servers: list[Server]) -> sync.PoolListing:
    """A listing with every storage and network kind, edge values included: capacities a
    driver reports as infinite, a type with no backend, a rule open to any port."""
    gib = QuotaResource.GIGABYTES
    return replace(
        listing(servers),
        quotas=(
            *listing(servers).quotas,
            QuotaUsage(POOL, "proj-a", QuotaResource.FLOATINGIP, 10, 2),
            QuotaUsage(POOL, "proj-a", QuotaResource.SECURITY_GROUP_RULE, -1, 40),
        ),
        backends=(
            StorageBackend(
                POOL,
                "cinder@ceph-ssd#ssd",
                "ceph-ssd",
                10240.0,
                4096.5,
                6000.25,
                7000.0,
                2.0,
                5.0,
                thin=True,
                thick=False,
            ),
            StorageBackend(POOL, "cinder@lvm#lvm", None, None, None, None, None, None),
        ),
        volume_types=(
            VolumeType(POOL, "vt-ssd", "ssd", "ceph-ssd"),
            VolumeType(POOL, "vt-orphan", "orphan", None, is_public=False),
        ),
        type_quotas=(
            TypeQuotaUsage(POOL, "proj-a", "ssd", gib, 1000, 500, 2),
            TypeQuotaUsage(POOL, "proj-a", "ssd", QuotaResource.VOLUMES, 10, 1),
            TypeQuotaUsage(POOL, "proj-a", "orphan", gib, -1, 0),
        ),
        ports=(
            Port(
                POOL,
                "port-1",
                "proj-a",
                "net-1",
                "srv-000001",
                "compute:nova",
                ("10.0.0.5", "fd00::5"),
                ("sg-1", "sg-2"),
                "ACTIVE",
            ),
            Port(POOL, "port-dhcp", "proj-a", "net-1", "dhcp-1", "network:dhcp", ("10.0.0.2",)),
        ),
        floating_ips=(
            FloatingIp(
                POOL,
                "fip-1",
                "proj-a",
                "203.0.113.10",
                "ext",
                "ACTIVE",
                "port-1",
                "10.0.0.5",
                "srv-000001",
                T0 - timedelta(days=9),
                T0 - timedelta(days=1),
            ),
            FloatingIp(POOL, "fip-2", "proj-a", "203.0.113.11", "ext", "DOWN"),
        ),
        security_groups=(
            SecurityGroup(
                POOL,
                "sg-1",
                "proj-a",
                "web",
                (
                    SecurityRule("ingress", "IPv4", "tcp", 22, 22, "0.0.0.0/0"),
                    SecurityRule("ingress", "IPv4", None, None, None, None, "sg-1"),
                    SecurityRule("egress", "IPv6", None, None, None, "::/0"),
                ),
            ),
            SecurityGroup(POOL, "sg-2", "proj-a", "empty"),
        ),
        allocations=(ProjectAllocation(POOL, "proj-a", 8, 16384, 160),),
    )


NEW_KINDS = (
    "backends", "volume_types", "type_quotas", "ports", "floating_ips", "security_groups",
    "allocations",
)  # fmt: skip


def same(stored: Sequence[object], listed: Sequence[object]) -> bool:
    """The same records, in whatever order the database returns them."""
    return len(stored) == len(listed) and set(stored) == set(listed)


def read_back(store: Store) -> sync.PoolSnapshot:
    with store.read() as conn:
        return sync_repo.read_snapshot(conn, sync_repo.pool_ids(conn)[POOL], POOL)


def test_storage_and_network_kinds_round_trip_exactly(store: Store) -> None:
    lst = storage_and_network([server(1)])
    diff = write(store, lst)
    assert {k: diff.counts()[k]["added"] for k in NEW_KINDS} == {
        k: len(getattr(lst, k)) for k in NEW_KINDS
    }
    back = read_back(store)
    for kind in NEW_KINDS:
        assert same(getattr(back, kind), getattr(lst, kind)), kind
    assert set(back.quotas) == set(lst.quotas)  # Neutron quotas ride in the quota kind
    again = write(store, lst, T0 + timedelta(hours=1))
    assert again.totals() == (0, 0, 0)
    assert again.security_groups.unchanged == 2


def test_changed_storage_and_network_rows_are_updated(store: Store) -> None:
    lst = storage_and_network([server(1)])
    write(store, lst)
    moved = replace(
        lst,
        backends=(replace(lst.backends[0], free_gib=None), lst.backends[1]),
        type_quotas=(replace(lst.type_quotas[0], in_use=700), *lst.type_quotas[1:]),
        floating_ips=(replace(lst.floating_ips[0], port_id=None, server_id=None, status="DOWN"),
                      lst.floating_ips[1]),
        security_groups=(replace(lst.security_groups[0], rules=()), lst.security_groups[1]),
        allocations=(replace(lst.allocations[0], vcpus=4),),
    )  # fmt: skip
    diff = write(store, moved, T0 + timedelta(hours=1))
    changed = {k for k in NEW_KINDS if getattr(diff, k).changed}
    assert changed == {"backends", "type_quotas", "floating_ips", "security_groups", "allocations"}
    back = read_back(store)
    for kind in NEW_KINDS:
        assert same(getattr(back, kind), getattr(moved, kind)), kind


def test_gone_storage_and_network_rows_are_deleted_after_a_complete_listing(store: Store) -> None:
    lst = storage_and_network([server(1)])
    write(store, lst)
    fewer = replace(
        lst,
        backends=lst.backends[:1],
        volume_types=lst.volume_types[:1],
        type_quotas=lst.type_quotas[:1],
        ports=lst.ports[:1],
        floating_ips=lst.floating_ips[:1],
        security_groups=lst.security_groups[:1],
        allocations=(),
    )
    partial = replace(fewer, complete=frozenset(sync.KINDS) - set(NEW_KINDS))
    assert write(store, partial, T0 + timedelta(hours=1)).totals() == (0, 0, 0)
    assert same(read_back(store).ports, lst.ports)
    diff = write(store, fewer, T0 + timedelta(hours=2))
    assert set(diff.type_quotas.removed) == {
        ("proj-a", "ssd", "volumes"),
        ("proj-a", "orphan", "gigabytes"),
    }
    assert diff.totals()[2] == 8
    back = read_back(store)
    for kind in NEW_KINDS:
        assert same(getattr(back, kind), getattr(fewer, kind)), kind
    rows = (tn.PortRow, tn.FloatingIpRow, tn.SecurityGroupRow, t.ProjectAllocationRow)
    assert [count(store, row) for row in rows] == [1, 1, 1, 0]


def test_many_ports_go_out_in_batches(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_repo, "BATCH", 7)
    ports = [Port(POOL, f"port-{i}", "proj-a", "net-1", f"srv-{i:06d}", "compute:nova",
                  (f"10.0.{i // 250}.{i % 250}",)) for i in range(40)]  # fmt: skip
    lst = replace(listing([server(1)]), ports=tuple(ports))
    write(store, lst)
    back = [replace(p, status="ACTIVE") if i < 10 else p for i, p in enumerate(ports[:30])]
    diff = write(store, replace(lst, ports=tuple(back)), T0 + timedelta(hours=1))
    assert (len(diff.ports.changed), len(diff.ports.removed)) == (10, 10)
    assert same(read_back(store).ports, back)


def gone(kind: str, object_id: str, region: str = "r1") -> Unassigned:
    return Unassigned("c", region, kind, object_id, f"n-{object_id}", "proj-a", "in no pool")


def test_unassigned_objects_are_replaced_per_region(store: Store) -> None:
    with store.write() as conn:
        sync_repo.replace_unassigned(
            conn,
            "c",
            "r1",
            [gone("volumes", "v1"), gone("servers", "s1"), gone("volumes", "v1")],
            T0,
        )
        sync_repo.replace_unassigned(conn, "c", "r2", [gone("ports", "p1", "r2")], T0)
    with store.read() as conn:
        first = sync_repo.read_unassigned(conn)
    assert first == [gone("servers", "s1"), gone("volumes", "v1"), gone("ports", "p1", "r2")]
    with store.write() as conn:
        sync_repo.replace_unassigned(
            conn, "c", "r1", [gone("servers", "s2")], T0 + timedelta(hours=1)
        )
    with store.read() as conn:
        second = sync_repo.read_unassigned(conn)
    assert second == [gone("servers", "s2"), gone("ports", "p1", "r2")]
    with store.write() as conn:
        sync_repo.replace_unassigned(conn, "c", "r2", [], T0 + timedelta(hours=2))
        with pytest.raises(ValueError, match="another region"):
            sync_repo.replace_unassigned(conn, "c", "r1", [gone("ports", "p9", "r2")], T0)
    assert count(store, t.UnassignedRow, t.UnassignedRow.c.region == "r2") == 0


def test_last_runs_are_each_pools_newest_finished_run_with_its_watermark(store: Store) -> None:
    t0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with store.write() as conn:
        ids = sync_repo.pool_ids(conn)
        a, b, c = (ids[code] for code in ("zw-prod", "hlw", "dr-test"))
        info = {"watermark": t0.isoformat(), "full_at": (t0 - timedelta(hours=2)).isoformat(),
                "layout": "L1"}  # fmt: skip
        old = sync_repo.start_run(conn, a, t0)
        sync_repo.finish_run(conn, old, status="failed", now=t0, counts={"sync": {"calls": 3}})
        ok = sync_repo.start_run(conn, a, t0)
        sync_repo.finish_run(conn, ok, status="ok", now=t0, counts={"sync": info})
        sync_repo.start_run(conn, a, t0)  # still running (or died): ignored
        failed = sync_repo.start_run(conn, b, t0)
        sync_repo.finish_run(conn, failed, status="failed", now=t0, error="503")
        runs = sync_repo.last_runs(conn, [a, b, c])
    assert runs[a].status == "ok"
    assert (runs[a].watermark, runs[a].full_at, runs[a].layout) == (
        t0, t0 - timedelta(hours=2), "L1",
    )  # fmt: skip
    assert (runs[b].status, runs[b].watermark) == ("failed", None)
    assert c not in runs


def test_an_incremental_run_reads_the_pool_light_and_whole_records_by_id(store: Store) -> None:
    """`read_light` keeps what placing needs of servers, volumes and ports (and the small kinds
    whole); `read_records` gives back the whole stored records of the ids asked for; and
    `read_snapshot(only=...)` reads those kinds for the named ids alone, tombstones included."""
    lst = storage_and_network([server(1), server(2, host=None, addresses=()), server(3)])
    write(store, lst)
    write(store, replace(lst, servers=lst.servers[:2]), T0 + timedelta(hours=1))  # srv-3 gone
    with store.read() as conn:
        pool_id = sync_repo.pool_ids(conn)[POOL]
        light = sync_repo.read_light(conn, pool_id, POOL)
        whole = sync_repo.read_records(conn, {pool_id: POOL}, "servers", ["srv-000002", "nope"])
        ports = sync_repo.read_records(
            conn, {pool_id: POOL}, "ports", [p.port_id for p in lst.ports]
        )
        only = sync_repo.read_snapshot(
            conn, pool_id, POOL, {"servers": ["srv-000001", "srv-000003"], "ports": []}
        )
    placing = ("server_id", "name", "project_id", "vcpus", "ram_mib", "disk_gib", "flavor_name",
               "host", "availability_zone", "addresses")  # fmt: skip
    assert {tuple(getattr(s, f) for f in placing) for s in light.servers} == {
        tuple(getattr(s, f) for f in placing) for s in lst.servers[:2]
    }
    assert {
        (v.volume_id, v.attached_server_id, v.size_gib, v.volume_type) for v in light.volumes
    } == {(v.volume_id, v.attached_server_id, v.size_gib, v.volume_type) for v in lst.volumes}
    assert {(p.port_id, p.device_id, p.fixed_ips) for p in light.ports} == {
        (p.port_id, p.device_id, p.fixed_ips) for p in lst.ports
    }
    assert same(light.floating_ips, lst.floating_ips)
    assert same(light.security_groups, lst.security_groups)
    assert whole == [lst.servers[1]]  # whole, as stored; an unknown id is simply not there
    assert same(ports, lst.ports)
    assert [s.server_id for s in only.servers] == ["srv-000001"]
    assert only.deleted_servers == frozenset({"srv-000003"})
    assert only.ports == ()
    assert same(only.volumes, lst.volumes)  # a kind not named is read whole
