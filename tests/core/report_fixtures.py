"""A small hand-built estate for report tests: two pools, two departments (one with a hostile
name), priced and unpriced resources, utilization, findings and recommendations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from govcloud.core import models as m
from govcloud.core.audit_data import AuditData, UtilizationTable
from govcloud.core.findings import Finding, Reclaim, SubjectType, Text
from govcloud.core.recommendation import Recommendation, Verdict
from govcloud.core.severity import Severity

NOW = datetime(2025, 3, 15, 0, 0, tzinfo=UTC)
HOSTILE = '=HYPERLINK("http://x")<script>alert(1)</script>\x1b[31m\u202egnp.exe'

PRICES = (
    m.UnitPrice("vcpu", 50.0, date(2024, 1, 1), date(2025, 1, 1)),  # expired
    m.UnitPrice("vcpu", 40.0, date(2025, 1, 1)),  # general rate
    m.UnitPrice("vcpu", 60.0, date(2025, 1, 1), pool_code="dmz"),  # dmz's own
    m.UnitPrice("ram_gib", 10.0, date(2025, 1, 1)),
    m.UnitPrice("volume_gib", 0.5, date(2025, 1, 1)),
    m.UnitPrice("volume_gib:ssd", 1.0, date(2025, 1, 1)),
)


def pool(code: str) -> m.Pool:
    return m.Pool(
        code=code,
        name_zh=f"{code}资源池",
        name_en=f"{code} pool",
        cloud="c",
        region="r",
        security_zone="政务外网",
        mlps_level_max=3,
        ratios=m.Ratios(4.0, 1.0, 1.0),
        physical=m.PhysicalCapacity(cpu_cores=16, ram_mib=128 * 1024, disk_gib=1000),
    )


def department(code: str, name: str, pool_code: str, project: str) -> m.Department:
    binding = m.ProjectBinding(
        code,
        pool_code,
        project,
        {m.QuotaResource.CORES: 16, m.QuotaResource.RAM: 32 * 1024, m.QuotaResource.GIGABYTES: 500},
        project_id=project,
    )
    return m.Department(code, name, name, name, (binding,))


def server(sid: str, name: str, pool_code: str, project: str, vcpus: int, ram_gib: int) -> m.Server:
    return m.Server(pool_code, sid, name, project, "ACTIVE", f"f{vcpus}", vcpus, ram_gib * 1024, 20)


def estate(servers_extra: int = 0, prices: tuple[m.UnitPrice, ...] = PRICES) -> AuditData:
    servers = [
        server("vm-a1", "web-1", "core", "p-health", 8, 16),
        server("vm-a2", "db-1", "core", "p-health", 4, 8),
        server("vm-b1", HOSTILE, "dmz", "p-evil", 2, 4),
    ]
    servers += [
        server(f"vm-x{i}", f"bulk-{i:05d}", "core", "p-health", 1, 1) for i in range(servers_extra)
    ]
    slots = 14 * 288
    keys = tuple(s.server_id for s in servers)
    cpu = np.full((len(keys), slots), np.nan, dtype=np.float32)
    mem = np.full((len(keys), slots), np.nan, dtype=np.float32)
    cpu[0, :] = 2.0  # idle web-1
    cpu[0, 100] = 50.0  # one peak
    mem[0, :] = 30.0
    cpu[1, :] = 60.0
    mem[1, :] = 70.0
    cpu[2, : slots // 2] = 10.0  # half coverage
    table = UtilizationTable(
        keys, int(NOW.timestamp()) - slots * 300, 300, slots, {"cpu_pct": cpu, "mem_used_pct": mem}
    )
    depts = (
        department("health", "卫健委", "core", "p-health"),
        department("evil", HOSTILE, "dmz", "p-evil"),
    )
    projects = (
        m.Project("core", "p-health", "health", department_code="health"),
        m.Project("dmz", "p-evil", "evil", department_code="evil"),
    )
    volumes = (
        m.Volume("core", "v1", "data", "p-health", 100, "in-use", "ssd", "vm-a1"),
        m.Volume("core", "v2", "old", "p-health", 200, "available", "hdd"),
    )
    history = tuple(
        m.UsagePoint("core", NOW - timedelta(days=d), 3, 12 - d // 10, 24 * 1024, 300)
        for d in range(30, -1, -5)
    )
    # core: one thin backend, 1000 GiB x 2 - 10% = 1900 usable; dmz: capacity `infinite`
    backends = (
        m.StorageBackend("core", "c@ceph#ssd", "ceph", 1000.0, 700.0, 300.0, 300.0, 2.0, 10.0,
                         thin=True, thick=False),
        m.StorageBackend("dmz", "d@lvm#lvm", "lvm", None, None, 50.0, None, None),
    )  # fmt: skip
    return AuditData(
        now=NOW,
        window_s=14 * 86400,
        backends=backends,
        volume_types=(m.VolumeType("core", "t-ssd", "ssd", "ceph"),),
        pools=(pool("core"), pool("dmz")),
        departments=depts,
        systems=(),
        projects=projects,
        servers=tuple(servers),
        volumes=volumes,
        utilization=table,
        usage_history=history,
        prices=prices,
    )


def finding(
    check: str,
    sid: str,
    name: str,
    dept: str | None,
    pool_code: str,
    reclaim: Reclaim,
    sev: Severity = Severity.MEDIUM,
) -> Finding:
    return Finding(
        check,
        sev,
        SubjectType.VM,
        sid,
        name,
        pool_code,
        dept,
        Text(f"{name} is {check}", f"{name} {check}"),
        Text("review", "复核"),
        {"window_days": 14},
        reclaim,
    )


def findings() -> list[Finding]:
    return [
        finding("idle", "vm-a1", "web-1", "health", "core", Reclaim(8, 16 * 1024), Severity.HIGH),
        finding("zombie", "vm-b1", HOSTILE, "evil", "dmz", Reclaim(2, 4 * 1024)),
        Finding(
            "pool-headroom",
            Severity.HIGH,
            SubjectType.POOL,
            "core",
            "core",
            "core",
            None,
            Text("core runs out of vCPU", "core 虚拟CPU 将耗尽"),
            Text("add hosts", "扩容"),
            {"resource": "vcpu", "days_to_exhaustion": 42.5, "days_low": 30, "days_high": 80},
        ),
    ]


def recommendations() -> list[Recommendation]:
    return [
        Recommendation(
            "vm-a1", "web-1", "core", "health", None, "f8", 8, 16384, Verdict.OVER, "f2", 2, 4096,
            0.9, 2000.0, 95.0, 1.3, 14.0, 100.0, 5, False, Text("P95 low", "P95 低"),
            Reclaim(6, 12288),
        ),
        Recommendation(
            "vm-a2", "db-1", "core", "health", None, "f4", 4, 8192, Verdict.OPTIMIZED, None, None,
            None, 3.0, 6000.0, 95.0, 1.3, 14.0, 100.0, 5, False, Text("fits", "合适"),
        ),
    ]  # fmt: skip
