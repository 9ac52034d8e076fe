"""Nova servers: bodies per microversion, `servers`, `servers/detail` (filters, paging), show."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from govcloud.sandbox import nova_changes
from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import NO_HOST, SERVER_STATUSES
from govcloud.sandbox.paging import (
    next_link,
    next_marker,
    take_page,
)
from govcloud.sandbox.server_body import server_body, server_json
from govcloud.sandbox.wire import ApiError, Response, fault, json_response

MAX_LIMIT = 1000  # nova.conf [api] max_limit


def list_servers(call: Call, *, detail: bool) -> Response:
    e, req = call.estate, call.req
    all_tenants, limit = call.listing_args(MAX_LIMIT)
    if all_tenants and not call.token.is_admin:
        raise ApiError(
            fault(
                403,
                "Policy doesn't allow os_compute_api:servers:index:get_all_tenants "
                "to be performed.",
            )
        )
    rows = _candidate_rows(call, bool(all_tenants))
    if req.arg("changes-since") is not None:
        return nova_changes.list_changed(
            call, rows, _filter(call), limit, detail=detail, summary=_summary
        )
    marker = req.arg("marker")
    marker_row = None
    if marker is not None:
        marker_row = e.server_ids.index(marker)
        if marker_row is None or marker_row >= len(e.servers):
            raise ApiError(fault(400, f"marker [{marker}] not found"))
    page = take_page(rows, marker_row, limit, _filter(call))
    ids = [e.server_ids.of(r) for r in page]
    nxt = next_marker(ids, limit, marker, call.page_faults)
    links = ""
    if nxt is not None:
        path = "servers/detail" if detail else "servers"
        link = next_link(f"{call.root_url}/v2.1/{path}", req.query, nxt)
        links = f',"servers_links":[{json.dumps(link)}]'
    if detail:
        flavors: dict[int, str] = {}
        items = ",".join(server_json(call, r, flavors) for r in page)
    else:
        items = ",".join(json.dumps(_summary(call, r, i)) for r, i in zip(page, ids, strict=True))
    return Response(200, f'{{"servers":[{items}]{links}}}'.encode())


def _summary(call: Call, row: int, server_id: str) -> dict[str, Any]:
    return {
        "id": server_id,
        "name": call.estate.server_name(row),
        "links": [
            {"rel": "self", "href": f"{call.root_url}/v2.1/servers/{server_id}"},
            {"rel": "bookmark", "href": f"{call.root_url}/servers/{server_id}"},
        ],
    }


def _candidate_rows(call: Call, all_tenants: bool) -> Any:
    e, req = call.estate, call.req
    wanted = req.arg("project_id") or req.arg("tenant_id") or ""
    if not call.token.is_admin or not (all_tenants or wanted):
        wanted = call.token.project_id
    elif all_tenants and not wanted:
        return e.region_servers[call.region]
    index = e.project_index(call.region, wanted)
    return e.project_servers[index] if index is not None else []


def _filter(call: Call) -> Any:
    """A row predicate for the filters Nova supports that we were given, or None."""
    e, req, s = call.estate, call.req, call.estate.servers
    checks: list[Callable[[int], bool]] = []
    status = req.arg("status")
    if status:
        wanted = {x.strip().upper() for x in status.split(",")}
        checks.append(lambda r: SERVER_STATUSES[s.status[r]] in wanted)
    name = req.arg("name")
    if name:
        try:
            pattern = re.compile(name)
        except re.error:
            raise ApiError(fault(400, f"Invalid regular expression: {name}")) from None
        checks.append(lambda r: pattern.search(e.server_name(r)) is not None)
    flavor = req.arg("flavor")
    if flavor:
        checks.append(lambda r: e.flavors[s.flavor[r]].id == flavor)
    host = req.arg("host") if call.token.is_admin else None
    if host:
        checks.append(lambda r: s.host[r] != NO_HOST and e.hosts[s.host[r]].name == host)
    az = req.arg("availability_zone")
    if az:
        checks.append(lambda r: s.host[r] != NO_HOST and e.hosts[s.host[r]].availability_zone == az)
    if not checks:
        return None
    return lambda r: all(check(r) for check in checks)


def show_server(call: Call, server_id: str) -> Response:
    row = call.estate.server_row(call.region, server_id)
    visible = row is not None and (
        call.token.is_admin
        or call.estate.projects[call.estate.servers.project[row]].id == call.token.project_id
    )
    if row is None or not visible:
        raise ApiError(fault(404, f"Instance {server_id} could not be found."))
    return json_response(200, {"server": server_body(call, row, show=True)})
