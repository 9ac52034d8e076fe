"""Pure sync logic: scopes, department/system mapping, collect() over a fake reader, the diff."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from govcloud.core import sync
from govcloud.core.errors import CloudError
from govcloud.core.models import (
    CapacityRecord,
    Department,
    Flavor,
    FloatingIp,
    Pool,
    Port,
    Project,
    ProjectAllocation,
    ProjectBinding,
    QuotaResource,
    QuotaUsage,
    SecurityGroup,
    Server,
    Snapshot,
    StorageBackend,
    Volume,
    VolumeType,
)


def server(sid: str, **kw: object) -> Server:
    base = Server("p1", sid, f"vm-{sid}", "proj-a", "ACTIVE", "m1.small", 2, 4096, 40)
    return replace(base, **kw)  # type: ignore[arg-type]


def pool(code: str, region: str = "r1", az: str | None = None, agg: str | None = None) -> Pool:
    return Pool(code, code, code, "cloud", region, "政务外网", 3, az, agg)


@dataclass
class FakeReader:
    """A one-pool region in memory; `fail_on` makes one call raise like the adapter does."""

    projects_: list[Project] = field(default_factory=list)
    servers_: list[Server] = field(default_factory=list)
    volumes_: list[Volume] | None = field(default_factory=list)
    duplicates: int = 0
    fail_on: str | None = None
    calls: list[str] = field(default_factory=list)
    quota_projects: list[str] = field(default_factory=list)
    snapshots_: list[Snapshot] | None = field(default_factory=list)
    ports_: list[Port] | None = field(default_factory=list)
    pools: tuple[Pool, ...] = (Pool("p1", "p1", "p1", "cloud", "r1", "政务外网", 3),)
    allocations_: list[ProjectAllocation] | None = field(default_factory=list)

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_on == name:
            raise CloudError(f"pool p1: GET /{name}: 503 after 4 tries")

    @property
    def scopes(self) -> tuple[sync.PoolScope, ...]:
        return next(iter(sync.scopes(self.pools).values())).region_scopes

    def projects(self) -> list[Project]:
        self._call("projects")
        return list(self.projects_)

    def flavors(self) -> list[Flavor]:
        self._call("flavors")
        return [Flavor("p1", "f1", "m1.small", 2, 4096, 40)]

    def aggregate_hosts(self) -> dict[str, frozenset[str]]:
        self._call("aggregates")
        return {}

    def servers(self, on_page: Callable[[int], None]) -> sync.ServerPage:
        self._call("servers")
        on_page(len(self.servers_))
        return sync.ServerPage(tuple(self.servers_), self.duplicates)

    def volumes(self) -> sync.VolumePage | None:
        self._call("volumes")
        return None if self.volumes_ is None else sync.VolumePage(tuple(self.volumes_))

    def snapshots(self) -> list[Snapshot] | None:
        self._call("snapshots")
        return self.snapshots_

    def backends(self) -> list[StorageBackend] | None:
        self._call("backends")
        return []

    def volume_types(self) -> list[VolumeType] | None:
        self._call("volume_types")
        return []

    def ports(self) -> list[Port] | None:
        self._call("ports")
        return self.ports_

    def floating_ips(self) -> list[FloatingIp] | None:
        self._call("floating_ips")
        return []

    def security_groups(self) -> list[SecurityGroup] | None:
        self._call("security_groups")
        return []

    def quotas(self, project_ids: Sequence[str], services: frozenset[str]) -> sync.QuotaListing:
        self._call("quotas")
        self.quota_projects = list(project_ids)
        resources = [r for r in QuotaResource if r.service in services]
        return sync.QuotaListing(
            tuple(QuotaUsage("p1", p, r, 10, 1) for p in project_ids for r in resources)
        )

    def capacity(self, scope: sync.PoolScope) -> list[CapacityRecord]:
        self._call("capacity")
        return [CapacityRecord(scope.pool_code, "VCPU", 64, 0, 4.0, 8, 2)]

    def allocations(
        self, scope: sync.PoolScope, consumers: Mapping[str, str]
    ) -> list[ProjectAllocation] | None:
        self._call("allocations")
        return self.allocations_


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, int]] = []

    def __call__(self, pool_code: str, stage: str, done: int) -> None:
        self.events.append((pool_code, stage, done))


def listing_of(reader: FakeReader) -> sync.PoolListing:
    return sync.collect(reader, "p1", Recorder())


def snapshot_from(listing: sync.PoolListing, **kw: object) -> sync.PoolSnapshot:
    """What the store would hold after writing LISTING."""
    snap = sync.PoolSnapshot(
        projects=listing.projects,
        flavors=listing.flavors,
        servers=listing.servers,
        volumes=listing.volumes,
        quotas=listing.quotas,
        capacity=listing.capacity,
        snapshots=listing.snapshots,
        backends=listing.backends,
        volume_types=listing.volume_types,
        type_quotas=listing.type_quotas,
        ports=listing.ports,
        floating_ips=listing.floating_ips,
        security_groups=listing.security_groups,
        allocations=listing.allocations,
    )
    return replace(snap, **kw)


# --- diff -------------------------------------------------------------------------------------


def test_first_sync_adds_everything_and_second_changes_nothing() -> None:
    reader = FakeReader([Project("p1", "proj-a", "a")], [server("1"), server("2")])
    listing = listing_of(reader)
    first = sync.diff_pool(sync.PoolSnapshot(), listing)
    assert first.servers.added == (server("1"), server("2"))
    assert first.counts()["quotas"]["added"] == len(QuotaResource)
    second = sync.diff_pool(snapshot_from(listing), listing_of(reader))
    assert second.totals() == (0, 0, 0)
    assert second.servers.unchanged == 2


def test_changed_and_removed_servers_are_reported() -> None:
    before = snapshot_from(listing_of(FakeReader(servers_=[server("1"), server("2")])))
    after = listing_of(FakeReader(servers_=[server("1", status="SHUTOFF"), server("3")]))
    diff = sync.diff_pool(before, after)
    assert [s.server_id for s in diff.servers.changed] == ["1"]
    assert [s.server_id for s in diff.servers.added] == ["3"]
    assert diff.servers.removed == ("2",)


def test_nothing_is_removed_from_an_incomplete_listing() -> None:
    before = snapshot_from(listing_of(FakeReader(servers_=[server("1"), server("2")])))
    partial = replace(
        listing_of(FakeReader(servers_=[server("1")])),
        complete=frozenset(sync.KINDS) - {"servers"},
    )
    diff = sync.diff_pool(before, partial)
    assert diff.servers.removed == ()
    assert diff.servers.unchanged == 1


def test_a_server_listed_again_after_deletion_is_revived_not_inserted() -> None:
    before = sync.PoolSnapshot(deleted_servers=frozenset({"1"}))
    diff = sync.diff_pool(before, listing_of(FakeReader(servers_=[server("1"), server("2")])))
    assert [s.server_id for s in diff.servers.revived] == ["1"]
    assert [s.server_id for s in diff.servers.added] == ["2"]
    assert diff.counts()["servers"]["added"] == 2


def test_listing_duplicates_are_kept_once() -> None:
    diff = sync.diff_kind([], [server("1"), server("1")], lambda s: s.server_id, complete=True)
    assert len(diff.added) == 1


def test_without_a_volume_service_volumes_and_quotas_are_not_removed() -> None:
    full = listing_of(FakeReader([Project("p1", "proj-a", "a")], volumes_=[]))
    before = snapshot_from(full, volumes=(Volume("p1", "v1", "data", "proj-a", 100, "in-use"),))
    no_cinder = listing_of(FakeReader([Project("p1", "proj-a", "a")], volumes_=None))
    assert "volumes" not in no_cinder.complete
    assert any("no volume service" in n for n in no_cinder.notes)
    diff = sync.diff_pool(before, no_cinder)
    assert diff.volumes.removed == ()
    assert diff.quotas.removed == ()


T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def snap(sid: str, volume_id: str | None = "v1", **kw: object) -> Snapshot:
    base = Snapshot("p1", sid, f"snap-{sid}", "proj-a", volume_id, 100, "available", T0)
    return replace(base, **kw)  # type: ignore[arg-type]


def test_a_newer_updated_at_is_a_change() -> None:
    before = snapshot_from(listing_of(FakeReader(servers_=[server("1", updated_at=T0)])))
    later = server("1", updated_at=T0.replace(day=20))
    diff = sync.diff_pool(before, listing_of(FakeReader(servers_=[later])))
    assert diff.servers.changed == (later,)
    assert diff.counts()["servers"]["changed"] == 1


def test_snapshots_are_added_changed_and_removed_like_volumes() -> None:
    before = snapshot_from(listing_of(FakeReader(snapshots_=[snap("s1"), snap("s2")])))
    after = listing_of(FakeReader(snapshots_=[snap("s1", status="error"), snap("s3")]))
    diff = sync.diff_pool(before, after)
    assert [s.snapshot_id for s in diff.snapshots.changed] == ["s1"]
    assert [s.snapshot_id for s in diff.snapshots.added] == ["s3"]
    assert diff.snapshots.removed == ("s2",)
    assert diff.counts()["snapshots"] == {"added": 1, "changed": 1, "removed": 1, "unchanged": 0}
    revived = sync.diff_pool(sync.PoolSnapshot(deleted_snapshots=frozenset({"s3"})), after)
    assert [s.snapshot_id for s in revived.snapshots.revived] == ["s3"]


def test_without_a_snapshot_api_snapshots_are_noted_and_not_removed() -> None:
    before = snapshot_from(listing_of(FakeReader(snapshots_=[snap("s1")])))
    no_snapshots = listing_of(FakeReader(snapshots_=None))
    assert "snapshots" not in no_snapshots.complete
    assert "volumes" in no_snapshots.complete
    assert any("no snapshots (404)" in n for n in no_snapshots.notes)
    diff = sync.diff_pool(before, no_snapshots)
    assert diff.snapshots.removed == ()
    assert diff.totals() == (0, 0, 0)


def test_without_a_volume_service_snapshots_are_not_asked_for() -> None:
    reader = FakeReader(volumes_=None, snapshots_=[snap("s1")])
    listing = listing_of(reader)
    assert "snapshots" not in reader.calls
    assert not {"volumes", "snapshots"} & listing.complete
    assert listing.snapshots == ()


# --- collect ----------------------------------------------------------------------------------


def test_collect_reports_progress_and_duplicates() -> None:
    rec = Recorder()
    listing = sync.collect(FakeReader(servers_=[server("1")], duplicates=3), "p1", rec)
    assert ("cloud/r1", "servers", 1) in rec.events
    assert listing.duplicates == 3
    assert any("3 servers listed twice" in n for n in listing.notes)


def test_collect_reads_quotas_only_of_declared_or_occupied_projects() -> None:
    reader = FakeReader(
        [Project("p1", "id-a", "a"), Project("p1", "id-b", "b"), Project("p1", "id-c", "c")],
        servers_=[server("1", project_id="id-b")],
    )
    dept = Department("d", "部门", "部门", "Dept", (ProjectBinding("d", "p1", "a", {}),))
    listing = sync.collect(reader, "p1", Recorder(), [dept])
    assert reader.quota_projects == ["id-a", "id-b"]
    assert [p.department_code for p in listing.projects] == ["d", None, None]


def test_collect_propagates_a_failed_call_without_a_listing() -> None:
    reader = FakeReader(servers_=[server("1")], fail_on="volumes")
    with pytest.raises(CloudError, match="pool p1: GET /volumes: 503 after 4 tries"):
        listing_of(reader)
    assert "quotas" not in reader.calls


# --- departments, systems, scopes -------------------------------------------------------------


def test_departments_by_project_id_first_then_by_name() -> None:
    depts = [
        Department("wjw", "卫健委", "卫健委", "Health", (
            ProjectBinding("wjw", "p1", "renamed", {}, project_id="id-1"),
        )),
        Department("gaj", "公安局", "公安局", "Police", (
            ProjectBinding("gaj", "p1", "gaj-prod", {}),
            ProjectBinding("gaj", "p2", "other-pool", {}),
        )),
    ]  # fmt: skip
    projects = [
        Project("p1", "id-1", "wjw-prod"),
        Project("p1", "id-2", "gaj-prod"),
        Project("p1", "id-3", "other-pool"),
        Project("p1", "id-4", "renamed"),  # name of a binding that is declared by id
    ]
    got = {p.project_id: p.department_code for p in sync.assign_departments(projects, depts, "p1")}
    assert got == {"id-1": "wjw", "id-2": "gaj", "id-3": None, "id-4": None}


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"business_system": " his-core "}, "his-core"),
        ({"business_system": ""}, None),
        ({"business_system": "x" * 65}, None),
        ({"business_system": 7}, None),
        ({"other": "his"}, None),
        (None, None),
    ],
)
def test_system_code_from_metadata(
    metadata: dict[str, object] | None, expected: str | None
) -> None:
    assert sync.system_code_from(metadata, "business_system") == expected


def test_unfiltered_pool_gives_up_what_filtered_siblings_claim() -> None:
    scopes = sync.scopes(
        [pool("prod"), pool("dr", az="az-dr", agg="agg-dr"), pool("net", region="r2")]
    )
    assert scopes["prod"].excluded_zones == {"az-dr"}
    assert scopes["prod"].excluded_aggregates == {"agg-dr"}
    assert scopes["net"].excluded_zones == frozenset()
    hosts = {"agg-dr": frozenset({"cn-9"})}
    assert sync.in_scope(scopes["prod"], "nova", "cn-1", hosts)
    assert not sync.in_scope(scopes["prod"], "az-dr", "cn-9", hosts)
    assert not sync.in_scope(scopes["prod"], "nova", "cn-9", hosts)  # host in the aggregate
    assert sync.in_scope(scopes["dr"], "az-dr", "cn-9", hosts)
    assert not sync.in_scope(scopes["dr"], "nova", "cn-1", hosts)


def test_aggregate_only_pool_takes_servers_on_its_hosts() -> None:
    scope = sync.scopes([pool("gpu", agg="agg-gpu")])["gpu"]
    hosts = {"agg-gpu": frozenset({"gpu-1"})}
    assert sync.in_scope(scope, "nova", "gpu-1", hosts)
    assert not sync.in_scope(scope, "nova", "cn-1", hosts)
    assert not sync.in_scope(scope, "nova", None, hosts)


# --- storage, networking, allocations -----------------------------------------------------------


def vm_port(pid: str, server_id: str, *ips: str) -> Port:
    return Port("p1", pid, "proj-a", "net", server_id, "compute:nova", ips)


def test_network_kinds_are_removed_outright_only_from_a_complete_listing() -> None:
    ports = [vm_port("pt1", "1", "10.0.0.5"), vm_port("pt2", "1")]
    with_ports = FakeReader([Project("p1", "proj-a", "a")], [server("1")], ports_=ports)
    before = snapshot_from(listing_of(with_ports))
    fewer = listing_of(replace(with_ports, ports_=[vm_port("pt1", "1", "10.0.0.5")]))
    diff = sync.diff_pool(before, fewer)
    assert diff.ports.removed == ("pt2",)
    assert diff.counts()["ports"] == {"added": 0, "changed": 0, "removed": 1, "unchanged": 1}
    no_neutron = listing_of(replace(with_ports, ports_=None))
    assert not {"ports", "floating_ips", "security_groups"} & no_neutron.complete
    assert any("no network service" in n for n in no_neutron.notes)
    diff = sync.diff_pool(before, no_neutron)
    assert diff.ports.removed == ()
    network = {r.value for r in QuotaResource if r.service == "network"}
    assert network <= {q.resource.value for q in before.quotas}
    assert diff.quotas.removed == ()  # the network quota rows stay without Neutron


def test_quotas_of_a_service_skipped_by_the_reader_are_not_removed() -> None:
    listing = listing_of(FakeReader([Project("p1", "proj-a", "a")], [server("1")]))
    before = snapshot_from(listing)
    compute_only = replace(
        listing,
        quotas=tuple(q for q in listing.quotas if q.resource.service != "network"),
        quota_skipped=frozenset({"network"}),
    )
    assert sync.diff_pool(before, compute_only).quotas.removed == ()
    gone = replace(compute_only, quota_skipped=frozenset())
    assert len(sync.diff_pool(before, gone).quotas.removed) == 7


def test_neutron_ports_are_the_servers_addresses() -> None:
    reader = FakeReader(servers_=[server("1", addresses=("10.9.9.9",)), server("2")],
                        ports_=[vm_port("pt1", "1", "10.0.0.5", "fd00::5")])  # fmt: skip
    listing = listing_of(reader)
    assert {s.server_id: s.addresses for s in listing.servers} == {
        "1": ("10.0.0.5", "fd00::5"),  # Neutron, not Nova's cached copy
        "2": (),  # no port: what Nova says
    }


def test_allocations_have_a_row_for_each_project_that_matters_and_none_without_placement() -> None:
    held = [ProjectAllocation("p1", "proj-a", 4, 8192, 40)]
    dept = Department("d", "部门", "部门", "Dept", (ProjectBinding("d", "p1", "b", {}),))
    projects = [Project("p1", "proj-a", "a"), Project("p1", "proj-b", "b")]
    reader = FakeReader(projects, [server("1")], allocations_=held)
    listing = sync.collect(reader, "p1", Recorder(), [dept])
    assert listing.allocations == (held[0], ProjectAllocation("p1", "proj-b", 0, 0, 0))
    before = snapshot_from(listing)
    without = sync.collect(replace(reader, allocations_=None), "p1", Recorder(), [dept])
    assert without.allocations == ()
    assert "allocations" not in without.complete
    assert any("no allocations (404)" in n for n in without.notes)
    assert sync.diff_pool(before, without).allocations.removed == ()


def test_collect_region_reads_the_region_once_for_all_its_pools() -> None:
    pools = (
        Pool("prod", "prod", "prod", "cloud", "r1", "政务外网", 3),
        Pool("dr", "dr", "dr", "cloud", "r1", "政务外网", 3, "az-dr"),
    )
    reader = FakeReader(
        servers_=[server("1", availability_zone="nova", host="cn-1"),
                  server("2", availability_zone="az-dr", host="cn-9")],
        pools=pools,
    )  # fmt: skip
    region = sync.collect_region(reader, Recorder())
    assert reader.calls.count("servers") == 1
    assert reader.calls.count("capacity") == 2
    assert {c: [s.server_id for s in p.servers] for c, p in region.pools.items()} == {
        "dr": ["2"],
        "prod": ["1"],
    }
    assert [s.pool_code for s in region.pools["dr"].servers] == ["dr"]
    assert region.unassigned == ()
    only = sync.collect_region(replace(reader, calls=[]), Recorder(), only=("dr",))
    assert set(only.pools) == {"dr"}
