"""Fault injection as a client sees it: expiring tokens, 5xx, broken pagination."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from govcloud.core.models import Inventory
from govcloud.sandbox import Faults, Sandbox
from tests.sandbox.conftest import connect, issue_token

pytestmark = pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK50Warning")


@pytest.fixture
def small(inventory: Inventory, tmp_path: Path) -> Iterator[tuple[Sandbox, Path]]:
    with Sandbox.start(inventory, size=300) as sb:
        yield sb, sb.write_clouds_yaml(tmp_path / "clouds.yaml")


def _region_rows(sb: Sandbox) -> int:
    return len(sb.estate.region_servers["zw-region"])


def test_tokens_expire_after_n_requests_and_sdk_reauthenticates(
    small: tuple[Sandbox, Path],
) -> None:
    sb, clouds = small
    with requests.Session() as s:
        sb.set_faults(Faults(expire_tokens_after=2))
        token = issue_token(sb, s)
        url = f"{sb.base_url}/r/zw-region/compute/v2.1/flavors"
        codes = [
            s.get(url, headers={"X-Auth-Token": token}, timeout=10).status_code for _ in range(4)
        ]
        assert codes == [200, 200, 401, 401]
    sb.set_faults(Faults(expire_tokens_after=3))
    conn = connect(clouds)
    servers = list(conn.compute.servers(all_projects=True, limit=20))
    assert len({x.id for x in servers}) == _region_rows(sb)


def test_fail_rate_is_deterministic_per_seed(small: tuple[Sandbox, Path]) -> None:
    sb, _ = small

    def run() -> list[int]:
        sb.set_faults(Faults(fail_rate=0.3, fail_seed=42))
        with requests.Session() as s:
            token = issue_token(sb, s)
            url = f"{sb.base_url}/r/zw-region/compute/v2.1/flavors"
            return [
                s.get(url, headers={"X-Auth-Token": token}, timeout=10).status_code
                for _ in range(30)
            ]

    first = run()
    assert set(first) == {200, 503}
    assert first == run()


def test_admin_endpoint_sets_faults(small: tuple[Sandbox, Path]) -> None:
    sb, _ = small
    r = requests.put(f"{sb.base_url}/_sandbox/faults", json={"latency_ms": 5}, timeout=10)
    assert r.json()["faults"]["latency_ms"] == 5
    assert sb.faults.latency_ms == 5
    r = requests.put(f"{sb.base_url}/_sandbox/faults", json={"bogus": 1}, timeout=10)
    assert r.status_code == 400


def test_stuck_marker_is_visible_to_a_client(small: tuple[Sandbox, Path]) -> None:
    sb, _ = small
    sb.set_faults(Faults(stuck_marker=True))
    with requests.Session() as s:
        token = issue_token(sb, s)
        url = f"{sb.base_url}/r/zw-region/compute/v2.1/servers/detail?all_tenants=1&limit=10"
        markers, pages = [], []
        for _ in range(4):
            body = s.get(url, headers={"X-Auth-Token": token}, timeout=10).json()
            pages.append([x["id"] for x in body["servers"]])
            url = body["servers_links"][0]["href"]
            markers.append(url.rpartition("marker=")[2])
    # the first next link is right; after that the cloud keeps handing back the same marker
    assert markers[0] == pages[0][-1]
    assert len(set(markers)) == 1
    assert pages[1] == pages[2] == pages[3] != pages[0]


def test_duplicate_rows_across_pages(small: tuple[Sandbox, Path]) -> None:
    sb, clouds = small
    sb.set_faults(Faults(duplicate_servers=True))
    ids = [s.id for s in connect(clouds).compute.servers(all_projects=True, limit=25)]
    assert len(ids) > len(set(ids))
    assert len(set(ids)) == _region_rows(sb)
