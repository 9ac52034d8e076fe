from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from govcloud.core.models import QuotaResource
from govcloud.services.inventory import read_inventory

ROOT = Path(__file__).resolve().parents[2]


def test_example_estate_is_sized_like_a_city_cloud() -> None:
    inv = read_inventory(ROOT / "inventory" / "example")
    assert len(inv.pools) == 3
    assert len(inv.departments) >= 80
    assert len(inv.systems) >= 500
    assert {"卫健委", "公安局", "人社局", "自然资源和规划局"} <= {
        d.short_zh for d in inv.departments
    }
    cores = sum(p.physical.cpu_cores * p.ratios.cpu for p in inv.pools if p.physical and p.ratios)
    assert cores == 12_536


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in (ROOT / "inventory" / "example").glob("*.yaml")}
    subprocess.run([sys.executable, str(ROOT / "inventory" / "generate_example.py")], check=True)
    after = {p.name: p.read_bytes() for p in (ROOT / "inventory" / "example").glob("*.yaml")}
    assert after == before


def test_example_estate_declares_storage_backends_and_storage_network_quotas() -> None:
    inv = read_inventory(ROOT / "inventory" / "example")
    assert {p.code: p.storage_backends for p in inv.pools} == {
        "zw-prod": ("ceph-ssd", "ceph-sata"),
        "hlw": ("hlw-ceph",),
        "dr-test": ("dr-sata",),
    }
    bindings = [b for d in inv.departments for b in d.projects]
    typed = [b for b in bindings if b.approved_type_quota]
    assert typed
    assert {b.pool_code for b in typed} == {"zw-prod"}
    assert all(set(b.approved_type_quota) == {"gigabytes_ssd"} for b in typed)
    fips = [b for b in bindings if QuotaResource.FLOATINGIP in b.approved_quota]
    assert fips
    assert {b.pool_code for b in fips} == {"hlw"}
