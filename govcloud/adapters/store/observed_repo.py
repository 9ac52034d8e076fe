"""Reading observed state: aggregates for pool and tenant views, and server listings.

Aggregation happens in SQL (GROUP BY), so views stay fast at 100,000 servers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, select
from sqlalchemy.sql import ColumnElement

from govcloud.adapters.store import schema as t
from govcloud.adapters.store.owned import department_is, one_by_ref, owned_by, owner_columns
from govcloud.core.capacity import Allocated
from govcloud.core.listing import VmFilter, VmView
from govcloud.core.models import CapacityRecord, QuotaResource

S, V, P, PR, D = t.ServerRow, t.VolumeRow, t.PoolRow, t.ProjectRow, t.DepartmentRow
_LIVE_SERVER = S.c.deleted_at.is_(None)
_LIVE_VOLUME = V.c.deleted_at.is_(None)


def allocated_by(conn: Connection, key: str) -> dict[str, Allocated]:
    """Σ flavors of live servers and Σ live volume sizes, per pool code or department code."""
    group: Any = P.c.code if key == "pool" else D.c.code
    servers = (
        select(
            group, func.count(), func.sum(S.c.vcpus), func.sum(S.c.ram_mib), func.sum(S.c.disk_gib)
        )
        .select_from(S)
        .join(P, P.c.id == S.c.pool_id)
    )
    volumes = select(group, func.sum(V.c.size_gib)).select_from(V).join(P, P.c.id == V.c.pool_id)
    if key != "pool":
        servers = servers.join(
            PR, and_(PR.c.pool_id == S.c.pool_id, PR.c.project_id == S.c.project_id)
        )
        servers = servers.join(D, D.c.id == PR.c.department_id)
        volumes = volumes.join(
            PR, and_(PR.c.pool_id == V.c.pool_id, PR.c.project_id == V.c.project_id)
        )
        volumes = volumes.join(D, D.c.id == PR.c.department_id)
    vol: dict[str, int] = {
        r[0]: r[1] for r in conn.execute(volumes.where(_LIVE_VOLUME).group_by(group))
    }
    out: dict[str, Allocated] = {}
    for code, n, vcpus, ram, disk in conn.execute(servers.where(_LIVE_SERVER).group_by(group)):
        out[code] = Allocated(
            n, int(vcpus or 0), int(ram or 0), int(disk or 0), int(vol.get(code) or 0)
        )
    for code, gib in vol.items():
        out.setdefault(code, Allocated(volume_gib=int(gib or 0)))
    return out


def capacity_record(pool_code: str, r: Any) -> CapacityRecord:
    """A `pool_capacity` row as the core's record."""
    return CapacityRecord(
        pool_code,
        r.resource_class,
        r.total,
        r.reserved,
        r.allocation_ratio,
        r.used,
        r.provider_count,
    )


def capacity_by_pool(conn: Connection) -> dict[str, dict[str, CapacityRecord]]:
    c = t.PoolCapacityRow
    out: dict[str, dict[str, CapacityRecord]] = {}
    for r in conn.execute(select(P.c.code, c).join(P, P.c.id == c.c.pool_id)):
        out.setdefault(r.code, {})[r.resource_class] = capacity_record(r.code, r)
    return out


def committed_quota_by_pool(conn: Connection) -> dict[str, dict[QuotaResource, int | None]]:
    """Per pool, Σ of departments' quotas: the cloud's limit where synced, else the approved one.

    A limit of -1 (unlimited) makes the sum None: the promise has no bound.
    """
    b, a, q = t.ProjectBindingRow, t.ApprovedQuotaRow, t.QuotaRow
    observed: dict[tuple[int, str], int] = {}
    rows = conn.execute(
        select(b.c.id, q.c.resource, q.c.limit)
        .join(PR, and_(PR.c.pool_id == b.c.pool_id, PR.c.department_id == b.c.department_id))
        .join(q, and_(q.c.pool_id == PR.c.pool_id, q.c.project_id == PR.c.project_id))
    )
    for bid, resource, limit in rows:
        observed[(bid, resource)] = limit
    out: dict[str, dict[QuotaResource, int | None]] = {}
    for bid, pool_code, resource, approved in conn.execute(
        select(b.c.id, P.c.code, a.c.resource, a.c.limit)
        .join(a, a.c.binding_id == b.c.id)
        .join(P, P.c.id == b.c.pool_id)
    ):
        if resource not in QuotaResource._value2member_map_:
            continue  # a per-volume-type quota (`gigabytes_ssd`): part of the total, not a sum
        limit = observed.get((bid, resource), approved)
        per_pool = out.setdefault(pool_code, {})
        res = QuotaResource(resource)
        current = per_pool.get(res, 0)
        per_pool[res] = None if current is None or limit < 0 else current + limit
    return out


def systems_per_department(conn: Connection) -> dict[str, int]:
    bs = t.BusinessSystemRow
    q = select(D.c.code, func.count()).join(bs, bs.c.department_id == D.c.id).group_by(D.c.code)
    return {r[0]: r[1] for r in conn.execute(q)}


def _filters(f: VmFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [_LIVE_SERVER]
    if f.tenant:
        where.append(department_is(f.tenant))
    if f.pool:
        where.append(P.c.code == f.pool)
    if f.system:
        where.append(S.c.system_code == f.system)
    if f.status:
        where.append(func.upper(S.c.status) == f.status.upper())
    if f.flavor:
        where.append(S.c.flavor_name == f.flavor)
    return where


_SORT_COLUMNS: dict[str, Any] = {
    "name": S.c.name,
    "pool": P.c.code,
    "department": D.c.code,
    "project": PR.c.name,
    "system": S.c.system_code,
    "status": S.c.status,
    "flavor": S.c.flavor_name,
    "vcpus": S.c.vcpus,
    "ram_gib": S.c.ram_mib,
    "disk_gib": S.c.disk_gib,
    "host": S.c.host,
    "created_at": S.c.created_at,
    "server_id": S.c.server_id,
}


def list_servers(conn: Connection, f: VmFilter) -> list[VmView]:
    order = [
        (_SORT_COLUMNS[k].desc() if f.descending else _SORT_COLUMNS[k].asc()).nulls_last()
        for k in f.sort
    ]
    query = _server_select().where(*_filters(f)).order_by(*order, S.c.server_id).limit(f.limit)
    return [_view(r) for r in conn.execute(query)]


def get_server(conn: Connection, ref: str) -> VmView:
    """By id, id prefix (4+ characters) or exact name; an ambiguous match is an error."""
    query = _server_select().where(_LIVE_SERVER)
    row = one_by_ref(conn, query, S.c.server_id, S.c.name, ref, noun="server", command="vm list")
    return _view(row)


def _server_select() -> Any:
    identity = (
        S.c.server_id,
        S.c.name,
        S.c.project_id,
        S.c.system_code,
        S.c.status,
        S.c.flavor_name,
    )
    size = (S.c.vcpus, S.c.ram_mib, S.c.disk_gib)
    placed = (S.c.host, S.c.availability_zone, S.c.addresses, S.c.created_at)
    BS = t.BusinessSystemRow
    names = (BS.c.name_zh.label("system_zh"), BS.c.name_en.label("system_en"))
    query = select(*identity, *owner_columns(), *names, *size, *placed).select_from(S)
    return owned_by(query, S).outerjoin(BS, BS.c.code == S.c.system_code)


def _view(r: Any) -> VmView:
    return VmView(
        server_id=r.server_id,
        name=r.name,
        pool=r.pool,
        department=r.department,
        department_zh=r.department_zh,
        department_en=r.department_en,
        project_id=r.project_id,
        project=r.project,
        system=r.system_code,
        system_zh=r.system_zh or r.system_code,  # a tag no declared system has: the code
        system_en=r.system_en or r.system_code,
        status=r.status,
        flavor=r.flavor_name,
        vcpus=r.vcpus,
        ram_gib=round(r.ram_mib / 1024, 1),
        disk_gib=r.disk_gib,
        host=r.host,
        availability_zone=r.availability_zone,
        addresses=",".join(r.addresses or ()),
        created_at=r.created_at,
    )


def volumes_of_server(conn: Connection, server_id: str) -> Sequence[Any]:
    return conn.execute(
        select(V.c.volume_id, V.c.name, V.c.size_gib, V.c.status).where(
            V.c.attached_server_id == server_id, _LIVE_VOLUME
        )
    ).all()
