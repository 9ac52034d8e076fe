"""Neutron quotas: limits per project (`/v2.0/quotas/{project}`), usage counted from the
estate (`/details`, the quota_details extension), defaults, updates validated as Neutron does."""

from __future__ import annotations

from typing import Any

from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import NETWORK_QUOTA_DEFAULTS
from govcloud.sandbox.neutron_estate import network_estate
from govcloud.sandbox.neutron_list import neutron_error
from govcloud.sandbox.server_body import has_port
from govcloud.sandbox.wire import Response, json_response


def usage(call: Call, project_id: str) -> dict[str, int]:
    """What a project uses of each Neutron quota, counted from the estate."""
    e = call.estate
    used = dict.fromkeys(NETWORK_QUOTA_DEFAULTS, 0)
    index = e.project_index(call.region, project_id)
    if index is None:
        return used
    n = network_estate(e)
    used["network"] = used["subnet"] = 1
    used["port"] = sum(1 for r in e.project_servers[index] if has_port(e, r))
    used["port"] += sum(1 for x in n.extra_ports if x.project == index)
    used["router"] = sum(1 for r in n.routers if r.project == index)
    used["floatingip"] = sum(1 for f in n.floating_ips if f.project == index)
    groups = [n.groups[g] for g in n.project_groups[index]]
    used["security_group"] = len(groups)
    used["security_group_rule"] = sum(len(g.rules) for g in groups)
    return used


def _limits(call: Call, project_id: str) -> dict[str, int]:
    with call.estate.lock:
        return {**NETWORK_QUOTA_DEFAULTS,
                **call.estate.network_quota.get((call.region, project_id), {})}  # fmt: skip


def handle(call: Call, rest: list[str]) -> Response:
    """`rest`: path segments after `/v2.0/quotas`."""
    tok, method, e = call.token, call.req.method, call.estate
    if not rest:
        if not tok.is_admin:
            raise neutron_error(
                403, "PolicyNotAuthorized", "rule:get_quota is disallowed by policy"
            )
        with e.lock:
            owners = [pid for (region, pid) in e.network_quota if region == call.region]
        quotas = [{**_limits(call, pid), "project_id": pid, "tenant_id": pid} for pid in owners]
        return json_response(200, {"quotas": quotas})
    target, tail = rest[0], rest[1:]
    if method == "GET" and not tok.is_admin and target != tok.project_id:
        raise neutron_error(403, "PolicyNotAuthorized", "rule:get_quota is disallowed by policy")
    if method == "GET" and tail == ["details"]:
        limits, used = _limits(call, target), usage(call, target)
        detail = {k: {"limit": v, "used": used[k], "reserved": 0} for k, v in limits.items()}
        return json_response(200, {"quota": detail})
    if method == "GET" and tail == ["default"]:
        return json_response(200, {"quota": dict(NETWORK_QUOTA_DEFAULTS)})
    if method == "GET" and not tail:
        return json_response(200, {"quota": _limits(call, target)})
    if method in ("PUT", "DELETE") and not tail:
        if not tok.is_admin:
            action = "update" if method == "PUT" else "delete"
            raise neutron_error(403, "PolicyNotAuthorized",
                                f"rule:{action}_quota is disallowed by policy")  # fmt: skip
        if method == "DELETE":
            with e.lock:
                e.network_quota.pop((call.region, target), None)
            return Response(204, b"", (), "")
        changes = _validated(call.req.json())
        with e.lock:
            e.network_quota.setdefault((call.region, target), {}).update(changes)
        return json_response(200, {"quota": _limits(call, target)})
    raise neutron_error(404, "HTTPNotFound", "The resource could not be found.")


def _validated(body: Any) -> dict[str, int]:
    if not isinstance(body, dict) or not isinstance(body.get("quota"), dict):
        raise neutron_error(400, "HTTPBadRequest", "Resource body required")
    unknown = [k for k in body["quota"] if k not in NETWORK_QUOTA_DEFAULTS]
    if unknown:
        names = ", ".join(unknown)
        raise neutron_error(400, "HTTPBadRequest", f"Unrecognized attribute(s) '{names}'")
    changes: dict[str, int] = {}
    for key, value in body["quota"].items():
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise neutron_error(
                400,
                "InvalidInput",
                f"Invalid input for operation: '{value}' is not an integer.",
            )
        try:
            limit = int(value)
        except ValueError:
            raise neutron_error(
                400,
                "InvalidInput",
                f"Invalid input for operation: '{value}' is not an integer.",
            ) from None
        if limit < -1:
            raise neutron_error(400, "HTTPBadRequest",
                                f"Invalid input for {key}. Reason: '{value}' is too small - must "
                                "be at least '-1'.")  # fmt: skip
        changes[key] = limit
    return changes
