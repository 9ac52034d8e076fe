"""Where quota limits come from, as the newest successful sync run of each pool recorded it
(its notes: `core.quota_check.unified_note`)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from govcloud.adapters.store import schema as t
from govcloud.core.quota_check import unified_services


def unified_by_pool(conn: Connection) -> dict[str, frozenset[str]]:
    """Pool code -> the quota services whose limits Keystone keeps (unified limits), per the
    pool's newest successful sync; pools without such a note are left out."""
    r, p = t.SyncRunRow, t.PoolRow
    newest = (
        select(r.c.pool_id, func.max(r.c.id).label("id"))
        .where(r.c.status == "ok")
        .group_by(r.c.pool_id)
        .subquery()
    )
    out = {}
    query = (
        select(p.c.code, r.c.counts)
        .join(newest, newest.c.id == r.c.id)
        .join(p, p.c.id == r.c.pool_id)
    )
    for code, counts in conn.execute(query):
        notes = counts.get("notes") if isinstance(counts, dict) else None
        listed = notes if isinstance(notes, list) else []
        services = unified_services(n for n in listed if isinstance(n, str))
        if services:
            out[code] = services
    return out
