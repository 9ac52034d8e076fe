"""The sandbox's Cinder storage side over HTTP: backend pools, volume types, per-type quota
usage, backups, the 3.60 time filters; through openstacksdk where it has the call."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from govcloud.sandbox import Faults, Sandbox
from tests.sandbox.conftest import Api, connect, issue_token

pytestmark = pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK50Warning")
V360 = {"OpenStack-API-Version": "volume 3.60"}


@pytest.fixture(autouse=True)
def clean_faults(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.set_faults(Faults())


def vol_url(api: Api, path: str, region: str = "zw-region") -> str:
    return api.url("volume", f"/v3/{api.sandbox.identity.admin_project_id}/{path}", region)


def all_volumes(api: Api, query: str, region: str = "zw-region", **headers: str) -> list[Any]:
    url, items = vol_url(api, f"volumes/detail?all_tenants=1&{query}", region), []
    while url:
        body = api.get(url, **headers).json()
        items += body["volumes"]
        url = next((x["href"] for x in body.get("volumes_links", [])), "")
    return items


def test_pools_per_govcloud_pool_with_capacities(api: Api) -> None:
    r = api.get(vol_url(api, "scheduler-stats/get_pools?detail=True"))
    assert r.status_code == 200
    pools = r.json()["pools"]
    names = [p["name"] for p in pools]
    # named as pools.yaml declares them: zw-prod [ceph-ssd, ceph-sata], dr-test [dr-sata]
    assert sorted(names) == [
        "cinder-dr-test@dr-sata#dr-sata",
        "cinder-zw-prod@ceph-sata#ceph-sata",
        "cinder-zw-prod@ceph-ssd#ceph-ssd",
    ]
    allocated: Counter[str] = Counter()
    for v in all_volumes(api, ""):
        allocated[v["os-vol-host-attr:host"]] += v["size"]
    for p in pools:
        cap = p["capabilities"]
        assert isinstance(cap["max_over_subscription_ratio"], str)
        assert cap["allocated_capacity_gb"] == allocated[p["name"]] > 0
        assert 0 < cap["free_capacity_gb"] <= cap["total_capacity_gb"]
        assert cap["thin_provisioning_support"] != cap["thick_provisioning_support"]
        assert set(cap) >= {"volume_backend_name", "provisioned_capacity_gb",
                            "reserved_percentage", "storage_protocol", "vendor_name",
                            "timestamp"}  # fmt: skip
    brief = api.get(vol_url(api, "scheduler-stats/get_pools")).json()["pools"]
    assert [set(p) for p in brief] == [{"name"}] * len(pools)


def test_a_backend_can_report_infinite_or_unknown(api: Api, sandbox: Sandbox) -> None:
    sandbox.set_faults(Faults(infinite_capacity="cinder-zw-prod@ceph-ssd#ceph-ssd",
                              unknown_capacity="cinder-dr-test@dr-sata#dr-sata"))  # fmt: skip
    pools = api.get(vol_url(api, "scheduler-stats/get_pools?detail=1")).json()["pools"]
    caps = {p["name"]: p["capabilities"] for p in pools}
    assert caps["cinder-zw-prod@ceph-ssd#ceph-ssd"]["total_capacity_gb"] == "infinite"
    assert caps["cinder-dr-test@dr-sata#dr-sata"]["free_capacity_gb"] == "unknown"
    assert isinstance(caps["cinder-zw-prod@ceph-sata#ceph-sata"]["total_capacity_gb"], int)


def test_pools_are_for_administrators(sandbox: Sandbox) -> None:
    project = next(p for p in sandbox.estate.projects if p.department_code)
    with requests.Session() as session:
        token = issue_token(sandbox, session, f"{project.department_code}-ops", project.name,
                            sandbox.identity.member_password)  # fmt: skip
        member = Api(sandbox, token, session)
        url = member.url("volume", f"/v3/{project.id}/scheduler-stats/get_pools", project.region)
        r = member.get(url)
        assert r.status_code == 403
        assert r.json()["forbidden"]["code"] == 403
        types = member.get(member.url("volume", f"/v3/{project.id}/types", project.region))
        assert all(t["extra_specs"] == {} for t in types.json()["volume_types"])


def test_types_name_their_backend(api: Api, clouds_yaml: Path) -> None:
    def backends(region: str) -> dict[str, str | None]:
        types = api.get(vol_url(api, "types", region)).json()["volume_types"]
        return {t["name"]: t["extra_specs"].get("volume_backend_name") for t in types}

    # the region's main pool keeps ssd/sata, the zone pool's type is named after its backend
    assert backends("zw-region") == {"ssd": "ceph-ssd", "sata": "ceph-sata",
                                     "dr-sata": "dr-sata", "__DEFAULT__": None}  # fmt: skip
    # one declared backend serves both types
    assert backends("hlw-region") == {"ssd": "hlw-ceph", "sata": "hlw-ceph", "__DEFAULT__": None}
    types = api.get(vol_url(api, "types")).json()["volume_types"]
    default = api.get(vol_url(api, "types/default")).json()["volume_type"]
    assert default["name"] == "ssd"
    one = types[0]
    assert api.get(vol_url(api, f"types/{one['id']}")).json()["volume_type"] == one
    specs = api.get(vol_url(api, f"types/{one['id']}/extra_specs")).json()
    assert specs == {"extra_specs": one["extra_specs"]}
    missing = api.get(vol_url(api, "types/nope"))
    assert missing.status_code == 404
    assert "itemNotFound" in missing.json()
    conn = connect(clouds_yaml)
    assert {t.name for t in conn.block_storage.types()} == {"ssd", "sata", "dr-sata",
                                                            "__DEFAULT__"}  # fmt: skip
    backend_pools = list(conn.block_storage.backend_pools())
    assert backend_pools
    assert all(p.capabilities["total_capacity_gb"] for p in backend_pools)


@pytest.mark.parametrize("region", ["zw-region", "hlw-region"])
def test_each_volume_lies_on_the_backend_its_type_names(api: Api, region: str) -> None:
    types = api.get(vol_url(api, "types", region)).json()["volume_types"]
    backend = {t["name"]: t["extra_specs"].get("volume_backend_name") for t in types}
    pools = api.get(vol_url(api, "scheduler-stats/get_pools", region)).json()["pools"]
    volumes = all_volumes(api, "", region)
    assert volumes
    for v in volumes:
        host = v["os-vol-host-attr:host"]
        assert host in {p["name"] for p in pools}
        assert host.endswith(f"#{backend[v['volume_type']]}")


@pytest.mark.parametrize("pool", ["zw-prod", "dr-test"])
def test_per_type_quota_usage_equals_volumes_by_type(
    api: Api, clouds_yaml: Path, pool: str
) -> None:
    volumes = all_volumes(api, "")
    pool_of = {p.id: p.pool_code for p in api.sandbox.estate.projects}
    counts = Counter(v["os-vol-tenant-attr:tenant_id"] for v in volumes
                     if pool_of[v["os-vol-tenant-attr:tenant_id"]] == pool)  # fmt: skip
    project = counts.most_common(1)[0][0]
    mine = [v for v in volumes if v["os-vol-tenant-attr:tenant_id"] == project]
    body = api.get(vol_url(api, f"os-quota-sets/{project}?usage=true")).json()["quota_set"]
    used_types = {v["volume_type"] for v in mine}
    assert used_types == ({"ssd", "sata"} if pool == "zw-prod" else {"dr-sata"})
    for vtype in ("ssd", "sata", "dr-sata"):
        typed = [v for v in mine if v["volume_type"] == vtype]
        assert body[f"volumes_{vtype}"]["in_use"] == len(typed)
        assert body[f"gigabytes_{vtype}"]["in_use"] == sum(v["size"] for v in typed)
    assert body["gigabytes"]["in_use"] == sum(v["size"] for v in mine)
    assert set(body) >= {"snapshots", "backups", "backup_gigabytes", "snapshots_ssd"}
    snaps = api.get(vol_url(api, f"snapshots/detail?all_tenants=1&project_id={project}"))
    assert body["snapshots"]["in_use"] == len(snaps.json()["snapshots"])
    conn = connect(clouds_yaml)
    sdk = conn.block_storage.get_quota_set(project, usage=True)
    assert sdk.usage["gigabytes"] == body["gigabytes"]["in_use"]


def test_quota_update_takes_type_keys_and_refuses_unknown_ones(api: Api) -> None:
    project = api.sandbox.estate.projects[1].id
    url = vol_url(api, f"os-quota-sets/{project}")
    ok = api.put(url, {"quota_set": {"gigabytes_sata": 99999, "snapshots_ssd": 40}})
    assert ok.status_code == 200
    assert ok.json()["quota_set"]["gigabytes_sata"] == 99999
    bad = api.put(url, {"quota_set": {"gigabytes_gold": 10}})
    assert bad.status_code == 400
    assert bad.json()["badRequest"]["message"] == "Bad key(s) in quota set: gigabytes_gold"


def test_backups_listing(api: Api) -> None:
    e = api.sandbox.estate
    body = api.get(vol_url(api, "backups/detail?all_tenants=1")).json()
    in_region = [b for b in e.backups if e.projects[b.project].region == "zw-region"]
    assert len(body["backups"]) == len(in_region) > 0
    one = body["backups"][0]
    assert set(one) >= {"id", "status", "size", "volume_id", "created_at"}
    page = api.get(vol_url(api, "backups/detail?all_tenants=1&limit=2")).json()
    assert len(page["backups"]) == 2
    assert page["backups_links"][0]["rel"] == "next"
    own = api.get(vol_url(api, "backups/detail")).json()["backups"]
    assert own == []  # the admin project has no volumes


def test_volumes_filter_on_updated_at_since_3_60(api: Api) -> None:
    volumes = all_volumes(api, "")
    cut = sorted(v["updated_at"] for v in volumes)[len(volumes) // 2]
    recent = all_volumes(api, f"updated_at=gte:{cut}", **V360)
    assert recent
    assert len(recent) < len(volumes)
    assert all(v["updated_at"] >= cut for v in recent)
    assert len(all_volumes(api, f"updated_at=gte:{cut}")) == len(volumes)  # ignored before 3.60
    # Cinder has no changes-since: as an administrator's filter it matches nothing
    assert all_volumes(api, "changes-since=2000-01-01T00:00:00") == []
    bad = api.get(vol_url(api, "volumes/detail?all_tenants=1&updated_at=gte:soon"), **V360)
    assert bad.status_code == 400


def test_volume_summary_counts_what_the_listing_lists(api: Api) -> None:
    """`GET /volumes/summary` (3.12): the count and GiB of the volumes the same caller lists,
    the region's for an administrator's `all_tenants`; metadata from 3.36; no route below."""
    volumes = all_volumes(api, "")
    url = vol_url(api, "volumes/summary?all_tenants=1")
    summary = api.get(url, **{"OpenStack-API-Version": "volume 3.12"}).json()
    expected = {"total_count": len(volumes), "total_size": sum(v["size"] for v in volumes)}
    assert summary == {"volume-summary": expected}
    assert len(volumes) > 0
    assert api.get(url, **V360).json() == {"volume-summary": {**expected, "metadata": {}}}
    own = api.get(vol_url(api, "volumes/summary"), **V360).json()["volume-summary"]
    assert own["total_count"] < len(volumes)  # the admin project's own: none
    old = api.get(url, **{"OpenStack-API-Version": "volume 3.11"})
    assert (old.status_code, old.json()) == (
        404, {"itemNotFound": {"code": 404, "message": "The resource could not be found."}},
    )  # fmt: skip


def test_touch_servers_stamps_the_volumes_it_detaches(inventory: Any) -> None:
    """A deleted server's volumes are detached at the deletion and carry its time as their
    `updated_at` (as Cinder stamps a detach), so `updated_at=gte:` lists them."""
    from datetime import UTC, datetime, timedelta

    seeded = datetime(2026, 6, 1, tzinfo=UTC)
    later = seeded + timedelta(hours=5)
    with Sandbox.start(inventory, size=400, seed=3, now=seeded) as sb, requests.Session() as s:
        api = Api(sb, issue_token(sb, s), s)
        since = (later - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
        attached = {v["id"]: v for v in all_volumes(api, "", **V360) if v["attachments"]}
        assert all_volumes(api, f"updated_at=gte:{since}", **V360) == []
        touched = sb.touch_servers(0.3, later, deleted_share=1.0)
        gone = set(touched.deleted)
        detached = {i for i, v in attached.items() if v["attachments"][0]["server_id"] in gone}
        assert detached
        fresh = {v["id"]: v for v in all_volumes(api, f"updated_at=gte:{since}", **V360)}
        assert set(fresh) == detached
        assert all(v["attachments"] == [] and v["status"] == "available" for v in fresh.values())
