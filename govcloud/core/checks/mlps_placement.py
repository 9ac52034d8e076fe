"""`mlps-placement`: business systems placed in a pool their protection level or zone forbids.

Two rules, one finding per (system, pool):
- the system's MLPS level (等保等级) is above the pool's `mlps_level_max` (high): the pool was
  not assessed for that level;
- the pool's security zone is forbidden for the system's environment by `forbidden_zones`
  (default: production systems never in 测试区, high; the example adds test and dev systems
  kept out of the production zones, which bureaus that separate them strictly ask for, medium).
"""

from __future__ import annotations

from pydantic import Field, field_validator

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.findings import Finding, SubjectType, Text
from govcloud.core.models import BusinessSystem, Environment, Pool, SecurityZone, Server
from govcloud.core.severity import Severity
from govcloud.core.vocabulary import word

_MAX_NAMES = 10  # VM names listed in the evidence


_DEFAULT_FORBIDDEN: dict[Environment, tuple[str, ...]] = {
    Environment.PROD: (SecurityZone.TEST.value,)
}


class MlpsPlacementParams(CheckParams):
    forbidden_zones: dict[Environment, tuple[str, ...]] = Field(
        default_factory=lambda: dict(_DEFAULT_FORBIDDEN),
        description="environment -> security zones its systems must not be placed in",
    )

    @field_validator("forbidden_zones")
    @classmethod
    def _known_zones(
        cls, value: dict[Environment, tuple[str, ...]]
    ) -> dict[Environment, tuple[str, ...]]:
        valid = {z.value for z in SecurityZone}
        unknown = sorted({z for zones in value.values() for z in zones} - valid)
        if unknown:
            raise ValueError(f"unknown security zones {unknown}; valid: {', '.join(sorted(valid))}")
        return value


_PROD_ZONES = [
    SecurityZone.EGOV_EXTRANET.value,
    SecurityZone.EGOV_INTRANET.value,
    SecurityZone.INTERNET.value,
]


@register(
    "mlps-placement",
    MlpsPlacementParams,
    summary=Text(
        "Systems whose MLPS level exceeds their pool's, or placed in a forbidden security zone",
        "等保等级高于资源池上限或部署在不允许安全域的业务系统",
    ),
    example={
        "forbidden_zones": {
            "prod": [SecurityZone.TEST.value],
            "test": _PROD_ZONES,
            "dev": _PROD_ZONES,
        }
    },
)
def mlps_placement(data: AuditData, params: MlpsPlacementParams) -> list[Finding]:
    placed: dict[tuple[str, str], list[Server]] = {}
    for server in data.servers:
        if server.system_code in data.system_by_code and server.pool_code in data.pool_by_code:
            placed.setdefault((server.system_code, server.pool_code), []).append(server)
    findings = []
    for (system_code, pool_code), servers in sorted(placed.items()):
        system = data.system_by_code[system_code]
        pool = data.pool_by_code[pool_code]
        reasons = placement_reasons(params, system, pool)
        if reasons:
            findings.append(_finding(system, pool, servers, reasons))
    return findings


def placement_reasons(params: MlpsPlacementParams, system: BusinessSystem, pool: Pool) -> list[str]:
    """Why POOL may not hold SYSTEM: "level", "zone"; empty: it may (migration planning
    places legacy hosts by the same rule)."""
    out = []
    if system.mlps_level > pool.mlps_level_max:
        out.append("level")
    if pool.security_zone in params.forbidden_zones.get(system.environment, ()):
        out.append("zone")
    return out


def _finding(
    system: BusinessSystem, pool: Pool, servers: list[Server], reasons: list[str]
) -> Finding:
    en, zh = [], []
    if "level" in reasons:
        en.append(f"MLPS level {system.mlps_level} above the pool's maximum {pool.mlps_level_max}")
        zh.append(f"等保{system.mlps_level}级高于资源池上限{pool.mlps_level_max}级")
    if "zone" in reasons:
        zone_en = word("zone", pool.security_zone, "en")
        en.append(f"{system.environment.value} system in security zone {zone_en}")
        zh.append(f"{system.environment.value} 环境系统部署在{pool.security_zone}")
    severe = "level" in reasons or system.environment is Environment.PROD
    return Finding(
        check="mlps-placement",
        severity=Severity.HIGH if severe else Severity.MEDIUM,
        subject_type=SubjectType.SYSTEM,
        subject_id=f"{system.code}@{pool.code}",
        subject_name=f"{system.name_zh} @ {pool.name_zh}",
        subject_name_en=f"{system.name_en} @ {pool.name_en}",
        pool=pool.code,
        department=system.department_code,
        system=system.code,
        message=Text(
            f"{len(servers)} VM(s): " + "; ".join(en), f"{len(servers)} 台云主机：" + "；".join(zh)
        ),
        action=Text(
            "migrate the system's VMs to a pool assessed for its level and zone, or correct the "
            "declared level or environment",
            "将该系统的云主机迁移到等保等级和安全域相符的资源池，或更正申报的等级或环境",
        ),
        evidence={
            "reasons": reasons,
            "mlps_level": system.mlps_level,
            "pool_mlps_level_max": pool.mlps_level_max,
            "environment": system.environment.value,
            "security_zone": pool.security_zone,
            "servers": len(servers),
            "server_names": sorted(s.name for s in servers)[:_MAX_NAMES],
        },
    )
