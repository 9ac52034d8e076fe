from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.runner import govcloud

EXAMPLE = str(Path(__file__).resolve().parents[2] / "inventory" / "example")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private store and config location for each test; English unless a test says otherwise."""
    path = tmp_path / "govcloud.db"
    monkeypatch.setenv("GOVCLOUD_DB", str(path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "GOVCLOUD_LANG", "GOVCLOUD_OUTPUT"):
        monkeypatch.delenv(var, raising=False)
    return path


@pytest.fixture
def loaded(db: Path) -> Path:
    result = govcloud("inventory", "load", EXAMPLE)
    assert result.exit_code == 0, result.stderr
    return db
