"""Column specs of `quota show|check|plan|apply`: snake_case keys (the JSON contract) and the
labels staff know from Horizon/Skyline (配额, 已使用, 使用率)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from govcloud.cli.render import Column as C
from govcloud.cli.render import RenderOptions, as_dict

SHOW = (
    C("pool", "资源池", "Pool"),
    C("department", "部门代码", "Dept code", long=True),
    C("department_zh", "部门", "Department", lang="zh"),
    C("department_en", "部门", "Department", lang="en"),
    C("project", "项目", "Project"),
    C("project_id", "项目ID", "Project ID", long=True),
    C("resource", "资源", "Resource", words="resource"),
    C("unit", "单位", "Unit", words="unit"),
    C("approved", "批复配额", "Approved", kind="int"),
    C("limit", "配额", "Limit", kind="int"),
    C("in_use", "已使用", "In use", kind="int"),
    C("reserved", "预留", "Reserved", kind="int", long=True),
    C("used_pct", "使用率", "Used", kind="pct"),
    C("drift", "与批复不符", "Differs"),
    C("limit_from", "配额来源", "Limit from", long=True),
)

CHECK = (
    C("pool", "资源池", "Pool"),
    C("pool_zh", "名称", "Name", lang="zh", long=True),
    C("pool_en", "名称", "Name", lang="en", long=True),
    C("resource", "资源", "Resource", words="resource"),
    C("unit", "单位", "Unit", words="unit"),
    C("capacity_source", "容量来源", "Capacity from", long=True),
    C("ratio", "超分比", "Ratio", kind="float", long=True),
    C("placement_limit", "可分配上限", "Placement limit", kind="int", long=True),
    C("reserve", "预留", "Reserve", kind="int", long=True),
    C("capacity", "容量", "Capacity", kind="int"),
    C("quota_committed", "配额合计", "Σ quota", kind="int"),
    C("quota_pct", "配额/容量", "Quota/cap", kind="pct"),
    C("approved", "批复配额合计", "Σ approved", kind="int", long=True),
    C("unlimited_projects", "不限额项目", "Unlimited", kind="int", long=True),
    C("allocated", "已分配", "Allocated", kind="int"),
    C("provisioned", "已置备", "Provisioned", kind="int", long=True),
    C("allocated_pct", "分配率", "Alloc", kind="pct"),
    C("severity", "级别", "Severity", words="severity"),
    C("finding", "发现", "Finding", kind="sentence"),
)

CHANGE = (
    C("pool", "资源池", "Pool"),
    C("department", "部门代码", "Dept code"),
    C("project", "项目", "Project"),
    C("project_id", "项目ID", "Project ID", long=True),
    C("resource", "资源", "Resource", words="resource"),
    C("unit", "单位", "Unit", words="unit"),
    C("before", "当前配额", "Before", kind="int"),
    C("after", "批复配额", "After", kind="int"),
    C("in_use", "已使用", "In use", kind="int"),
    C("status", "状态", "Status", words="change_status"),
)

RECONCILE = (
    C("seq", "意图序号", "Intent #", kind="int"),
    C("pool", "资源池", "Pool"),
    C("project", "项目", "Project"),
    C("project_id", "项目ID", "Project ID", long=True),
    C("service", "服务", "Service"),
    C("intended", "意图配额", "Intended"),
    C("found", "云上现值", "Found"),
    C("outcome", "结果", "Outcome", words="change_status"),
)


# quota figures that count the row's unit (`quota show` and `quota plan|apply` rows)
_AMOUNTS = ("approved", "limit", "in_use", "reserved", "before", "after")


def in_table_units(rows: Sequence[Any], opts: RenderOptions) -> Sequence[Any]:
    """RAM in GiB in a table, as every other table shows it; the machine formats keep Nova's
    MiB (their `unit` field says which), so a script reads what the cloud's API takes."""
    if opts.output != "table":
        return rows
    out = []
    for r in rows:
        row = as_dict(r)
        out.append(_ram_in_gib(row) if row.get("unit") == "MiB" else r)
    return out


def _ram_in_gib(row: dict[str, Any]) -> dict[str, Any]:
    for key in _AMOUNTS:
        value = row.get(key)
        if isinstance(value, int) and value >= 0:  # -1 (unlimited) stays -1
            gib = value / 1024
            row[key] = int(gib) if gib.is_integer() else round(gib, 1)
    row["unit"] = "GiB"
    return row
