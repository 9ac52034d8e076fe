"""`security-group-open`, `allocation-mismatch` and `floating-ip-idle`: table-driven over small
hand-built estates (pure, no store)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from govcloud.core import models as m
from govcloud.core.checks import registry
from govcloud.core.checks.security_group_open import open_ports
from govcloud.core.findings import SubjectType
from govcloud.core.severity import Severity
from tests.core.checks.estate import R, ago, empty, estate, quota, server

NETWORK_CHECKS = ["allocation-mismatch", "floating-ip-idle", "security-group-open"]
DOCS = Path(__file__).resolve().parents[3] / "docs" / "checks.md"


def rule(**kw: Any) -> m.SecurityRule:
    base: dict[str, Any] = {
        "direction": "ingress",
        "ethertype": "IPv4",
        "protocol": "tcp",
        "port_min": 22,
        "port_max": 22,
        "remote_ip_prefix": "0.0.0.0/0",
    }
    base.update(kw)
    return m.SecurityRule(**base)


def group(gid: str, *rules: m.SecurityRule, pool: str = "zw-prod") -> m.SecurityGroup:
    return m.SecurityGroup(pool, gid, "p-wjw", f"sg-{gid}", rules)


def port(pid: str, device: str | None, groups: tuple[str, ...] = (), **kw: Any) -> m.Port:
    base: dict[str, Any] = {
        "pool_code": "zw-prod",
        "port_id": pid,
        "project_id": "p-wjw",
        "network_id": "net-1",
        "device_id": device,
        "device_owner": "compute:nova" if device else None,
        "fixed_ips": ("192.168.1.10",),
        "security_group_ids": groups,
    }
    base.update(kw)
    return m.Port(**base)


def fip(fid: str, **kw: Any) -> m.FloatingIp:
    base: dict[str, Any] = {
        "pool_code": "zw-prod",
        "fip_id": fid,
        "project_id": "p-wjw",
        "address": "203.0.113.7",
        "network_id": "ext",
        "status": "DOWN",
        "created_at": ago(days=100),
        "updated_at": ago(days=40),
    }
    base.update(kw)
    return m.FloatingIp(**base)


# --- registry, docs ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NETWORK_CHECKS)
def test_registered_documented_and_quiet_on_empty_data(name: str) -> None:
    spec = registry()[name]
    assert spec.summary.en
    assert spec.summary.zh
    assert f"## `{name}`" in DOCS.read_text(encoding="utf-8")
    assert spec(empty()) == []


def test_docs_yaml_examples_are_the_registered_ones() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    documented = {item["type"]: item["params"] for block in blocks for item in block}
    for name in NETWORK_CHECKS:
        assert documented[name] == dict(registry()[name].example), name


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("security-group-open", {"admin_ports": [0]}),
        ("security-group-open", {"database_ports": [70000]}),
        ("security-group-open", {"admin_ports": [], "database_ports": []}),
        ("security-group-open", {"admin_severity": "dire"}),
        ("security-group-open", {"ports": [22]}),
        ("allocation-mismatch", {"tolerance_vcpus": -1}),
        ("floating-ip-idle", {"min_days": 0}),
        ("floating-ip-idle", {"min_days": 30, "medium_after_days": 7}),
    ],
)
def test_impossible_parameters_are_rejected(name: str, params: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        registry()[name].parse(params)


# --- security-group-open ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("r", "opened"),
    [
        (rule(), [22]),
        (rule(remote_ip_prefix="10.0.0.0/8"), []),
        (rule(remote_ip_prefix="::/0", ethertype="IPv6"), [22]),
        (rule(remote_ip_prefix=None), [22]),  # no remote at all: any source
        (rule(remote_ip_prefix=None, remote_group_id="sg-app"), []),
        (rule(direction="egress"), []),
        (rule(port_min=3306, port_max=3306), [3306]),
        (rule(port_min=1, port_max=1024), [22]),
        (rule(port_min=None, port_max=None), [22, 3306, 3389]),  # tcp, every port
        (rule(protocol=None, port_min=None, port_max=None), [22, 3306, 3389]),  # any protocol
        (rule(protocol="icmp", port_min=None, port_max=None), []),
        (rule(protocol="6", port_min=3389, port_max=3389), [3389]),
        (rule(protocol="udp", port_min=3389, port_max=3389), [3389]),
        (rule(remote_ip_prefix="not-a-network"), []),
    ],
)
def test_which_rules_open_which_ports(r: m.SecurityRule, opened: list[int]) -> None:
    assert [e.port for e in open_ports([r], (22, 3389, 3306))] == opened


def sg_estate(*groups: m.SecurityGroup, ports: tuple[m.Port, ...] | None = None) -> Any:
    servers = (server("a"), server("b", system_code="his-t"))
    if ports is None:
        ports = (port("pa", "a", ("g1",)), port("pb", "b", ("g1", "g2")))
    return estate(servers=servers, ports=ports, security_groups=groups)


@pytest.mark.parametrize(
    ("rules", "severity", "ports"),
    [
        ((rule(),), Severity.HIGH, [22]),
        ((rule(port_min=3389, port_max=3389),), Severity.HIGH, [3389]),
        ((rule(port_min=5236, port_max=5236),), Severity.CRITICAL, [5236]),
        ((rule(port_min=54321, port_max=54321),), Severity.CRITICAL, [54321]),
        ((rule(), rule(port_min=6379, port_max=6379)), Severity.CRITICAL, [22, 6379]),
        ((rule(protocol=None, port_min=None, port_max=None),), Severity.CRITICAL, None),
    ],
)
def test_open_group_is_one_finding_with_the_servers_that_carry_it(
    rules: tuple[m.SecurityRule, ...], severity: Severity, ports: list[int] | None
) -> None:
    findings = registry()["security-group-open"](sg_estate(group("g1", *rules)))
    assert len(findings) == 1
    f = findings[0]
    assert (f.subject_type, f.subject_id, f.severity) == (
        SubjectType.SECURITY_GROUP,
        "g1",
        severity,
    )
    assert f.department == "wjw"
    assert f.evidence["server_count"] == 2
    assert [s["server_id"] for s in f.evidence["servers"]] == ["a", "b"]
    assert f.system is None  # the two servers belong to two systems
    if ports is None:  # every port: all ten watched ports
        assert len(f.evidence["ports"]) == 10
    else:
        assert f.evidence["ports"] == ports


def test_groups_no_server_carries_and_closed_groups_are_left_alone() -> None:
    data = sg_estate(
        group("g2", rule(remote_ip_prefix="10.1.0.0/16")),  # carried, not open to the world
        group("g3", rule()),  # open, carried by nobody
        group("g4", rule()),  # open, carried only by a router port
        ports=(
            port("pb", "b", ("g2",)),
            port("pr", "router-1", ("g4",), device_owner="network:router_interface"),
        ),
    )
    assert registry()["security-group-open"](data) == []


def test_without_stored_ports_nothing_is_judged() -> None:
    assert registry()["security-group-open"](sg_estate(group("g1", rule()), ports=())) == []


def test_configured_ports_and_severities_are_used() -> None:
    data = sg_estate(group("g1", rule(port_min=8080, port_max=8080)))
    check = registry()["security-group-open"]
    assert check(data) == []
    findings = check(data, {"database_ports": [8080], "database_severity": "medium"})
    assert [(f.severity, f.evidence["ports"]) for f in findings] == [(Severity.MEDIUM, [8080])]
    assert "8080" in findings[0].message.en
    assert "8080" in findings[0].message.zh


# --- allocation-mismatch ----------------------------------------------------------------------


def alloc(vcpus: int, ram_mib: int, **kw: Any) -> m.ProjectAllocation:
    base: dict[str, Any] = {"pool_code": "zw-prod", "project_id": "p-wjw", "disk_gib": 0}
    base.update(kw)
    return m.ProjectAllocation(vcpus=vcpus, ram_mib=ram_mib, **base)


SHELVED = server("s", status="SHELVED_OFFLOADED", host=None, vcpus=4, ram_mib=8192)
FAILED = server("e", status="ERROR", host=None, vcpus=2, ram_mib=4096)
FAILED_ON_HOST = server("eh", status="ERROR", host="cn-1", vcpus=2, ram_mib=4096)
ACTIVE = server("x", host="cn-1", vcpus=8, ram_mib=16384)


@pytest.mark.parametrize(
    ("servers", "allocations", "in_use", "gap"),
    [
        # agree: no finding
        ((ACTIVE,), (alloc(8, 16384),), (8, 16384), None),
        # shelved offloaded server: quota without allocation, explained, no finding
        ((ACTIVE, SHELVED), (alloc(8, 16384),), (12, 24576), None),
        ((ACTIVE, SHELVED, FAILED), (alloc(8, 16384),), (14, 28672), None),
        # ERROR on a host still holds its allocation: counted normally
        ((ACTIVE, FAILED_ON_HOST), (alloc(10, 20480),), (10, 20480), None),
        # leaked allocation: Placement above quota usage
        ((ACTIVE,), (alloc(12, 24576),), (8, 16384), (4, 8192)),
        # missing allocation beyond the shelved server
        ((ACTIVE, SHELVED), (alloc(4, 16384),), (12, 24576), (-4, 0)),
        # no allocation row for a project of a region that has some: zero
        ((ACTIVE,), (alloc(1, 512, project_id="p-other"),), (8, 16384), (-8, -16384)),
    ],
)
def test_allocation_against_quota_usage(
    servers: tuple[m.Server, ...],
    allocations: tuple[m.ProjectAllocation, ...],
    in_use: tuple[int, int],
    gap: tuple[int, int] | None,
) -> None:
    data = estate(
        servers=servers,
        allocations=allocations,
        quotas=(quota(R.CORES, 100, in_use[0]), quota(R.RAM, 204_800, in_use[1])),
    )
    findings = registry()["allocation-mismatch"](data)
    if gap is None:
        assert findings == []
        return
    (f,) = findings
    assert f.subject_type is SubjectType.PROJECT
    assert f.subject_id == "p-wjw@r1"
    mine = [a for a in allocations if a.project_id == "p-wjw"]
    assert f.evidence["placement_vcpus"] == sum(a.vcpus for a in mine)
    assert f.evidence["quota_in_use_cores"] == in_use[0]
    assert (f.evidence["vcpu_difference"], f.evidence["ram_mib_difference"]) == gap
    assert str(in_use[0]) in f.message.en
    if SHELVED in servers:
        assert "SHELVED_OFFLOADED" in f.message.en
        assert f.evidence["hostless_servers"] == ["s"]
        assert "搁置" in f.message.zh
    word = "audit" if gap[0] > 0 else "heal_allocations"
    assert word in f.action.en


def test_allocations_sum_over_the_pools_of_a_region() -> None:
    """Nova's quota is regional: two pools of one region hold one project between them."""
    test_in_r1 = m.Pool("zw-az2", "二区", "Zone 2", "zwy", "r1", "政务外网", 3)
    data = estate(
        pools=(*estate().pools, test_in_r1),
        allocations=(alloc(4, 8192), alloc(4, 8192, pool_code="zw-az2")),
        quotas=(
            quota(R.CORES, 100, 8),
            quota(R.RAM, 204_800, 16384),
            quota(R.CORES, 100, 8, pool_code="zw-az2"),
            quota(R.RAM, 204_800, 16384, pool_code="zw-az2"),
        ),
    )
    assert registry()["allocation-mismatch"](data) == []
    tolerant = registry()["allocation-mismatch"](
        estate(allocations=(alloc(7, 16384),), quotas=(quota(R.CORES, 100, 8),)),
        {"tolerance_vcpus": 1},
    )
    assert tolerant == []


def test_a_region_without_allocations_is_not_judged() -> None:
    data = estate(servers=(ACTIVE,), quotas=(quota(R.CORES, 100, 8),))
    assert registry()["allocation-mismatch"](data) == []


# --- floating-ip-idle -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "severity", "since"),
    [
        (fip("f1"), Severity.MEDIUM, "updated_at"),
        (fip("f2", updated_at=ago(days=10)), Severity.LOW, "updated_at"),
        (fip("f3", updated_at=None, created_at=ago(days=8)), Severity.LOW, "created_at"),
        (fip("f4", updated_at=ago(days=3)), None, None),
        (fip("f5", port_id="p1", status="ACTIVE", server_id="a"), None, None),
        (fip("f6", updated_at=None, created_at=None), None, None),
    ],
)
def test_idle_floating_ips(
    address: m.FloatingIp, severity: Severity | None, since: str | None
) -> None:
    findings = registry()["floating-ip-idle"](estate(floating_ips=(address,)))
    if severity is None:
        assert findings == []
        return
    (f,) = findings
    assert (f.subject_type, f.subject_id, f.subject_name) == (
        SubjectType.FLOATING_IP,
        address.fip_id,
        "203.0.113.7",
    )
    assert (f.severity, f.evidence["since"], f.department) == (severity, since, "wjw")
    assert f.evidence["yuan_per_month"] is None  # no price declared: unknown, not 0
    assert not f.reclaim


def test_idle_floating_ip_is_priced_when_a_price_is_declared() -> None:
    prices = (
        m.UnitPrice("floating_ip", 50.0, date(2024, 1, 1)),
        m.UnitPrice("floating_ip", 80.0, date(2024, 1, 1), pool_code="zw-prod"),
    )
    (f,) = registry()["floating-ip-idle"](estate(floating_ips=(fip("f1"),), prices=prices))
    assert f.evidence["yuan_per_month"] == 80.0
    assert f.evidence["yuan_per_year"] == 960.0
    assert f.evidence["price_id"].startswith("floating_ip@zw-prod")
