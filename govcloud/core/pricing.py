"""Money: which declared unit price applied, monthly bills per department, and yuan per year.

Unit prices are what the bureau pays its cloud operator per unit and month (GB/T 34077.2
metering); they change yearly, so each carries a validity period [valid_from, valid_to), as
OpenStack CloudKitty's rating rules do. Resolution for (resource, pool, date):

1. a volume of type T is priced by `volume_gib:T` when one is declared, else by `volume_gib`;
2. a price for the pool beats a price without a pool (the general rate);
3. among prices of the same rank valid on that date, the one that started last wins.

Every charge line names the price it used (`price_id`). A resource with no declared price has
amount None ("no price declared"), never 0: a bill must not look paid when it is unknown.

Bills are shown two ways, both computed: *allocated* (Σ flavors of live servers and Σ volume
GiB, what departments hold) and *quota* (approved quota, the basis some bureaus bill on). Idle
cost (VMs that `idle`/`zombie` findings name) is its own line, and capacity nobody holds is the
pool's unallocated (shared) cost rather than being spread silently over departments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from govcloud.core import models as m
from govcloud.core.audit_data import AuditData
from govcloud.core.capacity import MEMORY_MB, VCPU, usable_capacity
from govcloud.core.findings import Finding, Reclaim, SubjectType

MONTHS_PER_YEAR = 12
IDLE_CHECKS = ("idle", "zombie")

ALLOCATED, QUOTA, IDLE, UNALLOCATED = "allocated", "quota", "idle", "unallocated"


def price_id(price: m.UnitPrice) -> str:
    """A readable, stable name for a declared price: resource@pool:from..to."""
    until = price.valid_to.isoformat() if price.valid_to else ""
    return f"{price.resource}@{price.pool_code or '*'}:{price.valid_from.isoformat()}..{until}"


def _valid(price: m.UnitPrice, on: date) -> bool:
    return price.valid_from <= on and (price.valid_to is None or on < price.valid_to)


def resolve_price(
    prices: Iterable[m.UnitPrice], resource: str, pool_code: str, on: date
) -> m.UnitPrice | None:
    """The price of RESOURCE in POOL on day ON; None: no price declared."""
    best: tuple[int, date] | None = None
    chosen: m.UnitPrice | None = None
    for p in prices:
        if p.resource != resource or not _valid(p, on):
            continue
        if p.pool_code is not None and p.pool_code != pool_code:
            continue
        rank = (1 if p.pool_code == pool_code else 0, p.valid_from)
        if best is None or rank > best:
            best, chosen = rank, p
    return chosen


def resolve_volume_price(
    prices: Sequence[m.UnitPrice], volume_type: str | None, pool_code: str, on: date
) -> tuple[str, m.UnitPrice | None]:
    """(resource key charged, price): the type's own price first, then the general GiB price."""
    if volume_type:
        typed = f"volume_gib:{volume_type}"
        found = resolve_price(prices, typed, pool_code, on)
        if found is not None:
            return typed, found
    return "volume_gib", resolve_price(prices, "volume_gib", pool_code, on)


@dataclass(frozen=True)
class ChargeLine:
    """QUANTITY units of RESOURCE for a month; amount None: no price declared."""

    basis: str  # allocated | quota | idle | unallocated
    department: str | None  # None: the pool's shared (unallocated) capacity
    pool: str
    resource: str  # vcpu | ram_gib | volume_gib[:type]
    quantity: float | None  # None: unlimited quota, cannot be priced
    yuan_per_unit_month: float | None
    yuan_per_month: float | None
    price_id: str | None


def _line(
    basis: str,
    dept: str | None,
    pool: str,
    resource: str,
    quantity: float | None,
    price: m.UnitPrice | None,
) -> ChargeLine:
    amount = None
    if price is not None and quantity is not None:
        amount = round(quantity * price.yuan_per_month, 2)
    return ChargeLine(
        basis,
        dept,
        pool,
        resource,
        None if quantity is None else round(quantity, 3),
        None if price is None else price.yuan_per_month,
        amount,
        None if price is None else price_id(price),
    )


def total_yuan(lines: Iterable[ChargeLine]) -> float | None:
    """Σ of the priced lines; None when no line has a price."""
    amounts = [ln.yuan_per_month for ln in lines if ln.yuan_per_month is not None]
    return round(sum(amounts), 2) if amounts else None


def unpriced(lines: Iterable[ChargeLine]) -> list[str]:
    """Resources held (quantity > 0 or unlimited) that no declared price covers."""
    return sorted(
        {
            ln.resource
            for ln in lines
            if ln.yuan_per_month is None and (ln.quantity is None or ln.quantity > 0)
        }
    )


def billing_day(data: AuditData) -> date:
    """Bills use the prices valid on the audit's end date."""
    return data.now.date()


def allocated_lines(data: AuditData, on: date | None = None) -> list[ChargeLine]:
    """Per department and pool: vCPU and RAM GiB of live servers, volume GiB by type."""
    day = on or billing_day(data)
    held: dict[tuple[str | None, str, str], float] = {}
    vol_price: dict[tuple[str | None, str, str], m.UnitPrice | None] = {}
    for s in data.servers:
        dept = data.department_of(s.pool_code, s.project_id)
        _add(held, (dept, s.pool_code, "vcpu"), s.vcpus)
        _add(held, (dept, s.pool_code, "ram_gib"), s.ram_mib / 1024)
    for v in data.volumes:
        dept = data.department_of(v.pool_code, v.project_id)
        resource, price = resolve_volume_price(data.prices, v.volume_type, v.pool_code, day)
        _add(held, (dept, v.pool_code, resource), v.size_gib)
        vol_price[(dept, v.pool_code, resource)] = price
    lines = []
    for (dept, pool, resource), qty in sorted(held.items(), key=_key_order):
        if resource.startswith("volume_gib"):
            price = vol_price[(dept, pool, resource)]
        else:
            price = resolve_price(data.prices, resource, pool, day)
        lines.append(_line(ALLOCATED, dept, pool, resource, qty, price))
    return lines


def quota_lines(data: AuditData, on: date | None = None) -> list[ChargeLine]:
    """Per department and pool: approved quota (cores, RAM, volume GiB) at the same prices."""
    day = on or billing_day(data)
    lines = []
    for dept in data.departments:
        totals: dict[tuple[str, str], float | None] = {}
        for b in dept.projects:
            for resource, limit in b.approved_quota.items():
                key = _QUOTA_RESOURCE.get(resource)
                if key is None:
                    continue
                qty = None if limit < 0 else (limit / 1024 if key == "ram_gib" else limit)
                prev = totals.get((b.pool_code, key), 0.0)
                totals[(b.pool_code, key)] = None if prev is None or qty is None else prev + qty
        for (pool, key), qty in sorted(totals.items()):
            price = resolve_price(data.prices, key, pool, day)
            lines.append(_line(QUOTA, dept.code, pool, key, qty, price))
    return lines


_QUOTA_RESOURCE = {
    m.QuotaResource.CORES: "vcpu",
    m.QuotaResource.RAM: "ram_gib",
    m.QuotaResource.GIGABYTES: "volume_gib",
}


def idle_lines(
    data: AuditData, findings: Sequence[Finding], on: date | None = None
) -> list[ChargeLine]:
    """What VMs named by idle/zombie findings cost per month (a part of the allocated bill)."""
    day = on or billing_day(data)
    held: dict[tuple[str | None, str, str], float] = {}
    seen: set[str] = set()
    for f in findings:
        if f.check not in IDLE_CHECKS or f.subject_type is not SubjectType.VM:
            continue
        if f.subject_id in seen:
            continue
        seen.add(f.subject_id)
        server = data.servers_by_id.get(f.subject_id)
        pool = server.pool_code if server else f.pool
        if pool is None:
            continue
        vcpus = server.vcpus if server else f.reclaim.vcpus
        ram_mib = server.ram_mib if server else f.reclaim.ram_mib
        _add(held, (f.department, pool, "vcpu"), vcpus)
        _add(held, (f.department, pool, "ram_gib"), ram_mib / 1024)
    return [
        _line(IDLE, dept, pool, res, qty, resolve_price(data.prices, res, pool, day))
        for (dept, pool, res), qty in sorted(held.items(), key=_key_order)
    ]


def unallocated_lines(data: AuditData, on: date | None = None) -> list[ChargeLine]:
    """Per pool: usable capacity nobody holds, priced as the pool's shared cost."""
    day = on or billing_day(data)
    used_vcpu: dict[str, int] = {}
    used_ram: dict[str, int] = {}
    for s in data.servers:
        used_vcpu[s.pool_code] = used_vcpu.get(s.pool_code, 0) + s.vcpus
        used_ram[s.pool_code] = used_ram.get(s.pool_code, 0) + s.ram_mib
    lines = []
    for pool in data.pools:
        cap = data.capacity.get(pool.code, {})
        vcpu_cap, _ = usable_capacity(pool, cap.get(VCPU), "cpu")
        ram_cap, _ = usable_capacity(pool, cap.get(MEMORY_MB), "ram")
        if vcpu_cap is not None:
            free = max(vcpu_cap - pool.reserve.vcpu - used_vcpu.get(pool.code, 0), 0)
            price = resolve_price(data.prices, "vcpu", pool.code, day)
            lines.append(_line(UNALLOCATED, None, pool.code, "vcpu", free, price))
        if ram_cap is not None:
            free_mib = max(ram_cap - pool.reserve.ram_mib - used_ram.get(pool.code, 0), 0)
            price = resolve_price(data.prices, "ram_gib", pool.code, day)
            lines.append(_line(UNALLOCATED, None, pool.code, "ram_gib", free_mib / 1024, price))
    return lines


def reclaim_yuan_per_year(
    reclaim: Reclaim, pool: str, prices: Sequence[m.UnitPrice], on: date
) -> float | None:
    """Yuan per year that RECLAIM would save in POOL; None when a needed price is missing."""
    parts = (
        ("vcpu", float(reclaim.vcpus)),
        ("ram_gib", reclaim.ram_mib / 1024),
        ("volume_gib", float(reclaim.volume_gib)),
    )
    total = 0.0
    for resource, qty in parts:
        if qty <= 0:
            continue
        price = resolve_price(prices, resource, pool, on)
        if price is None:
            return None
        total += qty * price.yuan_per_month
    return round(total * MONTHS_PER_YEAR, 2)


def sum_yuan(values: Iterable[float | None]) -> float | None:
    """Σ of known amounts; None when none is known."""
    known = [v for v in values if v is not None]
    return round(sum(known), 2) if known else None


def prices_applied(lines: Iterable[ChargeLine]) -> list[str]:
    return sorted({ln.price_id for ln in lines if ln.price_id})


def by_department(lines: Iterable[ChargeLine]) -> Mapping[str | None, list[ChargeLine]]:
    out: dict[str | None, list[ChargeLine]] = {}
    for ln in lines:
        out.setdefault(ln.department, []).append(ln)
    return out


def _add(
    acc: dict[tuple[str | None, str, str], float], key: tuple[str | None, str, str], q: float
) -> None:
    acc[key] = acc.get(key, 0.0) + q


def _key_order(item: tuple[tuple[str | None, str, str], float]) -> tuple[str, str, str]:
    (dept, pool, resource), _ = item
    return (dept or "\uffff", pool, resource)
