"""Subjects built from declared names read in both languages: Chinese in `subject_name`, the
declared English names and English resource words in `subject_name_en`."""

from __future__ import annotations

import re

from govcloud.core.checks import registry
from govcloud.core.findings import Finding
from govcloud.core.models import BusinessSystem, Department, Environment
from tests.core.checks.estate import GAJ, SYSTEMS, WJW, R, estate, quota, server

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def run(name: str, data, params=None) -> dict[str, Finding]:  # type: ignore[no-untyped-def]
    return {f.subject_id: f for f in registry()[name](data, params)}


def assert_english(f: Finding) -> None:
    assert f.subject_name_en is not None
    assert not CJK.search(f.subject.en), f.subject.en
    assert not CJK.search(f.message.en), f.message.en
    assert f.subject.zh == f.subject_name


def test_mlps_placement_names_system_and_pool_in_each_language() -> None:
    data = estate(servers=(server("t-1", system_code="his-t"),))  # test system, prod zone
    found = run("mlps-placement", data, {"forbidden_zones": {"test": ["政务外网"]}})
    f = found["his-t@zw-prod"]
    assert f.subject_name == "医院信息测试 @ 政务外网生产区"
    assert f.subject_name_en == "HIS test @ E-gov production"
    assert "security zone E-gov extranet" in f.message.en  # the zone's word, not 政务外网
    assert "政务外网" in f.message.zh
    assert_english(f)


def test_pool_headroom_and_overcommit_subjects() -> None:
    tight = estate(servers=(server("a", vcpus=320, ram_mib=1024),))  # 11% headroom, no history
    found = run("pool-headroom", tight)
    vcpu, history = found["zw-prod:vcpu"], found["zw-prod:history"]
    assert (vcpu.subject_name, vcpu.subject_name_en) == (
        "政务外网生产区 虚拟CPU",
        "E-gov production vCPU",
    )
    assert (history.subject_name, history.subject_name_en) == ("政务外网生产区", "E-gov production")
    over = run("pool-overcommit", estate(quotas=(quota(R.CORES, 380, 10),)))["zw-prod:cores"]
    assert over.subject_name.startswith("政务外网生产区 ")
    assert over.subject_name_en == "E-gov production vCPU"
    for f in (vcpu, history, over):
        assert_english(f)


def test_quota_subject_is_chinese_with_an_english_twin() -> None:
    [f] = registry()["quota-near-limit"](estate(quotas=(quota(R.CORES, 100, 90),)), None)
    assert (f.subject_name, f.subject_name_en) == ("wjw-prod 虚拟CPU", "wjw-prod vCPU")
    assert_english(f)


def test_missing_owner_department_and_system_subjects() -> None:
    systems = (
        *SYSTEMS,
        BusinessSystem("dsj", "数据平台", "Data platform", "sjj", 2, Environment.PROD),
    )
    data = estate(
        departments=(WJW, GAJ, Department("sjj", "数据局", "数据局", "Data bureau")),
        systems=tuple(s for s in systems if s.department_code != "gaj"),
        servers=(
            server("cross", system_code="dsj"),
            server("police", pool_code="zw-test", project_id="p-gaj", system_code=None),
        ),
    )
    found = {
        (f.subject_type.value, f.subject_id): f for f in registry()["missing-owner"](data, None)
    }
    dept, system = found[("department", "gaj")], found[("system", "dsj")]
    assert (dept.subject_name, dept.subject_name_en) == ("公安局", "Public Security")
    assert (system.subject_name, system.subject_name_en) == ("数据平台", "Data platform")
    vm = found[("vm", "cross")]
    assert vm.subject_name_en is None  # a VM's name reads the same in both languages
    assert vm.subject.en == vm.subject.zh == vm.subject_name
