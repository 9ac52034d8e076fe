"""`govcloud sync`: OpenStack -> store, every region at once, each region in its own transaction.

A region is listed once for all its pools and placed among them (`core.sync.collect_region`):
what no pool takes is the region's unassigned list, stored and reported. A region whose listing
fails leaves the store exactly as it was (only its pools' sync_run rows record the failure);
the other regions still commit, and the next run simply retries it. Each successful pool also
appends one `pool_usage` point (what its live servers and volumes hold), in the same
transaction: the history capacity forecasts fit a trend to.

A region is synced incrementally when the store holds a trustworthy watermark for each of its
pools (`core.incremental.decide`), else in full; each run records its mode, the reason, the
watermark, the cloud time of the last full listing and its HTTP request count in the
`sync` entry of its sync_run counts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from govcloud.adapters.store import declared_repo, setting_repo, sync_repo
from govcloud.adapters.store.engine import Store
from govcloud.core import incremental as inc
from govcloud.core import sync as core
from govcloud.core.audit_trail import AuditRecord
from govcloud.core.errors import GovcloudError, NotFoundError, UsageError
from govcloud.core.models import Department, Pool, Unassigned
from govcloud.core.partition import reason_group
from govcloud.services import trail
from govcloud.services.settings import Settings
from govcloud.services.store import opened

# (a pool's scope, metadata key) -> a reader of that pool's whole region
ReaderFactory = Callable[[core.PoolScope, str], core.CloudReader]


@dataclass(frozen=True)
class SyncOptions:
    pools: tuple[str, ...] = ()  # empty: every declared pool
    clouds_yaml: str | None = None
    timeout_s: float = 30.0
    workers: int = 8
    full: bool = False  # list everything even when an incremental run would do
    full_every_h: float | None = None  # None: the config's, else 24 h
    # a line for the operator while the cloud keeps a call waiting (None: not told)
    tell: Callable[[str], None] | None = None


@dataclass(frozen=True)
class PoolSyncResult:
    pool: str
    status: str  # ok | failed
    servers: int = 0
    projects: int = 0
    volumes: int = 0
    snapshots: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    duplicates: int = 0
    duration_s: float = 0.0
    error: str | None = None
    notes: str | None = None
    region: str = ""  # cloud/region
    # of the pool's whole region (every pool row of a region repeats them): what no pool took
    unassigned: int = 0
    unassigned_objects: tuple[Unassigned, ...] = ()
    # of the pool's whole region: full or incremental, why, and the HTTP requests it took
    mode: str = ""
    why: str = ""
    calls: int | None = None


@dataclass(frozen=True)
class SyncReport:
    results: tuple[PoolSyncResult, ...]

    def unassigned(self) -> dict[str, tuple[Unassigned, ...]]:
        """cloud/region -> its unassigned objects (regions synced successfully)."""
        return {r.region: r.unassigned_objects for r in self.results if r.status == "ok"}

    @property
    def failed(self) -> list[PoolSyncResult]:
        return [r for r in self.results if r.status != "ok"]

    def failure_message(self) -> str:
        reasons = "; ".join(f"{r.pool}: {r.error}" for r in self.failed)
        return f"{len(self.failed)} of {len(self.results)} pools failed: {reasons}"


def _no_progress(pool_code: str, stage: str, done: int) -> None:
    return None


@dataclass
class _Context:
    settings: Settings
    store: Store
    departments: list[Department]
    department_ids: dict[str, int]
    pool_ids: dict[str, int]
    metadata_key: str
    progress: core.Progress
    factory: ReaderFactory
    full: bool = False
    full_every: timedelta = inc.FULL_EVERY
    sandbox: bool | None = None  # the clouds.yaml is the sandbox's; None: a reader was given
    write_lock: threading.Lock = field(default_factory=threading.Lock)


def run(
    settings: Settings,
    opts: SyncOptions,
    *,
    progress: core.Progress | None = None,
    reader_factory: ReaderFactory | None = None,
) -> SyncReport:
    """Sync the chosen pools, their regions concurrently; never raises for a region's failure
    (see the report: each of its pools is failed with the reason)."""
    with opened(settings) as store:
        with store.read() as conn:
            pools = declared_repo.read_pools(conn)
            ctx = _Context(
                settings=settings,
                store=store,
                departments=declared_repo.read_departments(conn),
                department_ids=sync_repo.department_ids(conn),
                pool_ids=sync_repo.pool_ids(conn),
                metadata_key=sync_repo.metadata_key(conn),
                progress=progress or _no_progress,
                factory=reader_factory or _openstack_factory(settings, opts),
                full=opts.full,
                full_every=_full_every(settings, opts),
                sandbox=None if reader_factory else _is_sandbox(settings, opts),
            )
        chosen = _chosen(pools, opts.pools)
        scopes = core.scopes(pools)
        regions: dict[tuple[str, str], list[Pool]] = {}
        for p in chosen:
            regions.setdefault((p.cloud, p.region), []).append(p)
        with ThreadPoolExecutor(len(regions), thread_name_prefix="sync") as ex:
            done = list(
                ex.map(lambda ps: _sync_region(ctx, ps, scopes[ps[0].code]), regions.values())
            )
        if ctx.sandbox is not None and any(r.status == "ok" for results in done for r in results):
            with store.write() as conn:
                # made-up addresses must never become scrape targets (services/metrics.py)
                mark = "1" if ctx.sandbox else None
                setting_repo.put(conn, setting_repo.SANDBOX_ADDRESSES, mark)
    by_code = {r.pool: r for results in done for r in results}
    return SyncReport(tuple(by_code[p.code] for p in chosen))


def _is_sandbox(settings: Settings, opts: SyncOptions) -> bool:
    from govcloud.adapters.openstack.config import clouds_yaml_path, is_sandbox_file

    try:
        path: Path = clouds_yaml_path(opts.clouds_yaml or settings.clouds_yaml)
    except GovcloudError:
        return False  # the factory reports a missing clouds.yaml, once, per region
    return is_sandbox_file(path)


def _full_every(settings: Settings, opts: SyncOptions) -> timedelta:
    hours = opts.full_every_h or settings.sync_full_every_h
    return timedelta(hours=hours) if hours else inc.FULL_EVERY


def _chosen(pools: Sequence[Pool], wanted: Sequence[str]) -> list[Pool]:
    if not pools:
        raise NotFoundError(
            "no pools declared in the store", hint="run `govcloud inventory load DIR` first"
        )
    known = {p.code for p in pools}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise UsageError(f"unknown pool {unknown[0]!r}", hint="pools: " + ", ".join(sorted(known)))
    return [p for p in pools if not wanted or p.code in wanted]


def _openstack_factory(settings: Settings, opts: SyncOptions) -> ReaderFactory:
    from govcloud.adapters.openstack.config import clouds_yaml_path
    from govcloud.adapters.openstack.reader import open_reader

    # the SDK loads its modules on the first connection (most of a second, once a process):
    # here, before the regions' threads start, rather than in the first region's thread
    # while the others wait on the import lock
    import_module("openstack.connection")
    path: Path = clouds_yaml_path(opts.clouds_yaml or settings.clouds_yaml)

    def factory(scope: core.PoolScope, metadata_key: str) -> core.CloudReader:
        return open_reader(
            scope, path, timeout_s=opts.timeout_s, metadata_key=metadata_key,
            workers=opts.workers, tell=opts.tell,
        )  # fmt: skip

    return factory


def _sync_region(
    ctx: _Context, pools: Sequence[Pool], scope: core.PoolScope
) -> list[PoolSyncResult]:
    """The chosen POOLS of one region (SCOPE: one of them), in one transaction."""
    t0 = time.monotonic()
    codes = [p.code for p in pools]
    region_codes = [s.pool_code for s in scope.region_scopes]
    with ctx.write_lock, ctx.store.write() as conn:
        runs = {c: sync_repo.start_run(conn, ctx.pool_ids[c], _now()) for c in codes}
    reader: core.CloudReader | None = None
    # opening the reader (authentication, catalog) waits on the cloud while the stored state
    # is read: done side by side
    opening = ThreadPoolExecutor(1, thread_name_prefix="open")
    pending = opening.submit(ctx.factory, scope, ctx.metadata_key)
    opening.shutdown(wait=False)
    try:
        with ctx.store.read() as conn:
            last = sync_repo.last_runs(conn, [ctx.pool_ids[c] for c in region_codes])
            layout = inc.layout(scope.region_scopes, ctx.departments)
            mode = inc.decide(
                {c: last.get(ctx.pool_ids[c]) for c in region_codes},
                force_full=ctx.full, full_every=ctx.full_every, now=_now(), layout=layout,
            )  # fmt: skip
            start = _starting_point(ctx, conn, scope, mode) if mode.incremental else None
        reader = pending.result()
        if start is not None and not isinstance(reader, core.ChangeReader):
            mode, start = inc.Mode(False, "the cloud reader cannot list changes"), None
        region, mode, mark = _collect(ctx, reader, codes, mode, start)
        with ctx.write_lock, ctx.store.write() as conn:
            now = _now()
            diffs = {}
            sync_info = {
                "mode": mode.name, "reason": mode.reason, "calls": _calls(reader),
                "watermark": _iso(mark),
                "full_at": _iso(mark if not mode.incremental else mode.full_at),
                "layout": layout,
            }  # fmt: skip
            for code in codes:
                pool_id = ctx.pool_ids[code]
                listing = region.pools[code]
                # an incremental listing carries only what is new, changed or moved (and its
                # removals): the diff needs the stored rows of those alone
                only = _listed_ids(listing) if mode.incremental else None
                snapshot = sync_repo.read_snapshot(conn, pool_id, code, only)
                diffs[code] = diff = core.diff_pool(snapshot, listing)
                sync_repo.apply_diff(conn, pool_id, diff, ctx.department_ids, now)
                sync_repo.record_usage(conn, pool_id, code, now)
                counts: dict[str, object] = {
                    **diff.counts(),
                    "duplicates": listing.duplicates,
                    "notes": list(listing.notes),
                    "unassigned": _by_kind(region.unassigned),
                    "sync": sync_info,
                }
                sync_repo.finish_run(conn, runs[code], status="ok", now=now, counts=counts)
            sync_repo.replace_unassigned(conn, region.cloud, region.region, region.unassigned, now)
            sealed = trail.append(conn, ctx.settings, _trail_record(ctx, codes, mode, diffs))
    except Exception as exc:  # any failure of one region is reported, never fatal to the others
        message = _reason(scope.pool_code, exc)
        calls = _calls(reader) if reader is not None else None
        failed = _trail_record(ctx, codes, None, {}, error=message)
        with ctx.write_lock, ctx.store.write() as conn:
            for code in codes:
                sync_repo.finish_run(
                    conn, runs[code], status="failed", now=_now(), error=message,
                    counts={"sync": {"calls": calls}},
                )  # fmt: skip
            sealed = trail.append(conn, ctx.settings, failed)
        trail.anchor(ctx.store, ctx.settings, sealed)
        return [
            PoolSyncResult(c, "failed", duration_s=_since(t0), error=message,
                           region=f"{scope.cloud}/{scope.region}", calls=calls)
            for c in codes
        ]  # fmt: skip
    trail.anchor(ctx.store, ctx.settings, sealed)
    return [
        replace(_result(region, code, diffs[code], _since(t0)),
                mode=mode.name, why=mode.reason, calls=_calls(reader))
        for code in codes
    ]  # fmt: skip


def _trail_record(
    ctx: _Context,
    codes: Sequence[str],
    mode: inc.Mode | None,
    diffs: dict[str, core.PoolDiff],
    *,
    error: str | None = None,
) -> AuditRecord:
    """The region's `sync` record: per pool and kind what was added, changed and removed
    (kinds with nothing to say left out, so an incremental run of a quiet cloud stays small),
    written in the transaction that made the change (or recorded the failure)."""
    after: dict[str, Any] = {"pools": list(codes)}
    if mode is not None:
        after["mode"], after["reason"] = mode.name, mode.reason
        after["changes"] = {
            code: {
                kind: {k: n for k, n in c.items() if k != "unchanged" and n}
                for kind, c in diff.counts().items()
                if any(n for k, n in c.items() if k != "unchanged")
            }
            for code, diff in diffs.items()
        }
    if error is not None:
        after["error"] = error
    return trail.stamp(
        ctx.settings, event="sync", object_type="pool", object_id=",".join(codes),
        after=after, outcome="failed" if error is not None else "ok",
    )  # fmt: skip


def _starting_point(
    ctx: _Context, conn: Connection, scope: core.PoolScope, mode: inc.Mode
) -> core.Incremental:
    """The region as stored (light: what placing needs; whole records of what moves are
    fetched when placing says which) and its unassigned objects, which an incremental run
    lays its changes over. This process writes the region's pools only in this thread, under
    the write lock: what is fetched later is what was read here."""
    assert mode.since is not None
    scopes = scope.region_scopes
    pools = {ctx.pool_ids[s.pool_code]: s.pool_code for s in scopes}
    light = {code: sync_repo.read_light(conn, pool_id, code) for pool_id, code in pools.items()}
    unassigned = tuple(
        u
        for u in sync_repo.read_unassigned(conn)
        if (u.cloud, u.region) == (scope.cloud, scope.region)
    )

    def fetch(kind: str, ids: Collection[str]) -> list[Any]:
        with ctx.store.read() as c:
            return sync_repo.read_records(c, pools, kind, ids)

    stored = inc.stored_objects(light, scopes)
    return core.Incremental(mode.since, stored, unassigned, fetch)


def _listed_ids(listing: core.PoolListing) -> dict[str, set[str]]:
    """Kind -> the ids an incremental listing of the pool names (listed or removed)."""
    return {
        "servers": {s.server_id for s in listing.servers} | set(listing.removed.get("servers", ())),
        "volumes": {v.volume_id for v in listing.volumes} | set(listing.removed.get("volumes", ())),
        "ports": {p.port_id for p in listing.ports} | set(listing.removed.get("ports", ())),
    }


def _collect(
    ctx: _Context,
    reader: core.CloudReader,
    codes: Sequence[str],
    mode: inc.Mode,
    start: core.Incremental | None,
) -> tuple[core.RegionListing, inc.Mode, datetime | None]:
    """The region's listing, the mode it was read in, and the watermark it leaves (None: the
    next run lists everything). An incremental read that cannot be trusted is done again in
    full, in the same run."""
    if start is not None:
        try:
            region = core.collect_region(
                reader, ctx.progress, ctx.departments, only=codes, incremental=start
            )
            return region, mode, _watermark(reader, region, mode.since)
        except inc.Untrusted as exc:
            mode = inc.Mode(False, f"{exc.reason}: listed in full instead")
    region = core.collect_region(reader, ctx.progress, ctx.departments, only=codes)
    try:
        mark = _watermark(reader, region, None)
    except inc.Untrusted as exc:
        mark = None
        region = replace(region, notes=(*region.notes, f"no watermark: {exc.reason}"))
    return region, mode, mark


def _watermark(
    reader: core.CloudReader, region: core.RegionListing, since: datetime | None
) -> datetime | None:
    if not isinstance(reader, core.ChangeReader):
        return None  # a reader without change listings: every run is full
    first, last = reader.clock()
    return inc.watermark(first, last, region.newest_update, since=since)


def _calls(reader: core.CloudReader | None) -> int | None:
    return reader.calls if isinstance(reader, core.ChangeReader) else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _result(
    region: core.RegionListing, code: str, diff: core.PoolDiff, duration_s: float
) -> PoolSyncResult:
    listing = region.pools[code]
    added, changed, removed = diff.totals()
    return PoolSyncResult(
        pool=code,
        status="ok",
        servers=listing.count("servers"),
        projects=len(listing.projects),
        volumes=listing.count("volumes"),
        snapshots=len(listing.snapshots),
        added=added,
        changed=changed,
        removed=removed,
        duplicates=listing.duplicates,
        duration_s=duration_s,
        notes="; ".join(listing.notes) or None,
        region=f"{region.cloud}/{region.region}",
        unassigned=len(region.unassigned),
        unassigned_objects=region.unassigned,
    )


def _by_kind(unassigned: Sequence[Unassigned]) -> dict[str, dict[str, int]]:
    """kind -> reason -> how many: what a sync run records of its region's unassigned list."""
    out: dict[str, dict[str, int]] = {}
    for u in unassigned:
        reasons = out.setdefault(u.kind, {})
        why = reason_group(u.reason)
        reasons[why] = reasons.get(why, 0) + 1
    return out


def _reason(pool_code: str, exc: Exception) -> str:
    """The error without its 'pool X: ' prefix (the summary names the pool once)."""
    if isinstance(exc, GovcloudError):
        text = exc.message
    else:  # a malformed response the reader did not anticipate
        text = f"unexpected response: {type(exc).__name__}: {str(exc)[:200]}"
    prefix = f"pool {pool_code}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


def _now() -> datetime:
    return datetime.now(UTC)


def _since(t0: float) -> float:
    return round(time.monotonic() - t0, 2)
