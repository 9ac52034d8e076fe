"""Read-only views over the store: pools, tenants (departments) and servers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from govcloud.adapters.store import declared_repo, observed_repo, quota_repo, storage_repo
from govcloud.core import address_capacity, lookup
from govcloud.core import usage_summary as usage
from govcloud.core.address_capacity import PublicAddresses
from govcloud.core.capacity import Allocated, PoolSummary, summarize_pool
from govcloud.core.listing import VmFilter, VmView
from govcloud.core.models import UNITS, Pool, QuotaResource
from govcloud.core.storage_capacity import StorageCapacity, storage_by_pool
from govcloud.core.tenancy import TenantSummary, summarize_tenant
from govcloud.core.utilization import WindowStats, trailing_window, window_stats
from govcloud.services.settings import Settings
from govcloud.services.store import opened

if TYPE_CHECKING:
    from sqlalchemy import Connection


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


def pool_summary(settings: Settings, ref: str) -> tuple[PoolSummary, list[StorageCapacity]]:
    """One pool (by code or name, any case) and its storage per volume type."""
    pools = _pools(settings)
    code = lookup.pool_code([_as_pool(s) for s, _ in pools], ref)
    return next((s, storage[1:]) for s, storage in pools if s.code == code)


def _as_pool(s: PoolSummary) -> Pool:
    """Enough of a pool for lookup by code and names."""
    return Pool(s.code, s.name_zh, s.name_en, s.cloud, s.region, s.security_zone, 0)


def public_addresses(settings: Settings, ref: str) -> PublicAddresses:
    """The public addresses of the pool's region, counted on the pool that holds them."""
    with opened(settings) as store, store.read() as conn:
        pools = declared_repo.read_pools(conn)
        capacity = observed_repo.capacity_by_pool(conn)
    code = lookup.pool_code(pools, ref)
    pool = next(p for p in pools if p.code == code)
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
    """One approved quota; RAM in GiB like every other table (OpenStack's MiB stay in the
    inventory and the plans), so `unit` says what `approved` counts."""

    pool: str
    project: str
    resource: str
    unit: str
    approved: float


def tenant_summary(settings: Settings, ref: str) -> tuple[TenantSummary, list[ProjectQuotaView]]:
    with opened(settings) as store, store.read() as conn:
        departments = declared_repo.read_departments(conn)
        code = lookup.department_code(departments, ref)
        dept = next(d for d in departments if d.code == code)
        allocated = observed_repo.allocated_by(conn, "department")
        systems = observed_repo.systems_per_department(conn)
    summary = summarize_tenant(
        dept, allocated.get(dept.code, Allocated()), systems.get(dept.code, 0)
    )
    quotas = [
        ProjectQuotaView(b.pool_code, b.project_name, r.value, *_in_table_unit(r, limit))
        for b in dept.projects
        for r, limit in b.approved_quota.items()
    ]
    return summary, quotas


def _in_table_unit(resource: QuotaResource, limit: int) -> tuple[str, float]:
    if resource is QuotaResource.RAM and limit >= 0:  # -1 (unlimited) stays -1
        gib = limit / 1024
        return "GiB", int(gib) if gib.is_integer() else round(gib, 1)
    return UNITS[resource], limit


def servers(settings: Settings, flt: VmFilter) -> list[VmView]:
    """Servers matching FLT; its department, pool and system may be codes or names in any
    case, and an unknown one is a NotFoundError naming the closest matches."""
    with opened(settings) as store, store.read() as conn:
        return observed_repo.list_servers(conn, resolve_filter(conn, flt))


def resolve_filter(conn: Connection, flt: VmFilter) -> VmFilter:
    """FLT with the department, pool and system the operator named replaced by their codes."""
    tenant, pool, system = flt.tenant, flt.pool, flt.system
    if tenant:
        tenant = lookup.department_code(declared_repo.read_departments(conn), tenant)
    if pool:
        pool = lookup.pool_code(declared_repo.read_pools(conn), pool)
    if system:
        system = _system_code(conn, system)
    return replace(flt, tenant=tenant, pool=pool, system=system)


def _system_code(conn: Connection, ref: str) -> str:
    """A declared system by code or name; else a code some live server carries undeclared."""
    tagged = observed_repo.list_servers(conn, VmFilter(system=ref.strip(), limit=1))
    undeclared = [ref.strip()] if tagged else []
    return lookup.system_code(declared_repo.read_systems(conn), ref, undeclared)


def store_is_empty(settings: Settings) -> bool:
    """Nothing declared and nothing synced: what a first run sees before `inventory load`.
    Asked only when a listing came back empty, so full listings pay nothing for it."""
    with opened(settings) as store, store.read() as conn:
        return not declared_repo.read_pools(conn) and not observed_repo.allocated_by(conn, "pool")


def server(settings: Settings, ref: str) -> tuple[VmView, list[dict[str, Any]]]:
    with opened(settings) as store, store.read() as conn:
        view = observed_repo.get_server(conn, ref)
        volumes = [dict(r._mapping) for r in observed_repo.volumes_of_server(conn, view.server_id)]
    return view, volumes


def server_utilization(
    settings: Settings, server_id: str, window_s: int = usage.WINDOW_S
) -> usage.VmUtilization | None:
    """P95 CPU and memory of one server over the window; None when the metrics store has none."""
    with opened(settings) as store, store.read() as conn:
        key = server_id.lower()  # how metrics key a server's series
        cpu, memory = (_window_stats(conn, metric, [key], window_s) for metric in _USAGE)
    return usage.vm_utilization(cpu.get(key), memory.get(key), window_s)


def tenant_utilization(
    settings: Settings, ref: str, window_s: int = usage.WINDOW_S
) -> usage.DepartmentUtilization | None:
    """A department's size-weighted P95 CPU and memory across its servers, and how many of them
    have data; None when none has."""
    with opened(settings) as store, store.read() as conn:
        code = lookup.department_code(declared_repo.read_departments(conn), ref)
        vms = observed_repo.list_servers(conn, VmFilter(tenant=code, limit=None))
        keys = [v.server_id.lower() for v in vms]
        cpu, memory = (_window_stats(conn, metric, keys, window_s) for metric in _USAGE)
    sized = [
        usage.SizedVm(v.vcpus, v.ram_gib, usage.vm_utilization(cpu.get(k), memory.get(k), window_s))
        for v, k in zip(vms, keys, strict=True)
    ]
    return usage.department_utilization(sized, window_s)


_USAGE = (usage.CPU, usage.MEMORY)


def _window_stats(
    conn: Connection, metric: str, keys: list[str], window_s: int
) -> dict[str, WindowStats]:
    import time

    if not keys:
        return {}
    end_ts, first_day, last_day = trailing_window(time.time(), window_s)
    from govcloud.adapters.store import metrics_repo  # only vm|tenant show read metrics

    series = metrics_repo.read_series(conn, metric, first_day, last_day, keys)
    return {k: window_stats(s, end_ts, window_s) for k, s in series.items()}
