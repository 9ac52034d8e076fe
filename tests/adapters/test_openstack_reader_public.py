"""`neutron_read.public_addresses` on Neutron answers the sandbox does not give: an IPv6
external subnet (skipped), a floating IP's own port (not counted twice), a private network's
port (not counted), no external network (a zero count), no network service (None)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govcloud.adapters.openstack.calls import NoEndpoint
from govcloud.adapters.openstack.neutron_read import public_addresses
from govcloud.core.address_capacity import PublicCount

EXT, PRIVATE = "ext-net", "private-net"
ANSWERS: dict[str, list[dict[str, Any]]] = {
    "/networks": [{"id": EXT, "router:external": True}],
    "/subnets": [
        {"id": "v4", "network_id": EXT, "ip_version": 4,
         "allocation_pools": [{"start": "203.0.113.10", "end": "203.0.113.29"}]},
        {"id": "v6", "network_id": EXT, "ip_version": 6,
         "allocation_pools": [{"start": "2001:db8::2", "end": "2001:db8::ffff"}]},
    ],
    "/ports": [
        {"id": "gw", "network_id": EXT, "device_owner": "network:router_gateway",
         "fixed_ips": [{"ip_address": "203.0.113.10"}, {"ip_address": "2001:db8::2"}]},
        {"id": "fip-port", "network_id": EXT, "device_owner": "network:floatingip",
         "fixed_ips": [{"ip_address": "203.0.113.11"}]},
        {"id": "vm", "network_id": PRIVATE, "device_owner": "compute:nova",
         "fixed_ips": [{"ip_address": "203.0.113.12"}]},
    ],
    "/floatingips": [{"id": "f1", "floating_network_id": EXT,
                      "floating_ip_address": "203.0.113.11"}],
}  # fmt: skip


class _Neutron:
    """Answers each listing in one page, and records the filters it was sent."""

    def __init__(self, answers: Mapping[str, list[dict[str, Any]]]) -> None:
        self.answers = answers
        self.queries: dict[str, Mapping[str, Any]] = {}

    def get(self, service: str, path: str, params: Mapping[str, Any], *_: Any) -> dict[str, Any]:
        assert service == "network"
        self.queries[path] = params
        key = path.strip("/").replace("-", "_")
        return {key: self.answers[path] if "marker" not in params else []}


def test_counts_ipv4_pools_less_the_gateway_and_floating_ips() -> None:
    api = _Neutron(ANSWERS)
    got = public_addresses(api, 100)  # type: ignore[arg-type]
    assert got == PublicCount(total=20, held=1, floating=1, subnets=1, skipped_ipv6=1)
    assert got.free == 18
    assert api.queries["/networks"]["router:external"] == "True"
    assert api.queries["/ports"]["network_id"] == [EXT]  # only the external networks' ports


def test_a_region_without_external_networks_has_no_public_addresses() -> None:
    api = _Neutron({"/networks": []})
    assert public_addresses(api, 100) == PublicCount()  # type: ignore[arg-type]


def test_no_network_service_is_unknown_not_zero() -> None:
    class _NoNeutron:
        def get(self, *args: Any) -> dict[str, Any]:
            raise NoEndpoint("network")

    assert public_addresses(_NoNeutron(), 100) is None  # type: ignore[arg-type]


class _Keystone:
    """A Keystone whose registered limits answer with RESULT (a body, or an error raised)."""

    conn = None

    def __init__(self, result: dict[str, Any] | Exception) -> None:
        self.result = result

    def get(self, service: str, path: str, *_: Any) -> dict[str, Any]:
        assert (service, path) == ("identity", "/registered_limits")
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def _reader(api: Any) -> Any:
    from govcloud.adapters.openstack.reader import OpenStackReader
    from govcloud.core.sync import PoolScope

    return OpenStackReader(api, PoolScope("p1", "c", "r"), metadata_key="system")


def test_sync_notes_the_services_keystone_keeps_the_limits_of() -> None:
    from govcloud.core.quota_check import unified_services

    body = {"registered_limits": [{"service_id": "?", "resource_name": "cores"}]}
    notes = _reader(_Keystone(body))._unified_note()
    # a service the catalog does not name: every quota service is taken as Keystone's
    assert unified_services(notes) == frozenset({"compute", "volume", "network"})
    assert _reader(_Keystone({"registered_limits": []}))._unified_note() == ()


def test_a_keystone_that_will_not_say_is_no_sync_failure() -> None:
    from govcloud.core.errors import CloudError

    assert _reader(_Keystone(CloudError("GET /registered_limits: 403")))._unified_note() == ()
