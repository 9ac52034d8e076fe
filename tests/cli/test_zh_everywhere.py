"""Under `--lang zh` a person reads Chinese on the paths that fail most often on a first day
(a cloud that refuses, agents that do not answer, a bad playbook or inventory, the audit trail),
and under `--lang en` the migration report names departments in English.

Codes, names, paths, URLs and numbers stay as they are; what must not be left is an English
sentence: three English words in a row outside backticks. `-o json` keeps English messages for
scripts, on stdout, with stderr empty.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.cli.runner import Result, govcloud

_CODE = re.compile(r"`[^`]*`|\S*[/\\.:=_\d]\S*")  # `commands`, paths, URLs, codes with digits
_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")
_CJK = re.compile(r"[\u4e00-\u9fff]")
REFUSED = "http://127.0.0.1:1"  # nothing listens on port 1


def english(text: str) -> list[str]:
    """The English sentences left in TEXT once codes and paths are set aside."""
    return [m for line in text.splitlines() for m in _SENTENCE.findall(_CODE.sub(" ", line))]


def test_the_check_finds_an_english_sentence() -> None:
    assert english("错误：1 个资源池中 1 个失败：connection refused after 4 tries") == [
        "connection refused after"
    ]
    assert english("提示：请运行 `govcloud inventory load DIR` 或 /tmp/a b c/x.yaml") == []


def _zh(*args: str) -> Result:
    result = govcloud("--lang", "zh", *args)
    assert english(result.stdout + result.stderr) == [], result.stdout + result.stderr
    return result


def _pool(code: str = "zw-prod") -> dict[str, str]:
    shown = govcloud("-o", "json", "pool", "show", code)
    assert shown.exit_code == 0, shown.stderr
    pool = shown.json()
    return {"cloud": pool["cloud"], "region": pool["region"]}


def _refusing_clouds_yaml(tmp_path: Path) -> Path:
    pool = _pool()
    auth = {
        "auth_url": f"{REFUSED}/v3",
        "username": "u",
        "password": "p",
        "project_name": "p",
        "user_domain_name": "Default",
        "project_domain_name": "Default",
    }
    doc = {"clouds": {pool["cloud"]: {"auth": auth, "region_name": pool["region"]}}}
    path = tmp_path / "clouds.yaml"
    path.write_text(json.dumps(doc))  # JSON is YAML
    return path


def test_sync_against_a_cloud_that_refuses(loaded: Path, tmp_path: Path) -> None:
    clouds = str(_refusing_clouds_yaml(tmp_path))
    args = ("sync", "--pool", "zw-prod", "--clouds-yaml", clouds, "--timeout", "2")
    result = _zh(*args)
    assert result.exit_code == 1
    assert "失败" in result.stdout
    assert "连接被拒绝" in result.stderr
    machine = govcloud("--lang", "zh", "-o", "json", *args)
    assert machine.exit_code == 1
    assert machine.stderr == ""
    assert "connection refused" in machine.stdout  # scripts read English


def test_metrics_collect_against_nothing(loaded: Path, tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"- url: {REFUSED}/metrics\n")
    result = _zh("metrics", "collect", "--targets", str(targets))
    assert result.exit_code == 1
    assert "连接被拒绝" in result.stdout
    assert "1 个目标中 1 个失败" in result.stderr


def test_a_bad_playbook_and_a_bad_inventory(loaded: Path, tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text("name: x\nsteps:\n  - type: nosuch\n")
    result = govcloud("--lang", "zh", "playbook", "validate", str(book))
    assert result.exit_code == 2
    assert english(result.stderr) == [], result.stderr
    assert "必须是以下之一" in result.stderr
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "pools.yaml").write_text("pools:\n  - code: p1\n    colour: red\n")
    result = _zh("inventory", "validate", str(inventory))
    assert result.exit_code == 2
    assert "未知的键" in result.stderr
    machine = govcloud("--lang", "zh", "-o", "json", "inventory", "validate", str(inventory))
    assert machine.stderr == ""
    assert "unknown key" in machine.json()["error"]["message"]


def test_log_verify(loaded: Path) -> None:
    result = _zh("log", "verify")
    assert result.exit_code == 0
    assert "链完好" in result.stderr


def test_migrate_plan(loaded: Path) -> None:
    assert _zh("migrate", "plan").exit_code == 0


def _migration_tables(tmp_path: Path, lang: str) -> dict[str, Any]:
    result = govcloud("--lang", lang, "-o", "json", "report", "migration", "-f", "json",
                      "--output-dir", str(tmp_path / lang))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    doc = json.loads(Path(result.json()[0]["path"]).read_text())
    return {t["key"]: t for s in doc["sections"] for t in s["tables"]}


def test_the_migration_report_names_departments_in_the_readers_language(
    loaded: Path, tmp_path: Path
) -> None:
    en, zh = _migration_tables(tmp_path, "en"), _migration_tables(tmp_path, "zh")
    for key in ("summary", "adoption"):
        names_en = [r["department_name"] for r in en[key]["rows"]]
        names_zh = [r["department_name"] for r in zh[key]["rows"]]
        assert names_en
        assert not [n for n in names_en if _CJK.search(str(n))]
        assert all(_CJK.search(str(n)) for n in names_zh if n)
    hosts_en = en["hosts"]["rows"]
    assert not [h for h in hosts_en if _CJK.search(f"{h['department']} {h['system']}")]
    labels = {c["key"]: c["label"] for c in zh["summary"]["columns"]}
    assert labels["yearly_cost_yuan"] == "年度费用 (元/年)"
