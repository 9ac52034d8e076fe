"""Snapshots and change times over HTTP: raw shapes, paging, a Cinder without snapshots, the
openstacksdk client and govcloud's own reader."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcloud.adapters.openstack.calls import RetryPolicy
from govcloud.adapters.openstack.reader import open_reader
from govcloud.core import sync
from govcloud.core.models import Inventory
from govcloud.sandbox import Faults, Sandbox
from govcloud.sandbox.estate import NO_SERVER, SERVER_STATUSES
from govcloud.sandbox.server_body import nova_time, nova_usec_time
from tests.sandbox.conftest import Api, connect

pytestmark = pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK50Warning")
FAST = RetryPolicy(tries=2, base_s=0.01, cap_s=0.02, rng=random.Random(1))


@pytest.fixture(autouse=True)
def clean_faults(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.set_faults(Faults())


def snapshots_url(api: Api, query: str, region: str = "zw-region", detail: bool = True) -> str:
    path = "snapshots/detail" if detail else "snapshots"
    return api.url("volume", f"/v3/{api.sandbox.identity.admin_project_id}/{path}?{query}", region)


def all_pages(api: Api, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while url:
        body = api.get(url).json()
        items += body["snapshots"]
        links = body.get("snapshots_links") or []
        url = next((link["href"] for link in links if link["rel"] == "next"), "")
    return items


def test_snapshot_listing_pages_through_a_region(api: Api) -> None:
    e = api.sandbox.estate
    items = all_pages(api, snapshots_url(api, "all_tenants=1&limit=7"))
    assert len(items) == len(e.region_snapshots["zw-region"])
    assert len({s["id"] for s in items}) == len(items)
    created = [s["created_at"] for s in items]
    assert created == sorted(created, reverse=True)  # newest first
    one = items[0]
    assert set(one) >= {"id", "name", "status", "size", "volume_id", "created_at", "updated_at",
                        "metadata", "os-extended-snapshot-attributes:project_id"}  # fmt: skip
    assert one["os-extended-snapshot-attributes:project_id"] in e.project_by_id
    summary = api.get(snapshots_url(api, "all_tenants=1&limit=1", detail=False)).json()
    assert "os-extended-snapshot-attributes:project_id" not in summary["snapshots"][0]


def test_snapshot_show_filters_and_unknown_ids(api: Api) -> None:
    e = api.sandbox.estate
    row = e.region_snapshots["hlw-region"][0]
    sid = e.snapshot_ids.of(row)
    base = api.url("volume", f"/v3/{api.sandbox.identity.admin_project_id}/snapshots", "hlw-region")
    shown = api.get(f"{base}/{sid}").json()["snapshot"]
    assert shown["created_at"] == nova_usec_time(e.snapshots.created[row])
    assert api.get(f"{base}/{e.server_ids.of(0)}").status_code == 404
    volume_id = shown["volume_id"]
    same = api.get(f"{base}/detail?all_tenants=1&volume_id={volume_id}").json()["snapshots"]
    assert sid in {s["id"] for s in same}
    assert {s["volume_id"] for s in same} == {volume_id}
    r = api.get(f"{base}/detail?all_tenants=1&marker={e.server_ids.of(0)}")
    assert r.status_code == 404


def test_a_cinder_without_snapshots_answers_404(api: Api, sandbox: Sandbox) -> None:
    sandbox.set_faults(Faults(no_snapshots=True))
    r = api.get(snapshots_url(api, "all_tenants=1"))
    assert r.status_code == 404
    assert r.json()["itemNotFound"]["code"] == 404


def test_change_times_in_nova_and_cinder_bodies(api: Api) -> None:
    e = api.sandbox.estate
    url = api.url("compute", "/v2.1/servers/detail?all_tenants=1&limit=1000")
    servers = api.get(url, **{"OpenStack-API-Version": "compute 2.47"}).json()["servers"]
    for s in servers:
        row = e.server_ids.index(s["id"])
        assert row is not None
        assert s["updated"] == nova_time(e.servers.updated[row])
        assert s["status"] == SERVER_STATUSES[e.servers.status[row]]
    assert any(s["updated"] != s["created"] for s in servers)
    project = api.sandbox.identity.admin_project_id
    vols = api.get(api.url("volume", f"/v3/{project}/volumes/detail?all_tenants=1")).json()
    detached = [v for v in vols["volumes"] if not v["attachments"]]
    assert detached
    for v in detached:
        row = e.volume_ids.index(v["id"])
        assert row is not None
        assert e.volumes.server[row] == NO_SERVER
        assert v["updated_at"] == nova_usec_time(e.volumes.updated[row])
        assert v["updated_at"] > v["created_at"]


def test_openstacksdk_lists_the_snapshots(sandbox: Sandbox, clouds_yaml: Path) -> None:
    conn = connect(clouds_yaml, region="hlw-region")
    snaps = list(conn.block_storage.snapshots(details=True, all_projects=True))
    assert len(snaps) == len(sandbox.estate.region_snapshots["hlw-region"])
    assert all(s.project_id and s.created_at for s in snaps)


def reader_of(inventory: Inventory, clouds_yaml: Path, pool: str) -> Any:
    scope = sync.scopes(inventory.pools)[pool]
    return open_reader(
        scope, clouds_yaml, timeout_s=5, metadata_key="business_system", workers=4,
        policy=FAST, page_size=9,
    )  # fmt: skip


def test_the_reader_brings_change_times_and_snapshots(
    sandbox: Sandbox, inventory: Inventory, clouds_yaml: Path
) -> None:
    listing = sync.collect(
        reader_of(inventory, clouds_yaml, "hlw"), "hlw", lambda *_: None, inventory.departments
    )
    assert all(s.updated_at is not None for s in listing.servers)
    assert all(v.created_at and v.updated_at for v in listing.volumes)
    assert len(listing.snapshots) == len(sandbox.estate.region_snapshots["hlw-region"])
    assert "snapshots" in listing.complete
    volumes = {v.volume_id for v in listing.volumes}
    assert any(s.volume_id not in volumes for s in listing.snapshots)  # deleted volumes
    sandbox.set_faults(Faults(no_snapshots=True))
    without = sync.collect(
        reader_of(inventory, clouds_yaml, "hlw"), "hlw", lambda *_: None, inventory.departments
    )
    assert without.snapshots == ()
    assert "snapshots" not in without.complete
    assert len(without.volumes) == len(listing.volumes)


def test_pools_sharing_a_region_split_its_snapshots(
    sandbox: Sandbox, inventory: Inventory, clouds_yaml: Path
) -> None:
    ids = []
    for pool in ("zw-prod", "dr-test"):
        r = reader_of(inventory, clouds_yaml, pool)
        listing = sync.collect(r, pool, lambda *_: None, inventory.departments)
        ids += [s.snapshot_id for s in listing.snapshots]
    assert len(ids) == len(set(ids)) == len(sandbox.estate.region_snapshots["zw-region"])
