"""Backends and volume types follow the pools' declared `storage_backends`, so that sync places
every sandbox backend and type in a pool."""

from __future__ import annotations

from dataclasses import replace

from govcloud.core.models import Inventory, Pool
from govcloud.sandbox.seeding import build_estate
from govcloud.sandbox.storage_plan import plan


def _pool(code: str, region: str, *backends: str, zone: str | None = None) -> Pool:
    return Pool(code=code, name_zh=code, name_en=code, cloud="c", region=region,
                security_zone="z", mlps_level_max=3, availability_zone=zone,
                storage_backends=backends)  # fmt: skip


def test_main_pool_keeps_ssd_and_sata_zone_pools_name_types_after_their_backends() -> None:
    p = plan([
        _pool("zone", "r1", "z-one", zone="az1"), _pool("main", "r1", "fast", "slow"),
        _pool("solo", "r2", "ceph"),
    ])  # fmt: skip
    assert p.pool_backends == {"zone": ("z-one", "z-one"), "main": ("fast", "slow"),
                               "solo": ("ceph", "ceph")}  # fmt: skip
    assert p.pool_types == {"main": ("ssd", "sata"), "zone": ("z-one", "z-one"),
                            "solo": ("ssd", "sata")}  # fmt: skip
    assert p.region_types == {"r1": {"ssd": "fast", "sata": "slow", "z-one": "z-one"},
                              "r2": {"ssd": "ceph", "sata": "ceph"}}  # fmt: skip


def test_pools_declaring_nothing_keep_the_defaults_without_a_type_naming_two_backends() -> None:
    shared = plan([_pool("a", "r"), _pool("b", "r", zone="az")])
    assert shared.pool_backends == {"a": ("ssd", "sata"), "b": ("ssd", "sata")}
    assert shared.region_types == {"r": {"ssd": "ssd", "sata": "sata"}}
    mixed = plan([_pool("a", "r", "ceph"), _pool("b", "r", zone="az")])
    assert mixed.pool_types["b"] == ("b-ssd", "b-sata")
    assert mixed.region_types == {"r": {"ssd": "ceph", "sata": "ceph", "b-ssd": "ssd",
                                        "b-sata": "sata"}}  # fmt: skip


def test_seeded_types_backends_and_per_type_quotas_agree(inventory: Inventory) -> None:
    e = build_estate(inventory, size=2000)
    assert {(b.pool_code, b.backend) for b in e.backends} == {
        (p.code, name) for p in inventory.pools for name in p.storage_backends
    }
    for row in range(len(e.volumes)):
        project = e.volumes.project[row]
        vtype = e.volume_type(row)
        assert vtype in e.region_types[e.projects[project].region]
        assert e.backend_of(project, vtype) is not None
    dr = next(i for i, p in enumerate(e.projects) if p.pool_code == "dr-test")
    assert {e.volume_type(r) for r in e.project_volumes[dr]} == {"dr-sata"}


def test_a_per_type_quota_for_a_type_the_region_lacks_is_skipped(inventory: Inventory) -> None:
    """Every project approved a `dr-sata` quota: only zw-region's Cinder has that type."""
    depts = tuple(
        replace(d, projects=tuple(
            replace(b, approved_type_quota={**b.approved_type_quota, "gigabytes_dr-sata": 10})
            for b in d.projects))
        for d in inventory.departments
    )  # fmt: skip
    e = build_estate(replace(inventory, departments=depts), size=300)
    by_region: dict[str, list[dict[str, int]]] = {}
    for (region, _), q in e.volume_quota.items():
        by_region.setdefault(region, []).append(q)
    assert all("gigabytes_dr-sata" in q for q in by_region["zw-region"])
    assert by_region["hlw-region"]
    assert not any("gigabytes_dr-sata" in q for q in by_region["hlw-region"])
