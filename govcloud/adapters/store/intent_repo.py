"""Reading the audit trail for changes whose outcome is not on record yet (two-phase apply).

Two scans instead of a correlated sub-query: the trail may hold millions of rows and `ref` has
no index, while open intents are few.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from govcloud.adapters.store import schema as t
from govcloud.core.quota_intent import CLOSING, OpenIntent, open_intent


def open_intents(conn: Connection, event: str) -> list[OpenIntent]:
    row = t.AuditLogRow
    settled: set[int] = set()
    unknown: set[int] = set()
    for ref, outcome in conn.execute(
        select(row.c.ref, row.c.outcome).where(
            row.c.ref.is_not(None), row.c.outcome.in_((*CLOSING, "unknown"))
        )
    ):
        if ref is not None:
            (unknown if outcome == "unknown" else settled).add(int(ref))
    found = []
    for r in conn.execute(
        select(
            row.c.seq, row.c.ts, row.c.object_type, row.c.object_id, row.c.after, row.c.source_host
        )
        .where(row.c.outcome == "intent", row.c.event == event)
        .order_by(row.c.seq)
    ):
        if r.seq in settled:
            continue
        intent = open_intent(
            int(r.seq), r.ts, r.object_type, r.object_id, r.after, r.source_host or "",
            int(r.seq) in unknown,
        )  # fmt: skip
        if intent is not None:
            found.append(intent)
    return found
