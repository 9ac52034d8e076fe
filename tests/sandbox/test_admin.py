"""`Sandbox.touch_servers`: servers changed and deleted after seeding reach Nova's
`changes-since`, and deleted ones leave listings, usages and Placement allocations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from govcloud.core.models import Inventory
from govcloud.sandbox import Sandbox
from govcloud.sandbox.admin import touch_servers
from govcloud.sandbox.estate import EPOCH
from govcloud.sandbox.seeding import build_estate
from tests.sandbox.conftest import Api, issue_token

SEEDED = datetime(2026, 6, 1, tzinfo=UTC)
LATER = SEEDED + timedelta(hours=5)


@pytest.fixture
def touched_api(inventory: Inventory) -> Iterator[Api]:
    """A sandbox of its own: touching changes it."""
    with Sandbox.start(inventory, size=400, seed=3, now=SEEDED) as sb, requests.Session() as s:
        yield Api(sb, issue_token(sb, s), s)


def listing(api: Api, query: str, region: str = "zw-region") -> list[dict[str, Any]]:
    url = api.url("compute", f"/v2.1/servers/detail?all_tenants=1&{query}", region)
    items: list[dict[str, Any]] = []
    while url:
        body = api.get(url).json()
        items += body["servers"]
        url = next((x["href"] for x in body.get("servers_links", [])), "")
    return items


def test_touched_servers_and_only_they_come_back_from_changes_since(touched_api: Api) -> None:
    api, e = touched_api, touched_api.sandbox.estate
    since = (LATER - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listing(api, f"changes-since={since}") == []
    before = {s["id"]: s for s in listing(api, "")}
    touched = api.sandbox.touch_servers(0.2, LATER)
    assert touched.changed
    assert touched.deleted
    in_region = set(before)
    changes = {s["id"]: s for s in listing(api, f"changes-since={since}&limit=25")}
    assert set(changes) == (set(touched.changed) | set(touched.deleted)) & in_region
    for server_id in set(touched.changed) & in_region:
        now, then = changes[server_id], before[server_id]
        assert now["status"] != then["status"]
        assert now["updated"] == LATER.strftime("%Y-%m-%dT%H:%M:%SZ")
    mine = set(touched.changed) & in_region
    resized = [i for i in mine if changes[i]["flavor"]["id"] != before[i]["flavor"]["id"]]
    assert resized
    gone = set(touched.deleted) & in_region
    assert gone
    assert all(changes[i]["status"] == "DELETED" for i in gone)
    after = {s["id"] for s in listing(api, "")}
    assert after == in_region - gone
    one = next(iter(gone))
    assert api.get(api.url("compute", f"/v2.1/servers/{one}")).status_code == 404
    placement = api.get(api.url("placement", f"/allocations/{one}")).json()
    assert placement == {"allocations": {}}
    row = e.server_ids.index(one)
    assert row is not None
    assert all(e.volumes.server[v] != row for v in range(len(e.volumes)))


def test_usages_follow_the_touched_servers(touched_api: Api) -> None:
    api, e = touched_api, touched_api.sandbox.estate
    api.sandbox.touch_servers(0.3, LATER, deleted_share=0.5)
    header = {"OpenStack-API-Version": "placement 1.39"}
    url = api.url("placement", "/resource_providers")
    for rp in api.get(url, **header).json()["resource_providers"]:
        allocations = api.get(f"{url}/{rp['uuid']}/allocations", **header).json()["allocations"]
        usages = api.get(f"{url}/{rp['uuid']}/usages", **header).json()["usages"]
        vcpus = sum(c["resources"]["VCPU"] for c in allocations.values())
        assert usages["VCPU"] == vcpus
        for consumer in allocations:
            row = e.server_ids.index(consumer)
            assert row is not None
            assert row not in e.gone


def test_touching_is_deterministic_and_checks_its_arguments(inventory: Inventory) -> None:
    a, b = (build_estate(inventory, size=300, seed=2, now=SEEDED) for _ in range(2))
    assert touch_servers(a, 0.1, LATER) == touch_servers(b, 0.1, LATER)
    assert a.servers.updated == b.servers.updated
    assert max(a.servers.updated) == int(LATER.timestamp()) - EPOCH
    with pytest.raises(ValueError, match="fraction"):
        touch_servers(a, 1.5, LATER)
