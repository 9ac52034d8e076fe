"""Cinder (block storage API v3, microversions 3.0-3.70): volumes, quota sets, types (and
snapshots, in `cinder_snapshots`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from govcloud.sandbox import cinder_backends, cinder_snapshots
from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import (
    EPOCH,
    NO_SERVER,
    VOLUME_QUOTA_DEFAULTS,
    VOLUME_STATUSES,
)
from govcloud.sandbox.ids import name_uuid
from govcloud.sandbox.microversion import VersionRange
from govcloud.sandbox.paging import next_link, next_marker, take_page
from govcloud.sandbox.quotas import QuotaUpdateError, limits, validated_update, volume_usage
from govcloud.sandbox.server_body import nova_usec_time
from govcloud.sandbox.wire import ApiError, Response, fault, json_response

VERSIONS = VersionRange("volume", (3, 0), (3, 70))
MAX_LIMIT = 1000  # cinder.conf osapi_max_limit
_BELOW_USAGE = (
    "Quota {resource} limit must be equal or greater than existing resources. "
    "Current usage is {minimum} and the requested limit is {limit}."
)


def versions(root_url: str) -> Response:
    doc = {
        "id": "v3.0",
        "status": "CURRENT",
        "version": VERSIONS.text(VERSIONS.maximum),
        "min_version": VERSIONS.text(VERSIONS.minimum),
        "updated": "2023-08-31T00:00:00Z",
        "links": [
            {"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"},
            {"rel": "self", "href": f"{root_url}/v3/"},
        ],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}
        ],
    }
    return json_response(300, {"versions": [doc]})


def handle(call: Call, project_id: str, parts: list[str]) -> Response:
    """`parts`: path segments after `/v3/{project_id}`."""
    if project_id != call.token.project_id:
        raise ApiError(fault(400, "Malformed request url"))
    method = call.req.method
    if method == "GET" and parts in (["volumes"], ["volumes", "detail"]):
        return _list_volumes(call, detail=parts == ["volumes", "detail"])
    if method == "GET" and parts == ["volumes", "summary"]:
        return _summary(call)
    if method == "GET" and len(parts) == 2 and parts[0] == "volumes":
        return _show_volume(call, parts[1])
    if parts[:1] == ["snapshots"]:
        return cinder_snapshots.handle(call, parts)
    if method == "GET" and parts[:1] == ["types"]:
        return cinder_backends.types(call, parts[1:])
    if method == "GET" and parts == ["scheduler-stats", "get_pools"]:
        return cinder_backends.get_pools(call, call.odd_capacity)
    if method == "GET" and parts in (["backups"], ["backups", "detail"]):
        return cinder_backends.backups(call, detail=len(parts) == 2)
    if parts[:1] == ["os-quota-sets"] and len(parts) in (2, 3):
        return _quota_sets(call, parts[1], parts[2:])
    raise ApiError(fault(404, "The resource could not be found."))


def _volume_body(call: Call, row: int) -> dict[str, Any]:
    e, v, ver = call.estate, call.estate.volumes, call.version
    volume_id = e.volume_ids.of(row)
    project = e.projects[v.project[row]]
    server = v.server[row]
    bootable = bool(v.bootable[row])
    vtype = e.volume_type(row)
    backend = e.backend_of(v.project[row], vtype)
    created = nova_usec_time(v.created[row])
    attachments = []
    if server != NO_SERVER:
        server_id = e.server_ids.of(server)
        attachments.append(
            {
                "id": volume_id,
                "attachment_id": name_uuid("attachment", volume_id),
                "volume_id": volume_id,
                "server_id": server_id,
                "host_name": None,
                "device": "/dev/vda" if bootable else "/dev/vdb",
                "attached_at": created,
            }
        )
    body: dict[str, Any] = {
        "id": volume_id,
        "name": "" if bootable else f"data-{row:06d}",
        "status": VOLUME_STATUSES[v.status[row]],
        "size": v.size_gib[row],
        "availability_zone": "nova",
        "created_at": created,
        "updated_at": nova_usec_time(v.updated[row]),
        "attachments": attachments,
        "bootable": "true" if bootable else "false",
        "encrypted": False,
        "multiattach": False,
        "description": None,
        "volume_type": vtype,
        "snapshot_id": None,
        "source_volid": None,
        "metadata": {},
        "user_id": call.identity.project_user_ids.get(project.id, ""),
        "replication_status": None,
        "consistencygroup_id": None,
        "os-vol-tenant-attr:tenant_id": project.id,
        "links": [
            {
                "rel": "self",
                "href": f"{call.root_url}/v3/{call.token.project_id}/volumes/{volume_id}",
            },
            {
                "rel": "bookmark",
                "href": f"{call.root_url}/{call.token.project_id}/volumes/{volume_id}",
            },
        ],
    }
    if call.token.is_admin:
        body["os-vol-host-attr:host"] = backend.name if backend else None
        body["os-vol-mig-status-attr:migstat"] = None
        body["os-vol-mig-status-attr:name_id"] = None
    if ver >= (3, 13):
        body["group_id"] = None
    if ver >= (3, 48):
        body["shared_targets"] = False
        body["service_uuid"] = name_uuid("cinder-volume", call.region)
    if ver >= (3, 63):
        body["volume_type_id"] = cinder_backends.type_id(vtype)
    if ver >= (3, 65):
        body["consumes_quota"] = True
    return body


def _visible_rows(call: Call, all_tenants: bool | None) -> Any:
    """The volume rows a listing covers: an administrator's `all_tenants` sees the region
    (or the `project_id` asked for), anyone else their own project."""
    e = call.estate
    wanted = call.req.arg("project_id")
    if call.token.is_admin and all_tenants and not wanted:
        return e.region_volumes[call.region]
    if not (call.token.is_admin and all_tenants and wanted):
        wanted = call.token.project_id  # non-admins see their own project only
    index = e.project_index(call.region, wanted)
    return e.project_volumes[index] if index is not None else []


def _summary(call: Call) -> Response:
    """`GET /volumes/summary` (3.12): how many volumes and GiB the caller sees, in one call;
    from 3.36 also every metadata key with its distinct values (the sandbox's volumes carry
    none). Below 3.12 the route does not exist: Cinder's plain 404."""
    e = call.estate
    if call.version < (3, 12):
        raise ApiError(fault(404, "The resource could not be found."))
    try:
        all_tenants = call.flag("all_tenants")
    except ValueError as exc:
        raise ApiError(fault(400, str(exc))) from None
    rows = _visible_rows(call, all_tenants)
    summary: dict[str, Any] = {
        "total_count": len(rows),
        "total_size": sum(e.volumes.size_gib[r] for r in rows),
    }
    if call.version >= (3, 36):
        summary["metadata"] = {}
    return json_response(200, {"volume-summary": summary})


def _list_volumes(call: Call, *, detail: bool) -> Response:
    e, req = call.estate, call.req
    all_tenants, limit = call.listing_args(MAX_LIMIT)
    rows = _visible_rows(call, all_tenants)
    marker = req.arg("marker")
    marker_row = e.volume_ids.index(marker) if marker else None
    if marker and (marker_row is None or marker_row >= len(e.volumes)):
        raise ApiError(fault(404, f"Volume {marker} could not be found."))
    status = req.arg("status")
    checks: list[Callable[[int], bool]] = []
    if status:
        checks.append(lambda r: VOLUME_STATUSES[e.volumes.status[r]] == status)
    for column in ("created_at", "updated_at"):
        raw = req.arg(column)
        if raw is not None and call.version >= (3, 60):
            times = e.volumes.created if column == "created_at" else e.volumes.updated
            checks.append(_time_filter(times, raw))
    if req.arg("changes-since") is not None and call.token.is_admin:
        # Cinder has no changes-since: an administrator's unknown filter matches no volume
        # (members' unknown filters are dropped); `updated_at=gte:` (3.60) is the real one
        checks.append(lambda r: False)
    keep = (lambda r: all(c(r) for c in checks)) if checks else None
    page = take_page(rows, marker_row, limit, keep)
    ids = [e.volume_ids.of(r) for r in page]
    if detail:
        items = [_volume_body(call, r) for r in page]
    else:
        items = [{"id": i, "name": b["name"], "links": b["links"]} for i, b in
                 ((i, _volume_body(call, r)) for i, r in zip(ids, page, strict=True))]  # fmt: skip
    payload: dict[str, Any] = {"volumes": items}
    nxt = next_marker(ids, limit, marker, call.page_faults)
    if nxt is not None:
        path = "volumes/detail" if detail else "volumes"
        url = f"{call.root_url}/v3/{call.token.project_id}/{path}"
        payload["volumes_links"] = [next_link(url, req.query, nxt)]
    return json_response(200, payload)


_TIME_OPS: dict[str, Callable[[int, int], bool]] = {
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b, "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
}  # fmt: skip


def _time_filter(column: Sequence[int], raw: str) -> Callable[[int], bool]:
    """Cinder 3.60's `updated_at=gte:2024-01-01T00:00:00` (one or more `op:time`, comma
    separated); a bad operator or time is Cinder's 400."""
    tests: list[tuple[Callable[[int, int], bool], int]] = []
    for part in raw.split(","):
        op, sep, text = part.partition(":")
        if not sep or op not in _TIME_OPS:
            op, text = "eq", part
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ApiError(fault(400, f"Invalid {text} value")) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        tests.append((_TIME_OPS[op], int(moment.timestamp()) - EPOCH))
    return lambda r: all(f(column[r], t) for f, t in tests)


def _show_volume(call: Call, volume_id: str) -> Response:
    e = call.estate
    row = e.volume_row(call.region, volume_id)
    if row is None or not (
        call.token.is_admin or e.projects[e.volumes.project[row]].id == call.token.project_id
    ):
        raise ApiError(fault(404, f"Volume {volume_id} could not be found."))
    return json_response(200, {"volume": _volume_body(call, row)})


def _quota_keys(call: Call) -> list[str]:
    """Cinder's quota keys: the plain ones and three per volume type of the region."""
    keys = list(VOLUME_QUOTA_DEFAULTS)
    for t in cinder_backends.region_types(call):
        keys += [f"volumes_{t}", f"gigabytes_{t}", f"snapshots_{t}"]
    return keys


def _usage(call: Call, project_id: str) -> dict[str, int]:
    e = call.estate
    used = volume_usage(e, call.region, project_id)
    index = e.project_index(call.region, project_id)
    for t in cinder_backends.region_types(call):
        used[f"volumes_{t}"] = used[f"gigabytes_{t}"] = used[f"snapshots_{t}"] = 0
    for row in e.project_volumes[index] if index is not None else ():
        t = e.volume_type(row)
        used[f"volumes_{t}"] += 1
        used[f"gigabytes_{t}"] += e.volumes.size_gib[row]
    for row in e.project_snapshots[index] if index is not None else ():
        t = e.volume_type(e.snapshots.volume[row], index)
        used["snapshots"] += 1
        used[f"snapshots_{t}"] += 1
    for b in e.backups:
        if b.project == index:
            used["backups"] += 1
            used["backup_gigabytes"] += b.size_gib
    return used


def _quota_sets(call: Call, target: str, rest: list[str]) -> Response:
    tok, method, e = call.token, call.req.method, call.estate
    if not tok.is_admin and target != tok.project_id:
        raise ApiError(
            fault(403, "Policy doesn't allow volume_extension:quotas:show to be performed.")
        )
    keys = _quota_keys(call)
    defaults = {**dict.fromkeys(keys, -1), **VOLUME_QUOTA_DEFAULTS}
    if rest == ["defaults"] and method == "GET":
        return json_response(200, {"quota_set": {"id": target, **defaults}})
    if rest:
        raise ApiError(fault(404, "The resource could not be found."))
    if method == "PUT":
        if not tok.is_admin:
            raise ApiError(
                fault(403, "Policy doesn't allow volume_extension:quotas:update to be performed.")
            )
        try:
            changes = validated_update(
                call.req.json(), keys, _usage(call, target), _BELOW_USAGE,
                unknown="Bad key(s) in quota set: {keys}",
            )  # fmt: skip
        except QuotaUpdateError as exc:
            raise ApiError(fault(400, str(exc))) from None
        with e.lock:
            e.volume_quota.setdefault((call.region, target), {}).update(changes)
    elif method != "GET":
        raise ApiError(fault(405, "The method is not allowed for the requested URL."))
    with e.lock:
        current = limits(e.volume_quota, defaults, call.region, target)
    if method == "PUT":
        return json_response(200, {"quota_set": current})
    try:
        usage = call.flag("usage")
    except ValueError as exc:
        raise ApiError(fault(400, str(exc))) from None
    if usage:
        used = _usage(call, target)
        detail = {k: {"limit": current[k], "in_use": used.get(k, 0), "reserved": 0} for k in keys}
        return json_response(200, {"quota_set": {"id": target, **detail}})
    return json_response(200, {"quota_set": {"id": target, **current}})
