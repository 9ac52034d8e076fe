"""The capacity report: per pool capacity vs committed quota vs allocated vs measured use, the
exhaustion forecast from `pool-headroom` findings, and the monthly cost per department with
idle and shared (unallocated) cost on their own lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from govcloud.core import pricing
from govcloud.core import report_facts as rf
from govcloud.core.audit_data import AuditData
from govcloud.core.findings import Text
from govcloud.core.report_facts import Inputs, fig, make_report
from govcloud.core.report_model import Chart, Report, Row, Section, Series, Table, col, num

# --- capacity -------------------------------------------------------------------------------

POOL_COLUMNS = (
    rf.POOL_COL,
    col("pool_name", "名称", "Name"),
    col("servers", "云主机", "VMs", kind="int"),
    col("vcpu_capacity", "虚拟CPU容量", "vCPU capacity", "vCPU", "int"),
    col("vcpu_quota", "虚拟CPU配额", "vCPU committed quota", "vCPU", "int"),
    col("vcpu_allocated", "虚拟CPU已分配", "vCPU allocated", "vCPU", "int"),
    col("vcpu_used", "虚拟CPU实际使用", "vCPU measured use", "vCPU", "float"),
    col("ram_gib_capacity", "内存容量", "RAM capacity", "GiB", "float"),
    col("ram_gib_quota", "内存配额", "RAM committed quota", "GiB", "float"),
    col("ram_gib_allocated", "内存已分配", "RAM allocated", "GiB", "float"),
    col("ram_gib_used", "内存实际使用", "RAM measured use", "GiB", "float"),
    col("volume_gib_allocated", "云硬盘容量已分配", "Volume allocated", "GiB", "int"),
    col("volume_gib_quota", "云硬盘配额", "Volume committed quota", "GiB", "int"),
)


def capacity(inputs: Inputs) -> Report:
    data = inputs.data
    pools = rf.pool_facts(data, rf.vm_use(data))
    rows = tuple({"pool_name": p.name, "pool": p.code, **_pool_row(p)} for p in pools)
    codes = tuple(p.code for p in pools)
    charts = (
        _pool_chart(pools, "vcpu", Text("vCPU per pool", "各资源池虚拟CPU"), "vCPU"),
        _pool_chart(pools, "ram_gib", Text("RAM per pool", "各资源池内存"), "GiB"),
    )
    pool_section = Section(
        "pools",
        Text(
            "Capacity, committed quota, allocation and measured use", "容量、配额、分配与实际使用"
        ),
        (Table("pools", Text("Pools", "资源池"), POOL_COLUMNS, rows),),
        charts,
        (
            Text(
                "Measured use: Σ over VMs of mean utilization × size over the window.",
                "实际使用：窗口内各云主机平均利用率 × 规格之和。",
            ),
        ),
    )
    forecast = _forecast_section(inputs, codes)
    costs = cost_section(inputs)
    vcpu_known = [p.vcpu_capacity for p in pools if p.vcpu_capacity is not None]
    days = [r["days_to_exhaustion"] for r in forecast.tables[0].rows]
    known_days = [d for d in days if isinstance(d, int | float)]
    figures = (
        fig("pools", "Pools", "资源池", len(pools)),
        fig(
            "vcpu_capacity", "vCPU capacity", "虚拟CPU容量", sum(vcpu_known) if vcpu_known else None
        ),
        fig(
            "vcpu_allocated",
            "vCPU allocated",
            "虚拟CPU已分配",
            sum(p.vcpu_allocated for p in pools),
        ),
        fig(
            "vcpu_used",
            "vCPU measured use",
            "虚拟CPU实际使用",
            _sum_opt(p.vcpu_used for p in pools),
        ),
        fig(
            "min_days_to_exhaustion",
            "Soonest exhaustion",
            "最早耗尽",
            min(known_days) if known_days else None,
            "d",
        ),
        fig(
            "unallocated_yuan_per_month",
            "Unallocated (shared) cost",
            "未分配（共享）成本",
            pricing.total_yuan(pricing.unallocated_lines(data)),
            "¥/month",
        ),
    )
    return make_report(
        "capacity",
        Text("Capacity report", "资源容量报告"),
        data,
        (pool_section, forecast, costs),
        figures,
    )


def _pool_row(p: rf.PoolFacts) -> Row:
    return {c.key: getattr(p, c.key) for c in POOL_COLUMNS[2:]}


def _pool_chart(pools: Sequence[rf.PoolFacts], res: str, title: Text, unit: str) -> Chart:
    def series(attr: str, en: str, zh: str) -> Series:
        return Series(Text(en, zh), tuple(num(getattr(p, f"{res}_{attr}")) for p in pools))

    return Chart(
        "bar",
        title,
        tuple(p.code for p in pools),
        (
            series("capacity", "capacity", "容量"),
            series("quota", "committed quota", "已承诺配额"),
            series("allocated", "allocated", "已分配"),
            series("used", "measured use", "实际使用"),
        ),
        unit,
    )


FORECAST_COLUMNS = (
    rf.POOL_COL,
    col("resource", "资源", "Resource"),
    col("severity", "级别", "Severity"),
    col("days_to_exhaustion", "预计耗尽天数", "Days to exhaustion", "d", "float"),
    col("days_low", "下限", "Low", "d", "float"),
    col("days_high", "上限", "High", "d", "float"),
    col("slope_per_day", "日增长", "Growth per day", kind="float"),
    col("message", "说明", "Message"),
)


def _forecast_section(inputs: Inputs, pools: Sequence[str]) -> Section:
    rows: list[Row] = []
    for f in inputs.findings:
        if f.check != "pool-headroom":
            continue
        ev = f.evidence
        rows.append(
            {
                "pool": f.pool or f.subject_id,
                "resource": str(ev.get("resource") or f.subject_id.partition(":")[2]),
                "severity": Text(f.severity.value, f.severity.zh),
                "days_to_exhaustion": _first_num(ev, "days_to_exhaustion", "days"),
                "days_low": _first_num(ev, "days_low", "days_to_exhaustion_low", "days_min"),
                "days_high": _first_num(ev, "days_high", "days_to_exhaustion_high", "days_max"),
                "slope_per_day": _first_num(ev, "slope_per_day"),
                "message": f.message,
            }
        )
    table = Table(
        "forecast", Text("Exhaustion forecast", "耗尽预测"), FORECAST_COLUMNS, tuple(rows)
    )
    notes = (
        () if rows else (Text("No pool-headroom findings in this run.", "本次无资源池余量发现。"),)
    )
    return Section(
        "forecast",
        Text("Exhaustion forecast", "资源耗尽预测"),
        (table,),
        _history_charts(inputs.data, pools),
        notes,
    )


def _first_num(ev: Mapping[str, Any], *keys: str) -> float | None:
    """The first of KEYS the evidence carries (checks name their numbers differently)."""
    for k in keys:
        v = num(ev.get(k))
        if v is not None:
            return v
    return None


def _history_charts(data: AuditData, pools: Sequence[str]) -> tuple[Chart, ...]:
    """Allocated vCPU at each sync against capacity: the line a forecast extends."""
    facts = {p.code: p for p in rf.pool_facts(data, [])}
    charts = []
    for code in pools:
        points = sorted((u for u in data.usage_history if u.pool_code == code), key=lambda u: u.ts)
        if len(points) < 2:
            continue
        cap = facts[code].vcpu_capacity
        charts.append(
            Chart(
                "line",
                Text(f"{code}: allocated vCPU over time", f"{code}：已分配虚拟CPU趋势"),
                tuple(u.ts.date().isoformat() for u in points),
                (
                    Series(Text("allocated", "已分配"), tuple(float(u.vcpus) for u in points)),
                    Series(Text("capacity", "容量"), tuple(num(cap) for _ in points)),
                ),
                "vCPU",
            )
        )
    return tuple(charts)


COST_COLUMNS = (
    rf.DEPARTMENT_COL,
    rf.DEPARTMENT_NAME_COL,
    rf.POOL_COL,
    col("allocated_yuan_per_month", "按分配计费", "Allocated basis", "¥/month", "money"),
    col("quota_yuan_per_month", "按配额计费", "Quota basis", "¥/month", "money"),
    col("idle_yuan_per_month", "其中闲置", "Of which idle", "¥/month", "money"),
    col("unpriced", "未声明单价的资源", "Resources without a price"),
)


def cost_section(inputs: Inputs) -> Section:
    """Monthly bill per department and pool on both bases, idle cost, and shared cost."""
    data = inputs.data
    allocated = pricing.allocated_lines(data)
    quota = pricing.quota_lines(data)
    idle = pricing.idle_lines(data, inputs.findings)
    shared = pricing.unallocated_lines(data)
    keys = sorted({(ln.department, ln.pool) for ln in (*allocated, *quota)}, key=_dept_pool)
    rows: list[Row] = []
    for dept, pool in keys:
        a = [ln for ln in allocated if (ln.department, ln.pool) == (dept, pool)]
        q = [ln for ln in quota if (ln.department, ln.pool) == (dept, pool)]
        i = [ln for ln in idle if (ln.department, ln.pool) == (dept, pool)]
        rows.append(_cost_row(data, dept, pool, a, q, i))
    for pool in sorted({ln.pool for ln in shared}):
        s = [ln for ln in shared if ln.pool == pool]
        row = _cost_row(data, None, pool, s, [], [])
        row["department_name"] = rf.SHARED
        rows.append(row)
    applied = pricing.prices_applied((*allocated, *quota, *idle, *shared))
    day = pricing.billing_day(data).isoformat()
    notes = (
        Text(
            f"Prices valid on {day}; applied: " + (", ".join(applied) or "none"),
            f"单价按 {day} 有效者计；所用单价：" + ("，".join(applied) or "无"),
        ),
        Text(
            "Idle cost is part of the allocated bill, shown on its own; shared cost is "
            "capacity no department holds, not spread over departments.",
            "闲置成本包含在按分配计费中并单列；共享成本为未分配给任何部门的容量，不摊入各部门。",
        ),
    )
    lines_table = Table(
        "charge_lines",
        Text("Charge lines", "计费明细"),
        LINE_COLUMNS,
        tuple(line_row(ln) for ln in (*allocated, *quota, *idle, *shared)),
    )
    return Section(
        "costs",
        Text("Monthly cost (showback)", "月度费用（成本展示）"),
        (
            Table(
                "costs",
                Text("Monthly cost per department", "各部门月度费用"),
                COST_COLUMNS,
                tuple(rows),
            ),
            lines_table,
        ),
        (),
        notes,
    )


def _dept_pool(k: tuple[str | None, str]) -> tuple[str, str]:
    return (k[0] or "\uffff", k[1])


def _cost_row(
    data: AuditData,
    dept: str | None,
    pool: str,
    allocated: list[pricing.ChargeLine],
    quota: list[pricing.ChargeLine],
    idle: list[pricing.ChargeLine],
) -> Row:
    missing = pricing.unpriced((*allocated, *quota, *idle))
    return {
        "department": dept or "",
        "department_name": rf.department_name(data, dept),
        "pool": pool,
        "allocated_yuan_per_month": pricing.total_yuan(allocated),
        "quota_yuan_per_month": pricing.total_yuan(quota),
        "idle_yuan_per_month": pricing.total_yuan(idle) if idle else 0.0,
        "unpriced": ", ".join(missing),
    }


LINE_COLUMNS = (
    col("basis", "计费依据", "Basis"),
    rf.DEPARTMENT_COL,
    rf.POOL_COL,
    col("resource", "资源", "Resource"),
    col("quantity", "数量", "Quantity", kind="float"),
    col("yuan_per_unit_month", "单价", "Unit price", "¥/unit·month", "money"),
    col("yuan_per_month", "金额", "Amount", "¥/month", "money"),
    col("price_id", "所用单价", "Price applied"),
)

_BASIS = {
    pricing.ALLOCATED: Text("allocated", "按分配"),
    pricing.QUOTA: Text("quota", "按配额"),
    pricing.IDLE: Text("idle", "闲置"),
    pricing.UNALLOCATED: Text("unallocated (shared)", "未分配（共享）"),
}


def line_row(ln: pricing.ChargeLine) -> Row:
    return {
        "basis": _BASIS[ln.basis],
        "department": ln.department or "",
        "pool": ln.pool,
        "resource": ln.resource,
        "quantity": ln.quantity,
        "yuan_per_unit_month": ln.yuan_per_unit_month,
        "yuan_per_month": ln.yuan_per_month,
        "price_id": ln.price_id or "",
    }


def _sum_opt(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known), 1) if known else None
