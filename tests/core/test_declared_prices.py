"""Declared unit prices: which price lists validate, and what a bad one is told."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from govcloud.core import models as m
from govcloud.core.declared import parse_inventory
from govcloud.core.errors import ValidationError
from govcloud.core.source_doc import KeyPath, SourceDoc

POOLS: dict[str, Any] = {
    "clouds": [{"name": "zwy", "regions": ["r1"]}],
    "pools": [
        {
            "code": code,
            "name_zh": code,
            "name_en": code,
            "cloud": "zwy",
            "region": "r1",
            "security_zone": "政务外网",
        }
        for code in ("p1", "p2")
    ],
}


def _doc(data: Any, name: str) -> SourceDoc:
    """A document whose 'line' of each price item is 10 + its index: enough to tell them apart."""

    def line_of(path: KeyPath) -> int | None:
        if len(path) >= 2 and path[0] == "prices" and isinstance(path[1], int):
            return 10 + path[1]
        return 1

    return SourceDoc(name, data, line_of)


def _price(resource: str = "vcpu", **kw: Any) -> dict[str, Any]:
    return {"resource": resource, "yuan_per_month": 45.0, "valid_from": date(2026, 1, 1), **kw}


def _parse(*prices: dict[str, Any]) -> m.Inventory:
    return parse_inventory([_doc(POOLS, "pools.yaml"), _doc({"prices": list(prices)}, "p.yaml")])


def _error(*prices: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        _parse(*prices)
    return err.value


def test_prices_become_unit_prices_in_declared_order() -> None:
    inv = _parse(
        _price(valid_to=date(2026, 7, 1)),
        _price(yuan_per_month=40, valid_from=date(2026, 7, 1)),
        _price("volume_gib:ssd", pool="p2", yuan_per_month=0.9),
    )
    assert inv.prices == (
        m.UnitPrice("vcpu", 45.0, date(2026, 1, 1), date(2026, 7, 1), None),
        m.UnitPrice("vcpu", 40.0, date(2026, 7, 1), None, None),
        m.UnitPrice("volume_gib:ssd", 0.9, date(2026, 1, 1), None, "p2"),
    )


def test_an_inventory_without_prices_has_none() -> None:
    assert parse_inventory([_doc(POOLS, "pools.yaml")]).prices == ()


def test_the_same_period_in_another_pool_or_resource_is_no_overlap() -> None:
    inv = _parse(_price(), _price(pool="p1"), _price(pool="p2"), _price("ram_gib"))
    assert len(inv.prices) == 4


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({}, {"valid_from": date(2026, 7, 1)}),  # open-ended, then another
        ({"valid_to": date(2026, 7, 2)}, {"valid_from": date(2026, 7, 1)}),  # one day shared
        ({}, {}),  # the same period twice
    ],
)
def test_overlapping_periods_name_both_places(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    err = _error(_price(pool="p1", **first), _price(pool="p1", yuan_per_month=40.0, **second))
    assert err.message.startswith("p.yaml:11 (valid_from): price of 'vcpu' for pool 'p1'")
    assert "overlaps the one declared at p.yaml:10" in err.message
    assert "valid_to" in (err.hint or "")


def test_overlap_is_found_whatever_the_declared_order() -> None:
    later = _price(valid_from=date(2026, 7, 1))
    earlier = _price(valid_to=date(2026, 8, 1))
    err = _error(later, earlier)
    assert "for every pool from 2026-07-01 overlaps" in err.message
    assert err.message.startswith("p.yaml:10")
    assert "p.yaml:11" in err.message


def test_end_on_or_before_start_is_refused() -> None:
    err = _error(_price(valid_to=date(2026, 1, 1)))
    assert err.message.startswith("p.yaml:10 (valid_to): price of 'vcpu' ends (2026-01-01)")


@pytest.mark.parametrize("resource", ["cpu", "volume_gib:", "volume_gib: ssd", "VCPU"])
def test_unknown_resource_lists_the_valid_ones(resource: str) -> None:
    err = _error(_price(resource))
    assert err.message == f"p.yaml:10 (resource): unknown priced resource {resource!r}"
    for name in (*m.PRICED_RESOURCES, "volume_gib:<volume type>"):
        assert name in (err.hint or "")


def test_unknown_pool_is_refused() -> None:
    err = _error(_price(pool="p9"))
    assert err.message.startswith("p.yaml:10 (pool): unknown pool 'p9'")


@pytest.mark.parametrize("value", [0, -1.5, "45", True, float("inf"), None])
def test_price_must_be_a_positive_number(value: object) -> None:
    err = _error(_price(yuan_per_month=value))
    assert err.message.startswith("p.yaml:10 (prices.0.yuan_per_month)")


def test_unknown_key_in_a_price_is_refused() -> None:
    err = _error(_price(currency="CNY"))
    assert "unknown key 'currency'" in err.message
