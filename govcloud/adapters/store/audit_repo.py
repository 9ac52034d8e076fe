"""Appending to the audit trail inside the caller's transaction: no record, no change.

Appends are serialized so the chain cannot fork: on SQLite every writer already holds the
database's write lock (`BEGIN IMMEDIATE`); on PostgreSQL a transaction-scoped advisory lock is
taken before the chain's head is read, and held until the caller commits.

Reading streams plain rows in seq order (a server-side cursor on PostgreSQL), so verifying a
million records holds a batch in memory, not the trail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text

from govcloud.adapters.store import schema as t
from govcloud.core.audit_trail import AuditRecord, Sealed, Signer
from govcloud.core.audit_verify import COLUMNS, PruneAnchor, seal_prune

# pg_advisory_xact_lock key: "govcloud audit_log" folded to a signed 64-bit integer
LOCK_KEY = 0x676F76_61756474
BATCH = 10_000


def lock_chain(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def as_stored(record: AuditRecord) -> AuditRecord:
    """The record as the store will hand it back (UTC time, JSON-normal before/after), so the
    hash sealed now is the hash `log verify` recomputes from the row later."""
    ts = record.ts.replace(tzinfo=UTC) if record.ts.tzinfo is None else record.ts.astimezone(UTC)
    return replace(
        record, ts=ts, before=_json_normal(record.before), after=_json_normal(record.after)
    )


def _json_normal(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else json.loads(json.dumps(value, default=str))


def append(conn: Connection, record: AuditRecord, signer: Signer) -> Sealed:
    row = t.AuditLogRow
    record = as_stored(record)
    lock_chain(conn)
    last = conn.execute(select(row.c.seq, row.c.hash).order_by(row.c.seq.desc()).limit(1)).first()
    seq = 1 if last is None else int(last.seq) + 1
    sealed = signer.seal(seq, None if last is None else last.hash, record)
    conn.execute(
        insert(row).values(
            seq=seq,
            ts=record.ts,
            operator=record.operator,
            os_user=record.os_user,
            command=record.command,
            object_type=record.object_type,
            object_id=record.object_id,
            before=record.before,
            after=record.after,
            outcome=record.outcome,
            ticket=record.ticket,
            event=record.event,
            source_host=record.source_host,
            tool_version=record.tool_version,
            ref=record.ref,
            prev_hash=sealed.prev_hash,
            hash=sealed.hash,
            hmac=sealed.hmac,
            alg=sealed.alg,
        )
    )
    return sealed


def _columns() -> list[Any]:
    return [t.AuditLogRow.c[name] for name in COLUMNS]


def stream(conn: Connection, *, since: datetime | None = None) -> Iterator[Sequence[Any]]:
    """Every row in seq order as a tuple in `audit_verify.COLUMNS` order, fetched in batches."""
    row = t.AuditLogRow
    query = select(*_columns()).order_by(row.c.seq)
    if since is not None:
        query = query.where(row.c.ts >= since)
    result = conn.execution_options(yield_per=BATCH).execute(query)
    try:
        for partition in result.partitions():
            yield from partition
    finally:
        result.close()  # a verify that stops at the first bad record closes the cursor


def rows_after(conn: Connection, after_seq: int, through_seq: int) -> list[Sequence[Any]]:
    row = t.AuditLogRow
    query = select(*_columns()).where(row.c.seq > after_seq, row.c.seq <= through_seq)
    return list(conn.execute(query.order_by(row.c.seq)))


def keyed_records(conn: Connection) -> int:
    row = t.AuditLogRow
    return int(conn.execute(select(func.count()).where(row.c.alg.is_not(None))).scalar_one())


@dataclass(frozen=True)
class LogFilter:
    since: datetime | None = None
    until: datetime | None = None
    operator: str | None = None
    event: str | None = None
    object: str | None = None  # matches the object id or "type/id"
    outcome: str | None = None
    limit: int | None = None


def newest(conn: Connection, f: LogFilter) -> list[dict[str, Any]]:
    """Rows matching F, newest first, as dicts keyed by column name (bound values only)."""
    row = t.AuditLogRow
    query = select(*_columns()).order_by(row.c.seq.desc())
    if f.since is not None:
        query = query.where(row.c.ts >= f.since)
    if f.until is not None:
        query = query.where(row.c.ts < f.until)
    if f.operator:
        query = query.where((row.c.operator == f.operator) | (row.c.os_user == f.operator))
    if f.event:
        query = query.where(row.c.event == f.event)
    if f.outcome:
        query = query.where(row.c.outcome == f.outcome)
    if f.object:
        kind, _, ident = f.object.partition("/")
        both = (row.c.object_type == kind) & (row.c.object_id == ident)
        query = query.where(
            (row.c.object_id == f.object) | both if ident else row.c.object_id == f.object
        )
    if f.limit is not None:
        query = query.limit(f.limit)
    return [_utc(dict(zip(COLUMNS, r, strict=True))) for r in conn.execute(query)]


def _utc(data: dict[str, Any]) -> dict[str, Any]:
    ts: datetime = data["ts"]
    data["ts"] = ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    return data


def prune_anchor(conn: Connection) -> PruneAnchor | None:
    p = t.AuditPruneRow
    got = conn.execute(
        select(p.c.through_seq, p.c.hash, p.c.hmac, p.c.alg)
        .order_by(p.c.through_seq.desc())
        .limit(1)
    ).first()
    return None if got is None else PruneAnchor(int(got.through_seq), got.hash, got.hmac, got.alg)


@dataclass(frozen=True)
class PrunePoint:
    through_seq: int
    hash: str
    records: int


def prune_point(conn: Connection, before: datetime) -> PrunePoint | None:
    """The newest record older than BEFORE (and how many would go), or None: nothing to prune.
    Takes the chain's lock: nothing is appended between this and the prune."""
    row = t.AuditLogRow
    lock_chain(conn)
    last = conn.execute(
        select(row.c.seq, row.c.hash).where(row.c.ts < before).order_by(row.c.seq.desc()).limit(1)
    ).first()
    if last is None:
        return None
    count = conn.execute(select(func.count()).where(row.c.seq <= last.seq)).scalar_one()
    return PrunePoint(int(last.seq), str(last.hash or ""), int(count))


def prune(conn: Connection, point: PrunePoint, record: AuditRecord, signer: Signer) -> Sealed:
    """Record the prune in the chain, anchor it (sealed with the key), then delete: the database
    lets the delete through only below that anchor. All in the caller's transaction."""
    sealed = append(conn, record, signer)
    conn.execute(
        insert(t.AuditPruneRow).values(
            through_seq=point.through_seq,
            hash=point.hash,
            hmac=seal_prune(signer.alg, signer.key, point.through_seq, point.hash),
            alg=signer.alg,
            ts=record.ts,
            operator=record.operator,
        )
    )
    conn.execute(delete(t.AuditLogRow).where(t.AuditLogRow.c.seq <= point.through_seq))
    return sealed
