"""Placement allocations per provider and per consumer: what holds each hypervisor's capacity.

Consumers are the scheduled servers on a provider's host; SHELVED_OFFLOADED servers and ERROR
servers that never got a host hold nothing, and a provider's allocations add up to its usages.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from govcloud.sandbox import Sandbox
from govcloud.sandbox.estate import NO_HOST, SERVER_STATUSES
from tests.sandbox.conftest import Api

REGION = "zw-region"


def placement(api: Api, path: str, version: str = "1.39") -> Any:
    header = {"OpenStack-API-Version": f"placement {version}"}
    r = api.get(api.url("placement", path, REGION), **header)
    assert r.status_code == 200, r.text
    return r.json()


def test_provider_allocations_add_up_to_its_usages(api: Api, sandbox: Sandbox) -> None:
    e = sandbox.estate
    seen: Counter[str] = Counter()
    for rp in placement(api, "/resource_providers")["resource_providers"]:
        body = placement(api, f"/resource_providers/{rp['uuid']}/allocations")
        assert body["resource_provider_generation"] == rp["generation"]
        usages = placement(api, f"/resource_providers/{rp['uuid']}/usages")["usages"]
        totals: Counter[str] = Counter()
        for consumer in body["allocations"].values():
            assert consumer["consumer_generation"] == 1
            totals.update(consumer["resources"])
        assert dict(totals) == (usages if body["allocations"] else {})
        seen.update(body["allocations"].keys())
    in_region = [r for r in e.region_servers[REGION] if e.servers.host[r] != NO_HOST]
    assert seen == Counter(e.server_ids.of(r) for r in in_region)  # each server once
    old = placement(api, f"/resource_providers/{rp['uuid']}/allocations", "1.0")
    assert all(set(c) == {"resources"} for c in old["allocations"].values())


def test_consumer_allocations_by_microversion(api: Api, sandbox: Sandbox) -> None:
    e = sandbox.estate
    row = next(r for r in e.region_servers[REGION] if e.servers.host[r] != NO_HOST)
    server_id = e.server_ids.of(row)
    host = e.hosts[e.servers.host[row]]
    flavor = e.flavors[e.servers.flavor[row]]
    old = placement(api, f"/allocations/{server_id}", "1.0")
    held = {"VCPU": flavor.vcpus, "MEMORY_MB": flavor.ram_mib, "DISK_GB": flavor.disk_gib}
    assert old == {"allocations": {host.provider_uuid: {"generation": 1, "resources": held}}}
    versions = ("1.12", "1.28", "1.38")
    keys = {v: set(placement(api, f"/allocations/{server_id}", v)) for v in versions}
    assert keys["1.12"] == {"allocations", "project_id", "user_id"}
    assert keys["1.28"] == keys["1.12"] | {"consumer_generation"}
    assert keys["1.38"] == keys["1.28"] | {"consumer_type"}
    body = placement(api, f"/allocations/{server_id}")
    assert body["project_id"] == e.projects[e.servers.project[row]].id


def test_unscheduled_and_unknown_consumers_hold_nothing(api: Api, sandbox: Sandbox) -> None:
    e, s = sandbox.estate, sandbox.estate.servers
    hostless = Counter(
        SERVER_STATUSES[s.status[r]] for r in e.region_servers[REGION] if s.host[r] == NO_HOST
    )
    assert set(hostless) == {"SHELVED_OFFLOADED", "ERROR"}
    for r in e.region_servers[REGION]:
        if s.host[r] == NO_HOST:
            assert placement(api, f"/allocations/{e.server_ids.of(r)}") == {"allocations": {}}
            break
    assert placement(api, "/allocations/not-a-server") == {"allocations": {}}
    missing = "00000000-0000-4000-8000-000000000000"
    r = api.get(api.url("placement", f"/resource_providers/{missing}/allocations", REGION))
    assert r.status_code == 404
    assert f"Resource provider '{missing}' not found" in r.json()["errors"][0]["detail"]
