"""Wait until the lab answers: HTTP endpoints, then an 'up' compute host and cinder-volume.

Usage: wait_ready.py http|all TIMEOUT_SECONDS URL ...
  http: only wait for the URLs to answer
  all:  also wait for the compute host and cinder-volume (OS_CLIENT_CONFIG_FILE -> clouds.yaml)
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
    mode, timeout, urls = argv[0], float(argv[1]), argv[2:]
    deadline = time.monotonic() + timeout
    for url in urls:
        wait_http(url, deadline)
    if mode == "http":
        return
    conn = openstack.connect(cloud="oslab")

    def compute_up() -> bool:
        hv = [h for h in conn.compute.hypervisors(details=True) if h.state == "up"]
        svcs = {(s.binary, s.state) for s in conn.compute.services()}
        return bool(hv) and ("nova-compute", "up") in svcs

    def volume_up() -> bool:
        return any(
            s.binary == "cinder-volume" and s.state == "up" for s in conn.block_storage.services()
        )

    def scheduler_knows_a_backend() -> bool:
        # cinder-volume being "up" is not enough: until its capabilities reach the scheduler,
        # every new volume goes to "error" (No valid backend).
        return any(True for _ in conn.block_storage.backend_pools())

    until("an 'up' nova-compute host", deadline, compute_up)
    until("an 'up' cinder-volume service", deadline, volume_up)
    until("a cinder backend pool known to the scheduler", deadline, scheduler_knows_a_backend)


if __name__ == "__main__":
    main(sys.argv[1:])
