"""`govcloud sync` against the real OpenStack lab: Keystone, Nova (fake), Cinder, Placement,
Neutron (servers on the lab's shared network get fixed addresses)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, select

from govcloud.adapters.store import schema as t
from tests.cli.runner import govcloud
from tests.services.oslab import OsLab

WAIT = 180
# openstacksdk 4.22 raises its own pending deprecations inside openstack.*; warnings are errors
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")


def write_inventory(directory: Path, lab: OsLab, projects: list[str]) -> None:
    pools = {
        "clouds": [{"name": lab.cloud, "regions": [lab.region_name]}],
        "pools": [{"code": "lab", "name_zh": "实验池", "name_en": "Lab", "cloud": lab.cloud,
                   "region": lab.region_name, "security_zone": "政务外网"}],
    }  # fmt: skip
    depts = {
        "departments": [
            {"code": f"d{i}", "name_zh": f"部门{i}", "short_zh": f"部门{i}",
             "name_en": f"Dept {i}",
             "projects": [{"pool": "lab", "project": name,
                           "quota": {"cores": 8, "ram_gib": 8, "instances": 5}}]}
            for i, name in enumerate(projects)
        ]
    }  # fmt: skip
    systems = {
        "systems": [{"code": "lab-web", "name_zh": "门户", "name_en": "Portal",
                     "department": "d0", "mlps_level": 2, "environment": "test"}]
    }  # fmt: skip
    directory.mkdir()
    for name, doc in (("pools", pools), ("departments", depts), ("systems", systems)):
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))


@pytest.fixture
def lab_estate(oslab: OsLab) -> Iterator[dict[str, Any]]:
    """Two projects with 2 + 1 fake servers (one tagged with its business system)."""
    admin = oslab.connect()
    idn = admin.identity
    suffix = uuid.uuid4().hex[:8]
    undo: list[Any] = []
    try:
        member = idn.find_role("member", ignore_missing=False)
        me = idn.find_user(oslab.username, ignore_missing=False)
        projects = []
        for name in (f"sync-a-{suffix}", f"sync-b-{suffix}"):
            proj = idn.create_project(name=name, domain_id="default")
            undo.append(lambda proj=proj: idn.delete_project(proj))
            idn.assign_project_role_to_user(proj, me, member)
            projects.append(proj)
        flavor = admin.compute.create_flavor(name=f"sync.tiny-{suffix}", vcpus=1, ram=256, disk=1)
        undo.append(lambda: admin.compute.delete_flavor(flavor))
        image = admin.image.create_image(
            name=f"sync-img-{suffix}", data=io.BytesIO(b"\0" * 65536), disk_format="raw",
            container_format="bare", visibility="public",
        )  # fmt: skip
        undo.append(lambda: admin.image.delete_image(image))
        servers = []
        for proj, count in ((projects[0], 2), (projects[1], 1)):
            conn = oslab.connect(project_name=proj.name)
            for i in range(count):
                meta = {"business_system": "lab-web"} if i == 0 else {}
                srv = conn.compute.create_server(
                    name=f"sync-{proj.name}-{i}", flavor_id=flavor.id, image_id=image.id,
                    networks=[{"uuid": oslab.network_id}], metadata=meta,
                )  # fmt: skip
                undo.append(
                    lambda conn=conn, srv=srv: (
                        conn.compute.delete_server(srv, ignore_missing=True),
                        conn.compute.wait_for_delete(srv, interval=1, wait=WAIT),
                    )
                )
                servers.append((conn, srv))
        for conn, srv in servers:
            conn.compute.wait_for_server(srv, status="ACTIVE", failures=["ERROR"], wait=WAIT)
        yield {"projects": projects, "servers": [s for _, s in servers], "suffix": suffix}
    finally:
        for step in reversed(undo):
            step()


def test_sync_reads_the_lab_into_the_store(
    oslab: OsLab, lab_estate: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "govcloud.db"
    monkeypatch.setenv("GOVCLOUD_DB", str(db))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)  # a clouds.yaml here must not matter
    (tmp_path / "clouds.yaml").write_text("clouds: {oslab: {auth: {auth_url: http://127.0.0.1:9}}}")
    projects = [p.name for p in lab_estate["projects"]]
    write_inventory(tmp_path / "inv", oslab, projects)
    assert govcloud("inventory", "load", str(tmp_path / "inv")).exit_code == 0

    first = govcloud("-o", "json", "sync", "--clouds-yaml", str(oslab.clouds_yaml))
    assert first.exit_code == 0, first.stdout + first.stderr
    assert first.stderr == ""
    [row] = first.json()
    assert row["status"] == "ok"
    assert row["added"] > 0

    vms = govcloud("-o", "json", "vm", "list", "--pool", "lab").json()
    mine = {v["name"]: v for v in vms if lab_estate["suffix"] in v["name"]}
    assert len(mine) == 3
    assert {v["department"] for v in mine.values()} == {"d0", "d1"}
    assert mine[f"sync-{projects[0]}-0"]["system"] == "lab-web"
    assert {v["vcpus"] for v in mine.values()} == {1}

    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        ids = [p.id for p in lab_estate["projects"]]
        quotas = {
            (r.project_id, r.resource): r.in_use
            for r in conn.execute(select(t.QuotaRow).where(t.QuotaRow.c.project_id.in_(ids)))
        }
        capacity = {r.resource_class: r for r in conn.execute(select(t.PoolCapacityRow))}
        lab_ids = {s.id for s in lab_estate["servers"]}
        rows = list(conn.execute(select(t.ServerRow).where(t.ServerRow.c.server_id.in_(lab_ids))))
        updated = [r.updated_at for r in rows]
        usage = list(conn.execute(select(t.PoolUsageRow)))
    engine.dispose()
    assert len(updated) == 3
    assert all(u is not None for u in updated)  # Nova's `updated`
    assert all(len(r.addresses or []) == 1 for r in rows)  # one fixed address from Neutron
    assert {r.host for r in rows} <= set(oslab.hosts)
    assert [u.servers for u in usage] == [row["servers"]]  # one history point per sync
    assert "snapshots not synced" not in str(row["notes"])  # the lab's Cinder lists snapshots
    assert quotas[(ids[0], "instances")] == 2
    assert quotas[(ids[0], "cores")] == 2
    assert quotas[(ids[1], "instances")] == 1
    assert (ids[1], "gigabytes") in quotas  # Cinder quotas with usage
    assert capacity["VCPU"].total > 0
    assert capacity["VCPU"].used >= 3
    assert capacity["MEMORY_MB"].allocation_ratio > 0

    second = govcloud("-o", "json", "sync", "--clouds-yaml", str(oslab.clouds_yaml)).json()
    assert second[0]["status"] == "ok"
    servers_changed = second[0]["changed"]
    assert second[0]["added"] == 0
    assert second[0]["removed"] == 0
    # the lab's own clock moves usage (none here): nothing about servers may change
    assert servers_changed == 0


# --- a zone pool and an aggregate pool of one region: nothing lost ------------------------------


def write_split_inventory(directory: Path, lab: OsLab, zone_project: str) -> None:
    """Pool `agg` is aggregate agg-general (the first host) with backend fast; pool `zone` is
    the lab's zone (the second host) and names no backend. No pool takes the rest."""
    common = {"cloud": lab.cloud, "region": lab.region_name, "security_zone": "政务外网"}
    pools = {
        "clouds": [{"name": lab.cloud, "regions": [lab.region_name]}],
        "pools": [
            {"code": "agg", "name_zh": "聚合池", "name_en": "Aggregate", **common,
             "aggregate": "agg-general", "storage_backends": [lab.volume_types["ssd"]]},
            {"code": "zone", "name_zh": "可用区池", "name_en": "Zone", **common,
             "availability_zone": lab.az},
        ],
    }  # fmt: skip
    depts = {
        "departments": [
            {"code": "d0", "name_zh": "部门", "short_zh": "部门", "name_en": "Dept",
             "projects": [{"pool": "zone", "project": zone_project,
                           "quota": {"cores": 8, "ram_gib": 8, "instances": 5}}]}
        ]
    }  # fmt: skip
    directory.mkdir()
    for name, doc in (("pools", pools), ("departments", depts), ("systems", {"systems": []})):
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))


@pytest.fixture(scope="module")
def split_estate(oslab: OsLab) -> Iterator[dict[str, Any]]:
    """Admin's server on the aggregate's host; project A's server in the zone and a shelved
    one (SHELVED_OFFLOADED: no host), an unattached volume (Cinder zone `nova`) and a floating
    IP on its server; project B holds only an orphan volume with a snapshot and an idle
    floating IP (no pool can take them)."""
    admin = oslab.connect()
    idn = admin.identity
    suffix = uuid.uuid4().hex[:8]
    undo: list[Any] = []
    try:
        me = idn.find_user(oslab.username, ignore_missing=False)
        member = idn.find_role("member", ignore_missing=False)
        projects = []
        for name in (f"split-a-{suffix}", f"split-b-{suffix}"):
            proj = idn.create_project(name=name, domain_id="default")
            undo.append(lambda proj=proj: idn.delete_project(proj))
            undo.append(
                lambda proj=proj: [
                    admin.network.delete_security_group(sg, ignore_missing=True)
                    for sg in admin.network.security_groups(project_id=proj.id)
                ]
            )
            idn.assign_project_role_to_user(proj, me, member)
            projects.append(proj)
        a, b = (oslab.connect(project_name=p.name) for p in projects)
        flavor = admin.compute.create_flavor(name=f"split-{suffix}", vcpus=1, ram=256, disk=1)
        undo.append(lambda: admin.compute.delete_flavor(flavor))
        image = admin.image.create_image(
            name=f"split-{suffix}", data=io.BytesIO(b"\0" * 65536), disk_format="raw",
            container_format="bare", visibility="public",
        )  # fmt: skip
        undo.append(lambda: admin.image.delete_image(image))

        def boot(conn: Any, name: str, **kw: Any) -> Any:
            srv = conn.compute.create_server(
                name=f"split-{name}-{suffix}", flavor_id=flavor.id, image_id=image.id,
                networks=[{"uuid": oslab.network_id}], **kw,
            )  # fmt: skip
            undo.append(
                lambda: (
                    conn.compute.delete_server(srv, ignore_missing=True),
                    conn.compute.wait_for_delete(srv, interval=1, wait=WAIT),
                )
            )
            return srv

        on_agg = boot(admin, "agg", availability_zone=f"nova:{oslab.hosts[0]}")
        in_zone = boot(a, "zone", availability_zone=oslab.az)
        shelved = boot(a, "shelved", availability_zone=oslab.az)
        for conn, srv in ((admin, on_agg), (a, in_zone), (a, shelved)):
            conn.compute.wait_for_server(srv, status="ACTIVE", failures=["ERROR"], wait=WAIT)
        a.compute.shelve_server(shelved)
        loose = a.block_storage.create_volume(size=1, name=f"split-loose-{suffix}")
        orphan = b.block_storage.create_volume(size=1, name=f"split-orphan-{suffix}")
        for conn, vol in ((a, loose), (b, orphan)):
            undo.append(
                lambda conn=conn, vol=vol: (
                    conn.block_storage.delete_volume(vol, ignore_missing=True),
                    conn.block_storage.wait_for_delete(vol, interval=1, wait=WAIT),
                )
            )
            conn.block_storage.wait_for_status(vol, "available", failures=["error"], wait=WAIT)
        snap = b.block_storage.create_snapshot(volume_id=orphan.id, name=f"split-{suffix}")
        undo.append(
            lambda: (
                b.block_storage.delete_snapshot(snap, ignore_missing=True),
                b.block_storage.wait_for_delete(snap, interval=1, wait=WAIT),
            )
        )
        b.block_storage.wait_for_status(snap, "available", failures=["error"], wait=WAIT)
        port = next(admin.network.ports(device_id=in_zone.id))
        used = a.network.create_ip(floating_network_id=oslab.public_network_id)
        undo.append(lambda: a.network.delete_ip(used, ignore_missing=True))
        a.network.update_ip(used, port_id=port.id)
        idle = b.network.create_ip(floating_network_id=oslab.public_network_id)
        undo.append(lambda: b.network.delete_ip(idle, ignore_missing=True))
        a.compute.wait_for_server(shelved, status="SHELVED_OFFLOADED", failures=["ERROR"],
                                  interval=1, wait=WAIT)  # fmt: skip
        yield {
            "admin": admin, "projects": [p.id for p in projects], "suffix": suffix,
            "servers": {"agg": on_agg.id, "zone": in_zone.id, "shelved": shelved.id},
            "volumes": {"loose": loose.id, "orphan": orphan.id}, "snapshot": snap.id,
            "fips": {"used": used.id, "idle": idle.id},
        }  # fmt: skip
    finally:
        for step in reversed(undo):
            step()
        admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def lab_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    from sqlalchemy import text

    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as conn:  # each run starts from an empty schema
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def listed_by_the_api(admin: Any, projects: list[str]) -> dict[str, set[str]]:
    """Per kind, the ids the cloud lists for PROJECTS (backends and types: the region's)."""
    mine = set(projects)
    return {
        "servers": {s.id for s in admin.compute.servers(all_projects=True)
                    if s.project_id in mine},
        "volumes": {v.id for v in admin.block_storage.volumes(all_projects=True)
                    if v.project_id in mine},
        "snapshots": {s.id for s in admin.block_storage.snapshots(all_projects=True)
                      if s.project_id in mine},
        "ports": {p.id for p in admin.network.ports() if p.project_id in mine},
        "floating_ips": {f.id for f in admin.network.ips() if f.project_id in mine},
        "security_groups": {g.id for g in admin.network.security_groups()
                            if g.project_id in mine},
        "backends": {p["name"] for p in admin.block_storage.get(
            "/scheduler-stats/get_pools", params={"detail": "True"}).json()["pools"]},
        "volume_types": {t.id for t in admin.block_storage.types()},
    }  # fmt: skip


def held_by_the_store(url: str, projects: list[str]) -> dict[str, dict[str, str]]:
    """Per kind, id -> the pool holding it or `unassigned` (live rows only)."""
    from govcloud.adapters.store import schema_network as tn
    from govcloud.adapters.store import schema_storage as ts

    mine = set(projects)
    kinds: dict[str, tuple[Any, str, bool, bool]] = {  # row, id column, per project, tracked
        "servers": (t.ServerRow, "server_id", True, True),
        "volumes": (t.VolumeRow, "volume_id", True, True),
        "snapshots": (t.SnapshotRow, "snapshot_id", True, True),
        "ports": (tn.PortRow, "port_id", True, False),
        "floating_ips": (tn.FloatingIpRow, "fip_id", True, False),
        "security_groups": (tn.SecurityGroupRow, "group_id", True, False),
        "backends": (ts.StorageBackendRow, "name", False, False),
        "volume_types": (ts.VolumeTypeRow, "type_id", False, False),
    }
    out: dict[str, dict[str, str]] = {k: {} for k in kinds}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            pools = {r.id: r.code for r in conn.execute(select(t.PoolRow))}
            for kind, (row, column, per_project, tracked) in kinds.items():
                for r in conn.execute(select(row)):
                    if (per_project and r.project_id not in mine) or (
                        tracked and r.deleted_at is not None
                    ):
                        continue
                    key = getattr(r, column)
                    assert key not in out[kind], f"{kind} {key} stored twice"
                    out[kind][key] = pools[r.pool_id]
            for u in conn.execute(select(t.UnassignedRow)):
                if u.kind in out and (u.project_id in mine or u.kind == "backends"):
                    assert u.object_id not in out[u.kind], f"{u.kind} {u.object_id} twice"
                    out[u.kind][u.object_id] = "unassigned"
    finally:
        engine.dispose()
    return out


@pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK50Warning")
def test_a_zone_pool_and_an_aggregate_pool_lose_nothing_the_cloud_lists(
    oslab: OsLab,
    split_estate: dict[str, Any],
    lab_store: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOVCLOUD_DB", lab_store)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    projects = split_estate["projects"]
    write_split_inventory(tmp_path / "inv", oslab, f"split-a-{split_estate['suffix']}")
    assert govcloud("inventory", "load", str(tmp_path / "inv")).exit_code == 0
    res = govcloud("-o", "json", "sync", "--clouds-yaml", str(oslab.clouds_yaml))
    assert res.exit_code == 0, res.stdout + res.stderr
    rows = {r["pool"]: r for r in res.json()}
    assert {r["status"] for r in rows.values()} == {"ok"}

    # the lab is shared: compare what the two projects of this test hold (and, region-wide,
    # backends and volume types)
    api = listed_by_the_api(split_estate["admin"], projects)
    stored = held_by_the_store(lab_store, projects)
    for kind, ids in api.items():  # per kind: what the store holds is what the API listed
        assert set(stored[kind]) == ids, kind

    servers, volumes = split_estate["servers"], split_estate["volumes"]
    admin_project = split_estate["admin"].current_project_id
    assert held_by_the_store(lab_store, [admin_project])["servers"][servers["agg"]] == "agg"
    assert stored["servers"][servers["zone"]] == "zone"
    assert stored["servers"][servers["shelved"]] == "zone"  # no host: its project's pool
    assert stored["volumes"][volumes["loose"]] == "zone"  # Cinder zone nova: project's pool
    assert stored["volumes"][volumes["orphan"]] == "unassigned"
    assert stored["snapshots"][split_estate["snapshot"]] == "unassigned"
    assert stored["floating_ips"][split_estate["fips"]["used"]] == "zone"
    assert stored["floating_ips"][split_estate["fips"]["idle"]] == "unassigned"
    assert set(stored["backends"].values()) == {"agg", "zone"}  # fast named, bulk unclaimed
    reported = {(o["kind"], o["object_id"]) for o in rows["zone"]["unassigned_objects"]}
    assert ("volumes", volumes["orphan"]) in reported

    # Placement is the truth for hypervisors: the shelved server holds nothing there, while
    # Nova's quota usage still counts its core
    engine = create_engine(lab_store)
    try:
        with engine.connect() as conn:
            held = {
                (r.project_id, r.vcpus)
                for r in conn.execute(select(t.ProjectAllocationRow))
                if r.project_id == projects[0]
            }
            cores = conn.execute(
                select(t.QuotaRow.c.in_use).where(
                    t.QuotaRow.c.project_id == projects[0], t.QuotaRow.c.resource == "cores"
                )
            ).scalars()
            in_use = set(cores)
    finally:
        engine.dispose()
    assert held == {(projects[0], 1)}
    assert in_use == {2}


# --- incremental sync -------------------------------------------------------------------------

BOOKKEEPING = {"id", "synced_at", "first_seen", "last_seen", "deleted_at", "seen_at"}


def store_state(url: str, projects: list[str]) -> dict[str, set[tuple[Any, ...]]]:
    """Per kind, the live rows of PROJECTS as value tuples (pool by code, bookkeeping times
    left out): what two stores must agree on."""
    from govcloud.adapters.store import schema_network as tn
    from govcloud.adapters.store import schema_storage as ts

    mine = set(projects)
    rows = {
        "projects": t.ProjectRow, "servers": t.ServerRow, "volumes": t.VolumeRow,
        "snapshots": t.SnapshotRow, "quotas": t.QuotaRow, "type_quotas": ts.TypeQuotaRow,
        "ports": tn.PortRow, "floating_ips": tn.FloatingIpRow,
        "security_groups": tn.SecurityGroupRow, "allocations": t.ProjectAllocationRow,
    }  # fmt: skip
    out: dict[str, set[tuple[Any, ...]]] = {}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            pools = {r.id: r.code for r in conn.execute(select(t.PoolRow))}
            for kind, row in rows.items():
                found = set()
                for r in conn.execute(select(row)):
                    values = dict(r._mapping)
                    if values.get("project_id") not in mine or values.get("deleted_at"):
                        continue
                    values["pool_id"] = pools[values["pool_id"]]
                    found.add(tuple(sorted(
                        (k, repr(v)) for k, v in values.items() if k not in BOOKKEEPING
                    )))  # fmt: skip
                out[kind] = found
            out["unassigned"] = {
                (u.kind, u.object_id)
                for u in conn.execute(select(t.UnassignedRow))
                if u.project_id in mine
            }
    finally:
        engine.dispose()
    return out


@pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK50Warning")
def test_incremental_syncs_bring_every_change_and_end_where_a_full_sync_does(
    oslab: OsLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Create, resize, stop and delete servers and create and delete volumes between
    incremental syncs: every change arrives, and the store then equals a fresh full sync's."""
    admin = oslab.connect()
    idn = admin.identity
    suffix = uuid.uuid4().hex[:8]
    undo: list[Any] = []
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    clouds = str(oslab.clouds_yaml)

    def sync(db: Path, *args: str) -> dict[str, Any]:
        monkeypatch.setenv("GOVCLOUD_DB", str(db))
        res = govcloud("-o", "json", "sync", "--clouds-yaml", clouds, *args)
        assert res.exit_code == 0, res.stdout + res.stderr
        [row] = res.json()
        assert row["status"] == "ok"
        return dict(row)

    def live(db: Path, row: Any, column: str) -> dict[str, Any]:
        engine = create_engine(f"sqlite:///{db}")
        try:
            with engine.connect() as conn:
                return {getattr(r, column): r for r in conn.execute(select(row))}
        finally:
            engine.dispose()

    try:
        me = idn.find_user(oslab.username, ignore_missing=False)
        member = idn.find_role("member", ignore_missing=False)
        proj = idn.create_project(name=f"inc-{suffix}", domain_id="default")
        undo.append(lambda: idn.delete_project(proj))
        undo.append(
            lambda: [
                admin.network.delete_security_group(sg, ignore_missing=True)
                for sg in admin.network.security_groups(project_id=proj.id)
            ]
        )
        idn.assign_project_role_to_user(proj, me, member)
        conn = oslab.connect(project_name=proj.name)
        tiny = admin.compute.create_flavor(name=f"inc-1-{suffix}", vcpus=1, ram=256, disk=1)
        undo.append(lambda: admin.compute.delete_flavor(tiny))
        small = admin.compute.create_flavor(name=f"inc-2-{suffix}", vcpus=2, ram=512, disk=1)
        undo.append(lambda: admin.compute.delete_flavor(small))
        image = admin.image.create_image(
            name=f"inc-{suffix}", data=io.BytesIO(b"\0" * 65536), disk_format="raw",
            container_format="bare", visibility="public",
        )  # fmt: skip
        undo.append(lambda: admin.image.delete_image(image))

        def boot(name: str) -> Any:
            srv = conn.compute.create_server(
                name=f"inc-{name}-{suffix}", flavor_id=tiny.id, image_id=image.id,
                networks=[{"uuid": oslab.network_id}],
            )  # fmt: skip
            undo.append(
                lambda: (
                    conn.compute.delete_server(srv, ignore_missing=True),
                    conn.compute.wait_for_delete(srv, interval=1, wait=WAIT),
                )
            )
            return conn.compute.wait_for_server(srv, status="ACTIVE", failures=["ERROR"],
                                                interval=1, wait=WAIT)  # fmt: skip

        def volume(name: str) -> Any:
            vol = conn.block_storage.create_volume(size=1, name=f"inc-{name}-{suffix}")
            undo.append(
                lambda: (
                    conn.block_storage.delete_volume(vol, ignore_missing=True),
                    conn.block_storage.wait_for_delete(vol, interval=1, wait=WAIT),
                )
            )
            return conn.block_storage.wait_for_status(vol, "available", failures=["error"],
                                                      interval=1, wait=WAIT)  # fmt: skip

        a, b = boot("a"), boot("b")
        v1 = volume("v1")
        write_inventory(tmp_path / "inv", oslab, [proj.name])
        db = tmp_path / "incremental.db"
        monkeypatch.setenv("GOVCLOUD_DB", str(db))
        assert govcloud("inventory", "load", str(tmp_path / "inv")).exit_code == 0
        first = sync(db)
        assert first["mode"] == "full"

        # create, resize (+ confirm), stop; a new volume
        c = boot("c")
        conn.compute.resize_server(b, small.id)
        conn.compute.wait_for_server(b, status="VERIFY_RESIZE", failures=["ERROR"],
                                     interval=1, wait=WAIT)  # fmt: skip
        conn.compute.confirm_server_resize(b)
        conn.compute.wait_for_server(b, status="ACTIVE", failures=["ERROR"], interval=1,
                                     wait=WAIT)  # fmt: skip
        conn.compute.stop_server(a)
        conn.compute.wait_for_server(a, status="SHUTOFF", failures=["ERROR"], interval=1,
                                     wait=WAIT)  # fmt: skip
        v2 = volume("v2")
        second = sync(db, "-v")
        assert (second["mode"], second["why"][:13]) == ("incremental", "changes since"), second
        assert second["calls"] > 0  # (a lab this small costs as many calls either way)
        servers = live(db, t.ServerRow, "server_id")
        assert servers[c.id].deleted_at is None
        assert (servers[b.id].vcpus, servers[b.id].flavor_name) == (2, small.name)
        assert servers[a.id].status == "SHUTOFF"
        assert len(servers[c.id].addresses or []) == 1  # its port, listed by device_id
        assert v2.id in live(db, t.VolumeRow, "volume_id")

        # delete a server and a volume
        conn.compute.delete_server(c)
        conn.compute.wait_for_delete(c, interval=1, wait=WAIT)
        conn.block_storage.delete_volume(v1)
        conn.block_storage.wait_for_delete(v1, interval=1, wait=WAIT)
        third = sync(db)
        assert third["mode"] == "incremental", third
        assert live(db, t.ServerRow, "server_id")[c.id].deleted_at is not None
        assert live(db, t.VolumeRow, "volume_id")[v1.id].deleted_at is not None

        fresh = tmp_path / "full.db"
        monkeypatch.setenv("GOVCLOUD_DB", str(fresh))
        assert govcloud("inventory", "load", str(tmp_path / "inv")).exit_code == 0
        assert sync(fresh)["mode"] == "full"
        after_incremental = store_state(f"sqlite:///{db}", [proj.id])
        after_full = store_state(f"sqlite:///{fresh}", [proj.id])
        assert {k: len(v) for k, v in after_incremental.items()}["servers"] == 2
        for kind in after_full:
            assert after_incremental[kind] == after_full[kind], kind
    finally:
        for step in reversed(undo):
            step()
        admin.close()
