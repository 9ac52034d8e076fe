"""What every listing of a project's objects (servers, volumes, floating IPs) shares: the owner
columns joined one way, the department named as `--tenant` accepts it, and the lookup of one
object by id, id prefix or name."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, and_, or_
from sqlalchemy.sql import ColumnElement

from govcloud.adapters.store import schema as t
from govcloud.adapters.store.records import utc
from govcloud.core.errors import NotFoundError

P, PR, D = t.PoolRow, t.ProjectRow, t.DepartmentRow
ID_PREFIX_MIN = 4  # a unique prefix this long is a reference; shorter ones are typos
V = TypeVar("V")


def department_is(value: str) -> ColumnElement[bool]:
    """A department named the ways `vm list --tenant` accepts: code, name, short name."""
    return or_(D.c.code == value, D.c.short_zh == value, D.c.name_zh == value, D.c.name_en == value)


def owner_columns() -> tuple[Any, ...]:
    """Pool code, department code and names, project name: labelled as the views name them."""
    return (
        P.c.code.label("pool"),
        D.c.code.label("department"),
        D.c.short_zh.label("department_zh"),
        D.c.name_en.label("department_en"),
        PR.c.name.label("project"),
    )


def owned_by(query: Any, table: Table) -> Any:
    """QUERY over TABLE's rows joined to their pool, and to their project and its department
    where the store knows them (an undeclared project keeps its rows)."""
    return (
        query.join(P, P.c.id == table.c.pool_id)
        .outerjoin(PR, and_(PR.c.pool_id == table.c.pool_id, PR.c.project_id == table.c.project_id))
        .outerjoin(D, D.c.id == PR.c.department_id)
    )


def one_by_ref(
    conn: Connection, query: Any, id_col: Any, name_col: Any, ref: str, *, noun: str, command: str
) -> Any:
    """The one row whose id is REF, else whose id starts with REF (4+ characters), else whose
    name is REF; none or several is an error naming what matched."""
    rows = conn.execute(query.where(id_col == ref)).all()
    if not rows and len(ref) >= ID_PREFIX_MIN:
        rows = conn.execute(query.where(id_col.startswith(ref, autoescape=True))).all()
    if not rows:
        rows = conn.execute(query.where(name_col == ref)).all()
    if not rows:
        raise NotFoundError(
            f"no {noun} {ref!r} in the store",
            hint=f"`govcloud {command}` shows them; run `govcloud sync` first",
        )
    if len(rows) > 1:
        ids = ", ".join(str(getattr(r, id_col.key)) for r in rows[:5])
        raise NotFoundError(f"{len(rows)} {noun}s match {ref!r}: {ids}", hint=f"use the {noun} id")
    return rows[0]


def view_of(view: type[V], row: Any) -> V:
    """A listing row as its view, the columns labelled as the view's fields; timestamps as
    aware UTC (SQLite hands them back naive)."""
    return view(**{k: utc(v) if isinstance(v, datetime) else v for k, v in row._mapping.items()})
