"""Column specs per view: snake_case keys (the JSON contract) and the labels staff know from
Horizon/Skyline (云主机, 虚拟CPU, 内存, 云硬盘容量, 配额, 已使用)."""

from __future__ import annotations

from govcloud.cli.render import Column as C

# `pool list` shows how full each pool is (percentages); the figures behind them are in
# `--long`, `pool show` and the machine formats
POOL = (
    C("code", "资源池", "Pool"),
    C("name_zh", "名称", "Name", lang="zh"),
    C("name_en", "名称", "Name", lang="en"),
    C("security_zone", "安全域", "Security zone", words="zone"),
    C("cloud", "云", "Cloud", long=True),
    C("region", "区域", "Region", long=True),
    C("capacity_source", "容量来源", "Capacity from", long=True),
    C("servers", "云主机", "VMs", kind="int"),
    C("vcpu_capacity", "虚拟CPU容量", "vCPU capacity", kind="int", long=True),
    C("vcpu_allocated", "虚拟CPU已分配", "vCPU allocated", kind="int", long=True),
    C("vcpu_allocated_pct", "虚拟CPU分配率", "vCPU alloc", kind="pct"),
    C("vcpu_quota", "虚拟CPU配额", "vCPU quota", kind="int", long=True),
    C("vcpu_headroom", "虚拟CPU余量", "vCPU headroom", kind="int", long=True),
    C("ram_gib_capacity", "内存容量", "RAM capacity", "GiB", kind="int", long=True),
    C("ram_gib_allocated", "内存已分配", "RAM allocated", "GiB", kind="int", long=True),
    C("ram_allocated_pct", "内存分配率", "RAM alloc", kind="pct"),
    C("ram_gib_quota", "内存配额", "RAM quota", "GiB", kind="int", long=True),
    C("vcpu_quota_pct", "虚拟CPU配额/容量", "vCPU quota/cap", kind="pct"),
    C("ram_quota_pct", "内存配额/容量", "RAM quota/cap", kind="pct"),
    C("ram_gib_headroom", "内存余量", "RAM headroom", "GiB", kind="int", long=True),
    C("disk_gib_capacity", "本地盘容量", "Disk capacity", "GiB", kind="int", long=True),
    C("disk_gib_allocated", "本地盘已分配", "Disk allocated", "GiB", kind="int", long=True),
    C("volume_gib_total", "存储总容量", "Storage total", "GiB", kind="int", long=True),
    C("volume_gib_usable", "存储可用容量", "Storage usable", "GiB", kind="int", long=True),
    C("volume_gib_allocated", "存储已分配", "Storage allocated", "GiB", kind="int", long=True),
    C("volume_gib_provisioned", "存储已置备", "Storage provisioned", "GiB", kind="int", long=True),
    C("volume_provisioned_pct", "存储置备率", "Storage provisioned", kind="pct"),
    C("volume_gib_approved", "云硬盘批复配额", "Volume approved", "GiB", kind="int", long=True),
    C("volume_gib_quota", "云硬盘容量配额", "Volume quota", "GiB", kind="int", long=True),
    C("volume_quota_pct", "云硬盘配额/容量", "Volume quota/cap", kind="pct"),
    C("storage_note", "存储说明", "Storage note", long=True),
    C("cpu_ratio", "CPU超分比", "CPU ratio", kind="float", long=True),
    C("ram_ratio", "内存超分比", "RAM ratio", kind="float", long=True),
    C("disk_ratio", "磁盘超分比", "Disk ratio", kind="float", long=True),
    C("quota_overcommit", "配额超出容量", "Quota > capacity"),
)

# `pool show`: storage per volume type (the pool's own figures are in POOL)
STORAGE = (
    C("volume_type", "云硬盘类型", "Volume type"),
    C("backends", "存储后端", "Backends", long=True),
    C("total_gib", "总容量", "Total", "GiB", kind="int"),
    C("ratio", "超分比", "Ratio", kind="float"),
    C("usable_gib", "可用容量", "Usable", "GiB", kind="int"),
    C("allocated_gib", "已分配", "Allocated", "GiB", kind="int", long=True),
    C("provisioned_gib", "已置备", "Provisioned", "GiB", kind="int"),
    C("provisioned_pct", "置备率", "Prov", kind="pct"),
    C("approved_gib", "批复配额", "Approved", "GiB", kind="int"),
    C("quota_gib", "配额合计", "Σ quota", "GiB", kind="int"),
    C("quota_pct", "配额/容量", "Quota/cap", kind="pct"),
    C("unlimited_projects", "不限额项目", "Unlimited", kind="int", long=True),
    C("note", "说明", "Note"),
)

TENANT = (
    C("code", "代码", "Code"),
    C("short_zh", "部门", "Department", lang="zh"),
    C("name_en", "部门", "Department", lang="en"),
    C("name_zh", "全称", "Full name", long=True),
    C("pools", "资源池", "Pools"),
    C("projects", "项目", "Projects", kind="int", long=True),
    C("systems", "业务系统", "Systems", kind="int"),
    C("servers", "云主机", "VMs", kind="int"),
    C("vcpu_used", "虚拟CPU已使用", "vCPU used", kind="int"),
    C("vcpu_quota", "虚拟CPU配额", "vCPU quota", kind="int"),
    C("vcpu_pct", "虚拟CPU使用率", "vCPU %", kind="pct"),
    C("ram_gib_used", "内存已使用", "RAM used", "GiB", kind="int"),
    C("ram_gib_quota", "内存配额", "RAM quota", "GiB", kind="int"),
    C("ram_pct", "内存使用率", "RAM %", kind="pct"),
    C("volume_gib_used", "云硬盘已使用", "Volume used", "GiB", kind="int", long=True),
    C("volume_gib_total", "存储总容量", "Storage total", "GiB", kind="int", long=True),
    C("volume_gib_usable", "存储可用容量", "Storage usable", "GiB", kind="int"),
    C("volume_gib_allocated", "存储已分配", "Storage allocated", "GiB", kind="int", long=True),
    C("volume_gib_provisioned", "存储已置备", "Storage provisioned", "GiB", kind="int"),
    C("volume_provisioned_pct", "存储置备率", "Storage prov", kind="pct", long=True),
    C("volume_gib_approved", "云硬盘批复配额", "Volume approved", "GiB", kind="int", long=True),
    C("volume_gib_quota", "云硬盘容量配额", "Volume quota", "GiB", kind="int", long=True),
    C("volume_quota_pct", "云硬盘配额/容量", "Volume quota/cap", kind="pct"),
    C("storage_note", "存储说明", "Storage note", long=True),
    C("volume_pct", "云硬盘使用率", "Volume %", kind="pct", long=True),
    C("findings", "发现项", "Findings", kind="int", long=True),
)

TENANT_QUOTA = (
    C("pool", "资源池", "Pool"),
    C("project", "项目", "Project"),
    C("resource", "资源", "Resource", words="resource"),
    C("unit", "单位", "Unit", words="unit"),
    C("approved", "批复配额", "Approved quota", kind="int"),
)

VM = (
    C("server_id", "ID", "ID", long=True),
    C("name", "名称", "Name"),
    C("pool", "资源池", "Pool"),
    C("department", "部门代码", "Department", lang="en"),
    C("department_zh", "部门", "Department", lang="zh"),
    C("department_en", "部门英文名", "Department name", long=True),
    C("project", "项目", "Project", long=True),
    C("project_id", "项目ID", "Project ID", long=True),
    C("system", "业务系统代码", "System", lang="en"),
    C("system_zh", "业务系统", "System (Chinese name)", lang="zh"),
    C("system_en", "业务系统英文名", "System name", long=True),
    C("status", "状态", "Status", words="server_status"),
    C("flavor", "规格", "Flavor"),
    C("vcpus", "虚拟CPU", "vCPU", kind="int"),
    C("ram_gib", "内存", "RAM", "GiB", kind="float"),
    C("disk_gib", "根盘", "Disk", "GiB", kind="int", long=True),
    C("host", "宿主机", "Host", long=True),
    C("availability_zone", "可用域", "AZ", long=True),
    C("addresses", "IP地址", "Addresses", long=True),
    C("created_at", "创建时间", "Created", kind="time", long=True),
)

# `pool show`: the public addresses of the pool's region (counted once per region, on its
# holder pool)
PUBLIC = (
    C("region", "区域", "Region"),
    C("holder", "计入资源池", "Counted on pool"),
    C("total", "公网地址总数", "Public IPv4", kind="int"),
    C("held", "路由器网关占用", "Held by routers", kind="int"),
    C("floating", "已分配浮动IP", "Floating IPs", kind="int"),
    C("free", "可用", "Free", kind="int"),
    C("note", "说明", "Note"),
)

VOLUME = (
    C("volume_id", "ID", "ID"),
    C("name", "名称", "Name"),
    C("size_gib", "容量", "Size", "GiB", kind="int"),
    C("status", "状态", "Status", words="volume_status"),
)

INVENTORY = (
    C("kind", "类别", "Kind"),
    C("count", "数量", "Count", kind="int"),
    C("added", "新增", "Added", kind="int"),
    C("changed", "变更", "Changed", kind="int"),
    C("removed", "删除", "Removed", kind="int"),
)

STORE = (
    C("url", "存储", "Store"),
    C("revision", "版本", "Schema revision"),
    C("config", "配置文件", "Config file"),
)
