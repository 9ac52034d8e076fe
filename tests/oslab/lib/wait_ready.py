"""Wait until the lab answers: HTTP endpoints, then every compute host, backend and Neutron.

Usage: wait_ready.py http TIMEOUT_SECONDS URL ...
       wait_ready.py all TIMEOUT_SECONDS HOSTS BACKENDS URL ...
  http:     only wait for the URLs to answer
  all:      also wait until each nova-compute host in HOSTS (comma-separated) is an 'up' service,
            an 'up' hypervisor and a Placement provider, and each Cinder backend in BACKENDS is
            an 'up' cinder-volume service with a pool known to the scheduler
            (OS_CLIENT_CONFIG_FILE -> clouds.yaml)
"""

import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable

import openstack


def wait_http(url: str, deadline: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answered (e.g. 300 Multiple Choices / 401): good enough
        except OSError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"timeout waiting for {url}: {exc}") from None
        time.sleep(0.25)


def until(what: str, deadline: float, check: Callable[[], bool]) -> None:
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:  # service still starting
            last = exc
        time.sleep(1)
    raise SystemExit(f"timeout waiting for {what} (last error: {last})")


def main(argv: list[str]) -> None:
    mode, timeout = argv[0], float(argv[1])
    deadline = time.monotonic() + timeout
    if mode == "http":
        for url in argv[2:]:
            wait_http(url, deadline)
        return
    hosts, backends = set(argv[2].split(",")), set(argv[3].split(","))
    for url in argv[4:]:
        wait_http(url, deadline)
    conn = openstack.connect(cloud="oslab")

    def neutron_answers() -> bool:
        # the first request must not be GET /ports: its port_forwardings backref is only
        # configured once another model query ran, and that first GET /ports would 500
        list(conn.network.networks())
        list(conn.network.ports())
        return True

    def computes_up() -> bool:
        hvs = {h.name for h in conn.compute.hypervisors(details=True) if h.state == "up"}
        svcs = {
            s.host
            for s in conn.compute.services()
            if s.binary == "nova-compute" and s.state == "up"
        }
        providers = {rp.name for rp in conn.placement.resource_providers()}
        return hosts <= hvs and hosts <= svcs and hosts <= providers

    def volumes_up() -> bool:
        up = {
            s.host.partition("@")[2]
            for s in conn.block_storage.services()
            if s.binary == "cinder-volume" and s.state == "up"
        }
        return backends <= up

    def scheduler_knows_backends() -> bool:
        # an 'up' cinder-volume is not enough: until its capabilities reach the scheduler,
        # every new volume of that backend goes to "error" (No valid backend)
        pools = {
            p.name.partition("@")[2].partition("#")[0] for p in conn.block_storage.backend_pools()
        }
        return backends <= pools

    until("neutron", deadline, neutron_answers)
    until(
        f"nova-compute hosts {sorted(hosts)} (service, hypervisor, provider)", deadline, computes_up
    )
    until(f"cinder-volume backends {sorted(backends)}", deadline, volumes_up)
    until("the cinder scheduler to know every backend", deadline, scheduler_knows_backends)


if __name__ == "__main__":
    main(sys.argv[1:])
