"""`floating-ip-idle`: floating IPs associated with nothing for more than N days.

Public addresses are the scarcest resource of the internet zone (互联网区) and are billed per
address whether used or not. Neutron's `updated_at` moves on associate and disassociate, so it
dates the idleness; where missing, `created_at` stands in (the evidence says which), and an
address with neither is not judged. Anchor: Trusted Advisor's "unassociated Elastic IP
addresses" and Azure Advisor's unassociated public IP rule; 7 days leaves room for a redeploy.

The reclaim is an address, not vCPU, RAM or GiB: it is priced from the declared `floating_ip`
unit price when there is one (evidence `yuan_per_month`, `yuan_per_year`).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import age_days, since_of
from govcloud.core.findings import Finding, SubjectType, Text
from govcloud.core.models import FloatingIp
from govcloud.core.pricing import MONTHS_PER_YEAR, billing_day, price_id, resolve_price
from govcloud.core.severity import Severity


class FloatingIpIdleParams(CheckParams):
    min_days: int = Field(7, ge=1, description="unassociated for more than this many days")
    medium_after_days: int = Field(30, ge=1, description="medium severity from this many days")

    @model_validator(mode="after")
    def _ordered(self) -> FloatingIpIdleParams:
        if self.medium_after_days < self.min_days:
            raise ValueError("medium_after_days must be at least min_days")
        return self


@register(
    "floating-ip-idle",
    FloatingIpIdleParams,
    summary=Text(
        "Floating IPs associated with nothing for more than N days",
        "未绑定任何端口超过N天的浮动IP",
    ),
    example={"min_days": 7, "medium_after_days": 30},
)
def floating_ip_idle(data: AuditData, params: FloatingIpIdleParams) -> list[Finding]:
    findings = []
    for fip in data.floating_ips:
        if fip.port_id:
            continue
        since, source = since_of(fip.updated_at, fip.created_at)
        days = age_days(data.now, since)
        if days is None or days <= params.min_days:
            continue
        findings.append(_finding(data, params, fip, days, source))
    return findings


def _finding(
    data: AuditData, params: FloatingIpIdleParams, fip: FloatingIp, days: float, source: str
) -> Finding:
    whole = int(days)
    price = resolve_price(data.prices, "floating_ip", fip.pool_code, billing_day(data))
    monthly = price.yuan_per_month if price else None
    return Finding(
        check="floating-ip-idle",
        severity=Severity.MEDIUM if days >= params.medium_after_days else Severity.LOW,
        subject_type=SubjectType.FLOATING_IP,
        subject_id=fip.fip_id,
        subject_name=fip.address,
        pool=fip.pool_code,
        department=data.department_of(fip.pool_code, fip.project_id),
        message=Text(
            f"floating IP {fip.address} associated with nothing for {whole} days",
            f"浮动IP {fip.address} 已{whole}天未绑定任何云主机",
        ),
        action=Text(
            "confirm with the department that the address is not reserved for a system, "
            "then release it to the pool's address range",
            "与部门确认该地址未为业务系统预留后释放，归还资源池地址段",
        ),
        evidence={
            "address": fip.address,
            "status": fip.status,
            "days_unassociated": round(days, 1),
            "since": source,
            "min_days": params.min_days,
            "yuan_per_month": monthly,
            "yuan_per_year": None if monthly is None else round(monthly * MONTHS_PER_YEAR, 2),
            "price_id": price_id(price) if price else None,
        },
    )
