"""`quota check`: per pool, what departments were promised and what their servers hold, against
what the pool can hold.

Capacity is Placement's rule, (total - reserved) x allocation ratio, minus the pool's own
failover reserve. Promising more than that (Σ quotas) is common and only risky; allocating more
than that (Σ flavors of live servers) means the reserve is being eaten, and allocating more than
Placement's own limit means the ratio was raised behind the pool file's back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from govcloud.core.address_capacity import NO_PUBLIC, from_record
from govcloud.core.capacity import (
    MEMORY_MB,
    VCPU,
    Allocated,
    held_on_hypervisors,
    pct,
    usable_capacity,
)
from govcloud.core.models import UNITS, CapacityRecord, Pool, QuotaResource, split_wire_name
from govcloud.core.severity import Severity, at_or_above_rank
from govcloud.core.severity import parse_severity as parse_severity
from govcloud.core.storage_capacity import StorageCapacity

DANGER_PCT, FULL_PCT = 80.0, 90.0  # Skyline: 危险, 爆满


@dataclass(frozen=True)
class PoolQuotaCheck:
    pool: str
    pool_zh: str
    pool_en: str
    resource: str  # cores | ram
    unit: str  # vCPU | GiB (ram is judged in MiB, shown in GiB)
    capacity_source: str  # placement | declared | unknown
    ratio: float | None
    placement_limit: int | None  # (total - reserved) x ratio
    reserve: int
    capacity: int | None  # placement_limit - the pool's reserve
    quota_committed: int  # Σ of bounded limits; unlimited ones are counted apart
    unlimited_projects: int
    quota_pct: float | None
    allocated: int
    allocated_pct: float | None
    severity: Severity
    finding: str
    # storage rows (resource `gigabytes` or `gigabytes_<type>`): Cinder's figures
    approved: int | None = None  # Σ approved, for review beside Σ quotas
    provisioned: int | None = None  # what the capacity filter counts on thin backends


_KINDS = {
    QuotaResource.CORES: ("cpu", VCPU, "vCPU", 1),
    QuotaResource.RAM: ("ram", MEMORY_MB, "GiB", 1024),
}


def check_pool(
    pool: Pool,
    capacity: Mapping[str, CapacityRecord],
    allocated: Allocated,
    committed: Mapping[QuotaResource, int],
    unlimited: Mapping[QuotaResource, int],
) -> list[PoolQuotaCheck]:
    """One row per capacity-bound resource (cores, ram) of POOL.

    COMMITTED is Σ of departments' bounded quotas per resource; UNLIMITED counts their projects
    with a limit of -1 (no bound at all).
    """
    rows = []
    allocated = held_on_hypervisors(allocated, capacity)
    for resource, (kind, rc, unit, scale) in _KINDS.items():
        record = capacity.get(rc)
        limit, ratio = usable_capacity(pool, record, kind)
        reserve = pool.reserve.vcpu if resource is QuotaResource.CORES else pool.reserve.ram_mib
        cap = None if limit is None else limit - reserve
        used = allocated.vcpus if resource is QuotaResource.CORES else allocated.ram_mib
        quota = committed.get(resource, 0)
        n = _Units(unit, scale)
        severity, finding = _judge(n, limit, cap, quota, unlimited.get(resource, 0), used)
        rows.append(
            PoolQuotaCheck(
                pool=pool.code,
                pool_zh=pool.name_zh,
                pool_en=pool.name_en,
                resource=resource.value,
                unit=unit,
                capacity_source="placement" if record else "declared" if limit else "unknown",
                ratio=ratio,
                placement_limit=n.scaled(limit),
                reserve=reserve // scale,
                capacity=n.scaled(cap),
                quota_committed=quota // scale,
                unlimited_projects=unlimited.get(resource, 0),
                quota_pct=pct(quota, cap),
                allocated=used // scale,
                allocated_pct=pct(used, cap),
                severity=severity,
                finding=finding,
            )
        )
    return rows


@dataclass(frozen=True)
class _Units:
    name: str
    scale: int

    def scaled(self, value: int | None) -> int | None:
        return None if value is None else value // self.scale

    def __call__(self, value: int, unit: bool = False) -> str:
        return f"{value // self.scale:,}" + (f" {self.name}" if unit else "")


def _judge(
    n: _Units, limit: int | None, cap: int | None, quota: int, unlimited: int, used: int
) -> tuple[Severity, str]:
    if limit is None or cap is None:
        return Severity.INFO, "capacity unknown: run `govcloud sync` or declare physical capacity"
    found = [_judge_allocated(n, limit, cap, used), _judge_quota(n, limit, cap, quota)]
    if unlimited:
        found.append((Severity.HIGH, f"{unlimited} project(s) have no limit (-1)"))
    found = [f for f in found if f[0] is not Severity.OK]
    if not found:
        return Severity.OK, ""
    worst = max(found, key=lambda f: f[0].rank)[0]
    return worst, "; ".join(text for _, text in sorted(found, key=lambda f: -f[0].rank))


def _judge_allocated(n: _Units, limit: int, cap: int, used: int) -> tuple[Severity, str]:
    """Findings name capacity first, the figure the table shows under the same word; the
    limit before the reserve (the --long column) follows in brackets where it was crossed."""
    share = pct(used, cap)
    if used > limit:
        return (
            Severity.CRITICAL,
            f"allocated {n(used, True)} exceeds capacity {n(cap)} "
            f"(limit before reserve {n(limit)})",
        )
    if used > cap:
        return Severity.HIGH, f"allocated {n(used, True)} eats into the reserve (capacity {n(cap)})"
    if share is not None and share >= FULL_PCT:
        return Severity.MEDIUM, f"allocated {share:.1f}% of capacity"
    if share is not None and share >= DANGER_PCT:
        return Severity.LOW, f"allocated {share:.1f}% of capacity"
    return Severity.OK, ""


def _judge_quota(n: _Units, limit: int, cap: int, quota: int) -> tuple[Severity, str]:
    if quota > limit:
        return (
            Severity.HIGH,
            f"Σ quotas {n(quota, True)} exceed capacity {n(cap)} (limit before reserve {n(limit)})",
        )
    if quota > cap:
        return Severity.MEDIUM, f"Σ quotas {n(quota, True)} exceed capacity {n(cap)}"
    return Severity.OK, ""


def check_storage(pool: Pool, cap: StorageCapacity) -> PoolQuotaCheck:
    """A storage row of `quota check`: the pool's (`gigabytes`) or one volume type's
    (`gigabytes_<type>`), judged like cores against Cinder's usable capacity.

    What is held is the provisioned GiB (Cinder's capacity filter counts it on thin backends;
    allocated where not reported). Per type, -1 is Cinder's default and bounded by the
    project's total, so it is no finding; an approved Σ above capacity is one even where the
    cloud's limits are lower (the next `quota apply` would write it).
    """
    n = _Units("GiB", 1)
    limit, usable = _floor(cap.limit_gib), _floor(cap.usable_gib)
    held = cap.provisioned_gib if cap.provisioned_gib is not None else cap.allocated_gib
    used = _floor(held) or 0
    per_type = cap.volume_type is not None
    unlimited = 0 if per_type else cap.unlimited_projects
    if limit is None or usable is None:
        severity, finding = (
            Severity.INFO,
            "storage capacity unknown: " + (cap.note or "run `govcloud sync`"),
        )
    else:
        severity, finding = _judge(n, limit, usable, cap.quota_gib, unlimited, used)
        if cap.approved_gib > usable and cap.approved_gib != cap.quota_gib:
            extra = f"Σ approved {n(cap.approved_gib, True)} exceed capacity {n(usable)}"
            worst = severity if severity.rank >= Severity.MEDIUM.rank else Severity.MEDIUM
            severity, finding = worst, "; ".join(f for f in (finding, extra) if f)
    return PoolQuotaCheck(
        pool=pool.code,
        pool_zh=pool.name_zh,
        pool_en=pool.name_en,
        resource="gigabytes" + (f"_{cap.volume_type}" if per_type else ""),
        unit="GiB",
        capacity_source="cinder" if usable is not None else "unknown",
        ratio=cap.ratio,
        placement_limit=limit,
        reserve=_floor(cap.reserve_gib) or 0,
        capacity=usable,
        quota_committed=cap.quota_gib,
        unlimited_projects=cap.unlimited_projects,
        quota_pct=pct(cap.quota_gib, usable),
        allocated=_floor(cap.allocated_gib) or 0,
        allocated_pct=pct(used, usable),
        severity=severity,
        finding=finding,
        approved=cap.approved_gib,
        provisioned=_floor(held),
    )


def check_public(
    pool: Pool, region: str, record: CapacityRecord | None, quota: int, unlimited: int
) -> PoolQuotaCheck:
    """The `floatingip` row of a region, on the pool holding its public addresses: Σ of the
    `floatingip` quotas of all the region's pools (each pool's departments draw on the same
    external networks) against the IPv4 addresses floating IPs can still take (the allocation
    pools less what router gateways hold)."""
    n = _Units("IPv4", 1)
    count = None if record is None else from_record(record)
    cap = None if count is None or not count.subnets else count.total - count.held
    if count is None:
        severity, finding = (
            Severity.INFO,
            f"public addresses of {region} unknown: run `govcloud sync` (with a network service)",
        )
    elif cap is None:
        severity, finding = Severity.INFO, f"{region}: {NO_PUBLIC}"
    else:
        found = [_judge_allocated(n, cap, cap, count.floating)]
        if quota > cap:
            found.append(
                (
                    Severity.HIGH,
                    f"Σ floatingip quotas of {region} {n(quota, True)} exceed its public"
                    f" addresses {n(cap)}",
                )
            )
        if unlimited:
            found.append((Severity.HIGH, f"{unlimited} project(s) have no floatingip limit (-1)"))
        found = [f for f in found if f[0] is not Severity.OK]
        severity = max((f[0] for f in found), key=lambda s: s.rank, default=Severity.OK)
        finding = "; ".join(t for _, t in sorted(found, key=lambda f: -f[0].rank))
    return PoolQuotaCheck(
        pool=pool.code,
        pool_zh=pool.name_zh,
        pool_en=pool.name_en,
        resource=QuotaResource.FLOATINGIP.value,
        unit="IPv4",
        capacity_source="neutron" if count is not None else "unknown",
        ratio=None,
        placement_limit=count.total if count is not None and count.subnets else None,
        reserve=count.held if count is not None else 0,
        capacity=cap,
        quota_committed=quota,
        unlimited_projects=unlimited,
        quota_pct=pct(quota, cap),
        allocated=count.floating if count is not None else 0,
        allocated_pct=pct(count.floating, cap) if count is not None else None,
        severity=severity,
        finding=finding,
    )


def _floor(value: float | None) -> int | None:
    return None if value is None else int(value)


def at_or_above(rows: list[PoolQuotaCheck], threshold: Severity) -> list[PoolQuotaCheck]:
    return [r for r in rows if at_or_above_rank(r.severity, threshold)]


# --- Keystone unified limits -------------------------------------------------------------------

_UNIFIED_HEAD, _UNIFIED_TAIL = "quota limits for ", " come from Keystone unified limits"
UNIFIED_HINT = "read-only here: change them in Keystone (`openstack limit set`)"


def unified_note(services: Iterable[str]) -> str:
    """What sync records of a region whose quota limits Keystone keeps; parsed back by
    `unified_services` (the note is the record: no schema for it)."""
    return f"{_UNIFIED_HEAD}{', '.join(sorted(services))}{_UNIFIED_TAIL}; {UNIFIED_HINT}"


def unified_services(notes: Iterable[str]) -> frozenset[str]:
    """The quota services a sync run's notes say Keystone keeps the limits of."""
    out: set[str] = set()
    for note in notes:
        head, sep, _ = note.partition(_UNIFIED_TAIL)
        if sep and head.startswith(_UNIFIED_HEAD):
            out.update(s.strip() for s in head[len(_UNIFIED_HEAD) :].split(","))
    return frozenset(s for s in out if s)


# --- `quota show` -----------------------------------------------------------------------------

UNDECLARED = "-"  # department of a project that no department declares


@dataclass(frozen=True)
class QuotaView:
    pool: str
    department: str
    department_zh: str
    department_en: str
    project: str
    project_id: str | None
    resource: str
    unit: str
    approved: int | None  # declared; None: nobody declares the project
    limit: int | None  # the cloud's; -1 unlimited, None: not synced yet
    in_use: int | None
    reserved: int | None
    used_pct: float | None
    drift: bool  # the cloud's limit differs from the approved one
    # where the limit comes from: the service's quota API, or Keystone (unified limits: the
    # service answers with Keystone's numbers; govcloud never writes them)
    limit_from: str = "service"


def quota_view(
    pool: str,
    department: str | None,
    department_zh: str | None,
    department_en: str | None,
    project: str | None,
    project_id: str | None,
    resource: str,
    approved: int | None,
    limit: int | None,
    in_use: int | None,
    reserved: int | None,
) -> QuotaView:
    res, _ = split_wire_name(resource)  # `gigabytes_ssd`: a per-volume-type quota
    bounded = limit is not None and limit >= 0
    return QuotaView(
        pool=pool,
        department=department or UNDECLARED,
        department_zh=department_zh or UNDECLARED,
        department_en=department_en or UNDECLARED,
        project=project or project_id or UNDECLARED,
        project_id=project_id,
        resource=resource,
        unit=UNITS[res],
        approved=approved,
        limit=limit,
        in_use=in_use,
        reserved=reserved,
        used_pct=pct(in_use or 0, limit) if bounded and in_use is not None else None,
        drift=approved is not None and limit is not None and approved != limit,
    )


_ORDER = {r: i for i, r in enumerate(QuotaResource)}


def resource_order(wire_name: str) -> tuple[int, str]:
    """As OpenStack lists them, each per-type quota right after its resource's total."""
    res, volume_type = split_wire_name(wire_name)
    return _ORDER[res], volume_type or ""


def sort_views(views: list[QuotaView]) -> list[QuotaView]:
    return sorted(
        views, key=lambda v: (v.pool, v.department, v.project, resource_order(v.resource))
    )
