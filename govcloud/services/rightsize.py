"""`govcloud rightsize`: per-VM recommendations over the trailing window, with reclaimable totals
per department and pool. Recommends only; resizing is a separate, approved change."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pydantic

from govcloud.core import models as m
from govcloud.core.audit_data import AuditData
from govcloud.core.errors import UsageError
from govcloud.core.findings import Text, department_names
from govcloud.core.lookup import department_code, pool_code
from govcloud.core.recommendation import Recommendation
from govcloud.core.rightsizing import ReclaimTotal, RightsizeParams, recommend, totals
from govcloud.services.audit import AuditDataReader, read_audit_data
from govcloud.services.settings import Settings
from govcloud.services.store import opened


@dataclass(frozen=True)
class RightsizeResult:
    recommendations: list[Recommendation]
    by_department: list[ReclaimTotal]
    by_pool: list[ReclaimTotal]
    window_s: int
    params: RightsizeParams
    # code -> declared names (short_zh, name_en), for tables that name departments
    department_names: Mapping[str, Text] = dataclasses.field(default_factory=dict)


def parse_params(params: RightsizeParams | Mapping[str, Any] | None) -> RightsizeParams:
    if isinstance(params, RightsizeParams):
        return params
    try:
        return RightsizeParams.model_validate(dict(params or {}))
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise UsageError(
            f"rightsize {where}: {err['msg']}", hint="`govcloud playbook schema` lists the bounds"
        ) from None


def rightsize(
    settings: Settings,
    *,
    tenant: str | None = None,
    pool: str | None = None,
    window_s: int,
    params: RightsizeParams | Mapping[str, Any] | None = None,
    now: datetime | None = None,
    reader: AuditDataReader | None = None,
) -> RightsizeResult:
    chosen = parse_params(params)
    with opened(settings) as store, store.read() as conn:
        data = (reader or read_audit_data)(conn, now or datetime.now(UTC), window_s)
    data = scoped(data, tenant=tenant, pool=pool)
    recs = sorted(
        recommend(data, chosen),
        key=lambda r: (-r.reclaim.vcpus, -r.reclaim.ram_mib, r.pool, r.department or "", r.name),
    )
    names = department_names(data.departments)
    return RightsizeResult(
        recs, totals(recs, "department"), totals(recs, "pool"), window_s, chosen, names
    )


def scoped(data: AuditData, *, tenant: str | None, pool: str | None) -> AuditData:
    """Only the servers of one department and/or pool (unknown names: NotFoundError + hint)."""
    servers: Sequence[m.Server] = data.servers
    if pool is not None:
        code = pool_code(data.pools, pool)
        servers = [s for s in servers if s.pool_code == code]
    if tenant is not None:
        code = _department_code(data, tenant)
        servers = [s for s in servers if data.department_of(s.pool_code, s.project_id) == code]
    return dataclasses.replace(data, servers=tuple(servers))


def _department_code(data: AuditData, ref: str) -> str:
    return department_code(data.departments, ref)
