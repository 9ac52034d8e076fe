"""Reading and writing the embedded metrics store: day chunks and per-target scrape state.

Writes are read-modify-write of day chunks inside the caller's transaction (BEGIN IMMEDIATE on
SQLite; rows locked with FOR UPDATE on PostgreSQL), so concurrent collectors cannot lose samples.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection, and_, bindparam, delete, insert, select, update

from govcloud.adapters.store import network_repo
from govcloud.adapters.store import schema as t
from govcloud.adapters.store.schema_metrics import MetricChunkRow as C
from govcloud.adapters.store.schema_metrics import MetricTargetRow as T
from govcloud.core import metric_chunks as mc
from govcloud.core.metrics_sweep import Point, TargetState
from govcloud.core.metrics_targets import ServerRef, with_port_addresses
from govcloud.core.rates import RawScrape
from govcloud.core.utilization import STEP_S, Series

if TYPE_CHECKING:  # numpy: only the demo's history needs it, not a read command
    from govcloud.core.simulated_utilization import VmSpec

_IN_BATCH = 500  # bound parameters per IN list, well under SQLite's and psycopg's limits


def _batches(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), _IN_BATCH):
        yield items[i : i + _IN_BATCH]


def write_points(conn: Connection, points: Iterable[Point]) -> int:
    """Fold POINTS into their day chunks; returns how many chunks changed."""
    grouped: dict[tuple[str, int], dict[str, list[tuple[int, float]]]] = {}
    for p in points:
        day, slot = mc.day_and_slot(p.ts)
        grouped.setdefault((p.metric, day), {}).setdefault(p.target, []).append((slot, p.value))
    changed = 0
    for (metric, day), per_target in grouped.items():
        existing = _read_chunks(conn, metric, day, sorted(per_target))
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        for target, slots in per_target.items():
            chunk = existing.get(target)
            merged = mc.merge(chunk or mc.DayChunk.empty(day), slots, mc.is_peak(metric))
            values, counts = mc.pack(merged)
            row = {"t": target, "vb": values, "cb": counts, "n": merged.sample_count}
            (updates if chunk else inserts).append(row)
        _store_chunks(conn, metric, day, updates, inserts)
        changed += len(updates) + len(inserts)
    return changed


def _read_chunks(
    conn: Connection, metric: str, day: int, targets: Sequence[str]
) -> dict[str, mc.DayChunk]:
    out: dict[str, mc.DayChunk] = {}
    for batch in _batches(targets):
        query = (
            select(C.c.target, C.c.step_s, C.c["values"], C.c.counts)
            .where(C.c.metric == metric, C.c.day == day, C.c.target.in_(batch))
            .with_for_update()
        )
        for target, step_s, values, counts in conn.execute(query):
            out[target] = mc.unpack(day, step_s, values, counts)
    return out


def _store_chunks(
    conn: Connection,
    metric: str,
    day: int,
    updates: list[dict[str, Any]],
    inserts: list[dict[str, Any]],
) -> None:
    if updates:
        conn.execute(
            update(C)
            .where(C.c.target == bindparam("t"), C.c.metric == metric, C.c.day == day)
            .values(values=bindparam("vb"), counts=bindparam("cb"))
            .values(sample_count=bindparam("n")),
            updates,
        )
    if inserts:
        conn.execute(
            insert(C),
            [
                {
                    "target": r["t"],
                    "metric": metric,
                    "day": day,
                    "step_s": STEP_S,
                    "values": r["vb"],
                    "counts": r["cb"],
                    "sample_count": r["n"],
                }
                for r in inserts
            ],
        )


def read_series(
    conn: Connection,
    metric: str,
    first_day: int,
    last_day: int,
    targets: Sequence[str] | None = None,
) -> dict[str, Series]:
    """Per target key, METRIC over days FIRST..LAST (inclusive) at five-minute steps."""
    base = select(C.c.target, C.c.day, C.c.step_s, C.c["values"]).where(
        C.c.metric == metric, C.c.day.between(first_day, last_day)
    )
    blobs: dict[str, dict[int, tuple[int, bytes]]] = {}
    queries = (
        [base] if targets is None else [base.where(C.c.target.in_(b)) for b in _batches(targets)]
    )
    for query in queries:
        for target, day, step_s, values in conn.execute(query):
            blobs.setdefault(target, {})[day] = (step_s, values)
    return {k: mc.series_of_blobs(days, first_day, last_day) for k, days in blobs.items()}


def read_states(conn: Connection, urls: Sequence[str] | None = None) -> dict[str, TargetState]:
    table = T
    base = select(table)
    queries = [base] if urls is None else [base.where(T.c.url.in_(b)) for b in _batches(urls)]
    out: dict[str, TargetState] = {}
    for query in queries:
        for row in conn.execute(query):
            out[row.url] = _state(row)
    return out


def _state(row: Any) -> TargetState:
    raw = None
    if row.raw_ts is not None and row.raw_counters is not None:
        raw = RawScrape(float(row.raw_ts), {str(k): float(v) for k, v in row.raw_counters.items()})
    return TargetState(
        url=row.url,
        target=row.target,
        joined_by=row.joined_by,
        name=row.name,
        instance_uuid=row.instance_uuid,
        hostname=row.hostname,
        server_id=row.server_id,
        raw=raw,
        last_scrape_at=row.last_scrape_at,
        last_ok_at=row.last_ok_at,
        last_error=row.last_error,
        last_duration_ms=row.last_duration_ms,
    )


def save_states(conn: Connection, states: Sequence[TargetState]) -> None:
    existing = set(read_states(conn, [s.url for s in states]))
    rows = [_row(s) for s in states]
    # Bound names must differ from the column names an UPDATE sets.
    updates = [{f"p_{k}": v for k, v in r.items()} for r in rows if r["url"] in existing]
    inserts = [r for r in rows if r["url"] not in existing]
    if updates:
        columns: dict[str, Any] = {k: bindparam(f"p_{k}") for k in rows[0] if k != "url"}
        conn.execute(update(T).where(T.c.url == bindparam("p_url")).values(**columns), updates)
    if inserts:
        conn.execute(insert(T), inserts)


def _row(s: TargetState) -> dict[str, Any]:
    return {
        "url": s.url,
        "target": s.target,
        "name": s.name,
        "instance_uuid": s.instance_uuid,
        "hostname": s.hostname,
        "server_id": s.server_id,
        "joined_by": s.joined_by,
        "raw_ts": s.raw.ts if s.raw else None,
        "raw_counters": dict(s.raw.counters) if s.raw else None,
        "last_scrape_at": s.last_scrape_at,
        "last_ok_at": s.last_ok_at,
        "last_error": s.last_error,
        "last_duration_ms": s.last_duration_ms,
    }


def server_refs(conn: Connection) -> list[ServerRef]:
    """Live servers of the store, for deriving targets and joining them; addresses from their
    Neutron ports' fixed IPs where ports are stored (`with_port_addresses`)."""
    s = t.ServerRow
    query = select(s.c.server_id, s.c.name, s.c.addresses).where(s.c.deleted_at.is_(None))
    refs = [
        ServerRef(sid, name, tuple(addresses or ())) for sid, name, addresses in conn.execute(query)
    ]
    return with_port_addresses(refs, network_repo.ports(conn))


def expire(conn: Connection, before_day: int) -> int:
    """Delete the chunks of days before BEFORE_DAY; returns how many went."""
    return conn.execute(delete(C).where(C.c.day < before_day)).rowcount or 0


def downsample(conn: Connection, before_day: int, step_s: int) -> int:
    """Rewrite finer chunks of days before BEFORE_DAY at STEP_S; returns how many changed."""
    query = select(C.c.target, C.c.metric, C.c.day, C.c.step_s, C.c["values"], C.c.counts).where(
        C.c.day < before_day, C.c.step_s < step_s
    )
    rows = [
        {
            "t": target,
            "m": metric,
            "d": day,
            **_packed(mc.downsample(mc.unpack(day, s, v, n), step_s, mc.is_peak(metric))),
        }
        for target, metric, day, s, v, n in conn.execute(query)
    ]
    if rows:
        conn.execute(
            update(C)
            .where(
                and_(
                    C.c.target == bindparam("t"),
                    C.c.metric == bindparam("m"),
                    C.c.day == bindparam("d"),
                )
            )
            .values(step_s=step_s, values=bindparam("vb"), counts=bindparam("cb"))
            .values(sample_count=bindparam("n")),
            rows,
        )
    return len(rows)


def _packed(chunk: mc.DayChunk) -> Mapping[str, Any]:
    values, counts = mc.pack(chunk)
    return {"vb": values, "cb": counts, "n": chunk.sample_count}


# --- bulk chunk writes (simulated histories, imports): whole days at once --------------------


class ChunkRow(NamedTuple):
    """One whole day chunk, already packed (core/metric_chunks.py layout); the field order is
    the INSERT's column order, so rows go to the driver as they are."""

    target: str
    metric: str
    day: int
    step_s: int
    values: bytes  # DAY_S / step_s little-endian float32, NaN where no sample
    counts: bytes | None  # as many little-endian uint16; None: each present value counts once
    sample_count: int  # slots with data


def write_chunks(conn: Connection, rows: Iterable[ChunkRow], *, replace: bool = True) -> int:
    """Store ROWS as they are; returns how many. Nothing is merged: this is for writers that own
    whole days (simulated histories, bulk imports), at one bulk INSERT instead of a
    read-modify-write per chunk.

    REPLACE deletes chunks with the same (target, metric, day) first (one DELETE per metric and
    day); a caller that has cleared the range itself (`delete_chunks`) passes False.
    """
    rows = list(rows)
    if replace:
        keys: dict[tuple[str, int], set[str]] = {}
        for r in rows:
            keys.setdefault((r.metric, r.day), set()).add(r.target)
        for (metric, day), targets in keys.items():
            for batch in _batches(sorted(targets)):
                conn.execute(
                    delete(C).where(C.c.metric == metric, C.c.day == day, C.c.target.in_(batch))
                )
    if rows:
        # Straight to the driver: SQLAlchemy's per-value processing of 300,000 blobs costs
        # more than SQLite's own work of storing them.
        conn.exec_driver_sql(_insert_chunk_sql(conn), rows)
    return len(rows)


def _insert_chunk_sql(conn: Connection) -> str:
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(
        quote(c) for c in ("target", "metric", "day", "step_s", "values", "counts", "sample_count")
    )
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}[conn.dialect.paramstyle]
    values = ", ".join([mark] * 7)
    return f"INSERT INTO metric_chunk ({columns}) VALUES ({values})"  # noqa: S608 - constants


def delete_chunks(conn: Connection, targets: Sequence[str], first_day: int, last_day: int) -> int:
    """Delete every metric's chunks of TARGETS for days FIRST..LAST; returns how many went."""
    gone = 0
    for batch in _batches(sorted(set(targets))):
        result = conn.execute(
            delete(C).where(C.c.target.in_(batch), C.c.day.between(first_day, last_day))
        )
        gone += result.rowcount or 0
    return gone


def delete_states(conn: Connection, targets: Sequence[str]) -> int:
    """Forget the scrape state of every URL that stores under one of TARGETS."""
    gone = 0
    for batch in _batches(sorted(set(targets))):
        gone += conn.execute(delete(T).where(T.c.target.in_(batch))).rowcount or 0
    return gone


def vm_specs(conn: Connection) -> list[tuple[VmSpec, tuple[str, ...]]]:
    """Live servers as the utilization simulation sees them, with their addresses."""
    from govcloud.core.simulated_utilization import VmSpec

    s, bs = t.ServerRow, t.BusinessSystemRow
    query = (
        select(s.c.server_id, s.c.name, s.c.status, s.c.updated_at, s.c.addresses, bs.c.environment)
        .select_from(s)
        .outerjoin(bs, bs.c.code == s.c.system_code)
        .where(s.c.deleted_at.is_(None))
        .order_by(s.c.server_id)
    )
    out = []
    for sid, name, status, updated_at, addresses, environment in conn.execute(query):
        active = str(status).upper() == "ACTIVE"
        stopped = None if active or updated_at is None else _utc(updated_at).timestamp()
        spec = VmSpec(sid, name, environment, active, stopped)
        out.append((spec, tuple(addresses or ())))
    return out


def _utc(value: datetime) -> datetime:
    """SQLite hands timestamps back naive; the store writes them in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
