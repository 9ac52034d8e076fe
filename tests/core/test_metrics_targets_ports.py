"""Targets derived from Neutron ports' fixed IPs (the derivation only: nothing is contacted)."""

from __future__ import annotations

from govcloud.core import models as m
from govcloud.core.metrics_targets import (
    ServerIndex,
    ServerRef,
    Target,
    targets_from_servers,
    with_port_addresses,
)


def port(pid: str, device: str | None, *ips: str, owner: str | None = "compute:nova") -> m.Port:
    return m.Port("zw-prod", pid, "p-1", "net-1", device, owner, tuple(ips))


SERVERS = [
    # Nova's cached list mixes in a floating IP
    ServerRef("AAA-1", "web", ("203.0.113.9", "10.0.0.5")),
    ServerRef("bbb-2", "db", ("10.0.0.6",)),  # no ports stored: keeps Nova's addresses
    ServerRef("ccc-3", "app", ()),  # no Nova address, but a port
]


def test_ports_fixed_ips_replace_novas_addresses() -> None:
    ports = [
        port("p2", "aaa-1", "192.168.7.21"),
        port("p1", "aaa-1", "192.168.7.20", "fd00::20"),
        port("p3", "ccc-3", "192.168.7.30"),
        port("r1", "aaa-1", "192.168.7.1", owner="network:router_interface"),
        port("d1", None, "192.168.7.2", owner="network:dhcp"),
    ]
    refs = with_port_addresses(SERVERS, ports)
    assert [r.fixed_addresses for r in refs] == [
        ("192.168.7.20", "fd00::20", "192.168.7.21"),  # port id order, router port ignored
        (),
        ("192.168.7.30",),
    ]
    assert refs[0].addresses == (
        *refs[0].fixed_addresses,
        "203.0.113.9",  # kept after the fixed ones, for joining a declared target by IP
        "10.0.0.5",
    )
    urls = [t.url for t in targets_from_servers(refs)]
    assert urls == [
        "http://192.168.7.20:9109/metrics",
        "http://10.0.0.6:9109/metrics",
        "http://192.168.7.30:9109/metrics",
    ]


def test_without_ports_servers_are_unchanged() -> None:
    assert with_port_addresses(SERVERS, []) == SERVERS


def test_an_ipv6_only_port_beats_a_floating_ipv4_address() -> None:
    refs = with_port_addresses(SERVERS[:1], [port("p1", "aaa-1", "fd00::20")])
    (target,) = targets_from_servers(refs)
    assert target.url == "http://[fd00::20]:9109/metrics"


def test_targets_join_their_server_by_fixed_or_listed_ip() -> None:
    refs = with_port_addresses(SERVERS, [port("p1", "aaa-1", "192.168.7.20")])
    index = ServerIndex(refs)
    joined = index.join(Target("http://192.168.7.20:9109/metrics"), None)
    assert (joined.key, joined.joined_by) == ("aaa-1", "ip")
    assert index.join(Target("http://203.0.113.9:9109/"), None).key == "aaa-1"
    assert index.join(Target("http://192.168.99.1:9109/"), None).joined_by == "none"
