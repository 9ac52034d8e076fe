"""`allocation-mismatch`: a project's Placement allocations disagree with Nova's quota usage.

Placement allocations are the truth for hypervisors (what consumers hold on compute hosts);
Nova's quota usage is the truth for quotas. The two legitimately differ by the servers that
hold quota but no host: SHELVED_OFFLOADED servers and servers in ERROR that never got a host.
Those are subtracted first and named in the message, never flagged. What remains is the known
OpenStack failure mode: allocations leaked by a failed migration or delete (Placement above
quota usage; `nova-manage placement audit` finds them) or servers whose allocations are missing
(below; `nova-manage placement heal_allocations` restores them).

Nova keeps quotas per project and region, not per aggregate or zone, so the comparison is per
(cloud, region, project): allocations summed over the region's pools against the quota usage
synced for the project. A region without any stored allocation is not judged (unknown is not
zero).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import project_name
from govcloud.core.findings import Finding, SubjectType, Text
from govcloud.core.models import QuotaResource, Server
from govcloud.core.severity import Severity

_COMPUTE = (QuotaResource.CORES, QuotaResource.RAM)


class AllocationMismatchParams(CheckParams):
    tolerance_vcpus: int = Field(0, ge=0, description="vCPU difference still accepted")
    tolerance_ram_mib: int = Field(0, ge=0, description="RAM MiB difference still accepted")


@register(
    "allocation-mismatch",
    AllocationMismatchParams,
    summary=Text(
        "Projects whose Placement allocations disagree with Nova quota usage",
        "Placement 分配量与 Nova 配额已使用量不一致的项目",
    ),
    example={"tolerance_vcpus": 0, "tolerance_ram_mib": 0},
)
def allocation_mismatch(data: AuditData, params: AllocationMismatchParams) -> list[Finding]:
    findings = []
    for c in compare(data):
        vcpu_gap, ram_gap = c.gaps()
        if (
            abs(vcpu_gap or 0) > params.tolerance_vcpus
            or abs(ram_gap or 0) > params.tolerance_ram_mib
        ):
            findings.append(_finding(data, c))
    return findings


@dataclass(frozen=True)
class Comparison:
    """One project in one region: both truths and the hostless servers between them."""

    cloud: str
    region: str
    project_id: str
    pools: tuple[str, ...]  # the region's pools that hold the project
    vcpus_placement: int
    ram_mib_placement: int
    vcpus_quota: int | None  # None: that quota's usage is not stored, not compared
    ram_mib_quota: int | None
    hostless: tuple[Server, ...]

    @property
    def hostless_vcpus(self) -> int:
        return sum(s.vcpus for s in self.hostless)

    @property
    def hostless_ram_mib(self) -> int:
        return sum(s.ram_mib for s in self.hostless)

    def gaps(self) -> tuple[int | None, int | None]:
        """Placement minus what quota usage leaves once hostless servers are taken out:
        positive, Placement holds more (leaked); negative, allocations are missing."""
        vcpus = None
        if self.vcpus_quota is not None:
            vcpus = self.vcpus_placement - (self.vcpus_quota - self.hostless_vcpus)
        ram = None
        if self.ram_mib_quota is not None:
            ram = self.ram_mib_placement - (self.ram_mib_quota - self.hostless_ram_mib)
        return vcpus, ram


def holds_no_allocation(server: Server) -> bool:
    """Counted in quota usage, absent from Placement: offloaded, or failed before a host."""
    status = server.status.upper()
    return status == "SHELVED_OFFLOADED" or (status == "ERROR" and not server.host)


def compare(data: AuditData) -> list[Comparison]:
    """Per (cloud, region, project) that has quota usage for cores or RAM, in a region with
    stored allocations."""
    region_of = {p.code: (p.cloud, p.region) for p in data.pools}
    placement: dict[tuple[str, str, str], list[int]] = {}
    judged_regions = set()
    for a in data.allocations:
        region = region_of.get(a.pool_code)
        if region is None:
            continue
        judged_regions.add(region)
        sums = placement.setdefault((*region, a.project_id), [0, 0])
        sums[0] += a.vcpus
        sums[1] += a.ram_mib
    quota: dict[tuple[str, str, str], dict[QuotaResource, int]] = {}
    pools: dict[tuple[str, str, str], set[str]] = {}
    for q in data.quotas:
        region = region_of.get(q.pool_code)
        if region is None or region not in judged_regions or q.resource not in _COMPUTE:
            continue
        key = (*region, q.project_id)
        # the same regional figure is synced once per pool holding the project: keep one
        per = quota.setdefault(key, {})
        per[q.resource] = max(per.get(q.resource, 0), q.in_use)
        pools.setdefault(key, set()).add(q.pool_code)
    hostless: dict[tuple[str, str, str], list[Server]] = {}
    for s in data.servers:
        region = region_of.get(s.pool_code)
        if region is not None and holds_no_allocation(s):
            hostless.setdefault((*region, s.project_id), []).append(s)
    out = []
    for key in sorted(quota):
        cloud, region_name, project_id = key
        vcpus, ram = placement.get(key, [0, 0])
        out.append(
            Comparison(
                cloud,
                region_name,
                project_id,
                tuple(sorted(pools[key])),
                vcpus,
                ram,
                quota[key].get(QuotaResource.CORES),
                quota[key].get(QuotaResource.RAM),
                tuple(sorted(hostless.get(key, []), key=lambda s: s.server_id)),
            )
        )
    return out


def _finding(data: AuditData, c: Comparison) -> Finding:
    pool = c.pools[0]
    vcpu_gap, ram_gap = c.gaps()
    leaked = (vcpu_gap or 0) > 0 or (ram_gap or 0) > 0
    quota_vcpus = "?" if c.vcpus_quota is None else str(c.vcpus_quota)
    quota_gib = "?" if c.ram_mib_quota is None else f"{c.ram_mib_quota / 1024:,.1f}"
    en = (
        f"Placement holds {c.vcpus_placement} vCPU / {c.ram_mib_placement / 1024:,.1f} GiB for "
        f"the project, Nova quota usage says {quota_vcpus} vCPU / {quota_gib} GiB"
    )
    zh = (
        f"Placement 分配 {c.vcpus_placement} 虚拟CPU / {c.ram_mib_placement / 1024:,.1f} GiB 内存，"
        f"Nova 配额已使用 {quota_vcpus} 虚拟CPU / {quota_gib} GiB 内存"
    )
    if c.hostless:
        n, v, g = len(c.hostless), c.hostless_vcpus, c.hostless_ram_mib / 1024
        en += (
            f"; {n} SHELVED_OFFLOADED or hostless ERROR server(s) ({v} vCPU / {g:,.1f} GiB) "
            "rightly hold quota without an allocation and are not counted as a difference"
        )
        zh += (
            f"；其中 {n} 台已搁置卸载或无宿主机的错误云主机（{v} 虚拟CPU / {g:,.1f} GiB）"
            "占配额不占分配，属正常，不计入差异"
        )
    if leaked:
        action = Text(
            "Placement holds more than Nova counts: look for leaked allocations with "
            "`nova-manage placement audit` and remove them (`--delete`) after review",
            "Placement 分配多于 Nova 计数：用 `nova-manage placement audit` 查找遗留分配，"
            "核实后删除",
        )
    else:
        action = Text(
            "servers hold quota without an allocation: restore them with "
            "`nova-manage placement heal_allocations`; until then the hosts look emptier "
            "than they are",
            "云主机占用配额却无分配记录：用 `nova-manage placement heal_allocations` 修复；"
            "修复前宿主机容量被高估",
        )
    return Finding(
        check="allocation-mismatch",
        severity=Severity.MEDIUM,
        subject_type=SubjectType.PROJECT,
        subject_id=f"{c.project_id}@{c.region}",
        subject_name=project_name(data, pool, c.project_id),
        pool=pool,
        department=data.department_of(pool, c.project_id),
        message=Text(en, zh),
        action=action,
        evidence={
            "cloud": c.cloud,
            "region": c.region,
            "pools": list(c.pools),
            "placement_vcpus": c.vcpus_placement,
            "placement_ram_mib": c.ram_mib_placement,
            "quota_in_use_cores": c.vcpus_quota,
            "quota_in_use_ram_mib": c.ram_mib_quota,
            "hostless_servers": [s.server_id for s in c.hostless],
            "hostless_vcpus": c.hostless_vcpus,
            "hostless_ram_mib": c.hostless_ram_mib,
            "vcpu_difference": vcpu_gap,
            "ram_mib_difference": ram_gap,
        },
    )
