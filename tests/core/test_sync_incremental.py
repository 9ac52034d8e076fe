"""Incremental sync, pure: when to trust a change listing, and that changes laid over the stored
region place every object where a full listing would (table-driven over a cloud in memory)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from govcloud.core import incremental as inc
from govcloud.core import sync
from govcloud.core.models import (
    CapacityRecord,
    Flavor,
    FloatingIp,
    Pool,
    Port,
    Project,
    ProjectAllocation,
    QuotaResource,
    QuotaUsage,
    SecurityGroup,
    Server,
    Snapshot,
    StorageBackend,
    Unassigned,
    Volume,
    VolumeType,
)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
ok = inc.LastRun("ok", T0, T0 - H, "L")


# --- decide -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "force", "now", "mode", "why"),
    [
        ({"a": ok, "b": ok}, False, T0 + H, "incremental", "changes since 2026-12-01 08:00:00Z"),
        ({"a": ok, "b": replace(ok, watermark=T0 - M)}, False, T0, "incremental", "07:59:00Z"),
        ({"a": ok}, True, T0, "full", "--full given"),
        ({}, False, T0, "full", "no pool of the region was synced before"),
        ({"a": ok, "b": None}, False, T0, "full", "pool b was never synced"),
        ({"a": replace(ok, status="failed")}, False, T0, "full", "last sync of pool a failed"),
        ({"a": replace(ok, watermark=None)}, False, T0, "full", "no trustworthy watermark"),
        ({"a": replace(ok, full_at=None)}, False, T0, "full", "no trustworthy watermark"),
        ({"a": ok}, False, T0 + 23 * H, "full", "is 24 h old (full every 24 h)"),
        ({"a": replace(ok, layout="old")}, False, T0, "full", "pools or department declarations"),
    ],
)
def test_a_region_is_synced_incrementally_only_from_a_trustworthy_watermark(
    last: Mapping[str, inc.LastRun | None], force: bool, now: datetime, mode: str, why: str
) -> None:
    got = inc.decide(last, force_full=force, full_every=24 * H, now=now, layout="L")
    assert (got.name, why in got.reason) == (mode, True), got.reason
    if got.incremental:
        assert got.since == min(r.watermark for r in last.values() if r and r.watermark)


@pytest.mark.parametrize(
    ("first", "last", "newest", "since", "want"),
    [
        (T0, T0 + M, T0 - H, None, T0 - inc.OVERLAP),  # the cloud's Date, less the overlap
        (None, None, T0, None, T0 - inc.OVERLAP),  # no Date header: the newest update
        (None, None, T0 - H, T0, T0),  # never behind the watermark it started from
        (None, None, None, T0, T0),  # nothing changed, no Date: the watermark stays
        (T0, T0, T0 + 2 * inc.OVERLAP, None, "clock skew"),  # updated after the cloud's time
        (T0 - H, T0 - H, None, T0, "clock went back"),
        (None, None, None, None, "no Date header"),
    ],
)
def test_the_watermark_is_the_clouds_time_never_the_local_clock(
    first: datetime | None,
    last: datetime | None,
    newest: datetime | None,
    since: datetime | None,
    want: datetime | str,
) -> None:
    if isinstance(want, str):
        with pytest.raises(inc.Untrusted, match=want):
            inc.watermark(first, last, newest, since=since)
    else:
        assert inc.watermark(first, last, newest, since=since) == want


# --- a cloud in memory ------------------------------------------------------------------------

POOLS = (
    Pool("gen", "gen", "gen", "c", "r", "政务外网", 3),
    Pool("sec", "sec", "sec", "c", "r", "政务外网", 3, "az-sec"),
)


def vm(sid: str, project: str = "pa", az: str = "nova", host: str | None = "h1") -> Server:
    return Server("", sid, sid, project, "ACTIVE", "m1", 2, 4096, 20, host=host,
                  availability_zone=az, updated_at=T0 - H)  # fmt: skip


@dataclass
class Cloud:
    """A region with a general pool and an availability-zone pool; every change stamps
    `updated` with the cloud's clock, deletions are remembered as Nova remembers them."""

    now: datetime = T0
    vms: dict[str, Server] = field(default_factory=dict)
    gone: dict[str, datetime] = field(default_factory=dict)
    vols: dict[str, Volume] = field(default_factory=dict)
    zones: dict[str, str | None] = field(default_factory=dict)
    port_map: dict[str, Port] = field(default_factory=dict)
    count_known: bool = True
    log: list[str] = field(default_factory=list)

    def tick(self) -> datetime:
        self.now += M
        return self.now

    def put(self, s: Server) -> None:
        self.vms[s.server_id] = replace(s, updated_at=self.tick())

    def delete(self, sid: str) -> None:
        del self.vms[sid]
        self.gone[sid] = self.tick()
        self.port_map = {k: p for k, p in self.port_map.items() if p.device_id != sid}

    def put_volume(self, v: Volume, zone: str | None = "nova") -> None:
        self.vols[v.volume_id] = replace(v, updated_at=self.tick())
        self.zones[v.volume_id] = zone

    # CloudReader
    @property
    def scopes(self) -> tuple[sync.PoolScope, ...]:
        return sync.scopes(POOLS)["gen"].region_scopes

    def projects(self) -> list[Project]:
        return [Project("", p, p) for p in ("pa", "pb")]

    def flavors(self) -> list[Flavor]:
        return [Flavor("", "f1", "m1", 2, 4096, 20)]

    def aggregate_hosts(self) -> dict[str, frozenset[str]]:
        return {}

    def _sorted(self) -> list[Server]:
        return sorted(self.vms.values(), key=lambda s: s.server_id)

    def servers(self, on_page: Callable[[int], None]) -> sync.ServerPage:
        self.log.append("servers")
        return sync.ServerPage(tuple(self._sorted()))

    def volumes(self) -> sync.VolumePage | None:
        self.log.append("volumes")
        return sync.VolumePage(tuple(self.vols.values()), dict(self.zones))

    def snapshots(self) -> list[Snapshot] | None:
        return []

    def backends(self) -> list[StorageBackend] | None:
        return []

    def volume_types(self) -> list[VolumeType] | None:
        return []

    def ports(self) -> list[Port] | None:
        self.log.append("ports")
        return list(self.port_map.values())

    def floating_ips(self) -> list[FloatingIp] | None:
        return []

    def security_groups(self) -> list[SecurityGroup] | None:
        return []

    def quotas(self, project_ids: Sequence[str], services: frozenset[str]) -> sync.QuotaListing:
        if (
            project_ids
        ):  # an empty ask reads no quota set (the reader only checks for unified limits)
            self.log.append(f"quotas:{','.join(sorted(services))}:{','.join(project_ids)}")
        used = {p: sum(s.vcpus for s in self.vms.values() if s.project_id == p)
                for p in project_ids}  # fmt: skip
        return sync.QuotaListing(
            tuple(QuotaUsage("", p, QuotaResource.CORES, 100, used[p]) for p in project_ids)
        )

    def capacity(self, scope: sync.PoolScope) -> list[CapacityRecord]:
        return []

    def allocations(
        self, scope: sync.PoolScope, consumers: Mapping[str, str]
    ) -> list[ProjectAllocation] | None:
        return []

    # ChangeReader
    def changed_servers(
        self, since: datetime, on_page: Callable[[int], None]
    ) -> sync.ChangedServers:
        self.log.append("changed_servers")
        return sync.ChangedServers(
            tuple(s for s in self._sorted() if s.updated_at and s.updated_at >= since),
            frozenset(k for k, t in self.gone.items() if t >= since),
        )

    def changed_volumes(self, since: datetime) -> sync.VolumePage | None:
        fresh = [v for v in self.vols.values() if v.updated_at and v.updated_at >= since]
        return sync.VolumePage(tuple(fresh), {v.volume_id: self.zones[v.volume_id] for v in fresh})

    def volume_count(self) -> int | None:
        return len(self.vols) if self.count_known else None

    def volume_ids(self) -> frozenset[str]:
        self.log.append("volume_ids")
        return frozenset(self.vols)

    def ports_of(self, server_ids: Collection[str]) -> list[Port] | None:
        self.log.append("ports_of")
        return [p for p in self.port_map.values() if p.device_id in server_ids]

    def project_usages(self, project_ids: Sequence[str]) -> dict[str, tuple[int, int, int]] | None:
        self.log.append("usages:" + ",".join(project_ids))
        return {
            p: (sum(s.vcpus for s in self.vms.values() if s.project_id == p and s.host), 0, 0)
            for p in project_ids
        }

    def clock(self) -> tuple[datetime | None, datetime | None]:
        return self.now, self.now

    @property
    def calls(self) -> int:
        return len(self.log)


def seeded() -> Cloud:
    c = Cloud()
    for sid, az in (("s1", "nova"), ("s2", "nova"), ("s3", "az-sec"), ("s4", "az-sec")):
        c.vms[sid] = vm(sid, "pa" if sid < "s3" else "pb", az)
        c.port_map[f"port-{sid}"] = Port("", f"port-{sid}", "pa", "net", sid, "compute:nova",
                                        (f"10.0.0.{sid[1]}",))  # fmt: skip
    c.vols["v1"] = Volume("", "v1", "v1", "pa", 10, "in-use", None, "s3", updated_at=T0 - H)
    c.vols["v2"] = Volume("", "v2", "v2", "pb", 20, "available", updated_at=T0 - H)
    c.zones.update(v1="nova", v2="az-sec")
    return c


def stored_after(listing: sync.RegionListing) -> dict[str, sync.PoolSnapshot]:
    """What the store holds after applying LISTING to an empty store (kinds that matter)."""
    return {
        code: sync.PoolSnapshot(servers=p.servers, volumes=p.volumes, ports=p.ports)
        for code, p in listing.pools.items()
    }


def view(listing: sync.RegionListing) -> dict[str, object]:
    out: dict[str, object] = {}
    for code, p in sorted(listing.pools.items()):
        out[f"{code}.servers"] = set(p.servers)
        out[f"{code}.volumes"] = set(p.volumes)
        out[f"{code}.ports"] = set(p.ports)
    out["unassigned"] = {(u.kind, u.object_id) for u in listing.unassigned}
    return out


def applied(
    stored: Mapping[str, sync.PoolSnapshot], listing: sync.RegionListing
) -> sync.RegionListing:
    """LISTING as the store holds it once its diffs are applied over STORED: a kind listed in
    part (new, changed or moved records, and removals) laid over what was stored."""
    pools = {}
    for code, p in listing.pools.items():
        kinds = {}
        for kind, key in (("servers", "server_id"), ("volumes", "volume_id"), ("ports", "port_id")):
            diff = sync.diff_kind(
                getattr(stored[code], kind), getattr(p, kind), operator.attrgetter(key),
                complete=kind in p.complete, gone=p.removed.get(kind, ()),
            )  # fmt: skip
            rows = {getattr(r, key): r for r in getattr(stored[code], kind)}
            for k in diff.removed:
                del rows[k]
            rows.update({getattr(r, key): r for r in (*diff.added, *diff.changed)})
            assert p.count(kind) == len(rows)
            kinds[kind] = tuple(rows.values())
        pools[code] = replace(p, **kinds)
    return replace(listing, pools=pools)


def light(stored: Mapping[str, sync.PoolSnapshot]) -> dict[str, sync.PoolSnapshot]:
    """STORED as `sync_repo.read_light` reads it: servers, volumes and ports with only what
    placing needs (the rest blanked, as a light record's is)."""
    return {
        code: replace(
            snap,
            servers=tuple(
                replace(s, status="", created_at=None, updated_at=None) for s in snap.servers
            ),
            volumes=tuple(
                replace(v, status="", created_at=None, updated_at=None) for v in snap.volumes
            ),
            ports=tuple(replace(p, network_id="", security_group_ids=()) for p in snap.ports),
        )
        for code, snap in stored.items()
    }


def fetcher(stored: Mapping[str, sync.PoolSnapshot], log: list[str]) -> inc.Fetch:
    """Whole stored records by id, as the store gives them back."""

    def fetch(kind: str, ids: Collection[str]) -> list[object]:
        log.append(f"fetch {kind}:{','.join(sorted(ids))}")
        return [r for snap in stored.values() for r in getattr(snap, kind)
                if getattr(r, kind[:-1] + "_id") in ids]  # fmt: skip

    return fetch


def _noop(pool: str, stage: str, done: int) -> None:
    return None


def resize(c: Cloud) -> None:
    c.put(replace(c.vms["s1"], flavor_name="m2", vcpus=4, ram_mib=8192))


def migrate_into_zone(c: Cloud) -> None:  # s3's volume v1 follows it
    c.put(replace(c.vms["s3"], availability_zone="nova", host="h2"))


def move_into_secure_zone(c: Cloud) -> None:
    c.put(replace(c.vms["s2"], availability_zone="az-sec", host="h9"))


def shelve(c: Cloud) -> None:  # no host: placed by its zone
    c.put(replace(c.vms["s4"], status="SHELVED_OFFLOADED", host=None))


def stop(c: Cloud) -> None:
    c.put(replace(c.vms["s2"], status="SHUTOFF"))


def create(c: Cloud) -> None:
    c.put(vm("s5", "pb", "az-sec", "h9"))
    c.port_map["port-s5"] = Port("", "port-s5", "pb", "net", "s5", "compute:az-sec", ("10.0.0.5",))


def delete(c: Cloud) -> None:
    c.delete("s2")


def new_volume(c: Cloud) -> None:
    c.put_volume(Volume("", "v3", "v3", "pb", 5, "available"), "az-sec")


def delete_volume(c: Cloud) -> None:
    del c.vols["v2"]


def delete_volume_without_count(c: Cloud) -> None:
    c.count_known = False
    del c.vols["v2"]


@pytest.mark.parametrize(
    "change",
    [resize, migrate_into_zone, move_into_secure_zone, shelve, stop, create, delete,
     new_volume, delete_volume, delete_volume_without_count],
)  # fmt: skip
@pytest.mark.parametrize("stored_light", [False, True], ids=["whole", "light"])
def test_changes_over_the_stored_region_place_everything_as_a_full_listing_does(
    change: Callable[[Cloud], None], stored_light: bool
) -> None:
    cloud = seeded()
    first = sync.collect_region(cloud, _noop)
    since = inc.watermark(*cloud.clock(), first.newest_update)
    change(cloud)
    snaps = stored_after(first)
    fetched: list[str] = []
    if stored_light:
        start = sync.Incremental(since, inc.stored_objects(light(snaps), cloud.scopes),
                                 first.unassigned, fetcher(snaps, fetched))  # fmt: skip
    else:
        start = sync.Incremental(since, inc.stored_objects(snaps, cloud.scopes), first.unassigned)
    cloud.log.clear()
    partial = sync.collect_region(cloud, _noop, incremental=start)
    assert not {"servers", "ports"} & set(cloud.log)  # nothing listed whole
    whole = sync.collect_region(cloud, _noop)
    assert view(applied(snaps, partial)) == view(whole)
    # only what the cloud listed again or what moved reaches the diff: a stop lists one
    # server and its port again, and no stored record moves
    if change is stop:
        assert [s.server_id for p in partial.pools.values() for s in p.servers] == ["s2"]
        assert [p.port_id for p in partial.pools["gen"].ports] == ["port-s2"]
        assert not [v for p in partial.pools.values() for v in p.volumes]
        assert (partial.pools["gen"].count("servers"), partial.pools["sec"].count("servers")) == (
            2,
            2,
        )
    # a volume that follows its server into another pool is read whole from the store
    if change is migrate_into_zone and stored_light:
        assert fetched == ["fetch volumes:v1"]
    assert "quotas" not in partial.complete  # untouched projects' quotas stay as stored
    assert ("volume_ids" in cloud.log) == (change in (delete_volume, delete_volume_without_count))


def test_quotas_are_read_again_only_for_the_projects_the_changes_touch() -> None:
    cloud = seeded()
    first = sync.collect_region(cloud, _noop)
    since = inc.watermark(*cloud.clock(), first.newest_update)
    delete(cloud)  # s2 of project pa
    stored = inc.stored_objects(stored_after(first), cloud.scopes)
    cloud.log.clear()
    got = sync.collect_region(cloud, _noop, incremental=sync.Incremental(since, stored))
    # s2 and its port are gone: pa's Nova and Neutron usage moved, not its Cinder usage
    assert sorted(c for c in cloud.log if c.startswith("quotas")) == [
        "quotas:compute:pa",
        "quotas:network:pa",
    ]
    assert got.touched == frozenset({"pa"})
    assert {q.project_id for p in got.pools.values() for q in p.quotas} == {"pa"}
    # pa's servers are all in pool gen: Placement's usage of pa is gen's (s1 is left: 2 vCPU);
    # sec knows pa by its volume on s3 and holds nothing of it, as a full sync would say
    assert [c for c in cloud.log if c.startswith("usages")] == ["usages:pa"]
    assert {(a.pool_code, a.project_id, a.vcpus) for p in got.pools.values()
            for a in p.allocations} == {("gen", "pa", 2), ("sec", "pa", 0)}  # fmt: skip
    assert not {"capacity", "allocations"} & got.complete  # kept as stored, nothing removed


def test_a_deleted_server_is_removed_as_a_full_sync_removes_it() -> None:
    cloud = seeded()
    first = sync.collect_region(cloud, _noop)
    snaps = stored_after(first)
    since = inc.watermark(*cloud.clock(), first.newest_update)
    delete(cloud)
    start = sync.Incremental(since, inc.stored_objects(snaps, cloud.scopes))
    got = sync.collect_region(cloud, _noop, incremental=start)
    diff = sync.diff_pool(snaps["gen"], got.pools["gen"])
    assert diff.servers.removed == ("s2",)
    assert diff.ports.removed == ("port-s2",)


def test_unassigned_objects_not_listed_again_are_carried_over() -> None:
    kept = [
        Unassigned("c", "r", "servers", "sx", "x", "p", "why"),
        Unassigned("c", "r", "servers", "s1", "s1", "p", "why"),  # listed again
        Unassigned("c", "r", "floating_ips", "f1", "f", "p", "why"),  # listed whole
        Unassigned("c", "r", "volumes", "v9", "v", "p", "why"),  # gone from Cinder
    ]
    changes = inc.Changes(servers=(vm("s1"),), volume_ids=frozenset({"v1"}))
    assert [u.object_id for u in inc.carried_unassigned(kept, changes)] == ["sx"]


@pytest.mark.parametrize(
    ("change", "asked"),
    [(stop, []), (resize, ["compute:pa"]), (delete, ["compute:pa", "network:pa"]),
     (create, ["compute:pb", "network:pb"]),
     # s3 takes pb into pool gen, where pb held nothing: all of pb's quota sets, for gen
     (migrate_into_zone, ["compute:pb", "network:pb", "volume:pb"]),
     (shelve, ["compute:pb"]), (new_volume, ["volume:pb"]), (delete_volume, ["volume:pb"])],
)  # fmt: skip
def test_only_changes_that_move_usage_touch_a_projects_quotas(
    change: Callable[[Cloud], None], asked: list[str]
) -> None:
    """Each service's quota sets are read only for the projects whose usage in it moved: a
    resize moves Nova's, a deleted server also Neutron's (its ports go), a volume Cinder's."""
    cloud = seeded()
    first = sync.collect_region(cloud, _noop)
    since = inc.watermark(*cloud.clock(), first.newest_update)
    change(cloud)
    start = sync.Incremental(since, inc.stored_objects(stored_after(first), cloud.scopes))
    cloud.log.clear()
    got = sync.collect_region(cloud, _noop, incremental=start)
    assert got.touched == {a.split(":")[1] for a in asked}
    assert sorted(c for c in cloud.log if c.startswith("quotas")) == [f"quotas:{a}" for a in asked]
