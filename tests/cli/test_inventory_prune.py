"""`inventory load` never removes declared state by surprise, and its summary counts it all.

Found as a new user: `inventory load inv/pools.yaml` (one file, not the folder) removed every
department, system and approved quota without a prompt while the summary said "Removed 0" for
projects and systems (the rows went with their department by a cascade, unseen).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from govcloud.core.errors import UsageError
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud


def _rows(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def _state(db: Path) -> dict[str, int]:
    tables = ("department", "project_binding", "approved_quota", "business_system", "pool")
    return {t: _rows(db, t) for t in tables}


def test_one_file_instead_of_the_folder_is_refused(loaded: Path) -> None:
    before = _state(loaded)
    result = govcloud("inventory", "load", str(Path(EXAMPLE) / "pools.yaml"))
    assert result.exit_code == 2
    assert "is a file, not the inventory folder" in result.stderr
    assert f"give the folder: {EXAMPLE}" in result.stderr
    assert _state(loaded) == before


def test_a_load_that_removes_is_refused_without_prune_with_the_counts(
    loaded: Path, tmp_path: Path
) -> None:
    part = tmp_path / "part"
    part.mkdir()
    shutil.copy(Path(EXAMPLE) / "pools.yaml", part)
    before = _state(loaded)
    result = govcloud("inventory", "load", str(part))  # stdin is no terminal here: no prompt
    assert result.exit_code == 2
    message = result.stderr
    assert f"would remove {before['department']} departments" in message
    assert f"{before['project_binding']} projects" in message
    assert f"{before['approved_quota']} approved quotas" in message
    assert f"{before['business_system']} systems" in message
    assert "--prune" in message
    assert _state(loaded) == before


def test_prune_removes_and_the_summary_counts_what_went(loaded: Path, tmp_path: Path) -> None:
    part = tmp_path / "part"
    part.mkdir()
    shutil.copy(Path(EXAMPLE) / "pools.yaml", part)
    before = _state(loaded)
    result = govcloud("-o", "json", "inventory", "load", str(part), "--prune")
    assert result.exit_code == 0, result.stderr
    removed = {r["kind"]: r["removed"] for r in result.json()}
    assert removed["departments"] == before["department"]
    assert removed["projects"] == before["project_binding"]  # was 0: taken by the cascade
    assert removed["systems"] == before["business_system"]  # was 0 as well
    assert removed["pools"] == 0
    assert _rows(loaded, "department") == 0
    assert _rows(loaded, "approved_quota") == 0


def test_a_load_that_removes_nothing_needs_no_prune(loaded: Path) -> None:
    result = govcloud("-o", "json", "inventory", "load", EXAMPLE)
    assert result.exit_code == 0, result.stderr
    assert all(r["removed"] == 0 and r["added"] == 0 for r in result.json())


def test_the_answer_at_a_terminal_decides(loaded: Path, tmp_path: Path) -> None:
    from govcloud.services import inventory
    from govcloud.services.settings import resolve

    part = tmp_path / "part"
    part.mkdir()
    shutil.copy(Path(EXAMPLE) / "pools.yaml", part)
    asked: list[dict[str, int]] = []

    def no(planned: dict[str, int]) -> bool:
        asked.append(planned)
        return False

    settings = resolve()
    before = _state(loaded)
    with pytest.raises(UsageError, match="nothing was loaded"):
        inventory.load(settings, part, confirm=no)
    assert asked
    assert asked[0]["departments"] == before["department"]
    assert _state(loaded) == before
    stats = inventory.load(settings, part, confirm=lambda planned: True)
    assert {s.kind: s.removed for s in stats}["departments"] == before["department"]


def test_empty_folder_argument_is_refused(loaded: Path) -> None:
    for command in ("validate", "load"):
        result = govcloud("inventory", command, "")
        assert result.exit_code == 2
        assert "not a path" in result.stderr
