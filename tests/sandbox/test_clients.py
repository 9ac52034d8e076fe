"""Conformance: openstacksdk and python-openstackclient, unmodified, against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcloud.core.models import Inventory
from govcloud.sandbox import Sandbox
from tests.sandbox.conftest import connect

OPENSTACK = Path(sys.executable).parent / "openstack"
# openstacksdk 4.x warns about its own internal calls; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK50Warning")


@pytest.fixture(scope="module")
def sandbox(inventory: Inventory) -> Iterator[Sandbox]:
    """Smaller than the natural estate: the clients, not the sandbox, are slow per server."""
    with Sandbox.start(inventory, size=400) as sb:
        yield sb


def test_sdk_lists_every_server_of_a_region_with_embedded_flavors(
    sandbox: Sandbox, clouds_yaml: Path
) -> None:
    conn = connect(clouds_yaml)
    servers = list(conn.compute.servers(all_projects=True))
    assert len(servers) == len(sandbox.estate.region_servers["zw-region"])
    assert len({s.id for s in servers}) == len(servers)
    assert all(s.flavor.vcpus and s.flavor.original_name for s in servers)
    projects = {s.project_id for s in servers}
    assert len(projects) > 1


def test_sdk_flavors_quotas_volumes(sandbox: Sandbox, clouds_yaml: Path) -> None:
    conn = connect(clouds_yaml, region="hlw-region")
    assert {f.name for f in conn.compute.flavors()} >= {"c2m4", "c4m8", "c8m16", "c16m64"}
    project = next(
        p for p in sandbox.estate.projects if p.region == "hlw-region" and p.department_code
    )
    quota = conn.get_compute_quotas(project.id)
    assert quota.cores == sandbox.estate.compute_quota[("hlw-region", project.id)]["cores"]
    volumes = list(conn.block_storage.volumes(all_projects=True))
    assert len(volumes) == len(sandbox.estate.region_volumes["hlw-region"])
    vq = conn.block_storage.get_quota_set(project.id, usage=True)
    assert vq.usage["volumes"] == sum(1 for v in volumes if v.project_id == project.id)


def test_sdk_placement_inventories_carry_the_placement_ratio(
    sandbox: Sandbox, clouds_yaml: Path
) -> None:
    conn = connect(clouds_yaml, region="hlw-region")
    providers = list(conn.placement.resource_providers())
    assert {p.name for p in providers} == {
        h.name for h in sandbox.estate.region_hosts("hlw-region")
    }
    inventories = {
        i.resource_class: i for i in conn.placement.resource_provider_inventories(providers[0])
    }
    host = next(h for h in sandbox.estate.hosts if h.provider_uuid == providers[0].id)
    assert inventories["VCPU"].allocation_ratio == host.cpu_ratio
    assert inventories["MEMORY_MB"].total == host.ram_mib


def test_sdk_application_credential_and_member_clouds(sandbox: Sandbox, clouds_yaml: Path) -> None:
    conn = connect(clouds_yaml, cloud="govcloud-sandbox-zwy-appcred")
    assert next(iter(conn.compute.flavors()), None) is not None
    member = connect(
        clouds_yaml, cloud="govcloud-sandbox-zwy-member", region=sandbox.clouds()[2].regions[0]
    )
    own = {s.project_id for s in member.compute.servers()}
    assert own == {member.current_project_id}


def _osc(clouds_yaml: Path, cwd: Path, *args: str) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds_yaml)
    proc = subprocess.run(
        [str(OPENSTACK), "--os-cloud", "govcloud-sandbox-zwy", *args, "-f", "json"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def osc_cwd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("osc-cwd")


def test_osc_server_list_all_projects(sandbox: Sandbox, clouds_yaml: Path, osc_cwd: Path) -> None:
    rows = _osc(
        clouds_yaml, osc_cwd, "server", "list", "--all-projects", "--os-region-name", "hlw-region"
    )
    assert len(rows) == len(sandbox.estate.region_servers["hlw-region"])
    assert {r["Flavor"] for r in rows} <= {f.name for f in sandbox.estate.flavors}


def test_osc_quota_show_usage(sandbox: Sandbox, clouds_yaml: Path, osc_cwd: Path) -> None:
    project = next(
        p for p in sandbox.estate.projects if p.region == "zw-region" and p.department_code
    )
    rows = _osc(clouds_yaml, osc_cwd, "quota", "show", "--usage", project.name)
    by_resource = {r["Resource"]: r for r in rows}
    limit = sandbox.estate.compute_quota[("zw-region", project.id)]["instances"]
    assert by_resource["instances"]["Limit"] == limit
    assert by_resource["instances"]["In Use"] == len(
        sandbox.estate.project_servers[sandbox.estate.project_by_id[project.id]]
    )
    assert by_resource["volumes"]["In Use"] > 0


def test_osc_flavor_and_resource_provider_list(
    sandbox: Sandbox, clouds_yaml: Path, osc_cwd: Path
) -> None:
    flavors = _osc(clouds_yaml, osc_cwd, "flavor", "list")
    assert {f["Name"] for f in flavors} == {f.name for f in sandbox.estate.flavors}
    providers = _osc(clouds_yaml, osc_cwd, "resource", "provider", "list")
    assert {p["name"] for p in providers} == {
        h.name for h in sandbox.estate.region_hosts("zw-region")
    }
