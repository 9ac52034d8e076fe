"""Small helpers the checks share: ages, units, the "recent sample" mask and
the finding builders for the subjects several checks judge (a VM, a project's quota, a
rightsizing recommendation).

Not a check (the leading underscore keeps the registry from importing it as one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from govcloud.core.audit_data import AuditData, UtilizationTable, server_key
from govcloud.core.findings import Finding, Reclaim, SubjectType, Text
from govcloud.core.models import QuotaResource, QuotaUsage, Server
from govcloud.core.recommendation import Recommendation
from govcloud.core.severity import Severity

DAY_S = 86_400.0

# Nova's server states that run nothing yet still count against the project's quota.
STOPPED_STATES = ("SHUTOFF", "PAUSED", "SUSPENDED", "SHELVED", "SHELVED_OFFLOADED")

RESOURCE_ZH = {
    QuotaResource.CORES: "虚拟CPU",
    QuotaResource.RAM: "内存",
    QuotaResource.INSTANCES: "云主机",
    QuotaResource.GIGABYTES: "云硬盘容量",
    QuotaResource.VOLUMES: "云硬盘",
    QuotaResource.SNAPSHOTS: "云硬盘快照",
    QuotaResource.BACKUPS: "云硬盘备份",
    QuotaResource.BACKUP_GIGABYTES: "云硬盘备份容量",
    QuotaResource.NETWORK: "网络",
    QuotaResource.SUBNET: "子网",
    QuotaResource.PORT: "端口",
    QuotaResource.ROUTER: "路由器",
    QuotaResource.FLOATINGIP: "浮动IP",
    QuotaResource.SECURITY_GROUP: "安全组",
    QuotaResource.SECURITY_GROUP_RULE: "安全组规则",
}
RESOURCE_EN = {
    QuotaResource.CORES: "vCPU",
    QuotaResource.RAM: "RAM",
    QuotaResource.INSTANCES: "instances",
    QuotaResource.GIGABYTES: "volume GiB",
    QuotaResource.VOLUMES: "volumes",
    QuotaResource.SNAPSHOTS: "snapshots",
    QuotaResource.BACKUPS: "backups",
    QuotaResource.BACKUP_GIGABYTES: "backup GiB",
    QuotaResource.NETWORK: "networks",
    QuotaResource.SUBNET: "subnets",
    QuotaResource.PORT: "ports",
    QuotaResource.ROUTER: "routers",
    QuotaResource.FLOATINGIP: "floating IPs",
    QuotaResource.SECURITY_GROUP: "security groups",
    QuotaResource.SECURITY_GROUP_RULE: "security group rules",
}


def utc(ts: datetime) -> datetime:
    """Naive timestamps from the store are UTC."""
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


def age_days(now: datetime, since: datetime | None) -> float | None:
    if since is None:
        return None
    return (utc(now) - utc(since)).total_seconds() / DAY_S


def since_of(
    updated_at: datetime | None, created_at: datetime | None
) -> tuple[datetime | None, str]:
    """The state-change time and where it came from (evidence says which)."""
    if updated_at is not None:
        return updated_at, "updated_at"
    return created_at, "created_at"


def quota_amount(resource: QuotaResource, value: int) -> str:
    """A quota value as people read it: RAM in GiB, the rest as counted."""
    if resource is QuotaResource.RAM:
        return f"{value / 1024:,.1f} GiB"
    if resource in (QuotaResource.GIGABYTES, QuotaResource.BACKUP_GIGABYTES):
        return f"{value:,} GiB"
    return f"{value:,}"


def project_name(data: AuditData, pool_code: str, project_id: str) -> str:
    project = data.project_by_key.get((pool_code, project_id))
    return project.name if project else project_id


def recent_rows(table: UtilizationTable, since_ts: int) -> npt.NDArray[np.bool_]:
    """Per table row: does any metric hold a sample in a slot that ends after SINCE_TS?

    Only the trailing slots are scanned, so this stays cheap on 10,000 rows x 14 days.
    """
    rows = len(table.keys)
    out = np.zeros(rows, dtype=np.bool_)
    if rows == 0 or table.slots == 0:
        return out
    # slot j ends at start + (j + 1) * step; keep the slots with that end > since_ts
    first = max(0, int(np.floor((since_ts - table.start_ts) / table.step_s)))
    if first >= table.slots:
        return out
    for matrix in table.metrics.values():
        out |= ~np.isnan(matrix[:, first:]).all(axis=1)
    return out


def server_rows(table: UtilizationTable, servers: Iterable[Server]) -> list[int | None]:
    return [table.row(s.server_id) for s in servers]


def last_seen_ts(
    data: AuditData, servers: Iterable[Server], fresh_s: float
) -> dict[str, int | None]:
    """Newest sample time (UTC seconds) per server id among SERVERS, from the metrics table or
    the agent's last good scrape, whichever is newer; None: never seen.

    Rows with a sample in the last FRESH_S seconds are settled by one vectorized pass over the
    trailing slots; only the rest (the few silent VMs) are looked up one by one.
    """
    table = data.utilization
    now_ts = int(utc(data.now).timestamp())
    fresh = recent_rows(table, int(now_ts - fresh_s))
    out: dict[str, int | None] = {}
    for server in servers:
        row = table.row(server.server_id)
        if row is not None and fresh[row]:
            out[server.server_id] = table.end_ts  # recent enough; exact time not needed
            continue
        seen = table.last_sample_ts(server.server_id) if row is not None else None
        agent = data.agents.get(server_key(server.server_id))
        if agent is not None and agent.last_ok_at is not None:
            ok_ts = int(utc(agent.last_ok_at).timestamp())
            seen = ok_ts if seen is None else max(seen, ok_ts)
        out[server.server_id] = seen
    return out


def vm_finding(
    data: AuditData,
    server: Server,
    *,
    check: str,
    severity: Severity,
    message: Text,
    action: Text,
    evidence: Mapping[str, Any],
    reclaim: Reclaim | None = None,
) -> Finding:
    """A finding about SERVER: subject, pool, department (by its project) and system filled in."""
    return Finding(
        check=check,
        severity=severity,
        subject_type=SubjectType.VM,
        subject_id=server.server_id,
        subject_name=server.name,
        pool=server.pool_code,
        department=data.department_of(server.pool_code, server.project_id),
        system=server.system_code,
        message=message,
        action=action,
        evidence=evidence,
        reclaim=reclaim or Reclaim(),
    )


def quota_finding(
    data: AuditData,
    q: QuotaUsage,
    *,
    check: str,
    severity: Severity,
    message: Text,
    action: Text,
    evidence: Mapping[str, Any],
    reclaim: Reclaim | None = None,
) -> Finding:
    """A finding about one quota of a project: one subject per project and resource, its
    evidence led by the resource, limit and usage the quota checks all report."""
    res = QuotaResource(q.resource)
    name = project_name(data, q.pool_code, q.project_id)
    return Finding(
        check=check,
        severity=severity,
        subject_type=SubjectType.PROJECT,
        subject_id=f"{q.project_id}:{res.value}",
        subject_name=f"{name} {RESOURCE_ZH[res]}",
        subject_name_en=f"{name} {RESOURCE_EN[res]}",
        pool=q.pool_code,
        department=data.department_of(q.pool_code, q.project_id),
        message=message,
        action=action,
        evidence={"resource": res.value, "limit": q.limit, "in_use": q.in_use, **evidence},
        reclaim=reclaim or Reclaim(),
    )


def recommendation_finding(
    r: Recommendation,
    *,
    check: str,
    severity: Severity,
    message: Text,
    action: Text,
    evidence: Mapping[str, Any],
    reclaim: Reclaim | None = None,
) -> Finding:
    """A finding about the VM a rightsizing recommendation judged (`oversized`, `undersized`)."""
    return Finding(
        check=check,
        severity=severity,
        subject_type=SubjectType.VM,
        subject_id=r.server_id,
        subject_name=r.name,
        pool=r.pool,
        department=r.department,
        system=r.system,
        message=message,
        action=action,
        evidence=evidence,
        reclaim=reclaim or Reclaim(),
    )
