"""Public addresses on the real lab (real Neutron: external network `public` with a router
gateway): what `sync` counts and `pool show` / `quota check` report equals what openstacksdk
lists, and Σ floatingip quotas above the public addresses are a finding."""

from __future__ import annotations

import contextlib
import ipaddress
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.runner import govcloud
from tests.services.oslab import OsLab

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")
FLOATING_IP_OWNER = "network:floatingip"


@pytest.fixture
def admin(oslab: OsLab) -> Iterator[Any]:
    with contextlib.closing(oslab.connect()) as conn:
        yield conn


@pytest.fixture
def project(admin: Any) -> Iterator[Any]:
    proj = admin.identity.create_project(name=f"gpa-{uuid.uuid4().hex[:8]}", domain_id="default")
    try:
        yield proj
    finally:
        for fip in admin.network.ips(project_id=proj.id):
            admin.network.delete_ip(fip, ignore_missing=True)
        for sg in admin.network.security_groups(project_id=proj.id):
            admin.network.delete_security_group(sg, ignore_missing=True)
        admin.network.delete_quota(proj.id, ignore_missing=True)
        admin.identity.delete_project(proj)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oslab: OsLab, project: Any) -> Path:
    monkeypatch.setenv("GOVCLOUD_DB", str(tmp_path / "govcloud.db"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(oslab.clouds_yaml))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    inv = tmp_path / "inventory"
    inv.mkdir()
    (inv / "estate.yaml").write_text(
        f"""
clouds:
- name: {oslab.cloud}
  regions: [{oslab.region_name}]
pools:
- code: inet
  name_zh: 互联网区资源池
  name_en: Internet pool
  cloud: {oslab.cloud}
  region: {oslab.region_name}
  security_zone: 互联网区
departments:
- code: pubdept
  name_zh: 公网部门
  name_en: Public department
  projects:
  - pool: inet
    project: {project.name}
    quota: {{cores: 4, ram_gib: 4, instances: 4, floatingip: 2}}
""",
        encoding="utf-8",
    )
    assert govcloud("inventory", "load", str(inv)).exit_code == 0
    return tmp_path


def _listed(admin: Any) -> tuple[int, int, int]:
    """(IPv4 addresses in the external networks' allocation pools, those held by ports other
    than floating IPs', floating IPs), from openstacksdk."""
    nets = {n.id for n in admin.network.networks(is_router_external=True)}
    ranges = [
        (int(ipaddress.ip_address(p["start"])), int(ipaddress.ip_address(p["end"])))
        for s in admin.network.subnets()
        if s.network_id in nets and s.ip_version == 4
        for p in s.allocation_pools
    ]

    def inside(address: str) -> bool:
        a = ipaddress.ip_address(address)
        return a.version == 4 and any(lo <= int(a) <= hi for lo, hi in ranges)

    held = {
        ip["ip_address"]
        for p in admin.network.ports()
        if p.network_id in nets and p.device_owner != FLOATING_IP_OWNER
        for ip in p.fixed_ips
        if inside(ip["ip_address"])
    }
    fips = {f.floating_ip_address for f in admin.network.ips() if f.floating_network_id in nets}
    return sum(hi - lo + 1 for lo, hi in ranges), len(held), len(fips)


def _synced(admin: Any) -> tuple[int, int, int]:
    """Sync while nothing changes on the external network (the lab is shared): what the cloud
    listed before and after the sync agree."""
    for _ in range(3):
        before = _listed(admin)
        out = govcloud("sync")
        assert out.exit_code == 0, out.stdout + out.stderr
        if _listed(admin) == before:
            return before
    pytest.fail("the external network kept changing during the sync")


def test_public_addresses_match_what_neutron_lists(
    oslab: OsLab, admin: Any, project: Any, env: Path
) -> None:
    admin.network.update_quota(project.id, floating_ips=2)
    admin.network.create_ip(floating_network_id=oslab.public_network_id, project_id=project.id)
    total, held, floating = _synced(admin)
    assert total > 0
    assert held >= 1
    assert floating >= 1
    shown = govcloud("pool", "show", "inet", "-o", "json")
    assert shown.exit_code == 0, shown.stderr
    public = shown.json()["public_addresses"]
    assert (public["total"], public["held"], public["floating"]) == (total, held, floating)
    assert public["free"] == total - held - floating
    check = govcloud("quota", "check", "-o", "json")
    assert check.exit_code == 0, check.stderr
    row = next(r for r in check.json() if r["resource"] == "floatingip")
    assert (row["pool"], row["capacity"], row["allocated"]) == ("inet", total - held, floating)
    assert row["quota_committed"] == 2  # Neutron's limit, synced


def test_floatingip_quota_above_the_public_addresses_is_a_finding(
    admin: Any, project: Any, env: Path
) -> None:
    admin.network.update_quota(project.id, floating_ips=100_000)
    total, held, _ = _synced(admin)
    check = govcloud("quota", "check", "--fail-on", "high", "-o", "json")
    assert check.exit_code == 3, check.stdout + check.stderr
    row = next(r for r in check.json() if r["resource"] == "floatingip")
    assert (row["severity"], row["quota_committed"]) == ("high", 100_000)
    assert f"exceed its public addresses {total - held:,}" in row["finding"]
