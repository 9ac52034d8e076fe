"""Public addresses and unified limits through `sync`, `pool show`, `quota check|show`,
against the sandbox over HTTP; what govcloud counts is checked against what openstacksdk lists."""

from __future__ import annotations

import ipaddress
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.runner import govcloud

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")

ESTATE = """
clouds:
- name: zwy
  regions: [r1]
pools:
- code: p1
  name_zh: 一号池
  name_en: Pool one
  cloud: zwy
  region: r1
  security_zone: 互联网区
departments:
- code: aaa
  name_zh: 甲局全称
  short_zh: 甲局
  name_en: Bureau A
  projects:
  - pool: p1
    project: aaa-p1
    quota:
      cores: 200
      ram_gib: 1024
      instances: 50
      floatingip: 7
"""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, Path, Path]]:
    import openstack

    from govcloud.sandbox import Sandbox
    from govcloud.services.inventory import read_inventory

    base = tmp_path_factory.mktemp("sandbox")
    (base / "inventory").mkdir()
    (base / "inventory" / "estate.yaml").write_text(ESTATE, encoding="utf-8")
    with Sandbox.start(read_inventory(base / "inventory"), size=12) as sb:
        entry = next(e for e in sb.clouds() if e.name == "govcloud-sandbox-zwy")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openstacksdk's optional metrics backends
            sdk = openstack.connect(
                auth_type="password", auth=entry.auth, region_name="r1",
                load_yaml_config=False, load_envvars=False,
            )  # fmt: skip
        yield sb, sdk, sb.write_clouds_yaml(base / "clouds.yaml"), base / "inventory"
        sdk.close()


@pytest.fixture
def cloud(db: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    from govcloud.sandbox import Faults

    sb, sdk, clouds_yaml, inventory = sandbox
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds_yaml))
    sb.set_faults(Faults())
    assert govcloud("inventory", "load", str(inventory)).exit_code == 0
    return sb, sdk


def _sync() -> None:
    out = govcloud("sync")
    assert out.exit_code == 0, out.stderr


def _sdk_public(sdk: Any) -> tuple[int, int]:
    """(IPv4 addresses in the external networks' allocation pools, floating IPs on them), as
    openstacksdk lists them."""
    nets = [n.id for n in sdk.network.networks(is_router_external=True)]
    total = 0
    for s in sdk.network.subnets():
        if s.network_id in nets and s.ip_version == 4:
            for p in s.allocation_pools:
                lo, hi = ipaddress.ip_address(p["start"]), ipaddress.ip_address(p["end"])
                total += int(hi) - int(lo) + 1
    fips = [f for f in sdk.network.ips() if f.floating_network_id in nets]
    return total, len(fips)


def test_public_addresses_are_counted_shown_and_checked(cloud: tuple[Any, Any]) -> None:
    _, sdk = cloud
    _sync()
    total, floating = _sdk_public(sdk)
    assert total > 0
    assert floating > 0
    shown = govcloud("pool", "show", "p1", "-o", "json")
    assert shown.exit_code == 0, shown.stderr
    public = shown.json()["public_addresses"]
    assert (public["total"], public["floating"], public["holder"]) == (total, floating, "p1")
    assert public["free"] == total - public["held"] - floating
    table = govcloud("pool", "show", "p1")
    assert "Floating IPs" in table.stdout or "已分配浮动IP" in table.stdout
    check = govcloud("quota", "check", "-o", "json")
    assert check.exit_code == 0, check.stderr
    rows = {(r["pool"], r["resource"]): r for r in check.json()}
    row = rows[("p1", "floatingip")]
    assert (row["capacity"], row["allocated"], row["unit"]) == (
        total - public["held"],
        floating,
        "IPv4",
    )
    limit = sdk.network.get_quota(_project(sdk)).floating_ips
    assert row["quota_committed"] == limit  # the cloud's limit where synced, as for cores


def test_floatingip_quotas_above_the_public_addresses_are_a_finding(
    cloud: tuple[Any, Any],
) -> None:
    _, sdk = cloud
    pid = _project(sdk)
    before = sdk.network.get_quota(pid).floating_ips
    sdk.network.update_quota(pid, floating_ips=10**6)
    try:
        _sync()
        check = govcloud("quota", "check", "--fail-on", "high", "-o", "json")
    finally:
        sdk.network.update_quota(pid, floating_ips=before)
    assert check.exit_code == 3, check.stderr
    row = next(r for r in check.json() if r["resource"] == "floatingip")
    assert row["severity"] == "high"
    assert "exceed its public addresses" in row["finding"]


def test_a_sync_without_neutron_keeps_the_public_count(cloud: tuple[Any, Any]) -> None:
    from govcloud.sandbox import Faults

    sb, _ = cloud
    _sync()
    before = govcloud("pool", "show", "p1", "-o", "json").json()["public_addresses"]
    sb.set_faults(Faults(no_network=True))
    _sync()
    after = govcloud("pool", "show", "p1", "-o", "json").json()["public_addresses"]
    assert after == before
    assert after["total"]


def test_unified_limits_are_recorded_by_sync_and_said_by_quota_show(
    cloud: tuple[Any, Any],
) -> None:
    from govcloud.sandbox import Faults

    sb, _ = cloud
    _sync()
    plain = govcloud("quota", "show", "--resource", "cores")
    assert "unified limits" not in plain.stderr
    sb.set_faults(Faults(unified_limits=True))
    _sync()
    shown = govcloud("quota", "show", "--resource", "cores")
    assert shown.exit_code == 0, shown.stderr
    assert "pool p1: quota limits for compute come from Keystone unified limits" in shown.stderr
    rows = govcloud("quota", "show", "-o", "json").json()
    assert {r["limit_from"] for r in rows if r["resource"] == "cores"} == {"keystone"}
    assert {r["limit_from"] for r in rows if r["resource"] == "floatingip"} == {"service"}
    check = govcloud("quota", "check")
    assert "come from Keystone unified limits" in check.stderr


def _project(sdk: Any) -> str:
    return str(next(p.id for p in sdk.identity.projects() if p.name == "aaa-p1"))
