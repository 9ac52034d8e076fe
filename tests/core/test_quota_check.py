"""`quota check` arithmetic and severities, and the `quota show` record, on hand-written data."""

from __future__ import annotations

import pytest

from govcloud.core.capacity import Allocated
from govcloud.core.errors import UsageError
from govcloud.core.models import CapacityRecord, PhysicalCapacity, Pool, QuotaResource, Ratios
from govcloud.core.models import Reserve as Rsv
from govcloud.core.quota_check import (
    PoolQuotaCheck,
    Severity,
    at_or_above,
    check_pool,
    parse_severity,
    quota_view,
    sort_views,
)

R = QuotaResource


def pool(**kw: object) -> Pool:
    base: dict[str, object] = {
        "code": "zw-prod",
        "name_zh": "政务外网生产区",
        "name_en": "E-gov production",
        "cloud": "zwy",
        "region": "zw-region",
        "security_zone": "政务外网",
        "mlps_level_max": 3,
        "ratios": Ratios(4.0, 1.0, 1.0),
        "reserve": Rsv(vcpu=100, ram_mib=10_240),
        "physical": PhysicalCapacity(cpu_cores=250, ram_mib=102_400, disk_gib=10_000),
    }
    base.update(kw)
    return Pool(**base)  # type: ignore[arg-type]


def placement(vcpu_total: int = 250, ratio: float = 4.0) -> dict[str, CapacityRecord]:
    return {
        "VCPU": CapacityRecord("zw-prod", "VCPU", vcpu_total, 0, ratio, 0, 3),
        "MEMORY_MB": CapacityRecord("zw-prod", "MEMORY_MB", 102_400, 0, 1.0, 0, 3),
    }


def cores_row(**kw: object) -> PoolQuotaCheck:
    args: dict[str, object] = {
        "pool": pool(),
        "capacity": {},
        "allocated": Allocated(),
        "committed": {},
        "unlimited": {},
    }
    args.update(kw)
    rows = check_pool(**args)  # type: ignore[arg-type]
    assert [r.resource for r in rows] == ["cores", "ram"]
    return rows[0]


def test_capacity_is_total_times_ratio_minus_reserve() -> None:
    row = cores_row()
    assert (row.placement_limit, row.reserve, row.capacity) == (1000, 100, 900)
    assert row.capacity_source == "declared"
    assert (row.severity, row.finding) == (Severity.OK, "")


def test_placement_inventory_wins_over_declared_physical_but_not_over_declared_ratio() -> None:
    row = cores_row(capacity=placement(vcpu_total=300, ratio=16.0))
    assert row.capacity_source == "placement"
    assert row.ratio == 4.0  # the pool file overrides Placement's ratio
    assert row.capacity == 300 * 4 - 100


def test_placement_ratio_used_when_pool_declares_none() -> None:
    row = cores_row(pool=pool(ratios=None), capacity=placement(vcpu_total=300, ratio=16.0))
    assert (row.ratio, row.capacity) == (16.0, 300 * 16 - 100)


def test_unknown_capacity_is_informational() -> None:
    row = cores_row(pool=pool(physical=None))
    assert row.severity is Severity.INFO
    assert row.capacity is None
    assert "capacity unknown" in row.finding


def test_quotas_above_capacity_are_medium_and_above_the_pool_limit_high() -> None:
    medium = cores_row(committed={R.CORES: 950})
    assert medium.severity is Severity.MEDIUM
    assert medium.quota_pct == pytest.approx(105.6)
    assert "exceed capacity 900" in medium.finding
    high = cores_row(committed={R.CORES: 1001})
    assert high.severity is Severity.HIGH
    assert "exceed capacity 900 (limit before reserve 1,000)" in high.finding


def test_quotas_exactly_at_capacity_are_fine() -> None:
    assert cores_row(committed={R.CORES: 900}).severity is Severity.OK


def test_unlimited_projects_are_high() -> None:
    row = cores_row(committed={R.CORES: 10}, unlimited={R.CORES: 2})
    assert row.severity is Severity.HIGH
    assert row.unlimited_projects == 2
    assert "2 project(s) have no limit" in row.finding


@pytest.mark.parametrize(
    ("vcpus", "severity"),
    [
        (719, Severity.OK),
        (720, Severity.LOW),  # 80% of 900: Skyline's 危险
        (810, Severity.MEDIUM),  # 90%: 爆满
        (901, Severity.HIGH),  # into the reserve
        (1001, Severity.CRITICAL),  # beyond (total - reserved) x ratio
    ],
)
def test_allocation_severity_steps(vcpus: int, severity: Severity) -> None:
    row = cores_row(allocated=Allocated(servers=1, vcpus=vcpus))
    assert row.severity is severity
    assert row.allocated == vcpus


def test_worst_finding_wins_and_is_listed_first() -> None:
    row = cores_row(allocated=Allocated(vcpus=1001), committed={R.CORES: 950})
    assert row.severity is Severity.CRITICAL
    assert row.finding.index("allocated") < row.finding.index("Σ quotas")


def test_ram_is_judged_in_mib_and_shown_in_gib_with_the_ram_reserve() -> None:
    # 92,161 MiB is 1 MiB above capacity (102,400 - 10,240): judged exactly, shown in GiB
    ram = check_pool(pool(), {}, Allocated(ram_mib=92_161), {R.RAM: 51_200}, {})[1]
    assert (ram.unit, ram.capacity, ram.reserve, ram.allocated) == ("GiB", 90, 10, 90)
    assert (ram.quota_committed, ram.quota_pct) == (50, pytest.approx(55.6))
    assert ram.severity is Severity.HIGH
    assert "allocated 90 GiB eats into the reserve (capacity 90)" in ram.finding


def test_at_or_above_filters_by_rank_and_never_counts_ok() -> None:
    rows = [
        cores_row(),
        cores_row(committed={R.CORES: 950}),
        cores_row(allocated=Allocated(vcpus=1001)),
    ]
    assert [r.severity for r in at_or_above(rows, Severity.HIGH)] == [Severity.CRITICAL]
    assert len(at_or_above(rows, Severity.INFO)) == 2


def test_parse_severity() -> None:
    assert parse_severity("HIGH") is Severity.HIGH
    with pytest.raises(UsageError, match="unknown severity"):
        parse_severity("severe")


# --- quota show records -----------------------------------------------------------------------


def test_quota_view_percent_and_drift() -> None:
    v = quota_view("zw-prod", "wjw", "卫健委", "Health", "wjw-p", "id1", "cores", 100, 80, 72, 0)
    assert (v.used_pct, v.drift, v.unit) == (90.0, True, "vCPU")


def test_quota_view_unlimited_has_no_percent() -> None:
    v = quota_view("zw-prod", "wjw", "卫健委", "Health", "wjw-p", "id1", "ram", 1024, -1, 99, 0)
    assert v.used_pct is None
    assert v.unit == "MiB"


def test_undeclared_projects_show_a_dash_department() -> None:
    v = quota_view("zw-prod", None, None, None, "rogue", "id9", "instances", None, 10, 3, 0)
    assert (v.department, v.department_zh, v.department_en, v.drift) == ("-", "-", "-", False)
    assert v.used_pct == 30.0


def test_declared_but_not_synced_has_no_limit_yet() -> None:
    v = quota_view("p", "wjw", "卫健委", "Health", "wjw-p", None, "volumes", 40, None, None, 0)
    assert (v.limit, v.used_pct, v.drift) == (None, None, False)


def test_sort_views_orders_resources_as_openstack_lists_them() -> None:
    views = [
        quota_view("p", "d", "d", "d", "x", "i", r, 1, 1, 0, 0)
        for r in ("volumes", "floatingip", "gigabytes_ssd", "cores", "gigabytes", "ram",
                  "instances", "gigabytes_hdd", "snapshots")
    ]  # fmt: skip
    assert [v.resource for v in sort_views(views)] == [
        "cores", "ram", "instances", "gigabytes", "gigabytes_hdd", "gigabytes_ssd", "volumes",
        "snapshots", "floatingip",
    ]  # fmt: skip
    typed = quota_view("p", "d", "d", "d", "x", "i", "gigabytes_ssd", 100, 200, 50, 0)
    assert (typed.unit, typed.drift, typed.used_pct) == ("GiB", True, 25.0)


def test_pool_summary_carries_committed_quota_percent_of_capacity() -> None:
    from govcloud.core.capacity import summarize_pool

    s = summarize_pool(pool(), {}, Allocated(), {R.CORES: 450, R.RAM: None})
    assert (s.vcpu_capacity, s.vcpu_quota_pct) == (900, 50.0)
    assert s.ram_quota_pct is None  # unbounded: no percentage
    assert s.quota_overcommit is True
