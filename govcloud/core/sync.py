"""Sync: what a pool holds in OpenStack against what the store holds, as added/changed/removed.

The cloud is read through the `CloudReader` port (an adapter implements it over HTTP); this
module only decides. Two rules carry the weight:

- nothing is removed unless its listing completed (a failed or skipped listing proves nothing);
- a second sync with no change in the cloud changes nothing (records compare by value).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, Protocol, TypeVar

from govcloud.core.models import (
    CapacityRecord,
    Department,
    Flavor,
    Pool,
    Project,
    QuotaUsage,
    Server,
    Snapshot,
    Volume,
)

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

KINDS = ("projects", "flavors", "servers", "volumes", "snapshots", "quotas", "capacity")
SYSTEM_CODE_MAX = 64


# --- the port ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolScope:
    """Which part of a cloud region is this pool.

    A pool with an availability zone or host aggregate takes what is in it; a pool without one
    takes the rest of its region, minus what sibling pools in the same region claim.
    """

    pool_code: str
    cloud: str
    region: str
    availability_zone: str | None = None
    aggregate: str | None = None
    excluded_zones: frozenset[str] = frozenset()
    excluded_aggregates: frozenset[str] = frozenset()

    @property
    def filtered(self) -> bool:
        return bool(self.availability_zone or self.aggregate)


@dataclass(frozen=True)
class SnapshotHomes:
    """Volumes and projects that place a snapshot: a pool's own (its volumes; projects holding
    servers or volumes there or declared there by a department), or those of other pools."""

    volumes: frozenset[str] = frozenset()
    projects: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ServerPage:
    """Servers of a complete listing, with the duplicates the pagination produced."""

    servers: tuple[Server, ...]
    duplicates: int = 0


class Progress(Protocol):
    def __call__(self, pool_code: str, stage: str, done: int) -> None: ...


class CloudReader(Protocol):
    """One pool of one cloud, read-only. Each method returns a complete listing or raises
    `CloudError` naming the pool and the call; `volumes` returns None without a volume service,
    `snapshots` None when the volume service has no snapshot API (404)."""

    def projects(self) -> list[Project]: ...

    def flavors(self) -> list[Flavor]: ...

    def servers(self, on_page: Callable[[int], None]) -> ServerPage: ...

    def volumes(self, server_ids: frozenset[str]) -> list[Volume] | None: ...

    def snapshots(self, here: SnapshotHomes, elsewhere: SnapshotHomes) -> list[Snapshot] | None:
        """ELSEWHERE: what other pools are known to hold; the reader adds what it saw of them
        while listing servers and volumes of the region."""

    def quotas(self, project_ids: Sequence[str], volume_service: bool) -> list[QuotaUsage]: ...

    def capacity(self) -> list[CapacityRecord]: ...


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
    complete: frozenset[str] = frozenset(KINDS)
    duplicates: int = 0
    notes: tuple[str, ...] = ()


def scopes(pools: Sequence[Pool]) -> dict[str, PoolScope]:
    """Each pool's scope; unfiltered pools give up what filtered siblings in the region claim."""
    out: dict[str, PoolScope] = {}
    for p in pools:
        siblings = [
            s for s in pools if s.code != p.code and (s.cloud, s.region) == (p.cloud, p.region)
        ]
        filtered = bool(p.availability_zone or p.aggregate)
        out[p.code] = PoolScope(
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
        )
    return out


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


def volume_in_scope(
    scope: PoolScope, zone: str | None, attached_to: str | None, server_ids: frozenset[str]
) -> bool:
    """An attached volume follows its server; an unattached one follows the zone rule."""
    if attached_to:
        return attached_to in server_ids
    if scope.availability_zone:
        return zone == scope.availability_zone
    if scope.aggregate:
        return False  # an aggregate is a set of hosts: only attached volumes can be placed
    return zone is None or zone not in scope.excluded_zones


def snapshot_in_scope(
    scope: PoolScope,
    volume_id: str | None,
    project_id: str,
    here: SnapshotHomes,
    elsewhere: SnapshotHomes,
) -> bool:
    """A snapshot goes where its volume is; a snapshot of a deleted volume where its project is.

    The pool that takes the rest of its region (unfiltered) leaves a project it shares with a
    zone or aggregate pool to that pool (unscheduled ERROR servers, which have no zone, make
    such sharing common) and takes the projects placed nowhere: each snapshot of a region lands
    in one pool.
    """
    if volume_id and volume_id in here.volumes:
        return True
    if volume_id and volume_id in elsewhere.volumes:
        return False
    if scope.filtered:
        return project_id in here.projects
    return project_id not in elsewhere.projects


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
    """Everything the store keeps about one pool, each listing complete or an exception.

    Quotas are read for the projects that matter to the pool: those a department declares in
    it and those holding servers or volumes there (not every project of a shared Keystone).
    """
    progress(pool_code, "projects", 0)
    projects = assign_departments(reader.projects(), departments, pool_code)
    flavors = reader.flavors()
    page = reader.servers(lambda n: progress(pool_code, "servers", n))
    progress(pool_code, "volumes", len(page.servers))
    volumes = reader.volumes(frozenset(s.server_id for s in page.servers))
    owners = {s.project_id for s in page.servers} | {v.project_id for v in volumes or ()}
    snapshots = None
    if volumes is not None:
        progress(pool_code, "snapshots", len(page.servers))
        snapshots = reader.snapshots(
            *snapshot_homes(projects, departments, pool_code, owners, volumes)
        )
    progress(pool_code, "quotas", len(page.servers))
    wanted = [p.project_id for p in projects if p.department_code or p.project_id in owners]
    quotas = reader.quotas(wanted, volume_service=volumes is not None)
    progress(pool_code, "capacity", len(page.servers))
    capacity = reader.capacity()
    return PoolListing(
        pool_code=pool_code,
        projects=tuple(projects),
        flavors=tuple(flavors),
        servers=page.servers,
        volumes=tuple(volumes or ()),
        quotas=tuple(quotas),
        capacity=tuple(capacity),
        snapshots=tuple(snapshots or ()),
        complete=frozenset(KINDS) - _missing(volumes, snapshots),
        duplicates=page.duplicates,
        notes=tuple(_notes(volumes, snapshots, page.duplicates)),
    )


def _missing(volumes: object | None, snapshots: object | None) -> set[str]:
    if volumes is None:
        return {"volumes", "snapshots"}
    return {"snapshots"} if snapshots is None else set()


def _notes(volumes: object | None, snapshots: object | None, duplicates: int) -> list[str]:
    notes = []
    if volumes is None:
        notes.append("no volume service in the catalog: volumes and volume quotas not synced")
    elif snapshots is None:
        notes.append("the volume service lists no snapshots (404): snapshots not synced")
    if duplicates:
        notes.append(f"{duplicates} servers listed twice across pages (kept once)")
    return notes


def snapshot_homes(
    projects: Sequence[Project],
    departments: Iterable[Department],
    pool_code: str,
    owners: Iterable[str],
    volumes: Iterable[Volume],
) -> tuple[SnapshotHomes, SnapshotHomes]:
    """The pool's homes for snapshots, and the projects departments declare in other pools.
    PROJECTS carry their department in POOL_CODE (see `assign_departments`)."""
    by_name = {p.name: p.project_id for p in projects}
    declared_elsewhere = {
        b.project_id or by_name.get(b.project_name, "")
        for dept in departments
        for b in dept.projects
        if b.pool_code != pool_code
    }
    here = {p.project_id for p in projects if p.department_code} | set(owners)
    return (
        SnapshotHomes(frozenset(v.volume_id for v in volumes), frozenset(here)),
        SnapshotHomes(projects=frozenset(declared_elsewhere - here - {""})),
    )


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
) -> KindDiff[K, R]:
    """Compare by key and by value; removals only when the listing is complete."""
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
    removed = tuple(k for k in now if k not in seen) if complete else ()
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
        ),
        volumes=diff_kind(
            snapshot.volumes,
            listing.volumes,
            _volume_id,
            complete=done("volumes"),
            tombstoned=snapshot.deleted_volumes,
        ),
        snapshots=diff_kind(
            snapshot.snapshots,
            listing.snapshots,
            _snapshot_id,
            complete=done("snapshots"),
            tombstoned=snapshot.deleted_snapshots,
        ),
        quotas=diff_kind(
            snapshot.quotas,
            listing.quotas,
            _quota_key,
            # volume quotas are only listed when the volume listing is
            complete=done("quotas") and done("volumes"),
        ),
        capacity=diff_kind(
            snapshot.capacity, listing.capacity, _capacity_key, complete=done("capacity")
        ),
    )


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
