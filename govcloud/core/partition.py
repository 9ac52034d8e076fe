"""What a region lists, placed among its pools: every object in exactly one pool, or unassigned.

A region is read once; this module decides where each object goes. The rules, in order:

- a server goes to the pool whose zone or aggregate holds it (aggregate pools first, then zone
  pools, then the pool that takes the rest of the region); a server without a host
  (SHELVED_OFFLOADED, unscheduled ERROR) goes to the pool of its zone, else follows its
  project's home pool;
- a volume follows the server it is attached to, else the zone rule, else its project's home;
- a snapshot follows its volume, else (volume deleted) its project's home;
- a port follows its server (`device_id`), else its project's home;
- a floating IP follows its port, else its project's home;
- a security group goes to its project's home;
- a Cinder backend goes to the pool that names it in `storage_backends`, else to the pool
  that names none (the region's unclaimed backends); a volume type follows its backend.

A project's home is the one pool of the region a department declares it in, else the one pool
holding its hosted servers, else the pool taking the rest of the region. What no rule places is
`Unassigned`, with the reason: reported and stored, never dropped.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from govcloud.core.models import (
    FloatingIp,
    Port,
    SecurityGroup,
    Server,
    Snapshot,
    StorageBackend,
    Unassigned,
    Volume,
    VolumeType,
)

if TYPE_CHECKING:
    from govcloud.core.sync import PoolScope

CINDER_DEFAULT_TYPE = "__DEFAULT__"  # created by Cinder itself, with no backend


@dataclass(frozen=True)
class RegionObjects:
    """Everything one region listed, not yet placed (records carry any pool code)."""

    servers: Sequence[Server] = ()
    volumes: Sequence[Volume] = ()
    snapshots: Sequence[Snapshot] = ()
    ports: Sequence[Port] = ()
    floating_ips: Sequence[FloatingIp] = ()
    security_groups: Sequence[SecurityGroup] = ()
    backends: Sequence[StorageBackend] = ()
    volume_types: Sequence[VolumeType] = ()
    # Cinder's availability zone of each volume (a Cinder zone, often `nova`, not Nova's):
    # kept out of `Volume`, which the store holds, because only placing needs it
    volume_zones: Mapping[str, str | None] = field(default_factory=dict)


@dataclass
class Share:
    """What one pool takes of its region, records carrying the pool's code."""

    servers: list[Server] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)
    floating_ips: list[FloatingIp] = field(default_factory=list)
    security_groups: list[SecurityGroup] = field(default_factory=list)
    backends: list[StorageBackend] = field(default_factory=list)
    volume_types: list[VolumeType] = field(default_factory=list)


@dataclass(frozen=True)
class Partition:
    shares: dict[str, Share]
    unassigned: tuple[Unassigned, ...] = ()
    notes: tuple[str, ...] = ()


def partition(
    objects: RegionObjects,
    scopes: Sequence[PoolScope],
    hosts: Mapping[str, frozenset[str]],
    declared: Mapping[str, frozenset[str]],
) -> Partition:
    """Place OBJECTS among the pools of one region (SCOPES, all of them, not only those being
    synced). HOSTS: aggregate name -> its hosts. DECLARED: project id -> the pools departments
    declare it in."""
    return _Placer(scopes, hosts, declared).run(objects)


class _Placer:
    def __init__(
        self,
        scopes: Sequence[PoolScope],
        hosts: Mapping[str, frozenset[str]],
        declared: Mapping[str, frozenset[str]],
    ) -> None:
        # most specific first: an aggregate names hosts, a zone a set of aggregates
        self.order = sorted(scopes, key=lambda s: (_rank(s), s.pool_code))
        self.codes = {s.pool_code for s in scopes}
        self.hosts = hosts
        self.declared = {p: frozenset(c & self.codes) for p, c in declared.items()}
        rest = [s for s in self.order if not s.filtered]
        self.rest = rest[0].pool_code if rest else None
        self.shares = {s.pool_code: Share() for s in scopes}
        self.unassigned: list[Unassigned] = []
        self.notes: list[str] = []
        if len(rest) > 1:
            self.notes.append(
                f"pools {', '.join(s.pool_code for s in rest)} all take the rest of the region:"
                f" {self.rest} takes it"
            )
        first = scopes[0] if scopes else None
        self.cloud = first.cloud if first else ""
        self.region = first.region if first else ""
        self.server_pool: dict[str, str | None] = {}
        self.volume_pool: dict[str, str | None] = {}
        self.port_pool: dict[str, str | None] = {}
        self.occupied: dict[str, set[str]] = {}

    def run(self, o: RegionObjects) -> Partition:
        self._servers(o.servers)
        self._volumes(o.volumes, o.volume_zones)
        self._snapshots(o.snapshots)
        self._ports(o.ports)
        self._floating_ips(o.floating_ips)
        for g in o.security_groups:
            self._place(
                "security_groups", g, g.group_id, g.name, g.project_id, *self._home(g.project_id)
            )
        self._storage(o.backends, o.volume_types)
        return Partition(self.shares, tuple(self.unassigned), tuple(self.notes))

    # --- kinds -----------------------------------------------------------------------------

    def _servers(self, servers: Iterable[Server]) -> None:
        hostless = []
        for s in servers:
            if s.host is None:
                # only a zone places a server without a host: the pool taking the rest of the
                # region would take every one of them, whatever its project
                code = self._zone_pool(s.availability_zone)
                if code is None:
                    hostless.append(s)
                    continue
            else:
                code = self._scope_of(s.availability_zone, s.host)
                if code is not None:
                    self.occupied.setdefault(s.project_id, set()).add(code)
            why = f"its host is in no pool's zone or aggregate ({s.host})"
            self.server_pool[s.server_id] = self._place(
                "servers", s, s.server_id, s.name, s.project_id, code, why
            )
        for s in hostless:  # after the hosted ones: they make the projects' homes
            code, why = self._home(s.project_id)
            self.server_pool[s.server_id] = self._place(
                "servers", s, s.server_id, s.name, s.project_id, code, f"no host and {why}"
            )

    def _volumes(self, volumes: Iterable[Volume], zones: Mapping[str, str | None]) -> None:
        for v in volumes:
            server = v.attached_server_id
            if server in self.server_pool:
                code = self.server_pool[server]
                why = "attached to a server that is unassigned"
            else:
                zone = zones.get(v.volume_id)
                code, why = self._zone_of(zone), ""
                if code is None:
                    code, why = self._home(v.project_id)
                    why = f"unattached, its zone is no pool's, and {why} (zone {zone})"
            self.volume_pool[v.volume_id] = self._place(
                "volumes", v, v.volume_id, v.name, v.project_id, code, why
            )

    def _snapshots(self, snapshots: Iterable[Snapshot]) -> None:
        for s in snapshots:
            if s.volume_id in self.volume_pool:
                code = self.volume_pool[s.volume_id]
                why = "its volume is unassigned"
            else:
                code, why = self._home(s.project_id)
            self._place("snapshots", s, s.snapshot_id, s.name, s.project_id, code, why)

    def _ports(self, ports: Iterable[Port]) -> None:
        for p in ports:
            if p.device_id and p.device_id in self.server_pool:
                code = self.server_pool[p.device_id]
                why = "its server is unassigned"
            else:
                code, why = self._home(p.project_id)
            self.port_pool[p.port_id] = self._place(
                "ports", p, p.port_id, p.fixed_ips[0] if p.fixed_ips else "", p.project_id,
                code, why,
            )  # fmt: skip

    def _floating_ips(self, fips: Iterable[FloatingIp]) -> None:
        for f in fips:
            if f.port_id and f.port_id in self.port_pool:
                code = self.port_pool[f.port_id]
                why = "its port is unassigned"
            elif f.server_id and f.server_id in self.server_pool:
                code = self.server_pool[f.server_id]
                why = "its server is unassigned"
            else:
                code, why = self._home(f.project_id)
            self._place("floating_ips", f, f.fip_id, f.address, f.project_id, code, why)

    def _storage(self, backends: Iterable[StorageBackend], types: Iterable[VolumeType]) -> None:
        claims: dict[str, str] = {}
        for s in sorted(self.order, key=lambda s: s.pool_code):
            for name in s.storage_backends:
                if name in claims:
                    self.notes.append(
                        f"backend {name} is named by pools {claims[name]} and {s.pool_code}:"
                        f" {claims[name]} takes it"
                    )
                claims.setdefault(name, s.pool_code)
        open_pools = [s for s in self.order if not s.storage_backends]
        taker = self._default(open_pools)
        if taker is not None and len(open_pools) > 1:
            self.notes.append(
                f"pools {', '.join(sorted(s.pool_code for s in open_pools))} name no storage"
                f" backends: the region's unclaimed backends go to {taker}"
            )
        by_name: dict[str, str | None] = {}
        for b in backends:
            code = claims.get(b.backend_name or "", taker)
            why = f"no pool's storage_backends names it ({b.backend_name or b.name})"
            placed = self._place("backends", b, b.name, b.backend_name or "", "", code, why)
            if b.backend_name:
                by_name.setdefault(b.backend_name, placed)
        fallback = self._default(self.order)
        for t in types:
            backend = t.backend_name
            code = by_name.get(backend) if backend else None
            code = code or (claims.get(backend) if backend else None)
            if code is None and fallback is not None:
                code = fallback
                what = f"backend {backend}, which no pool holds" if backend else "no backend"
                if backend or t.name != CINDER_DEFAULT_TYPE:  # Cinder's own: routine, unsaid
                    self.notes.append(f"volume type {t.name} has {what}: placed in pool {code}")
            self._place("volume_types", t, t.type_id, t.name, "", code, "the region has no pools")

    # --- rules -----------------------------------------------------------------------------

    def _scope_of(self, zone: str | None, host: str | None) -> str | None:
        for s in self.order:
            if in_scope(s, zone, host, self.hosts):
                return s.pool_code
        return None

    def _zone_pool(self, zone: str | None) -> str | None:
        for s in self.order:
            if s.availability_zone and s.availability_zone == zone:
                return s.pool_code
        return None

    def _zone_of(self, zone: str | None) -> str | None:
        """An unattached volume's pool by its (Cinder) zone: a zone pool of that name, else the
        pool taking the rest of the region."""
        return self._zone_pool(zone) or self.rest

    def _home(self, project_id: str) -> tuple[str | None, str]:
        """The project's one home pool in the region, or None and why not (reasons name no
        object, so that they count by kind and reason)."""
        declared = self.declared.get(project_id, frozenset())
        if len(declared) == 1:
            return next(iter(declared)), ""
        occupied = self.occupied.get(project_id, set())
        if len(occupied) == 1 and (not declared or occupied <= declared):
            return next(iter(occupied)), ""
        if self.rest is not None:
            return self.rest, ""
        if len(declared) > 1:
            return None, f"its project is declared in pools {_names(declared)}"
        if len(occupied) > 1:
            return None, f"its project has servers in pools {_names(occupied)}"
        return None, "its project has no server in a pool and no department declares it"

    def _default(self, scopes: Sequence[PoolScope]) -> str | None:
        """The one pool of SCOPES a region-wide object goes to: the unfiltered one, else the
        first by code."""
        if not scopes:
            return None
        rest = [s for s in scopes if not s.filtered]
        return (rest or sorted(scopes, key=lambda s: s.pool_code))[0].pool_code

    def _place(
        self,
        kind: str,
        record: Any,
        object_id: str,
        name: str,
        project_id: str,
        code: str | None,
        why: str,
    ) -> str | None:
        if code is None:
            self.unassigned.append(
                Unassigned(self.cloud, self.region, kind, object_id, name, project_id, why)
            )
            return None
        # stored records (incremental runs) mostly carry their pool already: no copy for them
        same = record.pool_code == code
        getattr(self.shares[code], kind).append(record if same else replace(record, pool_code=code))
        return code


def unknown_backends(scopes: Sequence[PoolScope], backends: Iterable[StorageBackend]) -> list[str]:
    """A note for each backend a pool's `storage_backends` names that the region's listed
    BACKENDS do not have (a typo in pools.yaml would otherwise only show the real backend as
    unassigned), with the closest name the region has. Call it only with a complete listing."""
    have = sorted({b.backend_name for b in backends if b.backend_name})
    notes = []
    for s in sorted(scopes, key=lambda s: s.pool_code):
        for name in s.storage_backends:
            if name in have:
                continue
            close = difflib.get_close_matches(name, have, n=1, cutoff=0.5)
            hint = (f"closest: {close[0]}" if close
                    else f"it has: {', '.join(have)}" if have else "it lists none")  # fmt: skip
            notes.append(
                f"pool {s.pool_code} names storage backend {name!r}, which {s.region} does not"
                f" have ({hint})"
            )
    return notes


def in_scope(
    scope: PoolScope, zone: str | None, host: str | None, hosts: Mapping[str, frozenset[str]]
) -> bool:
    """Does a server in ZONE on HOST belong to the pool? HOSTS: aggregate name -> its hosts."""
    if scope.availability_zone:
        return zone == scope.availability_zone
    if scope.aggregate:
        return host is not None and host in hosts.get(scope.aggregate, frozenset())
    if zone is not None and zone in scope.excluded_zones:
        return False
    return not any(host in hosts.get(a, frozenset()) for a in scope.excluded_aggregates)


def reason_group(reason: str) -> str:
    """A reason without its detail in trailing parentheses: what unassigned objects are
    counted by."""
    head, sep, _ = reason.rpartition(" (")
    return head if sep and reason.endswith(")") else reason


def _rank(scope: PoolScope) -> int:
    return 0 if scope.aggregate else 1 if scope.availability_zone else 2


def _names(codes: Iterable[str]) -> str:
    return ", ".join(sorted(codes))
