"""Column specs of `govcloud log`: snake_case keys are the JSON contract (and the export's
field names), labels are what an auditor reads (序号, 操作员, 事件, 结果)."""

from __future__ import annotations

from govcloud.cli.render import Column as C

RECORD = (
    C("seq", "序号", "Seq", kind="int"),
    C("ts", "时间", "Time", kind="time"),
    C("operator", "操作员", "Operator"),
    C("os_user", "系统用户", "OS user", long=True),
    C("source_host", "来源主机", "Source host", long=True),
    C("event", "事件", "Event"),
    C("object_type", "对象类型", "Object type"),
    C("object_id", "对象", "Object"),
    C("outcome", "结果", "Outcome"),
    C("ticket", "变更单", "Ticket"),
    C("ref", "关联序号", "Ref", kind="int", long=True),
    C("command", "命令", "Command", long=True),
    C("before", "变更前", "Before", long=True),
    C("after", "变更后", "After", long=True),
    C("tool_version", "工具版本", "Tool version", long=True),
    C("prev_hash", "前一哈希", "Previous hash", long=True),
    C("hash", "哈希", "Hash", long=True),
    C("hmac", "HMAC", "HMAC", long=True),
    C("alg", "算法", "Algorithm", long=True),
)

VERIFY = (
    C("status", "结论", "Status"),
    C("records", "记录数", "Records", kind="int"),
    C("first_seq", "起始序号", "First seq", kind="int"),
    C("last_seq", "末尾序号", "Last seq", kind="int"),
    C("legacy_through", "旧格式记录至", "Legacy (unkeyed) through", kind="int"),
    C("pruned_through", "已清理至", "Pruned through", kind="int"),
    C("head", "链头锚点", "Head anchor"),
    C("head_seq", "锚定序号", "Head seq", kind="int"),
    C("bad_seq", "首个异常序号", "First bad seq", kind="int"),
    C("finding", "异常类型", "Finding"),
    C("detail", "说明", "Detail"),
    C("store", "存储", "Store", long=True),
    C("head_file", "链头文件", "Head file", long=True),
)

EXPORT = (
    C("path", "文件", "File"),
    C("format", "格式", "Format"),
    C("records", "记录数", "Records", kind="int"),
    C("first_seq", "起始序号", "First seq", kind="int"),
    C("last_seq", "末尾序号", "Last seq", kind="int"),
    C("sha256", "SHA-256", "SHA-256", long=True),
    C("seq", "导出记录序号", "Export record seq", kind="int"),
)

PRUNE = (
    C("through_seq", "清理至序号", "Pruned through seq", kind="int"),
    C("records", "清理记录数", "Records removed", kind="int"),
    C("seq", "清理记录序号", "Prune record seq", kind="int"),
)
