"""A small hand-built estate for check tests: two pools, two departments, three systems.

`estate(...)` returns an AuditData; pass servers, volumes, quotas ... to override, and
`table({...})` builds a UtilizationTable from per-server metric arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from govcloud.core import models as m
from govcloud.core.audit_data import AuditData, UtilizationTable
from govcloud.core.utilization import STEP_S

NOW = datetime(2025, 3, 1, tzinfo=UTC)
WINDOW_S = 14 * 86_400
SLOTS = WINDOW_S // STEP_S
START_TS = int(NOW.timestamp()) - WINDOW_S
R = m.QuotaResource

PROD = m.Pool(
    code="zw-prod",
    name_zh="政务外网生产区",
    name_en="E-gov production",
    cloud="zwy",
    region="r1",
    security_zone="政务外网",
    mlps_level_max=3,
    ratios=m.Ratios(4.0, 1.0, 1.0),
    reserve=m.Reserve(vcpu=40, ram_mib=10_240, disk_gib=100),
    physical=m.PhysicalCapacity(cpu_cores=100, ram_mib=204_800, disk_gib=10_000),
)
TEST = m.Pool(
    code="zw-test",
    name_zh="测试区",
    name_en="Test",
    cloud="zwy",
    region="r1",
    security_zone="测试区",
    mlps_level_max=2,
)

WJW = m.Department(
    "wjw",
    "卫生健康委员会",
    "卫健委",
    "Health Commission",
    (m.ProjectBinding("wjw", "zw-prod", "wjw-prod", {R.CORES: 200, R.RAM: 102_400}, "p-wjw"),),
)
GAJ = m.Department(
    "gaj",
    "公安局",
    "公安局",
    "Public Security",
    (m.ProjectBinding("gaj", "zw-test", "gaj-test", {R.CORES: 50, R.RAM: 51_200}, "p-gaj"),),
)
SYSTEMS = (
    m.BusinessSystem("his", "医院信息系统", "HIS", "wjw", 3, m.Environment.PROD),
    m.BusinessSystem("his-t", "医院信息测试", "HIS test", "wjw", 2, m.Environment.TEST),
    m.BusinessSystem("jz", "警综平台", "Police", "gaj", 3, m.Environment.PROD),
)
PROJECTS = (
    m.Project("zw-prod", "p-wjw", "wjw-prod", department_code="wjw"),
    m.Project("zw-test", "p-gaj", "gaj-test", department_code="gaj"),
    m.Project("zw-prod", "p-rogue", "rogue"),
)


def ago(days: float = 0.0, hours: float = 0.0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def server(sid: str, **kw: Any) -> m.Server:
    base: dict[str, Any] = {
        "pool_code": "zw-prod",
        "server_id": sid,
        "name": f"vm-{sid}",
        "project_id": "p-wjw",
        "status": "ACTIVE",
        "flavor_name": "c4m8",
        "vcpus": 4,
        "ram_mib": 8192,
        "disk_gib": 40,
        "created_at": ago(days=100),
        "system_code": "his",
        "updated_at": ago(days=100),
    }
    base.update(kw)
    return m.Server(**base)


def volume(vid: str, **kw: Any) -> m.Volume:
    base: dict[str, Any] = {
        "pool_code": "zw-prod",
        "volume_id": vid,
        "name": f"vol-{vid}",
        "project_id": "p-wjw",
        "size_gib": 100,
        "status": "available",
        "created_at": ago(days=200),
        "updated_at": ago(days=60),
    }
    base.update(kw)
    return m.Volume(**base)


def quota(resource: m.QuotaResource, limit: int, in_use: int, **kw: Any) -> m.QuotaUsage:
    base: dict[str, Any] = {"pool_code": "zw-prod", "project_id": "p-wjw"}
    base.update(kw)
    return m.QuotaUsage(resource=resource, limit=limit, in_use=in_use, **base)


def table(rows: Mapping[str, Mapping[str, Any]], slots: int = SLOTS) -> UtilizationTable:
    """ROWS: server id -> metric -> a scalar (filled) or an array of SLOTS values."""
    keys = tuple(k.lower() for k in rows)
    names = sorted({metric for per in rows.values() for metric in per})
    metrics = {}
    for name in names:
        matrix = np.full((len(keys), slots), np.nan, dtype=np.float32)
        for i, per in enumerate(rows.values()):
            if name in per:
                matrix[i, :] = per[name]
        metrics[name] = matrix
    return UtilizationTable(keys, START_TS, STEP_S, slots, metrics)


def estate(**kw: Any) -> AuditData:
    base = AuditData(
        now=NOW,
        window_s=WINDOW_S,
        pools=(PROD, TEST),
        departments=(WJW, GAJ),
        systems=SYSTEMS,
        projects=PROJECTS,
    )
    return replace(base, **kw)


def empty() -> AuditData:
    return AuditData(now=NOW, window_s=WINDOW_S, pools=(), departments=(), systems=())
