"""Cinder (block storage API v3, microversions 3.0-3.70): volumes, quota sets, types (and
snapshots, in `cinder_snapshots`)."""

from __future__ import annotations

from typing import Any

from govcloud.sandbox import cinder_snapshots
from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import NO_SERVER, VOLUME_QUOTA_DEFAULTS, VOLUME_STATUSES
from govcloud.sandbox.ids import name_uuid
from govcloud.sandbox.microversion import VersionRange
from govcloud.sandbox.paging import next_link, next_marker, take_page
from govcloud.sandbox.quotas import QuotaUpdateError, limits, validated_update, volume_usage
from govcloud.sandbox.server_body import nova_usec_time
from govcloud.sandbox.wire import ApiError, Response, fault, json_response

VERSIONS = VersionRange("volume", (3, 0), (3, 70))
MAX_LIMIT = 1000  # cinder.conf osapi_max_limit
TYPES = ("ssd", "sata")  # root volumes are ssd, data volumes sata
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
    if method == "GET" and len(parts) == 2 and parts[0] == "volumes":
        return _show_volume(call, parts[1])
    if parts[:1] == ["snapshots"]:
        return cinder_snapshots.handle(call, parts)
    if method == "GET" and parts in (["types"], ["types", "default"]):
        return _types(call, default=len(parts) == 2)
    if parts[:1] == ["os-quota-sets"] and len(parts) in (2, 3):
        return _quota_sets(call, parts[1], parts[2:])
    raise ApiError(fault(404, "The resource could not be found."))


def _type_body(index: int) -> dict[str, Any]:
    return {
        "id": name_uuid("volume-type", TYPES[index]),
        "name": TYPES[index],
        "description": None,
        "is_public": True,
        "extra_specs": {"volume_backend_name": TYPES[index]},
        "os-volume-type-access:is_public": True,
        "qos_specs_id": None,
    }


def _types(call: Call, *, default: bool) -> Response:
    if default:
        return json_response(200, {"volume_type": _type_body(0)})
    return json_response(200, {"volume_types": [_type_body(i) for i in range(len(TYPES))]})


def _volume_body(call: Call, row: int) -> dict[str, Any]:
    e, v, ver = call.estate, call.estate.volumes, call.version
    volume_id = e.volume_ids.of(row)
    project = e.projects[v.project[row]]
    server = v.server[row]
    bootable = bool(v.bootable[row])
    type_index = 0 if bootable else 1
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
        "volume_type": TYPES[type_index],
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
        body["os-vol-host-attr:host"] = (
            f"cinder-{call.region}@{TYPES[type_index]}#{TYPES[type_index]}"
        )
        body["os-vol-mig-status-attr:migstat"] = None
        body["os-vol-mig-status-attr:name_id"] = None
    if ver >= (3, 13):
        body["group_id"] = None
    if ver >= (3, 48):
        body["shared_targets"] = False
        body["service_uuid"] = name_uuid("cinder-volume", call.region)
    if ver >= (3, 63):
        body["volume_type_id"] = name_uuid("volume-type", TYPES[type_index])
    if ver >= (3, 65):
        body["consumes_quota"] = True
    return body


def _list_volumes(call: Call, *, detail: bool) -> Response:
    e, req = call.estate, call.req
    all_tenants, limit = call.listing_args(MAX_LIMIT)
    wanted = req.arg("project_id")
    rows: Any
    if call.token.is_admin and all_tenants and not wanted:
        rows = e.region_volumes[call.region]
    else:
        if not (call.token.is_admin and all_tenants and wanted):
            wanted = call.token.project_id  # non-admins see their own project only
        index = e.project_index(call.region, wanted)
        rows = e.project_volumes[index] if index is not None else []
    marker = req.arg("marker")
    marker_row = e.volume_ids.index(marker) if marker else None
    if marker and (marker_row is None or marker_row >= len(e.volumes)):
        raise ApiError(fault(404, f"Volume {marker} could not be found."))
    status = req.arg("status")
    keep = (lambda r: VOLUME_STATUSES[e.volumes.status[r]] == status) if status else None
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


def _show_volume(call: Call, volume_id: str) -> Response:
    e = call.estate
    row = e.volume_row(call.region, volume_id)
    if row is None or not (
        call.token.is_admin or e.projects[e.volumes.project[row]].id == call.token.project_id
    ):
        raise ApiError(fault(404, f"Volume {volume_id} could not be found."))
    return json_response(200, {"volume": _volume_body(call, row)})


def _quota_keys() -> list[str]:
    keys = list(VOLUME_QUOTA_DEFAULTS)
    for t in TYPES:
        keys += [f"volumes_{t}", f"gigabytes_{t}", f"snapshots_{t}"]
    return keys


def _usage(call: Call, project_id: str) -> dict[str, int]:
    e = call.estate
    used = volume_usage(e, call.region, project_id)
    index = e.project_index(call.region, project_id)
    for t in TYPES:
        used[f"volumes_{t}"] = used[f"gigabytes_{t}"] = used[f"snapshots_{t}"] = 0
    for row in e.project_volumes[index] if index is not None else ():
        t = TYPES[0 if e.volumes.bootable[row] else 1]
        used[f"volumes_{t}"] += 1
        used[f"gigabytes_{t}"] += e.volumes.size_gib[row]
    return used


def _quota_sets(call: Call, target: str, rest: list[str]) -> Response:
    tok, method, e = call.token, call.req.method, call.estate
    if not tok.is_admin and target != tok.project_id:
        raise ApiError(
            fault(403, "Policy doesn't allow volume_extension:quotas:show to be performed.")
        )
    keys = _quota_keys()
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
            changes = validated_update(call.req.json(), keys, _usage(call, target), _BELOW_USAGE)
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
