"""Create the lab's topology (idempotent) and write it to a JSON file for the test fixture.

Usage: topology.py OUT_JSON   (OS_CLIENT_CONFIG_FILE -> clouds.yaml, cloud "oslab")

- aggregates: agg-general (compute1), agg-secure with zone az-secure (compute2). The zone goes
  on compute2 while it is empty: Nova refuses to move a host that runs servers into a zone.
- networks: a shared tenant network with a subnet (servers get fixed addresses), an external
  network "public" with a subnet, and a router with its gateway on "public" and an interface
  on the tenant subnet, so floating IPs can be created and associated with server ports.
- volume types: ssd -> backend fast, sata -> backend bulk (no type without a backend).
"""

import json
import sys
from typing import Any

import openstack

AGGREGATES = {"agg-general": ("compute1", None), "agg-secure": ("compute2", "az-secure")}
VOLUME_TYPES = {"ssd": "fast", "sata": "bulk"}
NETWORK, SUBNET, CIDR = "lab-net", "lab-subnet", "10.20.0.0/24"
PUBLIC, PUBLIC_SUBNET, PUBLIC_CIDR = "public", "public-subnet", "172.24.4.0/24"
ROUTER = "lab-router"


def aggregates(conn: Any) -> dict[str, str]:
    ids = {}
    for name, (host, zone) in AGGREGATES.items():
        agg = conn.compute.find_aggregate(name) or conn.compute.create_aggregate(
            name=name, availability_zone=zone
        )
        if host not in (agg.hosts or []):
            agg = conn.compute.add_host_to_aggregate(agg, host)
        ids[name] = str(agg.id)
    return ids


def networks(conn: Any) -> dict[str, str]:
    net = conn.network
    tenant = net.find_network(NETWORK) or net.create_network(name=NETWORK, shared=True)
    subnet = net.find_subnet(SUBNET) or net.create_subnet(
        name=SUBNET, network_id=tenant.id, ip_version=4, cidr=CIDR, enable_dhcp=True
    )
    public = net.find_network(PUBLIC) or net.create_network(
        name=PUBLIC, is_router_external=True, provider_network_type="flat",
        provider_physical_network="public",
    )  # fmt: skip
    public_subnet = net.find_subnet(PUBLIC_SUBNET) or net.create_subnet(
        name=PUBLIC_SUBNET, network_id=public.id, ip_version=4, cidr=PUBLIC_CIDR,
        enable_dhcp=False,
    )  # fmt: skip
    router = net.find_router(ROUTER)
    if router is None:
        router = net.create_router(name=ROUTER, external_gateway_info={"network_id": public.id})
        net.add_interface_to_router(router, subnet_id=subnet.id)
    return {
        "network_id": str(tenant.id),
        "subnet_id": str(subnet.id),
        "public_network_id": str(public.id),
        "public_subnet_id": str(public_subnet.id),
        "router_id": str(router.id),
    }


def volume_types(conn: Any) -> dict[str, str]:
    ids = {}
    for name, backend in VOLUME_TYPES.items():
        vtype = conn.block_storage.find_type(name) or conn.block_storage.create_type(
            name=name, extra_specs={"volume_backend_name": backend}
        )
        ids[name] = str(vtype.id)
    return ids


def main(out: str) -> None:
    conn = openstack.connect(cloud="oslab")
    topo = {
        "hosts": sorted({h for h, _ in AGGREGATES.values()}),
        "az": AGGREGATES["agg-secure"][1],
        "aggregates": aggregates(conn),
        "volume_types": VOLUME_TYPES,
        "volume_type_ids": volume_types(conn),
        **networks(conn),
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(topo, f, indent=2, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
