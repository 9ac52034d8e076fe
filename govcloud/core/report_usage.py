"""The utilization, rightsizing and audit reports.

Utilization is what 效能评估 (performance assessment of a government cloud) looks at: CPU and
memory P95 per department and pool, each VM's CPU peak, and how much data the figures rest on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from govcloud.core import pricing
from govcloud.core import report_facts as rf
from govcloud.core.audit_data import AuditData
from govcloud.core.findings import Finding, Text, reclaim_total
from govcloud.core.recommendation import Recommendation, Verdict
from govcloud.core.report_facts import Inputs, fig, make_report
from govcloud.core.report_model import (
    Cell,
    Chart,
    Figure,
    Report,
    Row,
    Section,
    Series,
    Table,
    col,
    mean,
)
from govcloud.core.severity import Severity
from govcloud.core.vocabulary import word

# --- utilization ----------------------------------------------------------------------------

GROUP_COLUMNS = (
    rf.DEPARTMENT_COL,
    rf.DEPARTMENT_NAME_COL,
    rf.POOL_COL,
    col("servers", "云主机", "VMs", kind="int"),
    col("vcpus", "虚拟CPU", "vCPU", kind="int"),
    col("cpu_p95_avg_pct", "CPU P95 均值", "CPU P95 average", "%", "pct"),
    col("mem_p95_avg_pct", "内存 P95 均值", "Memory P95 average", "%", "pct"),
    col("cpu_peak_max_pct", "CPU 峰值最高", "Highest CPU peak", "%", "pct"),
    col("coverage_avg_pct", "数据覆盖率", "Data coverage", "%", "pct"),
)

VM_COLUMNS = (
    rf.VM_NAME_COL,
    rf.VM_ID_COL,
    rf.DEPARTMENT_COL,
    rf.POOL_COL,
    col("flavor", "规格", "Flavor"),
    col("vcpus", "虚拟CPU", "vCPU", kind="int"),
    col("ram_gib", "内存", "RAM", "GiB", "float"),
    col("cpu_p95_pct", "CPU P95", "CPU P95", "%", "pct"),
    col("cpu_peak_pct", "CPU 峰值", "CPU peak", "%", "pct"),
    col("mem_p95_pct", "内存 P95", "Memory P95", "%", "pct"),
    col("coverage_pct", "数据覆盖率", "Data coverage", "%", "pct"),
)


def vm_rows(data: AuditData, uses: Sequence[rf.VmUse]) -> tuple[Row, ...]:
    """Least used first (what to look at), VMs without samples last."""
    ordered = sorted(
        uses,
        key=lambda u: (u.cpu_p95_pct is None, u.cpu_p95_pct or 0.0, u.server.name),
    )
    return tuple(
        {
            "name": u.server.name,
            "server_id": u.server.server_id,
            "department": u.department or "",
            "pool": u.server.pool_code,
            "flavor": u.server.flavor_name,
            "vcpus": u.server.vcpus,
            "ram_gib": round(u.server.ram_mib / 1024, 1),
            "cpu_p95_pct": u.cpu_p95_pct,
            "cpu_peak_pct": u.cpu_peak_pct,
            "mem_p95_pct": u.mem_p95_pct,
            "coverage_pct": u.coverage_pct,
        }
        for u in ordered
    )


def _group_rows(data: AuditData, uses: Sequence[rf.VmUse]) -> list[Row]:
    groups: dict[tuple[str | None, str], list[rf.VmUse]] = {}
    for u in uses:
        groups.setdefault((u.department, u.server.pool_code), []).append(u)
    rows: list[Row] = []
    for (dept, pool), mine in sorted(
        groups.items(), key=lambda kv: (kv[0][0] or "\uffff", kv[0][1])
    ):
        peaks = [u.cpu_peak_pct for u in mine if u.cpu_peak_pct is not None]
        rows.append(
            {
                "department": dept or "",
                "department_name": rf.department_name(data, dept),
                "pool": pool,
                "servers": len(mine),
                "vcpus": sum(u.server.vcpus for u in mine),
                "cpu_p95_avg_pct": mean([u.cpu_p95_pct for u in mine]),
                "mem_p95_avg_pct": mean([u.mem_p95_pct for u in mine]),
                "cpu_peak_max_pct": max(peaks) if peaks else None,
                "coverage_avg_pct": mean([u.coverage_pct for u in mine]),
            }
        )
    return rows


def utilization_sections(data: AuditData, uses: Sequence[rf.VmUse]) -> tuple[Section, Section]:
    rows = _group_rows(data, uses)
    labels = tuple(f"{r['department'] or '-'}/{r['pool']}" for r in rows)
    chart = Chart(
        "bar",
        Text("CPU and memory P95 per department and pool", "各部门、资源池 CPU 与内存 P95"),
        labels,
        (
            Series(
                Text("CPU P95 average", "CPU P95 均值"),
                tuple(_f(r["cpu_p95_avg_pct"]) for r in rows),
            ),
            Series(
                Text("memory P95 average", "内存 P95 均值"),
                tuple(_f(r["mem_p95_avg_pct"]) for r in rows),
            ),
        ),
        "%",
    )
    groups = Section(
        "departments",
        Text("Utilization per department and pool", "各部门、资源池利用率"),
        (
            Table(
                "utilization",
                Text("Per department and pool", "按部门和资源池"),
                GROUP_COLUMNS,
                tuple(rows),
            ),
        ),
        (chart,),
        (
            Text(
                f"Window: {data.window_days:g} days of 5-minute means.",
                f"统计窗口：{data.window_days:g} 天，5 分钟均值。",
            ),
        ),
    )
    vms = Section(
        "vms",
        Text("Each VM: CPU P95, CPU peak, memory P95", "各云主机：CPU P95、CPU 峰值、内存 P95"),
        (
            Table(
                "vms",
                Text("VMs, least used first", "云主机（利用率由低到高）"),
                VM_COLUMNS,
                vm_rows(data, uses),
            ),
        ),
    )
    return groups, vms


def _f(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def utilization(inputs: Inputs) -> Report:
    data = inputs.data
    uses = rf.vm_use(data)
    with_data = [u for u in uses if u.cpu_p95_pct is not None]
    figures = (
        fig("servers", "VMs", "云主机", len(uses)),
        fig("servers_with_data", "VMs with data", "有监测数据的云主机", len(with_data)),
        fig(
            "cpu_p95_avg_pct",
            "CPU P95 average",
            "CPU P95 均值",
            mean([u.cpu_p95_pct for u in uses]),
            "%",
        ),
        fig(
            "mem_p95_avg_pct",
            "Memory P95 average",
            "内存 P95 均值",
            mean([u.mem_p95_pct for u in uses]),
            "%",
        ),
        fig(
            "coverage_avg_pct",
            "Data coverage",
            "数据覆盖率",
            mean([u.coverage_pct for u in uses]),
            "%",
        ),
    )
    return make_report(
        "utilization",
        Text("Utilization report", "资源利用率报告"),
        data,
        utilization_sections(data, uses),
        figures,
    )


# --- rightsizing ----------------------------------------------------------------------------

TOTAL_COLUMNS = (
    col("group", "分组", "Group"),
    col("name", "名称", "Name"),
    col("subjects", "对象数", "Subjects", kind="int"),
    rf.RECLAIM_VCPUS_COL,
    rf.RECLAIM_RAM_COL,
    rf.RECLAIM_VOLUME_COL,
    rf.SAVINGS_COL,
)

REC_COLUMNS = (
    rf.VM_NAME_COL,
    rf.VM_ID_COL,
    rf.DEPARTMENT_COL,
    rf.POOL_COL,
    col("verdict", "结论", "Verdict"),
    col("current_flavor", "当前规格", "Current flavor"),
    col("target_flavor", "建议规格", "Recommended flavor"),
    col("current_vcpus", "当前虚拟CPU", "vCPU now", kind="int"),
    col("target_vcpus", "建议虚拟CPU", "vCPU recommended", kind="int"),
    col("current_ram_gib", "当前内存", "RAM now", "GiB", "float"),
    col("target_ram_gib", "建议内存", "RAM recommended", "GiB", "float"),
    col("coverage_pct", "数据覆盖率", "Data coverage", "%", "pct"),
    col("confidence", "置信度", "Confidence", "★", "int"),
    rf.RECLAIM_VCPUS_COL,
    rf.RECLAIM_RAM_COL,
    rf.SAVINGS_COL,
    col("reason", "说明", "Reason"),
)


def total_rows(data: AuditData, totals: Sequence[rf.ReclaimTotal], by: str) -> tuple[Row, ...]:
    def name(group: str) -> Text:
        if by == "pool":
            p = data.pool_by_code.get(group)
            return Text(p.name_en, p.name_zh) if p else Text(group, group)
        return rf.department_name(data, group or None)

    return tuple(
        {
            "group": t.group,
            "name": name(t.group),
            "subjects": t.subjects,
            "reclaim_vcpus": t.reclaim.vcpus,
            "reclaim_ram_gib": t.reclaim.ram_gib,
            "reclaim_volume_gib": t.reclaim.volume_gib,
            "reclaim_yuan_per_year": t.yuan_per_year,
        }
        for t in totals
    )


def rec_rows(data: AuditData, recs: Sequence[Recommendation]) -> tuple[Row, ...]:
    day = pricing.billing_day(data)
    ordered = sorted(recs, key=lambda r: (-r.reclaim.vcpus, -r.reclaim.ram_mib, r.name))
    return tuple(
        {
            "name": r.name,
            "server_id": r.server_id,
            "department": r.department or "",
            "pool": r.pool,
            "verdict": Text(r.verdict.value, r.verdict.zh),
            "current_flavor": r.current_flavor,
            "target_flavor": r.target_flavor or "",
            "current_vcpus": r.current_vcpus,
            "target_vcpus": r.target_vcpus,
            "current_ram_gib": round(r.current_ram_mib / 1024, 1),
            "target_ram_gib": None
            if r.target_ram_mib is None
            else round(r.target_ram_mib / 1024, 1),
            "coverage_pct": round(r.coverage_pct, 1),
            "confidence": r.confidence,
            "reclaim_vcpus": r.reclaim.vcpus,
            "reclaim_ram_gib": r.reclaim.ram_gib,
            "reclaim_yuan_per_year": pricing.reclaim_yuan_per_year(
                r.reclaim, r.pool, data.prices, day
            )
            if r.reclaim
            else 0.0,
            "reason": r.reason,
        }
        for r in ordered
    )


def reclaim_chart(title: Text, rows: Sequence[Row]) -> Chart:
    return Chart(
        "bar",
        title,
        tuple(str(r["group"]) or "-" for r in rows),
        (
            Series(Text("vCPU", "虚拟CPU"), tuple(_f(r["reclaim_vcpus"]) for r in rows)),
            Series(Text("RAM GiB", "内存 GiB"), tuple(_f(r["reclaim_ram_gib"]) for r in rows)),
        ),
    )


def reclaim_section(data: AuditData, subjects: rf.Subjects, key: str, title: Text) -> Section:
    by_pool = total_rows(data, rf.reclaim_totals(data, subjects, "pool"), "pool")
    by_dept = total_rows(data, rf.reclaim_totals(data, subjects, "department"), "department")
    return Section(
        key,
        title,
        (
            Table(f"{key}_by_department", Text("Per department", "按部门"), TOTAL_COLUMNS, by_dept),
            Table(f"{key}_by_pool", Text("Per pool", "按资源池"), TOTAL_COLUMNS, by_pool),
        ),
        (
            reclaim_chart(Text("Reclaimable per department", "各部门可回收资源"), by_dept),
            reclaim_chart(Text("Reclaimable per pool", "各资源池可回收资源"), by_pool),
        ),
        (
            Text(
                "Savings use each pool's declared prices; empty where a price is missing.",
                "节约费用按各资源池声明单价计算；缺少单价时留空。",
            ),
        ),
    )


def rightsizing(inputs: Inputs) -> Report:
    data, recs = inputs.data, inputs.recs
    subjects = rf.reclaim_by_subject((), recs)
    total, yuan = rf.grand_total(rf.reclaim_totals(data, subjects, "pool"))
    verdicts = Counter(r.verdict for r in recs)
    totals = reclaim_section(
        data, subjects, "reclaim", Text("Reclaimable totals", "可回收资源合计")
    )
    table = Table(
        "recommendations",
        Text("Recommendations, most reclaimable first", "建议（按可回收量排序）"),
        REC_COLUMNS,
        rec_rows(data, recs),
    )
    per_vm = Section("recommendations", Text("Per VM", "各云主机"), (table,))
    figures = (
        fig("servers", "VMs assessed", "评估云主机", len(recs)),
        fig("over_provisioned", "Over-provisioned", "配置过高", verdicts[Verdict.OVER]),
        fig("under_provisioned", "Under-provisioned", "配置不足", verdicts[Verdict.UNDER]),
        fig("reclaim_vcpus", "Reclaimable vCPU", "可回收虚拟CPU", total.vcpus, "vCPU"),
        fig("reclaim_ram_gib", "Reclaimable RAM", "可回收内存", total.ram_gib, "GiB"),
        fig("reclaim_yuan_per_year", "Savings", "可节约费用", yuan, "¥/year"),
    )
    return make_report(
        "rightsizing", Text("Rightsizing report", "规格优化报告"), data, (totals, per_vm), figures
    )


# --- audit ----------------------------------------------------------------------------------

FINDING_COLUMNS = (
    col("severity", "级别", "Severity"),
    col("check", "检查项", "Check"),
    col("subject_type", "对象类型", "Subject type"),
    col("subject_name", "对象", "Subject"),
    col("subject_id", "对象 ID", "Subject ID"),
    rf.POOL_COL,
    rf.DEPARTMENT_COL,
    col("message", "说明", "Message"),
    col("action", "建议操作", "Action"),
    rf.RECLAIM_VCPUS_COL,
    rf.RECLAIM_RAM_COL,
    rf.RECLAIM_VOLUME_COL,
)

COUNT_COLUMNS = (
    col("key", "项", "Item"),
    col("name", "名称", "Name"),
    col("findings", "发现数", "Findings", kind="int"),
)


def finding_rows(findings: Sequence[Finding], status: Text | None = None) -> tuple[Row, ...]:
    return tuple(
        {
            **({"status": status} if status else {}),
            "severity": Text(f.severity.value, f.severity.zh),
            "check": f.check,
            "subject_type": Text(f.subject_type.value, f.subject_type.zh),
            "subject_name": f.subject,
            "subject_id": f.subject_id,
            "pool": f.pool or "",
            "department": f.department or "",
            "message": f.message,
            "action": f.action,
            "reclaim_vcpus": f.reclaim.vcpus,
            "reclaim_ram_gib": f.reclaim.ram_gib,
            "reclaim_volume_gib": f.reclaim.volume_gib,
        }
        for f in findings
    )


def _counts(findings: Sequence[Finding]) -> tuple[Table, Table, Chart]:
    sev = Counter(f.severity for f in findings)
    sev_rows = tuple(
        _row(key=s.value, name=Text(s.value, s.zh), findings=sev[s])
        for s in sorted(Severity, key=lambda s: -s.rank)
        if s is not Severity.OK
    )
    checks = Counter(f.check for f in findings)
    check_rows = tuple(
        _row(key=c, name=_check_word(c), findings=n) for c, n in checks.most_common()
    )
    chart = Chart(
        "stacked_bar",
        Text("Findings per check and severity", "各检查项发现数（按级别）"),
        tuple(checks),
        tuple(
            Series(
                Text(s.value, s.zh),
                tuple(
                    float(sum(1 for f in findings if f.check == c and f.severity is s))
                    for c in checks
                ),
            )
            for s in sorted(Severity, key=lambda s: -s.rank)
            if sev[s]
        ),
        labels=tuple(_check_word(c) for c in checks),
    )
    return (
        Table("by_severity", Text("Findings by severity", "按级别"), COUNT_COLUMNS, sev_rows),
        Table("by_check", Text("Findings by check", "按检查项"), COUNT_COLUMNS, check_rows),
        chart,
    )


def _check_word(check: str) -> Text:
    """A check as people read it (配额闲置 under zh); the `key` column keeps the code."""
    return Text(word("check", check, "en"), word("check", check, "zh"))


def _row(**cells: Cell) -> Row:
    return dict(cells)


def diff_section(inputs: Inputs) -> Section | None:
    d = inputs.diff
    if d is None:
        return None
    status_col = (col("status", "状态", "Status"), *FINDING_COLUMNS)
    rows = finding_rows(d.new, Text("new", "新增")) + finding_rows(
        d.resolved, Text("resolved", "已解决")
    )
    return Section(
        "changes",
        Text("Changes since the previous run", "与上次运行相比的变化"),
        (
            Table(
                "changes", Text("New and resolved findings", "新增与已解决的发现"), status_col, rows
            ),
        ),
        notes=(
            Text(
                f"{len(d.new)} new, {len(d.resolved)} resolved, {len(d.persisting)} persisting.",
                f"新增 {len(d.new)} 项，已解决 {len(d.resolved)} 项，持续 {len(d.persisting)} 项。",
            ),
        ),
    )


def audit(inputs: Inputs) -> Report:
    data, findings = inputs.data, list(inputs.findings)
    by_sev, by_check, chart = _counts(findings)
    summary = Section("summary", Text("Summary", "概况"), (by_sev, by_check), (chart,))
    subjects = rf.reclaim_by_subject(findings)
    reclaim = reclaim_section(data, subjects, "reclaim", Text("What to reclaim", "可回收资源"))
    listing = Section(
        "findings",
        Text("Findings, worst first", "发现（按严重程度）"),
        (Table("findings", Text("Findings", "发现"), FINDING_COLUMNS, finding_rows(findings)),),
    )
    changes = diff_section(inputs)
    total = reclaim_total(findings)
    _, yuan = rf.grand_total(rf.reclaim_totals(data, subjects, "pool"))
    sev = Counter(f.severity for f in findings)
    figures: tuple[Figure, ...] = (
        fig("findings", "Findings", "发现", len(findings)),
        fig("critical", "Critical", "严重", sev[Severity.CRITICAL]),
        fig("high", "High", "高", sev[Severity.HIGH]),
        fig("reclaim_vcpus", "Reclaimable vCPU", "可回收虚拟CPU", total.vcpus, "vCPU"),
        fig("reclaim_ram_gib", "Reclaimable RAM", "可回收内存", total.ram_gib, "GiB"),
        fig("reclaim_volume_gib", "Reclaimable volume", "可回收云硬盘", total.volume_gib, "GiB"),
        fig("reclaim_yuan_per_year", "Savings", "可节约费用", yuan, "¥/year"),
    )
    if inputs.diff is not None:
        figures += (
            fig("new", "New since last run", "新增", len(inputs.diff.new)),
            fig("resolved", "Resolved since last run", "已解决", len(inputs.diff.resolved)),
        )
    sections = (summary, reclaim, *((changes,) if changes else ()), listing)
    return make_report("audit", Text("Audit report", "资源稽核报告"), data, sections, figures)
