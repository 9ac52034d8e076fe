"""Column specs for `host list|show|discover`: snake_case keys (the JSON contract) and the
words staff use (主机, 操作系统, 内存, 最近发现)."""

from __future__ import annotations

from typing import Any

from govcloud.adapters.store.host_repo import HostStatus
from govcloud.cli.render import Column as C
from govcloud.services.hosts import Discovered

HOST = (
    C("host", "主机", "Host"),
    C("address", "地址", "Address"),
    C("port", "端口", "Port", kind="int", long=True),
    C("user", "用户", "User", long=True),
    C("jump_host", "堡垒机", "Jump host", long=True),
    C("system", "业务系统", "System", long=True),
    C("status", "发现状态", "Status", words="outcome"),
    C("os", "操作系统", "OS"),
    C("cpu_count", "CPU", "CPUs", kind="int"),
    C("memory_gib", "内存", "Memory", "GiB", kind="float"),
    C("disk_used_gib", "已用磁盘", "Disk used", "GiB", kind="float"),
    C("collected_at", "最近发现", "Last discovered", kind="time"),
    C("error", "错误", "Error"),
)

DETAIL = (
    *HOST,
    C("hostname", "主机名", "Hostname"),
    C("kernel", "内核", "Kernel"),
    C("virtualization", "虚拟化", "Virtualization"),
    C("cpu_model", "CPU型号", "CPU model"),
    C("disk_size_gib", "磁盘容量", "Disk size", "GiB", kind="float"),
    C("attempted_at", "最近尝试", "Last attempt", kind="time"),
    C("notes", "备注", "Notes", kind="sentence"),
)

DISKS = (
    C("name", "设备", "Device"),
    C("kind", "类型", "Kind"),
    C("size_gib", "容量", "Size", "GiB", kind="float"),
    C("rotational", "机械盘", "Rotational", kind="bool"),
    C("mountpoint", "挂载点", "Mount point"),
)
FILESYSTEMS = (
    C("mountpoint", "挂载点", "Mount point"),
    C("device", "设备", "Device"),
    C("fstype", "文件系统", "Type"),
    C("size_gib", "容量", "Size", "GiB", kind="float"),
    C("used_gib", "已用", "Used", "GiB", kind="float"),
)
LISTENERS = (
    C("proto", "协议", "Proto"),
    C("address", "地址", "Address"),
    C("port", "端口", "Port", kind="int"),
    C("process", "进程", "Process"),
)
MIDDLEWARE = (
    C("name", "中间件", "Middleware"),
    C("version", "版本", "Version"),
    C("ports", "端口", "Ports"),
    C("licensed", "商业许可", "Licensed", kind="bool"),
)
PEERS = (
    C("local_address", "本端地址", "Local address"),
    C("local_port", "本端端口", "Local port", kind="int"),
    C("remote_address", "对端地址", "Remote address"),
    C("remote_port", "对端端口", "Remote port", kind="int"),
    C("process", "进程", "Process"),
    C("inbound", "入向", "Inbound", kind="bool"),
)
SECTIONS = (
    ("block_devices", "块设备", "Block devices", DISKS),
    ("filesystems", "文件系统", "Filesystems", FILESYSTEMS),
    ("listeners", "监听端口", "Listeners", LISTENERS),
    ("middleware", "中间件", "Middleware", MIDDLEWARE),
    ("peers", "已建立连接", "Established connections", PEERS),
)

RESULT = (
    C("host", "主机", "Host"),
    C("address", "地址", "Address"),
    C("ok", "成功", "OK", kind="bool"),
    C("seconds", "耗时", "Time", "s", kind="float"),
    C("error", "错误", "Error"),
)


def host_row(s: HostStatus, detail: bool = False) -> dict[str, Any]:
    f = s.facts
    row: dict[str, Any] = {
        "host": s.host,
        "address": s.address,
        "port": s.port,
        "user": s.user,
        "jump_host": s.jump_host,
        "system": s.system,
        "status": s.status,
        "os": (f.os_name or f.os_id) if f else None,
        "cpu_count": f.cpu_count if f else None,
        "memory_gib": round(f.memory_gib, 1) if f and f.memory_gib is not None else None,
        "disk_used_gib": round(f.disk_used_gib, 1) if f else None,
        "collected_at": s.collected_at,
        "error": s.error,
    }
    if detail:
        row.update(
            hostname=f.hostname if f else None,
            kernel=f.kernel if f else None,
            virtualization=f.virtualization if f else None,
            cpu_model=f.cpu_model if f else None,
            disk_size_gib=round(f.disk_size_gib, 1) if f else None,
            attempted_at=s.attempted_at,
            notes="; ".join(f.notes) if f else None,
        )
    return row


def result_row(r: Discovered) -> dict[str, Any]:
    return {
        "host": r.host,
        "address": r.address,
        "ok": r.ok,
        "seconds": round(r.seconds, 1),
        "error": r.error,
    }


def summary(results: list[Discovered], lang: str) -> str:
    ok = sum(1 for r in results if r.ok)
    failed = len(results) - ok
    if lang == "zh":
        return f"发现 {len(results)} 台主机：成功 {ok} 台，失败 {failed} 台"
    return f"discovered {len(results)} host(s): {ok} ok, {failed} failed"
