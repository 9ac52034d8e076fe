"""The capacity report: per pool capacity vs committed quota vs allocated vs measured use, the
storage of each pool and volume type (Cinder's usable capacity against allocated, provisioned,
approved and committed GiB: `storage_capacity`'s figures, as `pool show` and `quota check` give
them), the exhaustion forecast from `pool-headroom` findings, and the monthly cost per
department with idle and shared (unallocated) cost on their own lines.

Storage that a backend reports as infinite/unknown is shown as unknown, never as 0 or as a sum
of the backends that did answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from govcloud.core import commitment, pricing
from govcloud.core import report_facts as rf
from govcloud.core.audit_data import AuditData
from govcloud.core.findings import Text
from govcloud.core.report_facts import Inputs, fig, make_report
from govcloud.core.report_model import (
    UNKNOWN,
    Chart,
    Report,
    Row,
    Section,
    Series,
    Table,
    col,
    num,
)
from govcloud.core.storage_capacity import StorageCapacity

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
    col("volume_gib_usable", "存储可用容量", "Storage usable", "GiB", "int", UNKNOWN),
    col("volume_gib_quota", "云硬盘配额", "Volume committed quota", "GiB", "int"),
    col("volume_gib_approved", "云硬盘批复配额", "Volume approved", "GiB", "int"),
    col("volume_gib_allocated", "云硬盘容量已分配", "Volume allocated", "GiB", "int"),
    col("volume_gib_provisioned", "存储已置备", "Storage provisioned", "GiB", "int", UNKNOWN),
)


def capacity(inputs: Inputs) -> Report:
    data = inputs.data
    pools = rf.pool_facts(data, rf.vm_use(data))
    rows = tuple({"pool_name": p.name, "pool": p.code, **_pool_row(p)} for p in pools)
    codes = tuple(p.code for p in pools)
    charts = (
        _pool_chart(pools, "vcpu", Text("vCPU per pool", "各资源池虚拟CPU"), "vCPU"),
        _pool_chart(pools, "ram_gib", Text("RAM per pool", "各资源池内存"), "GiB"),
        _storage_chart(pools),
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
    storage = storage_section(data)
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
            "storage_usable_gib",
            "Storage usable",
            "存储可用容量",
            _sum_known(p.volume_gib_usable for p in pools),
            "GiB",
        ),
        fig(
            "storage_provisioned_gib",
            "Storage provisioned",
            "存储已置备",
            _sum_known(p.volume_gib_provisioned for p in pools),
            "GiB",
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
        (pool_section, storage, forecast, costs),
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


def _storage_chart(pools: Sequence[rf.PoolFacts]) -> Chart:
    def series(attr: str, en: str, zh: str) -> Series:
        return Series(Text(en, zh), tuple(num(getattr(p, f"volume_gib_{attr}")) for p in pools))

    return Chart(
        "bar",
        Text("Storage per pool", "各资源池存储"),
        tuple(p.code for p in pools),
        (
            series("usable", "usable", "可用容量"),
            series("quota", "committed quota", "已承诺配额"),
            series("approved", "approved", "批复配额"),
            series("provisioned", "provisioned", "已置备"),
        ),
        "GiB",
    )


# --- storage per pool and volume type ---------------------------------------------------------

ALL_TYPES = Text("(pool total)", "（资源池合计）")

STORAGE_COLUMNS = (
    rf.POOL_COL,
    col("volume_type", "云硬盘类型", "Volume type"),
    col("backends", "存储后端", "Backends", kind="int"),
    col("ratio", "超分比", "Over-subscription", kind="float"),
    col("usable_gib", "可用容量", "Usable", "GiB", "int", UNKNOWN),
    col("allocated_gib", "已分配", "Allocated", "GiB", "int", UNKNOWN),
    col("provisioned_gib", "已置备", "Provisioned", "GiB", "int", UNKNOWN),
    col("provisioned_pct", "置备率", "Provisioned %", kind="pct", none=UNKNOWN),
    col("approved_gib", "批复配额", "Approved", "GiB", "int"),
    col("approved_pct", "批复/可用", "Approved %", kind="pct", none=UNKNOWN),
    col("quota_gib", "已承诺配额", "Committed quota", "GiB", "int"),
    col("quota_pct", "配额/可用", "Quota %", kind="pct", none=UNKNOWN),
    col("unlimited_projects", "不限额项目", "Unlimited projects", kind="int"),
    col("note", "说明", "Note"),
)


def storage_section(data: AuditData) -> Section:
    """Each pool's storage row, then its volume types: usable against what is held and promised."""
    storage = commitment.storage_by_pool(data)
    rows = tuple(_storage_row(cap) for pool in data.pools for cap in storage.get(pool.code, []))
    notes = (
        Text(
            "Usable: Σ backend total × over-subscription (thin backends; `auto` as Cinder "
            "computes it) − reserved percentage. Committed quota: the cloud's limit where synced, "
            "else the approved one; a volume type's -1 is bounded by the project's total.",
            "可用容量：各存储后端总容量 × 超分比（仅精简置备；auto 按 Cinder 的算法）− 预留比例。"
            "已承诺配额：已同步的取云上限额，否则取批复值；类型配额 -1 受项目总配额约束。",
        ),
        Text(
            "A backend reporting infinite or unknown capacity makes its pool or type unknown.",
            "存储后端报告容量为 infinite 或 unknown 时，所属资源池或类型的容量记为未知。",
        ),
    )
    title = Text("Storage per pool and volume type", "各资源池及类型存储")
    table = Table("storage", title, STORAGE_COLUMNS, rows)
    return Section("storage", Text("Storage", "存储"), (table,), (), notes)


def _storage_row(cap: StorageCapacity) -> Row:
    return {
        "pool": cap.pool,
        "volume_type": cap.volume_type or ALL_TYPES,
        "backends": len(cap.backends),
        "ratio": num(cap.ratio, 2),
        "usable_gib": cap.usable_gib,
        "allocated_gib": cap.allocated_gib,
        "provisioned_gib": cap.provisioned_gib,
        "provisioned_pct": cap.provisioned_pct,
        "approved_gib": cap.approved_gib,
        "approved_pct": cap.approved_pct,
        "quota_gib": cap.quota_gib,
        "quota_pct": cap.quota_pct,
        "unlimited_projects": cap.unlimited_projects,
        "note": _note(cap.note),
    }


# storage_capacity's notes are English; the phrases it uses, in Chinese
_NOTE_ZH = (
    ("no Cinder backend synced for this pool", "该资源池未同步到 Cinder 存储后端"),
    ("declared backend(s) not reported: ", "已声明但未上报的存储后端："),
    ("volume type not seen in this pool", "该资源池中未发现此云硬盘类型"),
    (
        "no volume_backend_name: the scheduler may place it on any backend",
        "未设置 volume_backend_name：调度器可能将其放到任一后端",
    ),
    (" reports infinite/unknown capacity", " 报告容量为 infinite/unknown"),
    (
        ": auto over-subscription needs free and provisioned capacity",
        "：auto 超分比需要剩余与已置备容量",
    ),
    ("no backend ", "该资源池中无存储后端 "),
    (" in this pool", ""),
)


def _note(note: str) -> Text | str:
    if not note:
        return ""
    zh = note
    for en, chinese in _NOTE_ZH:
        zh = zh.replace(en, chinese)
    return Text(note, zh)


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


def _sum_known(values: Iterable[int | None]) -> int | None:
    """Σ, or None when any term is unknown: a partial sum would look like the whole."""
    items = list(values)
    if not items or any(v is None for v in items):
        return None
    return sum(v for v in items if v is not None)


def _sum_opt(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known), 1) if known else None
