"""The lab's topology, checked through openstacksdk: what issue 8 relies on exists for real.

Two compute hosts (hypervisors and Placement providers), aggregates mirrored to Placement, a
zone that pins servers to its host, two Cinder backends with their configured capacity, volume
types and per-type quotas, Neutron quotas with usage, fixed and floating addresses, security
groups, and a shelved server that holds no host and no Placement allocation.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.services.oslab import OsLab

WAIT = 180  # seconds for one server/volume to reach its state
STATS_WAIT = 60  # cinder-volume publishes backend stats every 10 s in the lab

# openstacksdk 4.22 trips over its own pending deprecations (raised inside openstack.*) and
# pytest runs with filterwarnings=error
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")


@pytest.fixture(scope="module")
def admin(oslab: OsLab) -> Iterator[Any]:
    with contextlib.closing(oslab.connect()) as conn:
        yield conn


@pytest.fixture(scope="module")
def project(oslab: OsLab, admin: Any) -> Iterator[Any]:
    """A throwaway project where the admin user is a member; its Neutron leftovers go with it."""
    idn = admin.identity
    proj = idn.create_project(name=f"topo-{uuid.uuid4().hex[:8]}", domain_id="default")
    try:
        idn.assign_project_role_to_user(
            proj,
            idn.find_user(oslab.username, ignore_missing=False),
            idn.find_role("member", ignore_missing=False),
        )
        yield proj
    finally:
        for sg in admin.network.security_groups(project_id=proj.id):
            admin.network.delete_security_group(sg, ignore_missing=True)
        admin.block_storage.revert_quota_set(proj)
        idn.delete_project(proj)


@pytest.fixture(scope="module")
def member(oslab: OsLab, project: Any) -> Iterator[Any]:
    with contextlib.closing(oslab.connect(project_name=project.name)) as conn:
        yield conn


@pytest.fixture(scope="module")
def boot(admin: Any) -> Iterator[Callable[..., Any]]:
    """boot(conn, **create_server_kwargs) -> an ACTIVE server, deleted at module end."""
    suffix = uuid.uuid4().hex[:8]
    flavor = admin.compute.create_flavor(name=f"topo-{suffix}", vcpus=1, ram=256, disk=1)
    image = admin.image.create_image(
        name=f"topo-{suffix}", data=io.BytesIO(b"\0" * 65536), disk_format="raw",
        container_format="bare", visibility="public",
    )  # fmt: skip
    made: list[tuple[Any, Any]] = []

    def _boot(conn: Any, **kwargs: Any) -> Any:
        server = conn.compute.create_server(
            name=f"topo-{suffix}-{len(made)}", flavor_id=flavor.id, image_id=image.id, **kwargs
        )
        made.append((conn, server))
        return conn.compute.wait_for_server(
            server, status="ACTIVE", failures=["ERROR"], interval=1, wait=WAIT
        )

    try:
        yield _boot
    finally:
        for conn, server in made:
            conn.compute.delete_server(server, ignore_missing=True)
        for conn, server in made:
            conn.compute.wait_for_delete(server, interval=1, wait=WAIT)
        admin.image.delete_image(image)
        admin.compute.delete_flavor(flavor)


def _providers(admin: Any) -> dict[str, Any]:
    return {rp.name: rp for rp in admin.placement.resource_providers()}


def test_two_hypervisors_and_placement_providers(oslab: OsLab, admin: Any) -> None:
    assert oslab.hosts == ("compute1", "compute2")
    hypervisors = {h.name: h.state for h in admin.compute.hypervisors(details=True)}
    assert hypervisors == dict.fromkeys(oslab.hosts, "up")
    providers = _providers(admin)
    assert set(oslab.hosts) <= set(providers)
    for host in oslab.hosts:
        inventories = {
            inv.resource_class
            for inv in admin.placement.resource_provider_inventories(providers[host])
        }
        assert {"VCPU", "MEMORY_MB", "DISK_GB"} <= inventories


def test_aggregates_and_zone_are_mirrored_to_placement(oslab: OsLab, admin: Any) -> None:
    aggs = {a.name: a for a in admin.compute.aggregates()}
    assert set(oslab.aggregates) == {"agg-general", "agg-secure"}
    assert aggs["agg-general"].hosts == [oslab.hosts[0]]
    assert aggs["agg-general"].availability_zone is None
    assert aggs["agg-secure"].hosts == [oslab.hosts[1]]
    assert aggs["agg-secure"].availability_zone == oslab.az
    providers = _providers(admin)
    for name, host in (("agg-general", oslab.hosts[0]), ("agg-secure", oslab.hosts[1])):
        rp_aggs = admin.placement.get(
            f"/resource_providers/{providers[host].id}/aggregates", microversion="1.19"
        ).json()["aggregates"]
        assert rp_aggs == [aggs[name].uuid]
    zones = {z.name: z for z in admin.compute.availability_zones(details=True)}
    assert set(zones[oslab.az].hosts) == {oslab.hosts[1]}


def test_zone_boot_lands_on_its_host_with_a_fixed_ip_and_a_floating_ip(
    oslab: OsLab, admin: Any, member: Any, boot: Callable[..., Any]
) -> None:
    server = boot(member, availability_zone=oslab.az, networks=[{"uuid": oslab.network_id}])
    seen = admin.compute.get_server(server.id)
    assert seen.compute_host == oslab.hosts[1]
    assert seen.availability_zone == oslab.az

    # fixed address from the shared subnet, on a bound, ACTIVE port
    subnet = admin.network.get_subnet(oslab.subnet_id)
    (port,) = admin.network.ports(device_id=server.id)
    assert port.binding_host_id == oslab.hosts[1]
    assert port.status == "ACTIVE"
    (fixed,) = port.fixed_ips
    assert ipaddress.ip_address(fixed["ip_address"]) in ipaddress.ip_network(subnet.cidr)
    addresses = member.compute.get_server(server.id).addresses
    assert [a["addr"] for net in addresses.values() for a in net] == [fixed["ip_address"]]

    # a floating IP on "public", associated with the server's port (through the lab router)
    fip = member.network.create_ip(floating_network_id=oslab.public_network_id)
    try:
        fip = member.network.update_ip(fip, port_id=port.id)
        assert fip.port_id == port.id
        assert fip.fixed_ip_address == fixed["ip_address"]
        assert fip.router_id == oslab.router_id
        listed = {f.id: f.port_id for f in admin.network.ips(project_id=member.current_project_id)}
        assert listed == {fip.id: port.id}
    finally:
        member.network.delete_ip(fip, ignore_missing=True)


def test_server_without_zone_can_be_placed_on_the_general_host(
    oslab: OsLab, admin: Any, boot: Callable[..., Any]
) -> None:
    server = boot(admin, availability_zone=f"nova:{oslab.hosts[0]}", networks="none")
    assert admin.compute.get_server(server.id).compute_host == oslab.hosts[0]


def test_shelved_offloaded_server_has_no_host_and_no_allocation(
    admin: Any, member: Any, boot: Callable[..., Any]
) -> None:
    server = boot(member, networks="none")
    allocations = admin.placement.get(f"/allocations/{server.id}", microversion="1.28").json()
    assert allocations["allocations"]  # an ACTIVE server holds one
    member.compute.shelve_server(server)
    shelved = member.compute.wait_for_server(
        server, status="SHELVED_OFFLOADED", failures=["ERROR"], interval=1, wait=WAIT
    )
    assert shelved.status == "SHELVED_OFFLOADED"
    assert admin.compute.get_server(server.id).compute_host is None
    allocations = admin.placement.get(f"/allocations/{server.id}", microversion="1.28").json()
    assert allocations["allocations"] == {}


def _pools(admin: Any) -> dict[str, dict[str, Any]]:
    body = admin.block_storage.get("/scheduler-stats/get_pools?detail=True").json()
    return {p["name"].partition("@")[2].partition("#")[0]: p["capabilities"] for p in body["pools"]}


def test_backend_pools_report_their_configured_capacity(oslab: OsLab, admin: Any) -> None:
    assert oslab.volume_types == {"ssd": "fast", "sata": "bulk"}
    pools = _pools(admin)
    assert set(pools) == {"fast", "bulk"}
    fast, bulk = pools["fast"], pools["bulk"]
    assert (fast["total_capacity_gb"], fast["reserved_percentage"]) == (2000, 10)
    assert float(fast["max_over_subscription_ratio"]) == 1.0
    assert (fast["thin_provisioning_support"], fast["thick_provisioning_support"]) == (False, True)
    assert (bulk["total_capacity_gb"], bulk["reserved_percentage"]) == (10000, 5)
    assert float(bulk["max_over_subscription_ratio"]) == 2.0
    assert bulk["thin_provisioning_support"] is True
    types = {t.name: t.extra_specs for t in admin.block_storage.types()}
    for name, backend in oslab.volume_types.items():
        assert types[name] == {"volume_backend_name": backend}


def test_typed_volume_lands_on_its_backend_with_per_type_quota_usage(
    admin: Any, member: Any, project: Any
) -> None:
    before = _pools(admin)["fast"].get("allocated_capacity_gb", 0)
    volume = member.block_storage.create_volume(size=3, volume_type="ssd", name="topo-ssd")
    try:
        volume = member.block_storage.wait_for_status(
            volume, status="available", failures=["error"], interval=1, wait=WAIT
        )
        host = admin.block_storage.get_volume(volume.id).host
        assert host.partition("@")[2].startswith("fast#")
        quota = admin.block_storage.get(f"/os-quota-sets/{project.id}?usage=true").json()[
            "quota_set"
        ]
        assert quota["gigabytes_ssd"]["in_use"] == 3
        assert quota["volumes_ssd"]["in_use"] == 1
        assert quota["volumes_sata"]["in_use"] == 0
        assert quota["gigabytes"]["in_use"] == 3
        # the backend's next stats report counts the new volume (bounded wait)
        deadline = time.monotonic() + STATS_WAIT
        while _pools(admin)["fast"].get("allocated_capacity_gb", 0) != before + 3:
            assert time.monotonic() < deadline, "fast pool never reported the allocated 3 GB"
            time.sleep(2)
    finally:
        member.block_storage.delete_volume(volume, ignore_missing=True)
        member.block_storage.wait_for_delete(volume, interval=1, wait=WAIT)


def test_neutron_quota_details_count_a_new_port(
    oslab: OsLab, admin: Any, member: Any, project: Any
) -> None:
    before = admin.network.get_quota(project.id, details=True)
    port = member.network.create_port(network_id=oslab.network_id, name="topo-port")
    try:
        details = admin.network.get_quota(project.id, details=True)
        assert details.ports["used"] == before.ports["used"] + 1
        assert details.ports["limit"] > details.ports["used"]
        assert details.security_groups["used"] >= 1  # at least the project's default group
        assert set(details.floating_ips) == {"used", "limit", "reserved"}
    finally:
        member.network.delete_port(port, ignore_missing=True)


def test_security_groups_with_rules_list(member: Any) -> None:
    group = member.network.create_security_group(name="topo-web")
    try:
        rule = member.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", ethertype="IPv4",
            protocol="tcp", port_range_min=443, port_range_max=443,
            remote_ip_prefix="0.0.0.0/0",
        )  # fmt: skip
        groups = {g.name: g for g in member.network.security_groups()}
        assert {"default", "topo-web"} <= set(groups)
        assert rule.id in {r["id"] for r in groups["topo-web"].security_group_rules}
        assert groups["default"].security_group_rules  # Neutron's default rules
    finally:
        member.network.delete_security_group(group, ignore_missing=True)
