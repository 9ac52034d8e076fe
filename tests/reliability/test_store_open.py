"""Opening a store changes nothing until the file is known to be a govcloud store.

A path given to `--db` by mistake (a PNG, a text file, an empty file, another program's SQLite
database, a half-copied store) is a one-line error naming the file, and the file keeps its
bytes and mode, with no -wal/-shm beside it. `--db ''` is an error, not the default store.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from govcloud.adapters.store import engine
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.name: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _store(folder: Path) -> Path:
    path = folder / "real.db"
    result = govcloud("--db", str(path), "inventory", "load", EXAMPLE)
    assert result.exit_code == 0, result.stderr
    return path


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("picture.png", lambda p: p.write_bytes(PNG), "not a SQLite database"),
        ("notes.txt", lambda p: p.write_text("db: here\n"), "not a SQLite database"),
        ("empty.db", lambda p: p.write_bytes(b""), "empty file"),
        ("other.db", _foreign_sqlite, "a SQLite database with other tables"),
        ("short.db", lambda p: p.write_bytes(b"SQLite format 3\x00" + bytes(20)), "not a SQLite"),
    ],
)
@pytest.mark.parametrize("command", [("vm", "list"), ("pool", "list"), ("log", "show")])
def test_a_file_that_is_no_store_is_left_as_it_was(
    tmp_path: Path, name: str, make: object, message: str, command: tuple[str, ...]
) -> None:
    path = tmp_path / name
    make(path)  # type: ignore[operator]
    os.chmod(path, 0o644)
    before = _snapshot(tmp_path)
    result = govcloud("--db", str(path), *command)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert message in result.stderr
    assert str(path) in result.stderr
    assert result.stderr.count("\n") <= 2  # error + hint, no traceback
    assert "Traceback" not in result.stderr
    assert _snapshot(tmp_path) == before  # same bytes, same mode, no -wal / -shm


def test_a_half_copied_store_is_a_clear_error(tmp_path: Path) -> None:
    whole = _store(tmp_path)
    half = tmp_path / "half.db"
    data = whole.read_bytes()
    half.write_bytes(data[: len(data) // 3])
    os.chmod(half, 0o644)
    before = _snapshot(tmp_path)
    result = govcloud("--db", str(half), "vm", "list")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert str(half) in result.stderr
    assert _snapshot(tmp_path) == before


def test_init_refuses_another_programs_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    _foreign_sqlite(other)
    before = _snapshot(tmp_path)
    for args in (("init",), ("inventory", "load", EXAMPLE)):
        result = govcloud("--db", str(other), *args)
        assert result.exit_code == 1, result.stderr
        assert "not a govcloud store" in result.stderr
    assert _snapshot(tmp_path) == before


def test_init_may_turn_an_empty_file_into_a_store(tmp_path: Path) -> None:
    empty = tmp_path / "new.db"
    empty.write_bytes(b"")
    assert govcloud("--db", str(empty), "inventory", "load", EXAMPLE).exit_code == 0
    assert empty.read_bytes().startswith(b"SQLite format 3\x00")


def test_a_read_only_store_is_read_and_never_chmodded(tmp_path: Path) -> None:
    path = _store(tmp_path)
    os.chmod(path, 0o400)
    result = govcloud("--db", str(path), "pool", "list", "-o", "json")
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert {p["code"] for p in result.json()} >= {"zw-prod"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o400


def test_an_open_store_loses_group_and_other_access_only(tmp_path: Path) -> None:
    path = _store(tmp_path)
    os.chmod(path, 0o644)
    assert govcloud("--db", str(path), "pool", "list").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_db_option_is_an_error_not_the_default_store(tmp_path: Path, value: str) -> None:
    default = Path(os.environ["XDG_DATA_HOME"]) / "govcloud" / "govcloud.db"
    result = govcloud("--db", value, "inventory", "load", EXAMPLE)
    assert result.exit_code == 2
    assert "--db is empty" in result.stderr
    assert not default.exists()


def test_a_directory_or_nul_path_is_a_usage_error(tmp_path: Path) -> None:
    assert govcloud("--db", str(tmp_path), "vm", "list").exit_code == 2
    result = govcloud("--db", f"{tmp_path}/a\0b.db", "vm", "list")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_postgresql_without_the_schema_is_a_clear_error(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    with engine.begin() as conn:  # an empty schema holding someone else's table
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.execute(text("CREATE TABLE photos (id integer)"))
    engine.dispose()
    result = govcloud("--db", postgres_url, "vm", "list")
    assert result.exit_code == 1
    assert "is not initialised" in result.stderr
    assert "govcloud init" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_known_revisions_are_the_migrations() -> None:
    versions = Path(engine.__file__).with_name("migrations") / "versions"
    names = sorted(p.name.split("_", 1)[0] for p in versions.glob("0*.py"))
    assert tuple(names) == engine.KNOWN_REVISIONS
    assert engine.KNOWN_REVISIONS[-1] == engine.SCHEMA_HEAD
