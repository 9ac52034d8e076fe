"""Shell completion from the store, through Click's completion API and the real entry point."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer._completion_classes import BashComplete

from govcloud.cli.completion import MAX_CANDIDATES, OPTION_KINDS, attach
from govcloud.cli.main import app
from tests.cli.runner import govcloud


def add_servers(db: Path, names: list[str]) -> None:
    con = sqlite3.connect(db)
    pool_id = con.execute("SELECT id FROM pool WHERE code = 'zw-prod'").fetchone()[0]
    con.executemany(
        "INSERT INTO server (pool_id, server_id, name, project_id, status, flavor_name, vcpus,"
        " ram_mib, disk_gib) VALUES (?, ?, ?, 'p', 'ACTIVE', 'c2m4', 2, 4096, 40)",
        [(pool_id, f"id-{i}", name) for i, name in enumerate(names)],
    )
    con.commit()
    con.close()


def complete(args: list[str], incomplete: str) -> list[str]:
    command = typer.main.get_command(app)
    attach(command)
    shell = BashComplete(command, {}, "govcloud", "_GOVCLOUD_COMPLETE")
    return [item.value for item in shell.get_completions(args, incomplete)]


def test_pools_departments_and_systems_come_from_the_store(loaded: Path) -> None:
    pools = [p["code"] for p in govcloud("pool", "list", "-o", "json").json()]
    assert sorted(complete(["vm", "list", "--pool"], "")) == sorted(pools)
    assert complete(["pool", "show"], "ZW") == [p for p in sorted(pools) if p.startswith("zw")]
    tenants = complete(["quota", "show", "--tenant"], "w")
    assert "wjw" in tenants
    assert all(t.startswith("w") for t in tenants)
    assert complete(["tenant", "show"], "卫") == ["卫健委"]  # short names too
    systems = complete(["vm", "list", "--system"], "")
    assert systems
    assert all(s == s.strip() for s in systems)
    assert complete(["vm", "list", "--pool"], "nope") == []


def test_server_names_by_prefix_at_most_200(loaded: Path) -> None:
    add_servers(loaded, [f"web-{i:03d}" for i in range(250)] + ["db-1", "100%_x"])
    assert len(complete(["vm", "show"], "")) == MAX_CANDIDATES
    assert complete(["vm", "show"], "web-24") == [f"web-{i}" for i in range(240, 250)]
    assert complete(["metrics", "show", "--vm"], "db") == ["db-1"]
    assert complete(["vm", "show"], "100%") == ["100%_x"]  # LIKE wildcards are literal
    assert complete(["vm", "show"], "10_") == []


def test_a_store_named_on_the_command_line_is_the_one_asked(
    loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVCLOUD_DB", str(tmp_path / "absent.db"))
    assert complete(["vm", "list", "--pool"], "zw") == []
    assert complete(["--db", str(loaded), "vm", "list", "--pool"], "zw-p") == ["zw-prod"]


def test_every_name_option_completes() -> None:
    command = typer.main.get_command(app)
    attach(command)
    missing: list[str] = []

    def walk(cmd: object, path: str) -> None:
        for param in getattr(cmd, "params", []):
            if set(param.opts) & set(OPTION_KINDS) and param._custom_shell_complete is None:
                missing.append(f"{path} {param.opts[0]}")
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(command, "govcloud")
    assert not missing


def shell_complete(words: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVCLOUD_DB": db, "_GOVCLOUD_COMPLETE": "complete_bash",
           "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", "from govcloud.cli.main import main; main()"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_the_shell_gets_candidates_and_a_broken_store_gets_silence(
    loaded: Path, tmp_path: Path
) -> None:
    done = shell_complete("govcloud quota check --pool zw-p", str(loaded))
    assert (done.returncode, done.stdout.split(), done.stderr) == (0, ["zw-prod"], "")
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    for db in (str(broken), str(tmp_path / "absent.db"), "postgresql://nobody@[::1]:1/x"):
        done = shell_complete("govcloud vm list --pool ", db)
        assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "", "")
