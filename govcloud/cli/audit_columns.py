"""Column specs and row views of `audit`, `rightsize` and `playbook`: snake_case keys are the
JSON contract, labels are what staff read (发现, 级别, 可回收)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from govcloud.cli.render import Column as C

if TYPE_CHECKING:
    from govcloud.adapters.store.findings_repo import RunRecord
    from govcloud.core.findings import Finding, Text
    from govcloud.core.recommendation import Recommendation
    from govcloud.core.rightsizing import ReclaimTotal

# The department by name in the reader's language, as tenant lists show it; the code (the JSON
# contract, what --tenant takes) with --long and in machine formats
DEPARTMENT = (
    C("department", "部门代码", "Department code", long=True),
    C("department_zh", "部门", "Department", lang="zh"),
    C("department_en", "部门", "Department", lang="en"),
)

FINDING = (
    C("run_id", "运行", "Run", kind="int", long=True),
    C("severity", "级别", "Severity", words="severity"),
    C("check", "检查项", "Check", words="check"),
    C("subject_type", "对象类型", "Subject type", long=True, words="subject_type"),
    C("subject_id", "对象ID", "Subject ID", long=True),
    C("subject_name", "对象", "Subject", lang="zh"),
    C("subject_name_en", "对象", "Subject", lang="en"),
    C("pool", "资源池", "Pool"),
    *DEPARTMENT,
    C("system", "业务系统", "System", long=True),
    C("message_zh", "说明", "Message", lang="zh"),
    C("message_en", "说明", "Message", lang="en"),
    C("action_zh", "建议", "Action", lang="zh", long=True),
    C("action_en", "建议", "Action", lang="en", long=True),
    C("reclaim_vcpus", "可回收虚拟CPU", "Reclaim vCPU", kind="int"),
    C("reclaim_ram_gib", "可回收内存", "Reclaim RAM", "GiB", kind="float"),
    C("reclaim_volume_gib", "可回收云硬盘", "Reclaim volume", "GiB", kind="int", long=True),
    C("evidence", "依据", "Evidence", long=True),
)

DIFF = (
    C("status", "变化", "Change", words="diff_status"),
    C("severity", "级别", "Severity", words="severity"),
    C("previous_severity", "原级别", "Was", long=True, words="severity"),
    C("check", "检查项", "Check", words="check"),
    C("subject_type", "对象类型", "Subject type", long=True, words="subject_type"),
    C("subject_id", "对象ID", "Subject ID", long=True),
    C("subject_name", "对象", "Subject", lang="zh"),
    C("subject_name_en", "对象", "Subject", lang="en"),
    C("pool", "资源池", "Pool"),
    *DEPARTMENT,
    C("message_zh", "说明", "Message", lang="zh"),
    C("message_en", "说明", "Message", lang="en"),
)

RUN = (
    C("id", "运行", "Run", kind="int"),
    C("started_at", "开始时间", "Started", kind="time"),
    C("status", "状态", "Status", words="outcome"),
    C("window_days", "窗口", "Window", "d", kind="float"),
    C("findings", "发现项", "Findings", kind="int"),
    C("critical", "严重", "Critical", kind="int"),
    C("high", "高", "High", kind="int"),
    C("medium", "中", "Medium", kind="int"),
    C("reclaim_vcpus", "可回收虚拟CPU", "Reclaim vCPU", kind="int"),
    C("reclaim_ram_gib", "可回收内存", "Reclaim RAM", "GiB", kind="float"),
    C("playbook", "剧本", "Playbook", long=True),
    C("error", "错误", "Error", long=True, kind="sentence"),
)

RIGHTSIZE = (
    C("server_id", "ID", "ID", long=True),
    C("name", "名称", "Name"),
    C("pool", "资源池", "Pool"),
    *DEPARTMENT,
    C("system", "业务系统", "System", long=True),
    C("verdict", "结论", "Verdict", words="verdict"),
    C("current_flavor", "当前规格", "Flavor"),
    C("target_flavor", "建议规格", "Target"),
    C("current_vcpus", "虚拟CPU", "vCPU", kind="int", long=True),
    C("target_vcpus", "建议虚拟CPU", "Target vCPU", kind="int", long=True),
    C("current_ram_gib", "内存", "RAM", "GiB", kind="float", long=True),
    C("target_ram_gib", "建议内存", "Target RAM", "GiB", kind="float", long=True),
    C("cpu_demand_vcpus", "CPU需求", "CPU demand", "vCPU", kind="float"),
    C("ram_demand_gib", "内存需求", "RAM demand", "GiB", kind="float"),
    C("cpu_percentile", "百分位", "Percentile", kind="float", long=True),
    C("headroom", "余量系数", "Headroom", kind="float", long=True),
    C("coverage_pct", "数据覆盖", "Coverage", kind="pct"),
    C("confidence", "置信度", "Confidence", kind="int"),
    C("level_shift", "负载跃升", "Level shift", long=True),
    C("reclaim_vcpus", "可回收虚拟CPU", "Reclaim vCPU", kind="int"),
    C("reclaim_ram_gib", "可回收内存", "Reclaim RAM", "GiB", kind="float"),
    C("reason_zh", "理由", "Reason", lang="zh", long=True),
    C("reason_en", "理由", "Reason", lang="en", long=True),
)

TOTAL = (
    C("group_by", "汇总维度", "By", long=True),
    C("group", "部门/资源池代码", "Department/pool code", long=True),
    C("group_zh", "部门/资源池", "Department/pool", lang="zh"),
    C("group_en", "部门/资源池", "Department/pool", lang="en"),
    C("vms", "云主机", "VMs", kind="int"),
    C("over", "配置过高", "Over", kind="int"),
    C("under", "配置不足", "Under", kind="int"),
    C("reclaim_vcpus", "可回收虚拟CPU", "Reclaim vCPU", kind="int"),
    C("reclaim_ram_gib", "可回收内存", "Reclaim RAM", "GiB", kind="float"),
)

PLAYBOOK = (
    C("path", "文件", "File"),
    C("name", "名称", "Name"),
    C("description", "说明", "Description", long=True),
    C("schedule", "计划", "Schedule"),
    C("steps", "步骤", "Steps"),
    C("status", "状态", "Status", words="outcome"),
    C("error", "错误", "Error", kind="sentence"),
    C("hint", "提示", "Hint", long=True, kind="sentence"),
)

STEP = (
    C("index", "步骤", "Step", kind="int"),
    C("type", "类型", "Type"),
    C("status", "状态", "Status", words="outcome"),
    C("duration_s", "耗时", "Duration", "s", kind="float"),
    C("summary", "结果", "Summary"),
    C("error", "错误", "Error", kind="sentence"),
)


def finding_rows(findings: Sequence[Finding], run_id: int | None) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "severity": f.severity,
            "check": f.check,
            "subject_type": f.subject_type.value,
            "subject_id": f.subject_id,
            "subject_name": f.subject_name,
            "subject_name_en": f.subject.en,
            "pool": f.pool,
            "department": f.department,
            "department_zh": f.department_name.zh if f.department_name else None,
            "department_en": f.department_name.en if f.department_name else None,
            "system": f.system,
            "message_zh": f.message.zh,
            "message_en": f.message.en,
            "action_zh": f.action.zh,
            "action_en": f.action.en,
            "reclaim_vcpus": f.reclaim.vcpus,
            "reclaim_ram_gib": f.reclaim.ram_gib,
            "reclaim_volume_gib": f.reclaim.volume_gib,
            "evidence": dict(f.evidence),
        }
        for f in findings
    ]


def run_row(run: RunRecord) -> dict[str, Any]:
    summary = dict(run.summary or {})
    by_sev = dict(summary.get("by_severity") or {})
    reclaim = dict(summary.get("reclaim") or {})
    return {
        "id": run.id,
        "started_at": run.started_at,
        "status": run.status,
        "window_days": round(run.window_s / 86400, 2) if run.window_s else None,
        "findings": summary.get("findings"),
        "critical": by_sev.get("critical", 0),
        "high": by_sev.get("high", 0),
        "medium": by_sev.get("medium", 0),
        "reclaim_vcpus": reclaim.get("vcpus"),
        "reclaim_ram_gib": round(reclaim["ram_mib"] / 1024, 1) if "ram_mib" in reclaim else None,
        "playbook": run.playbook,
        "error": run.error,
    }


def recommendation_rows(
    recs: Sequence[Recommendation], names: Mapping[str, Text]
) -> list[dict[str, Any]]:
    """NAMES: department code -> its declared names."""

    def gib(mib: float | None) -> float | None:
        return None if mib is None else round(mib / 1024, 1)

    def named(code: str | None, lang: str) -> str | None:
        found = names.get(code) if code else None
        return found.get(lang) if found else None

    return [
        {
            "server_id": r.server_id,
            "name": r.name,
            "pool": r.pool,
            "department": r.department,
            "department_zh": named(r.department, "zh"),
            "department_en": named(r.department, "en"),
            "system": r.system,
            "verdict": r.verdict,
            "current_flavor": r.current_flavor,
            "target_flavor": r.target_flavor,
            "current_vcpus": r.current_vcpus,
            "target_vcpus": r.target_vcpus,
            "current_ram_gib": gib(r.current_ram_mib),
            "target_ram_gib": gib(r.target_ram_mib),
            "cpu_demand_vcpus": None
            if r.cpu_demand_vcpus is None
            else round(r.cpu_demand_vcpus, 2),
            "ram_demand_gib": gib(r.ram_demand_mib),
            "cpu_percentile": r.cpu_percentile,
            "headroom": r.headroom,
            "coverage_pct": round(r.coverage_pct, 1),
            "confidence": r.confidence,
            "level_shift": r.level_shift,
            "reclaim_vcpus": r.reclaim.vcpus,
            "reclaim_ram_gib": r.reclaim.ram_gib,
            "reason_zh": r.reason.zh,
            "reason_en": r.reason.en,
        }
        for r in recs
    ]


def total_rows(
    by: str, totals: Sequence[ReclaimTotal], names: Mapping[str, Text]
) -> list[dict[str, Any]]:
    """A department by its declared names (NAMES: code -> names); a pool by its code, which is
    what every listing calls a pool."""

    def name(key: str | None, lang: str) -> str:
        found = names.get(key) if by == "department" and key else None
        return found.get(lang) if found else key or "-"

    return [
        {
            "group_by": by,
            "group": t.key or "-",
            "group_zh": name(t.key, "zh"),
            "group_en": name(t.key, "en"),
            "vms": t.vms,
            "over": t.over,
            "under": t.under,
            "reclaim_vcpus": t.reclaim.vcpus,
            "reclaim_ram_gib": t.reclaim.ram_gib,
        }
        for t in totals
    ]
