"""Placing a region's objects among its pools: each in exactly one pool, or unassigned with why.

The region of the real-cloud finding: one aggregate pool and one zone pool side by side, no
pool taking the rest, unattached volumes in Cinder's zone `nova` and a shelved server.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from govcloud.core import sync
from govcloud.core.models import (
    FloatingIp,
    Pool,
    Port,
    SecurityGroup,
    Server,
    Snapshot,
    StorageBackend,
    Volume,
    VolumeType,
)
from govcloud.core.partition import RegionObjects, partition, unknown_backends
from tests.core.test_sync import FakeReader

HOSTS = {"agg-1": frozenset({"cn-1"})}


def pool(code: str, az: str | None = None, agg: str | None = None, **kw: object) -> Pool:
    base = Pool(code, code, code, "c", "r", "政务外网", 3, az, agg)
    return replace(base, **kw)  # type: ignore[arg-type]


def server(sid: str, project: str, host: str | None, zone: str | None = None) -> Server:
    status = "ACTIVE" if host else "SHELVED_OFFLOADED"
    return Server("", sid, sid, project, status, "m1", 4, 8192, 40, host=host,
                  availability_zone=zone)  # fmt: skip


def volume(vid: str, project: str, attached: str | None = None) -> Volume:
    return Volume("", vid, vid, project, 10, "available", attached_server_id=attached)


def port(pid: str, project: str, device: str | None) -> Port:
    owner = "compute:nova" if device else "network:dhcp"
    return Port("", pid, project, "net", device, owner, (f"10.0.0.{len(pid)}",))


def fip(fid: str, project: str, port_id: str | None) -> FloatingIp:
    return FloatingIp("", fid, project, f"198.18.0.{len(fid)}", "ext", "DOWN", port_id)


def backend(name: str, backend_name: str) -> StorageBackend:
    return StorageBackend("", name, backend_name, 100.0, 50.0, 50.0, 50.0, 1.0)


SIDE_BY_SIDE = [pool("agg", agg="agg-1", storage_backends=("fast",)), pool("zone", az="az-2")]
OBJECTS = RegionObjects(
    servers=[
        server("s-agg", "A", "cn-1", "nova"),
        server("s-zone", "B", "cn-2", "az-2"),
        server("s-c1", "C", "cn-1", "nova"),
        server("s-c2", "C", "cn-2", "az-2"),
        server("s-shelved", "A", None),
        server("s-shelved-c", "C", None),
        server("s-stray", "A", "cn-9", "nova"),
    ],
    volumes=[
        volume("v-att", "A", attached="s-zone"),
        volume("v-nova", "A"),
        volume("v-az2", "A"),
        volume("v-orphan", "X"),
        volume("v-on-stray", "A", attached="s-stray"),
        volume("v-on-gone", "B", attached="s-deleted"),
    ],
    volume_zones={"v-nova": "nova", "v-az2": "az-2", "v-orphan": "nova", "v-on-gone": "nova"},
    snapshots=[
        Snapshot("", "n-orphan", "n", "X", "v-orphan", 10, "available"),
        Snapshot("", "n-gone", "n", "B", "v-deleted", 10, "available"),
        Snapshot("", "n-att", "n", "A", "v-att", 10, "available"),
    ],
    ports=[
        port("p-agg", "A", "s-agg"),
        port("p-dhcp", "B", None),
        port("p-stray", "A", "s-stray"),
    ],
    floating_ips=[
        fip("f-agg", "A", "p-agg"),
        fip("f-free-x", "X", None),
        fip("f-free-b", "B", None),
        fip("f-stray", "A", "p-stray"),
    ],
    security_groups=[
        SecurityGroup("", "g-a", "A", "default"),
        SecurityGroup("", "g-x", "X", "default"),
        SecurityGroup("", "g-d", "D", "web"),
    ],
    backends=[backend("h@fast#fast", "fast"), backend("h@slow#slow", "slow")],
    volume_types=[
        VolumeType("", "t-fast", "fast", "fast"),
        VolumeType("", "t-slow", "slow", "slow"),
        VolumeType("", "t-any", "any", None),
    ],
)
DECLARED = {"D": frozenset({"zone"})}


def placed(pools: list[Pool], objects: RegionObjects = OBJECTS) -> dict[tuple[str, str], str]:
    """(kind, object id) -> pool code or `unassigned: <reason>`; each object once."""
    region = [sync.scopes(pools)[p.code] for p in pools]
    result = partition(objects, region, HOSTS, DECLARED)
    out: dict[tuple[str, str], str] = {}
    ids = {"servers": "server_id", "volumes": "volume_id", "snapshots": "snapshot_id",
           "ports": "port_id", "floating_ips": "fip_id", "security_groups": "group_id",
           "backends": "name", "volume_types": "type_id"}  # fmt: skip
    for code, share in result.shares.items():
        for kind, attr in ids.items():
            for record in getattr(share, kind):
                assert record.pool_code == code
                assert (kind, getattr(record, attr)) not in out, "placed twice"
                out[(kind, getattr(record, attr))] = code
    for u in result.unassigned:
        assert (u.cloud, u.region) == ("c", "r")
        assert (u.kind, u.object_id) not in out, "placed and unassigned"
        out[(u.kind, u.object_id)] = f"unassigned: {u.reason}"
    listed = {(k, getattr(r, a)) for k, a in ids.items() for r in getattr(objects, k)}
    assert set(out) == listed, "an object was lost"
    return out


@pytest.mark.parametrize(
    ("kind", "object_id", "expected"),
    [
        ("servers", "s-agg", "agg"),
        ("servers", "s-zone", "zone"),
        ("servers", "s-shelved", "agg"),  # no host: its project's one pool
        ("servers", "s-shelved-c", "unassigned: no host and its project has servers in pools"),
        ("servers", "s-stray", "unassigned: its host is in no pool's zone or aggregate (cn-9)"),
        ("volumes", "v-att", "zone"),  # follows its server
        ("volumes", "v-nova", "agg"),  # Cinder zone nova is no pool's: its project's pool
        ("volumes", "v-az2", "zone"),  # the zone rule before the project
        ("volumes", "v-orphan", "unassigned: unattached, its zone is no pool's, and its proj"),
        ("volumes", "v-on-stray", "unassigned: attached to a server that is unassigned"),
        ("volumes", "v-on-gone", "zone"),  # its server is gone: treated as unattached
        ("snapshots", "n-att", "zone"),
        ("snapshots", "n-orphan", "unassigned: its volume is unassigned"),
        ("snapshots", "n-gone", "zone"),  # volume deleted: its project's pool
        ("ports", "p-agg", "agg"),
        ("ports", "p-dhcp", "zone"),  # no server: its project's pool
        ("ports", "p-stray", "unassigned: its server is unassigned"),
        ("floating_ips", "f-agg", "agg"),
        ("floating_ips", "f-free-b", "zone"),
        ("floating_ips", "f-free-x", "unassigned: its project has no server in a pool"),
        ("floating_ips", "f-stray", "unassigned: its port is unassigned"),
        ("security_groups", "g-a", "agg"),
        ("security_groups", "g-d", "zone"),  # declared there by a department
        ("security_groups", "g-x", "unassigned: its project has no server in a pool"),
        ("backends", "h@fast#fast", "agg"),  # named by the pool
        ("backends", "h@slow#slow", "zone"),  # unclaimed: the pool that names none
        ("volume_types", "t-fast", "agg"),  # follows its backend
        ("volume_types", "t-slow", "zone"),
        ("volume_types", "t-any", "agg"),  # no backend: first pool by code, with a note
    ],
)
def test_zone_and_aggregate_pools_side_by_side(kind: str, object_id: str, expected: str) -> None:
    assert placed(SIDE_BY_SIDE)[(kind, object_id)].startswith(expected)


def test_a_type_without_backend_is_placed_once_and_said_so() -> None:
    region = [sync.scopes(SIDE_BY_SIDE)[p.code] for p in SIDE_BY_SIDE]
    notes = partition(OBJECTS, region, HOSTS, DECLARED).notes
    assert "volume type any has no backend: placed in pool agg" in notes
    # Cinder's own __DEFAULT__ type has no backend on most clouds: placed, not noted every sync
    default = VolumeType("", "t-default", "__DEFAULT__", None)
    objects = replace(OBJECTS, volume_types=[*OBJECTS.volume_types, default])
    placed_default = partition(objects, region, HOSTS, DECLARED)
    assert not [n for n in placed_default.notes if "__DEFAULT__" in n]
    names = [t.name for t in placed_default.shares["agg"].volume_types]
    assert names == ["fast", "any", "__DEFAULT__"]


def test_the_pool_taking_the_rest_of_the_region_takes_what_has_no_other_home() -> None:
    pools = [*SIDE_BY_SIDE, pool("rest")]
    got = placed(pools)
    assert got[("servers", "s-stray")] == "rest"  # cn-9 is in neither aggregate nor zone
    assert got[("servers", "s-shelved")] == "rest"  # its project is in agg and (s-stray) rest
    assert got[("servers", "s-shelved-c")] == "rest"  # its project is in two pools
    assert got[("volumes", "v-orphan")] == "rest"
    assert got[("volumes", "v-nova")] == "rest"  # zone rule: the rest of the region
    assert got[("floating_ips", "f-free-x")] == "rest"
    assert got[("volume_types", "t-any")] == "rest"
    assert not [v for v in got.values() if v.startswith("unassigned")]


def test_a_backend_no_pool_can_take_is_unassigned() -> None:
    pools = [pool("agg", agg="agg-1", storage_backends=("fast",)),
             pool("zone", az="az-2", storage_backends=("other",))]  # fmt: skip
    got = placed(pools)
    assert got[("backends", "h@slow#slow")] == (
        "unassigned: no pool's storage_backends names it (slow)"
    )
    assert got[("volume_types", "t-slow")] == "agg"  # a type lands somewhere, with a note


def test_several_pools_naming_no_backend_give_the_unclaimed_ones_to_one() -> None:
    pools = [pool("b-zone", az="az-2"), pool("a-agg", agg="agg-1"), pool("rest")]
    region = [sync.scopes(pools)[p.code] for p in pools]
    result = partition(OBJECTS, region, HOSTS, DECLARED)
    assert [b.name for b in result.shares["rest"].backends] == ["h@fast#fast", "h@slow#slow"]
    assert any("unclaimed backends go to rest" in n for n in result.notes)


def test_a_project_declared_in_one_pool_is_at_home_there_despite_its_servers() -> None:
    region = [sync.scopes(SIDE_BY_SIDE)[p.code] for p in SIDE_BY_SIDE]
    objects = RegionObjects(
        servers=[server("s1", "A", "cn-1"), server("s-shelved", "A", None)],
        security_groups=[SecurityGroup("", "g", "A", "default")],
    )
    result = partition(objects, region, HOSTS, {"A": frozenset({"zone", "elsewhere"})})
    assert [s.server_id for s in result.shares["zone"].servers] == ["s-shelved"]
    assert [g.group_id for g in result.shares["zone"].security_groups] == ["g"]


def test_a_server_without_host_follows_its_project_before_the_rest_of_the_region() -> None:
    objects = RegionObjects(
        servers=[server("s-zone", "B", "cn-2", "az-2"), server("s-err", "B", None),
                 server("s-err-x", "X", None), server("s-shelved", "B", None, "az-2")],
    )  # fmt: skip
    got = placed([*SIDE_BY_SIDE, pool("rest")], objects)
    assert got[("servers", "s-err")] == "zone"  # B's one pool, not the pool taking the rest
    assert got[("servers", "s-err-x")] == "rest"  # X is nowhere: the rest of the region
    assert got[("servers", "s-shelved")] == "zone"  # its zone


@pytest.mark.parametrize(
    ("named", "listed", "notes"),
    [
        (("ceph-ssd",), ["ceph-ssd", "ceph-hdd"], []),
        (("ceph-sdd",), ["ceph-ssd", "ceph-hdd"],
         ["pool zw-prod names storage backend 'ceph-sdd', which zw-region does not have"
          " (closest: ceph-ssd)"]),
        (("tape",), ["ceph-ssd", "ceph-hdd"],
         ["pool zw-prod names storage backend 'tape', which zw-region does not have"
          " (it has: ceph-hdd, ceph-ssd)"]),
        (("tape",), [], ["pool zw-prod names storage backend 'tape', which zw-region does not"
                         " have (it lists none)"]),
    ],
)  # fmt: skip
def test_a_storage_backend_the_region_does_not_have_is_named_with_the_closest(
    named: tuple[str, ...], listed: list[str], notes: list[str]
) -> None:
    pools = [replace(pool("zw-prod", storage_backends=named), region="zw-region"),
             replace(pool("zw-dev", az="az-2"), region="zw-region")]  # fmt: skip
    scopes = sync.scopes(pools)["zw-prod"].region_scopes
    got = unknown_backends(scopes, [backend(f"vol@{b}#{b}", b) for b in listed])
    assert got == notes


def test_sync_notes_a_mistyped_storage_backend_for_the_region() -> None:
    """The note reaches the region's listing (and each pool's), beside the real backend
    reported unassigned: the typo is named, not only its effect."""
    pools = [pool("agg", agg="agg-1", storage_backends=("fsat",)), pool("zone", az="az-2",
             storage_backends=("other",))]  # fmt: skip
    reader = _Region(pools=tuple(pools), backends_=[backend("v@fast#fast", "fast")])
    got = sync.collect_region(reader, lambda *a: None)
    typo = "pool agg names storage backend 'fsat', which r does not have (closest: fast)"
    assert typo in got.notes
    assert typo in got.pools["zone"].notes
    assert [(u.kind, u.object_id) for u in got.unassigned] == [("backends", "v@fast#fast")]


@dataclass
class _Region(FakeReader):
    backends_: list[StorageBackend] = field(default_factory=list)

    def backends(self) -> list[StorageBackend] | None:
        return list(self.backends_)
