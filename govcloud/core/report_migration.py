"""The migration report (issue 10 §3): a `MigrationPlan` as a `Report` that every writer renders.

Sections, in the order a bureau reads them: the plan in figures and per department; 上云率
(systems on the cloud vs still outside, per department: the figure bureaus report upward); the
waves, with their hosts per environment and the cumulative move; every host with its target
flavor, pool, wave and risks; each pool's fit (capacity after ratios and reserve, what the plan
adds, the headroom left, hypervisors by bin-packing beside the lower bound), pools that run out
first and flagged; the risks grouped by kind; the plan's notes and the method.

Rows that need a decision come first: hosts without a pool, pools that run out, high risks.
Nothing here reads the store or formats text: the plan is built by M5's planner, the writers
pick the language and the syntax.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from govcloud.core.findings import Text
from govcloud.core.migration_models import HostPlan, MigrationPlan, PoolFit, Risk, Wave
from govcloud.core.report_model import (
    Chart,
    Figure,
    Report,
    Row,
    Section,
    Series,
    Table,
    col,
    num,
)

KIND = "migration"
TITLE = Text("Migration to the cloud: plan", "迁移上云规划")
NO_POOL = Text("no pool", "无可用资源池")

ENVIRONMENTS = {
    "prod": Text("production", "生产"),
    "test": Text("test", "测试"),
    "dev": Text("development", "开发"),
    "dr": Text("disaster recovery", "灾备"),
}
BASES = {
    "measured": Text("measured", "实测利用率"),
    "hardware": Text("hardware", "按现有硬件"),
    "declared": Text("declared", "按申报"),
}
CONFIDENCE = {"high": Text("high", "高"), "medium": Text("medium", "中"), "low": Text("low", "低")}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
RISK_KINDS = {
    "eol_os": Text("end-of-life OS", "操作系统已停止维护"),
    "large_disk": Text("large disks", "大容量磁盘"),
    "high_io": Text("high I/O", "高 I/O"),
    "no_utilization": Text("no utilization data", "无利用率数据"),
    "licensed_middleware": Text("licensed middleware", "商业授权中间件"),
    "no_facts": Text("not discovered", "未采集主机信息"),
}
RESOURCES = {
    "vcpu": Text("vCPU", "虚拟CPU"),
    "ram_gib": Text("RAM", "内存"),
    "disk_gib": Text("disk", "磁盘"),
    "volume_gib": Text("volumes", "云硬盘"),
}
UNITS = {"vcpu": "vCPU", "ram_gib": "GiB", "disk_gib": "GiB", "volume_gib": "GiB"}
NO_WAVE = Text("not scheduled", "未排期")

METHOD = (
    Text(
        "Target flavor: rightsized from measured utilization (P95 over the window) where coverage "
        "is enough, else from the current hardware with lower confidence; disks from used space "
        "plus a growth margin.",
        "目标规格：利用率数据覆盖充分时按实测 P95 利用率测算，否则按现有硬件测算（可信度较低）；"
        "磁盘按已用空间加增长余量测算。",
    ),
    Text(
        "Target pool: the system's security zone and MLPS level must match the pool's; capacity "
        "is counted after overcommit ratios and reserve and must hold for each whole wave.",
        "目标资源池：须与系统的安全区域和等保级别一致；容量按超分比和预留扣除后计算，"
        "且须容纳整批迁移。",
    ),
    Text(
        "Waves: hosts of one system and hosts linked by observed traffic move together; "
        "dependencies before dependents; test and development before production; a maximum "
        "wave size.",
        "迁移批次：同一系统的主机及有实际网络往来的主机同批迁移；被依赖者先于依赖者；"
        "测试、开发先于生产；每批不超过上限。",
    ),
    Text(
        "Hypervisors: first-fit decreasing vector bin-packing over vCPU, RAM and disk, shown "
        "beside the lower bound max over resources of ⌈Σ demand / per-hypervisor capacity⌉.",
        "宿主机数量：按虚拟CPU、内存、磁盘做向量装箱（首次适应递减），并列出下界"
        "（各资源 ⌈需求合计 / 单台容量⌉ 的最大值）。",
    ),
    Text(
        "Cloud adoption: systems on the cloud / all systems of the department. Yearly cost: "
        "the target resources at the declared unit prices.",
        "上云率：部门已上云系统数 / 系统总数。年度费用：目标资源按已声明单价计算。",
    ),
)


def migration_report(plan: MigrationPlan, *, window_days: float = 14.0) -> Report:
    """The report of PLAN; WINDOW_DAYS is the utilization window the sizing used."""
    hosts = sort_hosts(plan.hosts)
    sections = (
        _summary_section(hosts),
        _adoption_section(plan),
        _wave_section(plan.waves, hosts),
        _host_section(hosts),
        _pool_section(plan.pools),
        _risk_section(hosts),
        _notes_section(plan),
    )
    return Report(
        KIND,
        TITLE,
        generated_at(plan),
        window_days,
        sections,
        _figures(plan),
    )


def generated_at(plan: MigrationPlan) -> datetime:
    """The plan's timestamp (ISO 8601; a naive one is taken as UTC)."""
    when = datetime.fromisoformat(plan.generated_at)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def sort_hosts(hosts: Iterable[HostPlan]) -> list[HostPlan]:
    """Hosts without a pool first (they need a decision), then by wave, system and name."""
    return sorted(
        hosts,
        key=lambda h: (
            h.pool is not None,
            h.wave is None,
            h.wave or 0,
            h.system_code or "",
            h.host,
        ),
    )


# --- figures --------------------------------------------------------------------------------


def _figures(plan: MigrationPlan) -> tuple[Figure, ...]:
    hosts = plan.hosts
    systems = {h.system_code for h in hosts if h.system_code}
    departments = {h.department_code for h in hosts if h.department_code}
    placed = [h for h in hosts if h.pool is not None]

    def f(key: str, en: str, zh: str, value: float | int | None, unit: str = "") -> Figure:
        return Figure(key, Text(en, zh), value, unit)

    return (
        f("hosts", "Legacy hosts", "待迁移主机", len(hosts)),
        f("systems", "Systems", "业务系统", len(systems)),
        f("departments", "Departments", "部门", len(departments)),
        f("target_vcpus", "Target vCPU", "目标虚拟CPU", sum(h.sizing.vcpus for h in placed)),
        f(
            "target_ram_gib",
            "Target RAM",
            "目标内存",
            num(sum(h.sizing.ram_gib for h in placed)),
            "GiB",
        ),
        f("target_disk_gib", "Target disk", "目标磁盘", sum(_disk(h) for h in placed), "GiB"),
        f(
            "yearly_cost_yuan",
            "Yearly cost",
            "年度费用",
            num(plan.yearly_cost_yuan, 2),
            "¥/year",
        ),
        f("waves", "Waves", "迁移批次", len(plan.waves)),
        f(
            "hosts_without_pool",
            "Hosts without a pool",
            "无可用资源池的主机",
            len(hosts) - len(placed),
        ),
    )


def _disk(h: HostPlan) -> int:
    return h.sizing.root_gib + h.sizing.data_gib


def _name(code: str | None, en: str | None, zh: str | None) -> Text | None:
    """A declared name in the reader's language; the code where that name is not declared
    (an English report never falls back to the Chinese name)."""
    if code is None and not (en or zh):
        return None
    fallback = code or en or zh or ""
    return Text(en or fallback, zh or fallback)


# --- summary per department -----------------------------------------------------------------

SUMMARY_COLUMNS = (
    col("department", "部门编码", "Department"),
    col("department_name", "部门", "Department name"),
    col("hosts", "主机", "Hosts", kind="int"),
    col("systems", "系统", "Systems", kind="int"),
    col("target_vcpus", "目标虚拟CPU", "Target vCPU", "vCPU", "int"),
    col("target_ram_gib", "目标内存", "Target RAM", "GiB", "float"),
    col("target_disk_gib", "目标磁盘", "Target disk", "GiB", "int"),
    col("yearly_cost_yuan", "年度费用", "Yearly cost", "¥/year", "money"),
    col("without_pool", "无可用资源池", "Without a pool", kind="int"),
    col("high_risks", "高风险主机", "Hosts with a high risk", kind="int"),
)


def _summary_section(hosts: Sequence[HostPlan]) -> Section:
    by_dept: dict[str, list[HostPlan]] = defaultdict(list)
    for h in hosts:
        by_dept[h.department_code or ""].append(h)
    rows: list[Row] = []
    for code in sorted(by_dept):
        own = by_dept[code]
        placed = [h for h in own if h.pool is not None]
        costs = [h.yearly_cost_yuan for h in placed if h.yearly_cost_yuan is not None]
        rows.append(
            {
                "department": code or None,
                "department_name": _name(
                    code or None, own[0].department_name_en, own[0].department_name_zh
                ),
                "hosts": len(own),
                "systems": len({h.system_code for h in own if h.system_code}),
                "target_vcpus": sum(h.sizing.vcpus for h in placed),
                "target_ram_gib": num(sum(h.sizing.ram_gib for h in placed)),
                "target_disk_gib": sum(_disk(h) for h in placed),
                "yearly_cost_yuan": num(sum(costs), 2) if costs else None,
                "without_pool": len(own) - len(placed),
                "high_risks": sum(1 for h in own if any(r.severity == "high" for r in h.risks)),
            }
        )
    table = Table(
        "summary",
        Text("Per department", "按部门汇总"),
        SUMMARY_COLUMNS,
        tuple(rows),
        Text(
            "Target sizes and cost count the hosts that a pool can take.",
            "目标规格与费用仅计入有可用资源池的主机。",
        ),
    )
    return Section("summary", Text("Summary", "概要"), (table,))


# --- 上云率 ---------------------------------------------------------------------------------

ADOPTION_CHART_DEPARTMENTS = 20
ADOPTION_COLUMNS = (
    col("department", "部门编码", "Department"),
    col("department_name", "部门", "Department name"),
    col("systems_total", "系统总数", "Systems", kind="int"),
    col("systems_on_cloud", "已上云", "On the cloud", kind="int"),
    col("systems_outside", "未上云", "Still outside", kind="int"),
    col("rate_pct", "上云率", "Adoption", kind="pct"),
)


def _adoption_section(plan: MigrationPlan) -> Section:
    items = sorted(plan.adoption, key=lambda a: (a.rate, a.department_code))
    rows = tuple(
        {
            "department": a.department_code,
            "department_name": _name(a.department_code, a.department_name_en, a.department_name_zh),
            "systems_total": a.systems_total,
            "systems_on_cloud": a.systems_on_cloud,
            "systems_outside": a.systems_outside,
            "rate_pct": num(a.rate * 100),
        }
        for a in items
    )
    total = sum(a.systems_total for a in items)
    on = sum(a.systems_on_cloud for a in items)
    # a bar chart stays readable up to about 20 bars: the departments with most left to move
    charted = sorted(items, key=lambda a: (-a.systems_outside, a.rate, a.department_code))
    charted = charted[:ADOPTION_CHART_DEPARTMENTS]
    chart = Chart(
        "stacked_bar",
        Text("Systems on the cloud vs still outside", "各部门已上云与未上云系统"),
        tuple(a.department_code for a in charted),
        (
            Series(
                Text("on the cloud", "已上云"), tuple(float(a.systems_on_cloud) for a in charted)
            ),
            Series(Text("outside", "未上云"), tuple(float(a.systems_outside) for a in charted)),
        ),
        "systems",
        tuple(
            _name(a.department_code, a.department_name_en, a.department_name_zh)
            or Text(a.department_code, a.department_code)
            for a in charted
        ),
    )
    overall = f"{on / total * 100:.1f}%" if total else "–"
    notes = [
        Text(
            f"Overall: {on} of {total} systems on the cloud ({overall}); lowest adoption first.",
            f"总体：{total} 个系统中 {on} 个已上云（{overall}）；上云率低者在前。",
        )
    ]
    if len(items) > len(charted):
        n = len(charted)
        notes.append(
            Text(
                f"The chart shows the {n} departments with the most systems still outside; "
                "the table lists every department.",
                f"图中为未上云系统最多的 {n} 个部门；表中列出全部部门。",
            )
        )
    table = Table(
        "adoption", Text("Cloud adoption per department", "各部门上云率"), ADOPTION_COLUMNS, rows
    )
    return Section("adoption", Text("Cloud adoption", "上云率"), (table,), (chart,), tuple(notes))


# --- waves ----------------------------------------------------------------------------------

WAVE_COLUMNS = (
    col("wave", "批次", "Wave", kind="int"),
    col("hosts", "主机", "Hosts", kind="int"),
    col("systems", "系统", "Systems"),
    col("environments", "环境", "Environments"),
    col("vcpus", "虚拟CPU", "vCPU", "vCPU", "int"),
    col("ram_gib", "内存", "RAM", "GiB", "float"),
    col("disk_gib", "磁盘", "Disk", "GiB", "int"),
    col("cumulative_hosts", "累计迁移主机", "Hosts moved so far", kind="int"),
    col("workload_file", "工作负载清单", "Workload list"),
    col("reason", "说明", "Why"),
)


def wave_file(number: int) -> str:
    """The per-wave workload list's file name (`wave-01.json`), shared with the writer."""
    return f"wave-{number:02d}.json"


def _env_text(codes: Iterable[str]) -> Text:
    labels = [ENVIRONMENTS.get(c, Text(c, c)) for c in codes]
    return Text(", ".join(t.en for t in labels), "、".join(t.zh for t in labels))


def _wave_section(waves: Sequence[Wave], hosts: Sequence[HostPlan]) -> Section:
    ordered = sorted(waves, key=lambda w: w.number)
    rows: list[Row] = []
    moved = 0
    for w in ordered:
        moved += len(w.hosts)
        rows.append(
            {
                "wave": w.number,
                "hosts": len(w.hosts),
                "systems": ", ".join(w.systems),
                "environments": _env_text(w.environments),
                "vcpus": w.vcpus,
                "ram_gib": num(w.ram_gib),
                "disk_gib": w.disk_gib,
                "cumulative_hosts": moved,
                "workload_file": wave_file(w.number),
                "reason": w.reason,
            }
        )
    keys = tuple(str(w.number) for w in ordered)
    labels = tuple(Text(f"Wave {w.number}", f"第{w.number}批") for w in ordered)
    env_of = {h.host: h.environment or "" for h in hosts}
    counts = [Counter(env_of.get(name, "") for name in w.hosts) for w in ordered]
    envs = [e for e in (*ENVIRONMENTS, "") if any(c[e] for c in counts)]
    envs += sorted({e for c in counts for e in c} - set(envs))
    stacked = Chart(
        "stacked_bar",
        Text("Hosts per wave by environment", "各批次主机数（按环境）"),
        keys,
        tuple(
            Series(
                ENVIRONMENTS.get(e, Text(e or "unknown", e or "未知")),
                tuple(float(c[e]) for c in counts),
            )
            for e in envs
        ),
        "hosts",
        labels,
    )
    cumulative: list[float] = []
    running = 0.0
    for w in ordered:
        running += w.vcpus
        cumulative.append(running)
    timeline = Chart(
        "line",
        Text("vCPU moved to the cloud, wave by wave", "逐批累计迁入虚拟CPU"),
        keys,
        (Series(Text("cumulative vCPU", "累计虚拟CPU"), tuple(cumulative)),),
        "vCPU",
        labels,
    )
    unscheduled = sum(1 for h in hosts if h.wave is None)
    notes = [
        Text(
            "Each wave's hosts, target flavors and pools are in its workload list "
            "(wave-NN.json) for the migration executor.",
            "每批主机、目标规格与资源池见对应工作负载清单（wave-NN.json），供迁移实施方使用。",
        )
    ]
    if unscheduled:
        notes.append(
            Text(
                f"{unscheduled} host(s) are in no wave: no pool can take them.",
                f"{unscheduled} 台主机未排入批次：没有资源池可以承接。",
            )
        )
    table = Table("waves", Text("Waves", "迁移批次"), WAVE_COLUMNS, tuple(rows))
    return Section(
        "waves",
        Text("Waves", "迁移批次"),
        (table,),
        (stacked, timeline) if ordered else (),
        tuple(notes),
    )


# --- hosts ----------------------------------------------------------------------------------

HOST_COLUMNS = (
    col("host", "主机", "Host"),
    col("address", "地址", "Address"),
    col("system", "系统", "System"),
    col("department", "部门", "Department"),
    col("environment", "环境", "Environment"),
    col("mlps_level", "等保级别", "MLPS level", kind="int"),
    col("os", "操作系统", "OS"),
    col("current_vcpus", "现有CPU", "Current CPU", "cores", "int"),
    col("current_ram_gib", "现有内存", "Current RAM", "GiB", "float"),
    col("current_disk_gib", "现有磁盘", "Current disk", "GiB", "float"),
    col("flavor", "目标规格", "Target flavor", none=Text("none fits", "无匹配规格")),
    col("target_vcpus", "目标虚拟CPU", "Target vCPU", "vCPU", "int"),
    col("target_ram_gib", "目标内存", "Target RAM", "GiB", "float"),
    col("target_disk_gib", "目标磁盘", "Target disk", "GiB", "int"),
    col("basis", "测算依据", "Basis"),
    col("confidence", "可信度", "Confidence"),
    col("sizing_reason", "测算说明", "Sizing"),
    col("pool", "目标资源池", "Target pool", none=NO_POOL),
    col("placement_note", "落位说明", "Placement"),
    col("wave", "批次", "Wave", kind="int", none=NO_WAVE),
    col("depends_on", "依赖主机", "Depends on"),
    col("yearly_cost_yuan", "年度费用", "Yearly cost", "¥/year", "money"),
    col("risks", "风险", "Risks"),
)


def _risk_list(risks: Sequence[Risk]) -> Text | None:
    if not risks:
        return None
    ordered = sorted(risks, key=lambda r: (SEVERITY_ORDER.get(r.severity, 3), r.code))
    return Text("; ".join(r.text_en for r in ordered), "；".join(r.text_zh for r in ordered))


def host_row(h: HostPlan) -> Row:
    s = h.sizing
    return {
        "host": h.host,
        "address": h.address,
        "system": _name(h.system_code, h.system_name_en, h.system_name_zh),
        "department": _name(h.department_code, h.department_name_en, h.department_name_zh),
        "environment": _env_text((h.environment,)) if h.environment else None,
        "mlps_level": h.mlps_level,
        "os": h.os,
        "current_vcpus": h.current_vcpus,
        "current_ram_gib": num(h.current_ram_gib),
        "current_disk_gib": num(h.current_disk_gib),
        "flavor": s.flavor,
        "target_vcpus": s.vcpus,
        "target_ram_gib": num(s.ram_gib),
        "target_disk_gib": s.root_gib + s.data_gib,
        "basis": BASES.get(s.basis, Text(s.basis, s.basis)),
        "confidence": CONFIDENCE.get(s.confidence, Text(s.confidence, s.confidence)),
        "sizing_reason": s.reason,
        "pool": h.pool,
        "placement_note": h.placement_note or None,
        "wave": h.wave,
        "depends_on": ", ".join(h.depends_on) or None,
        "yearly_cost_yuan": num(h.yearly_cost_yuan, 2),
        "risks": _risk_list(h.risks),
    }


def _host_section(hosts: Sequence[HostPlan]) -> Section:
    rows = tuple(host_row(h) for h in hosts)
    table = Table(
        "hosts",
        Text("Hosts", "主机清单"),
        HOST_COLUMNS,
        rows,
        Text(
            "Hosts without a pool first, then by wave and system.",
            "无可用资源池的主机在前，其余按批次、系统排列。",
        ),
    )
    return Section("hosts", Text("Hosts", "主机清单"), (table,))


# --- pools ----------------------------------------------------------------------------------

POOL_COLUMNS = (
    col("pool", "资源池", "Pool"),
    col("resource", "资源", "Resource"),
    col("capacity", "可用容量", "Capacity", kind="float"),
    col("already_allocated", "已分配", "Already allocated", kind="float"),
    col("planned", "本次规划", "Planned", kind="float"),
    col("headroom_after", "迁移后余量", "Headroom after", kind="float"),
    col("runs_out", "不足", "Runs out", kind="bool"),
    col("hypervisors_needed", "所需宿主机（装箱）", "Hypervisors (FFD)", kind="int"),
    col("hypervisors_lower_bound", "宿主机下界", "Hypervisors lower bound", kind="int"),
)


def _pool_section(pools: Sequence[PoolFit]) -> Section:
    order = {r: i for i, r in enumerate(RESOURCES)}
    short = {p.pool for p in pools if p.headroom_after < 0}
    ordered = sorted(
        pools, key=lambda p: (p.pool not in short, p.pool, order.get(p.resource, 9), p.resource)
    )
    rows = tuple(
        {
            "pool": p.pool,
            "resource": _resource_label(p.resource),
            "capacity": num(p.capacity),
            "already_allocated": num(p.already_allocated),
            "planned": num(p.planned),
            "headroom_after": num(p.headroom_after),
            "runs_out": p.headroom_after < 0,
            "hypervisors_needed": p.hypervisors_needed,
            "hypervisors_lower_bound": p.hypervisors_lower_bound,
        }
        for p in ordered
    )
    notes: list[Text] = []
    for p in ordered:
        if p.headroom_after < 0:
            res = RESOURCES.get(p.resource, Text(p.resource, p.resource))
            unit = UNITS.get(p.resource, "")
            notes.append(
                Text(
                    f"Pool {p.pool} runs out of {res.en} by {-p.headroom_after:,.1f} {unit}.",
                    f"资源池 {p.pool} 的{res.zh}缺口 {-p.headroom_after:,.1f} {unit}。",
                )
            )
    if not notes and pools:
        notes.append(Text("Every pool holds the plan.", "各资源池均可容纳本次规划。"))
    charts = tuple(
        _pool_chart(ordered, r) for r in RESOURCES if any(p.resource == r for p in pools)
    )
    table = Table(
        "pools",
        Text("Pool fit", "资源池容量匹配"),
        POOL_COLUMNS,
        rows,
        Text(
            "Capacity after overcommit ratios and reserve; a negative headroom is the shortfall.",
            "可用容量已按超分比与预留扣除；余量为负即缺口。",
        ),
        flag="runs_out",
    )
    return Section("pools", Text("Pool fit", "资源池容量匹配"), (table,), charts, tuple(notes))


def _resource_label(resource: str) -> Text:
    name = RESOURCES.get(resource, Text(resource, resource))
    unit = UNITS.get(resource)
    return Text(f"{name.en} ({unit})", f"{name.zh} ({unit})") if unit else name


def _pool_chart(pools: Sequence[PoolFit], resource: str) -> Chart:
    mine = [p for p in pools if p.resource == resource]
    label = RESOURCES[resource]
    return Chart(
        "stacked_bar",
        Text(f"{label.en}: allocated, planned and headroom", f"{label.zh}：已分配、规划与余量"),
        tuple(p.pool for p in mine),
        (
            Series(Text("already allocated", "已分配"), tuple(p.already_allocated for p in mine)),
            Series(Text("planned", "本次规划"), tuple(p.planned for p in mine)),
            Series(
                Text("headroom left", "剩余余量"), tuple(max(p.headroom_after, 0.0) for p in mine)
            ),
            Series(Text("shortfall", "缺口"), tuple(max(-p.headroom_after, 0.0) for p in mine)),
        ),
        UNITS[resource],
    )


# --- risks ----------------------------------------------------------------------------------

RISK_SUMMARY_COLUMNS = (
    col("kind", "风险类别", "Risk"),
    col("code", "代码", "Code"),
    col("high", "高", "High", kind="int"),
    col("medium", "中", "Medium", kind="int"),
    col("low", "低", "Low", kind="int"),
    col("hosts", "涉及主机", "Hosts", kind="int"),
)
RISK_COLUMNS = (
    col("kind", "风险类别", "Risk"),
    col("severity", "等级", "Severity"),
    col("host", "主机", "Host"),
    col("system", "系统", "System"),
    col("wave", "批次", "Wave", kind="int", none=NO_WAVE),
    col("detail", "说明", "Detail"),
)


def _risk_kind(code: str) -> Text:
    return RISK_KINDS.get(code, Text(code, code))


def _risk_section(hosts: Sequence[HostPlan]) -> Section:
    pairs = [(h, r) for h in hosts for r in h.risks]
    by_code: dict[str, list[tuple[HostPlan, Risk]]] = defaultdict(list)
    for h, r in pairs:
        by_code[r.code].append((h, r))

    def weight(code: str) -> tuple[int, int, str]:
        items = by_code[code]
        worst = min(SEVERITY_ORDER.get(r.severity, 3) for _h, r in items)
        return (worst, -len(items), code)

    codes = sorted(by_code, key=weight)
    counts = {
        code: {s: sum(1 for _h, r in by_code[code] if r.severity == s) for s in SEVERITY_ORDER}
        for code in codes
    }
    summary: list[Row] = []
    for code in codes:
        row: Row = {"kind": _risk_kind(code), "code": code}
        row.update(counts[code])
        row["hosts"] = len({h.host for h, _r in by_code[code]})
        summary.append(row)
    detail = tuple(
        {
            "kind": _risk_kind(code),
            "severity": CONFIDENCE.get(r.severity, Text(r.severity, r.severity)),
            "host": h.host,
            "system": _name(h.system_code, h.system_name_en, h.system_name_zh),
            "wave": h.wave,
            "detail": Text(r.text_en, r.text_zh),
        }
        for code in codes
        for h, r in sorted(
            by_code[code], key=lambda hr: (SEVERITY_ORDER.get(hr[1].severity, 3), hr[0].host)
        )
    )
    chart = Chart(
        "stacked_bar",
        Text("Risks by kind and severity", "各类风险（按等级）"),
        tuple(codes),
        tuple(
            Series(CONFIDENCE[s], tuple(float(counts[c][s]) for c in codes)) for s in SEVERITY_ORDER
        ),
        "hosts",
        tuple(_risk_kind(c) for c in codes),
    )
    tables = (
        Table(
            "risk_summary",
            Text("Risks by kind", "风险分类汇总"),
            RISK_SUMMARY_COLUMNS,
            tuple(summary),
        ),
        Table("risks", Text("Risks per host", "各主机风险"), RISK_COLUMNS, detail),
    )
    return Section("risks", Text("Risks", "风险"), tables, (chart,) if codes else ())


# --- notes and method -----------------------------------------------------------------------


def _notes_section(plan: MigrationPlan) -> Section:
    notes = tuple(Text(n, n) for n in plan.notes) + METHOD
    return Section("method", Text("Notes and method", "说明与方法"), (), (), notes)
