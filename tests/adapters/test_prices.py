"""Unit prices from YAML into the store and back, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from govcloud.adapters.store import declared_repo
from govcloud.adapters.store.engine import open_store
from govcloud.adapters.yaml_source import parse_yaml_text
from govcloud.core import models as m
from govcloud.core.declared import parse_inventory
from govcloud.core.errors import ValidationError
from govcloud.services.inventory import read_inventory

EXAMPLE = Path(__file__).resolve().parents[2] / "inventory" / "example"

POOLS = """\
clouds:
  - name: zwy
    regions: [r1]
pools:
  - {code: p1, name_zh: 生产区, name_en: Production, cloud: zwy, region: r1,
     security_zone: 政务外网}
"""

PRICES = """\
prices:
  - resource: vcpu
    yuan_per_month: 45
    valid_from: 2026-01-01
    valid_to: 2026-07-01
  - resource: vcpu
    yuan_per_month: 40.0
    valid_from: "2026-06-01"
"""


def test_yaml_overlap_error_names_both_lines() -> None:
    docs = [parse_yaml_text(POOLS, "pools.yaml"), parse_yaml_text(PRICES, "prices.yaml")]
    with pytest.raises(ValidationError) as err:
        parse_inventory(docs)
    assert err.value.message == (
        "prices.yaml:8 (valid_from): price of 'vcpu' for every pool from 2026-06-01 overlaps"
        " the one declared at prices.yaml:4 (2026-01-01 until 2026-07-01)"
    )
    assert err.value.exit_code == 2


def test_example_prices_change_mid_year_and_the_internet_zone_is_dearer() -> None:
    inv = read_inventory(EXAMPLE)
    vcpu = {
        (p.pool_code, p.valid_from): p.yuan_per_month for p in inv.prices if p.resource == "vcpu"
    }
    assert vcpu[(None, date(2026, 7, 1))] < vcpu[(None, date(2026, 1, 1))]
    assert vcpu[("hlw", date(2026, 7, 1))] > vcpu[(None, date(2026, 7, 1))]
    assert {p.resource for p in inv.prices} >= {*m.PRICED_RESOURCES, "volume_gib:ssd"}


def _sorted(prices: list[m.UnitPrice] | tuple[m.UnitPrice, ...]) -> list[m.UnitPrice]:
    return sorted(prices, key=lambda p: (p.resource, p.pool_code or "", p.valid_from))


def test_load_replaces_the_price_set_and_counts_it(store_url: str) -> None:
    inv = read_inventory(EXAMPLE)
    store = open_store(store_url, create=True)
    try:
        with store.write() as conn:
            first = declared_repo.load_inventory(conn, inv).counts["prices"]
        with store.read() as conn:
            stored = declared_repo.read_prices(conn)
        # One price dearer, one gone, one new: the reload says so and keeps nothing stale.
        dearer = replace(inv.prices[0], yuan_per_month=99.5)
        new = m.UnitPrice("floating_ip", 120.0, date(2027, 1, 1), None, "hlw")
        changed = replace(inv, prices=(dearer, *inv.prices[1:-1], new))
        with store.write() as conn:
            second = declared_repo.load_inventory(conn, changed).counts["prices"]
        with store.read() as conn:
            after = declared_repo.read_prices(conn)
        with store.write() as conn:
            declared_repo.load_inventory(conn, replace(inv, prices=()))
        with store.read() as conn:
            emptied = declared_repo.read_prices(conn)
    finally:
        store.close()
    n = len(inv.prices)
    assert (first.added, first.changed, first.removed, first.unchanged) == (n, 0, 0, 0)
    assert _sorted(stored) == _sorted(inv.prices)
    assert stored[0].pool_code is None  # general prices first
    assert (second.added, second.changed, second.removed, second.unchanged) == (1, 1, 1, n - 2)
    assert _sorted(after) == _sorted(changed.prices)
    assert emptied == []
