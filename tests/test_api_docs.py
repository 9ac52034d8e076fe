"""Every ```python example in docs/api.md (and the README's library section) runs as written,
in a folder holding a store loaded from the example inventory and synced from the sandbox as
`govcloud.db`, the sandbox's `clouds.yaml` and `inventory/` — so a wrong example fails CI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import govcloud
from govcloud.sandbox import Sandbox
from govcloud.services.inventory import read_inventory
from tests.cli.conftest import EXAMPLE

ROOT = Path(__file__).resolve().parents[1]
PAGES = (ROOT / "docs" / "api.md", ROOT / "README.md")
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
ENV = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")


def examples(page: Path) -> list[str]:
    return FENCE.findall(page.read_text(encoding="utf-8"))


EXAMPLES = [
    pytest.param(code, id=f"{page.name}:{i}")
    for page in PAGES
    for i, code in enumerate(examples(page), start=1)
    if "govcloud." in code
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder the examples run in, its store filled once for the module."""
    base = tmp_path_factory.mktemp("api-docs")
    with pytest.MonkeyPatch.context() as mp:
        for var in ENV:
            mp.setenv(var, str(base / var.lower()))
        for var in ("GOVCLOUD_DB", "GOVCLOUD_CONFIG", "GOVCLOUD_OPERATOR"):
            mp.delenv(var, raising=False)
        work = base / "work"
        (work / "inventory").mkdir(parents=True)
        (work / "inventory" / "example").symlink_to(EXAMPLE)
        with Sandbox.start(read_inventory(Path(EXAMPLE)), size=300, seed=3) as sb:
            clouds = sb.write_clouds_yaml(work / "clouds.yaml")
            with govcloud.open(work / "govcloud.db") as gc:
                gc.load_inventory(EXAMPLE)
                assert gc.sync(clouds_yaml=clouds).failed == []
                gc.audit()
            yield work


@pytest.fixture
def in_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Inside FOLDER, with the module's config, data and state (one audit key throughout)."""
    for var in ENV:
        monkeypatch.setenv(var, str(folder.parent / var.lower()))
    monkeypatch.setenv("GOVCLOUD_DB", str(folder / "govcloud.db"))
    monkeypatch.chdir(folder)
    return folder


def run_example(code: str) -> None:
    exec(compile(code, "<example>", "exec"), {"__name__": "__example__"})


def test_the_pages_have_their_examples() -> None:
    """An example deleted or its fence mistyped would otherwise pass silently."""
    assert len(examples(PAGES[0])) >= 8


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs(code: str, in_folder: Path) -> None:
    run_example(code)


def test_a_wrong_example_fails(in_folder: Path) -> None:
    with pytest.raises(govcloud.NotFoundError):
        run_example('import govcloud\ngovcloud.open("govcloud.db").pool("no-such-pool")\n')
    with pytest.raises(AttributeError):
        run_example("import govcloud\ngovcloud.open().pools()[0].no_such_field\n")
