"""Column specs of `govcloud metrics`: snake_case keys (the JSON contract) and labels."""

from __future__ import annotations

from govcloud.cli.render import Column as C

COLLECT = (
    C("name", "名称", "Name"),
    C("url", "地址", "URL"),
    C("target", "实例", "Instance", long=True),
    C("server_id", "云主机ID", "Server ID", long=True),
    C("joined_by", "关联方式", "Joined by", long=True),
    C("status", "状态", "Status", words="outcome"),
    C("points", "样本", "Samples", kind="int"),
    C("duration_ms", "耗时", "Duration", "ms", kind="int"),
    C("error", "错误", "Error", kind="sentence"),
    C("note", "备注", "Note", long=True),
)

UTILIZATION = (
    C("name", "名称", "Name"),
    C("target", "实例", "Instance", long=True),
    C("server_id", "云主机ID", "Server ID", long=True),
    C("department", "部门", "Department"),
    C("metric", "指标", "Metric", words="metric"),
    C("window_days", "窗口", "Window", "d", kind="float"),
    C("p50", "P50", "P50", kind="dec"),
    C("p90", "P90", "P90", kind="dec", long=True),
    C("p95", "P95", "P95", kind="dec"),
    C("p99", "P99", "P99", kind="dec"),
    C("max", "最大", "Max", kind="dec"),
    C("avg", "平均", "Avg", kind="dec"),
    C("points", "数据点", "Points", kind="int", long=True),
    C("expected_points", "应有数据点", "Expected", kind="int", long=True),
    C("coverage_pct", "数据覆盖率", "Coverage", kind="pct"),
    C("confidence", "置信度", "Confidence", kind="int", long=True),
    C("source", "来源", "Source", long=True),
)
