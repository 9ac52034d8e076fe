"""Appending to the audit trail inside the caller's transaction: no record, no change.

Appends are serialized so the chain cannot fork: on SQLite every writer already holds the
database's write lock (`BEGIN IMMEDIATE`); on PostgreSQL a transaction-scoped advisory lock is
taken before the chain's head is read, and held until the caller commits.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, text

from govcloud.adapters.store import schema as t
from govcloud.core.audit_trail import AuditRecord, Sealed, Signer

# pg_advisory_xact_lock key: "govcloud audit_log" folded to a signed 64-bit integer
LOCK_KEY = 0x676F76_61756474


def lock_chain(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def append(conn: Connection, record: AuditRecord, signer: Signer) -> Sealed:
    row = t.AuditLogRow
    lock_chain(conn)
    last = conn.execute(select(row.seq, row.hash).order_by(row.seq.desc()).limit(1)).first()
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
