"""Reading quotas from the store: approved (declared) beside the cloud's limit and usage.

`quota_rows` is one query for the whole estate (a UNION of observed quota rows with their
approved value, and declared quotas that sync has not seen yet), so `quota show` costs the
same for 10 projects as for 1,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, literal, null, or_, select
from sqlalchemy.sql import ColumnElement

from govcloud.adapters.store import schema as t
from govcloud.core.models import QuotaResource

P, PR, D, B, A, Q = (
    t.PoolRow,
    t.ProjectRow,
    t.DepartmentRow,
    t.ProjectBindingRow,
    t.ApprovedQuotaRow,
    t.QuotaRow,
)


def quota_rows(
    conn: Connection, tenant: str | None, pool: str | None, resource: str | None
) -> Sequence[Any]:
    """Rows of (pool, department, department_zh, department_en, project, project_id, resource,
    approved, limit, in_use, reserved); department is None for projects nobody declares."""
    observed = (
        select(
            P.c.code.label("pool"),
            D.c.code.label("department"),
            D.c.short_zh.label("department_zh"),
            D.c.name_en.label("department_en"),
            PR.c.name.label("project"),
            Q.c.project_id,
            Q.c.resource,
            A.c.limit.label("approved"),
            Q.c.limit.label("limit"),
            Q.c.in_use,
            Q.c.reserved,
        )
        .select_from(Q)
        .join(P, P.c.id == Q.c.pool_id)
        .outerjoin(PR, and_(PR.c.pool_id == Q.c.pool_id, PR.c.project_id == Q.c.project_id))
        .outerjoin(D, D.c.id == PR.c.department_id)
        .outerjoin(B, and_(B.c.pool_id == Q.c.pool_id, B.c.department_id == PR.c.department_id))
        .outerjoin(A, and_(A.c.binding_id == B.c.id, A.c.resource == Q.c.resource))
        .where(*_filters(tenant, pool, resource, Q.c.resource))
    )
    declared_only = (
        select(
            P.c.code,
            D.c.code,
            D.c.short_zh,
            D.c.name_en,
            B.c.project_name,
            B.c.project_id,
            A.c.resource,
            A.c.limit,
            null(),
            null(),
            literal(0),
        )
        .select_from(B)
        .join(A, A.c.binding_id == B.c.id)
        .join(P, P.c.id == B.c.pool_id)
        .join(D, D.c.id == B.c.department_id)
        .outerjoin(PR, and_(PR.c.pool_id == B.c.pool_id, PR.c.department_id == B.c.department_id))
        .outerjoin(
            Q,
            and_(
                Q.c.pool_id == B.c.pool_id,
                Q.c.project_id == PR.c.project_id,
                Q.c.resource == A.c.resource,
            ),
        )
        .where(Q.c.project_id.is_(None), *_filters(tenant, pool, resource, A.c.resource))
    )
    return conn.execute(observed.union_all(declared_only)).all()


def _filters(
    tenant: str | None, pool: str | None, resource: str | None, res_col: Any
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if tenant:
        where.append(
            or_(
                D.c.code == tenant,
                D.c.short_zh == tenant,
                D.c.name_zh == tenant,
                D.c.name_en == tenant,
            )
        )
    if pool:
        where.append(P.c.code == pool)
    if resource:
        where.append(res_col == resource)
    return where


def committed_by_pool(conn: Connection) -> dict[str, dict[QuotaResource, tuple[int, int]]]:
    """Per pool and resource: (Σ bounded quotas of departments, count of unlimited ones).

    A department's quota is the cloud's limit where sync has seen it, else the approved one.
    """
    rows = conn.execute(
        select(P.c.code, A.c.resource, A.c.limit, Q.c.limit)
        .select_from(B)
        .join(A, A.c.binding_id == B.c.id)
        .join(P, P.c.id == B.c.pool_id)
        .outerjoin(PR, and_(PR.c.pool_id == B.c.pool_id, PR.c.department_id == B.c.department_id))
        .outerjoin(
            Q,
            and_(
                Q.c.pool_id == B.c.pool_id,
                Q.c.project_id == PR.c.project_id,
                Q.c.resource == A.c.resource,
            ),
        )
    )
    out: dict[str, dict[QuotaResource, tuple[int, int]]] = {}
    for pool_code, resource, approved, observed in rows:
        if resource not in QuotaResource._value2member_map_:
            continue  # a per-volume-type quota (`gigabytes_ssd`): part of the total, not a sum
        limit = approved if observed is None else observed
        per_pool = out.setdefault(pool_code, {})
        total, unlimited = per_pool.get(QuotaResource(resource), (0, 0))
        if limit < 0:
            unlimited += 1
        else:
            total += limit
        per_pool[QuotaResource(resource)] = (total, unlimited)
    return out
