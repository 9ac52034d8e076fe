"""Register service users/services/endpoints in keystone (idempotent).

Usage: register.py NAME=URL ...   (e.g. nova=http://127.0.0.1:8774/v2.1)
"""

import sys
from typing import Any

import openstack

TYPES = {
    "placement": "placement",
    "nova": "compute",
    "glance": "image",
    "cinder": "block-storage",
    "neutron": "network",
}


def main(args: list[str]) -> None:
    conn: Any = openstack.connect(cloud="oslab")
    idn = conn.identity
    svc_proj = idn.find_project("service") or idn.create_project(
        name="service", domain_id="default"
    )
    roles = [idn.find_role("admin"), idn.find_role("service")]
    for arg in args:
        name, url = arg.split("=", 1)
        stype = TYPES[name]
        user = idn.find_user(name) or idn.create_user(
            name=name,
            password="secret",
            domain_id="default",
        )
        for role in roles:
            idn.assign_project_role_to_user(svc_proj, user, role)
        svc = next((s for s in idn.services() if s.type == stype), None) or idn.create_service(
            name=name, type=stype
        )
        have = {e.interface for e in idn.endpoints(service_id=svc.id)}
        for itf in ("public", "internal", "admin"):
            if itf not in have:
                idn.create_endpoint(
                    service_id=svc.id, interface=itf, url=url, region_id="RegionOne"
                )


if __name__ == "__main__":
    main(sys.argv[1:])
