"""Differential test: the sandbox and a real OpenStack give the same shapes for the same calls.

Compares what clients depend on — keys of a server in `servers/detail`, pagination links, error
bodies for 404 and 401, microversion headers and 406 — not values. Skips without the lab.
"""

from __future__ import annotations

import io
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from govcloud.sandbox import Sandbox
from govcloud.services.inventory import read_inventory
from tests.sandbox.conftest import connect
from tests.services.oslab import OsLab

# openstacksdk 4.x warns about its own internal calls (RemovedInSDK50/60Warning)
pytestmark = pytest.mark.filterwarnings("ignore::openstack.warnings._RemovedInSDKWarning")
EXAMPLE = Path(__file__).resolve().parents[2] / "inventory" / "example"
WAIT = 180
MISSING = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Cloud:
    """One side of the comparison: a token and the public endpoints of its catalog."""

    token: str
    compute: str
    volume: str
    placement: str
    project_id: str
    network: str = ""

    def get(self, url: str, version: str | None = None, token: bool = True) -> requests.Response:
        headers = {"Accept": "application/json"}
        if token:
            headers["X-Auth-Token"] = self.token
        if version:
            headers["OpenStack-API-Version"] = version
        return requests.get(url, headers=headers, timeout=60)


def _cloud(conn: Any) -> Cloud:
    def endpoint(service_type: str) -> str:
        return str(conn.session.get_endpoint(service_type=service_type, interface="public")).rstrip(
            "/"
        )

    return Cloud(
        conn.auth_token, endpoint("compute"), endpoint("block-storage"), endpoint("placement"),
        conn.current_project_id, endpoint("network"),
    )  # fmt: skip


@pytest.fixture(scope="module")
def lab(oslab: OsLab) -> Iterator[Cloud]:
    """The lab with one fake server, so that listings are not empty."""
    conn = oslab.connect()
    suffix = uuid.uuid4().hex[:8]
    flavor = conn.compute.create_flavor(name=f"diff-{suffix}", vcpus=1, ram=256, disk=1)
    image = conn.image.create_image(
        name=f"diff-{suffix}", data=io.BytesIO(b"\0" * 65536), disk_format="raw",
        container_format="bare", visibility="public",
    )  # fmt: skip
    servers = [
        conn.compute.create_server(
            name=f"diff-{suffix}-{i}", flavor_id=flavor.id, image_id=image.id, networks="none"
        )
        for i in range(2)
    ]
    fip = None
    try:
        for server in servers:
            conn.compute.wait_for_server(server, status="ACTIVE", failures=["ERROR"], wait=WAIT)
        # an unassociated floating IP, so that the listing has a body to compare
        fip = conn.network.create_ip(floating_network_id=oslab.public_network_id)
        yield _cloud(conn)
    finally:
        if fip is not None:
            conn.network.delete_ip(fip, ignore_missing=True)
        for server in servers:
            conn.compute.delete_server(server, ignore_missing=True)
        for server in servers:
            conn.compute.wait_for_delete(server, wait=WAIT)
        conn.image.delete_image(image)
        conn.compute.delete_flavor(flavor)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    with Sandbox.start(read_inventory(EXAMPLE), size=200) as sb:
        clouds = sb.write_clouds_yaml(tmp_path_factory.mktemp("sb") / "clouds.yaml")
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Support for InfluxDB requires")
            yield _cloud(connect(clouds))


def _first_server(cloud: Cloud, version: str) -> dict[str, Any]:
    r = cloud.get(f"{cloud.compute}/servers/detail?all_tenants=1&limit=1", version)
    assert r.status_code == 200, r.text
    return dict(r.json()["servers"][0])


@pytest.mark.parametrize("version", ["compute 2.1", "compute 2.47", "compute 2.96"])
def test_server_detail_keys(lab: Cloud, sandbox: Cloud, version: str) -> None:
    ours, theirs = _first_server(sandbox, version), _first_server(lab, version)
    # "fault" appears only on ERROR servers (the lab's are ACTIVE); Nova lists
    # "security_groups" only for servers with ports (the lab's have networks="none")
    ignored = {"fault"} | ({"security_groups"} if not theirs["addresses"] else set())
    assert set(ours) - ignored == set(theirs) - ignored
    assert set(ours["flavor"]) == set(theirs["flavor"])


def test_pagination_links(lab: Cloud, sandbox: Cloud) -> None:
    for cloud in (lab, sandbox):
        body = cloud.get(f"{cloud.compute}/servers/detail?all_tenants=1&limit=1").json()
        (link,) = body["servers_links"]
        assert link["rel"] == "next"
        assert "limit=1" in link["href"]
        assert f"marker={body['servers'][0]['id']}" in link["href"]


def test_not_found_bodies(lab: Cloud, sandbox: Cloud) -> None:
    def shapes(cloud: Cloud) -> list[tuple[int, Any]]:
        calls = [
            cloud.get(f"{cloud.compute}/servers/{MISSING}"),
            cloud.get(f"{cloud.volume}/volumes/{MISSING}"),
            cloud.get(f"{cloud.placement}/resource_providers/{MISSING}", "placement 1.39"),
        ]
        return [(r.status_code, _shape(r.json())) for r in calls]

    assert shapes(sandbox) == shapes(lab)


def test_unauthenticated_bodies_and_header(lab: Cloud, sandbox: Cloud) -> None:
    for cloud in (lab, sandbox):
        r = cloud.get(f"{cloud.compute}/servers/detail", token=False)
        assert r.status_code == 401
        assert set(r.json()["error"]) == {"code", "message", "title"}
        assert r.headers["WWW-Authenticate"].startswith("Keystone uri=")


def test_microversion_headers_and_406(lab: Cloud, sandbox: Cloud) -> None:
    for cloud in (lab, sandbox):
        r = cloud.get(f"{cloud.compute}/flavors", "compute 2.60")
        assert r.headers["OpenStack-API-Version"] == "compute 2.60"
        assert r.headers["X-OpenStack-Nova-API-Version"] == "2.60"
        r = cloud.get(f"{cloud.compute}/flavors", "compute 2.999")
        assert r.status_code == 406
        r = cloud.get(f"{cloud.placement}/resource_providers", "placement 1.10")
        assert r.headers["OpenStack-API-Version"] == "placement 1.10"


# Storage and networking (issue 8): what sync reads, compared by keys, links and error bodies.
# The sandbox's internet-zone region holds the floating IPs.


def _sandbox_region(url: str) -> str:
    return url.replace("/r/zw-region/", "/r/hlw-region/")


def _first(cloud: Cloud, url: str, key: str, version: str | None = None) -> dict[str, Any]:
    r = cloud.get(url, version)
    assert r.status_code == 200, r.text
    items = r.json()[key]
    assert items, f"{url}: empty {key}"
    return dict(items[0])


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("ports?limit=1", "ports"),
        ("networks", "networks"),
        ("subnets", "subnets"),
        ("floatingips", "floatingips"),
        ("security-groups", "security_groups"),
        ("security-group-rules", "security_group_rules"),
    ],
)
def test_neutron_listing_keys(lab: Cloud, sandbox: Cloud, path: str, key: str) -> None:
    theirs = _first(lab, f"{lab.network}/v2.0/{path}", key)
    ours = _first(sandbox, _sandbox_region(f"{sandbox.network}/v2.0/{path}"), key)
    if key == "networks":  # external networks carry more keys: compare like with like
        for external in (True, False):
            assert set(_network(sandbox, external)) == set(_network(lab, external))
        ours, theirs = _network(sandbox, False), _network(lab, False)
    assert set(ours) == set(theirs)

    # types of scalar values (nested ones differ with content: the lab's FIP is unassociated)
    scalars = {k for k in theirs if not isinstance(theirs[k], list | dict)}
    assert {
        k: _shape(ours[k]) for k in scalars if ours[k] is not None and theirs[k] is not None
    } == {k: _shape(theirs[k]) for k in scalars if ours[k] is not None and theirs[k] is not None}
    if key == "security_groups":
        assert set(ours["security_group_rules"][0]) == set(theirs["security_group_rules"][0])


def _network(cloud: Cloud, external: bool) -> dict[str, Any]:
    """The first network of CLOUD that is external (or not)."""
    url = _sandbox_region(f"{cloud.network}/v2.0/networks")
    r = cloud.get(url)
    assert r.status_code == 200, r.text
    same = [n for n in r.json()["networks"] if n["router:external"] is external]
    assert same, f"{url}: no network with router:external={external}"
    return dict(same[0])


def test_neutron_links(lab: Cloud, sandbox: Cloud) -> None:
    for cloud in (lab, sandbox):
        body = cloud.get(f"{cloud.network}/v2.0/ports?limit=1").json()
        assert [x["rel"] for x in body["ports_links"]] == ["next", "previous"]
        assert f"marker={body['ports'][0]['id']}" in body["ports_links"][0]["href"]
        empty = cloud.get(f"{cloud.network}/v2.0/ports?device_id=nothing&limit=2").json()
        assert empty["ports"] == []
        assert [x["rel"] for x in empty["ports_links"]] == ["previous"]
        lost = cloud.get(f"{cloud.network}/v2.0/ports?limit=1&marker={MISSING}")
        assert lost.json()["NeutronError"]["type"] == "PortNotFound"
        url = _sandbox_region(f"{cloud.network}/v2.0/floatingips?limit=1&marker={MISSING}")
        fips = cloud.get(url).json()
        assert len(fips["floatingips"]) == 1  # floating IPs ignore the marker


def test_neutron_error_bodies(lab: Cloud, sandbox: Cloud) -> None:
    def bodies(cloud: Cloud) -> list[tuple[int, Any]]:
        paths = [f"ports/{MISSING}", f"networks/{MISSING}", f"floatingips/{MISSING}",
                 f"security-groups/{MISSING}", "ports?limit=abc", "ports?colour=blue",
                 "ports?changed_since=2020-01-01T00:00:00", "nothing"]  # fmt: skip
        calls = [cloud.get(f"{cloud.network}/v2.0/{p}") for p in paths]
        return [(r.status_code, r.json()) for r in calls]

    assert bodies(sandbox) == bodies(lab)


def test_quota_detail_shapes(lab: Cloud, sandbox: Cloud) -> None:
    def shapes(cloud: Cloud) -> list[Any]:
        pid = cloud.project_id
        nova = cloud.get(f"{cloud.compute}/os-quota-sets/{pid}/detail").json()["quota_set"]
        cinder = cloud.get(f"{cloud.volume}/os-quota-sets/{pid}?usage=true").json()["quota_set"]
        neutron = cloud.get(f"{cloud.network}/v2.0/quotas/{pid}/details").json()["quota"]
        # per-type Cinder keys name each cloud's own types; compare the untyped ones and one
        typed = ("gigabytes_", "volumes_", "snapshots_")
        untyped = {k: v for k, v in cinder.items() if not k.startswith(typed)}
        return [_shape(nova), _shape(untyped), _shape(cinder["gigabytes_ssd"]), _shape(neutron)]

    assert shapes(sandbox) == shapes(lab)


def test_volume_types_and_pools(lab: Cloud, sandbox: Cloud) -> None:
    def shapes(cloud: Cloud) -> list[Any]:
        types = cloud.get(f"{cloud.volume}/types").json()["volume_types"]
        default = cloud.get(f"{cloud.volume}/types/default").json()["volume_type"]
        pools = cloud.get(f"{cloud.volume}/scheduler-stats/get_pools?detail=True").json()["pools"]
        brief = cloud.get(f"{cloud.volume}/scheduler-stats/get_pools").json()["pools"]
        missing = cloud.get(f"{cloud.volume}/types/{MISSING}")
        return [
            sorted(set(types[0])), sorted(set(default)), sorted({t["name"] for t in types} & {
                "ssd", "sata", "__DEFAULT__"}), sorted(set(pools[0])),
            [set(p) for p in brief][:1], (missing.status_code, missing.json()),
        ]  # fmt: skip

    assert shapes(sandbox) == shapes(lab)
    # drivers differ in what else they report; the sandbox has all the lab's driver reports
    ours, theirs = (
        c.get(f"{c.volume}/scheduler-stats/get_pools?detail=True").json()["pools"][0]
        for c in (sandbox, lab)
    )
    assert set(ours["capabilities"]) >= set(theirs["capabilities"])
    # the lab's driver reports the ratio as a number; Cinder's option is a string ("auto")
    pool = sandbox.get(f"{sandbox.volume}/scheduler-stats/get_pools?detail=True").json()["pools"]
    assert isinstance(pool[0]["capabilities"]["max_over_subscription_ratio"], str)


def test_changes_since_errors(lab: Cloud, sandbox: Cloud) -> None:
    def bodies(cloud: Cloud) -> list[tuple[int, Any]]:
        r = cloud.get(f"{cloud.compute}/servers/detail?changes-since=garbage")
        v = cloud.get(f"{cloud.volume}/volumes/detail?updated_at=gte:garbage", "volume 3.60")
        return [(r.status_code, r.json()), (v.status_code, v.json())]

    assert bodies(sandbox) == bodies(lab)


def _shape(value: Any) -> Any:
    """Keys and types, recursively; values dropped."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


def _one_value(mapping: dict[str, Any]) -> Any:
    """A map keyed by UUIDs (consumers, providers), as the shape of one of its values."""
    assert mapping, "no allocations to compare"
    return _shape(next(iter(mapping.values())))


def test_placement_allocation_shapes(lab: Cloud, sandbox: Cloud) -> None:
    """What the reader takes for Placement's truth: a provider's consumers and a consumer's
    providers, at the microversions where their bodies change."""

    def shapes(cloud: Cloud) -> list[Any]:
        url = f"{cloud.placement}/resource_providers"
        providers = cloud.get(url, "placement 1.39").json()["resource_providers"]
        held = None
        for rp in providers:
            body = cloud.get(f"{url}/{rp['uuid']}/allocations", "placement 1.39").json()
            if body["allocations"]:
                held = rp["uuid"]
                break
        assert held is not None, "no provider holds an allocation"
        out: list[Any] = []
        for version in ("1.0", "1.28", "1.39"):
            body = cloud.get(f"{url}/{held}/allocations", f"placement {version}").json()
            out.append((sorted(body), _one_value(body["allocations"])))
        consumer = next(iter(body["allocations"]))
        for version in ("1.0", "1.12", "1.28", "1.38", "1.39"):
            mine = cloud.get(f"{cloud.placement}/allocations/{consumer}", f"placement {version}")
            assert mine.status_code == 200
            body = mine.json()
            out.append((sorted(body), _one_value(body["allocations"])))
            out.append({k: _shape(v) for k, v in body.items() if k != "allocations"})
        unknown = cloud.get(f"{cloud.placement}/allocations/{MISSING}", "placement 1.39")
        missing = cloud.get(f"{url}/{MISSING}/allocations", "placement 1.39")
        out.append((unknown.status_code, unknown.json()))
        out.append((missing.status_code, _shape(missing.json())))
        return out

    assert shapes(sandbox) == shapes(lab)


def test_placement_allocations_add_up_to_usages(lab: Cloud, sandbox: Cloud) -> None:
    """On both clouds a provider's usages are the sum of its consumers' allocations."""
    for cloud in (lab, sandbox):
        url = f"{cloud.placement}/resource_providers"
        for rp in cloud.get(url, "placement 1.39").json()["resource_providers"]:
            body = cloud.get(f"{url}/{rp['uuid']}/allocations", "placement 1.39").json()
            usages = cloud.get(f"{url}/{rp['uuid']}/usages", "placement 1.39").json()["usages"]
            totals: dict[str, int] = {}
            for consumer in body["allocations"].values():
                for rc, amount in consumer["resources"].items():
                    totals[rc] = totals.get(rc, 0) + amount
            assert {k: v for k, v in usages.items() if v} == totals, rp["name"]


def test_placement_inventories_usages_and_aggregates(lab: Cloud, sandbox: Cloud) -> None:
    """What capacity is built from: a provider's inventories and usages, its aggregates, the
    project usages, and Nova's aggregates with their hosts and zone (at the microversion the
    reader asks for)."""

    def shapes(cloud: Cloud) -> list[Any]:
        url = f"{cloud.placement}/resource_providers"
        rp = cloud.get(url, "placement 1.3").json()["resource_providers"][0]["uuid"]
        inventories = cloud.get(f"{url}/{rp}/inventories").json()
        usages = cloud.get(f"{url}/{rp}/usages").json()
        member = cloud.get(f"{url}/{rp}/aggregates", "placement 1.19").json()
        project = cloud.get(
            f"{cloud.placement}/usages?project_id={cloud.project_id}", "placement 1.9"
        ).json()
        aggregates = cloud.get(f"{cloud.compute}/os-aggregates", "compute 2.41").json()
        with_zone = [a for a in aggregates["aggregates"] if a.get("availability_zone")]
        return [
            sorted(inventories), _shape(inventories["inventories"]["VCPU"]),
            sorted(usages), sorted(member), sorted(project),
            _shape(with_zone[0]) if with_zone else None,
        ]  # fmt: skip

    assert shapes(sandbox) == shapes(lab)


def test_volume_detail_keys(lab: Cloud, sandbox: Cloud) -> None:
    """Keys of a volume in `volumes/detail` as an admin lists every project's: the lab may
    have no volume of its own, so one is made and removed here."""
    created = requests.post(
        f"{lab.volume}/volumes",
        json={"volume": {"size": 1, "name": f"diff-{uuid.uuid4().hex[:8]}"}},
        headers={"X-Auth-Token": lab.token, "Accept": "application/json"},
        timeout=60,
    )
    assert created.status_code == 202, created.text
    volume_id = created.json()["volume"]["id"]
    try:

        def keys(cloud: Cloud) -> set[str]:
            r = cloud.get(f"{cloud.volume}/volumes/detail?all_tenants=1&limit=1", "volume 3.60")
            assert r.status_code == 200, r.text
            return set(r.json()["volumes"][0])

        # the sandbox answers with the keys the reader and openstacksdk read; every one of them
        # is a key the real Cinder sends
        assert keys(sandbox) <= keys(lab)
        read = {"id", "size", "status", "attachments", "volume_type", "availability_zone"}
        read |= {"os-vol-tenant-attr:tenant_id", "updated_at", "bootable"}
        assert read <= keys(sandbox)
    finally:
        for _ in range(60):
            gone = requests.delete(
                f"{lab.volume}/volumes/{volume_id}",
                headers={"X-Auth-Token": lab.token},
                timeout=60,
            )
            if gone.status_code in (202, 404):
                break
            time.sleep(1)


def test_volume_summary(lab: Cloud, sandbox: Cloud) -> None:
    """`GET /volumes/summary?all_tenants=1`, which an incremental sync counts volumes with:
    the same keys and types at 3.12 and 3.36 (metadata), the same 404 below 3.12."""

    def answers(cloud: Cloud) -> list[Any]:
        url = f"{cloud.volume}/volumes/summary?all_tenants=1"
        out: list[Any] = []
        for version in ("volume 3.11", "volume 3.12", "volume 3.36", "volume 3.60"):
            r = cloud.get(url, version)
            body = r.json()
            out.append((r.status_code, body if r.status_code != 200 else _shape(body)))
        return out

    assert answers(sandbox) == answers(lab)
    assert answers(lab)[1] == (200, {"volume-summary": {"total_count": "int", "total_size": "int"}})
