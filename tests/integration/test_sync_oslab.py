"""`govcloud sync` against the real OpenStack lab: Keystone, Nova (fake), Cinder, Placement."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, select

from govcloud.adapters.store import schema as t
from tests.cli.runner import govcloud
from tests.services.oslab import OsLab

WAIT = 180
# openstacksdk 4.22 raises its own pending deprecations inside openstack.*; warnings are errors
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")


def write_inventory(directory: Path, lab: OsLab, projects: list[str]) -> None:
    pools = {
        "clouds": [{"name": lab.cloud, "regions": [lab.region_name]}],
        "pools": [{"code": "lab", "name_zh": "实验池", "name_en": "Lab", "cloud": lab.cloud,
                   "region": lab.region_name, "security_zone": "政务外网"}],
    }  # fmt: skip
    depts = {
        "departments": [
            {"code": f"d{i}", "name_zh": f"部门{i}", "short_zh": f"部门{i}",
             "name_en": f"Dept {i}",
             "projects": [{"pool": "lab", "project": name,
                           "quota": {"cores": 8, "ram_gib": 8, "instances": 5}}]}
            for i, name in enumerate(projects)
        ]
    }  # fmt: skip
    systems = {
        "systems": [{"code": "lab-web", "name_zh": "门户", "name_en": "Portal",
                     "department": "d0", "mlps_level": 2, "environment": "test"}]
    }  # fmt: skip
    directory.mkdir()
    for name, doc in (("pools", pools), ("departments", depts), ("systems", systems)):
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))


@pytest.fixture
def lab_estate(oslab: OsLab) -> Iterator[dict[str, Any]]:
    """Two projects with 2 + 1 fake servers (one tagged with its business system)."""
    admin = oslab.connect()
    idn = admin.identity
    suffix = uuid.uuid4().hex[:8]
    undo: list[Any] = []
    try:
        member = idn.find_role("member", ignore_missing=False)
        me = idn.find_user(oslab.username, ignore_missing=False)
        projects = []
        for name in (f"sync-a-{suffix}", f"sync-b-{suffix}"):
            proj = idn.create_project(name=name, domain_id="default")
            undo.append(lambda proj=proj: idn.delete_project(proj))
            idn.assign_project_role_to_user(proj, me, member)
            projects.append(proj)
        flavor = admin.compute.create_flavor(name=f"sync.tiny-{suffix}", vcpus=1, ram=256, disk=1)
        undo.append(lambda: admin.compute.delete_flavor(flavor))
        image = admin.image.create_image(
            name=f"sync-img-{suffix}", data=io.BytesIO(b"\0" * 65536), disk_format="raw",
            container_format="bare", visibility="public",
        )  # fmt: skip
        undo.append(lambda: admin.image.delete_image(image))
        servers = []
        for proj, count in ((projects[0], 2), (projects[1], 1)):
            conn = oslab.connect(project_name=proj.name)
            for i in range(count):
                meta = {"business_system": "lab-web"} if i == 0 else {}
                srv = conn.compute.create_server(
                    name=f"sync-{proj.name}-{i}", flavor_id=flavor.id, image_id=image.id,
                    networks="none", metadata=meta,
                )  # fmt: skip
                undo.append(
                    lambda conn=conn, srv=srv: (
                        conn.compute.delete_server(srv, ignore_missing=True),
                        conn.compute.wait_for_delete(srv, interval=1, wait=WAIT),
                    )
                )
                servers.append((conn, srv))
        for conn, srv in servers:
            conn.compute.wait_for_server(srv, status="ACTIVE", failures=["ERROR"], wait=WAIT)
        yield {"projects": projects, "servers": [s for _, s in servers], "suffix": suffix}
    finally:
        for step in reversed(undo):
            step()


def test_sync_reads_the_lab_into_the_store(
    oslab: OsLab, lab_estate: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "govcloud.db"
    monkeypatch.setenv("GOVCLOUD_DB", str(db))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)  # a clouds.yaml here must not matter
    (tmp_path / "clouds.yaml").write_text("clouds: {oslab: {auth: {auth_url: http://127.0.0.1:9}}}")
    projects = [p.name for p in lab_estate["projects"]]
    write_inventory(tmp_path / "inv", oslab, projects)
    assert govcloud("inventory", "load", str(tmp_path / "inv")).exit_code == 0

    first = govcloud("-o", "json", "sync", "--clouds-yaml", str(oslab.clouds_yaml))
    assert first.exit_code == 0, first.stdout + first.stderr
    assert first.stderr == ""
    [row] = first.json()
    assert row["status"] == "ok"
    assert row["added"] > 0

    vms = govcloud("-o", "json", "vm", "list", "--pool", "lab").json()
    mine = {v["name"]: v for v in vms if lab_estate["suffix"] in v["name"]}
    assert len(mine) == 3
    assert {v["department"] for v in mine.values()} == {"d0", "d1"}
    assert mine[f"sync-{projects[0]}-0"]["system"] == "lab-web"
    assert {v["vcpus"] for v in mine.values()} == {1}

    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        ids = [p.id for p in lab_estate["projects"]]
        quotas = {
            (r.project_id, r.resource): r.in_use
            for r in conn.execute(select(t.QuotaRow).where(t.QuotaRow.project_id.in_(ids)))
        }
        capacity = {r.resource_class: r for r in conn.execute(select(t.PoolCapacityRow))}
        lab_ids = {s.id for s in lab_estate["servers"]}
        updated = [
            r.updated_at
            for r in conn.execute(select(t.ServerRow).where(t.ServerRow.server_id.in_(lab_ids)))
        ]
        usage = list(conn.execute(select(t.PoolUsageRow)))
    engine.dispose()
    assert len(updated) == 3
    assert all(u is not None for u in updated)  # Nova's `updated`
    assert [u.servers for u in usage] == [row["servers"]]  # one history point per sync
    assert "snapshots not synced" not in str(row["notes"])  # the lab's Cinder lists snapshots
    assert quotas[(ids[0], "instances")] == 2
    assert quotas[(ids[0], "cores")] == 2
    assert quotas[(ids[1], "instances")] == 1
    assert (ids[1], "gigabytes") in quotas  # Cinder quotas with usage
    assert capacity["VCPU"].total > 0
    assert capacity["VCPU"].used >= 3
    assert capacity["MEMORY_MB"].allocation_ratio > 0

    second = govcloud("-o", "json", "sync", "--clouds-yaml", str(oslab.clouds_yaml)).json()
    assert second[0]["status"] == "ok"
    servers_changed = second[0]["changed"]
    assert second[0]["added"] == 0
    assert second[0]["removed"] == 0
    # the lab's own clock moves usage (none here): nothing about servers may change
    assert servers_changed == 0
