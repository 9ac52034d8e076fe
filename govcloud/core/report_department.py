"""The department report: what a bureau sends each department every month.

Its bill on both bases (allocated and approved quota) with the idle part on its own line, the
utilization of its VMs, its findings, and what it could give back (in vCPU, GiB and yuan/year).
"""

from __future__ import annotations

from govcloud.core import pricing
from govcloud.core import report_facts as rf
from govcloud.core.findings import Text
from govcloud.core.report_capacity import LINE_COLUMNS, line_row
from govcloud.core.report_facts import Inputs, fig, make_report, narrow
from govcloud.core.report_model import Chart, Report, Section, Series, Table
from govcloud.core.report_usage import (
    FINDING_COLUMNS,
    REC_COLUMNS,
    finding_rows,
    rec_rows,
    reclaim_section,
    utilization_sections,
)


def department_reports(inputs: Inputs, department: str | None) -> list[Report]:
    """One report per declared department (or only DEPARTMENT's), in code order."""
    codes = [department] if department else sorted(inputs.data.department_by_code)
    return [department_report(narrow(inputs, code), code) for code in codes]


def bill_section(inputs: Inputs, code: str) -> tuple[Section, dict[str, float | None]]:
    data = inputs.data
    allocated = [ln for ln in pricing.allocated_lines(data) if ln.department == code]
    quota = [ln for ln in pricing.quota_lines(data) if ln.department == code]
    idle = [ln for ln in pricing.idle_lines(data, inputs.findings) if ln.department == code]
    totals = {
        "allocated": pricing.total_yuan(allocated),
        "quota": pricing.total_yuan(quota),
        "idle": pricing.total_yuan(idle) if idle else 0.0,
    }
    missing = pricing.unpriced((*allocated, *quota))
    applied = pricing.prices_applied((*allocated, *quota, *idle))
    day = pricing.billing_day(data).isoformat()
    notes = [
        Text(
            f"Prices valid on {day}; applied: " + (", ".join(applied) or "none"),
            f"单价按 {day} 有效者计；所用单价：" + ("，".join(applied) or "无"),
        ),
        Text(
            "Idle: VMs that the idle and zombie checks name; already part of the allocated bill.",
            "闲置：闲置与僵尸检查所列云主机的费用，已包含在按分配计费中。",
        ),
    ]
    if missing:
        notes.append(
            Text(
                "No price declared for: " + ", ".join(missing) + " (totals exclude them).",
                "以下资源未声明单价：" + "，".join(missing) + "（合计不含）。",
            )
        )
    chart = Chart(
        "bar",
        Text("Monthly bill", "月度费用"),
        (code,),
        tuple(
            Series(label, (totals[k],))
            for k, label in (
                ("allocated", Text("allocated basis", "按分配")),
                ("quota", Text("quota basis", "按配额")),
                ("idle", Text("of which idle", "其中闲置")),
            )
        ),
        "¥/month",
    )
    rows = tuple(line_row(ln) for ln in (*allocated, *quota, *idle))
    table = Table("bill", Text("Charge lines", "计费明细"), LINE_COLUMNS, rows)
    section = Section("bill", Text("Monthly bill", "月度费用"), (table,), (chart,), tuple(notes))
    return section, totals


def department_report(inputs: Inputs, code: str) -> Report:
    data = inputs.data
    bill, totals = bill_section(inputs, code)
    uses = rf.vm_use(data)
    groups, vms = utilization_sections(data, uses)
    findings = Section(
        "findings",
        Text("Findings", "发现"),
        (
            Table(
                "findings",
                Text("Findings, worst first", "发现（按严重程度）"),
                FINDING_COLUMNS,
                finding_rows(inputs.findings),
            ),
        ),
    )
    subjects = rf.reclaim_by_subject(inputs.findings, inputs.recs)
    reclaim = reclaim_section(data, subjects, "reclaim", Text("What to reclaim", "可回收资源"))
    shrink = [r for r in inputs.recs if r.reclaim]
    reclaim = Section(
        reclaim.key,
        reclaim.title,
        (
            *reclaim.tables,
            Table(
                "recommendations",
                Text("Rightsizing", "规格优化建议"),
                REC_COLUMNS,
                rec_rows(data, shrink),
            ),
        ),
        reclaim.charts[1:],
        reclaim.notes,
    )
    total, yuan = rf.grand_total(rf.reclaim_totals(data, subjects, "pool"))
    name = rf.department_name(data, code)
    figures = (
        fig("servers", "VMs", "云主机", len(data.servers)),
        fig(
            "bill_allocated_yuan_per_month",
            "Bill (allocated)",
            "费用（按分配）",
            totals["allocated"],
            "¥/month",
        ),
        fig(
            "bill_quota_yuan_per_month",
            "Bill (quota)",
            "费用（按配额）",
            totals["quota"],
            "¥/month",
        ),
        fig("idle_yuan_per_month", "Of which idle", "其中闲置", totals["idle"], "¥/month"),
        fig("findings", "Findings", "发现", len(inputs.findings)),
        fig("reclaim_vcpus", "Reclaimable vCPU", "可回收虚拟CPU", total.vcpus, "vCPU"),
        fig("reclaim_ram_gib", "Reclaimable RAM", "可回收内存", total.ram_gib, "GiB"),
        fig("reclaim_yuan_per_year", "Savings", "可节约费用", yuan, "¥/year"),
    )
    title = Text(f"Department report: {name.en}", f"部门报告：{name.zh}")
    sections = (bill, groups, vms, findings, reclaim)
    return make_report("department", title, data, sections, figures, department=code)
