from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np

from govcloud.core import models as m
from govcloud.core.audit_data import AuditData, UtilizationTable
from govcloud.core.host_facts import BlockDevice, Filesystem, HostFacts, Middleware, Peer
from govcloud.core.migration_plan import PlanInputs, PlanOptions, build_plan
from govcloud.core.migration_risks import RiskThresholds, host_risks
from govcloud.core.migration_workloads import wave_workloads
from govcloud.core.utilization import DAY_S, STEP_S

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _pool(code: str, zone: str, level: int, cores: int = 100) -> m.Pool:
    return m.Pool(code, code, code, "c", "r", zone, level, ratios=m.Ratios(1.0, 1.0, 1.0),
                  physical=m.PhysicalCapacity(cores, cores * 4096, 100_000))  # fmt: skip


PROD = _pool("prod", m.SecurityZone.EGOV_EXTRANET, 3)
LOW = _pool("low", m.SecurityZone.INTERNET, 2)
TEST = _pool("test", m.SecurityZone.TEST, 3)
DEPT = m.Department("d1", "部门一", "一", "Dept one")
SYSTEMS = (
    m.BusinessSystem("web", "网站", "Web", "d1", 2, m.Environment.PROD),
    m.BusinessSystem("core", "核心", "Core", "d1", 3, m.Environment.PROD),
    m.BusinessSystem("lab", "实验", "Lab", "d1", 2, m.Environment.TEST),
    m.BusinessSystem("secret", "涉密", "Secret", "d1", 4, m.Environment.PROD),
)
FLAVORS = tuple(
    m.Flavor(p, f"{p}-{v}c{r}g", f"c{v}m{r}", v, r * 1024, 40)
    for p in ("prod", "low", "test")
    for v, r in ((1, 2), (2, 4), (4, 8), (8, 16), (16, 32))
)
PRICES = (
    m.UnitPrice("vcpu", 40.0, date(2026, 1, 1)),
    m.UnitPrice("ram_gib", 10.0, date(2026, 1, 1)),
    m.UnitPrice("volume_gib", 0.5, date(2026, 1, 1)),
)


def _data(pools: tuple[m.Pool, ...] = (PROD, LOW, TEST), **kw: object) -> AuditData:
    return AuditData(now=NOW, window_s=0, pools=pools, departments=(DEPT,), systems=SYSTEMS,
                     flavors=FLAVORS, prices=PRICES, **kw)  # type: ignore[arg-type]  # fmt: skip


def _host(name: str, system: str | None, address: str = "") -> m.LegacyHost:
    return m.LegacyHost(name, address or f"10.0.0.{abs(hash(name)) % 250}", 22, "u", system)


def _facts(name: str, address: str, **kw: object) -> HostFacts:
    base: dict[str, object] = {
        "os_id": "rhel", "os_version": "8.6", "cpu_count": 8, "memory_gib": 16.0,
        "filesystems": (Filesystem("/", "/dev/sda1", "xfs", 100.0, 60.0),),
    }  # fmt: skip
    base.update(kw)
    return HostFacts(name, address, NOW, **base)  # type: ignore[arg-type]


def _plan(hosts, facts=None, data=None, table=None, **options):  # type: ignore[no-untyped-def]
    inputs = PlanInputs(NOW, data or _data(), tuple(hosts), facts or {},
                        table or UtilizationTable.empty())  # fmt: skip
    return build_plan(inputs, PlanOptions(**options))


def test_hardware_sizing_and_disks_from_used_space_with_growth() -> None:
    plan = _plan([_host("a", "web", "10.0.0.1")], {"a": _facts("a", "10.0.0.1")})
    h = plan.hosts[0]
    assert (h.sizing.basis, h.sizing.confidence) == ("hardware", "medium")
    assert (h.sizing.flavor, h.sizing.vcpus, h.sizing.ram_gib) == ("c8m16", 8, 16.0)
    # 60 GiB used + 30% = 78 GiB: 40 GiB root from the flavor, 38 -> 40 GiB data
    assert (h.sizing.root_gib, h.sizing.data_gib) == (40, 40)
    assert [r.code for r in h.risks] == ["no_utilization"]
    assert h.yearly_cost_yuan == round((8 * 40 + 16 * 10 + 80 * 0.5) * 12, 2)


def test_measured_sizing_uses_the_rightsizing_policy() -> None:
    slots = 14 * DAY_S // STEP_S
    cpu = np.full((1, slots), 20.0, dtype=np.float32)  # 20% of 8 CPUs, every slot
    mem = np.full((1, slots), 25.0, dtype=np.float32)  # 25% of 16 GiB
    table = UtilizationTable(("a",), 0, STEP_S, slots, {"cpu_pct": cpu, "mem_used_pct": mem})
    plan = _plan([_host("a", "web", "10.0.0.1")], {"a": _facts("a", "10.0.0.1")}, table=table)
    s = plan.hosts[0].sizing
    assert (s.basis, s.confidence) == ("measured", "high")
    # 1.6 vCPU x 1.2 = 1.92 -> 2 vCPU; 4 GiB x 1.2 = 4.8 GiB -> the 4 vCPU / 8 GiB flavor
    assert (s.flavor, s.vcpus, s.ram_gib) == ("c4m8", 4, 8.0)
    assert "no_utilization" not in [r.code for r in plan.hosts[0].risks]


def test_undiscovered_host_is_declared_only_with_low_confidence_and_a_risk() -> None:
    plan = _plan([_host("a", "web")])
    h = plan.hosts[0]
    assert (h.sizing.basis, h.sizing.confidence, h.sizing.vcpus) == ("declared", "low", 4)
    assert {"no_facts", "no_utilization"} <= {r.code for r in h.risks}


def test_mlps_level_and_zone_decide_the_pool() -> None:
    hosts = [_host("w", "web"), _host("c", "core"), _host("l", "lab"), _host("s", "secret")]
    plan = _plan(hosts)
    pools = {h.host: h.pool for h in plan.hosts}
    assert pools["c"] == "prod"  # level 3: not the level-2 internet pool, prod not in 测试区
    assert pools["l"] == "test"  # a test system prefers the test zone
    assert pools["w"] in ("low", "prod")
    secret = next(h for h in plan.hosts if h.host == "s")
    assert secret.pool is None
    assert "MLPS level 4 > 3" in secret.placement_note
    assert "prod" in secret.placement_note


def test_pool_option_with_a_forbidden_zone_leaves_the_host_unplaced_with_the_reason() -> None:
    plan = _plan([_host("c", "core")], pool="test")
    assert plan.hosts[0].pool is None
    assert "prod not allowed in 测试区" in plan.hosts[0].placement_note


def test_capacity_runs_out_and_the_pool_fit_says_by_how_much() -> None:
    small = _pool("prod", m.SecurityZone.EGOV_EXTRANET, 3, cores=20)
    hosts = [_host(f"c{i}", "core", f"10.0.1.{i}") for i in range(4)]
    facts = {h.name: _facts(h.name, h.address) for h in hosts}  # 8 vCPU each: 32 > 20
    plan = _plan(hosts, facts, data=_data(pools=(small,)))
    vcpu = next(p for p in plan.pools if p.pool == "prod" and p.resource == "vcpu")
    assert vcpu.planned == 32
    assert vcpu.headroom_after == -12
    assert all("runs out of vcpu" in h.placement_note for h in plan.hosts)


def test_capacity_spills_a_whole_system_to_the_next_allowed_pool() -> None:
    small = _pool("prod", m.SecurityZone.EGOV_EXTRANET, 3, cores=20)
    other = _pool("prod2", m.SecurityZone.EGOV_INTRANET, 3, cores=100)
    hosts = [_host(f"c{i}", "core", f"10.0.1.{i}") for i in range(4)]
    facts = {h.name: _facts(h.name, h.address) for h in hosts}
    plan = _plan(hosts, facts, data=_data(pools=(small, other)), max_wave_hosts=2)
    by_wave: dict[int | None, set[str | None]] = {}
    for h in plan.hosts:
        by_wave.setdefault(h.wave, set()).add(h.pool)
    assert by_wave == {1: {"prod"}, 2: {"prod2"}}  # 16 vCPU fit in prod, the rest does not
    assert all(p.headroom_after >= 0 for p in plan.pools)


def test_traffic_orders_waves_and_export_lists_them() -> None:
    db = _host("db", "core", "10.0.0.2")
    app = _host("app", "web", "10.0.0.3")
    facts = {
        "app": _facts("app", "10.0.0.3", peers=(Peer("10.0.0.3", 40000, "10.0.0.2", 3306),)),
        "db": _facts("db", "10.0.0.2"),
    }
    plan = _plan([app, db], facts, max_wave_hosts=1)
    waves = {h.host: h.wave for h in plan.hosts}
    assert waves["db"] < waves["app"]  # type: ignore[operator]
    assert next(h for h in plan.hosts if h.host == "app").depends_on == ("db",)
    docs = dict(wave_workloads(plan))
    first = docs[1]["workloads"][0]
    assert first["host"] == "db"
    assert first["source_address"] == "10.0.0.2"
    assert first["target_pool"] == "prod"
    assert first["disks"][0]["role"] == "root"


def test_adoption_counts_systems_on_cloud_and_outside() -> None:
    server = m.Server("prod", "s1", "vm", "p", "ACTIVE", "f", 2, 4096, 40, system_code="core")
    plan = _plan([_host("a", "web"), _host("b", "core")], data=_data(servers=(server,)))
    (row,) = plan.adoption
    assert (row.systems_total, row.systems_on_cloud, row.systems_outside) == (2, 1, 1)
    assert row.rate == 0.5


def test_hypervisors_ffd_beside_the_lower_bound() -> None:
    hosts = [_host(f"c{i}", "core", f"10.0.2.{i}") for i in range(30)]
    facts = {h.name: _facts(h.name, h.address) for h in hosts}
    plan = _plan(hosts, facts, data=_data(pools=(_pool("prod", "政务外网", 3, 10_000),)),
                 hypervisor_cores=64, hypervisor_ram_gib=256)  # fmt: skip
    fit = plan.pools[0]
    # 30 x 8 vCPU = 240 over 64 (ratio 1.0) binds: 4 (RAM: 480 GiB / 256 = 2); FFD reaches it
    assert (fit.hypervisors_lower_bound, fit.hypervisors_needed) == (4, 4)


def test_risks() -> None:
    facts = _facts(
        "a", "10.0.0.1", os_id="centos", os_version="7.9.2009",
        block_devices=(BlockDevice("sdb", 4096.0, "disk"),),
        middleware=(Middleware("oracle", "11g", (1521,), licensed=True),),
    )  # fmt: skip
    risks = host_risks(facts, today=date(2026, 1, 1), measured=True,
                       io_p95_bps=300e6, thresholds=RiskThresholds())  # fmt: skip
    codes = {r.code: r for r in risks}
    assert set(codes) == {"eol_os", "large_disk", "high_io", "licensed_middleware"}
    assert codes["eol_os"].severity == "high"
    assert "2024-06-30" in codes["eol_os"].text_en
    win = _facts("w", "10.0.0.9", os_id="windows", os_name="Windows Server 2008 R2")
    (eol, *_rest) = host_risks(win, today=date(2026, 1, 1), measured=False, io_p95_bps=None,
                               thresholds=RiskThresholds())  # fmt: skip
    assert eol.code == "eol_os"
    assert "2008" in eol.text_en
    modern = host_risks(_facts("m", "10.0.0.8"), today=date(2026, 1, 1), measured=True,
                        io_p95_bps=1e6, thresholds=RiskThresholds())  # fmt: skip
    assert modern == ()
