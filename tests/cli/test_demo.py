"""The README's first command: the whole real path on the built-in sandbox."""

from __future__ import annotations

from pathlib import Path

from tests.cli.runner import govcloud


def test_demo_syncs_the_sandbox_through_openstacksdk(db: Path, tmp_path: Path) -> None:
    out = govcloud("demo", "-o", "json")
    assert out.exit_code == 0, out.stdout
    data = out.json()
    assert [(r["status"], r["error"]) for r in data["sync"]] == [("ok", None)] * 3
    pools = {p["code"]: p for p in data["pools"]}
    assert set(pools) == {"dr-test", "hlw", "zw-prod"}
    assert all(p["capacity_source"] == "placement" for p in pools.values())
    assert sum(p["servers"] for p in pools.values()) == sum(r["servers"] for r in data["sync"]) > 0
    assert any(c["severity"] != "ok" for c in data["quota_check"])
    # --db was given (the fixture's GOVCLOUD_DB), so the demo used it and the data stays.
    vms = govcloud("vm", "list", "--tenant", "卫健委", "-o", "json")
    assert vms.exit_code == 0
    assert len(vms.json()) > 0


def test_demo_keeps_out_of_the_operators_store(db: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GOVCLOUD_DB")
    out = govcloud("demo", "-o", "json")
    assert out.exit_code == 0
    assert out.json()["store"].endswith("/govcloud/demo.db")
    assert govcloud("pool", "list").exit_code == 1  # the default store was never created


def test_hostile_names_from_the_cloud_print_literally(db: Path) -> None:
    assert govcloud("demo", "-o", "json").exit_code == 0
    names = [v["name"] for v in govcloud("vm", "list", "-o", "json", "-c", "name").json()]
    assert any("\x1b" in n for n in names)  # the sandbox seeds them; sync keeps them intact
    table = govcloud("vm", "list", "-c", "name").stdout
    assert "\x1b" not in table
    assert "\\x1b[2J" in table
    assert "[bold]x[/bold]" in table
