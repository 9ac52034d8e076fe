"""Placement (microversions 1.0-1.39): resource providers, inventories, usages, aggregates,
allocations (in `placement_allocations`)."""

from __future__ import annotations

from typing import Any

from govcloud.sandbox import placement_allocations
from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import NO_HOST, SbHost
from govcloud.sandbox.microversion import VersionRange
from govcloud.sandbox.wire import ApiError, Response, json_response, placement_error

VERSIONS = VersionRange("placement", (1, 0), (1, 39))
GENERATION = placement_allocations.GENERATION
STANDARD_CLASSES = ("VCPU", "MEMORY_MB", "DISK_GB", "PCI_DEVICE", "SRIOV_NET_VF", "VGPU")


def versions() -> Response:
    doc = {
        "id": "v1.0",
        "max_version": VERSIONS.text(VERSIONS.maximum),
        "min_version": VERSIONS.text(VERSIONS.minimum),
        "status": "CURRENT",
        "links": [{"rel": "self", "href": ""}],
    }
    return json_response(200, {"versions": [doc]})


def _error(call: Call, status: int, detail: str) -> ApiError:
    return ApiError(placement_error(status, detail, call.req.headers.get("x-request-id", "")))


def handle(call: Call, parts: list[str]) -> Response:
    if not call.token.is_admin:
        raise _error(call, 403, "Access was denied to this resource.")
    if call.req.method != "GET":
        raise _error(call, 405, "The method specified is not allowed for this resource.")
    v = call.version
    if parts == ["resource_providers"]:
        return _providers(call)
    if parts[:1] == ["resource_providers"] and len(parts) == 3 and parts[2] == "allocations":
        found = _find_host(call, parts[1])
        if found is None:
            raise _error(call, 404, f"Resource provider '{parts[1]}' not found: "
                         f"No resource provider with uuid {parts[1]} found")  # fmt: skip
        return placement_allocations.for_provider(call, *found)
    if parts[:1] == ["resource_providers"] and len(parts) >= 2:
        return _provider(call, _host(call, parts[1]), parts[2:])
    if parts[:1] == ["allocations"] and len(parts) == 2:
        return placement_allocations.for_consumer(call, parts[1])
    if parts == ["usages"] and v >= (1, 9):
        return _project_usages(call)
    if parts == ["resource_classes"] and v >= (1, 2):
        classes = [{"name": n, "links": [{"rel": "self", "href": f"/resource_classes/{n}"}]}
                   for n in STANDARD_CLASSES]  # fmt: skip
        return json_response(200, {"resource_classes": classes})
    raise _error(call, 404, "The resource could not be found.")


def _find_host(call: Call, uuid: str) -> tuple[int, SbHost] | None:
    for i, h in enumerate(call.estate.hosts):
        if h.provider_uuid == uuid and h.region == call.region:
            return i, h
    return None


def _host(call: Call, uuid: str) -> tuple[int, SbHost]:
    found = _find_host(call, uuid)
    if found is None:
        raise _error(call, 404, f"No resource provider with uuid {uuid} found")
    return found


def _aggregate_uuids(call: Call, host: SbHost) -> list[str]:
    return [a.uuid for a in call.estate.aggregates if host.name in a.hosts]


def _provider_body(call: Call, host: SbHost) -> dict[str, Any]:
    base = f"{call.root_url}/resource_providers/{host.provider_uuid}"
    path = base[len(call.req.base_url) :]
    links = [{"rel": "self", "href": path}, {"rel": "inventories", "href": f"{path}/inventories"},
             {"rel": "usages", "href": f"{path}/usages"}]  # fmt: skip
    v = call.version
    if v >= (1, 1):
        links.append({"rel": "aggregates", "href": f"{path}/aggregates"})
    if v >= (1, 6):
        links.append({"rel": "traits", "href": f"{path}/traits"})
    if v >= (1, 11):
        links.append({"rel": "allocations", "href": f"{path}/allocations"})
    body: dict[str, Any] = {
        "generation": GENERATION,
        "uuid": host.provider_uuid,
        "name": host.name,
        "links": links,
    }
    if v >= (1, 14):
        body["parent_provider_uuid"] = None
        body["root_provider_uuid"] = host.provider_uuid
    return body


def _providers(call: Call) -> Response:
    hosts = call.estate.region_hosts(call.region)
    name, uuid = call.req.arg("name"), call.req.arg("uuid")
    member_of = call.req.arg("member_of")
    if name is not None:
        hosts = [h for h in hosts if h.name == name]
    if uuid is not None:
        hosts = [h for h in hosts if h.provider_uuid == uuid]
    if member_of is not None:
        if call.version < (1, 3):
            raise _error(call, 400, "Invalid query string parameters: 'member_of' was unexpected")
        wanted = set(member_of.removeprefix("in:").split(","))
        hosts = [h for h in hosts if wanted & set(_aggregate_uuids(call, h))]
    return json_response(200, {"resource_providers": [_provider_body(call, h) for h in hosts]})


def _inventories(host: SbHost) -> dict[str, dict[str, Any]]:
    def inv(total: int, reserved: int, ratio: float) -> dict[str, Any]:
        return {"allocation_ratio": ratio, "max_unit": total, "min_unit": 1,
                "reserved": reserved, "step_size": 1, "total": total}  # fmt: skip

    return {
        "VCPU": inv(host.vcpus, 0, host.cpu_ratio),
        "MEMORY_MB": inv(host.ram_mib, host.reserved_ram_mib, host.ram_ratio),
        "DISK_GB": inv(host.disk_gib, 0, host.disk_ratio),
    }


def _provider(call: Call, found: tuple[int, SbHost], rest: list[str]) -> Response:
    index, host = found
    if not rest:
        return json_response(200, _provider_body(call, host))
    if rest == ["inventories"]:
        return json_response(
            200, {"resource_provider_generation": GENERATION, "inventories": _inventories(host)}
        )
    if rest[0] == "inventories" and len(rest) == 2:
        inventory = _inventories(host).get(rest[1])
        if inventory is None:
            raise _error(call, 404, f"No inventory of class {rest[1]} for {host.provider_uuid}")
        return json_response(200, {"resource_provider_generation": GENERATION, **inventory})
    if rest == ["usages"]:
        vcpus, ram, disk, _ = call.estate.host_usage()[index]
        usages = {"VCPU": vcpus, "MEMORY_MB": ram, "DISK_GB": disk}
        return json_response(200, {"resource_provider_generation": GENERATION, "usages": usages})
    if rest == ["aggregates"] and call.version >= (1, 1):
        body: dict[str, Any] = {"aggregates": _aggregate_uuids(call, host)}
        if call.version >= (1, 19):
            body["resource_provider_generation"] = GENERATION
        return json_response(200, body)
    raise _error(call, 404, "The resource could not be found.")


def _project_usages(call: Call) -> Response:
    project_id = call.req.arg("project_id")
    if not project_id:
        raise _error(
            call, 400, "Invalid query string parameters: 'project_id' is a required property"
        )
    e, s = call.estate, call.estate.servers
    totals = {"VCPU": 0, "MEMORY_MB": 0, "DISK_GB": 0}
    consumers = 0
    index = e.project_index(call.region, project_id)
    user_id = call.req.arg("user_id")
    for row in e.project_servers[index] if index is not None and not user_id else ():
        if s.host[row] == NO_HOST:
            continue  # never scheduled: no allocations
        f = e.flavors[s.flavor[row]]
        consumers += 1
        totals["VCPU"] += f.vcpus
        totals["MEMORY_MB"] += f.ram_mib
        totals["DISK_GB"] += f.disk_gib
    if not consumers:
        totals = {}
    if call.version < (1, 38):
        return json_response(200, {"usages": totals})
    grouped = {"INSTANCE": {"consumer_count": consumers, **totals}} if consumers else {}
    if call.req.arg("consumer_type") == "all":
        grouped = {"all": {"consumer_count": consumers, **totals}}
    return json_response(200, {"usages": grouped})
