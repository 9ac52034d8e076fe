"""Nova's `changes-since` listing: servers changed since a time, deleted ones included.

Nova keeps deleted instances (soft delete) and a `changes-since` query returns those deleted
after the given time with status DELETED, so an incremental reader learns about deletions.
Live and deleted servers are merged newest first by creation time, as Nova sorts by
created_at desc; a marker may name either kind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import EPOCH
from govcloud.sandbox.paging import next_link, next_marker
from govcloud.sandbox.server_body import deleted_server_body, server_json
from govcloud.sandbox.wire import ApiError, Response, fault

Entry = tuple[int, int, int]  # created, 0 live / 1 deleted, row


def parse_since(raw: str) -> int:
    """Seconds after EPOCH of an ISO 8601 time (UTC when no zone), or Nova's 400."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ApiError(
            fault(
                400,
                f"Invalid input for query parameters changes-since. Value: {raw}. "
                f"'{raw}' is not a 'date-time'",
            )
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) - EPOCH


def list_changed(
    call: Call,
    rows: Sequence[int],
    keep: Callable[[int], bool] | None,
    limit: int,
    *,
    detail: bool,
    summary: Callable[[Call, int, str], dict[str, object]],
) -> Response:
    e, req = call.estate, call.req
    since = parse_since(req.arg("changes-since") or "")
    s, d = e.servers, e.deleted
    entries: list[Entry] = [
        (s.created[r], 0, r) for r in rows if s.updated[r] >= since and (keep is None or keep(r))
    ]
    status = req.arg("status")
    if not status or "DELETED" in status.upper().split(","):
        entries += [(d.created[i], 1, i) for i in _deleted_rows(call) if d.deleted[i] >= since]
    entries.sort(reverse=True)
    marker = req.arg("marker")
    if marker is not None:
        key = _marker_key(call, marker)
        entries = [x for x in entries if x < key]
    page = entries[:limit]
    ids = [e.server_ids.of(r) if kind == 0 else e.deleted_id(r) for _, kind, r in page]
    items: list[str] = []
    flavors: dict[int, str] = {}
    for (_, kind, r), server_id in zip(page, ids, strict=True):
        if kind == 1:
            body = deleted_server_body(call, r)
            brief = {k: body[k] for k in ("id", "name", "links")}
            items.append(json.dumps(body if detail else brief))
        else:
            items.append(server_json(call, r, flavors) if detail
                         else json.dumps(summary(call, r, server_id)))  # fmt: skip
    links = ""
    nxt = next_marker(ids, limit, marker, call.page_faults)
    if nxt is not None:
        path = "servers/detail" if detail else "servers"
        link = next_link(f"{call.root_url}/v2.1/{path}", req.query, nxt)
        links = f',"servers_links":[{json.dumps(link)}]'
    return Response(200, f'{{"servers":[{",".join(items)}]{links}}}'.encode())


def _deleted_rows(call: Call) -> list[int]:
    e, req = call.estate, call.req
    rows = e.region_deleted[call.region]
    wanted = req.arg("project_id") or req.arg("tenant_id") or ""
    if not call.token.is_admin or not (call.flag("all_tenants") or wanted):
        wanted = call.token.project_id
    elif not wanted:
        return list(rows)
    index = e.project_index(call.region, wanted)
    return [i for i in rows if e.deleted.project[i] == index]


def _marker_key(call: Call, marker: str) -> Entry:
    e = call.estate
    row = e.server_ids.index(marker)
    if row is not None and row < len(e.servers) and row not in e.gone:
        return (e.servers.created[row], 0, row)
    gone = e.deleted_index(marker)
    if gone is not None:
        return (e.deleted.created[gone], 1, gone)
    raise ApiError(fault(400, f"marker [{marker}] not found"))
