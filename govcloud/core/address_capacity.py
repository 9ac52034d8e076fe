"""Public IPv4 addresses of a region: how many the cloud can hand out as floating IPs.

Public addresses are scarce in the internet zone (互联网区): a department's `floatingip` quota
is a promise of addresses from the region's external networks, which every pool of the region
draws on. They are counted from the external networks' IPv4 subnets: the addresses in their
`allocation_pools`, of which router gateways (and any other port on the external network but a
floating IP's own) hold some and floating IPs others. IPv6 external subnets are not scarce and
not counted.

A region's count is stored once, as the capacity record PUBLIC_IPV4 of its holder pool: the
pool that takes the rest of the region, else the first by code (the rule region-wide objects
such as volume types without a backend follow). `quota check` compares it with the Σ of the
`floatingip` quotas of all the region's pools.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from govcloud.core.models import CapacityRecord

PUBLIC_IPV4 = "PUBLIC_IPV4"  # resource class of the region's public address count
FLOATING_IP_OWNER = "network:floatingip"  # the port Neutron makes for each floating IP
IPV6_NOTE = "IPv6 external subnets are not scarce: not counted"
NO_PUBLIC = "no public addresses (no external IPv4 network)"


@dataclass(frozen=True)
class ExternalSubnet:
    """An external network's subnet as Neutron lists it."""

    subnet_id: str
    ip_version: int
    pools: tuple[tuple[str, str], ...]  # allocation pools: (start, end)


@dataclass(frozen=True)
class PublicCount:
    """A region's public IPv4 addresses: in allocation pools, held by other ports (router
    gateways), allocated as floating IPs; subnets counted and IPv6 subnets skipped."""

    total: int = 0
    held: int = 0
    floating: int = 0
    subnets: int = 0
    skipped_ipv6: int = 0

    @property
    def free(self) -> int:
        return max(self.total - self.held - self.floating, 0)


def count_public(
    subnets: Iterable[ExternalSubnet],
    port_addresses: Iterable[str],
    floating_addresses: Iterable[str],
) -> PublicCount:
    """Addresses in the IPv4 allocation pools; PORT_ADDRESSES (ports other than floating
    IPs' own) and FLOATING_ADDRESSES count once each, and only inside a pool (an address
    given outside the pools takes nothing from them)."""
    ranges: list[tuple[int, int]] = []
    v4 = v6 = 0
    for s in subnets:
        if s.ip_version != 4:
            v6 += 1
            continue
        v4 += 1
        for start, end in s.pools:
            low, high = _int(start), _int(end)
            if low is not None and high is not None and high >= low:
                ranges.append((low, high))
    merged = _merge(ranges)

    def inside(addresses: Iterable[str]) -> set[int]:
        out = set()
        for a in addresses:
            n = _int(a)
            if n is not None and any(lo <= n <= hi for lo, hi in merged):
                out.add(n)
        return out

    floating = inside(floating_addresses)
    held = inside(port_addresses) - floating
    total = sum(hi - lo + 1 for lo, hi in merged)
    return PublicCount(total, len(held), len(floating), v4, v6)


def _int(text: str) -> int | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return int(address) if address.version == 4 else None


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping pools (two subnets never overlap, but bad data may) count once."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def record(pool_code: str, count: PublicCount) -> CapacityRecord:
    """The count as a capacity record: total, reserved = held by other ports, used = floating
    IPs, provider_count = IPv4 subnets counted (0: the region has no public addresses)."""
    return CapacityRecord(
        pool_code, PUBLIC_IPV4, count.total, count.held, 1.0, count.floating, count.subnets
    )


def from_record(r: CapacityRecord) -> PublicCount:
    return PublicCount(r.total, r.reserved, r.used, r.provider_count)


def holder(pools: Sequence[tuple[str, bool]]) -> str | None:
    """The pool (code, filtered by zone or aggregate) holding its region's public count: the
    unfiltered one, else the first by code."""
    rest = sorted(code for code, filtered in pools if not filtered)
    every = sorted(code for code, _ in pools)
    chosen = rest or every
    return chosen[0] if chosen else None


@dataclass(frozen=True)
class PublicAddresses:
    """`pool show`: a region's public addresses, on the pool that holds them."""

    region: str
    holder: str
    total: int | None
    held: int | None
    floating: int | None
    free: int | None
    note: str


def public_view(region: str, code: str, r: CapacityRecord | None) -> PublicAddresses:
    if r is None:
        return PublicAddresses(
            region, code, None, None, None, None, "public addresses unknown: run `govcloud sync`"
        )
    c = from_record(r)
    if not c.subnets:
        return PublicAddresses(region, code, None, None, None, None, NO_PUBLIC)
    return PublicAddresses(region, code, c.total, c.held, c.floating, c.free, IPV6_NOTE)
