"""Appending to the audit trail inside the caller's transaction: no record, no change."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from govcloud.adapters.store import schema as t
from govcloud.core.audit_trail import AuditRecord, chain_hash


def append(conn: Connection, record: AuditRecord) -> int:
    row = t.AuditLogRow
    prev = conn.execute(select(row.hash).order_by(row.seq.desc()).limit(1)).scalar_one_or_none()
    values = {
        "ts": record.ts,
        "operator": record.operator,
        "os_user": record.os_user,
        "command": record.command,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "before": record.before,
        "after": record.after,
        "outcome": record.outcome,
        "ticket": record.ticket,
        "prev_hash": prev,
        "hash": chain_hash(prev, record),
    }
    return int(conn.execute(insert(row).values(**values).returning(row.seq)).scalar_one())
