"""Storage capacity: Cinder's capacity-filter arithmetic per pool and volume type, and the
`quota check` rows it feeds."""

from __future__ import annotations

import pytest

from govcloud.core.models import Pool, QuotaResource, StorageBackend, TypeQuotaUsage, VolumeType
from govcloud.core.quota_check import check_storage
from govcloud.core.severity import Severity
from govcloud.core.storage_capacity import (
    Promise,
    backend_usable,
    over_subscription,
    pool_storage,
    type_promises,
)

POOL = Pool(
    code="p", name_zh="生产", name_en="prod", cloud="c", region="r", security_zone="政务外网",
    mlps_level_max=3,
)  # fmt: skip


def _backend(
    name: str = "h@ceph#ssd",
    backend: str | None = "ceph-ssd",
    total: float | None = 1000.0,
    free: float | None = 600.0,
    allocated: float | None = 300.0,
    provisioned: float | None = 500.0,
    ratio: float | None = 2.0,
    reserved: float = 10.0,
    thin: bool = True,
) -> StorageBackend:
    return StorageBackend(
        "p", name, backend, total, free, allocated, provisioned, ratio, reserved, thin, not thin
    )


def test_thin_backend_is_total_times_ratio_minus_reserve_of_the_total() -> None:
    u = backend_usable(_backend())
    assert (u.limit_gib, u.reserve_gib, u.usable_gib, u.ratio) == (2000.0, 100.0, 1900.0, 2.0)


def test_thick_backend_ignores_its_ratio() -> None:
    u = backend_usable(_backend(thin=False, ratio=20.0, reserved=0.0))
    assert (u.usable_gib, u.ratio) == (1000.0, 1.0)


def test_auto_ratio_is_cinders_estimate() -> None:
    # 1 + provisioned / (total - free + 1) = 1 + 500 / 401
    assert over_subscription(_backend(ratio=None)) == pytest.approx(1 + 500 / 401)
    assert over_subscription(_backend(ratio=None, provisioned=0.0)) == 20.0
    # provisioned not reported: Cinder falls back to allocated
    assert over_subscription(_backend(ratio=None, provisioned=None)) == pytest.approx(1 + 300 / 401)


def test_auto_ratio_without_free_capacity_is_unknown_not_guessed() -> None:
    u = backend_usable(_backend(ratio=None, free=None))
    assert u.usable_gib is None
    assert "auto over-subscription" in (u.why_unknown or "")


def test_infinite_backend_makes_the_pool_unknown_never_a_smaller_total() -> None:
    backends = [_backend(), _backend(name="h@nfs#x", backend="nfs", total=None, free=None)]
    [row] = pool_storage("p", backends, [], Promise(500, 500, 0), {})
    assert row.usable_gib is None
    assert row.total_gib is None
    assert "h@nfs#x reports infinite/unknown capacity" in row.note
    check = check_storage(POOL, row)
    assert check.severity is Severity.INFO
    assert check.capacity is None
    assert "storage capacity unknown" in check.finding


def test_pool_and_per_type_rows_against_promises() -> None:
    backends = [
        _backend(),
        _backend(name="h@lvm#sata", backend="lvm-sata", thin=False, reserved=0.0, provisioned=None),
    ]
    types = [
        VolumeType("p", "t1", "ssd", "ceph-ssd"),
        VolumeType("p", "t2", "sata", "lvm-sata"),
        VolumeType("p", "t3", "any", None),
        VolumeType("p", "t4", "gone", "old-backend"),
    ]
    rows = pool_storage(
        "p", backends, types, Promise(2950, 2950, 0), {"ssd": Promise(2500, 2500, 0)}
    )
    total, any_, gone, sata, ssd = rows
    assert (total.volume_type, total.usable_gib, total.total_gib) == (None, 2900.0, 2000.0)
    assert total.ratio is None  # 2.0 and 1.0: no single ratio
    assert total.provisioned_gib == 800.0  # 500 + allocated 300 where provisioned is missing
    assert total.quota_pct == round(100 * 2950 / 2900, 1)
    assert any_.usable_gib is None
    assert "no volume_backend_name" in any_.note
    assert gone.usable_gib is None
    assert "no backend 'old-backend'" in gone.note
    assert (sata.usable_gib, ssd.usable_gib) == (1000.0, 1900.0)
    pool_check = check_storage(POOL, total)
    assert pool_check.resource == "gigabytes"
    assert pool_check.severity is Severity.MEDIUM
    assert "Σ quotas 2,950 GiB exceed capacity 2,900" in pool_check.finding
    ssd_check = check_storage(POOL, ssd)
    assert ssd_check.resource == "gigabytes_ssd"
    assert ssd_check.severity is Severity.HIGH  # 2500 > 2000 before the reserve
    assert "exceed capacity 1,900 (limit before reserve 2,000)" in ssd_check.finding
    assert check_storage(POOL, sata).severity is Severity.OK
    # nothing promised on the types without a backend here: pool show lists them, quota check not
    assert [r.volume_type for r in rows if r.idle_type] == ["any", "gone"]
    promised = pool_storage("p", backends, types, Promise(0, 0, 0), {"any": Promise(10, 10, 0)})
    assert [r.volume_type for r in promised if r.idle_type] == ["gone"]


def test_approved_above_capacity_is_a_finding_even_when_the_cloud_holds_less() -> None:
    [row] = pool_storage("p", [_backend()], [], Promise(2000, 1000, 0), {})
    check = check_storage(POOL, row)
    assert check.severity is Severity.MEDIUM
    assert "Σ approved 2,000 GiB exceed" in check.finding
    assert (check.approved, check.quota_committed) == (2000, 1000)


def test_unlimited_per_type_quota_is_cinders_default_not_a_finding() -> None:
    ssd = pool_storage("p", [_backend()], [VolumeType("p", "t", "ssd", "ceph-ssd")],
                       Promise(100, 100, 0), {"ssd": Promise(0, 0, 3)})[1]  # fmt: skip
    assert check_storage(POOL, ssd).severity is Severity.OK
    [total] = pool_storage("p", [_backend()], [], Promise(100, 100, 1), {})
    assert "1 project(s) have no limit" in check_storage(POOL, total).finding


def test_type_promises_prefer_the_clouds_limit_and_count_unlimited_apart() -> None:
    limits = [
        TypeQuotaUsage("p", "a", "ssd", QuotaResource.GIGABYTES, 800, 10),
        TypeQuotaUsage("p", "b", "ssd", QuotaResource.GIGABYTES, -1, 0),
        TypeQuotaUsage("p", "a", "ssd", QuotaResource.VOLUMES, 50, 1),
        TypeQuotaUsage("p", "z", "ssd", QuotaResource.GIGABYTES, 9999, 0),  # undeclared project
    ]
    bindings = [({"gigabytes_ssd": 1000}, "a"), ({}, "b"), ({"gigabytes_ssd": 300}, None)]
    assert type_promises(bindings, limits) == {"ssd": Promise(1300, 1100, 1)}


def test_no_backend_synced_says_so() -> None:
    [row] = pool_storage("p", [], [], Promise(), {}, declared_backends=("ceph",))
    assert row.usable_gib is None
    assert row.note == "no Cinder backend synced for this pool"
    [row] = pool_storage("p", [_backend()], [], Promise(), {}, declared_backends=("ceph-ssd", "x"))
    assert row.note == "declared backend(s) not reported: x"
