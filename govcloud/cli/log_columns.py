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
    C("detail", "说明", "Detail", kind="sentence"),
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


# What a person reads in a Chinese table for the trail's codes (machine formats keep the codes).
WORDS_ZH = {
    "status": {"intact": "完好", "broken": "已被破坏"},
    "head": {
        "anchored": "已锚定",
        "behind": "锚点落后(其他主机有更新)",
        "missing": "本机无锚点",
        "beyond": "锚点超出末尾(尾部被截断)",
        "unchecked": "未核对(链在此前已断)",
    },
    "finding": {
        "edited": "记录被篡改",
        "deleted": "记录被删除",
        "reordered": "记录顺序被调换",
        "forged": "伪造(HMAC 不符)",
        "wrong_key": "密钥不符",
        "truncated": "尾部被截断",
        "unknown_alg": "未知算法",
        "prune": "清理锚点不符",
    },
    "outcome": {
        "ok": "成功",
        "failed": "失败",
        "intent": "意图(待结果)",
        "unknown": "结果未知",
        "denied": "拒绝",
        "landed": "已生效",
        "not_landed": "未生效",
    },
}
