"""`govcloud pool list|show`: storage from the Cinder backends beside vCPU and RAM."""

from __future__ import annotations

from pathlib import Path

from tests.cli.runner import govcloud
from tests.cli.test_quota import PROD_BACKENDS, storage


def test_pool_list_has_unit_suffixed_storage_keys_and_says_unknown(loaded: Path) -> None:
    storage(loaded, "zw-prod", PROD_BACKENDS, [("ssd", "ceph-ssd")])
    out = govcloud("pool", "list", "-o", "json", "--long")
    assert out.exit_code == 0, out.stderr
    pools = {p["code"]: p for p in out.json()}
    prod = pools["zw-prod"]
    assert prod["volume_gib_total"] == 220000
    assert prod["volume_gib_usable"] == 20000 * 2 - 2000 + 200000
    assert prod["volume_gib_provisioned"] == 65000
    assert prod["volume_quota_pct"] == round(100 * prod["volume_gib_quota"] / 238000, 1)
    # no backend synced for hlw: no number, and a note saying why
    assert pools["hlw"]["volume_gib_usable"] is None
    assert pools["hlw"]["storage_note"] == "no Cinder backend synced for this pool"


def test_pool_show_lists_volume_types_in_json_and_both_languages(loaded: Path) -> None:
    storage(
        loaded,
        "zw-prod",
        [*PROD_BACKENDS, ("c@nfs#x", "nfs", None, None, 10.0, None, None, 0.0, False)],
        [("ssd", "ceph-ssd"), ("sata", "ceph-sata"), ("nfs", "nfs"), ("any", None)],
    )
    out = govcloud("pool", "show", "zw-prod", "-o", "json")
    assert out.exit_code == 0, out.stderr
    shown = out.json()
    assert shown["volume_gib_usable"] is None  # an infinite backend: never a smaller total
    assert "c@nfs#x reports infinite/unknown capacity" in shown["storage_note"]
    types = {t["volume_type"]: t for t in shown["volume_types"]}
    assert types["ssd"]["usable_gib"] == 38000
    assert types["ssd"]["ratio"] == 2.0
    assert types["ssd"]["approved_gib"] > 0
    assert types["sata"]["usable_gib"] == 200000
    assert types["nfs"]["usable_gib"] is None
    assert "no volume_backend_name" in types["any"]["note"]
    zh = govcloud("--lang", "zh", "pool", "show", "zw-prod")
    assert zh.exit_code == 0, zh.stderr
    for label in ("存储可用容量", "云硬盘类型", "可用容量", "置备率", "批复配额"):
        assert label in zh.stdout
    en = govcloud("--lang", "en", "pool", "show", "zw-prod")
    for label in ("Storage usable", "Volume type", "Usable", "Prov", "Approved"):
        assert label in en.stdout
