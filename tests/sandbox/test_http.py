"""Raw HTTP: bodies, headers and error shapes as the API references give them."""

from __future__ import annotations

import requests

from govcloud.sandbox import Sandbox
from tests.sandbox.conftest import Api, issue_token, password_auth


def test_version_documents_need_no_token(sandbox: Sandbox) -> None:
    base = sandbox.base_url
    nova = requests.get(f"{base}/r/zw-region/compute/v2.1/", timeout=10).json()
    assert nova["version"]["version"] == "2.96"
    assert nova["version"]["min_version"] == "2.1"
    placement = requests.get(f"{base}/r/zw-region/placement", timeout=10).json()
    assert placement["versions"][0]["max_version"] == "1.39"
    keystone = requests.get(sandbox.auth_url, timeout=10).json()
    assert keystone["version"]["id"].startswith("v3")


def test_bad_password_is_401_with_keystone_error_body(sandbox: Sandbox) -> None:
    r = requests.post(
        f"{sandbox.auth_url}/auth/tokens", json=password_auth("admin", "wrong", "admin"), timeout=10
    )
    assert r.status_code == 401
    assert r.json() == {
        "error": {
            "code": 401,
            "message": "The request you have made requires authentication.",
            "title": "Unauthorized",
        }
    }


def test_token_validate_and_catalog(api: Api) -> None:
    r = api.get(f"{api.sandbox.auth_url}/auth/tokens", **{"X-Subject-Token": api.token})
    assert r.status_code == 200
    assert r.headers["X-Subject-Token"] == api.token
    token = r.json()["token"]
    types = {s["type"] for s in token["catalog"]}
    assert {"compute", "volumev3", "block-storage", "placement", "identity"} <= types
    compute = next(s for s in token["catalog"] if s["type"] == "compute")
    assert {(e["region_id"], e["interface"]) for e in compute["endpoints"]} == {
        (r, i) for r in api.sandbox.estate.regions for i in ("public", "internal", "admin")
    }
    assert {r["name"] for r in token["roles"]} >= {"admin"}


def test_missing_token_is_401_with_www_authenticate(sandbox: Sandbox) -> None:
    r = requests.get(f"{sandbox.base_url}/r/zw-region/compute/v2.1/servers/detail", timeout=10)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == 401
    assert r.headers["WWW-Authenticate"].startswith("Keystone uri=")


def test_microversion_echo_and_406(api: Api) -> None:
    url = api.url("compute", "/v2.1/flavors")
    r = api.get(url, **{"OpenStack-API-Version": "compute 2.60"})
    assert r.headers["OpenStack-API-Version"] == "compute 2.60"
    assert r.headers["X-OpenStack-Nova-API-Version"] == "2.60"
    r = api.get(url, **{"X-OpenStack-Nova-API-Version": "2.97"})
    assert r.status_code == 406
    assert "maximum is 2.96" in r.json()["computeFault"]["message"]
    r = api.get(
        api.url("placement", "/resource_providers"), **{"OpenStack-API-Version": "placement 1.40"}
    )
    assert r.status_code == 406
    assert r.json()["errors"][0]["status"] == 406


def test_server_detail_flavor_shape_depends_on_microversion(api: Api) -> None:
    url = api.url("compute", "/v2.1/servers/detail?all_tenants=1&limit=1")
    old = api.get(url, **{"OpenStack-API-Version": "compute 2.46"}).json()["servers"][0]
    assert set(old["flavor"]) == {"id", "links"}
    new = api.get(url, **{"OpenStack-API-Version": "compute 2.96"}).json()["servers"][0]
    assert set(new["flavor"]) == {
        "vcpus",
        "ram",
        "disk",
        "ephemeral",
        "swap",
        "original_name",
        "extra_specs",
    }
    assert "pinned_availability_zone" in new
    assert "pinned_availability_zone" not in old


def test_servers_pagination_links_cover_the_region_once(api: Api) -> None:
    e = api.sandbox.estate
    url = api.url("compute", "/v2.1/servers?all_tenants=True&limit=500")
    seen: list[str] = []
    while url:
        body = api.get(url).json()
        seen += [s["id"] for s in body["servers"]]
        links = body.get("servers_links", [])
        url = links[0]["href"] if links else ""
    assert len(seen) == len(set(seen)) == len(e.region_servers["zw-region"])


def test_server_404_and_bad_marker_400(api: Api) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    r = api.get(api.url("compute", f"/v2.1/servers/{missing}"))
    assert r.status_code == 404
    assert r.json() == {
        "itemNotFound": {"code": 404, "message": f"Instance {missing} could not be found."}
    }
    r = api.get(api.url("compute", f"/v2.1/servers/detail?marker={missing}"))
    assert r.status_code == 400
    assert "badRequest" in r.json()


def test_nova_quota_put_below_usage_is_400_and_valid_put_sticks(api: Api) -> None:
    e = api.sandbox.estate
    project = next(p for p in e.projects if p.region == "zw-region" and p.department_code)
    url = api.url("compute", f"/v2.1/os-quota-sets/{project.id}")
    detail = api.get(f"{url}/detail", **{"OpenStack-API-Version": "compute 2.96"}).json()[
        "quota_set"
    ]
    used = detail["cores"]["in_use"]
    assert used > 0
    assert set(detail["cores"]) == {"in_use", "limit", "reserved"}
    r = api.put(url, {"quota_set": {"cores": used - 1}})
    assert r.status_code == 400
    assert (
        "must be greater than or equal to already used and reserved"
        in r.json()["badRequest"]["message"]
    )
    r = api.put(url, {"quota_set": {"cores": used + 7, "force": False}})
    assert r.status_code == 200
    assert r.json()["quota_set"]["cores"] == used + 7
    assert api.get(url).json()["quota_set"]["cores"] == used + 7


def test_cinder_quota_usage_and_put_guard(api: Api) -> None:
    e = api.sandbox.estate
    project = next(p for p in e.projects if p.region == "hlw-region" and p.department_code)
    admin_project = api.sandbox.identity.admin_project_id
    base = api.url("volume", f"/v3/{admin_project}/os-quota-sets/{project.id}", region="hlw-region")
    q = api.get(f"{base}?usage=true").json()["quota_set"]
    assert q["volumes"]["in_use"] > 0
    r = api.put(base, {"quota_set": {"gigabytes": q["gigabytes"]["in_use"] - 1}})
    assert r.status_code == 400
    assert "Current usage is" in r.json()["badRequest"]["message"]


def test_member_sees_only_own_project_and_no_all_tenants(sandbox: Sandbox) -> None:
    member = next(u for u in sandbox.identity.users.values() if u.name != "admin")
    project = sandbox.identity.project_names[member.default_project_id]
    with requests.Session() as s:
        token = issue_token(sandbox, s, member.name, project, sandbox.identity.member_password)
        region = next(p.region for p in sandbox.estate.projects if p.name == project)
        url = f"{sandbox.base_url}/r/{region}/compute/v2.1/servers/detail"
        r = s.get(url, headers={"X-Auth-Token": token}, timeout=10)
        assert {x["tenant_id"] for x in r.json()["servers"]} <= {member.default_project_id}
        r = s.get(f"{url}?all_tenants=1", headers={"X-Auth-Token": token}, timeout=10)
        assert r.status_code == 403
        assert "forbidden" in r.json()


def test_hypervisor_capacity_fields_only_below_2_88(api: Api) -> None:
    url = api.url("compute", "/v2.1/os-hypervisors/detail")
    old = api.get(url, **{"OpenStack-API-Version": "compute 2.87"}).json()["hypervisors"][0]
    new = api.get(url, **{"OpenStack-API-Version": "compute 2.88"}).json()["hypervisors"][0]
    assert "vcpus" in old
    assert "memory_mb_used" in old
    assert "vcpus" not in new
    assert "uptime" in new


def test_placement_member_of_and_project_usages(api: Api) -> None:
    agg = next(a for a in api.sandbox.estate.aggregates)
    v = {"OpenStack-API-Version": "placement 1.39"}
    rps = api.get(api.url("placement", f"/resource_providers?member_of={agg.uuid}"), **v).json()
    assert {rp["name"] for rp in rps["resource_providers"]} == set(agg.hosts)
    project = next(p for p in api.sandbox.estate.projects if p.region == "zw-region")
    usages = api.get(api.url("placement", f"/usages?project_id={project.id}"), **v).json()["usages"]
    assert usages["INSTANCE"]["VCPU"] > 0


def test_simple_tenant_usage_paginates_from_2_40(api: Api) -> None:
    url = api.url("compute", "/v2.1/os-simple-tenant-usage?detailed=1&limit=5")
    r = api.get(url, **{"OpenStack-API-Version": "compute 2.40"}).json()
    assert sum(len(t["server_usages"]) for t in r["tenant_usages"]) == 5
    assert r["tenant_usages_links"][0]["rel"] == "next"


def test_templated_listing_matches_the_show_body(api: Api) -> None:
    """Listings render servers from per-layout templates; `servers/{id}` builds the dict."""
    e = api.sandbox.estate
    rows = e.region_servers["zw-region"]
    odd = [r for r in e.servers.odd_names if r in set(rows)]
    errors = [r for r in rows if e.servers.status[r] == 2][:1]
    for version in ("compute 2.1", "compute 2.47", "compute 2.96"):
        for row in [rows[-1], *odd, *errors]:
            marker = e.server_ids.of(rows[rows.index(row) + 1]) if row != rows[-1] else None
            query = "all_tenants=1&limit=1" + (f"&marker={marker}" if marker else "")
            listed = api.get(api.url("compute", f"/v2.1/servers/detail?{query}"), **{
                "OpenStack-API-Version": version}).json()["servers"][0]  # fmt: skip
            shown = api.get(api.url("compute", f"/v2.1/servers/{listed['id']}"), **{
                "OpenStack-API-Version": version}).json()["server"]  # fmt: skip
            shown.pop("server_groups", None)
            assert listed == shown
    assert any(e.server_name(r) == "[bold]x[/bold]" for r in odd)
