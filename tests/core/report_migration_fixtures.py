"""A hand-built `MigrationPlan` for the migration report's tests: three departments, 12 hosts in
three waves, two pools (one runs out of RAM), one host no pool can take, risks of every kind, and
a system name that tries to be markup and a formula."""

from __future__ import annotations

from govcloud.core.migration_models import (
    DepartmentAdoption,
    HostPlan,
    MigrationPlan,
    PoolFit,
    Risk,
    Sizing,
    Wave,
)

ENGLISH = {"d-fin": "Finance Bureau", "d-edu": "Education Bureau", "d-hea": "Health Commission"}
HOSTILE = '<script>alert(1)</script>=cmd|"/C calc"'

EOL = Risk("eol_os", "high", "CentOS 6 is end of life", "CentOS 6 已停止维护")
NO_UTIL = Risk("no_utilization", "medium", "no utilization data", "无利用率数据")
LICENSED = Risk("licensed_middleware", "medium", "Oracle 11g is licensed", "Oracle 11g 需商业授权")
BIG_DISK = Risk("large_disk", "low", "data disk 4 TiB", "数据盘 4 TiB")
IO = Risk("high_io", "high", "P95 disk 9,000 IOPS", "磁盘 P95 9000 IOPS")


def _sizing(vcpus: int, ram: float, data: int, basis: str = "measured") -> Sizing:
    conf = {"measured": "high", "hardware": "low", "declared": "medium"}[basis]
    flavor = f"c{vcpus}m{int(ram)}"
    return Sizing(flavor, vcpus, ram, 50, data, basis, conf, f"{basis}: {vcpus} vCPU")


def _host(
    n: int,
    system: str,
    dept: str,
    env: str,
    wave: int | None,
    pool: str | None,
    sizing: Sizing,
    risks: tuple[Risk, ...] = (),
    system_name: str | None = None,
) -> HostPlan:
    return HostPlan(
        host=f"h{n:02d}",
        address=f"192.0.2.{n}",
        system_code=system,
        system_name_zh=system_name or f"系统{system}",
        department_code=dept,
        department_name_zh={"d-fin": "财政局", "d-edu": "教育局", "d-hea": "卫健委"}[dept],
        system_name_en=system_name,
        department_name_en=ENGLISH[dept],
        environment=env,
        mlps_level=3 if env == "prod" else 2,
        os="CentOS 6.10" if EOL in risks else "CentOS 7.9",
        current_vcpus=sizing.vcpus * 2,
        current_ram_gib=sizing.ram_gib * 2,
        current_disk_gib=float(sizing.data_gib + 100),
        sizing=sizing,
        pool=pool,
        placement_note="" if pool else "no pool with MLPS level 3 in zone dmz has room",
        wave=wave,
        depends_on=(f"h{n - 1:02d}",) if n % 3 == 0 else (),
        risks=risks,
        yearly_cost_yuan=None if pool is None else sizing.vcpus * 480.0 + sizing.ram_gib * 120.0,
    )


def plan() -> MigrationPlan:
    hosts = (
        _host(1, "fin-web", "d-fin", "test", 1, "core", _sizing(2, 4, 20)),
        _host(2, "fin-web", "d-fin", "test", 1, "core", _sizing(2, 4, 20), (NO_UTIL,)),
        _host(3, "edu-oa", "d-edu", "dev", 1, "core", _sizing(4, 8, 100, "hardware"), (EOL,)),
        _host(4, "fin-web", "d-fin", "prod", 2, "core", _sizing(4, 8, 40)),
        _host(5, "fin-web", "d-fin", "prod", 2, "core", _sizing(4, 8, 40), (IO,)),
        _host(6, "fin-db", "d-fin", "prod", 2, "core", _sizing(8, 32, 500), (LICENSED, BIG_DISK)),
        _host(7, "edu-oa", "d-edu", "prod", 3, "dmz", _sizing(4, 16, 60)),
        _host(8, "edu-oa", "d-edu", "prod", 3, "dmz", _sizing(4, 16, 60, "declared")),
        _host(9, "hea-his", "d-hea", "prod", 3, "dmz", _sizing(16, 64, 2000), (IO, BIG_DISK)),
        _host(10, "hea-his", "d-hea", "prod", 3, "dmz", _sizing(8, 32, 200), system_name=HOSTILE),
        _host(11, "hea-lis", "d-hea", "prod", 3, "dmz", _sizing(2, 4, 20), (EOL, NO_UTIL)),
        _host(12, "hea-pacs", "d-hea", "prod", None, None, _sizing(32, 128, 8000), (BIG_DISK,)),
    )
    waves = (
        Wave(1, ("h01", "h02", "h03"), ("fin-web", "edu-oa"), ("test", "dev"), 8, 16.0, 290,
             "test and development first"),
        Wave(2, ("h04", "h05", "h06"), ("fin-web", "fin-db"), ("prod",), 16, 48.0, 730,
             "fin-web depends on fin-db: they move together"),
        Wave(3, ("h07", "h08", "h09", "h10", "h11"), ("edu-oa", "hea-his", "hea-lis"), ("prod",),
             34, 132.0, 2590, "dmz production systems"),
    )  # fmt: skip
    pools = (
        PoolFit("core", "vcpu", 512, 300, 24, 188, 2, 2),
        PoolFit("core", "ram_gib", 2048, 1200, 64, 784, 2, 2),
        PoolFit("core", "disk_gib", 40000, 20000, 1020, 18980, 2, 2),
        PoolFit("dmz", "vcpu", 128, 90, 34, 4, 3, 3),
        PoolFit("dmz", "ram_gib", 256, 200, 132, -76.0, 3, 3),
        PoolFit("dmz", "disk_gib", 10000, 6000, 2590, 1410, 3, 3),
    )
    adoption = (
        DepartmentAdoption("d-fin", "财政局", 5, 3, 2, 0.6, ENGLISH["d-fin"]),
        DepartmentAdoption("d-edu", "教育局", 4, 3, 1, 0.75, ENGLISH["d-edu"]),
        DepartmentAdoption("d-hea", "卫健委", 6, 1, 5, 1 / 6, ENGLISH["d-hea"]),
    )
    cost = sum(h.yearly_cost_yuan or 0.0 for h in hosts)
    return MigrationPlan(
        generated_at="2025-03-01T08:00:00+00:00",
        hosts=hosts,
        waves=waves,
        pools=pools,
        adoption=adoption,
        yearly_cost_yuan=cost,
        notes=("Pool dmz runs out of RAM in wave 3.", "h12: no pool may take it."),
    )
