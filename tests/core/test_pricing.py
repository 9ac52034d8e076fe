from __future__ import annotations

from datetime import date

from govcloud.core import models as m
from govcloud.core import pricing
from govcloud.core.findings import Reclaim
from tests.core.report_fixtures import PRICES, estate, findings


def test_pool_price_beats_general_and_validity_is_half_open() -> None:
    on = date(2025, 3, 1)
    assert pricing.resolve_price(PRICES, "vcpu", "dmz", on).yuan_per_month == 60.0  # type: ignore[union-attr]
    assert pricing.resolve_price(PRICES, "vcpu", "core", on).yuan_per_month == 40.0  # type: ignore[union-attr]
    last_day = pricing.resolve_price(PRICES, "vcpu", "core", date(2024, 12, 31))
    assert last_day is not None
    assert last_day.yuan_per_month == 50.0
    assert pricing.resolve_price(PRICES, "vcpu", "core", date(2023, 12, 31)) is None
    assert pricing.resolve_price(PRICES, "floating_ip", "core", on) is None


def test_volume_type_price_then_general() -> None:
    on = date(2025, 3, 1)
    assert pricing.resolve_volume_price(PRICES, "ssd", "core", on)[0] == "volume_gib:ssd"
    key, price = pricing.resolve_volume_price(PRICES, "hdd", "core", on)
    assert key == "volume_gib"
    assert price is not None
    assert price.yuan_per_month == 0.5


def test_price_id_names_pool_and_period() -> None:
    assert pricing.price_id(PRICES[0]) == "vcpu@*:2024-01-01..2025-01-01"
    assert pricing.price_id(PRICES[2]) == "vcpu@dmz:2025-01-01.."


def test_allocated_bill_says_which_price_applied() -> None:
    lines = pricing.allocated_lines(estate())
    dmz_vcpu = next(ln for ln in lines if ln.pool == "dmz" and ln.resource == "vcpu")
    assert (dmz_vcpu.quantity, dmz_vcpu.yuan_per_month) == (2, 120.0)
    assert dmz_vcpu.price_id == "vcpu@dmz:2025-01-01.."
    ssd = next(ln for ln in lines if ln.resource == "volume_gib:ssd")
    assert (ssd.quantity, ssd.yuan_per_month) == (100, 100.0)


def test_missing_prices_are_none_never_zero() -> None:
    data = estate(prices=(m.UnitPrice("vcpu", 40.0, date(2025, 1, 1)),))
    lines = pricing.allocated_lines(data)
    ram = [ln for ln in lines if ln.resource == "ram_gib"]
    assert ram
    assert all(ln.yuan_per_month is None and ln.price_id is None for ln in ram)
    assert "ram_gib" in pricing.unpriced(lines)
    assert pricing.total_yuan([ln for ln in lines if ln.resource == "ram_gib"]) is None
    assert (
        pricing.reclaim_yuan_per_year(Reclaim(1, 1024), "core", data.prices, data.now.date())
        is None
    )


def test_quota_basis_and_unlimited_quota() -> None:
    lines = pricing.quota_lines(estate())
    health_vcpu = next(ln for ln in lines if ln.department == "health" and ln.resource == "vcpu")
    assert (health_vcpu.quantity, health_vcpu.yuan_per_month) == (16, 640.0)


def test_idle_cost_and_shared_capacity_are_their_own_lines() -> None:
    data = estate()
    idle = pricing.idle_lines(data, findings())
    health = [ln for ln in idle if ln.department == "health"]
    assert pricing.total_yuan(health) == 8 * 40.0 + 16 * 10.0  # web-1: 8 vCPU, 16 GiB
    shared = pricing.unallocated_lines(data)
    core_vcpu = next(ln for ln in shared if ln.pool == "core" and ln.resource == "vcpu")
    # 16 cores x ratio 4 = 64 usable, 12 held by health
    assert core_vcpu.department is None
    assert core_vcpu.quantity == 52


def test_reclaim_in_yuan_per_year() -> None:
    got = pricing.reclaim_yuan_per_year(Reclaim(2, 4096, 10), "dmz", PRICES, date(2025, 3, 1))
    assert got == (2 * 60.0 + 4 * 10.0 + 10 * 0.5) * 12
