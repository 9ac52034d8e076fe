"""Column specs for `volume list|show` and `fip list`: snake_case keys (the JSON contract) and
the labels staff know from Horizon/Skyline (云硬盘, 浮动IP, 挂载), plus the totals line."""

from __future__ import annotations

from collections.abc import Sequence

from govcloud.adapters.store.network_repo import FipView
from govcloud.adapters.store.storage_repo import VolumeView
from govcloud.cli.render import Column as C

VOLUME = (
    C("volume_id", "ID", "ID", long=True),
    C("name", "名称", "Name"),
    C("pool", "资源池", "Pool"),
    C("department", "部门代码", "Department", lang="en"),
    C("department_zh", "部门", "Department", lang="zh"),
    C("department_en", "部门英文名", "Department name", long=True),
    C("project", "项目", "Project", long=True),
    C("project_id", "项目ID", "Project ID", long=True),
    C("size_gib", "容量", "Size", "GiB", kind="int"),
    C("volume_type", "云硬盘类型", "Type"),
    C("status", "状态", "Status", words="volume_status"),
    C("attached_server", "挂载云主机", "Attached to"),
    C("attached_server_id", "云主机ID", "Server ID", long=True),
    C("bootable", "可启动", "Bootable", kind="bool", long=True),
    C("created_at", "创建时间", "Created", kind="time", long=True),
    C("updated_at", "更新时间", "Updated", kind="time", long=True),
)

FIP = (
    C("fip_id", "ID", "ID", long=True),
    C("address", "浮动IP", "Floating IP"),
    C("pool", "资源池", "Pool"),
    C("department", "部门代码", "Department", lang="en"),
    C("department_zh", "部门", "Department", lang="zh"),
    C("department_en", "部门英文名", "Department name", long=True),
    C("project", "项目", "Project", long=True),
    C("project_id", "项目ID", "Project ID", long=True),
    C("status", "状态", "Status", words="fip_status"),
    C("fixed_address", "内网IP", "Fixed IP"),
    C("server", "云主机", "Server"),
    C("server_id", "云主机ID", "Server ID", long=True),
    C("port_id", "端口ID", "Port ID", long=True),
    C("network_id", "外部网络ID", "Network ID", long=True),
    C("created_at", "创建时间", "Created", kind="time", long=True),
    C("updated_at", "更新时间", "Updated", kind="time", long=True),
)


def volume_totals(rows: Sequence[VolumeView], lang: str) -> str:
    """The line under a volume table: how many, how many GiB, how many attached to nothing."""
    gib = sum(v.size_gib for v in rows)
    idle = sum(1 for v in rows if v.attached_server_id is None)
    if lang == "zh":
        return f"共 {len(rows)} 个云硬盘，{gib:,} GiB（未挂载 {idle} 个）"
    return f"{len(rows)} volume(s), {gib:,} GiB ({idle} unattached)"


def fip_totals(rows: Sequence[FipView], lang: str) -> str:
    idle = sum(1 for f in rows if f.port_id is None)
    if lang == "zh":
        return f"共 {len(rows)} 个浮动IP（未绑定 {idle} 个）"
    return f"{len(rows)} floating IP(s) ({idle} unassociated)"
