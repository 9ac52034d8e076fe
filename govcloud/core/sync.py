"""Sync: what a pool holds in OpenStack against what the store holds, as added/changed/removed.

The cloud is read through the `CloudReader` port (an adapter implements it over HTTP); this
module only decides. Two rules carry the weight:

- nothing is removed unless its listing completed (a failed or skipped listing proves nothing);
- a second sync with no change in the cloud changes nothing (records compare by value).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Generic, Protocol, TypeVar, runtime_checkable

from govcloud.core.address_capacity import PUBLIC_IPV4
from govcloud.core.incremental import (
    NARROWED,
    Changes,
    Fetch,
    Untrusted,
    carried_unassigned,
    merge,
    narrow,
    newest_update,
)
from govcloud.core.models import (
    CapacityRecord,
    Department,
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
    TypeQuotaUsage,
    Unassigned,
    Volume,
    VolumeType,
)
from govcloud.core.partition import (
    RegionObjects,
    Share,
    in_scope,
    partition,
    unknown_backends,
)

__all__ = ["in_scope"]  # where the scope rule lived first: readers and tests import it here

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

KINDS = (
    "projects",
    "flavors",
    "servers",
    "volumes",
    "snapshots",
    "quotas",
    "capacity",
    "backends",
    "volume_types",
    "type_quotas",
    "ports",
    "floating_ips",
    "security_groups",
    "allocations",
)
# the kinds a service's listing makes complete: a quota row of that service may only be
# removed when they are (a skipped Neutron proves nothing about network quotas)
SERVICE_KINDS = {"compute": "servers", "volume": "volumes", "network": "ports"}
SYSTEM_CODE_MAX = 64


# --- the port ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolScope:
    """Which part of a cloud region is this pool.

    A pool with an availability zone or host aggregate takes what is in it; a pool without one
    takes the rest of its region, minus what sibling pools in the same region claim. SIBLINGS:
    the other pools of the region (without their own siblings), so that one scope names the
    whole region a reader lists once.
    """

    pool_code: str
    cloud: str
    region: str
    availability_zone: str | None = None
    aggregate: str | None = None
    excluded_zones: frozenset[str] = frozenset()
    excluded_aggregates: frozenset[str] = frozenset()
    storage_backends: tuple[str, ...] = ()
    siblings: tuple[PoolScope, ...] = ()

    @property
    def filtered(self) -> bool:
        return bool(self.availability_zone or self.aggregate)

    @property
    def region_scopes(self) -> tuple[PoolScope, ...]:
        """Every pool of the region, by code."""
        own = replace(self, siblings=())
        return tuple(sorted((own, *self.siblings), key=lambda s: s.pool_code))


@dataclass(frozen=True)
class ServerPage:
    """Servers of a complete listing, with the duplicates the pagination produced."""

    servers: tuple[Server, ...]
    duplicates: int = 0


@dataclass(frozen=True)
class VolumePage:
    """Volumes of a complete listing, with each one's Cinder availability zone."""

    volumes: tuple[Volume, ...]
    zones: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class QuotaListing:
    """Quota sets of the projects asked for: the per-type Cinder keys kept apart."""

    quotas: tuple[QuotaUsage, ...] = ()
    type_quotas: tuple[TypeQuotaUsage, ...] = ()
    # services asked for whose quotas could not be read (an extension the cloud lacks)
    skipped: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()


class Progress(Protocol):
    def __call__(self, pool_code: str, stage: str, done: int) -> None: ...


class CloudReader(Protocol):
    """One region of one cloud, read-only, listed once for all its pools.

    Records carry any pool code (`collect_region` places them). Each method returns a complete
    listing or raises `CloudError` naming the call; None says the service is not in the catalog
    or the cloud lacks the extension (404): the kind is not synced, nothing of it is removed.
    """

    @property
    def scopes(self) -> tuple[PoolScope, ...]:
        """The pools of the region (all of them, whichever are being synced)."""

    def projects(self) -> list[Project]: ...

    def flavors(self) -> list[Flavor]: ...

    def aggregate_hosts(self) -> dict[str, frozenset[str]]:
        """Nova aggregate name -> its hosts."""

    def servers(self, on_page: Callable[[int], None]) -> ServerPage: ...

    def volumes(self) -> VolumePage | None: ...

    def snapshots(self) -> list[Snapshot] | None: ...

    def backends(self) -> list[StorageBackend] | None: ...

    def volume_types(self) -> list[VolumeType] | None: ...

    def ports(self) -> list[Port] | None: ...

    def floating_ips(self) -> list[FloatingIp] | None: ...

    def security_groups(self) -> list[SecurityGroup] | None: ...

    def quotas(self, project_ids: Sequence[str], services: frozenset[str]) -> QuotaListing:
        """SERVICES: which of compute, volume, network to ask."""

    def capacity(self, scope: PoolScope) -> list[CapacityRecord]: ...

    def allocations(
        self, scope: PoolScope, consumers: Mapping[str, str]
    ) -> list[ProjectAllocation] | None:
        """What each project's consumers hold in the scope's providers. CONSUMERS: server id ->
        project id (others are looked up)."""


@dataclass(frozen=True)
class ChangedServers:
    """What Nova's `changes-since` returned: servers changed since, and those deleted."""

    servers: tuple[Server, ...] = ()
    deleted: frozenset[str] = frozenset()
    duplicates: int = 0


@runtime_checkable
class ChangeReader(CloudReader, Protocol):
    """A reader that can also list what changed since a time of the cloud's clock."""

    def changed_servers(self, since: datetime, on_page: Callable[[int], None]) -> ChangedServers:
        """Raises `core.incremental.Untrusted` when the answer cannot be used."""

    def changed_volumes(self, since: datetime) -> VolumePage | None:
        """None when the cloud would ignore the filter (the caller lists every volume)."""

    def volume_count(self) -> int | None:
        """How many volumes the region has; None when the cloud cannot say in one call."""

    def volume_ids(self) -> frozenset[str]: ...

    def ports_of(self, server_ids: Collection[str]) -> list[Port] | None: ...

    def project_usages(self, project_ids: Sequence[str]) -> dict[str, tuple[int, int, int]] | None:
        """Placement's region-wide usage of each project (VCPU, MEMORY_MB, DISK_GB); None
        when Placement cannot say (the allocations then wait for a full sync)."""

    def clock(self) -> tuple[datetime | None, datetime | None]:
        """The cloud's time at the first and the newest response so far (`Date` headers)."""

    @property
    def calls(self) -> int:
        """HTTP requests sent so far."""


@dataclass(frozen=True)
class Incremental:
    """An incremental run's starting point: the watermark and the region as stored."""

    since: datetime
    stored: RegionObjects
    unassigned: tuple[Unassigned, ...] = ()
    # whole stored records by id: STORED's servers, volumes and ports may be light (only
    # what placing needs); None when they are whole
    fetch: Fetch | None = None


@dataclass(frozen=True)
class PoolListing:
    pool_code: str
    projects: tuple[Project, ...] = ()
    flavors: tuple[Flavor, ...] = ()
    servers: tuple[Server, ...] = ()
    volumes: tuple[Volume, ...] = ()
    quotas: tuple[QuotaUsage, ...] = ()
    capacity: tuple[CapacityRecord, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    backends: tuple[StorageBackend, ...] = ()
    volume_types: tuple[VolumeType, ...] = ()
    type_quotas: tuple[TypeQuotaUsage, ...] = ()
    ports: tuple[Port, ...] = ()
    floating_ips: tuple[FloatingIp, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    allocations: tuple[ProjectAllocation, ...] = ()
    complete: frozenset[str] = frozenset(KINDS)
    duplicates: int = 0
    notes: tuple[str, ...] = ()
    # services whose quotas were not read although the service is there: none of their
    # quota rows is removed
    quota_skipped: frozenset[str] = frozenset()
    # a kind listed only in part (incremental: what is new, changed or moved into the pool):
    # the stored ids it removes, and how many the pool holds after the run
    removed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    held: Mapping[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        """How many of KIND the pool holds (whether listed whole or in part)."""
        return self.held.get(kind, len(getattr(self, kind)))


@dataclass(frozen=True)
class RegionListing:
    """One region's listing placed among its pools, and what no pool took."""

    cloud: str
    region: str
    pools: dict[str, PoolListing]
    unassigned: tuple[Unassigned, ...] = ()
    complete: frozenset[str] = frozenset(KINDS)
    notes: tuple[str, ...] = ()
    newest_update: datetime | None = None  # of the servers and volumes listed
    # incremental runs: the projects whose quotas (of some service) were read again
    touched: frozenset[str] | None = None


def scopes(pools: Sequence[Pool]) -> dict[str, PoolScope]:
    """Each pool's scope; unfiltered pools give up what filtered siblings in the region claim."""
    alone: dict[str, PoolScope] = {}
    for p in pools:
        siblings = [
            s for s in pools if s.code != p.code and (s.cloud, s.region) == (p.cloud, p.region)
        ]
        filtered = bool(p.availability_zone or p.aggregate)
        alone[p.code] = PoolScope(
            pool_code=p.code,
            cloud=p.cloud,
            region=p.region,
            availability_zone=p.availability_zone,
            aggregate=p.aggregate,
            excluded_zones=frozenset()
            if filtered
            else frozenset(s.availability_zone for s in siblings if s.availability_zone),
            excluded_aggregates=frozenset()
            if filtered
            else frozenset(s.aggregate for s in siblings if s.aggregate),
            storage_backends=tuple(p.storage_backends),
        )
    return {
        code: replace(
            scope,
            siblings=tuple(
                alone[p.code]
                for p in pools
                if p.code != code and (p.cloud, p.region) == (scope.cloud, scope.region)
            ),
        )
        for code, scope in alone.items()
    }


def system_code_from(metadata: Mapping[str, object] | None, key: str) -> str | None:
    """The business system a server declares in its metadata, if it declares a usable one."""
    value = (metadata or {}).get(key)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if 0 < len(value) <= SYSTEM_CODE_MAX else None


def collect(
    reader: CloudReader,
    pool_code: str,
    progress: Progress,
    departments: Sequence[Department] = (),
) -> PoolListing:
    """One pool's share of its region (the region is read whole: see `collect_region`)."""
    return collect_region(reader, progress, departments, only=(pool_code,)).pools[pool_code]


def collect_region(
    reader: CloudReader,
    progress: Progress,
    departments: Sequence[Department] = (),
    only: Collection[str] | None = None,
    incremental: Incremental | None = None,
) -> RegionListing:
    """Everything the store keeps about the pools of one region, each listing complete or an
    exception, placed so that each object lands in one pool or in the unassigned list.

    The region is read once whatever pools are synced (placing needs all of it); ONLY limits
    the per-pool reads (quotas, capacity, allocations) and listings to those pools. Quotas are
    read once per project that matters to a pool: declared there by a department or holding
    servers or volumes there (not every project of a shared Keystone).

    INCREMENTAL (READER must be a `ChangeReader`): servers and volumes changed since its
    watermark are laid over the stored region, and quotas are read for the projects the
    changes touch only; raises `Untrusted` when the change listing cannot be used.
    """
    region_scopes = reader.scopes
    first = region_scopes[0]
    label = f"{first.cloud}/{first.region}"
    progress(label, "projects", 0)
    aggregates = any(s.aggregate or s.excluded_aggregates for s in region_scopes)
    if incremental is None:
        projects = reader.projects()
        flavors = reader.flavors()
        hosts = reader.aggregate_hosts() if aggregates else {}
        read = _read_whole(reader, label, progress)
    else:
        if not isinstance(reader, ChangeReader):
            raise Untrusted("the reader cannot list changes")
        # a few calls each: what an incremental run waits for is their latency, so they go
        # out beside the change listings
        with ThreadPoolExecutor(3, thread_name_prefix="region") as ex:
            f_projects = ex.submit(reader.projects)
            f_flavors = ex.submit(reader.flavors)
            f_hosts = ex.submit(reader.aggregate_hosts) if aggregates else None
            read = _read_changes(reader, incremental, label, progress)
            projects, flavors = f_projects.result(), f_flavors.result()
            hosts = f_hosts.result() if f_hosts is not None else {}
    objects, n = read.objects, len(read.objects.servers)
    volumes_ok, ports_ok = "volumes" not in read.missing, "ports" not in read.missing
    codes = [s.pool_code for s in region_scopes]
    if ports_ok:
        by_id = {p.port_id: p for p in objects.ports}
        fips = [_fip_server(f, by_id) for f in objects.floating_ips]
        servers = with_port_addresses(objects.servers, objects.ports, fips)
        objects = replace(objects, servers=servers, floating_ips=fips)
    placed = partition(objects, region_scopes, hosts, declared_pools(projects, departments, codes))
    chosen = [s for s in region_scopes if only is None or s.pool_code in only]
    mine = {
        s.pool_code: assign_departments(
            [replace(p, pool_code=s.pool_code) for p in projects], departments, s.pool_code
        )
        for s in chosen
    }
    wanted = {
        code: sorted(
            {p.project_id for p in mine[code] if p.department_code}
            | {s.project_id for s in placed.shares[code].servers}
            | {v.project_id for v in placed.shares[code].volumes}
        )
        for code in mine
    }
    progress(label, "quotas", n)
    services = frozenset(
        ["compute", *(["volume"] if volumes_ok else []), *(["network"] if ports_ok else [])]
    )
    everyone = {p for ids in wanted.values() for p in ids}
    shares, narrowed = placed.shares, None
    if incremental is not None:
        narrowed = narrow(
            {c: placed.shares[c] for c in mine}, incremental.stored, read.fresh,
            incremental.fetch,
        )  # fmt: skip
        shares = narrowed.shares
    touched_held: dict[str, list[ProjectAllocation]] = {}
    held_note = None
    if read.touched is None:
        quota = reader.quotas(sorted(everyone), services)
    else:
        assert isinstance(reader, ChangeReader)
        arrived = narrowed.arrived if narrowed else frozenset()
        touched = {svc: ids | arrived for svc, ids in read.touched.items()}
        with ThreadPoolExecutor(1, thread_name_prefix="usages") as ex:  # beside the quotas
            f_held = ex.submit(
                _touched_allocations, reader, read.touched["compute"], placed.shares, wanted
            )
            quota = _touched_quotas(reader, everyone, services, touched)
            touched_held, held_note = f_held.result()
    progress(label, "capacity", n)
    consumers = {s.server_id: s.project_id for s in objects.servers}
    missing = set(read.missing)
    notes = [*_notes(missing, read.duplicates), *quota.notes]
    notes += [
        f"backend {b.name} reports its capacity as infinite or unknown: not counted"
        for b in objects.backends
        if b.total_gib is None
    ]
    if "backends" not in missing:
        notes += unknown_backends(region_scopes, objects.backends)
    # an incremental run reads the quotas of the projects its changes touch, and what they
    # hold in Placement: the others' stored rows stay (nothing removed), as does capacity
    # (per provider: the calls would grow with the estate), refreshed by full runs; servers,
    # volumes and ports carry only what is new, changed or moved, and their removals
    partial_kinds = set()
    if read.touched is not None:
        partial_kinds = {"quotas", "type_quotas", "capacity", "allocations", *NARROWED}
        notes += [held_note] if held_note else []
    listings = {}
    for scope in chosen:
        code = scope.pool_code
        share = shares[code]
        allocations: Sequence[ProjectAllocation] | None
        if read.touched is None:
            allocations = reader.allocations(scope, consumers)
            capacity = tuple(reader.capacity(scope))
        else:
            allocations, capacity = touched_held.get(code, []), ()
        pool_notes = [*notes, *placed.notes]
        if allocations is None:
            pool_notes.append("Placement lists no allocations (404): allocations not synced")
        pool_missing = missing | ({"allocations"} if allocations is None else set())
        ids = frozenset(wanted[code])
        type_names = {t.name for t in share.volume_types}
        listings[code] = PoolListing(
            pool_code=code,
            projects=tuple(mine[code]),
            flavors=tuple(replace(f, pool_code=code) for f in flavors),
            servers=tuple(share.servers),
            volumes=tuple(share.volumes),
            quotas=tuple(replace(q, pool_code=code) for q in quota.quotas if q.project_id in ids),
            capacity=capacity,
            snapshots=tuple(share.snapshots),
            backends=tuple(share.backends),
            volume_types=tuple(share.volume_types),
            type_quotas=tuple(
                replace(q, pool_code=code)
                for q in quota.type_quotas
                if q.project_id in ids and q.volume_type in type_names
            ),
            ports=tuple(share.ports),
            floating_ips=tuple(share.floating_ips),
            security_groups=tuple(share.security_groups),
            allocations=()
            if allocations is None
            else tuple(allocations)
            if read.touched is not None
            else _with_idle(code, allocations, ids),
            complete=frozenset(KINDS) - pool_missing - partial_kinds,
            quota_skipped=quota.skipped,
            duplicates=read.duplicates,
            notes=tuple(pool_notes),
            removed=narrowed.removed[code] if narrowed else {},
            held=narrowed.held[code] if narrowed else {},
        )
    return RegionListing(
        cloud=first.cloud,
        region=first.region,
        pools=listings,
        unassigned=(*placed.unassigned, *read.carried),
        complete=frozenset(KINDS) - missing - partial_kinds,
        notes=tuple([*notes, *placed.notes]),
        newest_update=read.newest,
        touched=None if read.touched is None else frozenset().union(*read.touched.values()),
    )


def _touched_quotas(
    reader: CloudReader,
    wanted: Collection[str],
    services: frozenset[str],
    touched: Mapping[str, frozenset[str]],
) -> QuotaListing:
    """The quota sets of each service for the projects whose usage in it the changes moved
    (TOUCHED: service -> projects), the services asked side by side."""
    asks = {svc: sorted(set(wanted) & touched.get(svc, frozenset())) for svc in sorted(services)}
    asks = {svc: ids for svc, ids in asks.items() if ids}
    if not asks:  # no quota set to read; whether Keystone keeps the limits is asked every sync
        return reader.quotas([], frozenset())
    with ThreadPoolExecutor(len(asks), thread_name_prefix="quotas") as ex:
        got = list(ex.map(lambda kv: reader.quotas(kv[1], frozenset([kv[0]])), asks.items()))
    return QuotaListing(
        tuple(q for g in got for q in g.quotas),
        tuple(q for g in got for q in g.type_quotas),
        frozenset().union(*(g.skipped for g in got)),
        tuple(dict.fromkeys(n for g in got for n in g.notes)),
    )


def _touched_allocations(
    reader: ChangeReader,
    touched: frozenset[str],
    shares: Mapping[str, Share],
    wanted: Mapping[str, Sequence[str]],
) -> tuple[dict[str, list[ProjectAllocation]], str | None]:
    """Pool -> the Placement rows of the touched projects whose servers are all in one pool of
    the region (Placement's region-wide usage of the project is then that pool's, and 0 in
    the chosen pools that know the project). A project spread over pools waits for a full
    sync: Placement cannot split its usage by pool in one call."""
    homes: dict[str, set[str]] = {}
    for code, share in shares.items():
        for s in share.servers:
            if s.project_id in touched:
                homes.setdefault(s.project_id, set()).add(code)
    single = sorted(p for p in touched if len(homes.get(p, ())) <= 1)
    spread = len(touched) - len(single)
    usages = reader.project_usages(single) if single else {}
    if usages is None:
        return {}, "Placement has no project usages: allocations wait for the next full sync"
    out: dict[str, list[ProjectAllocation]] = {}
    for code, ids in wanted.items():
        for p in single:
            if p not in ids and code not in homes.get(p, ()):
                continue
            held = usages.get(p, (0, 0, 0)) if code in homes.get(p, ()) else (0, 0, 0)
            out.setdefault(code, []).append(ProjectAllocation(code, p, *held))
    note = (
        f"{spread} changed projects have servers in several pools: their Placement"
        " allocations wait for the next full sync"
        if spread
        else None
    )
    return out, note


@dataclass(frozen=True)
class _Read:
    """A region's objects as listed (whole, or changes laid over the stored state)."""

    objects: RegionObjects
    missing: frozenset[str]
    duplicates: int = 0
    newest: datetime | None = None
    # incremental: service -> the projects whose usage in it the changes may have moved
    touched: Mapping[str, frozenset[str]] | None = None
    carried: tuple[Unassigned, ...] = ()  # incremental: stored unassigned objects kept
    # incremental: kind -> ids of the servers, volumes and ports the cloud listed this run
    fresh: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _read_whole(reader: CloudReader, label: str, progress: Progress) -> _Read:
    page = reader.servers(lambda n: progress(label, "servers", n))
    n = len(page.servers)
    progress(label, "volumes", n)
    volumes = reader.volumes()
    storage_ok = volumes is not None
    snapshots = reader.snapshots() if storage_ok else None
    backends = reader.backends() if storage_ok else None
    types = reader.volume_types() if storage_ok else None
    progress(label, "network", n)
    ports = reader.ports()
    network_ok = ports is not None
    fips = reader.floating_ips() if network_ok else None
    groups = reader.security_groups() if network_ok else None
    objects = RegionObjects(
        servers=page.servers,
        volumes=volumes.volumes if volumes else (),
        volume_zones=volumes.zones if volumes else {},
        snapshots=snapshots or (),
        ports=ports or (),
        floating_ips=fips or (),
        security_groups=groups or (),
        backends=backends or (),
        volume_types=types or (),
    )
    return _Read(
        objects,
        frozenset(_missing(volumes, snapshots, backends, types, ports, fips, groups)),
        page.duplicates,
        newest_update(page.servers, volumes.volumes if volumes else ()),
    )


def _read_changes(reader: ChangeReader, inc: Incremental, label: str, progress: Progress) -> _Read:
    """Servers and volumes changed since the watermark, the ports of the changed servers;
    the small kinds (snapshots, backends, types, floating IPs, security groups) whole."""
    stored = inc.stored
    # the listings below do not depend on each other: sent together (each is a call or two,
    # and their latency, not their size, is what an incremental run waits for)
    with ThreadPoolExecutor(8, thread_name_prefix="changes") as ex:
        f_servers = ex.submit(
            reader.changed_servers, inc.since, lambda n: progress(label, "changed servers", n)
        )
        f_volumes = ex.submit(reader.changed_volumes, inc.since)
        f_count = ex.submit(reader.volume_count)
        f_snapshots = ex.submit(reader.snapshots)
        f_backends = ex.submit(reader.backends)
        f_types = ex.submit(reader.volume_types)
        f_fips = ex.submit(reader.floating_ips)
        f_groups = ex.submit(reader.security_groups)
        page = f_servers.result()
        relisted = frozenset({s.server_id for s in page.servers} | page.deleted)
        f_ports = ex.submit(reader.ports_of, relisted) if relisted else None
        changed = f_volumes.result()
        count = f_count.result()
        snapshots, backends, types = f_snapshots.result(), f_backends.result(), f_types.result()
        fips, groups = f_fips.result(), f_groups.result()
        ports = f_ports.result() if f_ports is not None else []
    progress(label, "volumes", len(page.servers))
    volume_ids: frozenset[str] | None = None
    volumes: VolumePage | None
    if changed is None:  # the filter would be ignored: every volume, as a full run
        volumes = reader.volumes()
        if volumes is not None:
            volume_ids = frozenset(v.volume_id for v in volumes.volumes)
    else:
        volumes = changed
        known = {v.volume_id for v in stored.volumes} | {v.volume_id for v in changed.volumes}
        if count != len(known):  # some are gone (or the count is unknown)
            volume_ids = reader.volume_ids()
    if volumes is None:  # no volume service: nothing of it is listed
        snapshots = backends = types = None
    network_ok = ports is not None
    if not network_ok:
        fips = groups = None
    changes = Changes(
        servers=page.servers,
        deleted_servers=page.deleted,
        volumes=volumes.volumes if volumes else (),
        volume_zones=volumes.zones if volumes else {},
        volume_ids=volume_ids,
        ports=ports or (),
        port_devices=relisted if network_ok else frozenset(),
    )
    merged = merge(stored, changes)
    objects = replace(
        merged,
        snapshots=stored.snapshots if snapshots is None else snapshots,
        floating_ips=stored.floating_ips if fips is None else fips,
        security_groups=stored.security_groups if groups is None else groups,
        backends=stored.backends if backends is None else backends,
        volume_types=stored.volume_types if types is None else types,
    )
    return _Read(
        objects,
        frozenset(_missing(volumes, snapshots, backends, types, ports, fips, groups)),
        page.duplicates,
        newest_update(page.servers, changes.volumes),
        changes.touched(stored, objects),
        tuple(carried_unassigned(inc.unassigned, changes)),
        {
            "servers": frozenset(s.server_id for s in changes.servers),
            "volumes": frozenset(v.volume_id for v in changes.volumes),
            "ports": frozenset(p.port_id for p in changes.ports),
        },
    )


def with_port_addresses(
    servers: Sequence[Server], ports: Iterable[Port], fips: Iterable[FloatingIp]
) -> list[Server]:
    """Servers whose addresses are their Neutron ports' fixed addresses, then the floating
    addresses on those ports: Neutron, not Nova's cached copy, is the truth `metrics collect`
    scrapes. A server without a port keeps what Nova says."""
    by_port: dict[str, list[str]] = {}
    for f in fips:
        if f.port_id:
            by_port.setdefault(f.port_id, []).append(f.address)
    fixed: dict[str, list[str]] = {}
    floating: dict[str, list[str]] = {}
    for p in ports:
        if p.device_id:
            fixed.setdefault(p.device_id, []).extend(p.fixed_ips)
            floating.setdefault(p.device_id, []).extend(by_port.get(p.port_id, ()))
    out = []
    for s in servers:
        if s.server_id in fixed:
            addresses = tuple(dict.fromkeys([*fixed[s.server_id], *floating[s.server_id]]))
            s = s if addresses == s.addresses else replace(s, addresses=addresses)
        out.append(s)
    return out


def _fip_server(fip: FloatingIp, ports: Mapping[str, Port]) -> FloatingIp:
    """The server behind a floating IP, from its port when Neutron did not embed it."""
    port = ports.get(fip.port_id or "")
    if fip.server_id or port is None or not port.device_id:
        return fip
    if not (port.device_owner or "").startswith("compute:"):
        return fip
    return replace(fip, server_id=port.device_id)


def _with_idle(
    code: str, allocations: Iterable[ProjectAllocation], wanted: frozenset[str]
) -> tuple[ProjectAllocation, ...]:
    """Placement's figures, plus a zero row for each project that matters to the pool and holds
    nothing there (so a quota usage Placement does not back shows up against 0)."""
    rows = {a.project_id: replace(a, pool_code=code) for a in allocations}
    for project_id in wanted - rows.keys():
        rows[project_id] = ProjectAllocation(code, project_id, 0, 0, 0)
    return tuple(rows[p] for p in sorted(rows))


def _missing(
    volumes: object | None,
    snapshots: object | None,
    backends: object | None,
    types: object | None,
    ports: object | None,
    fips: object | None,
    groups: object | None,
) -> Iterator[str]:
    if volumes is None:
        yield from ("volumes", "snapshots", "backends", "volume_types", "type_quotas")
    else:
        if snapshots is None:
            yield "snapshots"
        if backends is None:
            yield "backends"
        if types is None:  # per-type quotas are kept for the pool's types: none known
            yield from ("volume_types", "type_quotas")
    if ports is None:
        yield from ("ports", "floating_ips", "security_groups")
    else:
        if fips is None:
            yield "floating_ips"
        if groups is None:
            yield "security_groups"


def _notes(missing: set[str], duplicates: int) -> list[str]:
    notes = []
    if "volumes" in missing:
        notes.append("no volume service in the catalog: volumes and volume quotas not synced")
    else:
        for kind, call in (
            ("snapshots", "snapshots"),
            ("backends", "scheduler-stats/get_pools"),
            ("volume_types", "types"),
        ):
            if kind in missing:
                notes.append(f"the volume service has no {call} (404): {kind} not synced")
    if "ports" in missing:
        notes.append(
            "no network service in the catalog: ports, floating IPs, security groups and"
            " network quotas not synced"
        )
    else:
        for kind, call in (("floating_ips", "floatingips"), ("security_groups", "security-groups")):
            if kind in missing:
                notes.append(f"the network service has no {call} (404): {kind} not synced")
    if duplicates:
        notes.append(f"{duplicates} servers listed twice across pages (kept once)")
    return notes


def declared_pools(
    projects: Sequence[Project], departments: Iterable[Department], codes: Iterable[str]
) -> dict[str, frozenset[str]]:
    """Project id -> the pools among CODES that departments declare it in (by id, else name)."""
    by_name = {p.name: p.project_id for p in projects}
    wanted = set(codes)
    out: dict[str, set[str]] = {}
    for dept in departments:
        for b in dept.projects:
            project_id = b.project_id or by_name.get(b.project_name)
            if project_id and b.pool_code in wanted:
                out.setdefault(project_id, set()).add(b.pool_code)
    return {p: frozenset(c) for p, c in out.items()}


# --- departments ------------------------------------------------------------------------------


def assign_departments(
    projects: Iterable[Project], departments: Iterable[Department], pool_code: str
) -> list[Project]:
    """Projects with the department that declares them in the pool: by id if given, else name."""
    by_id: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for dept in departments:
        for b in dept.projects:
            if b.pool_code != pool_code:
                continue
            if b.project_id:
                by_id[b.project_id] = dept.code
            else:
                by_name[b.project_name] = dept.code
    return [
        replace(p, department_code=by_id.get(p.project_id) or by_name.get(p.name)) for p in projects
    ]


# --- the diff ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindDiff(Generic[K, R]):
    added: tuple[R, ...] = ()
    revived: tuple[R, ...] = ()  # listed again after being marked deleted
    changed: tuple[R, ...] = ()
    removed: tuple[K, ...] = ()
    unchanged: int = 0

    @property
    def total_added(self) -> int:
        return len(self.added) + len(self.revived)


@dataclass(frozen=True)
class PoolSnapshot:
    """What the store holds for a pool: live records, and ids of rows marked deleted."""

    projects: tuple[Project, ...] = ()
    flavors: tuple[Flavor, ...] = ()
    servers: Iterable[Server] = ()
    volumes: tuple[Volume, ...] = ()
    quotas: tuple[QuotaUsage, ...] = ()
    capacity: tuple[CapacityRecord, ...] = ()
    deleted_servers: frozenset[str] = frozenset()
    deleted_volumes: frozenset[str] = frozenset()
    snapshots: tuple[Snapshot, ...] = ()
    deleted_snapshots: frozenset[str] = frozenset()
    backends: tuple[StorageBackend, ...] = ()
    volume_types: tuple[VolumeType, ...] = ()
    type_quotas: tuple[TypeQuotaUsage, ...] = ()
    ports: tuple[Port, ...] = ()
    floating_ips: tuple[FloatingIp, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    allocations: tuple[ProjectAllocation, ...] = ()


@dataclass(frozen=True)
class PoolDiff:
    pool_code: str
    projects: KindDiff[str, Project] = field(default_factory=KindDiff)
    flavors: KindDiff[str, Flavor] = field(default_factory=KindDiff)
    servers: KindDiff[str, Server] = field(default_factory=KindDiff)
    volumes: KindDiff[str, Volume] = field(default_factory=KindDiff)
    snapshots: KindDiff[str, Snapshot] = field(default_factory=KindDiff)
    quotas: KindDiff[tuple[str, str], QuotaUsage] = field(default_factory=KindDiff)
    capacity: KindDiff[str, CapacityRecord] = field(default_factory=KindDiff)
    backends: KindDiff[str, StorageBackend] = field(default_factory=KindDiff)
    volume_types: KindDiff[str, VolumeType] = field(default_factory=KindDiff)
    type_quotas: KindDiff[tuple[str, str, str], TypeQuotaUsage] = field(default_factory=KindDiff)
    ports: KindDiff[str, Port] = field(default_factory=KindDiff)
    floating_ips: KindDiff[str, FloatingIp] = field(default_factory=KindDiff)
    security_groups: KindDiff[str, SecurityGroup] = field(default_factory=KindDiff)
    allocations: KindDiff[str, ProjectAllocation] = field(default_factory=KindDiff)

    def kinds(self) -> dict[str, KindDiff[object, object]]:
        return {k: getattr(self, k) for k in KINDS}

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            k: {
                "added": d.total_added,
                "changed": len(d.changed),
                "removed": len(d.removed),
                "unchanged": d.unchanged,
            }
            for k, d in self.kinds().items()
        }

    def totals(self) -> tuple[int, int, int]:
        kinds = self.kinds().values()
        return (
            sum(d.total_added for d in kinds),
            sum(len(d.changed) for d in kinds),
            sum(len(d.removed) for d in kinds),
        )


def diff_kind(
    current: Iterable[R],
    listed: Sequence[R],
    key: Callable[[R], K],
    *,
    complete: bool,
    tombstoned: frozenset[K] = frozenset(),
    gone: Iterable[K] = (),
) -> KindDiff[K, R]:
    """Compare by key and by value; removals only when the listing is complete, else only
    those named (GONE: a listing in part says what it removes)."""
    now: dict[K, R] = {key(r): r for r in current}
    added: list[R] = []
    revived: list[R] = []
    changed: list[R] = []
    unchanged = 0
    seen: set[K] = set()
    for record in listed:
        k = key(record)
        if k in seen:
            continue
        seen.add(k)
        old = now.get(k)
        if old is None:
            (revived if k in tombstoned else added).append(record)
        elif old != record:
            changed.append(record)
        else:
            unchanged += 1
    if complete:
        removed = tuple(k for k in now if k not in seen)
    else:
        removed = tuple(dict.fromkeys(k for k in gone if k in now and k not in seen))
    return KindDiff(tuple(added), tuple(revived), tuple(changed), removed, unchanged)


def diff_pool(snapshot: PoolSnapshot, listing: PoolListing) -> PoolDiff:
    def done(kind: str) -> bool:
        return kind in listing.complete

    return PoolDiff(
        pool_code=listing.pool_code,
        projects=diff_kind(
            snapshot.projects, listing.projects, _project_id, complete=done("projects")
        ),
        flavors=diff_kind(snapshot.flavors, listing.flavors, _flavor_id, complete=done("flavors")),
        servers=diff_kind(
            snapshot.servers,
            listing.servers,
            _server_id,
            complete=done("servers"),
            tombstoned=snapshot.deleted_servers,
            gone=listing.removed.get("servers", ()),
        ),
        volumes=diff_kind(
            snapshot.volumes,
            listing.volumes,
            _volume_id,
            complete=done("volumes"),
            tombstoned=snapshot.deleted_volumes,
            gone=listing.removed.get("volumes", ()),
        ),
        snapshots=diff_kind(
            snapshot.snapshots,
            listing.snapshots,
            _snapshot_id,
            complete=done("snapshots"),
            tombstoned=snapshot.deleted_snapshots,
        ),
        quotas=_diff_quotas(snapshot.quotas, listing.quotas, listing),
        capacity=_kept_public(
            diff_kind(
                snapshot.capacity, listing.capacity, _capacity_key, complete=done("capacity")
            ),
            done("ports"),
        ),
        # the kinds below keep no tombstones: gone from a complete listing, gone from the store
        backends=diff_kind(
            snapshot.backends, listing.backends, _backend_key, complete=done("backends")
        ),
        volume_types=diff_kind(
            snapshot.volume_types, listing.volume_types, _type_id, complete=done("volume_types")
        ),
        type_quotas=diff_kind(
            snapshot.type_quotas,
            listing.type_quotas,
            _type_quota_key,
            complete=done("type_quotas") and done("volumes"),
        ),
        ports=diff_kind(
            snapshot.ports,
            listing.ports,
            _port_id,
            complete=done("ports"),
            gone=listing.removed.get("ports", ()),
        ),
        floating_ips=diff_kind(
            snapshot.floating_ips, listing.floating_ips, _fip_id, complete=done("floating_ips")
        ),
        security_groups=diff_kind(
            snapshot.security_groups,
            listing.security_groups,
            _group_id,
            complete=done("security_groups"),
        ),
        allocations=diff_kind(
            snapshot.allocations,
            listing.allocations,
            _allocation_key,
            complete=done("allocations"),
        ),
    )


def _kept_public(
    diff: KindDiff[str, CapacityRecord], network: bool
) -> KindDiff[str, CapacityRecord]:
    """Public addresses (PUBLIC_IPV4) are counted by Neutron: without it, the stored count stays."""
    return (
        diff
        if network
        else replace(diff, removed=tuple(k for k in diff.removed if k != PUBLIC_IPV4))
    )


def _diff_quotas(
    current: Iterable[QuotaUsage], listed: Sequence[QuotaUsage], listing: PoolListing
) -> KindDiff[tuple[str, str], QuotaUsage]:
    """Quotas of three services in one kind: a row is removed only when the quota listing and
    its service's own listing both completed (no volume service, no Neutron: nothing of theirs
    is removed)."""
    complete = listing.complete
    diff = diff_kind(current, listed, _quota_key, complete="quotas" in complete)
    kept = tuple(
        k
        for k in diff.removed
        if SERVICE_KINDS[_service_of(k[1])] in complete
        and _service_of(k[1]) not in listing.quota_skipped
    )
    return replace(diff, removed=kept)


def _service_of(resource: str) -> str:
    try:
        return QuotaResource(resource).service
    except ValueError:  # a resource this version does not know: never removed on a guess
        return "volume"


def _project_id(p: Project) -> str:
    return p.project_id


def _flavor_id(f: Flavor) -> str:
    return f.flavor_id


def _server_id(s: Server) -> str:
    return s.server_id


def _volume_id(v: Volume) -> str:
    return v.volume_id


def _snapshot_id(s: Snapshot) -> str:
    return s.snapshot_id


def _quota_key(q: QuotaUsage) -> tuple[str, str]:
    return (q.project_id, q.resource.value)


def _capacity_key(c: CapacityRecord) -> str:
    return c.resource_class


def _backend_key(b: StorageBackend) -> str:
    return b.name


def _type_id(t: VolumeType) -> str:
    return t.type_id


def _type_quota_key(q: TypeQuotaUsage) -> tuple[str, str, str]:
    return (q.project_id, q.volume_type, q.resource.value)


def _port_id(p: Port) -> str:
    return p.port_id


def _fip_id(f: FloatingIp) -> str:
    return f.fip_id


def _group_id(g: SecurityGroup) -> str:
    return g.group_id


def _allocation_key(a: ProjectAllocation) -> str:
    return a.project_id
