"""Reading observed networking: ports, floating IPs (for `govcloud fip list`, joined to their
department and server), security groups and Placement allocations per project.

Records come back as the core's own, through sync's row converters.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select
from sqlalchemy.sql import ColumnElement

from govcloud.adapters.store import schema as t
from govcloud.adapters.store import schema_network as tn
from govcloud.adapters.store.owned import department_is, owned_by, owner_columns, view_of
from govcloud.adapters.store.records import (
    CHUNK,
    allocation_record,
    port_record,
    security_group_record,
)
from govcloud.core import models as m

P, PR, D, S = t.PoolRow, t.ProjectRow, t.DepartmentRow, t.ServerRow
PT, FIP, SG, AL = tn.PortRow, tn.FloatingIpRow, tn.SecurityGroupRow, t.ProjectAllocationRow


def ports(
    conn: Connection, pool: str | None = None, server_ids: Collection[str] | None = None
) -> list[m.Port]:
    """Ports by pool and id; SERVER_IDS limits to the ports of those servers (device ids)."""
    query = select(P.c.code.label("pool_code"), PT).join(P, P.c.id == PT.c.pool_id)
    if pool is not None:
        query = query.where(P.c.code == pool)
    if server_ids is None:
        return [
            port_record(r.pool_code, r)
            for r in conn.execute(query.order_by(P.c.code, PT.c.port_id))
        ]
    wanted = sorted(set(server_ids))
    out: list[m.Port] = []
    for i in range(0, len(wanted), CHUNK):
        chunk = query.where(PT.c.device_id.in_(wanted[i : i + CHUNK]))
        out.extend(port_record(r.pool_code, r) for r in conn.execute(chunk))
    return sorted(out, key=lambda p: (p.pool_code, p.port_id))


def security_groups(conn: Connection, pool: str | None = None) -> list[m.SecurityGroup]:
    """Security groups with their rules, by pool and id."""
    query = select(P.c.code.label("pool_code"), SG).join(P, P.c.id == SG.c.pool_id)
    if pool is not None:
        query = query.where(P.c.code == pool)
    return [
        security_group_record(r.pool_code, r)
        for r in conn.execute(query.order_by(P.c.code, SG.c.group_id))
    ]


def allocations(conn: Connection, pool: str | None = None) -> list[m.ProjectAllocation]:
    """Placement usages per project per pool, by pool and project id."""
    query = select(P.c.code.label("pool_code"), AL).join(P, P.c.id == AL.c.pool_id)
    if pool is not None:
        query = query.where(P.c.code == pool)
    return [
        allocation_record(r.pool_code, r)
        for r in conn.execute(query.order_by(P.c.code, AL.c.project_id))
    ]


# --- floating IP listings ---------------------------------------------------------------------


@dataclass(frozen=True)
class FipFilter:
    pool: str | None = None
    department: str | None = None  # department code, Chinese name or short name
    status: str | None = None  # case-insensitive
    attached: bool | None = None  # to a port; None: both
    limit: int | None = None


@dataclass(frozen=True)
class FipView:
    fip_id: str
    address: str
    pool: str
    department: str | None  # department code; None: no department declares the project
    department_zh: str | None
    department_en: str | None
    project_id: str
    project: str | None
    status: str
    network_id: str
    port_id: str | None
    fixed_address: str | None
    server_id: str | None
    server: str | None  # the server's name, when the store holds it
    created_at: datetime | None
    updated_at: datetime | None


def list_floating_ips(conn: Connection, f: FipFilter = FipFilter()) -> list[FipView]:
    """Floating IPs matching F, by pool, department and address."""
    query = (
        _fip_select()
        .where(*_fip_filters(f))
        .order_by(P.c.code, D.c.code.asc().nulls_last(), FIP.c.address, FIP.c.fip_id)
        .limit(f.limit)
    )
    return [view_of(FipView, r) for r in conn.execute(query)]


def _fip_filters(f: FipFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.pool:
        where.append(P.c.code == f.pool)
    if f.department:
        where.append(department_is(f.department))
    if f.status:
        where.append(func.upper(FIP.c.status) == f.status.upper())
    if f.attached is not None:
        where.append(FIP.c.port_id.is_not(None) if f.attached else FIP.c.port_id.is_(None))
    return where


def _fip_select() -> Any:
    columns = (FIP.c.fip_id, FIP.c.address, FIP.c.project_id, FIP.c.status, FIP.c.network_id)
    target = (FIP.c.port_id, FIP.c.fixed_address, FIP.c.server_id, S.c.name.label("server"))
    query = select(*columns, *owner_columns(), *target, FIP.c.created_at, FIP.c.updated_at)
    return owned_by(query.select_from(FIP), FIP).outerjoin(
        S, and_(S.c.pool_id == FIP.c.pool_id, S.c.server_id == FIP.c.server_id)
    )
