"""Names an operator types, for shell completion: one small indexed query per request.

Codes match case-insensitively, as the lookups that later resolve them do; server names match
exactly (`vm show` takes an exact name). At most LIMIT rows, in order, so that a prompt over
100,000 servers stays instant.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Connection, func, or_, select

from govcloud.adapters.store import schema as t

KINDS = ("pool", "department", "system", "vm")


class Name(NamedTuple):
    value: str  # what completes the word
    zh: str  # what it names, shown beside it by shells that show help (zsh, fish)
    en: str


def names(conn: Connection, kind: str, prefix: str, limit: int) -> list[Name]:
    if kind == "pool":
        return _coded(conn, t.PoolRow, prefix, limit)
    if kind == "system":
        return _coded(conn, t.BusinessSystemRow, prefix, limit)
    if kind == "department":
        return _departments(conn, prefix, limit)
    if kind == "vm":
        return _servers(conn, prefix, limit)
    raise ValueError(f"unknown kind of name {kind!r}")


def _starts(column: Any, prefix: str) -> Any:
    return func.lower(column).startswith(prefix.lower(), autoescape=True)


def _coded(conn: Connection, table: Any, prefix: str, limit: int) -> list[Name]:
    c = table.c
    rows = conn.execute(
        select(c.code, c.name_zh, c.name_en)
        .where(_starts(c.code, prefix))
        .order_by(c.code)
        .limit(limit)
    )
    return [Name(code, zh, en) for code, zh, en in rows]


def _departments(conn: Connection, prefix: str, limit: int) -> list[Name]:
    """Codes and short Chinese names (卫健委): both resolve a department."""
    c = t.DepartmentRow.c
    rows = conn.execute(
        select(c.code, c.short_zh, c.name_zh, c.name_en)
        .where(or_(_starts(c.code, prefix), c.short_zh.startswith(prefix, autoescape=True)))
        .order_by(c.code)
        .limit(limit)
    )
    found: list[Name] = []
    for code, short, zh, en in rows:
        if code.lower().startswith(prefix.lower()):
            found.append(Name(code, zh, en))
        if short.startswith(prefix) and short != code:
            found.append(Name(short, zh, en))
    return sorted(found)[:limit]


def _servers(conn: Connection, prefix: str, limit: int) -> list[Name]:
    s = t.ServerRow.c
    rows = conn.execute(
        select(s.name)
        .where(s.deleted_at.is_(None), s.name.startswith(prefix, autoescape=True))
        .group_by(s.name)
        .order_by(s.name)
        .limit(limit)
    )
    return [Name(name, "", "") for (name,) in rows]
