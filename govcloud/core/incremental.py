"""Incremental sync: when to trust a listing of changes, and how changes meet the stored state.

A full sync lists every object of a region. An incremental one lists only what changed since a
watermark (Nova's `changes-since`, which also returns deleted servers; Cinder's `updated_at`
filter) and merges that into what the store holds, so that the region can be placed among its
pools whole again (`core.partition`): a resized or moved server, or a volume that follows it,
lands where a full sync would put it. Three rules keep it honest:

- the watermark is the cloud's time (a response's `Date`, else the newest `updated` listed),
  less an overlap for clock skew between the cloud's services: never the local clock;
- anything that makes the change listing doubtful (no watermark, a failed run, a clock that
  went back, an object newer than the cloud's own time, an answer that cannot be used) makes
  the run full, as does age: a full listing at least every `full_every`;
- a kind that is not listed whole in an incremental run removes nothing but what a change
  listing says is gone (deleted servers, their ports, volumes missing from Cinder's count).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from govcloud.core.models import Department, Port, Server, Unassigned, Volume
from govcloud.core.partition import RegionObjects, Share

if TYPE_CHECKING:
    from govcloud.core.sync import PoolScope, PoolSnapshot

OVERLAP = timedelta(minutes=5)  # skew between the cloud's API nodes and its database
FULL_EVERY = timedelta(hours=24)
# kinds an incremental run lists whole (small, or without a usable change filter): their
# stored unassigned objects are replaced, not carried over
LISTED_WHOLE = frozenset(
    {"snapshots", "floating_ips", "security_groups", "backends", "volume_types"}
)
# kinds an incremental run hands to the diff narrowed: only what is new, changed or moved
# between pools, with explicit removals (the rest of the stored kind is not read whole)
NARROWED = ("servers", "volumes", "ports")
# whole stored records of a kind by id, from any pool of the region
Fetch = Callable[[str, Collection[str]], Sequence[Any]]


class Untrusted(Exception):
    """The change listing cannot be trusted: the run must list everything."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LastRun:
    """A pool's newest finished sync run, as the store recorded it."""

    status: str
    watermark: datetime | None = None  # changes after it are not yet in the store
    full_at: datetime | None = None  # the cloud's time of the last complete listing
    layout: str | None = None  # `layout()` of the pools and departments it placed objects by


@dataclass(frozen=True)
class Mode:
    incremental: bool
    reason: str
    since: datetime | None = None  # incremental: list changes after this cloud time
    full_at: datetime | None = None  # incremental: the last full listing it builds on

    @property
    def name(self) -> str:
        return "incremental" if self.incremental else "full"


def layout(scopes: Sequence[PoolScope], departments: Sequence[Department]) -> str:
    """A digest of what placing depends on besides the cloud: the region's pools and the
    departments' project declarations. When it changes, stored placements (and unassigned
    objects) may be wrong for objects an incremental run does not list: list them all."""
    pools = sorted(
        (s.pool_code, s.availability_zone, s.aggregate, sorted(s.excluded_zones),
         sorted(s.excluded_aggregates), list(s.storage_backends))
        for s in scopes
    )  # fmt: skip
    codes = {s.pool_code for s in scopes}
    declared = sorted(
        (d.code, b.pool_code, b.project_id or "", b.project_name)
        for d in departments
        for b in d.projects
        if b.pool_code in codes
    )
    text = json.dumps([pools, declared], ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def decide(
    last: Mapping[str, LastRun | None],
    *,
    force_full: bool,
    full_every: timedelta,
    now: datetime,
    layout: str | None = None,
) -> Mode:
    """Full or incremental for one region. LAST: each pool of the region (all of them: the
    region is listed whole) -> its newest finished run. NOW: the local clock, used only to age
    the last full listing (a late full sync is the safe error). LAYOUT: `layout()` now."""
    if force_full:
        return Mode(False, "--full given")
    if not last:
        return Mode(False, "no pool of the region was synced before")
    for code, run in sorted(last.items()):
        if run is None:
            return Mode(False, f"pool {code} was never synced")
        if run.status != "ok":
            return Mode(False, f"the last sync of pool {code} failed")
        if run.watermark is None or run.full_at is None:
            return Mode(False, f"pool {code} has no trustworthy watermark")
        if layout is not None and run.layout != layout:
            return Mode(False, "the region's pools or department declarations changed")
    since = min(r.watermark for r in last.values() if r is not None and r.watermark)
    full_at = min(r.full_at for r in last.values() if r is not None and r.full_at)
    age = now - full_at
    if age >= full_every:
        return Mode(
            False, f"the last full listing is {_hours(age)} old (full every {_hours(full_every)})"
        )
    return Mode(True, f"changes since {since:%Y-%m-%d %H:%M:%S}Z", since, full_at)


def watermark(
    first_date: datetime | None,
    last_date: datetime | None,
    newest_updated: datetime | None,
    *,
    since: datetime | None = None,
    overlap: timedelta = OVERLAP,
) -> datetime:
    """The watermark after a listing: the cloud's time when it began (FIRST_DATE, the `Date`
    of its first response), else the newest `updated` listed, less OVERLAP. SINCE: an
    incremental run's own watermark (kept when nothing newer is known). Raises `Untrusted`
    when the cloud's clocks disagree beyond the overlap."""
    newest_date = last_date or first_date
    if newest_updated and newest_date and newest_updated > newest_date + overlap:
        raise Untrusted(
            f"clock skew: an object was updated at {newest_updated:%Y-%m-%d %H:%M:%S}Z,"
            f" after the cloud's own time {newest_date:%Y-%m-%d %H:%M:%S}Z"
        )
    if first_date is not None:
        mark = first_date - overlap
    elif newest_updated is not None:
        mark = newest_updated - overlap
        mark = max(mark, since) if since is not None else mark
    elif since is not None:
        return since  # nothing changed and no Date header: what was known still holds
    else:
        raise Untrusted("the cloud sent no Date header and listed nothing with a time")
    if since is not None and mark + overlap < since:
        raise Untrusted(
            f"the cloud's clock went back: {mark + overlap:%Y-%m-%d %H:%M:%S}Z is before the"
            f" last watermark {since:%Y-%m-%d %H:%M:%S}Z"
        )
    return mark


# --- changes meet the stored state ------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """What a change listing returned for one region."""

    servers: Sequence[Server] = ()  # changed (or new) and not deleted
    deleted_servers: frozenset[str] = frozenset()
    volumes: Sequence[Volume] = ()  # changed (or new)
    volume_zones: Mapping[str, str | None] = field(default_factory=dict)
    # every live volume id when the count of volumes did not match (deletions): None when
    # the merged volumes are known to be all of them
    volume_ids: frozenset[str] | None = None
    ports: Sequence[Port] = ()  # the ports of the changed and deleted servers
    port_devices: frozenset[str] = frozenset()  # the servers whose ports were listed

    def touched(
        self, stored: RegionObjects, listed: RegionObjects | None = None
    ) -> dict[str, frozenset[str]]:
        """Service (compute, volume, network) -> the projects whose quota usage in it a change
        may have moved, so that only those quota sets are read again:

        - compute: new, deleted, resized or moved servers (a host or zone change moves
          Placement allocations between pools; shelving drops the host);
        - volume: new, deleted, resized or retyped volumes, new, gone or resized snapshots;
        - network: ports that appeared or went with the servers listed again, floating IPs
          and security groups that appeared, went or changed.

        A server only stopped or started, or a volume only attached, moves none (Nova and
        Cinder count usage whatever the state). Deleted objects count by their stored record:
        Nova's deleted entries may omit the project. LISTED: the kinds listed whole this run
        (snapshots, floating IPs, security groups), compared with the stored ones."""
        servers = {s.server_id: s for s in stored.servers}
        volumes = {v.volume_id: v for v in stored.volumes}
        compute = {servers[s].project_id for s in self.deleted_servers if s in servers}
        for s in self.servers:
            old = servers.get(s.server_id)
            if old is None or _server_weight(old) != _server_weight(s):
                compute.add(s.project_id)
                compute.update([old.project_id] if old else [])
        volume: set[str] = set()
        for v in self.volumes:
            before = volumes.get(v.volume_id)
            if before is None or _volume_weight(before) != _volume_weight(v):
                volume.add(v.project_id)
                volume.update([before.project_id] if before else [])
        if self.volume_ids is not None:
            volume.update(v.project_id for k, v in volumes.items() if k not in self.volume_ids)
        relisted = self.port_devices | self.deleted_servers
        before_ports = [p for p in stored.ports if (p.device_id or "") in relisted]
        network = _moved(before_ports, self.ports, lambda p: p.port_id, lambda p: p.fixed_ips)
        if listed is not None:
            volume |= _moved(stored.snapshots, listed.snapshots, lambda n: n.snapshot_id,
                             lambda n: n.size_gib)  # fmt: skip
            network |= _moved(stored.floating_ips, listed.floating_ips, lambda f: f.fip_id,
                              lambda f: f.port_id)  # fmt: skip
            network |= _moved(stored.security_groups, listed.security_groups,
                              lambda g: g.group_id, lambda g: len(g.rules))  # fmt: skip
        return {"compute": frozenset(compute), "volume": frozenset(volume),
                "network": frozenset(network)}  # fmt: skip

    def touched_projects(self, stored: RegionObjects) -> frozenset[str]:
        """Every project `touched` names, whatever the service."""
        return frozenset().union(*self.touched(stored).values())


def _moved(
    before: Iterable[Any],
    after: Iterable[Any],
    key: Callable[[Any], str],
    weight: Callable[[Any], object],
) -> set[str]:
    """Projects of the records that appeared, went, or whose WEIGHT changed (what a quota
    counts) between BEFORE and AFTER."""
    old = {key(r): r for r in before}
    new = {key(r): r for r in after}
    out = {r.project_id for k, r in old.items() if k not in new}
    for k, r in new.items():
        o = old.get(k)
        if o is None or weight(o) != weight(r) or o.project_id != r.project_id:
            out.add(r.project_id)
            out.update([o.project_id] if o is not None else [])
    return out


def _server_weight(s: Server) -> tuple[object, ...]:
    return (s.project_id, s.vcpus, s.ram_mib, s.disk_gib, s.flavor_name, s.host,
            s.availability_zone)  # fmt: skip


def _volume_weight(v: Volume) -> tuple[object, ...]:
    return (v.project_id, v.size_gib, v.volume_type)


def stored_objects(
    snapshots: Mapping[str, PoolSnapshot], scopes: Sequence[PoolScope]
) -> RegionObjects:
    """The region as the store holds it (every pool's live records). Stored volumes keep no
    Cinder zone: a volume in a zone pool gets that pool's zone, so that placing it again puts
    it where it was unless what it follows moved."""
    zone_of = {s.pool_code: s.availability_zone for s in scopes}
    servers: list[Server] = []
    volumes: list[Volume] = []
    ports: list[Port] = []
    out = RegionObjects()
    for code, snap in sorted(snapshots.items()):
        servers.extend(snap.servers)
        volumes.extend(snap.volumes)
        ports.extend(snap.ports)
        out = replace(
            out,
            snapshots=(*out.snapshots, *snap.snapshots),
            floating_ips=(*out.floating_ips, *snap.floating_ips),
            security_groups=(*out.security_groups, *snap.security_groups),
            backends=(*out.backends, *snap.backends),
            volume_types=(*out.volume_types, *snap.volume_types),
        )
        del code
    zones = {v.volume_id: zone_of.get(v.pool_code) for v in volumes}
    return replace(out, servers=servers, volumes=volumes, ports=ports, volume_zones=zones)


def merge(stored: RegionObjects, changes: Changes) -> RegionObjects:
    """STORED with CHANGES laid over it: the region's servers, volumes and ports as a full
    listing would have returned them, if the change listing was complete."""
    changed = {s.server_id for s in changes.servers}
    servers = [
        s
        for s in stored.servers
        if s.server_id not in changed and s.server_id not in changes.deleted_servers
    ]
    servers += changes.servers
    fresh = {v.volume_id for v in changes.volumes}
    volumes = [v for v in stored.volumes if v.volume_id not in fresh]
    if changes.volume_ids is not None:
        volumes = [v for v in volumes if v.volume_id in changes.volume_ids]
    volumes += changes.volumes
    zones = {**stored.volume_zones, **changes.volume_zones}
    relisted = changes.port_devices | changes.deleted_servers
    listed_ports = {p.port_id for p in changes.ports}
    ports = [
        p
        for p in stored.ports
        if p.port_id not in listed_ports and (p.device_id or "") not in relisted
    ]
    ports += changes.ports
    return replace(
        stored,
        servers=servers,
        volumes=volumes,
        volume_zones={v.volume_id: zones.get(v.volume_id) for v in volumes},
        ports=ports,
    )


def carried_unassigned(stored: Iterable[Unassigned], changes: Changes) -> list[Unassigned]:
    """The stored unassigned objects an incremental run keeps: those it did not list again
    (placing them needs their records, which only a full listing has). Whatever was listed
    again, or is gone, is placed (or reported) afresh."""
    relisted: dict[str, set[str]] = {
        "servers": {s.server_id for s in changes.servers} | set(changes.deleted_servers),
        "volumes": {v.volume_id for v in changes.volumes},
        "ports": {p.port_id for p in changes.ports},
    }
    out = []
    for u in stored:
        if u.kind in LISTED_WHOLE or u.object_id in relisted.get(u.kind, set()):
            continue
        gone = changes.volume_ids is not None and u.object_id not in changes.volume_ids
        if u.kind == "volumes" and gone:
            continue
        out.append(u)
    return out


def newest_update(servers: Iterable[Server], volumes: Iterable[Volume]) -> datetime | None:
    """The newest `updated` among what a listing returned."""
    times = [s.updated_at for s in servers if s.updated_at] + [
        v.updated_at for v in volumes if v.updated_at
    ]
    return max(times) if times else None


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} min"


# --- only what moved reaches the diff ---------------------------------------------------------


@dataclass(frozen=True)
class Narrowed:
    """Each pool's share of the narrowed kinds cut to what the diff must see."""

    shares: dict[str, Share]  # records new, changed or moved into the pool; other kinds whole
    removed: dict[str, dict[str, tuple[str, ...]]]  # pool -> kind -> stored ids it no longer has
    held: dict[str, dict[str, int]]  # pool -> kind -> how many it holds after the run
    # projects with a server or volume in a pool that held none of theirs: new to the pool,
    # which then needs all their quota sets (a project's rows are kept per pool knowing it)
    arrived: frozenset[str] = frozenset()


def narrow(
    shares: Mapping[str, Share],
    stored: RegionObjects,
    fresh: Mapping[str, frozenset[str]],
    fetch: Fetch | None,
) -> Narrowed:
    """SHARES (placed from STORED with the changes laid over it) as the diff needs them. A
    record placing left untouched is the very object STORED holds: it is dropped, and its
    row stays as it is. What is left is new, changed or moved between pools; a stored record
    among it that the cloud did not list again (FRESH: kind -> ids listed this run) may be a
    light one (only what placing needs) and is read whole through FETCH, keeping where it
    now goes and, for a server, its addresses. FETCH None: STORED holds whole records.
    Raises `Untrusted` when the store cannot give a record back."""
    out = {code: replace(share) for code, share in shares.items()}
    removed: dict[str, dict[str, tuple[str, ...]]] = {code: {} for code in shares}
    held: dict[str, dict[str, int]] = {code: {} for code in shares}
    arrived: set[str] = set()
    held_by = {(s.project_id, s.pool_code) for s in stored.servers}
    held_by |= {(v.project_id, v.pool_code) for v in stored.volumes}
    for kind in NARROWED:
        key = _KEYS[kind]
        before = {key(r): r for r in getattr(stored, kind)}
        was_in: dict[str, list[str]] = {}
        for k, r in before.items():
            was_in.setdefault(r.pool_code, []).append(k)
        light: list[tuple[str, Any]] = []
        for code, share in shares.items():
            records = getattr(share, kind)
            held[code][kind] = len(records)
            here = {key(r) for r in records}
            removed[code][kind] = tuple(k for k in was_in.get(code, ()) if k not in here)
            kept = [r for r in records if before.get(key(r)) is not r]
            setattr(out[code], kind, kept)
            if kind != "ports":
                arrived.update(r.project_id for r in kept if (r.project_id, code) not in held_by)
            light += [(code, r) for r in kept if key(r) in before and key(r) not in fresh[kind]]
        if fetch is None or not light:
            continue
        whole = {key(r): r for r in fetch(kind, [key(r) for _, r in light])}
        if len(whole) < len(light):
            raise Untrusted(f"the store gave back {len(whole)} of {len(light)} stored {kind}")
        by_id = {key(r): _whole(r, whole[key(r)]) for _, r in light}
        for code in {c for c, _ in light}:
            setattr(out[code], kind, [by_id.get(key(r), r) for r in getattr(out[code], kind)])
    return Narrowed(out, removed, held, frozenset(arrived))


def _whole(light: Any, whole: Any) -> Any:
    """WHOLE where placing put LIGHT (and, for a server, with the addresses it now has)."""
    if isinstance(light, Server):
        return replace(whole, pool_code=light.pool_code, addresses=light.addresses)
    return replace(whole, pool_code=light.pool_code)


_KEYS: dict[str, Callable[[Any], str]] = {
    "servers": lambda s: s.server_id,
    "volumes": lambda v: v.volume_id,
    "ports": lambda p: p.port_id,
}
