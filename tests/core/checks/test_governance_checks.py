"""unapproved-vm, missing-owner and mlps-placement on a small declared estate."""

from __future__ import annotations

from govcloud.core.checks import registry
from govcloud.core.models import BusinessSystem, Department, Environment
from govcloud.core.severity import Severity
from tests.core.checks.estate import GAJ, SYSTEMS, WJW, estate, server


def run(name: str, data, params=None):  # type: ignore[no-untyped-def]
    return registry()[name](data, params)


def test_unapproved_vm_reasons_and_severity() -> None:
    data = estate(
        servers=(
            server("ok"),
            server("rogue", project_id="p-rogue"),
            server("unknown-project", project_id="p-nobody"),
            server("no-system", system_code=None),
            server("bad-system", system_code="nope"),
        )
    )
    found = {f.subject_id: f for f in run("unapproved-vm", data)}
    assert set(found) == {"rogue", "unknown-project", "no-system", "bad-system"}
    assert found["rogue"].severity is Severity.HIGH
    assert found["rogue"].department is None
    assert found["unknown-project"].evidence["project_known"] is False
    assert found["no-system"].severity is Severity.MEDIUM
    assert found["bad-system"].system is None
    relaxed = {f.subject_id for f in run("unapproved-vm", data, {"require_system": False})}
    assert relaxed == {"rogue", "unknown-project"}


def test_missing_owner_rules() -> None:
    orphan_dept = Department("sjj", "数据局", "数据局", "Data bureau")  # no projects
    systems = (*SYSTEMS, BusinessSystem("dsj", "数据平台", "Data", "sjj", 2, Environment.PROD))
    data = estate(
        departments=(WJW, GAJ, orphan_dept),
        systems=tuple(s for s in systems if s.department_code != "gaj"),
        servers=(
            server("fine"),
            server("cross", system_code="dsj"),  # wjw project, sjj's system
            server("police", pool_code="zw-test", project_id="p-gaj", system_code=None),
        ),
    )
    found = {(f.subject_type.value, f.subject_id): f for f in run("missing-owner", data)}
    assert set(found) == {("vm", "cross"), ("department", "gaj"), ("system", "dsj")}
    assert found[("vm", "cross")].severity is Severity.MEDIUM
    assert found[("vm", "cross")].evidence["system_department"] == "sjj"
    assert found[("department", "gaj")].severity is Severity.LOW
    off = {
        "system_owner_mismatch": False,
        "department_without_systems": False,
        "system_without_project": False,
    }
    assert run("missing-owner", data, off) == []


def test_missing_owner_leaves_systems_without_vms_alone() -> None:
    systems = (*SYSTEMS, BusinessSystem("dsj", "数据平台", "Data", "sjj", 2, Environment.PROD))
    data = estate(
        systems=systems, departments=(WJW, GAJ, Department("sjj", "数据局", "数据局", "Data"))
    )
    assert [f for f in run("missing-owner", data) if f.subject_id == "dsj"] == []


def test_mlps_level_and_zone() -> None:
    data = estate(
        servers=(
            server("his-1"),  # level 3 in a level-3 prod pool: fine
            server("jz-1", pool_code="zw-test", project_id="p-gaj", system_code="jz"),
            server("jz-2", pool_code="zw-test", project_id="p-gaj", system_code="jz"),
            server("t-1", system_code="his-t"),  # test system in a production zone
        )
    )
    found = {f.subject_id: f for f in run("mlps-placement", data)}
    assert set(found) == {"jz@zw-test"}  # default rule: prod systems never in 测试区
    jz = found["jz@zw-test"]
    assert jz.severity is Severity.HIGH
    assert jz.evidence["reasons"] == ["level", "zone"]
    assert jz.evidence["servers"] == 2
    assert jz.department == "gaj"
    strict = {"forbidden_zones": {"prod": ["测试区"], "test": ["政务外网"]}}
    found = {f.subject_id: f for f in run("mlps-placement", data, strict)}
    assert found["his-t@zw-prod"].severity is Severity.MEDIUM
    assert found["his-t@zw-prod"].evidence["reasons"] == ["zone"]


def test_mlps_level_only() -> None:
    data = estate(
        servers=(server("jz-1", pool_code="zw-test", project_id="p-gaj", system_code="jz"),)
    )
    [f] = run("mlps-placement", data, {"forbidden_zones": {}})
    assert f.evidence["reasons"] == ["level"]
    assert "等保3级" in f.message.zh
