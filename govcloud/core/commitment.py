"""What a pool holds and what was promised in it, from one AuditData: the arithmetic the
`pool-overcommit` and `pool-headroom` checks and the capacity report share (storage through
`storage_capacity`, as `pool show` and `quota check` compute it), with the rule
`quota check` applies in the store (a department's quota is the cloud's limit where sync has
seen it, else the approved one; -1 is counted apart as unlimited).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from govcloud.core import storage_capacity as sc
from govcloud.core.audit_data import AuditData
from govcloud.core.capacity import Allocated, held_on_hypervisors
from govcloud.core.models import Project, ProjectBinding, QuotaResource, QuotaUsage
from govcloud.core.storage_capacity import StorageCapacity


def allocated_by_pool(data: AuditData) -> dict[str, Allocated]:
    """Per pool, what its hypervisors hold (Placement's usage where synced, else Σ flavors of
    live servers) and Σ volume sizes: as `pool show` and `quota check` count them."""
    out: dict[str, list[int]] = {code: [0, 0, 0, 0, 0] for code in data.capacity}
    for s in data.servers:
        a = out.setdefault(s.pool_code, [0, 0, 0, 0, 0])
        a[0] += 1
        a[1] += s.vcpus
        a[2] += s.ram_mib
        a[3] += s.disk_gib
    for v in data.volumes:
        out.setdefault(v.pool_code, [0, 0, 0, 0, 0])[4] += v.size_gib
    return {
        code: held_on_hypervisors(Allocated(*sums), data.capacity.get(code, {}))
        for code, sums in out.items()
    }


def committed_quota(
    data: AuditData, pool_code: str
) -> tuple[dict[QuotaResource, int], dict[QuotaResource, int]]:
    """(Σ bounded quotas, count of unlimited ones) of departments' projects in POOL_CODE.

    A department's quota is the cloud's limit where sync has seen it, else the approved one —
    the same rule `quota check` applies in the store.
    """
    limits = quota_index(data.quotas)
    committed: dict[QuotaResource, int] = {}
    unlimited: dict[QuotaResource, int] = {}
    for dept in data.departments:
        for binding in dept.projects:
            if binding.pool_code != pool_code:
                continue
            project_id = _bound_project_id(data, binding)
            for resource, approved in binding.approved_quota.items():
                q = limits.get((pool_code, project_id or "", resource))
                limit = approved if q is None else q.limit
                if limit < 0:
                    unlimited[resource] = unlimited.get(resource, 0) + 1
                else:
                    committed[resource] = committed.get(resource, 0) + limit
    return committed, unlimited


def quota_index(quotas: Iterable[QuotaUsage]) -> dict[tuple[str, str, QuotaResource], QuotaUsage]:
    return {(q.pool_code, q.project_id, q.resource): q for q in quotas}


def _bound_project_id(data: AuditData, binding: ProjectBinding) -> str | None:
    if binding.project_id:
        return binding.project_id
    candidates: list[Project] = [
        p
        for p in data.projects
        if p.pool_code == binding.pool_code and p.department_code == binding.department_code
    ]
    named = [p for p in candidates if p.name == binding.project_name]
    chosen = named or candidates
    return chosen[0].project_id if chosen else None


def promised(
    committed: Mapping[QuotaResource, int],
    unlimited: Mapping[QuotaResource, int],
    resource: QuotaResource,
) -> int | None:
    """Σ quota of RESOURCE; None when some project may use the pool without limit."""
    return None if unlimited.get(resource) else committed.get(resource, 0)


def storage_by_pool(data: AuditData) -> dict[str, list[StorageCapacity]]:
    """Per pool: its storage row, then one row per volume type (`storage_capacity`'s arithmetic,
    the same `pool show` and `quota check` use), computed once per AuditData."""
    key = ("commitment.storage_by_pool",)
    cached = data.memo.get(key)
    if cached is None:
        gib = QuotaResource.GIGABYTES
        committed: dict[str, tuple[int, int]] = {}
        bound: dict[tuple[str, str], str] = {}
        for pool in data.pools:
            total, unlimited = committed_quota(data, pool.code)
            if gib in total or gib in unlimited:
                committed[pool.code] = (total.get(gib, 0), unlimited.get(gib, 0))
        for dept in data.departments:
            for binding in dept.projects:
                project_id = _bound_project_id(data, binding)
                if project_id is not None:
                    bound.setdefault((binding.pool_code, binding.department_code), project_id)
        cached = data.memo[key] = sc.storage_by_pool(
            data.pools,
            data.departments,
            data.backends,
            data.volume_types,
            data.type_quotas,
            committed,
            bound,
        )
    result: dict[str, list[StorageCapacity]] = cached
    return result
