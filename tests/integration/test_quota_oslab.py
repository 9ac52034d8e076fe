"""`quota plan` / `quota apply` against the real OpenStack lab (Keystone, Nova, Cinder).

A throwaway project gets approved quotas declared in a tmp inventory; plan reads its live
limits, apply --yes writes them, openstacksdk reads them back, and the project is restored
(quotas reverted to defaults, project deleted) even when the test fails half-way.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.runner import govcloud
from tests.services.oslab import OsLab

# openstacksdk 4.22 trips over its own pending deprecations (raised inside openstack.*) and
# pytest runs with filterwarnings=error
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")


def _inventory(directory: Path, lab: OsLab, project: str) -> Path:
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
    quota: {{cores: 7, ram_gib: 3, instances: 4, volume_gib: 33, volumes: 5}}
""",
        encoding="utf-8",
    )
    return directory


@pytest.fixture
def lab_project(oslab: OsLab) -> Iterator[tuple[Any, Any]]:
    admin = oslab.connect()
    project = admin.identity.create_project(name=f"gq-{uuid.uuid4().hex[:8]}", domain_id="default")
    try:
        yield admin, project
    finally:
        admin.compute.revert_quota_set(project)
        admin.block_storage.revert_quota_set(project)
        admin.identity.delete_project(project)
        admin.close()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oslab: OsLab) -> Path:
    monkeypatch.setenv("GOVCLOUD_DB", str(tmp_path / "govcloud.db"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(oslab.clouds_yaml))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    return tmp_path


def test_plan_apply_verify_restore(oslab: OsLab, lab_project: tuple[Any, Any], env: Path) -> None:
    admin, project = lab_project
    before = admin.compute.get_quota_set(project)
    inv = _inventory(env / "inventory", oslab, project.name)
    assert govcloud("inventory", "load", str(inv)).exit_code == 0

    plan_file = env / "plan.json"
    plan = govcloud("quota", "plan", "-f", str(plan_file), "-o", "json")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
    changes = {r["resource"]: (r["before"], r["after"]) for r in plan.json()}
    assert changes["cores"] == (before.cores, 7)  # plan read the live value
    assert changes["ram"] == (before.ram, 3 * 1024)  # GiB in YAML, MiB on the wire

    applied = govcloud("quota", "apply", str(plan_file), "--yes", "--ticket", "CHG-42")
    assert applied.exit_code == 0, applied.stderr
    nova = admin.compute.get_quota_set(project)
    cinder = admin.block_storage.get_quota_set(project)
    assert (nova.cores, nova.ram, nova.instances) == (7, 3072, 4)
    assert (cinder.gigabytes, cinder.volumes) == (33, 5)

    again = govcloud("quota", "apply", str(plan_file), "--yes", "-o", "json")
    assert again.exit_code == 0
    assert {r["status"] for r in again.json()} == {"already_applied"}

    con = sqlite3.connect(env / "govcloud.db")
    records = con.execute(
        "SELECT object_type, outcome, ticket FROM audit_log WHERE object_type LIKE 'quota.%'"
    ).fetchall()
    con.close()
    # two-phase: an intent committed before each PUT, its outcome after it
    assert sorted(records) == [
        ("quota.compute", "intent", "CHG-42"),
        ("quota.compute", "ok", "CHG-42"),
        ("quota.volume", "intent", "CHG-42"),
        ("quota.volume", "ok", "CHG-42"),
    ]
