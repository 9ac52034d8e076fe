"""Nova server bodies per microversion, as a dict (show) or as pre-templated JSON (listings).

A listing page holds up to 1,000 servers; building and encoding 1,000 dicts of ~45 keys costs
more than the injected latency the benchmarks measure. The JSON layout of a server depends only
on (microversion, admin, show, status), so each layout is rendered once with placeholders and a
row only fills in its values.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import EPOCH, NO_HOST, NO_SYSTEM, SERVER_STATUSES, Estate

_VM_STATES = {
    "ACTIVE": ("active", 1),
    "SHUTOFF": ("stopped", 4),
    "ERROR": ("error", 0),
    "SHELVED_OFFLOADED": ("shelved_offloaded", 4),
    "DELETED": ("deleted", 0),
}
_encode = json.JSONEncoder(separators=(",", ":")).encode
_PLACEHOLDER = re.compile(r'"@@(\w+)@@"')
# values that are plain ASCII without quotes or backslashes: no JSON escaping needed
_SAFE = frozenset(
    ("id", "tenant_id", "user_id", "host_id", "created", "updated", "self", "bookmark", "az",
     "instance_name", "reservation_id", "hostname")
)  # fmt: skip
Layout = tuple[tuple[int, int], bool, bool, str]


@lru_cache(maxsize=4096)
def _day(day: int) -> str:
    return datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")


def _clock(offset_s: int) -> str:
    """`YYYY-MM-DDTHH:MM:SS` without strftime per row (a listing formats thousands)."""
    t = EPOCH + offset_s
    sec = t % 86400
    return f"{_day(t // 86400)}{sec // 3600:02d}:{sec % 3600 // 60:02d}:{sec % 60:02d}"


def nova_time(offset_s: int) -> str:
    return f"{_clock(offset_s)}Z"


def nova_usec_time(offset_s: int) -> str:
    return f"{_clock(offset_s)}.000000"


def fixed_ip(estate: Estate, row: int) -> str:
    project = estate.servers.project[row]
    return f"10.{project % 250}.{(row >> 8) & 255}.{row & 255 or 1}"


def has_port(estate: Estate, row: int) -> bool:
    """Whether a server row has a Neutron port (and so a fixed address): all but ERROR servers
    that were never scheduled."""
    s = estate.servers
    return not (SERVER_STATUSES[s.status[row]] == "ERROR" and s.host[row] == NO_HOST)


def mac_address(row: int) -> str:
    return f"fa:16:3e:{(row >> 16) & 255:02x}:{(row >> 8) & 255:02x}:{row & 255:02x}"


def flavor_ref(call: Call, flavor_index: int) -> dict[str, Any]:
    f = call.estate.flavors[flavor_index]
    if call.version >= (2, 47):
        return {
            "vcpus": f.vcpus,
            "ram": f.ram_mib,
            "disk": f.disk_gib,
            "ephemeral": 0,
            "swap": 0,
            "original_name": f.name,
            "extra_specs": dict(f.extra_specs),
        }
    href = f"{call.root_url}/flavors/{f.id}"
    return {"id": f.id, "links": [{"rel": "bookmark", "href": href}]}


def _values(call: Call, row: int) -> tuple[str, dict[str, Any]]:
    """The row's status and every value of its body that differs between rows."""
    e, s = call.estate, call.estate.servers
    project = e.projects[s.project[row]]
    server_id = e.server_ids.of(row)
    host = e.hosts[s.host[row]] if s.host[row] != NO_HOST else None
    system = s.system[row]
    address = {"version": 4, "addr": fixed_ip(e, row), "OS-EXT-IPS:type": "fixed",
               "OS-EXT-IPS-MAC:mac_addr": mac_address(row)}  # fmt: skip
    values = {
        "id": server_id,
        "name": e.server_name(row),
        "tenant_id": project.id,
        "user_id": call.identity.project_user_ids.get(project.id, ""),
        "metadata": {} if system == NO_SYSTEM else {"business_system": e.system_codes[system]},
        "host_id": hashlib.sha224(f"{project.id}{host.name}".encode()).hexdigest() if host else "",
        "flavor": s.flavor[row],
        "created": nova_time(s.created[row]),
        "updated": nova_time(s.updated[row]),
        # a server that never got a host never got a port either
        "addresses": {f"{project.name}-net": [address]} if has_port(e, row) else {},
        "self": f"{call.root_url}/v2.1/servers/{server_id}",
        "bookmark": f"{call.root_url}/servers/{server_id}",
        "az": host.availability_zone if host else "",
        "launched_at": nova_usec_time(s.created[row] + 30) if host else None,
        "volumes": [e.volume_ids.of(vol) for vol in e.server_volumes.get(row, ())],
        "host": host.name if host else None,
        "instance_name": f"instance-{row + 1:08x}",
        "reservation_id": f"r-{row:08x}",
        "hostname": f"vm-{server_id[:8]}",
    }
    return SERVER_STATUSES[s.status[row]], values


def _assemble(call: Call, layout: Layout, val: dict[str, Any]) -> dict[str, Any]:
    admin, status = layout[1], layout[3]
    vm_state, power_state = _VM_STATES[status]
    attached = val["volumes"]
    body: dict[str, Any] = {
        "id": val["id"],
        "name": val["name"],
        "status": status,
        "tenant_id": val["tenant_id"],
        "user_id": val["user_id"],
        "metadata": val["metadata"],
        "hostId": val["host_id"],
        "image": "",
        "flavor": val["flavor"],
        "created": val["created"],
        "updated": val["updated"],
        "addresses": val["addresses"],
        "accessIPv4": "",
        "accessIPv6": "",
        "links": [
            {"rel": "self", "href": val["self"]},
            {"rel": "bookmark", "href": val["bookmark"]},
        ],
        "OS-DCF:diskConfig": "MANUAL",
        "progress": 0,
        "OS-EXT-AZ:availability_zone": val["az"],
        "config_drive": "",
        "key_name": None,
        "OS-SRV-USG:launched_at": val["launched_at"],
        "OS-SRV-USG:terminated_at": val.get("terminated_at"),
        "security_groups": [{"name": "default"}],
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:vm_state": vm_state,
        "OS-EXT-STS:power_state": power_state,
        "os-extended-volumes:volumes_attached": attached,
    }
    if admin:
        body["OS-EXT-SRV-ATTR:host"] = val["host"]
        body["OS-EXT-SRV-ATTR:hypervisor_hostname"] = val["host"]
        body["OS-EXT-SRV-ATTR:instance_name"] = val["instance_name"]
    _versioned_fields(body, layout, val)
    if status == "ERROR":
        body["fault"] = {
            "code": 500,
            "created": val["updated"],
            "message": "No valid host was found. ",
        }
    return body


def _versioned_fields(body: dict[str, Any], layout: Layout, val: dict[str, Any]) -> None:
    v, admin, show, _ = layout
    if v >= (2, 3) and admin:
        body["OS-EXT-SRV-ATTR:reservation_id"] = val["reservation_id"]
        body["OS-EXT-SRV-ATTR:launch_index"] = 0
        body["OS-EXT-SRV-ATTR:kernel_id"] = ""
        body["OS-EXT-SRV-ATTR:ramdisk_id"] = ""
        body["OS-EXT-SRV-ATTR:root_device_name"] = "/dev/vda"
        body["OS-EXT-SRV-ATTR:user_data"] = None
    if v >= (2, 3) and (admin or v >= (2, 90)):
        body["OS-EXT-SRV-ATTR:hostname"] = val["hostname"]
    optional: list[tuple[tuple[int, int], str, Any]] = [
        ((2, 9), "locked", False), ((2, 19), "description", None), ((2, 26), "tags", []),
        ((2, 63), "trusted_image_certificates", None), ((2, 73), "locked_reason", None),
        ((2, 96), "pinned_availability_zone", None),
    ]  # fmt: skip
    for since, key, default in optional:
        if v >= since:
            body[key] = default
    if v >= (2, 16) and admin:
        body["host_status"] = "UP"
    if v >= (2, 71) and show:
        body["server_groups"] = []


def _attached(call: Call, volume_ids: list[str]) -> list[dict[str, Any]]:
    if call.version < (2, 3):
        return [{"id": i} for i in volume_ids]
    return [{"id": i, "delete_on_termination": False} for i in volume_ids]


def deleted_server_body(call: Call, index: int) -> dict[str, Any]:
    """A server deleted before the present, as `changes-since` listings show it."""
    e, d = call.estate, call.estate.deleted
    project = e.projects[d.project[index]]
    server_id = e.deleted_id(index)
    val: dict[str, Any] = {
        "id": server_id,
        "name": f"vm-deleted-{index:05d}",
        "tenant_id": project.id,
        "user_id": call.identity.project_user_ids.get(project.id, ""),
        "metadata": {},
        "host_id": "",
        "flavor": flavor_ref(call, d.flavor[index]),
        "created": nova_time(d.created[index]),
        "updated": nova_time(d.deleted[index]),
        "addresses": {},
        "self": f"{call.root_url}/v2.1/servers/{server_id}",
        "bookmark": f"{call.root_url}/servers/{server_id}",
        "az": "",
        "launched_at": nova_usec_time(d.created[index] + 30),
        "terminated_at": nova_usec_time(d.deleted[index]),
        "volumes": [],
        "host": None,
        "instance_name": f"instance-d{index:07x}",
        "reservation_id": f"r-d{index:07x}",
        "hostname": f"vm-{server_id[:8]}",
    }
    return _assemble(call, (call.version, call.token.is_admin, False, "DELETED"), val)


def server_body(call: Call, row: int, *, show: bool = False) -> dict[str, Any]:
    status, val = _values(call, row)
    val["flavor"] = flavor_ref(call, val["flavor"])
    val["volumes"] = _attached(call, val["volumes"])
    return _assemble(call, (call.version, call.token.is_admin, show, status), val)


@lru_cache(maxsize=512)
def _template(layout: Layout) -> tuple[str, ...]:
    """The layout's JSON split into literal text and placeholder names, alternating."""
    keys = ("id", "name", "tenant_id", "user_id", "metadata", "host_id", "flavor", "created",
            "updated", "addresses", "self", "bookmark", "az", "launched_at", "volumes", "host",
            "instance_name", "reservation_id", "hostname")  # fmt: skip
    rendered = json.dumps(_assemble_placeholders(layout, keys), separators=(",", ":"))
    return tuple(_PLACEHOLDER.split(rendered))


def _assemble_placeholders(layout: Layout, keys: tuple[str, ...]) -> dict[str, Any]:
    return _assemble(None, layout, {k: f"@@{k}@@" for k in keys})  # type: ignore[arg-type]


def server_json(call: Call, row: int, flavor_json: dict[int, str]) -> str:
    """One server of a listing as JSON text; `flavor_json` caches flavors for this page."""
    status, val = _values(call, row)
    parts = _template((call.version, call.token.is_admin, False, status))
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        key = parts[i]
        value = val[key]
        if key == "flavor":
            text = flavor_json.get(value)
            if text is None:
                text = flavor_json[value] = _encode(flavor_ref(call, value))
        elif key == "volumes":
            text = _encode(_attached(call, value))
        elif key in _SAFE:
            text = f'"{value}"'
        else:
            text = _encode(value)
        out.append(text)
        out.append(parts[i + 1])
    return "".join(out)
