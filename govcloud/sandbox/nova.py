"""Nova (compute API v2.1, microversions 2.1-2.96): routing, flavors, quotas, limits."""

from __future__ import annotations

from typing import Any

from govcloud.sandbox import nova_hosts, nova_servers
from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import COMPUTE_QUOTA_DEFAULTS
from govcloud.sandbox.microversion import VersionRange
from govcloud.sandbox.paging import next_link, next_marker
from govcloud.sandbox.quotas import QuotaUpdateError, compute_usage, limits, validated_update
from govcloud.sandbox.wire import ApiError, Response, fault, json_response

VERSIONS = VersionRange("compute", (2, 1), (2, 96), "X-OpenStack-Nova-API-Version")
_LEGACY_QUOTA_KEYS = {
    (2, 36): ("fixed_ips", "floating_ips", "security_group_rules", "security_groups"),
    (2, 57): ("injected_file_content_bytes", "injected_file_path_bytes", "injected_files"),
}
_LEGACY_DEFAULTS = {
    "fixed_ips": -1, "floating_ips": 10, "security_group_rules": 20, "security_groups": 10,
    "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255, "injected_files": 5,
}  # fmt: skip


def version_doc(root_url: str) -> dict[str, Any]:
    return {
        "id": "v2.1",
        "status": "CURRENT",
        "version": VERSIONS.text(VERSIONS.maximum),
        "min_version": VERSIONS.text(VERSIONS.minimum),
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": f"{root_url}/v2.1/"}],
    }


def versions(root_url: str, parts: list[str]) -> Response | None:
    """Unauthenticated discovery documents, or None when `parts` is an API call."""
    if not parts:
        return json_response(200, {"versions": [version_doc(root_url)]})
    if parts == ["v2.1"]:
        doc = version_doc(root_url)
        doc["links"].append(
            {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}
        )
        doc["media-types"] = [
            {
                "base": "application/json",
                "type": "application/vnd.openstack.compute+json;version=2.1",
            }
        ]
        return json_response(200, {"version": doc})
    return None


def handle(call: Call, parts: list[str]) -> Response:
    """`parts`: path segments after `/v2.1`."""
    method, head = call.req.method, parts[0] if parts else ""
    if method == "GET" and parts == ["servers"]:
        return nova_servers.list_servers(call, detail=False)
    if method == "GET" and parts == ["servers", "detail"]:
        return nova_servers.list_servers(call, detail=True)
    if method == "GET" and head == "servers" and len(parts) == 2:
        return nova_servers.show_server(call, parts[1])
    if method == "GET" and parts[:1] == ["flavors"]:
        return _flavors(call, parts[1:])
    if head == "os-quota-sets" and len(parts) >= 2:
        return _quota_sets(call, parts[1], parts[2:])
    if method == "GET" and parts == ["limits"]:
        return _limits(call)
    if method == "GET" and head in nova_hosts.ROUTES:
        return nova_hosts.ROUTES[head](call, parts[1:])
    raise ApiError(fault(404, "The resource could not be found."))


def _flavor_body(call: Call, index: int) -> dict[str, Any]:
    f, v = call.estate.flavors[index], call.version
    body: dict[str, Any] = {
        "id": f.id,
        "name": f.name,
        "ram": f.ram_mib,
        "disk": f.disk_gib,
        "vcpus": f.vcpus,
        "links": [
            {"rel": "self", "href": f"{call.root_url}/v2.1/flavors/{f.id}"},
            {"rel": "bookmark", "href": f"{call.root_url}/flavors/{f.id}"},
        ],
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "OS-FLV-DISABLED:disabled": False,
        "swap": 0 if v >= (2, 75) else "",
        "rxtx_factor": 1.0,
        "os-flavor-access:is_public": True,
    }
    if v >= (2, 55):
        body["description"] = None
    if v >= (2, 61):
        body["extra_specs"] = dict(f.extra_specs)
    return body


def _flavors(call: Call, rest: list[str]) -> Response:
    flavors = call.estate.flavors
    if rest and rest[0] not in ("detail",):
        index = next((i for i, f in enumerate(flavors) if f.id == rest[0]), None)
        if index is None or len(rest) > 1:
            raise ApiError(fault(404, f"Flavor {rest[0]} could not be found."))
        return json_response(200, {"flavor": _flavor_body(call, index)})
    limit = call.page_limit(nova_servers.MAX_LIMIT)
    order = sorted(range(len(flavors)), key=lambda i: flavors[i].id)  # Nova sorts by flavorid
    marker = call.req.arg("marker")
    if marker is not None:
        if marker not in {f.id for f in flavors}:
            raise ApiError(fault(400, f"marker [{marker}] not found"))
        order = order[[flavors[i].id for i in order].index(marker) + 1 :]
    page = order[:limit]
    if rest:
        items = [_flavor_body(call, i) for i in page]
    else:
        items = [
            {
                k: b[k]
                for k in ("id", "name", "links")
                + (("description",) if call.version >= (2, 55) else ())
            }
            for b in (_flavor_body(call, i) for i in page)
        ]
    payload: dict[str, Any] = {"flavors": items}
    nxt = next_marker([flavors[i].id for i in page], limit, marker, call.page_faults)
    if nxt is not None:
        url = f"{call.root_url}/v2.1/flavors" + ("/detail" if rest else "")
        payload["flavors_links"] = [next_link(url, call.req.query, nxt)]
    return json_response(200, payload)


def quota_keys(version: tuple[int, int]) -> list[str]:
    keys = list(COMPUTE_QUOTA_DEFAULTS)
    for since, legacy in _LEGACY_QUOTA_KEYS.items():
        if version < since:
            keys.extend(legacy)
    return sorted(keys)


def _quota_sets(call: Call, project_id: str, rest: list[str]) -> Response:
    tok, method = call.token, call.req.method
    if not tok.is_admin and project_id != tok.project_id:
        action = "update" if method == "PUT" else "show"
        raise ApiError(
            fault(
                403, f"Policy doesn't allow os_compute_api:os-quota-sets:{action} to be performed."
            )
        )
    if project_id not in call.identity.project_names:
        raise ApiError(fault(400, f"Project ID {project_id} is not a valid project."))
    keys = quota_keys(call.version)
    key = (call.region, project_id)
    if method == "PUT" and not rest:
        if not tok.is_admin:
            raise ApiError(
                fault(
                    403, "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed."
                )
            )
        used = compute_usage(call.estate, call.region, project_id)
        message = (
            "Quota limit {limit} for {resource} must be greater than or equal to already "
            "used and reserved {minimum}."
        )
        try:
            changes = validated_update(call.req.json(), keys, used, message, ignored=("force",))
        except QuotaUpdateError as exc:
            raise ApiError(fault(400, str(exc))) from None
        with call.estate.lock:
            call.estate.compute_quota.setdefault(key, {}).update(changes)
        current = _current(call, project_id)
        return json_response(200, {"quota_set": {k: current[k] for k in keys}})
    if method != "GET" or rest not in ([], ["detail"], ["defaults"]):
        raise ApiError(fault(404, "The resource could not be found."))
    if rest == ["defaults"]:
        defaults = {**_LEGACY_DEFAULTS, **COMPUTE_QUOTA_DEFAULTS}
        return json_response(
            200, {"quota_set": {"id": project_id, **{k: defaults[k] for k in keys}}}
        )
    current = _current(call, project_id)
    if rest == ["detail"]:
        used = compute_usage(call.estate, call.region, project_id)
        detail = {k: {"in_use": used.get(k, 0), "limit": current[k], "reserved": 0} for k in keys}
        return json_response(200, {"quota_set": {"id": project_id, **detail}})
    return json_response(200, {"quota_set": {"id": project_id, **{k: current[k] for k in keys}}})


def _current(call: Call, project_id: str) -> dict[str, int]:
    with call.estate.lock:
        base = limits(call.estate.compute_quota, COMPUTE_QUOTA_DEFAULTS, call.region, project_id)
    return {**_LEGACY_DEFAULTS, **base}


def _limits(call: Call) -> Response:
    project_id = call.token.project_id
    wanted = call.req.arg("tenant_id")
    if wanted and call.token.is_admin:
        project_id = wanted
    q = _current(call, project_id)
    used = compute_usage(call.estate, call.region, project_id)
    absolute: dict[str, int] = {
        "maxImageMeta": q["metadata_items"],
        "maxServerMeta": q["metadata_items"],
        "maxTotalCores": q["cores"],
        "maxTotalInstances": q["instances"],
        "maxTotalKeypairs": q["key_pairs"],
        "maxTotalRAMSize": q["ram"],
        "maxServerGroups": q["server_groups"],
        "maxServerGroupMembers": q["server_group_members"],
        "totalCoresUsed": used["cores"],
        "totalInstancesUsed": used["instances"],
        "totalRAMUsed": used["ram"],
        "totalServerGroupsUsed": 0,
    }
    if call.version < (2, 57):
        absolute.update(
            maxPersonality=q["injected_files"], maxPersonalitySize=q["injected_file_content_bytes"]
        )
    if call.version < (2, 36):
        absolute.update(
            maxSecurityGroupRules=q["security_group_rules"],
            maxSecurityGroups=q["security_groups"],
            maxTotalFloatingIps=q["floating_ips"],
            totalFloatingIpsUsed=0,
            totalSecurityGroupsUsed=0,
        )
    return json_response(200, {"limits": {"absolute": absolute, "rate": []}})
