"""`security-group-open`: security groups that open remote administration or database ports
to every address (0.0.0.0/0 or ::/0), on groups that servers actually carry.

等保2.0 (GB/T 22239-2019, 访问控制) asks that management and database ports accept only the
addresses that need them, typically the bastion host (堡垒机) and the application tier. One
finding per security group: fixing the group's rule is the one change that closes the hole on
every server carrying it, so the group is what an operator acts on; the evidence names the
ports, the rules and the servers (so the department can be told which systems were exposed).

A rule counts when it is an ingress rule whose remote is every address: a /0 prefix, or neither a
prefix nor a remote group (Neutron then admits any source). Protocol any, or a rule without a
port range (every port), opens all the watched ports at once. Protocols that carry no ports
(ICMP, GRE, VRRP ...) open none. Groups no server's port carries expose nothing today and are
left alone; without stored ports nothing is judged (unknown is not open).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, model_validator

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.findings import Finding, SubjectType, Text
from govcloud.core.models import SecurityGroup, SecurityRule, Server
from govcloud.core.severity import Severity

PortNumber = Annotated[int, Field(ge=1, le=65535)]

ADMIN_PORTS = (22, 3389)
DATABASE_PORTS = (1521, 3306, 5432, 1433, 6379, 27017, 5236, 54321)
PORT_NAMES = {
    22: "SSH",
    3389: "RDP",
    1521: "Oracle",
    3306: "MySQL",
    5432: "PostgreSQL",
    1433: "SQL Server",
    6379: "Redis",
    27017: "MongoDB",
    5236: "DM 达梦",
    54321: "Kingbase 人大金仓",
}
_ANY_PROTOCOL = {"any", "0", ""}
_PORT_PROTOCOLS = {"tcp", "6", "udp", "17", "sctp", "132", "udplite", "136", "dccp", "33"}
_MAX_SERVERS = 20  # servers named in the evidence


class SecurityGroupOpenParams(CheckParams):
    admin_ports: tuple[PortNumber, ...] = Field(
        ADMIN_PORTS, description="remote administration ports (SSH, RDP)"
    )
    database_ports: tuple[PortNumber, ...] = Field(
        DATABASE_PORTS, description="database ports, domestic databases included"
    )
    admin_severity: Severity = Field(Severity.HIGH, description="severity for admin ports")
    database_severity: Severity = Field(Severity.CRITICAL, description="for database ports")

    @model_validator(mode="after")
    def _some_port(self) -> SecurityGroupOpenParams:
        if not self.admin_ports and not self.database_ports:
            raise ValueError("watch at least one port (admin_ports or database_ports)")
        return self


@register(
    "security-group-open",
    SecurityGroupOpenParams,
    summary=Text(
        "Security groups on servers that open SSH/RDP or database ports to 0.0.0.0/0 or ::/0",
        "云主机安全组向 0.0.0.0/0 或 ::/0 开放远程管理或数据库端口",
    ),
    example={
        "admin_ports": list(ADMIN_PORTS),
        "database_ports": list(DATABASE_PORTS),
        "admin_severity": "high",
        "database_severity": "critical",
    },
)
def security_group_open(data: AuditData, params: SecurityGroupOpenParams) -> list[Finding]:
    carriers = _servers_by_group(data)
    findings = []
    for group in data.security_groups:
        servers = carriers.get((group.pool_code, group.group_id))
        if not servers:
            continue
        exposures = open_ports(group.rules, (*params.admin_ports, *params.database_ports))
        if exposures:
            findings.append(_finding(data, params, group, exposures, servers))
    return findings


@dataclass(frozen=True)
class Exposure:
    """One watched port a rule opens to every address."""

    port: int
    rule: SecurityRule


def open_ports(rules: Iterable[SecurityRule], watched: Sequence[int]) -> list[Exposure]:
    """The watched ports these rules open to the world, each once (its first rule), by port."""
    found: dict[int, Exposure] = {}
    for rule in rules:
        if rule.direction.lower() != "ingress" or not _from_anywhere(rule):
            continue
        for port in watched:
            if port not in found and _opens(rule, port):
                found[port] = Exposure(port, rule)
    return [found[p] for p in sorted(found)]


def _from_anywhere(rule: SecurityRule) -> bool:
    if rule.remote_ip_prefix is None:
        return rule.remote_group_id is None  # no remote at all: Neutron admits any source
    try:
        return ipaddress.ip_network(rule.remote_ip_prefix.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def _opens(rule: SecurityRule, port: int) -> bool:
    protocol = (rule.protocol or "any").strip().lower()
    if protocol not in _ANY_PROTOCOL and protocol not in _PORT_PROTOCOLS:
        return False  # icmp, gre, vrrp ...: no ports
    if rule.port_min is None and rule.port_max is None:
        return True  # every port
    low = rule.port_min if rule.port_min is not None else rule.port_max
    high = rule.port_max if rule.port_max is not None else rule.port_min
    return low is not None and high is not None and low <= port <= high


def _servers_by_group(data: AuditData) -> dict[tuple[str, str], list[Server]]:
    """(pool, group id) -> the live servers one of whose ports carries the group."""
    out: dict[tuple[str, str], dict[str, Server]] = {}
    for port in data.ports:
        server = data.servers_by_id.get(port.device_id or "")
        if server is None:
            continue
        for group_id in port.security_group_ids:
            out.setdefault((port.pool_code, group_id), {})[server.server_id] = server
    return {k: sorted(v.values(), key=lambda s: (s.name, s.server_id)) for k, v in out.items()}


def port_label(port: int) -> str:
    name = PORT_NAMES.get(port)
    return f"{port} ({name})" if name else str(port)


def _remote(rule: SecurityRule) -> str:
    if rule.remote_ip_prefix:
        return rule.remote_ip_prefix
    return "::/0" if rule.ethertype.lower() == "ipv6" else "0.0.0.0/0"


def _finding(
    data: AuditData,
    params: SecurityGroupOpenParams,
    group: SecurityGroup,
    exposures: list[Exposure],
    servers: list[Server],
) -> Finding:
    ports = [e.port for e in exposures]
    database = [p for p in ports if p in params.database_ports]
    admin = [p for p in ports if p in params.admin_ports]
    classes = [params.database_severity] * bool(database) + [params.admin_severity] * bool(admin)
    severity = max(classes, key=lambda s: s.rank)  # the worst class of port it opens
    labels = ", ".join(port_label(p) for p in ports)
    systems = {s.system_code for s in servers}
    pool = data.pool_by_code.get(group.pool_code)
    rules = {
        (e.rule.protocol, e.rule.port_min, e.rule.port_max, _remote(e.rule)) for e in exposures
    }
    return Finding(
        check="security-group-open",
        severity=severity,
        subject_type=SubjectType.SECURITY_GROUP,
        subject_id=group.group_id,
        subject_name=group.name or group.group_id,
        pool=group.pool_code,
        department=data.department_of(group.pool_code, group.project_id),
        system=next(iter(systems)) if len(systems) == 1 else None,
        message=Text(
            f"security group opens {labels} to every address on {len(servers)} server(s)",
            f"安全组向所有地址开放 {labels}，涉及 {len(servers)} 台云主机",
        ),
        action=Text(
            "restrict the rule's remote to the bastion host or the application subnet that "
            "needs the port, then remove the 0.0.0.0/0 (::/0) rule",
            "将该规则的源地址限定为堡垒机或确需访问的应用子网，删除面向 0.0.0.0/0（::/0）的规则",
        ),
        evidence={
            "ports": ports,
            "database_ports": database,
            "admin_ports": admin,
            "rules": [
                {"protocol": proto or "any", "port_min": lo, "port_max": hi, "remote": remote}
                for proto, lo, hi, remote in sorted(rules, key=str)
            ],
            "security_zone": pool.security_zone if pool else None,
            "server_count": len(servers),
            "servers": [{"server_id": s.server_id, "name": s.name} for s in servers[:_MAX_SERVERS]],
        },
    )
