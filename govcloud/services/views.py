"""Read-only views over the store: pools, tenants (departments) and servers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from govcloud.adapters.store import declared_repo, observed_repo, quota_repo, storage_repo
from govcloud.core import address_capacity
from govcloud.core.address_capacity import PublicAddresses
from govcloud.core.capacity import Allocated, PoolSummary, summarize_pool
from govcloud.core.errors import NotFoundError
from govcloud.core.listing import VmFilter, VmView
from govcloud.core.models import Pool, QuotaResource
from govcloud.core.storage_capacity import StorageCapacity, storage_by_pool
from govcloud.core.tenancy import TenantSummary, summarize_tenant
from govcloud.services.settings import Settings
from govcloud.services.store import opened


def pool_summaries(settings: Settings) -> list[PoolSummary]:
    return [summary for summary, _ in _pools(settings)]


def _pools(settings: Settings) -> list[tuple[PoolSummary, list[StorageCapacity]]]:
    """Each pool's summary and its storage rows (the pool's, then one per volume type)."""
    with opened(settings) as store, store.read() as conn:
        pools = declared_repo.read_pools(conn)
        allocated = observed_repo.allocated_by(conn, "pool")
        capacity = observed_repo.capacity_by_pool(conn)
        committed = observed_repo.committed_quota_by_pool(conn)
        storage = read_storage(conn, pools, quota_repo.committed_by_pool(conn))
    out = []
    for p in pools:
        rows = storage.get(p.code, [])
        placement = {
            rc: r
            for rc, r in capacity.get(p.code, {}).items()
            if rc != address_capacity.PUBLIC_IPV4  # Neutron's count, shown apart
        }
        summary = summarize_pool(
            p,
            placement,
            allocated.get(p.code, Allocated()),
            # a pool nobody has a project in has promised nothing (not "unbounded")
            committed.get(p.code, dict.fromkeys(QuotaResource, 0)),
            rows[0] if rows else None,
        )
        out.append((summary, rows))
    return out


def pool_summary(settings: Settings, code: str) -> tuple[PoolSummary, list[StorageCapacity]]:
    """One pool's summary and its storage per volume type."""
    for summary, storage in _pools(settings):
        if summary.code == code:
            return summary, storage[1:]
    raise NotFoundError(f"no pool {code!r}", hint="`govcloud pool list` shows the declared pools")


def public_addresses(settings: Settings, code: str) -> PublicAddresses:
    """The public addresses of the pool's region, counted on the pool that holds them."""
    with opened(settings) as store, store.read() as conn:
        pools = declared_repo.read_pools(conn)
        capacity = observed_repo.capacity_by_pool(conn)
    pool = next((p for p in pools if p.code == code), None)
    if pool is None:
        raise NotFoundError(f"no pool {code!r}", hint="`govcloud pool list` shows the pools")
    region = [p for p in pools if (p.cloud, p.region) == (pool.cloud, pool.region)]
    holder = address_capacity.holder(
        [(p.code, bool(p.availability_zone or p.aggregate)) for p in region]
    )
    record = capacity.get(holder or code, {}).get(address_capacity.PUBLIC_IPV4)
    return address_capacity.public_view(f"{pool.cloud}/{pool.region}", holder or code, record)


def read_storage(
    conn: Any, pools: Sequence[Pool], committed: dict[str, dict[QuotaResource, tuple[int, int]]]
) -> dict[str, list[StorageCapacity]]:
    """Storage capacity and promises per pool, from one read connection."""
    gib = QuotaResource.GIGABYTES
    return storage_by_pool(
        pools,
        declared_repo.read_departments(conn),
        storage_repo.backends(conn),
        storage_repo.volume_types(conn),
        storage_repo.type_quotas(conn),
        {code: sums[gib] for code, sums in committed.items() if gib in sums},
        storage_repo.bound_project_ids(conn),
    )


def tenant_summaries(settings: Settings) -> list[TenantSummary]:
    with opened(settings) as store, store.read() as conn:
        departments = declared_repo.read_departments(conn)
        allocated = observed_repo.allocated_by(conn, "department")
        systems = observed_repo.systems_per_department(conn)
    return [
        summarize_tenant(d, allocated.get(d.code, Allocated()), systems.get(d.code, 0))
        for d in departments
    ]


@dataclass(frozen=True)
class ProjectQuotaView:
    pool: str
    project: str
    resource: str
    approved: int


def tenant_summary(settings: Settings, ref: str) -> tuple[TenantSummary, list[ProjectQuotaView]]:
    with opened(settings) as store, store.read() as conn:
        departments = declared_repo.read_departments(conn)
        dept = next(
            (d for d in departments if ref in (d.code, d.short_zh, d.name_zh, d.name_en)), None
        )
        if dept is None:
            raise NotFoundError(
                f"no department {ref!r}", hint="`govcloud tenant list` shows codes and names"
            )
        allocated = observed_repo.allocated_by(conn, "department")
        systems = observed_repo.systems_per_department(conn)
    summary = summarize_tenant(
        dept, allocated.get(dept.code, Allocated()), systems.get(dept.code, 0)
    )
    quotas = [
        ProjectQuotaView(b.pool_code, b.project_name, r.value, limit)
        for b in dept.projects
        for r, limit in b.approved_quota.items()
    ]
    return summary, quotas


def servers(settings: Settings, flt: VmFilter) -> list[VmView]:
    with opened(settings) as store, store.read() as conn:
        return observed_repo.list_servers(conn, flt)


def server(settings: Settings, ref: str) -> tuple[VmView, list[dict[str, Any]]]:
    with opened(settings) as store, store.read() as conn:
        view = observed_repo.get_server(conn, ref)
        volumes = [dict(r._mapping) for r in observed_repo.volumes_of_server(conn, view.server_id)]
    return view, volumes
