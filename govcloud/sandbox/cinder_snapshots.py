"""Cinder volume snapshots: `snapshots`, `snapshots/detail` (filters, paging) and show.

A cloud whose Cinder offers no snapshots is imitated with `Faults(no_snapshots=True)`: every
snapshot path then answers 404, as an unknown path does.
"""

from __future__ import annotations

from typing import Any

from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import SNAPSHOT_STATUSES
from govcloud.sandbox.paging import next_link, next_marker, take_page
from govcloud.sandbox.server_body import nova_usec_time
from govcloud.sandbox.wire import ApiError, Response, fault, json_response

MAX_LIMIT = 1000  # cinder.conf osapi_max_limit


def handle(call: Call, parts: list[str]) -> Response:
    """`parts`: path segments after `/v3/{project_id}`, starting with `snapshots`."""
    if call.no_snapshots or call.req.method != "GET" or len(parts) > 2:
        raise ApiError(fault(404, "The resource could not be found."))
    if parts in (["snapshots"], ["snapshots", "detail"]):
        return _list(call, detail=len(parts) == 2)
    return _show(call, parts[1])


def _body(call: Call, row: int, *, detail: bool) -> dict[str, Any]:
    e, n, ver = call.estate, call.estate.snapshots, call.version
    project = e.projects[n.project[row]]
    body: dict[str, Any] = {
        "id": e.snapshot_ids.of(row),
        "name": f"snap-{n.volume[row]:06d}-{row}",
        "description": None,
        "status": SNAPSHOT_STATUSES[n.status[row]],
        "size": n.size_gib[row],
        "volume_id": e.volume_ids.of(n.volume[row]),
        "metadata": {},
        "created_at": nova_usec_time(n.created[row]),
        "updated_at": nova_usec_time(n.created[row] + 45),
    }
    if detail:
        body["os-extended-snapshot-attributes:project_id"] = project.id
        body["os-extended-snapshot-attributes:progress"] = "100%"
    if ver >= (3, 14):
        body["group_snapshot_id"] = None
    if ver >= (3, 41):
        body["user_id"] = call.identity.project_user_ids.get(project.id, "")
    if ver >= (3, 65):
        body["consumes_quota"] = True
    return body


def _rows(call: Call) -> Any:
    e = call.estate
    all_tenants, _ = call.listing_args(MAX_LIMIT)
    wanted = call.req.arg("project_id")
    if call.token.is_admin and all_tenants and not wanted:
        return e.region_snapshots[call.region]
    if not (call.token.is_admin and all_tenants and wanted):
        wanted = call.token.project_id  # non-admins see their own project only
    index = e.project_index(call.region, wanted)
    return e.project_snapshots[index] if index is not None else []


def _list(call: Call, *, detail: bool) -> Response:
    e, req = call.estate, call.req
    rows = _rows(call)
    limit = call.page_limit(MAX_LIMIT)
    marker = req.arg("marker")
    marker_row = e.snapshot_ids.index(marker) if marker else None
    if marker and (marker_row is None or marker_row >= len(e.snapshots)):
        raise ApiError(fault(404, f"Snapshot {marker} could not be found."))
    page = take_page(rows, marker_row, limit, _filter(call))
    payload: dict[str, Any] = {"snapshots": [_body(call, r, detail=detail) for r in page]}
    nxt = next_marker([e.snapshot_ids.of(r) for r in page], limit, marker, call.page_faults)
    if nxt is not None:
        path = "snapshots/detail" if detail else "snapshots"
        url = f"{call.root_url}/v3/{call.token.project_id}/{path}"
        payload["snapshots_links"] = [next_link(url, req.query, nxt)]
    return json_response(200, payload)


def _filter(call: Call) -> Any:
    """A row predicate for the `status` and `volume_id` filters, or None without them."""
    e, n = call.estate, call.estate.snapshots
    status, volume_id = call.req.arg("status"), call.req.arg("volume_id")
    if not (status or volume_id):
        return None

    def keep(r: int) -> bool:
        return (not status or SNAPSHOT_STATUSES[n.status[r]] == status) and (
            not volume_id or e.volume_ids.of(n.volume[r]) == volume_id
        )

    return keep


def _show(call: Call, snapshot_id: str) -> Response:
    e = call.estate
    row = e.snapshot_row(call.region, snapshot_id)
    if row is None or not (
        call.token.is_admin or e.projects[e.snapshots.project[row]].id == call.token.project_id
    ):
        raise ApiError(fault(404, f"Snapshot {snapshot_id} could not be found."))
    return json_response(200, {"snapshot": _body(call, row, detail=True)})
