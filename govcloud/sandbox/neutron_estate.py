"""The Neutron side of an estate: networks, subnets, routers, floating IPs, security groups,
derived from the servers once per estate (on first use) and then read-only.

Ports of servers are not stored: port row N is server row N (the same fixed address and MAC
the server's `addresses` show, so there is one source of truth), and the few ports that belong
to no server (DHCP, router interfaces) follow the server rows. Everything else is O(projects).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from govcloud.sandbox.estate import Estate, SbProject
from govcloud.sandbox.ids import RowIds, name_uuid
from govcloud.sandbox.server_body import has_port

EXTERNAL_CIDR_BASE = (198, 18)  # benchmark range: floating IPs are public-looking, not real
# (name, description, [(protocol, port)]) extra groups; ports opened to 0.0.0.0/0
EXTRA_GROUPS = (
    ("web", "HTTP and HTTPS", (("tcp", 80), ("tcp", 443)), 0.5),
    ("ssh-open", "SSH from anywhere", (("tcp", 22),), 0.25),
    ("rdp-open", "RDP from anywhere", (("tcp", 3389),), 0.1),
    ("mysql-open", "MySQL from anywhere", (("tcp", 3306),), 0.1),
)


@dataclass(frozen=True)
class SbRule:
    id: str
    direction: str
    ethertype: str
    protocol: str | None
    port_min: int | None
    port_max: int | None
    remote_ip_prefix: str | None
    remote_group_id: str | None


@dataclass(frozen=True)
class SbGroup:
    id: str
    name: str
    description: str
    project: int
    rules: tuple[SbRule, ...]
    created: int


@dataclass(frozen=True)
class SbNetwork:
    id: str
    name: str
    region: str
    project: int | None  # None: the admin project's (external networks)
    external: bool
    subnet_id: str
    cidr: str
    gateway: str
    created: int


@dataclass(frozen=True)
class SbExtraPort:
    """A port of no server: DHCP or a router interface."""

    project: int
    network: int  # index into networks
    owner: str  # device_owner
    device_id: str
    address: str
    created: int


@dataclass(frozen=True)
class SbRouter:
    id: str
    project: int
    created: int


@dataclass(frozen=True)
class SbFloatingIp:
    id: str
    region: str
    project: int
    network: int  # the external network's index
    address: str
    server: int | None  # server row whose port it is associated with
    router: str | None
    created: int
    updated: int


@dataclass
class NetworkEstate:
    networks: list[SbNetwork]
    project_network: dict[int, int]  # project index -> its tenant network's index
    extra_ports: list[SbExtraPort]
    routers: list[SbRouter]
    floating_ips: list[SbFloatingIp]
    groups: list[SbGroup]
    project_groups: dict[int, list[int]]  # project -> group indexes (default first)
    port_ids: RowIds


def network_estate(estate: Estate) -> NetworkEstate:
    """The estate's Neutron objects, built on first use (under the estate's lock)."""
    with estate.lock:
        built = estate.derived.get("network")
        if not isinstance(built, NetworkEstate):
            built = estate.derived["network"] = _build(estate)
    return built


def subnet_cidr(project: int) -> tuple[str, str]:
    """A project network's CIDR and gateway; `server_body.fixed_ip` addresses lie in it."""
    return f"10.{project % 250}.0.0/16", f"10.{project % 250}.0.1"


def _build(estate: Estate) -> NetworkEstate:
    seed, s = estate.seed, estate.servers
    n = NetworkEstate([], {}, [], [], [], [], {}, RowIds("port", seed))
    external: dict[str, int] = {}
    for region in estate.regions:
        if any(p.region == region and p.pool_code in estate.internet_pools
               for p in estate.projects):  # fmt: skip
            external[region] = len(n.networks)
            net_id = name_uuid("network", str(seed), region, "public")
            n.networks.append(
                SbNetwork(net_id, "public", region, None, True,
                          name_uuid("subnet", net_id), "198.18.0.0/15", "198.18.0.1", 0)
            )  # fmt: skip
    first_server: dict[int, int] = {}
    for row in range(len(s)):
        first_server.setdefault(s.project[row], row)
    fip_count = 0
    for index, project in enumerate(estate.projects):
        created = max(0, s.created[first_server[index]] - 3600) if index in first_server else 0
        _tenant_network(estate, n, index, project, created)
        _groups(n, estate, index, project, created)
        if project.pool_code in estate.internet_pools and project.region in external:
            fip_count = _router_and_fips(estate, n, index, external[project.region], fip_count)
    return n


def _tenant_network(
    estate: Estate, n: NetworkEstate, index: int, project: SbProject, created: int
) -> None:
    net_id = name_uuid("network", str(estate.seed), project.id)
    cidr, gateway = subnet_cidr(index)
    n.project_network[index] = len(n.networks)
    n.networks.append(
        SbNetwork(net_id, f"{project.name}-net", project.region, index, False,
                  name_uuid("subnet", net_id), cidr, gateway, created)
    )  # fmt: skip
    n.extra_ports.append(
        SbExtraPort(index, len(n.networks) - 1, "network:dhcp",
                    f"dhcp{name_uuid('dhcp', net_id)}", f"10.{index % 250}.255.253", created)
    )  # fmt: skip


def extra_groups(seed: int, project_id: str) -> list[tuple[str, str, tuple[tuple[str, int], ...]]]:
    """The security groups a project has besides `default` (the same for the same seed)."""
    rng = random.Random(f"{seed}:groups:{project_id}")
    return [(name, text, openings) for name, text, openings, share in EXTRA_GROUPS
            if rng.random() < share]  # fmt: skip


def group_usage(seed: int, project_id: str) -> tuple[int, int]:
    """(security groups, rules) of a project, as `_groups` builds them."""
    extra = extra_groups(seed, project_id)
    return 1 + len(extra), 4 + sum(1 + len(openings) for _, _, openings in extra)


def _groups(n: NetworkEstate, estate: Estate, index: int, project: SbProject, created: int) -> None:
    default_id = name_uuid("security-group", str(estate.seed), project.id, "default")
    rules = [
        _rule(default_id, 0, "ingress", "IPv4", None, None, None, default_id),
        _rule(default_id, 1, "ingress", "IPv6", None, None, None, default_id),
        _rule(default_id, 2, "egress", "IPv4", None, None, None, None),
        _rule(default_id, 3, "egress", "IPv6", None, None, None, None),
    ]
    n.project_groups[index] = [len(n.groups)]
    n.groups.append(SbGroup(default_id, "default", "Default security group", index,
                            tuple(rules), created))  # fmt: skip
    for name, description, openings in extra_groups(estate.seed, project.id):
        gid = name_uuid("security-group", str(estate.seed), project.id, name)
        extra = [_rule(gid, 0, "egress", "IPv4", None, None, None, None)]
        for k, (protocol, port) in enumerate(openings, start=1):
            extra.append(_rule(gid, k, "ingress", "IPv4", protocol, port, port, None, "0.0.0.0/0"))
        n.project_groups[index].append(len(n.groups))
        n.groups.append(SbGroup(gid, name, description, index, tuple(extra), created + 60))


def _rule(
    group_id: str,
    k: int,
    direction: str,
    ethertype: str,
    protocol: str | None,
    port_min: int | None,
    port_max: int | None,
    remote_group: str | None,
    prefix: str | None = None,
) -> SbRule:
    return SbRule(name_uuid("security-group-rule", group_id, str(k)), direction, ethertype,
                  protocol, port_min, port_max, prefix, remote_group)  # fmt: skip


def router_ports(estate: Estate, project: int) -> int:
    """Router interface ports a project has (one router per internet-zone project)."""
    return 1 if estate.projects[project].pool_code in estate.internet_pools else 0


def _router_and_fips(
    estate: Estate, n: NetworkEstate, index: int, external: int, fip_count: int
) -> int:
    """A router per internet-zone project and a few floating IPs, the last one unassociated."""
    project = estate.projects[index]
    router_id = name_uuid("router", str(estate.seed), project.id)
    created = n.networks[n.project_network[index]].created + 120
    n.routers.append(SbRouter(router_id, index, created))
    n.extra_ports.append(
        SbExtraPort(index, n.project_network[index], "network:router_interface", router_id,
                    f"10.{index % 250}.255.254", created)
    )  # fmt: skip
    servers = [r for r in estate.project_servers[index] if has_port(estate, r)]
    wanted = estate.floating_ips.get(index, 0)
    for k in range(wanted):
        server = servers[k * 3] if k < wanted - 1 and k * 3 < len(servers) else None
        address = f"198.{18 + fip_count // 65000}.{fip_count // 250 % 256}.{fip_count % 250 + 2}"
        fid = name_uuid("floatingip", str(estate.seed), project.id, str(k))
        when = created + 600 * (k + 1)
        changed = estate.servers.updated[server] if server is not None else when
        n.floating_ips.append(
            SbFloatingIp(fid, project.region, index, external, address, server,
                         router_id if server is not None else None, when, max(when, changed))
        )  # fmt: skip
        fip_count += 1
    return fip_count
