"""Cinder's storage side: scheduler pool stats (`scheduler-stats/get_pools`), volume types with
their backend, and backups.

Capacities follow what Cinder drivers report: `allocated_capacity_gb` is what Cinder placed on
the pool, `provisioned_capacity_gb` what volumes promise, `free_capacity_gb` what is physically
left (thin pools hold less than they promise), `max_over_subscription_ratio` a string. A fault
setting makes one backend report "infinite" or "unknown" capacity, as some drivers do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import SbBackend
from govcloud.sandbox.ids import name_uuid
from govcloud.sandbox.paging import next_link, next_marker
from govcloud.sandbox.server_body import nova_usec_time
from govcloud.sandbox.wire import ApiError, Response, fault, json_response

THIN_USED_SHARE = 0.5  # of what thin volumes promise that they really hold
DEFAULT_TYPE = "__DEFAULT__"  # Cinder's own type since Train, with no backend


def region_types(call: Call) -> tuple[str, ...]:
    """The volume types of the region's Cinder: the seeded ones, then Cinder's own."""
    return (*call.estate.region_types.get(call.region, {}), DEFAULT_TYPE)


def allocated(call: Call, backend: SbBackend) -> int:
    """GiB of the seeded volumes placed on a backend (computed once per estate)."""
    e = call.estate
    cached = e.derived.get("backend_allocated")
    if not isinstance(cached, dict):
        totals: dict[str, int] = {}
        v = e.volumes
        for row in range(len(v)):
            b = e.backend_of(v.project[row], e.volume_type(row))
            if b is not None:
                totals[b.name] = totals.get(b.name, 0) + v.size_gib[row]
        e.derived["backend_allocated"] = cached = totals
    return int(cached.get(backend.name, 0))


def get_pools(call: Call, odd: Mapping[str, str]) -> Response:
    """`odd`: backend pool name -> "infinite" or "unknown" (fault settings)."""
    if not call.token.is_admin:
        raise ApiError(
            fault(
                403,
                "Policy doesn't allow scheduler_extension:scheduler_stats:get_pools to be "
                "performed.",
            )
        )
    try:
        detail = call.flag("detail")
    except ValueError as exc:
        raise ApiError(fault(400, str(exc))) from None
    pools: list[dict[str, Any]] = []
    for b in call.estate.backends:
        if b.region != call.region:
            continue
        if not detail:
            pools.append({"name": b.name})
            continue
        pools.append({"name": b.name, "capabilities": _capabilities(call, b, odd.get(b.name))})
    return json_response(200, {"pools": pools})


def _capabilities(call: Call, b: SbBackend, odd: str | None) -> dict[str, Any]:
    used = allocated(call, b)
    held = int(used * THIN_USED_SHARE) if b.thin else used
    total: Any = b.total_gib
    free: Any = b.total_gib - held
    if odd is not None:
        total = free = odd
    return {
        "pool_name": b.backend,
        "volume_backend_name": b.backend,
        "total_capacity_gb": total,
        "free_capacity_gb": free,
        "allocated_capacity_gb": used,
        "provisioned_capacity_gb": used,
        "max_over_subscription_ratio": str(b.max_over_subscription_ratio),
        "reserved_percentage": b.reserved_percentage,
        "thin_provisioning_support": b.thin,
        "thick_provisioning_support": not b.thin,
        "storage_protocol": b.storage_protocol,
        "vendor_name": b.vendor_name,
        "driver_version": "1.0.0",
        "QoS_support": False,
        "multiattach": False,
        "consistencygroup_support": False,
        "replication_enabled": False,
        "group_replication_enabled": False,
        "backend_state": "up",
        "location_info": f"{b.host}:{b.backend}",
        "filter_function": None,
        "goodness_function": None,
        "timestamp": nova_usec_time(call.estate.now),
    }


def type_id(name: str) -> str:
    return name_uuid("volume-type", name)


def type_body(call: Call, name: str) -> dict[str, Any]:
    # Cinder shows extra specs such as volume_backend_name to administrators only
    backend = call.estate.region_types.get(call.region, {}).get(name)
    specs = {"volume_backend_name": backend} if call.token.is_admin and backend else {}
    default = name == DEFAULT_TYPE
    return {
        "id": type_id(name),
        "name": name,
        "description": "Default Volume Type" if default else None,
        "is_public": True,
        "extra_specs": {} if default else specs,
        "os-volume-type-access:is_public": True,
        "qos_specs_id": None,
    }


def types(call: Call, rest: list[str]) -> Response:
    """`rest`: segments after `types`."""
    names = region_types(call)
    if not rest:
        return json_response(200, {"volume_types": [type_body(call, t) for t in names]})
    if rest == ["default"]:  # the operator's default_volume_type: the first (ssd)
        body = type_body(call, names[0])
        del body["os-volume-type-access:is_public"]  # absent from this view
        return json_response(200, {"volume_type": body})
    name = next((t for t in names if type_id(t) == rest[0]), None)
    if name is None:
        raise ApiError(fault(404, f"Volume type {rest[0]} could not be found."))
    if len(rest) == 1:
        return json_response(200, {"volume_type": type_body(call, name)})
    if rest[1:] == ["extra_specs"]:
        if not call.token.is_admin:
            raise ApiError(
                fault(
                    403,
                    "Policy doesn't allow volume_extension:types_extra_specs:index to be "
                    "performed.",
                )
            )
        return json_response(200, {"extra_specs": type_body(call, name)["extra_specs"]})
    raise ApiError(fault(404, "The resource could not be found."))


def backups(call: Call, *, detail: bool) -> Response:
    e, req = call.estate, call.req
    all_tenants, limit = call.listing_args(1000)
    rows = [i for i, b in enumerate(e.backups) if e.projects[b.project].region == call.region]
    if not (call.token.is_admin and all_tenants):
        own = e.project_index(call.region, call.token.project_id)
        rows = [i for i in rows if e.backups[i].project == own]
    rows.reverse()  # newest first
    marker = req.arg("marker")
    if marker is not None:
        at = next((n for n, i in enumerate(rows) if e.backups[i].id == marker), None)
        if at is None:
            raise ApiError(fault(404, f"Backup {marker} could not be found."))
        rows = rows[at + 1 :]
    page = rows[:limit]
    items = [_backup_body(call, i, detail) for i in page]
    payload: dict[str, Any] = {"backups": items}
    nxt = next_marker([e.backups[i].id for i in page], limit, marker, call.page_faults)
    if nxt is not None:
        path = "backups/detail" if detail else "backups"
        url = f"{call.root_url}/v3/{call.token.project_id}/{path}"
        payload["backups_links"] = [next_link(url, req.query, nxt)]
    return json_response(200, payload)


def _backup_body(call: Call, index: int, detail: bool) -> dict[str, Any]:
    e = call.estate
    b = e.backups[index]
    links = [
        {"rel": "self", "href": f"{call.root_url}/v3/{call.token.project_id}/backups/{b.id}"},
        {"rel": "bookmark", "href": f"{call.root_url}/{call.token.project_id}/backups/{b.id}"},
    ]
    name = f"backup-{index:05d}"
    if not detail:
        return {"id": b.id, "name": name, "links": links}
    body: dict[str, Any] = {
        "id": b.id,
        "name": name,
        "status": b.status,
        "size": b.size_gib,
        "volume_id": e.volume_ids.of(b.volume),
        "snapshot_id": None,
        "container": "volumebackups",
        "availability_zone": "nova",
        "object_count": max(1, b.size_gib // 50),
        "is_incremental": False,
        "has_dependent_backups": False,
        "description": None,
        "fail_reason": "driver error" if b.status == "error" else None,
        "created_at": nova_usec_time(b.created),
        "updated_at": nova_usec_time(b.created + 600),
        "data_timestamp": nova_usec_time(b.created),
        "links": links,
    }
    if call.version >= (3, 18) and call.token.is_admin:
        body["os-backup-project-attr:project_id"] = e.projects[b.project].id
    if call.version >= (3, 43):
        body["metadata"] = {}
    if call.version >= (3, 56):
        body["user_id"] = call.identity.project_user_ids.get(e.projects[b.project].id, "")
    return body
