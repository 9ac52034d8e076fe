"""Neutron's collection listing: attribute filters, `fields`, `changed_since`, limit/marker
paging with `<collection>_links` (next when more follow, previous whenever a limit is given).

Neutron pages only when a limit is given: without one the marker is ignored. With one, a
marker it cannot find is a 404 for most resources, while floating IPs list from the start.

Neutron pages in a stable order (here: creation order, the row order) and fetches one row more
than the limit to know whether a next link is due, unlike Nova and Cinder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import EPOCH
from govcloud.sandbox.server_body import nova_time
from govcloud.sandbox.wire import ApiError, Response, json_response

PAGING_ARGS = frozenset(("limit", "marker", "fields", "page_reverse", "sort_key", "sort_dir"))


def neutron_error(status: int, kind: str, message: str) -> ApiError:
    return ApiError(json_response(status, {"NeutronError": {"type": kind, "message": message,
                                                             "detail": ""}}))  # fmt: skip


def neutron_time(offset_s: int) -> str:
    return nova_time(offset_s)


def parse_changed_since(raw: str) -> int:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise neutron_error(
            400,
            "InvalidInput",
            "Invalid input for operation: The input changed_since must be in the following "
            "format: YYYY-MM-DDTHH:MM:SS.",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) - EPOCH


def _matches(body: dict[str, Any], key: str, wanted: list[str]) -> bool:
    if key not in body:
        return False
    value = body[key]
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if isinstance(value, bool):
        return text in {w.lower() for w in wanted}
    return text in wanted


def listing(
    call: Call,
    collection: str,
    keys: Iterable[int],
    body: Callable[[int], dict[str, Any]],
    key_of: Callable[[str], int | None],
    *,
    consumed: Iterable[str] = (),
    changed: Callable[[int], int] | None = None,
    changed_since: bool = False,
    attributes: Iterable[str] = (),
    missing_marker: Callable[[str], ApiError] | None = None,
) -> Response:
    """List `keys` (ascending) as `{collection: [...]}`.

    `key_of` maps a marker id back to its key; `consumed` are filters the caller already
    applied by narrowing `keys`; `changed` gives a key's updated time for `changed_since`, which
    is honoured only when CHANGED_SINCE (current Neutron rejects it, as any unknown filter);
    `attributes` are the filterable attribute names (the resource's keys); `missing_marker`
    makes the error for a marker that names nothing (None: the marker is ignored)."""
    req = call.req
    raw_limit = req.arg("limit")
    limit = None
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            limit = -1
        if limit < 0:
            raise neutron_error(
                400,
                "BadRequest",
                f"Bad limit request: Limit must be an integer 0 or greater and not '{raw_limit}'.",
            )
        limit = limit or None  # 0: no limit
    marker = req.arg("marker") if limit is not None else None
    marker_key = key_of(marker) if marker is not None else None
    if marker is not None and marker_key is None and missing_marker is not None:
        raise missing_marker(marker)
    since = None
    raw_since = req.arg("changed_since")
    if raw_since is not None and changed is not None and changed_since:
        since = parse_changed_since(raw_since)
    filters: dict[str, list[str]] = {}
    skip = PAGING_ARGS | set(consumed) | ({"changed_since"} if since is not None else set())
    for k, v in req.query:
        if k not in skip:
            filters.setdefault(k, []).append(v)
    unknown = sorted(set(filters) - set(attributes))
    if unknown:  # filter-validation: an attribute the resource lacks is an error
        raise neutron_error(400, "HTTPBadRequest", f"{unknown} is invalid attribute for filtering")
    items: list[dict[str, Any]] = []
    more = False
    for key in keys:
        if marker_key is not None and key <= marker_key:
            continue
        if since is not None and changed is not None and changed(key) < since:
            continue
        item = body(key)
        if not all(_matches(item, k, w) for k, w in filters.items()):
            continue
        if limit is not None and len(items) == limit:
            more = True
            break
        items.append(item)
    fields = [v for k, v in req.query if k == "fields"]
    payload: dict[str, Any] = {
        collection: [{k: i[k] for k in fields if k in i} for i in items] if fields else items
    }
    if limit is not None:
        # Neutron links to a previous page whenever a limit was given, even on the first page
        base = f"{call.root_url}/v2.0/{collection.replace('_', '-')}"
        kept = [(k, v) for k, v in req.query if k not in ("marker", "page_reverse")]
        links = []
        if more and items:
            nxt = [*kept, ("marker", items[-1]["id"])]
            links.append({"rel": "next", "href": f"{base}?{urlencode(nxt)}"})
        first = [("marker", items[0]["id"])] if items else []
        prev = [*kept, *first, ("page_reverse", "True")]
        links.append({"rel": "previous", "href": f"{base}?{urlencode(prev)}"})
        payload[f"{collection}_links"] = links
    return json_response(200, payload)
