"""Storage and networking through govcloud's commands against the real lab (Cinder with two
backends, real Neutron): per-type, snapshot and Neutron quotas planned, applied and read back
with openstacksdk; a pool's storage capacity as Cinder's capacity filter computes it from the
backends' own figures; an SSH port open to the world found by the audit on a synced server.
"""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.runner import govcloud
from tests.services.oslab import OsLab

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")
WAIT = 120
QUOTA = "{cores: 4, ram_gib: 4, instances: 4, volume_gib: VOL, volumes: 10}"


def _inventory(directory: Path, lab: OsLab, project: str, quota: str) -> Path:
    directory.mkdir()
    (directory / "estate.yaml").write_text(
        f"""
clouds:
- name: {lab.cloud}
  regions: [{lab.region_name}]
pools:
- code: lab
  name_zh: 实验资源池
  name_en: Lab pool
  cloud: {lab.cloud}
  region: {lab.region_name}
  security_zone: 政务外网
departments:
- code: labdept
  name_zh: 实验部门
  name_en: Lab department
  projects:
  - pool: lab
    project: {project}
    quota: {quota}
""",
        encoding="utf-8",
    )
    return directory


@pytest.fixture
def admin(oslab: OsLab) -> Iterator[Any]:
    with contextlib.closing(oslab.connect()) as conn:
        yield conn


@pytest.fixture
def project(oslab: OsLab, admin: Any) -> Iterator[Any]:
    idn = admin.identity
    proj = idn.create_project(name=f"gsn-{uuid.uuid4().hex[:8]}", domain_id="default")
    try:
        idn.assign_project_role_to_user(
            proj,
            idn.find_user(oslab.username, ignore_missing=False),
            idn.find_role("member", ignore_missing=False),
        )
        yield proj
    finally:
        for sg in admin.network.security_groups(project_id=proj.id):
            admin.network.delete_security_group(sg, ignore_missing=True)
        admin.network.delete_quota(proj.id, ignore_missing=True)
        admin.block_storage.revert_quota_set(proj)
        admin.compute.revert_quota_set(proj)
        idn.delete_project(proj)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oslab: OsLab) -> Path:
    monkeypatch.setenv("GOVCLOUD_DB", str(tmp_path / "govcloud.db"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(oslab.clouds_yaml))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    return tmp_path


def test_per_type_snapshot_and_neutron_quotas_apply_on_the_real_cloud(
    oslab: OsLab, admin: Any, project: Any, env: Path
) -> None:
    quota = (
        "{cores: 7, ram_gib: 3, instances: 4, volume_gib: 60, volumes: 6, snapshots: 9,"
        " gigabytes_ssd: 20, volumes_sata: 3, floatingip: 2, port: 17, security_group: 4}"
    )
    inv = _inventory(env / "inventory", oslab, project.name, quota)
    assert govcloud("inventory", "load", str(inv)).exit_code == 0
    plan_file = env / "plan.json"
    plan = govcloud("quota", "plan", "-f", str(plan_file), "-o", "json")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
    planned = {r["resource"]: r["after"] for r in plan.json()}
    assert {k: planned[k] for k in ("gigabytes_ssd", "volumes_sata", "floatingip", "port")} == {
        "gigabytes_ssd": 20,
        "volumes_sata": 3,
        "floatingip": 2,
        "port": 17,
    }

    applied = govcloud("quota", "apply", str(plan_file), "--yes", "--ticket", "CHG-8")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    cinder = admin.block_storage.get(f"/os-quota-sets/{project.id}").json()["quota_set"]
    assert (cinder["gigabytes_ssd"], cinder["volumes_sata"], cinder["snapshots"]) == (20, 3, 9)
    assert (cinder["gigabytes"], cinder["volumes"]) == (60, 6)
    neutron = admin.network.get_quota(project.id)
    assert (neutron.floating_ips, neutron.ports, neutron.security_groups) == (2, 17, 4)

    again = govcloud("quota", "apply", str(plan_file), "--yes", "-o", "json")
    assert again.exit_code == 0, again.stdout + again.stderr
    assert {r["status"] for r in again.json()} == {"already_applied"}


def test_pool_storage_is_what_the_backends_can_hold(oslab: OsLab, project: Any, env: Path) -> None:
    inv = _inventory(env / "inventory", oslab, project.name, QUOTA.replace("VOL", "50000"))
    assert govcloud("inventory", "load", str(inv)).exit_code == 0
    synced = govcloud("sync", "-o", "json")
    assert synced.exit_code == 0, synced.stdout + synced.stderr
    pool = govcloud("pool", "show", "lab", "-o", "json").json()
    # fast: 2000 GB thick, 10 % reserved -> 1800; bulk: 10000 GB thin x 2.0, 5 % reserved -> 19500
    assert pool["volume_gib_usable"] == pytest.approx(1800 + 19500)
    types = {t["volume_type"]: t for t in pool["volume_types"]}
    assert types["ssd"]["usable_gib"] == pytest.approx(1800)
    assert types["sata"]["usable_gib"] == pytest.approx(19500)
    # 50,000 GiB approved is more than the backends can hold: quota check says so
    check = govcloud("quota", "check", "--pool", "lab", "-o", "json")
    rows = {r["resource"]: r for r in check.json()}
    # (approved, not yet applied: the cloud's limit is still its default)
    assert rows["gigabytes"]["severity"] == "medium", rows["gigabytes"]
    assert "approved 50,000 GiB exceed capacity 21,300" in rows["gigabytes"]["finding"]


def test_ssh_open_to_the_world_is_found_on_a_synced_server(
    oslab: OsLab, admin: Any, project: Any, env: Path
) -> None:
    inv = _inventory(env / "inventory", oslab, project.name, QUOTA.replace("VOL", "100"))
    assert govcloud("inventory", "load", str(inv)).exit_code == 0
    with contextlib.closing(oslab.connect(project_name=project.name)) as member:
        sg = member.network.create_security_group(name="web-open")
        member.network.create_security_group_rule(
            security_group_id=sg.id, direction="ingress", ethertype="IPv4", protocol="tcp",
            port_range_min=22, port_range_max=22, remote_ip_prefix="0.0.0.0/0",
        )  # fmt: skip
        suffix = uuid.uuid4().hex[:8]
        flavor = admin.compute.create_flavor(name=f"gsn-{suffix}", vcpus=1, ram=256, disk=1)
        image = admin.image.create_image(
            name=f"gsn-{suffix}", data=io.BytesIO(b"\0" * 65536), disk_format="raw",
            container_format="bare", visibility="public",
        )  # fmt: skip
        server = member.compute.create_server(
            name=f"gsn-{suffix}", flavor_id=flavor.id, image_id=image.id,
            networks=[{"uuid": oslab.network_id}], security_groups=[{"name": "web-open"}],
        )  # fmt: skip
        try:
            member.compute.wait_for_server(server, status="ACTIVE", failures=["ERROR"], wait=WAIT)
            assert govcloud("sync").exit_code == 0
            vm = govcloud("vm", "show", server.id, "-o", "json").json()
            fixed = [p.fixed_ips[0]["ip_address"] for p in admin.network.ports(device_id=server.id)]
            assert fixed
            assert fixed[0] in vm["addresses"]  # the address Neutron assigned
            run = govcloud("audit", "run", "--check", "security-group-open", "-o", "json")
            assert run.exit_code == 0, run.stdout + run.stderr
            shown = govcloud("audit", "show", "--check", "security-group-open", "-o", "json")
            found = [f for f in shown.json() if f["subject_id"] == sg.id]
            assert found, shown.stdout
            assert found[0]["evidence"]["ports"] == [22]
            assert found[0]["severity"] == "high"
        finally:
            member.compute.delete_server(server, ignore_missing=True)
            member.compute.wait_for_delete(server, interval=1, wait=WAIT)
            admin.image.delete_image(image)
            admin.compute.delete_flavor(flavor)
