"""Every registered check: its documented example validates, it runs on an empty and on a small
estate, and impossible parameters are validation errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from govcloud.core.checks import registry
from govcloud.core.findings import Finding
from govcloud.core.models import CapacityRecord, Snapshot, UsagePoint
from tests.core.checks.estate import (
    NOW,
    SLOTS,
    R,
    ago,
    empty,
    estate,
    quota,
    server,
    table,
    volume,
)

MINE = [
    "agent-missing",
    "agent-stale",
    "idle",
    "missing-owner",
    "mlps-placement",
    "orphan-volume",
    "pool-headroom",
    "pool-overcommit",
    "quota-exceeded",
    "quota-idle",
    "quota-near-limit",
    "stale-snapshot",
    "unapproved-vm",
    "zombie",
]
DOCS = Path(__file__).resolve().parents[3] / "docs" / "checks.md"


def small_estate():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    return estate(
        servers=(
            server("a"),
            server("b", status="SHUTOFF", updated_at=ago(days=40)),
            server("c", project_id="p-rogue", system_code=None),
            server("d", pool_code="zw-test", project_id="p-gaj", system_code="jz"),
        ),
        volumes=(volume("v1"), volume("v2", status="in-use", attached_server_id="b")),
        snapshots=(Snapshot("zw-prod", "s1", "snap", "p-wjw", "gone", 10, "available", ago(100)),),
        quotas=(quota(R.CORES, 200, 190), quota(R.RAM, 102_400, 1024)),
        capacity={"zw-prod": {"VCPU": CapacityRecord("zw-prod", "VCPU", 100, 0, 4.0, 10, 2)}},
        usage_history=tuple(
            UsagePoint("zw-prod", ago(days=d), 3, 100 + 10 * (30 - d), 8192, 100) for d in range(30)
        ),
        utilization=table(
            {
                "a": {"cpu_pct": rng.uniform(0, 2, SLOTS), "net_rx_bps": 10.0, "net_tx_bps": 5.0},
                "d": {"cpu_pct": 50.0},
            }
        ),
    )


def test_all_my_checks_are_registered() -> None:
    assert set(MINE) <= set(registry())


@pytest.mark.parametrize("name", sorted(registry()))
def test_example_validates_and_is_documented(name: str) -> None:
    spec = registry()[name]
    assert spec.example, f"{name} has no documented example"
    spec.parse(spec.example)
    assert spec.summary.en
    assert spec.summary.zh
    if name in MINE:
        assert f"## `{name}`" in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", MINE)
def test_runs_on_empty_data(name: str) -> None:
    assert registry()[name](empty()) == []


@pytest.mark.parametrize("name", MINE)
def test_runs_on_a_small_estate(name: str) -> None:
    findings = registry()[name](small_estate())
    for f in findings:
        assert isinstance(f, Finding)
        assert f.check == name
        assert f.message.en
        assert f.message.zh
        assert f.action.en
        assert f.action.zh
        assert min(f.reclaim.vcpus, f.reclaim.ram_mib, f.reclaim.volume_gib) >= 0
    keys = [f.key for f in findings]
    assert len(keys) == len(set(keys)), "two findings share a diff key"


def test_the_small_estate_triggers_most_checks() -> None:
    data = small_estate()
    fired = {name for name in MINE if registry()[name](data)}
    assert {"idle", "zombie", "orphan-volume", "stale-snapshot", "quota-near-limit"} <= fired
    assert {"quota-idle", "unapproved-vm", "mlps-placement", "agent-missing"} <= fired


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("idle", {"cpu_p95_pct": 150}),
        ("idle", {"cpu_p95_pct": 0}),
        ("idle", {"min_coverage_pct": 0}),
        ("idle", {"net_rx_bps": -1}),
        ("idle", {"cpu_p95": 5}),  # unknown key
        ("zombie", {"min_days": 0}),
        ("zombie", {"min_days": -3}),
        ("zombie", {"min_days": 60, "high_after_days": 30}),
        ("zombie", {"states": ["RUNNING"]}),
        ("orphan-volume", {"min_days": 0}),
        ("stale-snapshot", {"max_age_days": -1}),
        ("quota-near-limit", {"danger_pct": 90, "full_pct": 80}),
        ("quota-near-limit", {"danger_pct": 80, "full_pct": 80}),
        ("quota-near-limit", {"full_pct": 150}),
        ("quota-near-limit", {"resources": ["floating_ips"]}),
        ("quota-idle", {"max_used_pct": 0}),
        ("quota-idle", {"headroom": 0.5}),
        ("pool-headroom", {"within_days": 30, "high_within_days": 30}),
        ("pool-headroom", {"min_points": 1}),
        ("pool-headroom", {"history_days": 0}),
        ("pool-headroom", {"confidence": 1.5}),
        ("mlps-placement", {"forbidden_zones": {"prod": ["nowhere"]}}),
        ("mlps-placement", {"forbidden_zones": {"staging": ["测试区"]}}),
        ("agent-stale", {"max_age_hours": 0}),
        ("agent-stale", {"max_age_hours": 48, "medium_after_hours": 24}),
        ("agent-missing", {"grace_hours": -1}),
        ("unapproved-vm", {"require_system": "maybe"}),
    ],
)
def test_impossible_parameters_are_rejected(name: str, params: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        registry()[name].parse(params)


def test_now_is_timezone_aware() -> None:
    assert NOW.tzinfo is not None


def test_docs_yaml_examples_are_the_registered_ones() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    documented = {item["type"]: item["params"] for block in blocks for item in block}
    for name in MINE:
        spec = registry()[name]
        assert documented[name] == dict(spec.example), name
        spec.parse(documented[name])
