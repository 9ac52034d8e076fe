"""Network read functions on SQLite and PostgreSQL: ports, security groups, allocations, and
the floating IP listings behind `govcloud fip list`, joined to department and server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from govcloud.adapters.store import network_repo
from govcloud.adapters.store.engine import Store, open_store
from govcloud.adapters.store.network_repo import FipFilter
from govcloud.core.models import Inventory
from govcloud.services.inventory import read_inventory
from tests.adapters.test_storage_repo import EXAMPLE, HLW, T0, ZW, listings, seed


@pytest.fixture(scope="module")
def example() -> Inventory:
    return read_inventory(EXAMPLE)


@pytest.fixture
def store(store_url: str, example: Inventory) -> Iterator[Store]:
    s = open_store(store_url, create=True)
    with s.write() as conn:
        seed(conn, example)
    yield s
    s.close()


def test_ports_by_pool_and_server(store: Store, example: Inventory) -> None:
    zw, hlw = listings(example)
    with store.read() as conn:
        every = network_repo.ports(conn)
        zw_ports = network_repo.ports(conn, ZW)
        of_servers = network_repo.ports(conn, server_ids=["srv-jyj-1", "srv-h-1", "srv-none"])
        of_zw_servers = network_repo.ports(conn, ZW, ["srv-jyj-1", "srv-h-1"])
        of_nothing = network_repo.ports(conn, server_ids=[])
    assert set(every) == set(zw.ports + hlw.ports)
    assert [p.port_id for p in zw_ports] == ["port-dhcp", "port-fgw", "port-jyj"]
    assert [(p.pool_code, p.port_id) for p in of_servers] == [(HLW, "port-h"), (ZW, "port-jyj")]
    assert of_servers[1].fixed_ips == ("10.1.0.5",)
    assert of_servers[1].security_group_ids == ("sg-web",)
    assert [p.port_id for p in of_zw_servers] == ["port-jyj"]
    assert of_nothing == []


def test_many_server_ids_are_asked_in_chunks(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network_repo, "CHUNK", 2)
    wanted = [f"srv-{i}" for i in range(7)] + ["srv-fgw-1", "srv-jyj-1", "srv-h-1"]
    with store.read() as conn:
        found = network_repo.ports(conn, server_ids=wanted)
    assert [p.port_id for p in found] == ["port-h", "port-fgw", "port-jyj"]


def test_security_groups_and_allocations(store: Store, example: Inventory) -> None:
    zw, hlw = listings(example)
    with store.read() as conn:
        groups = network_repo.security_groups(conn)
        none_in_hlw = network_repo.security_groups(conn, HLW)
        allocations = network_repo.allocations(conn)
        hlw_allocations = network_repo.allocations(conn, HLW)
    assert groups == list(zw.security_groups)  # rules and all
    assert none_in_hlw == []
    assert [(a.pool_code, a.project_id) for a in allocations] == [
        (HLW, "p-jyj-h"), (ZW, "p-fgw"), (ZW, "p-jyj"),
    ]  # fmt: skip
    assert hlw_allocations == list(hlw.allocations)


def _addresses(store: Store, f: FipFilter) -> list[str]:
    with store.read() as conn:
        return [v.address for v in network_repo.list_floating_ips(conn, f)]


def test_floating_ip_list_filters(store: Store) -> None:
    every = ["198.51.100.7", "203.0.113.6", "203.0.113.5"]  # by pool, department, address
    assert _addresses(store, FipFilter()) == every
    assert _addresses(store, FipFilter(pool=ZW)) == every[1:]
    assert _addresses(store, FipFilter(department="教育局")) == ["198.51.100.7", "203.0.113.5"]
    assert _addresses(store, FipFilter(department="fgw")) == ["203.0.113.6"]
    assert _addresses(store, FipFilter(status="down")) == every[:2]
    assert _addresses(store, FipFilter(attached=True)) == ["203.0.113.5"]
    assert _addresses(store, FipFilter(attached=False, pool=HLW)) == ["198.51.100.7"]
    assert _addresses(store, FipFilter(limit=1)) == every[:1]


def test_floating_ip_views_carry_department_project_and_server(store: Store) -> None:
    with store.read() as conn:
        views = {v.fip_id: v for v in network_repo.list_floating_ips(conn)}
    used = views["fip-1"]
    assert (used.pool, used.department, used.department_zh, used.project) == (
        ZW, "jyj", "教育局", "jyj-zw-prod",
    )  # fmt: skip
    assert (used.port_id, used.fixed_address, used.server_id, used.server) == (
        "port-jyj", "10.1.0.5", "srv-jyj-1", "his-app",
    )  # fmt: skip
    assert used.created_at == T0 - timedelta(days=3)
    idle = views["fip-2"]
    assert (idle.department, idle.server_id, idle.server, idle.port_id) == ("fgw", None, None, None)
