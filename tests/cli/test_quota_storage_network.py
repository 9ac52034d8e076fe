"""`quota plan|apply` for per-volume-type Cinder quotas, snapshots and Neutron quotas against
the sandbox over HTTP, each write checked by reading the cloud back with openstacksdk; and a
cloud on Keystone unified limits, which govcloud reads but never writes."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
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
      volume_gib: 10000
      volumes: 100
      snapshots: 60
      floatingip: 7
      security_group_rule: 150
      gigabytes_ssd: 4000
"""
# what the cloud holds before each test: everything approved but the storage/network ones
START = {"cores": 200, "ram": 1024 * 1024, "instances": 50}
START_VOLUME = {"gigabytes": 10000, "volumes": 100, "snapshots": 40, "gigabytes_ssd": -1}
START_NETWORK = {"floatingip": 3, "security_group_rule": 150}


@dataclass
class Cloud:
    sandbox: Any
    sdk: Any
    project_id: str
    inventory: Path

    def put(self, service: str, path: str, key: str, values: dict[str, int]) -> None:
        resp = getattr(self.sdk, service).put(path, json={key: values})
        assert resp.status_code == 200, resp.text

    def volume_quota(self) -> dict[str, Any]:
        path = f"/os-quota-sets/{self.project_id}"
        return dict(self.sdk.block_storage.get(path).json()["quota_set"])

    def network_quota(self) -> dict[str, Any]:
        return dict(self.sdk.network.get(f"/quotas/{self.project_id}").json()["quota"])


@pytest.fixture(scope="module")
def sandbox_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cloud, Path]]:
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
        pid = next(p.id for p in sb.estate.projects if p.name == "aaa-p1")
        clouds_yaml = sb.write_clouds_yaml(base / "clouds.yaml")
        yield Cloud(sb, sdk, pid, base / "inventory"), clouds_yaml
        sdk.close()


@pytest.fixture
def cloud(db: Path, sandbox_cloud: tuple[Cloud, Path], monkeypatch: pytest.MonkeyPatch) -> Cloud:
    from govcloud.sandbox import Faults

    c, clouds_yaml = sandbox_cloud
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds_yaml))
    c.sandbox.set_faults(Faults())
    c.put("compute", f"/os-quota-sets/{c.project_id}", "quota_set", START)
    c.put("block_storage", f"/os-quota-sets/{c.project_id}", "quota_set", START_VOLUME)
    c.put("network", f"/quotas/{c.project_id}", "quota", START_NETWORK)
    assert govcloud("inventory", "load", str(c.inventory)).exit_code == 0
    return c


def test_per_type_snapshot_and_neutron_quotas_are_planned_applied_and_verified(
    cloud: Cloud, tmp_path: Path
) -> None:
    path = tmp_path / "plan.json"
    plan = govcloud("quota", "plan", "-f", str(path), "-o", "json")
    assert plan.exit_code == 0, plan.stderr
    assert {(r["resource"], r["unit"], r["before"], r["after"]) for r in plan.json()} == {
        ("snapshots", "count", 40, 60),
        ("gigabytes_ssd", "GiB", -1, 4000),
        ("floatingip", "count", 3, 7),
    }
    applied = govcloud("quota", "apply", str(path), "--yes")
    assert applied.exit_code == 0, applied.stderr
    assert applied.stdout.count("changed") == 3
    assert "applied: 2 quota update(s) sent" in applied.stderr  # one PUT per service
    volume, network = cloud.volume_quota(), cloud.network_quota()  # read back independently
    assert (volume["snapshots"], volume["gigabytes_ssd"], volume["gigabytes_sata"]) == (
        60,
        4000,
        -1,
    )
    assert (network["floatingip"], network["security_group_rule"]) == (7, 150)
    again = govcloud("quota", "apply", str(path), "--yes", "-o", "json")
    assert {r["status"] for r in again.json()} == {"already_applied"}


def test_unified_limits_are_reported_and_never_written(cloud: Cloud, tmp_path: Path) -> None:
    from govcloud.sandbox import Faults

    cloud.put("compute", f"/os-quota-sets/{cloud.project_id}", "quota_set", {"cores": 100})
    path = tmp_path / "plan.json"
    assert govcloud("quota", "plan", "-f", str(path)).exit_code == 0  # plans cores 100 -> 200
    cloud.sandbox.set_faults(Faults(unified_limits=True))
    fresh = tmp_path / "fresh.json"
    plan = govcloud("quota", "plan", "-f", str(fresh))
    assert plan.exit_code == 0, plan.stderr
    assert "cores" not in plan.stdout  # compute is Keystone's now: nothing planned for it
    assert "this cloud uses Keystone unified limits for compute" in plan.stderr
    assert "read-only" in plan.stderr
    notes = json.loads(fresh.read_text(encoding="utf-8"))["notes"]
    assert any("Keystone unified limits" in n for n in notes)  # the reviewed file says so too
    # a plan made before the switch is refused before any PUT
    refused = govcloud("quota", "apply", str(path), "--yes")
    assert refused.exit_code == 2, refused.stderr
    assert "Keystone unified limits" in refused.stderr
    assert "openstack limit set" in refused.stderr
    assert cloud.sdk.compute.get_quota_set(cloud.project_id).cores == 100
    assert cloud.volume_quota()["snapshots"] == 40  # nothing else was written either
