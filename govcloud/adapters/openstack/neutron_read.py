"""Neutron as core records: ports, floating IPs, security groups with their rules, and quota
details. Every listing is marker-paginated like Nova's; None when the cloud has no network
service in its catalog, or lacks the extension (404).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from govcloud.adapters.openstack.calls import Api, Listing, Missing, NoEndpoint
from govcloud.adapters.openstack.fields import timestamp
from govcloud.core.address_capacity import (
    FLOATING_IP_OWNER,
    ExternalSubnet,
    PublicCount,
    count_public,
)
from govcloud.core.models import (
    FloatingIp,
    Port,
    QuotaResource,
    QuotaUsage,
    SecurityGroup,
    SecurityRule,
)

T = TypeVar("T")
NETWORK_QUOTAS = tuple(r for r in QuotaResource if r.service == "network")


def ports(api: Api, pool: str, page_size: int) -> list[Port] | None:
    return _listed(api, "/ports", "ports", page_size, lambda p: _port(pool, p))


def ports_of(api: Api, pool: str, device_ids: Collection[str], chunk: int) -> list[Port] | None:
    """The ports of the given servers (`device_id` repeated: Neutron ORs the values), CHUNK
    ids a call so the query string stays short; None without a network service. What an
    incremental sync lists of ports: Neutron has no change filter it accepts everywhere."""
    ids = sorted(device_ids)
    out: list[Port] = []
    for i in range(0, len(ids), chunk):
        params = {"device_id": ids[i : i + chunk], "limit": 1000}
        try:
            for page in Listing(api, "network", "/ports", "ports", params):
                out.extend(_port(pool, p) for p in page)
        except (Missing, NoEndpoint):
            return None
    return out


def floating_ips(api: Api, pool: str, page_size: int) -> list[FloatingIp] | None:
    return _listed(api, "/floatingips", "floatingips", page_size, lambda f: _fip(pool, f))


def security_groups(api: Api, pool: str, page_size: int) -> list[SecurityGroup] | None:
    return _listed(api, "/security-groups", "security_groups", page_size, lambda g: _group(pool, g))


def quota_details(api: Api, pool: str, project_id: str) -> list[QuotaUsage] | None:
    """A project's network quotas with usage; None without the `quota_details` extension
    (limits alone would pair each limit with a made-up usage of 0)."""
    try:
        body = api.get("network", f"/quotas/{project_id}/details")
    except Missing:
        return None
    quota = body.get("quota") or {}
    rows = []
    for res in NETWORK_QUOTAS:
        entry = quota.get(res.value)
        if isinstance(entry, dict):
            rows.append(
                QuotaUsage(
                    pool, project_id, res, int(entry.get("limit", -1)),
                    int(entry.get("used", 0)), int(entry.get("reserved", 0) or 0),
                )
            )  # fmt: skip
    return rows


def public_addresses(api: Api, page_size: int) -> PublicCount | None:
    """The region's public IPv4 addresses: external networks (`router:external`), their
    subnets' allocation pools, the ports and floating IPs on them. None without a network
    service (nothing is known, so nothing stored is replaced); a zero count when the region
    has no external network."""
    try:
        nets = _all(api, "/networks", "networks", {"router:external": "True"}, page_size)
    except (Missing, NoEndpoint):
        return None
    ids = sorted(str(n["id"]) for n in nets if n.get("router:external") is True)
    if not ids:
        return PublicCount()
    subnets = _all(api, "/subnets", "subnets", {"network_id": ids}, page_size)
    ports = _all(api, "/ports", "ports", {"network_id": ids}, page_size)
    fips = _all(api, "/floatingips", "floatingips", {"floating_network_id": ids}, page_size)
    return count_public(
        (
            ExternalSubnet(
                str(s.get("id") or ""),
                int(s.get("ip_version") or 4),
                tuple(
                    (str(p.get("start")), str(p.get("end")))
                    for p in s.get("allocation_pools") or ()
                    if isinstance(p, dict)
                ),
            )
            for s in subnets
            if str(s.get("network_id") or "") in ids
        ),
        (
            str(ip.get("ip_address") or "")
            for p in ports
            if p.get("device_owner") != FLOATING_IP_OWNER and str(p.get("network_id")) in ids
            for ip in p.get("fixed_ips") or ()
            if isinstance(ip, dict)
        ),
        (
            str(f.get("floating_ip_address") or "")
            for f in fips
            if str(f.get("floating_network_id") or "") in ids
        ),
    )


def _all(
    api: Api, path: str, key: str, filters: Mapping[str, Any], page_size: int
) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    for page in Listing(api, "network", path, key, {**filters, "limit": page_size}):
        out.extend(item for item in page if isinstance(item, dict))
    return out


def _listed(
    api: Api, path: str, key: str, page_size: int, convert: Callable[[Mapping[str, Any]], T]
) -> list[T] | None:
    """Page by page, converted as each page arrives; a 404 on the first page is a missing
    extension, on a later one an error (a vanished marker)."""
    pages = iter(Listing(api, "network", path, key, {"limit": page_size}))
    try:
        first = next(pages)
    except (Missing, NoEndpoint):
        return None
    out = [convert(item) for item in first]
    for page in pages:
        out.extend(convert(item) for item in page)
    return out


def _project(item: Mapping[str, Any]) -> str:
    return sys.intern(str(item.get("project_id") or item.get("tenant_id") or ""))


def _port(pool: str, p: Mapping[str, Any]) -> Port:
    return Port(
        pool_code=pool,
        port_id=str(p["id"]),
        project_id=_project(p),
        network_id=sys.intern(str(p.get("network_id") or "")),
        device_id=str(p["device_id"]) if p.get("device_id") else None,
        device_owner=sys.intern(str(p["device_owner"])) if p.get("device_owner") else None,
        fixed_ips=tuple(
            str(ip["ip_address"])
            for ip in p.get("fixed_ips") or ()
            if isinstance(ip, dict) and ip.get("ip_address")
        ),
        security_group_ids=tuple(sorted(str(g) for g in p.get("security_groups") or ())),
        status=sys.intern(str(p.get("status") or "UNKNOWN")),
    )


def _fip(pool: str, f: Mapping[str, Any]) -> FloatingIp:
    details = f.get("port_details") or {}
    owner = str(details.get("device_owner") or "")
    server = details.get("device_id") if owner.startswith("compute:") else None
    return FloatingIp(
        pool_code=pool,
        fip_id=str(f["id"]),
        project_id=_project(f),
        address=str(f.get("floating_ip_address") or ""),
        network_id=sys.intern(str(f.get("floating_network_id") or "")),
        status=sys.intern(str(f.get("status") or "UNKNOWN")),
        port_id=str(f["port_id"]) if f.get("port_id") else None,
        fixed_address=str(f["fixed_ip_address"]) if f.get("fixed_ip_address") else None,
        server_id=str(server) if server else None,
        created_at=timestamp(f.get("created_at")),
        updated_at=timestamp(f.get("updated_at")),
    )


def _group(pool: str, g: Mapping[str, Any]) -> SecurityGroup:
    rules = sorted(
        (r for r in g.get("security_group_rules") or () if isinstance(r, dict)),
        key=lambda r: str(r.get("id") or ""),
    )
    return SecurityGroup(
        pool_code=pool,
        group_id=str(g["id"]),
        project_id=_project(g),
        name=str(g.get("name") or ""),
        rules=tuple(_rule(r) for r in rules),
    )


def _rule(r: Mapping[str, Any]) -> SecurityRule:
    def port(key: str) -> int | None:
        value = r.get(key)
        return int(value) if value is not None else None

    return SecurityRule(
        direction=sys.intern(str(r.get("direction") or "ingress")),
        ethertype=sys.intern(str(r.get("ethertype") or "IPv4")),
        protocol=str(r["protocol"]) if r.get("protocol") else None,
        port_min=port("port_range_min"),
        port_max=port("port_range_max"),
        remote_ip_prefix=str(r["remote_ip_prefix"]) if r.get("remote_ip_prefix") else None,
        remote_group_id=str(r["remote_group_id"]) if r.get("remote_group_id") else None,
    )
