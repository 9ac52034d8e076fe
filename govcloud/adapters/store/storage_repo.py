"""Reading observed storage: Cinder backends, volume types, per-type quotas, and volume listings
for `govcloud volume list|show` joined to their department and attached server.

Records come back as the core's own (through sync's row converters, so a stored row reads the
same everywhere); volume listings as `VolumeView`, one row per live volume.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select
from sqlalchemy.sql import ColumnElement

from govcloud.adapters.store import schema as t
from govcloud.adapters.store import schema_storage as ts
from govcloud.adapters.store.owned import (
    department_is,
    one_by_ref,
    owned_by,
    owner_columns,
    view_of,
)
from govcloud.adapters.store.records import (
    backend_record,
    type_quota_record,
    volume_type_record,
)
from govcloud.core import models as m

P, PR, D, S, V = t.PoolRow, t.ProjectRow, t.DepartmentRow, t.ServerRow, t.VolumeRow
SB, VT, TQ = ts.StorageBackendRow, ts.VolumeTypeRow, ts.TypeQuotaRow
_LIVE_VOLUME = V.c.deleted_at.is_(None)


# --- backends, types, per-type quotas ---------------------------------------------------------


def backends(conn: Connection, pool_codes: Collection[str] | None = None) -> list[m.StorageBackend]:
    """Cinder scheduler pools by pool code and name; POOL_CODES limits to those pools."""
    query = select(P.c.code.label("pool_code"), SB).join(P, P.c.id == SB.c.pool_id)
    if pool_codes is not None:
        query = query.where(P.c.code.in_(list(pool_codes)))
    return [
        backend_record(r.pool_code, r) for r in conn.execute(query.order_by(P.c.code, SB.c.name))
    ]


def volume_types(conn: Connection, pool: str | None = None) -> list[m.VolumeType]:
    """Volume types by pool code and name."""
    query = select(P.c.code.label("pool_code"), VT).join(P, P.c.id == VT.c.pool_id)
    if pool is not None:
        query = query.where(P.c.code == pool)
    return [
        volume_type_record(r.pool_code, r)
        for r in conn.execute(query.order_by(P.c.code, VT.c.name, VT.c.type_id))
    ]


def type_quotas(
    conn: Connection, pool: str | None = None, project_ids: Collection[str] | None = None
) -> list[m.TypeQuotaUsage]:
    """Per-volume-type quotas by pool, project, volume type and resource."""
    query = select(P.c.code.label("pool_code"), TQ).join(P, P.c.id == TQ.c.pool_id)
    if pool is not None:
        query = query.where(P.c.code == pool)
    if project_ids is not None:
        query = query.where(TQ.c.project_id.in_(list(project_ids)))
    order = (P.c.code, TQ.c.project_id, TQ.c.volume_type, TQ.c.resource)
    records = (type_quota_record(r.pool_code, r) for r in conn.execute(query.order_by(*order)))
    return [q for q in records if q is not None]


# --- volume listings --------------------------------------------------------------------------


@dataclass(frozen=True)
class VolumeFilter:
    pool: str | None = None
    department: str | None = None  # department code, Chinese name or short name
    volume_type: str | None = None
    status: str | None = None  # case-insensitive
    attached: bool | None = None  # None: both
    limit: int | None = None


@dataclass(frozen=True)
class VolumeView:
    volume_id: str
    name: str
    pool: str
    department: str | None  # department code; None: no department declares the project
    department_zh: str | None
    department_en: str | None
    project_id: str
    project: str | None
    size_gib: int
    status: str
    volume_type: str | None
    bootable: bool
    attached_server_id: str | None
    attached_server: str | None  # the server's name, when the store holds it
    created_at: datetime | None
    updated_at: datetime | None


def list_volumes(conn: Connection, f: VolumeFilter = VolumeFilter()) -> list[VolumeView]:
    """Live volumes matching F, by pool, department, name and id."""
    query = (
        _volume_select()
        .where(*_volume_filters(f))
        .order_by(P.c.code, D.c.code.asc().nulls_last(), V.c.name, V.c.volume_id)
        .limit(f.limit)
    )
    return [view_of(VolumeView, r) for r in conn.execute(query)]


def get_volume(conn: Connection, ref: str) -> VolumeView:
    """By id, id prefix (4+ characters) or exact name; an ambiguous match is an error."""
    query = _volume_select().where(_LIVE_VOLUME)
    row = one_by_ref(
        conn, query, V.c.volume_id, V.c.name, ref, noun="volume", command="volume list"
    )
    return view_of(VolumeView, row)


def _volume_filters(f: VolumeFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [_LIVE_VOLUME]
    if f.pool:
        where.append(P.c.code == f.pool)
    if f.department:
        where.append(department_is(f.department))
    if f.volume_type:
        where.append(V.c.volume_type == f.volume_type)
    if f.status:
        where.append(func.lower(V.c.status) == f.status.lower())
    if f.attached is not None:
        attached = V.c.attached_server_id.is_not(None)
        where.append(attached if f.attached else V.c.attached_server_id.is_(None))
    return where


def _volume_select() -> Any:
    columns = (V.c.volume_id, V.c.name, V.c.project_id, V.c.size_gib, V.c.status, V.c.volume_type)
    attached = (V.c.bootable, V.c.attached_server_id, S.c.name.label("attached_server"))
    query = select(*columns, *owner_columns(), *attached, V.c.created_at, V.c.updated_at)
    return owned_by(query.select_from(V), V).outerjoin(
        S, and_(S.c.pool_id == V.c.pool_id, S.c.server_id == V.c.attached_server_id)
    )


# --- added by H4 for storage capacity (pool show, quota check) --------------------------------


def bound_project_ids(conn: Connection) -> dict[tuple[str, str], str]:
    """(pool code, department code) -> the synced project id a department's binding is linked
    to (one project per department and pool, as the inventory enforces)."""
    query = (
        select(P.c.code, D.c.code, PR.c.project_id)
        .select_from(PR)
        .join(P, P.c.id == PR.c.pool_id)
        .join(D, D.c.id == PR.c.department_id)
        .order_by(P.c.code, D.c.code, PR.c.project_id)
    )
    out: dict[tuple[str, str], str] = {}
    for pool_code, dept_code, project_id in conn.execute(query):
        out.setdefault((pool_code, dept_code), project_id)
    return out
