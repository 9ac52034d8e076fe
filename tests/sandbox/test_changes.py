"""Nova's changes-since (deleted servers included), Placement usages that skip servers holding
no host, and Keystone unified limits, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from govcloud.sandbox import Faults, Sandbox
from govcloud.sandbox.estate import EPOCH, NO_HOST
from tests.sandbox.conftest import Api, connect

pytestmark = pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK50Warning")


@pytest.fixture(autouse=True)
def clean_faults(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.set_faults(Faults())


def servers(api: Api, query: str, region: str = "zw-region") -> list[dict[str, Any]]:
    url = api.url("compute", f"/v2.1/servers/detail?{query}", region)
    items: list[dict[str, Any]] = []
    while url:
        r = api.get(url)
        assert r.status_code == 200, r.text
        items += r.json()["servers"]
        url = next((x["href"] for x in r.json().get("servers_links", [])), "")
    return items


def days_ago(sandbox: Sandbox, days: int) -> str:
    now = datetime.fromtimestamp(EPOCH + sandbox.estate.now, UTC)
    return (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_changes_since_returns_changed_and_deleted_servers(api: Api, sandbox: Sandbox) -> None:
    since = days_ago(sandbox, 10)
    changed = servers(api, f"all_tenants=1&changes-since={since}&limit=50")
    everything = servers(api, "all_tenants=1")
    assert 0 < len([s for s in changed if s["status"] != "DELETED"]) < len(everything)
    assert all(s["updated"] >= since for s in changed)
    deleted = [s for s in changed if s["status"] == "DELETED"]
    assert deleted
    assert all(s["OS-EXT-STS:vm_state"] == "deleted" for s in deleted)
    assert all(s["OS-SRV-USG:terminated_at"] for s in deleted)
    assert not {s["id"] for s in deleted} & {s["id"] for s in everything}
    created = [s["created"] for s in changed]
    assert created == sorted(created, reverse=True)
    assert len({s["id"] for s in changed}) == len(changed)  # pages neither skip nor repeat
    older = servers(api, f"all_tenants=1&changes-since={days_ago(sandbox, 40)}")
    assert len([s for s in older if s["status"] == "DELETED"]) > len(deleted)


def test_changes_since_scopes_to_the_project(api: Api, sandbox: Sandbox) -> None:
    e = sandbox.estate
    since = days_ago(sandbox, 40)
    project = e.projects[e.deleted.project[0]]
    mine = servers(api, f"all_tenants=1&project_id={project.id}&changes-since={since}",
                   project.region)  # fmt: skip
    assert mine
    assert {s["tenant_id"] for s in mine} == {project.id}
    assert any(s["status"] == "DELETED" for s in mine)


def test_changes_since_rejects_a_bad_time(api: Api) -> None:
    r = api.get(api.url("compute", "/v2.1/servers/detail?changes-since=last-week"))
    assert r.status_code == 400
    assert "changes-since" in r.json()["badRequest"]["message"]


def test_sdk_passes_changes_since(clouds_yaml: Path, sandbox: Sandbox) -> None:
    conn = connect(clouds_yaml)
    since = days_ago(sandbox, 10)
    found = list(conn.compute.servers(all_projects=True, changes_since=since))
    assert found
    assert any(s.status == "DELETED" for s in found)


def test_placement_usages_skip_servers_without_allocations(api: Api, sandbox: Sandbox) -> None:
    e = sandbox.estate
    s = e.servers
    shelved = [r for r in range(len(s)) if s.status[r] == 3]
    assert shelved
    assert all(s.host[r] == NO_HOST for r in shelved)
    project = e.projects[s.project[shelved[0]]]
    index = e.project_by_id[project.id]
    holding = [r for r in e.project_servers[index] if s.host[r] != NO_HOST]
    assert len(holding) < len(e.project_servers[index])
    url = api.url("placement", f"/usages?project_id={project.id}", project.region)
    usages = api.get(url, **{"OpenStack-API-Version": "placement 1.9"}).json()["usages"]
    assert usages["VCPU"] == sum(e.flavors[s.flavor[r]].vcpus for r in holding)
    statuses = {r["status"] for r in servers(api, f"all_tenants=1&project_id={project.id}",
                                             project.region)}  # fmt: skip
    assert "SHELVED_OFFLOADED" in statuses


def test_unified_limits_are_empty_unless_switched_on(api: Api, sandbox: Sandbox) -> None:
    for kind in ("registered_limits", "limits"):
        r = api.get(f"{sandbox.auth_url}/{kind}")
        assert r.status_code == 200
        assert r.json()[kind] == []
    sandbox.set_faults(Faults(unified_limits=True))
    for kind in ("registered_limits", "limits"):
        items = api.get(f"{sandbox.auth_url}/{kind}").json()[kind]
        assert {i["resource_name"] for i in items} == {"cores", "instances"}
