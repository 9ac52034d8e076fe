"""Finding subjects in the reader's language: `audit show|diff` and the audit report show the
declared English names under `--lang en` and the Chinese ones under `--lang zh`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.runner import govcloud

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# wjw-his is a test system on zw-prod (政务外网): forbidding that zone gives one finding; a
# store without sync history gives each pool pool-headroom's "not enough history" finding.
PLAYBOOK = """\
name: subjects
window: 7d
steps:
  - type: audit
    checks:
      - type: mlps-placement
        params: {forbidden_zones: {test: [政务外网]}}
      - type: pool-headroom
"""
SYSTEM_ZH = "卫健委全民健康信息平台 @ 政务外网生产区"
SYSTEM_EN = "Population health information platform @ E-gov extranet production"
POOL_EN = "E-gov extranet production"


@pytest.fixture
def audited(estate: Path, tmp_path: Path) -> Path:
    path = tmp_path / "subjects.yaml"
    path.write_text(PLAYBOOK, encoding="utf-8")
    for _ in range(2):  # two runs: `audit diff` has persisting rows to show
        result = govcloud("audit", "run", "--playbook", str(path))
        assert result.exit_code == 0, result.stderr
    return estate


@pytest.mark.usefixtures("audited")
def test_show_names_subjects_in_the_tables_language() -> None:
    en = govcloud("--lang", "en", "audit", "show")
    assert en.exit_code == 0, en.stderr
    assert SYSTEM_EN in en.stdout
    assert POOL_EN in en.stdout.replace(SYSTEM_EN, "")
    assert not CJK.search(en.stdout), en.stdout  # subjects, messages and words all English
    zh = govcloud("--lang", "zh", "audit", "show")
    assert SYSTEM_ZH in zh.stdout
    assert "政务外网生产区" in zh.stdout.replace(SYSTEM_ZH, "")
    assert SYSTEM_EN not in zh.stdout


@pytest.mark.usefixtures("audited")
def test_json_carries_both_names() -> None:
    rows = govcloud("-o", "json", "--lang", "en", "audit", "show").json()
    by_id = {r["subject_id"]: r for r in rows}
    mlps = by_id["wjw-his@zw-prod"]
    assert (mlps["subject_name"], mlps["subject_name_en"]) == (SYSTEM_ZH, SYSTEM_EN)
    pool = by_id["zw-prod:history"]
    assert (pool["subject_name"], pool["subject_name_en"]) == ("政务外网生产区", POOL_EN)
    assert all(r["subject_name_en"] and not CJK.search(r["subject_name_en"]) for r in rows)


@pytest.mark.usefixtures("audited")
def test_diff_names_subjects_in_the_tables_language() -> None:
    en = govcloud("--lang", "en", "audit", "diff")
    assert en.exit_code == 0, en.stderr
    assert SYSTEM_EN in en.stdout
    assert not CJK.search(en.stdout), en.stdout
    zh = govcloud("--lang", "zh", "audit", "diff")
    assert SYSTEM_ZH in zh.stdout
    rows = govcloud("-o", "json", "audit", "diff").json()
    [mlps] = [r for r in rows if r["subject_id"] == "wjw-his@zw-prod"]
    assert (mlps["status"], mlps["subject_name"], mlps["subject_name_en"]) == (
        "persisting",
        SYSTEM_ZH,
        SYSTEM_EN,
    )


@pytest.mark.usefixtures("audited")
@pytest.mark.parametrize(("lang", "subject"), [("en", SYSTEM_EN), ("zh", SYSTEM_ZH)])
def test_audit_report_names_subjects_in_its_language(
    tmp_path: Path, lang: str, subject: str
) -> None:
    out = tmp_path / lang
    made = govcloud("--lang", lang, "-o", "json", "report", "audit", "-f", "json",
                    "--output-dir", str(out))  # fmt: skip
    assert made.exit_code == 0, made.stderr
    doc = json.loads(Path(made.json()[0]["path"]).read_text(encoding="utf-8"))
    names = {
        row["subject_name"]
        for section in doc["sections"]
        for table in section["tables"]
        for row in table["rows"]
        if "subject_name" in row
    }
    assert subject in names
