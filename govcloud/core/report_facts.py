"""Figures several report kinds share: per-VM utilization, pool totals, reclaim in yuan.

Pure arithmetic over an `AuditData`, findings and recommendations; the report builders in
`govcloud.core.report_kinds` lay these out as tables and charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from govcloud.core import commitment, pricing
from govcloud.core.audit_data import AuditData, server_key
from govcloud.core.capacity import DISK_GB, MEMORY_MB, VCPU, Allocated, usable_capacity
from govcloud.core.findings import Finding, Reclaim, SubjectType, Text, is_quota_reclaim
from govcloud.core.models import QuotaResource, Server, UnitPrice
from govcloud.core.recommendation import Recommendation
from govcloud.core.report_model import Figure, FindingsDiff, Report, Section, col, num

Subjects = dict[tuple[str, str], tuple[str | None, str | None, Reclaim]]

SHARED = Text("(shared: unallocated)", "（共享：未分配）")

# Columns several report tables share, declared once so their labels cannot drift apart.
DEPARTMENT_COL = col("department", "部门代码", "Department")
DEPARTMENT_NAME_COL = col("department_name", "部门", "Name")
POOL_COL = col("pool", "资源池", "Pool")
VM_NAME_COL = col("name", "云主机", "VM")
VM_ID_COL = col("server_id", "ID", "ID")
RECLAIM_VCPUS_COL = col("reclaim_vcpus", "可回收虚拟CPU", "Reclaimable vCPU", "vCPU", "int")
RECLAIM_RAM_COL = col("reclaim_ram_gib", "可回收内存", "Reclaimable RAM", "GiB", "float")
RECLAIM_VOLUME_COL = col("reclaim_volume_gib", "可回收云硬盘", "Reclaimable volume", "GiB", "int")
SAVINGS_COL = col("reclaim_yuan_per_year", "可节约费用", "Savings", "¥/year", "money")


@dataclass(frozen=True)
class VmUse:
    server: Server
    department: str | None
    cpu_p95_pct: float | None
    cpu_peak_pct: float | None  # the window's highest 5-minute mean
    cpu_avg_pct: float | None
    mem_p95_pct: float | None
    mem_avg_pct: float | None
    coverage_pct: float


def vm_use(data: AuditData) -> list[VmUse]:
    """Window statistics of every live VM (None where the VM has no samples)."""
    table = data.utilization
    cpu, mem = table.stats("cpu_pct"), table.stats("mem_used_pct")
    out = []
    for s in data.servers:
        row = table.row(server_key(s.server_id))
        cpu_p95 = cpu_peak = cpu_avg = mem_p95 = mem_avg = None
        coverage = 0.0
        if row is not None and cpu is not None:
            cpu_p95, cpu_peak, cpu_avg = num(cpu.p95[row]), num(cpu.max[row]), num(cpu.avg[row])
            coverage = cpu.coverage_pct(row)
        if row is not None and mem is not None:
            mem_p95, mem_avg = num(mem.p95[row]), num(mem.avg[row])
            coverage = max(coverage, mem.coverage_pct(row))
        dept = data.department_of(s.pool_code, s.project_id)
        out.append(VmUse(s, dept, cpu_p95, cpu_peak, cpu_avg, mem_p95, mem_avg, round(coverage, 1)))
    return out


@dataclass(frozen=True)
class PoolFacts:
    code: str
    name: Text
    servers: int
    vcpu_capacity: int | None
    vcpu_quota: int | None  # None: some quota is unlimited, or capacity unknown
    vcpu_allocated: int
    vcpu_used: float | None  # Σ mean CPU share x vCPUs: what the VMs really burn
    ram_gib_capacity: float | None
    ram_gib_quota: float | None
    ram_gib_allocated: float
    ram_gib_used: float | None
    disk_gib_capacity: int | None
    volume_gib_allocated: int
    volume_gib_quota: int | None
    # Cinder storage (storage_capacity's pool row); None: unknown
    volume_gib_usable: int | None = None
    volume_gib_provisioned: int | None = None
    volume_gib_approved: int = 0


def pool_facts(data: AuditData, uses: Sequence[VmUse]) -> list[PoolFacts]:
    allocated = commitment.allocated_by_pool(data)
    storage = commitment.storage_by_pool(data)
    out = []
    for pool in data.pools:
        held = allocated.get(pool.code, Allocated())
        rows = storage.get(pool.code)
        cinder = rows[0] if rows else None
        committed, unlimited = commitment.committed_quota(data, pool.code)
        cap = data.capacity.get(pool.code, {})
        vcpu_cap, _ = usable_capacity(pool, cap.get(VCPU), "cpu")
        ram_cap, _ = usable_capacity(pool, cap.get(MEMORY_MB), "ram")
        disk_cap, _ = usable_capacity(pool, cap.get(DISK_GB), "disk")
        mine = [u for u in uses if u.server.pool_code == pool.code]
        ram_q = commitment.promised(committed, unlimited, QuotaResource.RAM)
        out.append(
            PoolFacts(
                code=pool.code,
                name=Text(pool.name_en, pool.name_zh),
                servers=len(mine),
                vcpu_capacity=None if vcpu_cap is None else vcpu_cap - pool.reserve.vcpu,
                vcpu_quota=commitment.promised(committed, unlimited, QuotaResource.CORES),
                vcpu_allocated=held.vcpus,
                vcpu_used=_used(mine, "cpu"),
                ram_gib_capacity=None
                if ram_cap is None
                else round((ram_cap - pool.reserve.ram_mib) / 1024, 1),
                ram_gib_quota=None if ram_q is None else round(ram_q / 1024, 1),
                ram_gib_allocated=round(held.ram_mib / 1024, 1),
                ram_gib_used=_used(mine, "mem"),
                disk_gib_capacity=None if disk_cap is None else disk_cap - pool.reserve.disk_gib,
                volume_gib_allocated=held.volume_gib,
                volume_gib_quota=commitment.promised(committed, unlimited, QuotaResource.GIGABYTES),
                volume_gib_usable=cinder.usable_gib if cinder else None,
                volume_gib_provisioned=cinder.provisioned_gib if cinder else None,
                volume_gib_approved=cinder.approved_gib if cinder else 0,
            )
        )
    return out


def _used(uses: Sequence[VmUse], metric: str) -> float | None:
    """Measured use: Σ over VMs with samples of mean utilization x size."""
    total, seen = 0.0, False
    for u in uses:
        if metric == "cpu" and u.cpu_avg_pct is not None:
            total += u.cpu_avg_pct / 100 * u.server.vcpus
            seen = True
        elif metric == "mem" and u.mem_avg_pct is not None:
            total += u.mem_avg_pct / 100 * u.server.ram_mib / 1024
            seen = True
    return round(total, 1) if seen else None


def reclaim_by_subject(
    findings: Iterable[Finding], recs: Iterable[Recommendation] = ()
) -> Subjects:
    """(subject type, id) -> (pool, department, largest reclaim) over findings and
    recommendations, so a VM both idle and oversized is counted once (as reclaim_total does)."""
    best: Subjects = {}

    def offer(key: tuple[str, str], pool: str | None, dept: str | None, r: Reclaim) -> None:
        cur = best.get(key)
        if r and (cur is None or _size(r) > _size(cur[2])):
            best[key] = (pool, dept, r)

    for f in findings:
        if not is_quota_reclaim(f):  # quota given back frees promises, not hardware
            offer((f.subject_type.value, f.subject_id), f.pool, f.department, f.reclaim)
    for rec in recs:
        offer((SubjectType.VM.value, rec.server_id), rec.pool, rec.department, rec.reclaim)
    return best


def _size(r: Reclaim) -> tuple[int, int, int]:
    return (r.vcpus, r.ram_mib, r.volume_gib)


@dataclass(frozen=True)
class ReclaimTotal:
    group: str  # pool or department code; "" for none
    subjects: int
    reclaim: Reclaim
    yuan_per_year: float | None  # None: a needed price is not declared


def reclaim_totals(
    data: AuditData,
    subjects: Subjects,
    by: str,
) -> list[ReclaimTotal]:
    """Σ reclaim per pool or department, priced at each subject's pool."""
    return priced_totals(subjects, by, data.prices, pricing.billing_day(data))


def priced_totals(
    subjects: Subjects, by: str, prices: Sequence[UnitPrice], day: date
) -> list[ReclaimTotal]:
    """`reclaim_totals` with the prices and the day given (callers without an AuditData)."""
    acc: dict[str, tuple[int, Reclaim, list[float | None]]] = {}
    for pool, dept, r in subjects.values():
        group = (pool if by == "pool" else dept) or ""
        n, total, yuan = acc.get(group, (0, Reclaim(), []))
        price = None if pool is None else pricing.reclaim_yuan_per_year(r, pool, prices, day)
        acc[group] = (n + 1, total + r, [*yuan, price])
    return [
        ReclaimTotal(g, n, r, _sum_or_none(yuan))
        for g, (n, r, yuan) in sorted(acc.items(), key=lambda kv: -kv[1][1].vcpus)
    ]


def _sum_or_none(values: list[float | None]) -> float | None:
    """Σ; None if any part is unpriced (a partial sum would look complete)."""
    if any(v is None for v in values):
        return None
    return round(sum(v for v in values if v is not None), 2)


def grand_total(totals: Sequence[ReclaimTotal]) -> tuple[Reclaim, float | None]:
    r = Reclaim()
    for t in totals:
        r = r + t.reclaim
    return r, _sum_or_none([t.yuan_per_year for t in totals])


def department_name(data: AuditData, code: str | None) -> Text:
    if code is None:
        return Text("(undeclared)", "（未声明）")
    d = data.department_by_code.get(code)
    return Text(d.name_en, d.short_zh or d.name_zh) if d else Text(code, code)


@dataclass(frozen=True)
class Inputs:
    """What every report builder reads; findings sorted worst first."""

    data: AuditData
    findings: Sequence[Finding]
    recs: Sequence[Recommendation]
    diff: FindingsDiff | None = None


def fig(key: str, en: str, zh: str, value: float | int | str | None, unit: str = "") -> Figure:
    return Figure(key, Text(en, zh), value, unit)


def make_report(
    kind: str,
    title: Text,
    data: AuditData,
    sections: tuple[Section, ...],
    figures: tuple[Figure, ...],
    department: str | None = None,
) -> Report:
    return Report(kind, title, data.now, data.window_days, sections, figures, department)


def narrow(inputs: Inputs, department: str) -> Inputs:
    """Only DEPARTMENT's servers, volumes, findings and recommendations (pools stay whole)."""
    d = inputs.data
    own = {(p.pool_code, p.project_id) for p in d.projects if p.department_code == department}
    data = AuditData(
        now=d.now,
        window_s=d.window_s,
        pools=d.pools,
        departments=tuple(x for x in d.departments if x.code == department),
        systems=tuple(s for s in d.systems if s.department_code == department),
        projects=tuple(p for p in d.projects if p.department_code == department),
        servers=tuple(s for s in d.servers if (s.pool_code, s.project_id) in own),
        volumes=tuple(v for v in d.volumes if (v.pool_code, v.project_id) in own),
        snapshots=tuple(s for s in d.snapshots if (s.pool_code, s.project_id) in own),
        flavors=d.flavors,
        quotas=tuple(q for q in d.quotas if (q.pool_code, q.project_id) in own),
        capacity=d.capacity,
        usage_history=d.usage_history,
        utilization=d.utilization,
        agents=d.agents,
        prices=d.prices,
        last_sync=d.last_sync,
        backends=d.backends,  # the pools stay whole, and so does their storage
        volume_types=d.volume_types,
        type_quotas=tuple(q for q in d.type_quotas if (q.pool_code, q.project_id) in own),
    )
    return Inputs(
        data,
        [f for f in inputs.findings if f.department == department],
        [r for r in inputs.recs if r.department == department],
        inputs.diff,
    )
