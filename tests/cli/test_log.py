"""`govcloud log show|verify|export|prune` through the real CLI, on a real SQLite store."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from govcloud.services.trail import command_line
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud


@pytest.fixture
def trail(loaded: Path) -> Path:
    """A store with three records: two inventory loads and a report export."""
    assert govcloud("inventory", "load", EXAMPLE).exit_code == 0
    out = loaded.parent / "reports"
    assert govcloud("report", "capacity", "-f", "json", "--output-dir", str(out)).exit_code == 0
    return loaded


def tamper(db: Path, sql: str) -> None:
    with sqlite3.connect(db) as conn:  # an attacker with file access drops the triggers first
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute(sql)


def records(*args: str) -> list[dict[str, object]]:
    result = govcloud("-o", "json", "log", "show", *args)
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, object]] = result.json()
    return rows


def test_show_lists_newest_first_with_filters(trail: Path) -> None:
    rows = records()
    assert [r["seq"] for r in rows] == [3, 2, 1]
    assert rows[0]["event"] == "report.export"
    assert rows[0]["after"]["files"]  # type: ignore[index]
    assert [r["seq"] for r in records("--event", "inventory", "--limit", "1")] == [2]
    assert records("--since", "1d", "--operator", "nobody") == []
    assert len(records("--until", "2000-01-01")) == 0
    assert str(rows[0]["ts"]).endswith("+00:00")


def test_show_speaks_zh_and_writes_csv(trail: Path) -> None:
    zh = govcloud("--lang", "zh", "log", "show")
    assert zh.exit_code == 0
    assert "操作员" in zh.stdout
    assert "事件" in zh.stdout
    csv = govcloud("-o", "csv", "log", "show", "-c", "seq", "-c", "event")
    assert csv.stdout.splitlines() == ["seq,event", "3,report.export", "2,inventory", "1,inventory"]


def test_a_bad_since_is_a_usage_error(trail: Path) -> None:
    result = govcloud("log", "show", "--since", "yesterday")
    assert result.exit_code == 2
    assert "--since" in result.stderr


def test_verify_an_intact_chain(trail: Path) -> None:
    result = govcloud("log", "verify")
    assert result.exit_code == 0, result.stderr
    assert "chain intact: 3 records, seq 1..3, head anchored" in result.stderr
    data = govcloud("-o", "json", "log", "verify").json()
    assert (data["status"], data["head"], data["bad_seq"]) == ("intact", "anchored", None)


@pytest.mark.parametrize(
    ("sql", "first_bad"),
    [
        ("UPDATE audit_log SET ticket = 'CR-forged' WHERE seq = 2", "seq 2 (edited)"),
        ("DELETE FROM audit_log WHERE seq = 2", "seq 2 (deleted)"),
        ("DELETE FROM audit_log WHERE seq = 3", "seq 3 (truncated)"),
    ],
)
def test_verify_names_the_first_bad_record(trail: Path, sql: str, first_bad: str) -> None:
    tamper(trail, sql)
    result = govcloud("log", "verify")
    assert result.exit_code == 1
    assert f"first bad record: {first_bad}" in result.stderr
    assert "hint:" in result.stderr
    data = govcloud("-o", "json", "log", "verify")
    assert data.exit_code == 1
    assert data.json()["status"] == "broken"


def test_the_database_refuses_edits_through_the_cli_store(trail: Path) -> None:
    with sqlite3.connect(trail) as conn, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_log SET outcome = 'failed'")


def test_a_missing_or_wrong_key_is_a_clear_error(trail: Path, tmp_path: Path) -> None:
    key = tmp_path / "config" / "govcloud" / "audit.key"
    saved = key.read_bytes()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    key.unlink()
    missing = govcloud("log", "verify")
    assert missing.exit_code == 1
    assert f"no audit key at {key}" in missing.stderr
    assert "Traceback" not in missing.stderr
    key.write_bytes(b"w" * len(saved))
    wrong = govcloud("log", "verify")
    assert wrong.exit_code == 1
    assert "(wrong_key)" in wrong.stderr


def test_the_head_file_is_private_and_moves_forward(trail: Path) -> None:
    heads = list(Path(os.environ["XDG_STATE_HOME"], "govcloud", "audit-head").glob("*.json"))
    assert len(heads) == 1
    assert stat.S_IMODE(heads[0].stat().st_mode) == 0o600
    assert json.loads(heads[0].read_text())["seq"] == 3
    assert "password" not in heads[0].read_text()


def test_export_jsonl_and_syslog_are_private_complete_and_recorded(
    trail: Path, tmp_path: Path
) -> None:
    jsonl, syslog = tmp_path / "trail.jsonl", tmp_path / "trail.log"
    assert govcloud("log", "export", "--output-file", str(jsonl)).exit_code == 0
    result = govcloud("log", "export", "--format", "syslog", "--output-file", str(syslog))
    assert result.exit_code == 0, result.stderr
    for path in (jsonl, syslog):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [r["seq"] for r in lines] == [1, 2, 3]
    assert {"seq", "hash", "hmac", "prev_hash", "alg", "before", "after"} <= set(lines[0])
    entries = syslog.read_text().splitlines()
    assert len(entries) == 4  # the first export is in the trail by now
    assert entries[0].startswith("<86>1 ")
    assert '[govcloud@32473 seq="1" ' in entries[0]
    exports = records("--event", "log.export")
    assert [r["object_id"] for r in exports] == [str(syslog), str(jsonl)]
    assert govcloud("log", "verify").exit_code == 0


def test_export_to_a_missing_folder_writes_nothing(trail: Path, tmp_path: Path) -> None:
    result = govcloud("log", "export", "--output-file", str(tmp_path / "no" / "x.jsonl"))
    assert result.exit_code == 2
    assert records("--event", "log.export") == []


def test_export_never_replaces_a_file_unless_forced(trail: Path, tmp_path: Path) -> None:
    precious = tmp_path / "passwd"
    precious.write_text("root:x:0:0:root:/root:/bin/bash\n")
    refused = govcloud("log", "export", "--output-file", str(precious))
    assert refused.exit_code == 2
    assert f"{precious} already exists" in refused.stderr
    assert precious.read_text() == "root:x:0:0:root:/root:/bin/bash\n"
    assert records("--event", "log.export") == []
    (tmp_path / "dir").mkdir()
    assert govcloud("log", "export", "--output-file", str(tmp_path / "dir")).exit_code == 2
    forced = govcloud("log", "export", "--output-file", str(precious), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert json.loads(precious.read_text().splitlines()[0])["seq"] == 1


def test_prune_needs_yes_is_recorded_and_the_chain_still_verifies(trail: Path) -> None:
    asked = govcloud("log", "prune", "--keep-days", "1")
    assert asked.exit_code == 0  # nothing is a day old yet
    refused = govcloud("log", "prune", "--before", "1m", "--until-x")
    assert refused.exit_code == 2
    no_yes = govcloud("log", "prune", "--before", "2999-01-01")
    assert no_yes.exit_code == 2
    assert "--yes" in no_yes.stderr
    done = govcloud("-o", "json", "log", "prune", "--before", "2999-01-01", "--yes")
    assert done.exit_code == 0, done.stderr
    assert done.json()["through_seq"] == 3
    assert [r["event"] for r in records()] == ["log.prune"]
    verified = govcloud("-o", "json", "log", "verify")
    assert verified.exit_code == 0, verified.stdout
    assert verified.json()["pruned_through"] == 3
    assert verified.json()["first_seq"] == 4


def test_prune_without_a_retention_is_a_usage_error(trail: Path) -> None:
    result = govcloud("log", "prune", "--yes")
    assert result.exit_code == 2
    assert "audit_retention_days" in result.stderr


def test_prune_refuses_a_broken_chain(trail: Path) -> None:
    tamper(trail, "UPDATE audit_log SET ticket = 'x' WHERE seq = 1")
    result = govcloud("log", "prune", "--before", "2999-01-01", "--yes")
    assert result.exit_code == 1
    assert "not pruning" in result.stderr


def test_sm3_seals_verify(db: Path, tmp_path: Path) -> None:
    config = tmp_path / "config" / "govcloud" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("audit_hash: sm3\n")
    assert govcloud("inventory", "load", EXAMPLE).exit_code == 0
    assert [r["alg"] for r in records()] == ["sm3"]
    assert govcloud("log", "verify").exit_code == 0


def test_init_records_the_config_it_writes(db: Path, tmp_path: Path) -> None:
    assert govcloud("init").exit_code == 0
    rows = records()
    assert [(r["event"], r["object_type"]) for r in rows] == [("config.change", "config")]
    assert govcloud("init").exit_code == 0
    assert len(records()) == 1  # an existing config is not a change


def test_command_lines_are_recorded_without_secrets() -> None:
    line = command_line(
        ["--db", "postgresql+psycopg://ops:s3cr%40t@db:5432/gc", "sync", "--password", "pw1",
         "--os-password=pw2", "--token", "tok3", "--application-credential-secret", "sec4",
         "--key", "k5", "--passphrase=pp6", "--clouds", "https://u:pw7@keystone/v3"],
    )  # fmt: skip
    for secret in ("s3cr", "pw1", "pw2", "tok3", "sec4", "k5", "pp6", "pw7"):
        assert secret not in line
    assert "postgresql+psycopg://ops:***@db:5432/gc" in line
    assert "--password *** " in line
    assert "--os-password=***" in line
    assert line.startswith("govcloud --db ")


def test_undecodable_arguments_are_recorded_as_valid_utf8() -> None:
    gbk = "国家".encode("gbk").decode("utf-8", "surrogateescape")  # as argv delivers GBK bytes
    line = command_line(["vm", "list", "--tenant", gbk])
    line.encode("utf-8")  # a surrogate escape left in would raise here
    assert line == "govcloud vm list --tenant \ufffd\ufffd\ufffd\ufffd"


def test_syslog_without_a_socket_is_a_warning_not_an_error(
    db: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if os.path.exists("/dev/log"):
        pytest.skip("this host has a syslog socket")
    config = tmp_path / "config" / "govcloud" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("audit_syslog: true\n")
    result = govcloud("inventory", "load", EXAMPLE)
    assert result.exit_code == 0
    assert "no syslog socket" in caplog.text
    assert len(records()) == 1
