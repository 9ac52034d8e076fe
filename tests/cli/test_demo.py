"""The README's first command: the whole real path on the built-in sandbox."""

from __future__ import annotations

from pathlib import Path

from tests.cli.runner import govcloud


def test_demo_syncs_the_sandbox_through_openstacksdk(db: Path, tmp_path: Path) -> None:
    out = govcloud("demo", "--no-audit", "-o", "json")
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
    # the sandbox's servers have made-up 10.x addresses: never derived as scrape targets
    for args in (("metrics", "collect"), ("metrics", "collect", "--port", "9100")):
        refused = govcloud(*args)
        assert refused.exit_code == 2, refused.stderr
        assert "made up and are never scraped" in refused.stderr


def test_demo_keeps_out_of_the_operators_store(db: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GOVCLOUD_DB")
    out = govcloud("demo", "--no-audit", "-o", "json")
    assert out.exit_code == 0
    assert out.json()["store"].endswith("/govcloud/demo.db")
    assert govcloud("pool", "list").exit_code == 1  # the default store was never created


def test_hostile_names_from_the_cloud_print_literally(db: Path) -> None:
    assert govcloud("demo", "--no-audit", "-o", "json").exit_code == 0
    names = [v["name"] for v in govcloud("vm", "list", "-o", "json", "-c", "name").json()]
    assert any("\x1b" in n for n in names)  # the sandbox seeds them; sync keeps them intact
    table = govcloud("vm", "list", "-c", "name").stdout
    assert "\x1b" not in table
    assert "\\x1b[2J" in table
    assert "[bold]x[/bold]" in table


def test_demo_tells_the_whole_audit_story(db: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    out = govcloud("demo", "--reports", str(reports), "-o", "json")
    assert out.exit_code == 0, out.stdout
    audit = out.json()["audit"]
    steps = {s["type"]: s["status"] for s in audit["steps"]}
    assert steps == {
        "sync": "skipped",  # synced just before, through openstacksdk
        "collect": "skipped",  # the simulated history stands in for agents
        "audit": "ok",
        "rightsize": "ok",
        "report": "ok",
        "textfile": "ok",
    }
    assert audit["history"]["servers"] > 1000
    assert audit["history"]["chunks"] > 0
    found = {c["check"]: c["findings"] for c in audit["checks"]}
    # the simulated month and the seeded sandbox give every kind of story something to say
    for check in (
        "idle",
        "oversized",
        "zombie",
        "orphan-volume",
        "stale-snapshot",
        "unapproved-vm",
        "agent-missing",
        "agent-stale",
        "quota-near-limit",
    ):
        assert found.get(check, 0) > 0, check
    pools = {r["key"]: r for r in audit["reclaim_by_pool"]}
    assert set(pools) == {"zw-prod", "hlw", "dr-test"}
    assert all(r["vcpus"] > 0 and r["yuan_per_year"] > 0 for r in pools.values())
    top = audit["top_departments"]
    assert 0 < len(top) <= 10
    assert [r["yuan_per_year"] for r in top] == sorted(
        (r["yuan_per_year"] for r in top), reverse=True
    )
    written = [Path(p) for p in audit["reports"]]
    assert {p.suffix for p in written} >= {".html", ".xlsx", ".md"}
    assert all(p.is_file() and reports in p.parents for p in written)
    assert (reports / "reports" / "govcloud_audit.prom").is_file()
    # the run is in the store: the CLI reads it back, and a second demo replaces the history
    shown = govcloud("audit", "show", "--check", "idle", "-o", "json").json()
    assert len(shown) == found["idle"]
    again = govcloud("demo", "--reports", str(reports), "-o", "json").json()["audit"]
    # replaced, never doubled (a run across midnight UTC may shift the window by one day)
    assert (
        abs(again["history"]["chunks"] - audit["history"]["chunks"])
        <= 0.05 * audit["history"]["chunks"]
    )
    idle_again = {c["check"]: c["findings"] for c in again["checks"]}["idle"]
    assert abs(idle_again - found["idle"]) <= 0.1 * found["idle"]


def test_only_the_sandboxs_clouds_yaml_counts_as_the_sandbox(tmp_path: Path) -> None:
    from govcloud.adapters.openstack.config import is_sandbox_file

    cases = {
        "govcloud_sandbox: true\nclouds: {}\n": True,
        "clouds:\n  zwy: {}\n": False,
        "govcloud_sandbox: 'true'\nclouds: {}\n": False,  # a string is not the sandbox's key
        "clouds: [\n": False,  # not YAML
    }
    for i, (text, expected) in enumerate(cases.items()):
        path = tmp_path / f"clouds{i}.yaml"
        path.write_text(text)
        assert is_sandbox_file(path) is expected, text
    assert is_sandbox_file(tmp_path / "missing.yaml") is False
