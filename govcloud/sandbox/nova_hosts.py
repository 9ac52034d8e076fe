"""Nova admin views: hypervisors, host aggregates, availability zones, simple tenant usage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import EPOCH, NO_HOST, SERVER_STATUSES, SbHost
from govcloud.sandbox.nova_servers import MAX_LIMIT
from govcloud.sandbox.paging import next_link, next_marker, take_page
from govcloud.sandbox.server_body import nova_usec_time
from govcloud.sandbox.wire import ApiError, Response, fault, json_response


def _require_admin(call: Call, policy: str) -> None:
    if not call.token.is_admin:
        raise ApiError(fault(403, f"Policy doesn't allow {policy} to be performed."))


def _limit(call: Call) -> int:
    return call.page_limit(MAX_LIMIT)


def _hypervisor_id(call: Call, host: SbHost, index: int) -> str | int:
    return host.provider_uuid if call.version >= (2, 53) else index + 1


def _hypervisor(call: Call, index: int, detail: bool) -> dict[str, Any]:
    host = call.estate.hosts[index]
    body: dict[str, Any] = {
        "id": _hypervisor_id(call, host, index),
        "hypervisor_hostname": host.name,
        "state": "up",
        "status": "enabled",
    }
    if not detail:
        return body
    service_id = host.service_id if call.version >= (2, 53) else index + 1
    body.update(
        hypervisor_type="QEMU",
        hypervisor_version=8002000,
        host_ip=host.host_ip,
        service={"host": host.name, "id": service_id, "disabled_reason": None},
    )
    if call.version >= (2, 88):
        body["uptime"] = " 10:00:00 up 200 days,  1 user,  load average: 0.50, 0.40, 0.30"
        return body
    vcpus, ram, disk, vms = call.estate.host_usage()[index]
    cpu_info = {"arch": "x86_64", "model": "Cascadelake-Server", "vendor": "Intel",
                "topology": {"cores": 16, "threads": 2, "sockets": 2}, "features": []}  # fmt: skip
    body.update(
        vcpus=host.vcpus,
        memory_mb=host.ram_mib,
        local_gb=host.disk_gib,
        vcpus_used=vcpus,
        memory_mb_used=ram + host.reserved_ram_mib,
        local_gb_used=disk,
        free_ram_mb=host.ram_mib - ram - host.reserved_ram_mib,
        free_disk_gb=host.disk_gib - disk,
        current_workload=0,
        running_vms=vms,
        disk_available_least=host.disk_gib - disk,
        cpu_info=cpu_info if call.version >= (2, 28) else str(cpu_info),
    )
    return body


def hypervisors(call: Call, rest: list[str]) -> Response:
    _require_admin(call, "os_compute_api:os-hypervisors:list")
    e = call.estate
    rows = [i for i, h in enumerate(e.hosts) if h.region == call.region]
    detail = rest == ["detail"]
    if rest and not detail:
        index = next((i for i in rows if str(_hypervisor_id(call, e.hosts[i], i)) == rest[0]), None)
        if index is None:
            raise ApiError(fault(404, f"Hypervisor with ID {rest[0]} could not be found."))
        return json_response(200, {"hypervisor": _hypervisor(call, index, True)})
    pattern = call.req.arg("hypervisor_hostname_pattern")
    if pattern:
        rows = [i for i in rows if pattern in e.hosts[i].name]
    if call.version < (2, 33):
        return json_response(200, {"hypervisors": [_hypervisor(call, i, detail) for i in rows]})
    limit, marker = _limit(call), call.req.arg("marker")
    if marker is not None:
        ids = [str(_hypervisor_id(call, e.hosts[i], i)) for i in rows]
        if marker not in ids:
            raise ApiError(fault(400, f"marker [{marker}] not found"))
        rows = rows[ids.index(marker) + 1 :]
    page = rows[:limit]
    payload: dict[str, Any] = {"hypervisors": [_hypervisor(call, i, detail) for i in page]}
    ids = [str(_hypervisor_id(call, e.hosts[i], i)) for i in page]
    nxt = next_marker(ids, limit, marker, call.page_faults)
    if nxt is not None:
        url = f"{call.root_url}/v2.1/os-hypervisors" + ("/detail" if detail else "")
        payload["hypervisors_links"] = [next_link(url, call.req.query, nxt)]
    return json_response(200, payload)


def aggregates(call: Call, rest: list[str]) -> Response:
    _require_admin(call, "os_compute_api:os-aggregates:index")
    found = [a for a in call.estate.aggregates if a.region == call.region]
    bodies = []
    for a in found:
        body: dict[str, Any] = {
            "availability_zone": a.availability_zone,
            "created_at": nova_usec_time(0),
            "deleted": False,
            "deleted_at": None,
            "hosts": list(a.hosts),
            "id": a.id,
            "metadata": {"availability_zone": a.availability_zone} if a.availability_zone else {},
            "name": a.name,
            "updated_at": None,
        }
        if call.version >= (2, 41):
            body["uuid"] = a.uuid
        bodies.append(body)
    if rest:
        match = next((b for b in bodies if str(b["id"]) == rest[0]), None)
        if match is None or len(rest) > 1:
            raise ApiError(fault(404, f"Aggregate {rest[0]} could not be found."))
        return json_response(200, {"aggregate": match})
    return json_response(200, {"aggregates": bodies})


def availability_zones(call: Call, rest: list[str]) -> Response:
    hosts = call.estate.region_hosts(call.region)
    zones = list(dict.fromkeys(h.availability_zone for h in hosts))
    info: list[dict[str, Any]]
    if rest == ["detail"]:
        _require_admin(call, "os_compute_api:os-availability-zone:detail")
        updated = nova_usec_time(0)
        info = [
            {
                "zoneName": z,
                "zoneState": {"available": True},
                "hosts": {
                    h.name: {
                        "nova-compute": {"available": True, "active": True, "updated_at": updated}
                    }
                    for h in hosts
                    if h.availability_zone == z
                },
            }
            for z in zones
        ]
    elif not rest:
        info = [{"zoneName": z, "zoneState": {"available": True}, "hosts": None} for z in zones]
    else:
        raise ApiError(fault(404, "The resource could not be found."))
    return json_response(200, {"availabilityZoneInfo": info})


def _period(call: Call) -> tuple[float, float]:
    def parse(name: str, default: float) -> float:
        raw = call.req.arg(name)
        if not raw:
            return default
        for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"):
            try:
                return datetime.strptime(raw.rstrip("Z"), fmt).replace(tzinfo=UTC).timestamp()
            except ValueError:
                continue
        raise ApiError(fault(400, f"Invalid timestamp for date {raw}"))

    now = datetime.now(UTC).timestamp()
    start, end = parse("start", now - 86400), parse("end", now)
    if start > end:
        raise ApiError(
            fault(400, "Invalid start time. The start time cannot occur after the end time.")
        )
    return start, end


def _server_usage(call: Call, row: int, start: float, end: float) -> dict[str, Any] | None:
    e, s = call.estate, call.estate.servers
    if s.host[row] == NO_HOST:
        return None  # never ran: Nova counts only launched instances
    launched = EPOCH + s.created[row] + 30
    begin, stop = max(start, launched), end
    if begin >= stop:
        return None
    f = e.flavors[s.flavor[row]]
    hours = (stop - begin) / 3600
    return {
        "ended_at": None,
        "flavor": f.name,
        "hours": hours,
        "instance_id": e.server_ids.of(row),
        "local_gb": f.disk_gib,
        "memory_mb": f.ram_mib,
        "name": e.server_name(row),
        "started_at": nova_usec_time(s.created[row] + 30),
        "state": SERVER_STATUSES[s.status[row]].lower().replace("shutoff", "stopped"),
        "tenant_id": e.projects[s.project[row]].id,
        "uptime": int(end - launched),
        "vcpus": f.vcpus,
    }


def _tenant_totals(tenant_id: str, usages: list[dict[str, Any]], start: float, end: float,
                   detailed: bool) -> dict[str, Any]:  # fmt: skip
    fmt = "%Y-%m-%dT%H:%M:%S.%f"
    body: dict[str, Any] = {
        "start": datetime.fromtimestamp(start, UTC).strftime(fmt),
        "stop": datetime.fromtimestamp(end, UTC).strftime(fmt),
        "tenant_id": tenant_id,
        "total_hours": sum(u["hours"] for u in usages),
        "total_local_gb_usage": sum(u["hours"] * u["local_gb"] for u in usages),
        "total_memory_mb_usage": sum(u["hours"] * u["memory_mb"] for u in usages),
        "total_vcpus_usage": sum(u["hours"] * u["vcpus"] for u in usages),
    }
    if detailed:
        body["server_usages"] = usages
    return body


def simple_tenant_usage(call: Call, rest: list[str]) -> Response:
    e, req = call.estate, call.req
    start, end = _period(call)
    if rest:
        if not call.token.is_admin and rest[0] != call.token.project_id:
            _require_admin(call, "os_compute_api:os-simple-tenant-usage:show")
        index = e.project_index(call.region, rest[0])
        rows: Any = e.project_servers[index] if index is not None else []
    else:
        _require_admin(call, "os_compute_api:os-simple-tenant-usage:list")
        rows = e.region_servers[call.region]
    paged = call.version >= (2, 40)
    limit = _limit(call) if paged else len(rows)
    marker = req.arg("marker") if paged else None
    marker_row = e.server_ids.index(marker) if marker else None
    if marker and marker_row is None:
        raise ApiError(fault(400, f"marker [{marker}] not found"))
    page = take_page(
        rows, marker_row, limit, lambda r: _server_usage(call, r, start, end) is not None
    )
    by_tenant: dict[str, list[dict[str, Any]]] = {}
    for row in page:
        usage = _server_usage(call, row, start, end)
        assert usage is not None
        by_tenant.setdefault(usage["tenant_id"], []).append(usage)
    detailed = bool(req.arg("detailed") and req.arg("detailed") != "0") or bool(rest)
    ids = [e.server_ids.of(r) for r in page]
    nxt = next_marker(ids, limit, marker, call.page_faults) if paged else None
    if rest:
        usages = by_tenant.get(rest[0], [])
        payload: dict[str, Any] = {
            "tenant_usage": _tenant_totals(rest[0], usages, start, end, True) if usages else {}
        }
        links_key, url = (
            "tenant_usage_links",
            f"{call.root_url}/v2.1/os-simple-tenant-usage/{rest[0]}",
        )
    else:
        payload = {
            "tenant_usages": [
                _tenant_totals(t, u, start, end, detailed) for t, u in by_tenant.items()
            ]
        }
        links_key, url = "tenant_usages_links", f"{call.root_url}/v2.1/os-simple-tenant-usage"
    if nxt is not None:
        payload[links_key] = [next_link(url, req.query, nxt)]
    return json_response(200, payload)


ROUTES: dict[str, Callable[[Call, list[str]], Response]] = {
    "os-hypervisors": hypervisors,
    "os-aggregates": aggregates,
    "os-availability-zone": availability_zones,
    "os-simple-tenant-usage": simple_tenant_usage,
}
