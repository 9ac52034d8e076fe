"""The sandbox's Neutron over HTTP: shapes, paging, filters, quotas with usage, errors; through
openstacksdk where it has the call and raw HTTP for exact bodies and links."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from govcloud.sandbox import Faults, Sandbox
from govcloud.sandbox.estate import NETWORK_QUOTA_DEFAULTS
from tests.sandbox.conftest import Api, connect, issue_token

pytestmark = pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK50Warning")
HLW = "hlw-region"


@pytest.fixture(autouse=True)
def clean_faults(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.set_faults(Faults())


def net_url(api: Api, path: str, region: str = HLW) -> str:
    return api.url("network", f"/v2.0/{path}", region)


def all_pages(api: Api, url: str, collection: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while url:
        r = api.get(url)
        assert r.status_code == 200, r.text
        body = r.json()
        items += body[collection]
        links = body.get(f"{collection}_links", [])
        url = next((x["href"] for x in links if x["rel"] == "next"), "")
    return items


def server_addresses(api: Api, region: str) -> dict[str, str]:
    """server id -> its fixed address, as Nova's listing shows it."""
    url = api.url("compute", "/v2.1/servers/detail?all_tenants=1", region)
    found = {}
    for s in all_pages(api, url, "servers"):
        for addrs in s["addresses"].values():
            found[s["id"]] = addrs[0]["addr"]
    return found


def test_versions_document_and_catalog_entry(api: Api, sandbox: Sandbox) -> None:
    root = requests.get(api.url("network", "/", HLW), timeout=30).json()
    assert root["versions"][0]["id"] == "v2.0"
    assert root["versions"][0]["links"][0]["href"].endswith("/network/v2.0/")
    catalog = sandbox.identity.catalog(sandbox.identity.admin_project_id)
    assert "network" in {s["type"] for s in catalog}
    sandbox.set_faults(Faults(no_network=True))
    catalog = sandbox.identity.catalog(sandbox.identity.admin_project_id)
    assert "network" not in {s["type"] for s in catalog}
    assert api.get(net_url(api, "ports")).status_code == 404


def test_every_server_port_holds_the_address_nova_shows(api: Api) -> None:
    for region in ("zw-region", HLW):
        ports = all_pages(api, net_url(api, "ports?limit=50", region), "ports")
        assert len({p["id"] for p in ports}) == len(ports)
        by_device = {p["device_id"]: p for p in ports if p["device_owner"].startswith("compute:")}
        nova = server_addresses(api, region)
        assert nova
        assert set(by_device) == set(nova)
        for server_id, address in nova.items():
            assert by_device[server_id]["fixed_ips"][0]["ip_address"] == address
        one = ports[0]
        assert set(one) >= {"id", "device_id", "device_owner", "project_id", "network_id",
                            "fixed_ips", "security_groups", "status", "mac_address",
                            "created_at", "updated_at", "binding:host_id"}  # fmt: skip
        assert {"network:dhcp"} <= {p["device_owner"] for p in ports}


def test_port_filters_and_links(api: Api) -> None:
    ports = api.get(net_url(api, "ports")).json()["ports"]
    server_port = next(p for p in ports if p["device_owner"].startswith("compute:"))
    by_device = api.get(net_url(api, f"ports?device_id={server_port['device_id']}")).json()
    assert [p["id"] for p in by_device["ports"]] == [server_port["id"]]
    project = server_port["project_id"]
    mine = api.get(net_url(api, f"ports?project_id={project}")).json()["ports"]
    assert mine
    assert {p["project_id"] for p in mine} == {project}
    assert {p["network_id"] for p in mine} == {server_port["network_id"]}
    fields = api.get(net_url(api, "ports?fields=id&fields=device_id&limit=3")).json()
    assert [set(p) for p in fields["ports"]] == [{"id", "device_id"}] * 3
    first = api.get(net_url(api, "ports?limit=3")).json()
    # Neutron links a previous page whenever a limit is given, even from the first page
    assert [x["rel"] for x in first["ports_links"]] == ["next", "previous"]
    second = api.get(first["ports_links"][0]["href"]).json()
    assert [x["rel"] for x in second["ports_links"]] == ["next", "previous"]
    assert second["ports"][0]["id"] not in {p["id"] for p in first["ports"]}
    everything = api.get(net_url(api, f"ports?limit={len(ports)}")).json()
    # Neutron looks one row ahead: no next link to an empty page
    assert [x["rel"] for x in everything["ports_links"]] == ["previous"]


def test_errors_have_neutron_bodies(api: Api) -> None:
    bad = api.get(net_url(api, "ports?limit=abc"))
    assert bad.status_code == 400
    assert bad.json()["NeutronError"]["type"] == "BadRequest"
    unknown = api.get(net_url(api, "ports?colour=blue"))
    assert unknown.status_code == 400
    assert (
        unknown.json()["NeutronError"]["message"] == "['colour'] is invalid attribute for filtering"
    )
    # current Neutron rejects changed_since like any attribute a port lacks
    since = api.get(net_url(api, "ports?changed_since=2020-01-01T00:00:00"))
    assert since.status_code == 400
    missing = api.get(net_url(api, "ports/00000000-0000-4000-8000-000000000000"))
    assert missing.status_code == 404
    assert missing.json()["NeutronError"]["type"] == "PortNotFound"
    gone = api.get(net_url(api, "security-groups/00000000-0000-4000-8000-000000000000"))
    assert gone.json()["NeutronError"]["message"].endswith("does not exist")


def test_an_unknown_marker_as_neutron_treats_it(api: Api) -> None:
    unknown = "marker=00000000-0000-4000-8000-000000000000"
    first = api.get(net_url(api, "ports")).json()["ports"]
    ignored = api.get(net_url(api, f"ports?{unknown}"))  # no limit: no paging, marker unused
    assert ignored.json()["ports"] == first
    lost = api.get(net_url(api, f"ports?limit=2&{unknown}"))
    assert lost.status_code == 404
    assert lost.json()["NeutronError"]["type"] == "PortNotFound"
    fips = api.get(net_url(api, f"floatingips?limit=2&{unknown}"))
    assert fips.status_code == 200
    assert (
        fips.json()["floatingips"]
        == api.get(net_url(api, "floatingips?limit=2")).json()["floatingips"]
    )


def test_changed_since_narrows_ports_on_an_older_neutron(api: Api, sandbox: Sandbox) -> None:
    sandbox.set_faults(Faults(neutron_changed_since=True))
    ports = all_pages(api, net_url(api, "ports"), "ports")
    cut = sorted(p["updated_at"] for p in ports)[len(ports) // 2]
    recent = all_pages(api, net_url(api, f"ports?changed_since={cut}"), "ports")
    assert recent
    assert len(recent) < len(ports)
    assert all(p["updated_at"] >= cut for p in recent)
    bad = api.get(net_url(api, "ports?changed_since=yesterday"))
    assert bad.status_code == 400
    assert bad.json()["NeutronError"]["type"] == "InvalidInput"


def test_floating_ips_in_the_internet_zone(api: Api, sandbox: Sandbox) -> None:
    fips = api.get(net_url(api, "floatingips")).json()["floatingips"]
    assert fips
    assert api.get(net_url(api, "floatingips", "zw-region")).json()["floatingips"] == []
    associated = [f for f in fips if f["port_id"]]
    assert associated
    assert len(associated) < len(fips)
    ports = {p["id"]: p for p in all_pages(api, net_url(api, "ports"), "ports")}
    nets = {n["id"]: n for n in api.get(net_url(api, "networks")).json()["networks"]}
    for f in fips:
        assert nets[f["floating_network_id"]]["router:external"] is True
        if f["port_id"]:
            assert f["fixed_ip_address"] == ports[f["port_id"]]["fixed_ips"][0]["ip_address"]
            assert f["router_id"]
            assert f["status"] == "ACTIVE"
        else:
            assert f["fixed_ip_address"] is None
            assert f["status"] == "DOWN"


def test_security_groups_and_open_rules(api: Api) -> None:
    groups = api.get(net_url(api, "security-groups")).json()["security_groups"]
    rules = api.get(net_url(api, "security-group-rules")).json()["security_group_rules"]
    embedded = [r for g in groups for r in g["security_group_rules"]]
    assert sorted(r["id"] for r in embedded) == sorted(r["id"] for r in rules)
    open_ports = {r["port_range_min"] for r in rules if r["remote_ip_prefix"] == "0.0.0.0/0"}
    assert {22, 3389, 3306} & open_ports
    one = next(r for r in rules if r["remote_ip_prefix"] == "0.0.0.0/0")
    assert set(one) >= {"direction", "ethertype", "protocol", "port_range_min",
                        "port_range_max", "remote_ip_prefix", "remote_group_id"}  # fmt: skip
    ids = {g["id"] for g in groups}
    ports = all_pages(api, net_url(api, "ports"), "ports")
    assert all(set(p["security_groups"]) <= ids for p in ports)


def test_quota_details_count_the_estate(api: Api, clouds_yaml: Path) -> None:
    ports = all_pages(api, net_url(api, "ports"), "ports")
    project = next(p["project_id"] for p in ports if p["device_owner"].startswith("compute:"))
    body = api.get(net_url(api, f"quotas/{project}/details")).json()["quota"]
    assert set(body) >= set(NETWORK_QUOTA_DEFAULTS) - {"rbac_policy", "subnetpool"}
    assert all(set(v) == {"limit", "used", "reserved"} for v in body.values())
    assert body["port"]["used"] == sum(1 for p in ports if p["project_id"] == project)
    fips = api.get(net_url(api, f"floatingips?project_id={project}")).json()["floatingips"]
    assert body["floatingip"]["used"] == len(fips) <= body["floatingip"]["limit"]
    conn = connect(clouds_yaml, region=HLW)
    quota = conn.network.get_quota(project, details=True)
    assert quota.ports["used"] == body["port"]["used"]


def test_quota_update_validates_values(api: Api) -> None:
    project = api.sandbox.estate.projects[0].id
    url = net_url(api, f"quotas/{project}", api.sandbox.estate.projects[0].region)
    ok = api.put(url, {"quota": {"floatingip": 7, "port": -1}})
    assert ok.status_code == 200
    assert ok.json()["quota"]["floatingip"] == 7
    assert api.get(url).json()["quota"]["port"] == -1
    for bad in ({"floatingip": -2}, {"floatingip": "many"}, {"wormholes": 1}):
        r = api.put(url, {"quota": bad})
        assert r.status_code == 400, bad
        assert r.json()["NeutronError"]["message"]
    assert api.get(url).json()["quota"]["floatingip"] == 7  # nothing half-applied


def test_members_see_only_their_own_project(sandbox: Sandbox, api: Api) -> None:
    project = next(p for p in sandbox.estate.projects if p.department_code and p.region == HLW)
    user = f"{project.department_code}-ops"
    with requests.Session() as session:
        token = issue_token(sandbox, session, user, project.name, sandbox.identity.member_password)
        member = Api(sandbox, token, session)
        ports = member.get(net_url(member, "ports")).json()["ports"]
        assert ports
        assert {p["project_id"] for p in ports} == {project.id}
        other = next(p for p in sandbox.estate.projects if p.region == HLW and p != project)
        assert member.get(net_url(member, f"ports?project_id={other.id}")).json()["ports"] == []
        assert member.get(net_url(member, f"quotas/{other.id}/details")).status_code == 403
        assert member.put(net_url(member, f"quotas/{project.id}"),
                          {"quota": {"port": 1}}).status_code == 403  # fmt: skip


def test_extensions_and_sdk_listings(clouds_yaml: Path) -> None:
    conn = connect(clouds_yaml, region=HLW)
    aliases = {e.alias for e in conn.network.extensions()}
    assert {"quota_details", "standard-attr-timestamp", "router"} <= aliases
    ports = list(conn.network.ports())
    assert ports
    assert all(p.fixed_ips for p in ports)
    assert list(conn.network.ips())
    assert list(conn.network.security_groups())
    assert any(n.is_router_external for n in conn.network.networks())
    assert list(conn.network.subnets())
