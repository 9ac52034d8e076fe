"""pool-overcommit and pool-headroom on storage: Cinder backends' usable capacity (thin, thick,
`auto`, unknown) against Σ storage quotas, Σ approved and provisioned GiB, per pool and type."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest

from govcloud.core.checks import registry
from govcloud.core.findings import Finding
from govcloud.core.models import Department, StorageBackend, TypeQuotaUsage, UsagePoint, VolumeType
from govcloud.core.severity import Severity
from tests.core.checks.estate import GAJ, WJW, R, ago, estate, quota


def _backend(
    name: str = "c1@ceph#ssd",
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
        "zw-prod",
        name,
        backend,
        total,
        free,
        allocated,
        provisioned,
        ratio,
        reserved,
        thin,
        not thin,
    )


SSD = VolumeType("zw-prod", "vt-ssd", "ssd", "ceph-ssd")
SATA = VolumeType("zw-prod", "vt-sata", "sata", "ceph-sata")


def _dept(gigabytes: int | None = None, per_type: dict[str, int] | None = None) -> Department:
    binding = WJW.projects[0]
    approved = dict(binding.approved_quota)
    if gigabytes is not None:
        approved[R.GIGABYTES] = gigabytes
    binding = replace(binding, approved_quota=approved, approved_type_quota=per_type or {})
    return replace(WJW, projects=(binding,))


def _data(**kw: Any) -> Any:
    kw.setdefault("volume_types", (SSD,))
    return estate(**kw)


def _storage(data: Any, **params: Any) -> dict[str, Finding]:
    found = registry()["pool-overcommit"](data, params or None)
    return {f.subject_id: f for f in found if f.evidence["resource"].startswith("gigabytes")}


@dataclass(frozen=True)
class Case:
    name: str
    backends: tuple[StorageBackend, ...]
    approved_gib: int
    usable: int | None  # expected evidence["capacity"]
    severity: Severity | None  # of the pool row; None: no finding


CASES = (
    # thin 1000 x 2 - 10% of 1000 = 1900 usable; 1500 promised, 500 provisioned: fine
    Case("thin within", (_backend(),), 1500, None, None),
    # 1950 > 1900 usable, <= 2000 limit: risky
    Case("thin over usable", (_backend(),), 1950, 1900, Severity.MEDIUM),
    # thick ignores the ratio: 1000 - 100 = 900; 1950 > 1000 limit: high
    Case("thick over limit", (_backend(thin=False, ratio=20.0),), 1950, 900, Severity.HIGH),
    # auto: 1 + 500 / (1000 - 600 + 1) = 2.247 -> 2247 - 100 = 2147; 2200 over usable
    Case("auto ratio", (_backend(ratio=None),), 2200, 2147, Severity.MEDIUM),
    # auto before anything is provisioned: 20 x 1000 - 100
    Case(
        "auto initial",
        (_backend(ratio=None, provisioned=0.0, allocated=0.0),),
        20_000,
        19_900,
        Severity.MEDIUM,
    ),
    # provisioned 1750 of 1900 usable (92%) with modest promises: allocation band
    Case("provisioned full", (_backend(provisioned=1750.0),), 1000, 1900, Severity.MEDIUM),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_pool_storage_against_usable_capacity(case: Case) -> None:
    data = _data(departments=(_dept(case.approved_gib), GAJ), backends=case.backends)
    found = _storage(data).get("zw-prod:gigabytes")
    if case.severity is None:
        assert found is None
        return
    assert found is not None
    assert found.severity is case.severity
    assert found.evidence["capacity"] == case.usable
    assert found.evidence["capacity_source"] == "cinder"
    assert found.evidence["quota_committed"] == case.approved_gib
    assert found.evidence["volume_type"] is None
    assert "volume GiB" in found.message.en
    assert "云硬盘容量" in found.message.zh


def test_the_clouds_limit_counts_and_approved_above_usable_is_still_a_finding() -> None:
    # approved 1000 fits; the cloud's limit of 2100 does not (2100 > 2000 limit: high)
    synced = _data(
        departments=(_dept(1000), GAJ),
        backends=(_backend(),),
        quotas=(quota(R.GIGABYTES, 2100, 100),),
    )
    f = _storage(synced)["zw-prod:gigabytes"]
    assert (f.severity, f.evidence["quota_committed"], f.evidence["approved"]) == (
        Severity.HIGH,
        2100,
        1000,
    )
    # the cloud's limit is lower than approved: the next `quota apply` would write 1950
    lower = replace(synced, quotas=(quota(R.GIGABYTES, 100, 10),), departments=(_dept(1950), GAJ))
    g = _storage(lower)["zw-prod:gigabytes"]
    assert g.severity is Severity.MEDIUM
    assert "Σ approved 1,950 GiB exceed capacity 1,900" in g.evidence["detail"]


@pytest.mark.parametrize(
    "backends",
    [
        (_backend(total=None, free=None),),  # infinite
        (_backend(), _backend("c2@ceph#ssd", total=None, free=None)),  # one of two unknown
        (_backend(ratio=None, free=None),),  # auto without free capacity
        (),  # nothing synced
    ],
    ids=["infinite", "one-unknown", "auto-unknowable", "none"],
)
def test_unknown_capacity_is_a_note_never_a_risk(backends: tuple[StorageBackend, ...]) -> None:
    data = _data(departments=(_dept(10**6), GAJ), backends=backends)
    f = _storage(data)["zw-prod:gigabytes"]
    assert f.severity is Severity.INFO
    assert f.evidence["capacity"] is None
    assert "not judged" in f.message.en
    assert "未作判断" in f.message.zh
    assert "zw-prod:gigabytes" not in _storage(data, report_unknown=False)


def test_per_type_over_promise_and_unknown_types() -> None:
    sata = _backend("c1@ceph#sata", "ceph-sata", 200.0, 100.0, 100.0, 100.0, reserved=0, thin=False)
    data = _data(
        departments=(_dept(1000, {"gigabytes_ssd": 500, "gigabytes_sata": 300}), GAJ),
        backends=(_backend(), sata),
        volume_types=(SSD, SATA, VolumeType("zw-prod", "vt-any", "any", None)),
    )
    found = _storage(data)
    assert "zw-prod:gigabytes" not in found  # 1000 of 2100
    assert "zw-prod:gigabytes_ssd" not in found  # 500 of 1900
    f = found["zw-prod:gigabytes_sata"]  # 300 promised on a 200 GiB thick backend
    assert f.severity is Severity.HIGH
    assert (f.evidence["volume_type"], f.evidence["capacity"]) == ("sata", 200)
    assert "type sata" in f.message.en
    assert "类型 sata" in f.message.zh
    assert "zw-prod:gigabytes_any" not in found  # unknown, but nothing promised on it
    # the cloud's per-type limit counts where synced; -1 is bounded by the total (no finding)
    limits = (
        TypeQuotaUsage("zw-prod", "p-wjw", "sata", R.GIGABYTES, 150, 0),
        TypeQuotaUsage("zw-prod", "p-wjw", "any", R.GIGABYTES, 50, 0),
        TypeQuotaUsage("zw-prod", "p-wjw", "ssd", R.GIGABYTES, -1, 0),
    )
    synced = _storage(replace(data, type_quotas=limits))
    assert "zw-prod:gigabytes_ssd" not in synced
    assert synced["zw-prod:gigabytes_sata"].severity is Severity.MEDIUM  # approved 300 > 200
    note = synced["zw-prod:gigabytes_any"]  # promised on a type with no backend: a note
    assert note.severity is Severity.INFO
    assert "volume_backend_name" in note.message.en


def _history(per_day: int, days: int = 30, start: int = 100) -> tuple[UsagePoint, ...]:
    return tuple(
        UsagePoint("zw-prod", ago(days=d), 1, 10, 1024, start + per_day * (days - d))
        for d in range(days)
    )


def _headroom(data: Any) -> dict[str, Finding]:
    return {f.subject_id: f for f in registry()["pool-headroom"](data, None)}


def test_headroom_forecasts_storage_against_the_backends() -> None:
    # usable 1900, provisioned 1300 -> 31.6% left; +10 GiB/day -> 60 days: medium
    data = _data(backends=(_backend(provisioned=1300.0),), usage_history=_history(10))
    f = _headroom(data)["zw-prod:volume_gib"]
    assert f.severity is Severity.MEDIUM
    assert f.evidence["capacity_source"] == "cinder"
    assert (f.evidence["capacity"], f.evidence["allocated"]) == (1900, 1300)
    assert f.evidence["days_to_exhaustion"] == 60.0
    assert "provisioned" in f.message.en
    assert "已置备" in f.message.zh
    flat = replace(data, usage_history=_history(0))
    assert "zw-prod:volume_gib" not in _headroom(flat)


def test_headroom_leaves_unknown_storage_alone_and_falls_back_to_disk_gb() -> None:
    unknown = _data(backends=(_backend(total=None, free=None),), usage_history=_history(50))
    assert "zw-prod:volume_gib" not in _headroom(unknown)
    # no backend synced: Placement's DISK_GB rule (declared 10,000 - 100 reserve)
    disk = _data(usage_history=_history(200, start=0))
    f = _headroom(disk)["zw-prod:volume_gib"]
    assert f.evidence["capacity_source"] == "declared"
    assert f.evidence["capacity"] == 9_900
