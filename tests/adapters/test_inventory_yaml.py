"""Declared inventory: what a bad file says, and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.adapters.yaml_source import parse_yaml_text, read_inventory_dir
from govcloud.core.declared import parse_inventory
from govcloud.core.errors import UsageError, ValidationError

POOLS = """\
clouds:
  - name: zwy
    regions: [r1]
pools:
  - code: p1
    name_zh: 生产区
    name_en: Production
    cloud: zwy
    region: r1
    security_zone: 政务外网
"""

DEPTS = """\
departments:
  - code: wjw
    name_zh: 市卫生健康委员会
    short_zh: 卫健委
    name_en: Health Commission
    projects:
      - pool: p1
        project: wjw-prod
        quota: {cores: 100, ram_gib: 200, instances: 20}
"""


def _parse(*texts: str) -> object:
    return parse_inventory([parse_yaml_text(text, f"f{i}.yaml") for i, text in enumerate(texts)])


def _error(*texts: str) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        _parse(*texts)
    return err.value


def test_a_small_valid_inventory() -> None:
    inv = _parse(POOLS, DEPTS)
    assert [d.short_zh for d in inv.departments] == ["卫健委"]  # type: ignore[attr-defined]
    quota = inv.departments[0].projects[0].approved_quota  # type: ignore[attr-defined]
    assert quota["ram"] == 200 * 1024


def test_unknown_key_names_file_line_and_key() -> None:
    err = _error(POOLS, DEPTS.replace("    name_en: Health", "    name_eng: Health"))
    assert err.message.startswith("f1.yaml:5 (departments.0.name_eng): unknown key 'name_eng'")
    assert err.exit_code == 2


def test_unknown_top_level_section_lists_the_allowed_ones() -> None:
    err = _error(POOLS + "tenants: []\n")
    assert "f0.yaml:11" in err.message
    assert "departments" in (err.hint or "")


@pytest.mark.parametrize("value", ["-5", "'100'", "1.5", "true", "null"])
def test_quota_must_be_a_non_negative_integer(value: str) -> None:
    err = _error(POOLS, DEPTS.replace("cores: 100", f"cores: {value}"))
    assert err.message.startswith("f1.yaml:9 (departments.0.projects.0.quota.cores)")


def test_duplicate_department_codes_name_both_places() -> None:
    twice = DEPTS + DEPTS.split("\n", 1)[1].replace("Health Commission", "Other")
    err = _error(POOLS, twice)
    assert "duplicate department code 'wjw'" in err.message
    assert "f1.yaml:10" in err.message
    assert "f1.yaml:2" in err.message


def test_pool_with_unknown_cloud() -> None:
    err = _error(POOLS.replace("cloud: zwy", "cloud: nosuch"))
    assert err.message.startswith("f0.yaml:8 (cloud): pool 'p1' refers to unknown cloud 'nosuch'")
    assert "zwy" in (err.hint or "")


def test_pool_with_unknown_region() -> None:
    err = _error(POOLS.replace("region: r1", "region: r9"))
    assert "has no region 'r9'" in err.message


def test_project_in_unknown_pool() -> None:
    err = _error(POOLS, DEPTS.replace("pool: p1", "pool: p2"))
    assert err.message.startswith("f1.yaml:7 (pool): unknown pool 'p2'")


def test_system_of_unknown_department() -> None:
    system = (
        "systems:\n  - {code: s1, name_zh: 系统, name_en: S, department: nobody,"
        " mlps_level: 3, environment: prod}\n"
    )
    err = _error(POOLS, DEPTS, system)
    assert "unknown department 'nobody'" in err.message


def test_malformed_yaml_gives_the_line() -> None:
    err = _error(POOLS + "  - code: [unclosed\n")
    assert err.message.startswith("f0.yaml:12")
    assert "malformed YAML" in err.message


def test_duplicate_yaml_keys_are_errors_not_silently_merged() -> None:
    err = _error(POOLS.replace("    region: r1\n", "    region: r1\n    region: r1\n"))
    assert "duplicate key 'region'" in err.message
    assert "f0.yaml:10" in err.message


def test_yaml_tags_are_refused() -> None:
    err = _error("clouds: !!python/object/apply:os.system ['true']\n")
    assert "malformed YAML" in err.message


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        read_inventory_dir(tmp_path / "nope")


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no inventory files"):
        parse_inventory(read_inventory_dir(tmp_path))


def test_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes("pools: []\n# \xff".encode("latin-1"))
    with pytest.raises(ValidationError, match="not UTF-8"):
        read_inventory_dir(tmp_path)


def test_sections_may_be_split_over_files(tmp_path: Path) -> None:
    (tmp_path / "pools.yaml").write_text(POOLS, encoding="utf-8")
    (tmp_path / "depts").mkdir()
    (tmp_path / "depts" / "health.yaml").write_text(DEPTS, encoding="utf-8")
    inv = parse_inventory(read_inventory_dir(tmp_path))
    assert [p.code for p in inv.pools] == ["p1"]
    assert [d.code for d in inv.departments] == ["wjw"]


# --- issue 8: storage backends, snapshots/backups, Neutron and per-volume-type quotas ----------

POOLS_BACKENDS = """\
clouds:
  - name: zwy
    regions: [r1]
pools:
  - code: p1
    name_zh: 生产区
    name_en: Production
    cloud: zwy
    region: r1
    security_zone: 政务外网
    storage_backends: [ceph-ssd, ceph-sata]
  - code: p2
    name_zh: 测试区
    name_en: Test
    cloud: zwy
    region: r1
    security_zone: 测试区
    storage_backends: [lvm]
"""

DEPTS_TYPED = """\
departments:
  - code: wjw
    name_zh: 市卫生健康委员会
    name_en: Health Commission
    projects:
      - pool: p1
        project: wjw-prod
        quota:
          cores: 100
          ram_gib: 200
          instances: 20
          volume_gib: 4000
          snapshots: 50
          backup_gib: 2000
          floatingip: 8
          security_group_rule: 200
          gigabytes_ssd: 1024
          volumes_ssd: 20
"""


def test_storage_backends_and_storage_network_quotas_are_read() -> None:
    inv = _parse(POOLS_BACKENDS, DEPTS_TYPED)
    assert [p.storage_backends for p in inv.pools] == [("ceph-ssd", "ceph-sata"), ("lvm",)]  # type: ignore[attr-defined]
    binding = inv.departments[0].projects[0]  # type: ignore[attr-defined]
    q = {r.value: v for r, v in binding.approved_quota.items()}
    assert q == {
        "cores": 100,
        "ram": 200 * 1024,
        "instances": 20,
        "gigabytes": 4000,
        "volumes": 0,
        "snapshots": 50,
        "backup_gigabytes": 2000,
        "floatingip": 8,
        "security_group_rule": 200,
    }  # undeclared Neutron/backup quotas stay undeclared: never planned to 0
    assert binding.approved_type_quota == {"gigabytes_ssd": 1024, "volumes_ssd": 20}


def test_unknown_quota_key_names_its_line_and_the_per_type_form() -> None:
    err = _error(POOLS_BACKENDS, DEPTS_TYPED.replace("floatingip: 8", "floating_ips: 8"))
    assert err.message.startswith(
        "f1.yaml:15 (departments.0.projects.0.quota.floating_ips): unknown quota key"
    )
    assert "gigabytes_ssd" in (err.hint or "")
    assert err.exit_code == 2


def test_per_type_quota_needs_a_usable_volume_type_name() -> None:
    err = _error(POOLS_BACKENDS, DEPTS_TYPED.replace("volumes_ssd: 20", "volumes_ssd/x: 20"))
    assert "f1.yaml:18" in err.message
    assert "'ssd/x' is not a usable volume type" in err.message
    err = _error(POOLS_BACKENDS, DEPTS_TYPED.replace("volumes_ssd: 20", "gigabytes_: 20"))
    assert "unknown quota key 'gigabytes_'" in err.message


@pytest.mark.parametrize("value", ["-1", "1.5", "true", "'10'"])
def test_per_type_quota_must_be_a_non_negative_integer(value: str) -> None:
    err = _error(
        POOLS_BACKENDS, DEPTS_TYPED.replace("gigabytes_ssd: 1024", f"gigabytes_ssd: {value}")
    )
    assert err.message.startswith("f1.yaml:17 (departments.0.projects.0.quota.gigabytes_ssd)")


def test_a_backend_belongs_to_one_pool_of_its_region() -> None:
    err = _error(POOLS_BACKENDS.replace("[lvm]", "[lvm, ceph-ssd]"), DEPTS_TYPED)
    assert "storage backend 'ceph-ssd' of region 'r1' is declared by pool 'p1' too" in err.message
    assert err.message.startswith("f0.yaml:")
    err = _error(POOLS_BACKENDS.replace("[lvm]", "[lvm, lvm]"), DEPTS_TYPED)
    assert "declared twice" in err.message
