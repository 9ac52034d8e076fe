"""One vocabulary: every word a table shows for a raw value, in both languages.

Raw values (Nova's `SHUTOFF`, Cinder's `in-use`, a severity, a check type, a quota resource)
are the contract of the machine formats and of the store; people read words. The Chinese words
are the ones staff know from the Skyline and Horizon consoles (运行中, 关机, 云硬盘容量, 浮动IP),
so a table under `--lang zh` reads like the console they use every day.

In English a table keeps OpenStack's and govcloud's own codes (SHUTOFF, in-use, cores,
would_change, zombie): they are what `openstack server list` prints and what options and
playbooks take. Only values that are Chinese themselves (security zones) or carry no unit
(metric names) get English words.

Pure data and one lookup: the renderer asks `word(table, value, lang)` for a column that names
a table; a value no table knows is shown as it is, never hidden. tests/cli/test_vocabulary.py
enumerates every status, severity and check the code can produce and fails on a missing word.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple


class Word(NamedTuple):
    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


# Nova's server statuses (the API's `status`), in Skyline's words where it has one
SERVER_STATUS = {
    "ACTIVE": Word("ACTIVE", "运行中"),
    "BUILD": Word("BUILD", "创建中"),
    "SHUTOFF": Word("SHUTOFF", "关机"),
    "PAUSED": Word("PAUSED", "已暂停"),
    "SUSPENDED": Word("SUSPENDED", "挂起"),
    "SHELVED": Word("SHELVED", "已归档"),
    "SHELVED_OFFLOADED": Word("SHELVED_OFFLOADED", "已归档(已卸载)"),
    "ERROR": Word("ERROR", "错误"),
    "RESCUE": Word("RESCUE", "救援"),
    "RESIZE": Word("RESIZE", "正在修改配置/迁移"),
    "VERIFY_RESIZE": Word("VERIFY_RESIZE", "待确认修改配置"),
    "REVERT_RESIZE": Word("REVERT_RESIZE", "回滚修改配置/迁移"),
    "MIGRATING": Word("MIGRATING", "迁移中"),
    "REBOOT": Word("REBOOT", "重启中"),
    "HARD_REBOOT": Word("HARD_REBOOT", "硬重启中"),
    "REBUILD": Word("REBUILD", "重建中"),
    "PASSWORD": Word("PASSWORD", "修改密码中"),
    "SOFT_DELETED": Word("SOFT_DELETED", "软删除"),
    "DELETED": Word("DELETED", "已删除"),
    "UNKNOWN": Word("UNKNOWN", "未知"),
}

# Cinder's volume (and snapshot) statuses
VOLUME_STATUS = {
    "creating": Word("creating", "创建中"),
    "available": Word("available", "可用"),
    "reserved": Word("reserved", "已预定"),
    "attaching": Word("attaching", "挂载中"),
    "detaching": Word("detaching", "卸载中"),
    "in-use": Word("in-use", "正在使用"),
    "maintenance": Word("maintenance", "维护中"),
    "deleting": Word("deleting", "删除中"),
    "awaiting-transfer": Word("awaiting-transfer", "等待转让"),
    "error": Word("error", "错误"),
    "error_deleting": Word("error_deleting", "删除时出错"),
    "backing-up": Word("backing-up", "备份中"),
    "restoring-backup": Word("restoring-backup", "恢复备份中"),
    "error_backing-up": Word("error_backing-up", "备份错误"),
    "error_restoring": Word("error_restoring", "恢复错误"),
    "error_extending": Word("error_extending", "扩容错误"),
    "downloading": Word("downloading", "下载中"),
    "uploading": Word("uploading", "上传中"),
    "retyping": Word("retyping", "修改类型中"),
    "extending": Word("extending", "扩容中"),
}

# Neutron's floating IP statuses
FIP_STATUS = {
    "ACTIVE": Word("ACTIVE", "运行中"),
    "DOWN": Word("DOWN", "停止"),
    "ERROR": Word("ERROR", "错误"),
}

SEVERITY = {
    "ok": Word("ok", "正常"),
    "info": Word("info", "提示"),
    "low": Word("low", "低"),
    "medium": Word("medium", "中"),
    "high": Word("high", "高"),
    "critical": Word("critical", "严重"),
}

# audit checks by registered type
CHECK = {
    "agent-missing": Word("agent-missing", "未装采集代理"),
    "agent-stale": Word("agent-stale", "采集代理失联"),
    "allocation-mismatch": Word("allocation-mismatch", "分配记录不一致"),
    "floating-ip-idle": Word("floating-ip-idle", "浮动IP闲置"),
    "idle": Word("idle", "云主机闲置"),
    "missing-owner": Word("missing-owner", "归属不明"),
    "mlps-placement": Word("mlps-placement", "等保级别不符"),
    "orphan-volume": Word("orphan-volume", "未挂载云硬盘"),
    "oversized": Word("oversized", "配置过高"),
    "pool-headroom": Word("pool-headroom", "资源池余量不足"),
    "pool-overcommit": Word("pool-overcommit", "资源池超配"),
    "quota-exceeded": Word("quota-exceeded", "超出配额"),
    "quota-idle": Word("quota-idle", "配额闲置"),
    "quota-near-limit": Word("quota-near-limit", "配额将满"),
    "security-group-open": Word("security-group-open", "安全组过度开放"),
    "stale-snapshot": Word("stale-snapshot", "陈旧快照"),
    "unapproved-vm": Word("unapproved-vm", "未批复云主机"),
    "undersized": Word("undersized", "配置不足"),
    "zombie": Word("zombie", "长期停机"),
}

SUBJECT_TYPE = {
    "pool": Word("pool", "资源池"),
    "department": Word("department", "部门"),
    "system": Word("system", "业务系统"),
    "project": Word("project", "项目"),
    "vm": Word("vm", "云主机"),
    "volume": Word("volume", "云硬盘"),
    "snapshot": Word("snapshot", "快照"),
    "security_group": Word("security_group", "安全组"),
    "floating_ip": Word("floating_ip", "浮动IP"),
}

# rightsizing verdicts
VERDICT = {
    "over-provisioned": Word("over-provisioned", "配置过高"),
    "under-provisioned": Word("under-provisioned", "配置不足"),
    "optimized": Word("optimized", "配置合理"),
    "insufficient-data": Word("insufficient-data", "数据不足"),
    "no-fit": Word("no-fit", "无合适规格"),
}

# network security zones (models.SecurityZone): the declared value is the Chinese word
ZONE = {
    "政务外网": Word("E-gov extranet", "政务外网"),
    "互联网区": Word("Internet zone", "互联网区"),
    "政务内网": Word("E-gov intranet", "政务内网"),
    "灾备区": Word("Disaster recovery zone", "灾备区"),
    "测试区": Word("Test zone", "测试区"),
}

# quota resources under OpenStack's names (`openstack quota show`), in Skyline's words
RESOURCE = {
    "cores": Word("cores", "虚拟CPU"),
    "ram": Word("ram", "内存"),
    "instances": Word("instances", "云主机"),
    "gigabytes": Word("gigabytes", "云硬盘容量"),
    "volumes": Word("volumes", "云硬盘数"),
    "snapshots": Word("snapshots", "快照"),
    "backups": Word("backups", "备份"),
    "backup_gigabytes": Word("backup_gigabytes", "备份容量"),
    "network": Word("network", "网络"),
    "subnet": Word("subnet", "子网"),
    "port": Word("port", "端口"),
    "router": Word("router", "路由器"),
    "floatingip": Word("floatingip", "浮动IP"),
    "security_group": Word("security_group", "安全组"),
    "security_group_rule": Word("security_group_rule", "安全组规则"),
}

# units of a quantity and of a column's heading (cli/render.Column.label): GiB stays GiB in
# Chinese (as the consoles print it); time and money are Chinese words (天, 秒, 元)
UNIT = {
    "vCPU": Word("vCPU", "核"),
    "MiB": Word("MiB", "MiB"),
    "GiB": Word("GiB", "GiB"),
    "count": Word("count", "个"),
    "IPv4": Word("IPv4", "个"),
    "¥/year": Word("¥/year", "元/年"),
    "¥/month": Word("¥/month", "元/月"),
    "¥/unit·month": Word("¥/unit·month", "元/(单位·月)"),
    "cores": Word("cores", "核"),
    "d": Word("d", "天"),
    "h": Word("h", "小时"),
    "min": Word("min", "分钟"),
    "s": Word("s", "秒"),
    "ms": Word("ms", "毫秒"),
    "¥": Word("¥", "元"),
    # what a report's chart counts
    "hosts": Word("hosts", "台"),
    "systems": Word("systems", "个"),
}

# how a run, a sync, a collection or a step ended
OUTCOME = {
    "ok": Word("ok", "成功"),
    "failed": Word("failed", "失败"),
    "partial": Word("partial", "部分成功"),
    "error": Word("error", "错误"),
    "invalid": Word("invalid", "无效"),
    "never": Word("never", "从未"),
    "planned": Word("planned", "已计划"),
    "done": Word("done", "完成"),
    "not_run": Word("not_run", "未运行"),
    "skipped": Word("skipped", "已跳过"),
}

# `quota plan|apply` per change
CHANGE_STATUS = {
    "planned": Word("planned", "待变更"),
    "held": Word("held", "暂缓"),
    "would_change": Word("would_change", "将变更"),
    "changed": Word("changed", "已变更"),
    "already_applied": Word("already_applied", "已是批复值"),
    "failed": Word("failed", "失败"),
    "unknown": Word("unknown", "结果未知"),
    "open": Word("open", "待核实"),
    "landed": Word("landed", "已生效"),
    "not_landed": Word("not_landed", "未生效"),
}

# `audit diff`: a finding against the previous run
DIFF_STATUS = {
    "new": Word("new", "新增"),
    "resolved": Word("resolved", "已解决"),
    "persisting": Word("persisting", "持续"),
}

# `metrics show`: what a row measures, with its unit (the figures carry no unit of their own)
METRIC = {
    "cpu_pct": Word("CPU %", "CPU使用率(%)"),
    "cpu_pct_max": Word("CPU peak %", "CPU峰值使用率(%)"),
    "mem_used_pct": Word("memory %", "内存使用率(%)"),
    "disk_used_pct": Word("disk used %", "磁盘使用率(%)"),
    "disk_read_bps": Word("disk read B/s", "磁盘读(B/s)"),
    "disk_write_bps": Word("disk write B/s", "磁盘写(B/s)"),
    "net_rx_bps": Word("network in B/s", "网络接收(B/s)"),
    "net_tx_bps": Word("network out B/s", "网络发送(B/s)"),
    "load1": Word("load (1 min)", "1分钟负载"),
}

YES_NO = {
    "yes": Word("yes", "是"),
    "no": Word("no", "否"),
}

TABLES: Mapping[str, Mapping[str, Word]] = {
    "server_status": SERVER_STATUS,
    "volume_status": VOLUME_STATUS,
    "fip_status": FIP_STATUS,
    "severity": SEVERITY,
    "check": CHECK,
    "subject_type": SUBJECT_TYPE,
    "verdict": VERDICT,
    "zone": ZONE,
    "resource": RESOURCE,
    "unit": UNIT,
    "outcome": OUTCOME,
    "change_status": CHANGE_STATUS,
    "diff_status": DIFF_STATUS,
    "metric": METRIC,
    "yes_no": YES_NO,
}

# Cinder also keeps some quotas per volume type under `<resource>_<type>` (`gigabytes_ssd`)
_PER_TYPE = ("gigabytes", "volumes", "snapshots")


def word(table: str, value: str, lang: str) -> str:
    """The word for VALUE in LANG; a value the table does not know is returned as it is."""
    found = TABLES[table].get(value)
    if found is not None:
        return found.get(lang)
    if table == "resource" and lang == "zh":
        head, sep, volume_type = value.partition("_")
        if sep and head in _PER_TYPE:
            return f"{RESOURCE[head].get(lang)} ({volume_type})"
    return value


def yes_no(value: bool, lang: str) -> str:
    return YES_NO["yes" if value else "no"].get(lang)
