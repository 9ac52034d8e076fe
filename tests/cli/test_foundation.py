"""The first commands end to end, through the real entry point."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from govcloud.cli.main import app
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud


def _servers(db: Path, rows: list[tuple[str, str, str, int, str]]) -> None:
    """Observed servers as sync would leave them: (id, name, project name, vcpus, status)."""
    con = sqlite3.connect(db)
    pool_id = con.execute("SELECT id FROM pool WHERE code = 'zw-prod'").fetchone()[0]
    for sid, name, project, vcpus, status in rows:
        con.execute(
            "INSERT OR IGNORE INTO os_project (pool_id, project_id, name, enabled)"
            " VALUES (?,?,?,1)",
            (pool_id, f"id-{project}", project),
        )
        con.execute(
            "INSERT INTO server (pool_id, server_id, name, project_id, status, flavor_name, vcpus,"
            " ram_mib, disk_gib) VALUES (?,?,?,?,?,?,?,?,?)",
            (pool_id, sid, name, f"id-{project}", status, f"c{vcpus}", vcpus, vcpus * 2048, 40),
        )
    con.execute(
        "UPDATE os_project SET department_id = (SELECT b.department_id FROM project_binding b"
        " WHERE b.project_name = os_project.name AND b.pool_id = os_project.pool_id)"
    )
    con.commit()
    con.close()


def test_load_then_pool_list_json_prints_three_pools(db: Path) -> None:
    load = govcloud("inventory", "load", EXAMPLE, "-o", "json")
    assert load.exit_code == 0
    assert {r["kind"]: r["added"] for r in load.json()}["departments"] == 88
    pools = govcloud("pool", "list", "-o", "json")
    assert pools.exit_code == 0
    assert pools.stderr == ""
    by_code = {p["code"]: p for p in pools.json()}
    assert sorted(by_code) == ["dr-test", "hlw", "zw-prod"]
    # 1,792 cores x 4.0 - 256 reserved; the example's prod quotas exceed it on purpose.
    assert by_code["zw-prod"]["vcpu_capacity"] == 1792 * 4 - 256
    assert by_code["zw-prod"]["quota_overcommit"] is True
    assert by_code["hlw"]["quota_overcommit"] is False


def test_tenant_list_is_chinese_under_a_zh_locale(
    loaded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    out = govcloud("tenant", "list")
    assert out.exit_code == 0
    lines = out.stdout.splitlines()
    assert "部门" in lines[0]
    assert "虚拟CPU配额" in lines[0]
    assert any("卫健委" in line for line in lines)
    assert len(lines) - 1 >= 80
    en = govcloud("tenant", "list", "--lang", "en")
    assert "Health Commission" in en.stdout
    assert "卫健委" not in en.stdout


def test_tenant_show_by_chinese_name(loaded: Path) -> None:
    out = govcloud("tenant", "show", "卫健委", "-o", "json")
    data = out.json()
    assert data["code"] == "wjw"
    assert {q["resource"] for q in data["quotas"]} >= {"cores", "ram", "instances"}
    assert govcloud("tenant", "show", "nobody").exit_code == 1


def test_vm_list_filters_sorts_and_selects_columns(loaded: Path) -> None:
    _servers(loaded, [
        ("s1", "his-db", "wjw-zw-prod", 8, "ACTIVE"),
        ("s2", "his-app", "wjw-zw-prod", 4, "SHUTOFF"),
        ("s3", "hukou-app", "gaj-zw-prod", 16, "ACTIVE"),
        ("s4", "stray", "unknown-project", 2, "ACTIVE"),
    ])  # fmt: skip
    wjw = govcloud("vm", "list", "--tenant", "卫健委", "-o", "json", "--sort", "-vcpus")
    assert [v["name"] for v in wjw.json()] == ["his-db", "his-app"]
    active = govcloud(
        "vm", "list", "--status", "active", "-o", "json", "-c", "name", "-c", "department"
    )
    assert active.json() == [
        {"name": "hukou-app", "department": "gaj"},
        {"name": "his-db", "department": "wjw"},
        {"name": "stray", "department": None},
    ]
    csv_out = govcloud(
        "vm", "list", "--pool", "zw-prod", "-o", "csv", "-c", "name", "--sort", "name"
    )
    assert csv_out.stdout.splitlines() == ["name", "his-app", "his-db", "hukou-app", "stray"]
    table = govcloud("vm", "list", "--long")
    assert "Host" in table.stdout
    assert "s3" in table.stdout
    assert "Host" not in govcloud("vm", "list").stdout


def test_pool_list_counts_allocation(loaded: Path) -> None:
    _servers(
        loaded, [("s1", "a", "wjw-zw-prod", 8, "ACTIVE"), ("s2", "b", "gaj-zw-prod", 4, "ACTIVE")]
    )
    pool = govcloud("pool", "show", "zw-prod", "-o", "json").json()
    assert (pool["servers"], pool["vcpu_allocated"], pool["ram_gib_allocated"]) == (2, 12, 24)
    tenant = {t["code"]: t for t in govcloud("tenant", "list", "-o", "json").json()}
    assert tenant["wjw"]["vcpu_used"] == 8


def test_bad_sort_key_is_a_usage_error(loaded: Path) -> None:
    out = govcloud("vm", "list", "--sort", "name;drop table server")
    assert out.exit_code == 2
    assert out.stderr.startswith("error: cannot sort by")
    assert "hint: sort keys:" in out.stderr


def test_unknown_column(loaded: Path) -> None:
    out = govcloud("pool", "list", "-c", "nope")
    assert out.exit_code == 2
    assert "unknown column 'nope'" in out.stderr


def test_names_with_escape_sequences_and_markup_print_literally(loaded: Path) -> None:
    _servers(loaded, [("s1", "[bold]x[/bold]\x1b[2J", "wjw-zw-prod", 2, "ACTIVE")])
    table = govcloud("vm", "list")
    assert "[bold]x[/bold]\\x1b[2J" in table.stdout
    assert "\x1b" not in table.stdout
    as_json = govcloud("vm", "list", "-o", "json")
    assert as_json.json()[0]["name"] == "[bold]x[/bold]\x1b[2J"


def test_malformed_yaml_changes_nothing(loaded: Path, tmp_path: Path) -> None:
    before = govcloud("tenant", "list", "-o", "json").stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in Path(EXAMPLE).glob("*.yaml"):
        (bad / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    depts = bad / "departments.yaml"
    depts.write_text(
        depts.read_text(encoding="utf-8").replace("code: wjw", "code: fgw"), encoding="utf-8"
    )
    out = govcloud("inventory", "load", str(bad))
    assert out.exit_code == 2
    assert len(out.stderr.strip().splitlines()) == 2  # error line + hint line
    assert "duplicate department code 'fgw'" in out.stderr
    assert "Traceback" not in out.stderr
    assert govcloud("tenant", "list", "-o", "json").stdout == before


def test_errors_in_json_mode_are_one_object_on_stdout(loaded: Path) -> None:
    out = govcloud("vm", "show", "nope", "-o", "json")
    assert out.exit_code == 1
    assert out.stderr == ""
    assert out.json()["error"]["code"] == "not_found"


def test_missing_store_says_run_init(db: Path) -> None:
    out = govcloud("pool", "list")
    assert out.exit_code == 1
    assert "hint: run `govcloud init`" in out.stderr
    assert not db.exists()


def test_db_in_missing_directory_is_a_usage_error(tmp_path: Path, db: Path) -> None:
    out = govcloud("--db", str(tmp_path / "nope" / "x.db"), "inventory", "load", EXAMPLE)
    assert out.exit_code == 2
    assert "does not exist" in out.stderr


def test_unreachable_postgres_is_a_runtime_error(db: Path) -> None:
    out = govcloud("pool", "list", "--db", "postgresql+psycopg://ops@127.0.0.1:1/govcloud")
    assert out.exit_code == 1
    assert out.stderr.startswith("error: store postgresql+psycopg://ops@127.0.0.1:1/govcloud")


def test_init_creates_store_and_config(db: Path, tmp_path: Path) -> None:
    out = govcloud("init", "-o", "json")
    assert out.exit_code == 0
    assert out.json()["revision"]
    assert db.exists()
    assert (tmp_path / "config" / "govcloud" / "config.yaml").exists()
    assert govcloud("pool", "list", "-o", "json").json() == []


def test_config_file_precedence(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("output: json\nlang: zh\n", encoding="utf-8")
    govcloud("inventory", "load", EXAMPLE)
    assert govcloud("--config", str(cfg), "pool", "list").json()[0]["code"] == "dr-test"
    monkeypatch.setenv("GOVCLOUD_OUTPUT", "csv")
    assert govcloud("--config", str(cfg), "pool", "list").stdout.startswith("code,")
    assert govcloud("--config", str(cfg), "pool", "list", "-o", "yaml").stdout.startswith("- code:")
    cfg.write_text("colour: red\n", encoding="utf-8")
    bad = govcloud("--config", str(cfg), "pool", "list")
    assert bad.exit_code == 2
    assert "unknown config key 'colour'" in bad.stderr


def test_version() -> None:
    out = govcloud("--version")
    assert out.exit_code == 0
    assert out.stdout.startswith("govcloud ")


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    import typer.main

    cmd = typer.main.get_command(group)  # type: ignore[arg-type]
    found = []
    for name, sub in getattr(cmd, "commands", {}).items():
        found.append((*prefix, name))
        found.extend((*prefix, name, n) for n in getattr(sub, "commands", {}))
    return found


def test_every_command_has_help() -> None:
    commands = _commands(app)
    assert ("pool", "list") in commands
    assert ("inventory", "load") in commands
    for path in commands:
        out = govcloud(*path, "--help")
        assert out.exit_code == 0, path
        assert "Usage:" in out.stdout, path
