"""Neutron (networking API v2.0) subset: networks, subnets, ports, floating IPs, security
groups and rules, quotas with usage (`quota_details`), extensions.

Errors use Neutron's body, `{"NeutronError": {"type", "message", "detail"}}`. Administrators
see every project's resources; others see their own (and shared or external networks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govcloud.sandbox import neutron_quotas
from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import NO_HOST, SERVER_STATUSES
from govcloud.sandbox.neutron_estate import NetworkEstate, SbGroup, SbRule, network_estate
from govcloud.sandbox.neutron_list import listing, neutron_error, neutron_time
from govcloud.sandbox.server_body import fixed_ip, has_port, mac_address
from govcloud.sandbox.wire import ApiError, Response, json_response

EXTENSIONS = (
    ("quotas", "Quota management support", "Expose functions for quotas management per project"),
    ("quota_details", "Quota details management support",
     "Expose functions for quotas usage statistics per project"),
    ("standard-attr-timestamp", "Resource timestamps",
     "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard "
     "attributes."),
    ("standard-attr-revisions", "Resource revision numbers",
     "This extension will display the revision number of neutron resources."),
    ("router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 "
     "Neutron networks and access to external networks via a NAT gateway."),
    ("external-net", "Neutron external network", "Adds external network attribute to network "
     "resource."),
    ("security-group", "security-group", "The security groups extension."),
    ("binding", "Port Binding", "Expose port bindings of a virtual port to external application"),
    ("project-id", "project_id field enabled", "Extension that indicates that project_id field "
     "is enabled."),
    ("pagination", "Pagination support", "Extension that indicates that pagination is enabled."),
    ("fip-port-details", "Floating IP Port Details Extension",
     "Add port_details attribute to Floating IP resource"),
)  # fmt: skip
_RESOURCES = ("network", "subnet", "port", "floatingip", "router", "security_group",
              "security_group_rule")  # fmt: skip


def versions(root_url: str) -> Response:
    doc = {
        "id": "v2.0",
        "status": "CURRENT",
        "links": [{"href": f"{root_url}/v2.0/", "rel": "self"}],
    }
    return json_response(200, {"versions": [doc]})


def not_found() -> Response:
    return neutron_error(404, "HTTPNotFound", "The resource could not be found.").response


def handle(call: Call, parts: list[str]) -> Response:
    """`parts`: path segments after `/v2.0` (a `.json` suffix dropped)."""
    if parts and parts[-1].endswith(".json"):
        parts = [*parts[:-1], parts[-1].removesuffix(".json")]
    method = call.req.method
    if not parts:
        resources = [{"name": r, "collection": f"{r}s".replace("_", "-"),
                      "links": [{"href": f"{call.root_url}/v2.0/{r}s", "rel": "self"}]}
                     for r in _RESOURCES]  # fmt: skip
        return json_response(200, {"resources": resources})
    head = parts[0]
    if head == "quotas":
        return neutron_quotas.handle(call, parts[1:])
    if method != "GET":
        raise neutron_error(405, "HTTPMethodNotAllowed", "The method is not allowed.")
    if parts == ["extensions"]:
        return json_response(200, {"extensions": [_extension(e) for e in EXTENSIONS]})
    if head == "extensions" and len(parts) == 2:
        for ext in EXTENSIONS:
            if ext[0] == parts[1]:
                return json_response(200, {"extension": _extension(ext)})
        raise neutron_error(404, "HTTPNotFound", f"Extension with alias {parts[1]} does not exist")
    n = network_estate(call.estate)
    routes = {
        "networks": _networks, "subnets": _subnets, "ports": _ports,
        "floatingips": _floatingips, "security-groups": _groups, "security-group-rules": _rules,
    }  # fmt: skip
    if head in routes and len(parts) == 1:
        return routes[head](call, n, None)
    if head in routes and len(parts) == 2:
        return routes[head](call, n, parts[1])
    raise neutron_error(404, "HTTPNotFound", "The resource could not be found.")


def _extension(ext: tuple[str, str, str]) -> dict[str, Any]:
    alias, name, description = ext
    return {"alias": alias, "name": name, "description": description,
            "updated": "2013-01-20T00:00:00-00:00", "links": []}  # fmt: skip


def _visible(call: Call, project: int | None) -> bool:
    if call.token.is_admin:
        return True
    return project is not None and call.estate.projects[project].id == call.token.project_id


def _project_id(call: Call, project: int | None) -> str:
    return (
        call.estate.projects[project].id if project is not None else call.identity.admin_project_id
    )


def _std(call: Call, project: int | None, created: int, updated: int) -> dict[str, Any]:
    pid = _project_id(call, project)
    return {"tenant_id": pid, "project_id": pid, "created_at": neutron_time(created),
            "updated_at": neutron_time(updated), "revision_number": 1, "description": "",
            "tags": []}  # fmt: skip


_NOT_FOUND = {  # resource -> (error type, message with {id})
    "network": ("NetworkNotFound", "Network {id} could not be found."),
    "subnet": ("SubnetNotFound", "Subnet {id} could not be found."),
    "port": ("PortNotFound", "Port {id} could not be found."),
    "floatingip": ("FloatingIPNotFound", "Floating IP {id} could not be found"),
    "security_group": ("SecurityGroupNotFound", "Security group {id} does not exist"),
    "security_group_rule": ("SecurityGroupRuleNotFound", "Security group rule {id} does not exist"),
}


def _not_found(resource: str, wanted: str) -> ApiError:
    kind, message = _NOT_FOUND[resource]
    return neutron_error(404, kind, message.format(id=wanted))


def _lost_marker(resource: str) -> Callable[[str], ApiError] | None:
    """The error for an unknown marker (floating IPs ignore it and list from the start)."""
    return None if resource == "floatingip" else lambda marker: _not_found(resource, marker)


def _show(
    resource: str, wanted: str, key: int | None, body: Callable[[int], dict[str, Any]]
) -> Response:
    """One resource (KEY: its key if it exists and the caller may see it) or Neutron's 404."""
    if key is None:
        raise _not_found(resource, wanted)
    return json_response(200, {resource: body(key)})


def _collection(
    call: Call,
    resource: str,
    one: str | None,
    keys: list[int],
    body: Callable[[int], dict[str, Any]],
    key_of: Callable[[str], int | None],
    changed: Callable[[int], int] | None = None,
) -> Response:
    """A listing of visible KEYS, or one of them when ONE (an id) is given."""
    if one is not None:
        key = key_of(one)
        return _show(resource, one, key if key in set(keys) else None, body)
    attributes = body(keys[0]) if keys else {}
    return listing(call, f"{resource}s", keys, body, key_of, changed=changed,
                   changed_since=call.neutron_changed_since, attributes=attributes,
                   missing_marker=_lost_marker(resource))  # fmt: skip


def _id_key(ids: list[str]) -> Any:
    where = {x: i for i, x in enumerate(ids)}
    return where.get


# networks and subnets


def _network_body(call: Call, n: NetworkEstate, index: int) -> dict[str, Any]:
    net = n.networks[index]
    body = {
        "id": net.id, "name": net.name, "admin_state_up": True, "status": "ACTIVE",
        "subnets": [net.subnet_id], "shared": False, "router:external": net.external,
        "mtu": 1500 if net.external else 1450, "availability_zone_hints": [],
        "availability_zones": [], "ipv4_address_scope": None, "ipv6_address_scope": None,
        "port_security_enabled": True, "qinq": False, "vlan_transparent": False,
        **_std(call, net.project, net.created, net.created),
    }  # fmt: skip
    if net.external:  # Neutron's external-net extension adds it to external networks only
        body["is_default"] = False
    if call.token.is_admin:
        body.update(
            {
                "provider:network_type": "flat" if net.external else "vxlan",
                "provider:physical_network": "public" if net.external else None,
                "provider:segmentation_id": None if net.external else 1000 + index,
            }
        )
    return body


def _networks(call: Call, n: NetworkEstate, one: str | None) -> Response:
    keys = [i for i, net in enumerate(n.networks) if net.region == call.region
            and (net.external or _visible(call, net.project))]  # fmt: skip
    return _collection(call, "network", one, keys, lambda i: _network_body(call, n, i),
                       _id_key([x.id for x in n.networks]))  # fmt: skip


def _subnet_body(call: Call, n: NetworkEstate, index: int) -> dict[str, Any]:
    net = n.networks[index]
    prefix = net.gateway.rsplit(".", 2)[0] if not net.external else "198.18"
    end = f"{prefix}.255.252" if not net.external else "198.19.255.254"
    return {
        "id": net.subnet_id, "name": f"{net.name}-subnet", "network_id": net.id, "ip_version": 4,
        "cidr": net.cidr, "gateway_ip": net.gateway,
        "allocation_pools": [{"start": f"{prefix}.0.2", "end": end}],
        "dns_nameservers": [], "host_routes": [], "enable_dhcp": not net.external,
        "ipv6_ra_mode": None, "ipv6_address_mode": None, "subnetpool_id": None,
        "service_types": [], "router:external": net.external,
        **_std(call, net.project, net.created, net.created),
    }  # fmt: skip


def _subnets(call: Call, n: NetworkEstate, one: str | None) -> Response:
    keys = [i for i, net in enumerate(n.networks) if net.region == call.region
            and (net.external or _visible(call, net.project))]  # fmt: skip
    return _collection(call, "subnet", one, keys, lambda i: _subnet_body(call, n, i),
                       _id_key([x.subnet_id for x in n.networks]))  # fmt: skip


# ports


def _port_common(call: Call, key: int, net_index: int) -> dict[str, Any]:
    n = network_estate(call.estate)
    net = n.networks[net_index]
    return {"id": n.port_ids.of(key), "name": "", "network_id": net.id, "admin_state_up": True,
            "allowed_address_pairs": [], "extra_dhcp_opts": [], "binding:vnic_type": "normal",
            "port_security_enabled": True, "subnet": net.subnet_id}  # fmt: skip


def _port_body(call: Call, n: NetworkEstate, key: int) -> dict[str, Any]:
    e, s = call.estate, call.estate.servers
    admin = call.token.is_admin
    if key < len(s):
        project = s.project[key]
        net_index = n.project_network[project]
        body = _port_common(call, key, net_index)
        host = e.hosts[s.host[key]] if s.host[key] != NO_HOST else None
        groups = n.project_groups[project]
        chosen = [n.groups[groups[0]].id] + (
            [n.groups[g].id for g in groups[1:]] if key % 3 == 0 else []
        )
        body.update(
            mac_address=mac_address(key),
            status="ACTIVE" if SERVER_STATUSES[s.status[key]] == "ACTIVE" else "DOWN",
            device_id=e.server_ids.of(key),
            device_owner=f"compute:{host.availability_zone if host else 'nova'}",
            fixed_ips=[{"subnet_id": body.pop("subnet"), "ip_address": fixed_ip(e, key)}],
            security_groups=chosen,
            **_std(call, project, s.created[key] + 20, s.updated[key]),
        )
        if admin:
            body.update({"binding:host_id": host.name if host else "",
                         "binding:vif_type": "ovs" if host else "unbound",
                         "binding:profile": {}, "binding:vif_details": {}})  # fmt: skip
        return body
    extra = n.extra_ports[key - len(s)]
    body = _port_common(call, key, extra.network)
    body.update(
        mac_address=f"fa:16:3f:{(key >> 16) & 255:02x}:{(key >> 8) & 255:02x}:{key & 255:02x}",
        status="ACTIVE",
        device_id=extra.device_id,
        device_owner=extra.owner,
        fixed_ips=[{"subnet_id": body.pop("subnet"), "ip_address": extra.address}],
        security_groups=[],
        **_std(call, extra.project, extra.created, extra.created),
    )
    if admin:
        body.update({"binding:host_id": "", "binding:vif_type": "unbound",
                     "binding:profile": {}, "binding:vif_details": {}})  # fmt: skip
    return body


def _port_keys(call: Call, n: NetworkEstate) -> tuple[list[int], list[str]]:
    """Candidate port keys in the region, narrowed by device_id / project_id / network_id."""
    e, req, s = call.estate, call.req, call.estate.servers
    consumed: list[str] = []
    device = [v for k, v in req.query if k == "device_id"]
    projects = [v for k, v in req.query if k in ("project_id", "tenant_id")]
    own = e.project_by_id.get(call.token.project_id)
    if device:
        consumed.append("device_id")
        rows = sorted(r for d in device if (r := e.server_row(call.region, d)) is not None)
        keys = [r for r in rows if has_port(e, r)]
        keys += [len(s) + i for i, x in enumerate(n.extra_ports) if x.device_id in device]
    elif projects:
        indexes = [i for p in projects if (i := e.project_index(call.region, p)) is not None]
        keys = sorted(r for i in indexes for r in e.project_servers[i] if has_port(e, r))
        keys += [len(s) + k for k, x in enumerate(n.extra_ports) if x.project in indexes]
    else:
        keys = [r for r in e.region_servers[call.region] if has_port(e, r)]
        keys += [len(s) + k for k, x in enumerate(n.extra_ports)
                 if n.networks[x.network].region == call.region]  # fmt: skip
    if projects and not device:
        consumed += ["project_id", "tenant_id"]
    if not call.token.is_admin:  # others' ports are invisible, whatever the filters say
        keys = [k for k in keys if _port_project(call, n, k) == own]
    return keys, consumed


def _port_project(call: Call, n: NetworkEstate, key: int) -> int:
    s = call.estate.servers
    return s.project[key] if key < len(s) else n.extra_ports[key - len(s)].project


def _ports(call: Call, n: NetworkEstate, one: str | None) -> Response:
    e = call.estate
    total = len(e.servers) + len(n.extra_ports)

    def key_of(port_id: str) -> int | None:
        key = n.port_ids.index(port_id)
        return key if key is not None and key < total else None

    def body(key: int) -> dict[str, Any]:
        return _port_body(call, n, key)

    if one is not None:
        key = key_of(one)
        seen = key is not None and _visible(call, _port_project(call, n, key))
        here = key is not None and (
            e.projects[_port_project(call, n, key)].region == call.region
            and (key >= len(e.servers) or has_port(e, key))
        )
        return _show("port", one, key if seen and here else None, body)
    keys, consumed = _port_keys(call, n)

    def changed(key: int) -> int:
        s = e.servers
        return s.updated[key] if key < len(s) else n.extra_ports[key - len(s)].created

    sample = body(len(e.servers)) if n.extra_ports else {}
    return listing(call, "ports", keys, body, key_of, consumed=consumed, changed=changed,
                   changed_since=call.neutron_changed_since, attributes=sample,
                   missing_marker=_lost_marker("port"))  # fmt: skip


# floating IPs


def _fip_body(call: Call, n: NetworkEstate, index: int) -> dict[str, Any]:
    e = call.estate
    f = n.floating_ips[index]
    port_id = n.port_ids.of(f.server) if f.server is not None else None
    body: dict[str, Any] = {
        "id": f.id, "floating_ip_address": f.address,
        "floating_network_id": n.networks[f.network].id, "router_id": f.router,
        "port_id": port_id,
        "fixed_ip_address": fixed_ip(e, f.server) if f.server is not None else None,
        "status": "ACTIVE" if f.server is not None else "DOWN", "port_forwardings": [],
        **_std(call, f.project, f.created, f.updated),
    }  # fmt: skip
    if f.server is not None:
        s = e.servers
        body["port_details"] = {
            "name": "", "network_id": n.networks[n.project_network[f.project]].id,
            "mac_address": mac_address(f.server), "admin_state_up": True,
            "status": "ACTIVE" if SERVER_STATUSES[s.status[f.server]] == "ACTIVE" else "DOWN",
            "device_id": e.server_ids.of(f.server),
            "device_owner": _port_body(call, n, f.server)["device_owner"],
        }  # fmt: skip
    else:
        body["port_details"] = None
    return body


def _floatingips(call: Call, n: NetworkEstate, one: str | None) -> Response:
    keys = [i for i, f in enumerate(n.floating_ips)
            if f.region == call.region and _visible(call, f.project)]  # fmt: skip
    return _collection(call, "floatingip", one, keys, lambda i: _fip_body(call, n, i),
                       _id_key([f.id for f in n.floating_ips]),
                       changed=lambda i: n.floating_ips[i].updated)  # fmt: skip


# security groups


def _rule_body(call: Call, g: SbGroup, r: SbRule) -> dict[str, Any]:
    return {
        "id": r.id, "security_group_id": g.id, "direction": r.direction, "ethertype": r.ethertype,
        "protocol": r.protocol, "port_range_min": r.port_min, "port_range_max": r.port_max,
        "remote_ip_prefix": r.remote_ip_prefix, "remote_group_id": r.remote_group_id,
        "remote_address_group_id": None, "normalized_cidr": r.remote_ip_prefix,
        "belongs_to_default_sg": None, "standard_attr_id": _standard_attr_id(r.id),
        **_std(call, g.project, g.created, g.created), "description": None,
    }  # fmt: skip


def _standard_attr_id(uuid_text: str) -> int:
    return int(uuid_text[-6:], 16)


def _group_body(call: Call, n: NetworkEstate, index: int) -> dict[str, Any]:
    g = n.groups[index]
    return {
        "id": g.id,
        "name": g.name,
        "stateful": True,
        "shared": False,
        "security_group_rules": [_rule_body(call, g, r) for r in g.rules],
        **_std(call, g.project, g.created, g.created),
        "description": g.description,
    }


def _group_keys(call: Call, n: NetworkEstate) -> list[int]:
    return [i for i, g in enumerate(n.groups)
            if call.estate.projects[g.project].region == call.region
            and _visible(call, g.project)]  # fmt: skip


def _groups(call: Call, n: NetworkEstate, one: str | None) -> Response:
    return _collection(call, "security_group", one, _group_keys(call, n),
                       lambda i: _group_body(call, n, i), _id_key([g.id for g in n.groups]),
                       changed=lambda i: n.groups[i].created)  # fmt: skip


def _rules(call: Call, n: NetworkEstate, one: str | None) -> Response:
    keys = [i * 1000 + k for i in _group_keys(call, n) for k in range(len(n.groups[i].rules))]
    ids = {n.groups[key // 1000].rules[key % 1000].id: key for key in keys}

    def body(key: int) -> dict[str, Any]:
        g = n.groups[key // 1000]
        rule = _rule_body(call, g, g.rules[key % 1000])
        # listed on their own, rules show these differently from rules embedded in groups
        del rule["tags"], rule["standard_attr_id"]
        rule["belongs_to_default_sg"] = g.name == "default"
        return rule

    return _collection(call, "security_group_rule", one, keys, body, ids.get)
