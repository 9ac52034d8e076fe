"""The agent's Python floor (3.6: CentOS 7, RHEL 8) and its one-file zipapp.

vermin checks every agent module against 3.6 statically; the zipapp is then built and run for
real, under the venv's Python and under the oldest CPython found on this machine (pyenv builds;
Debian's archive has no Python older than its own 3.11, and PyPI has no interpreters).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from agent import __version__
from agent.packaging.build_zipapp import SHEBANG, build
from tests.agent.conftest import REPO, _wait_listening

FLOOR = (3, 6)
VERMIN_ARGS = ["-t=3.6-", "--no-tips", "--violations", "--eval-annotations"]


def _vermin(*paths: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("vermin", reason="vermin is in the dev extra: pip install -e '.[dev]'")
    vermin = Path(sys.executable).with_name("vermin")
    argv = [str(vermin), *VERMIN_ARGS, "--feature", "union-types", *paths]
    return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


def test_vermin_finds_nothing_above_3_6_in_the_agent() -> None:
    done = _vermin("agent/")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Minimum required versions: 3.6" in done.stdout


def test_vermin_would_catch_a_newer_construct(tmp_path: Path) -> None:
    # The check must be able to fail: the constructs issue 10 names, in the form they took here.
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from typing import Iterable\n"
        "def f(lines: Iterable[str | bytes], n: list[int]) -> None:\n"
        "    print(list(zip(lines, n, strict=True)))\n"
    )
    done = _vermin(str(bad))
    assert done.returncode != 0
    assert "3.10" in done.stdout
    assert "3.9" in done.stdout


def _oldest_interpreter() -> str | None:
    """The oldest CPython 3.6+ on PATH or under pyenv, other than the one running the tests."""
    candidates = [shutil.which(f"python3.{minor}") for minor in range(6, 11)]
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(os.path.join(root, "versions", "3.*", "bin", "python3")))
    found = []
    for path in filter(None, candidates):
        done = subprocess.run(
            [path, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        if done.returncode == 0:
            version = tuple(int(v) for v in done.stdout.split())
            if FLOOR <= version < sys.version_info[:2]:
                found.append((version, path))
    return min(found)[1] if found else None


@pytest.fixture(scope="module")
def pyz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("pyz") / "govcloud-agent.pyz")


def test_zipapp_is_reproducible_and_minimal(pyz: Path, tmp_path: Path) -> None:
    again = build(tmp_path / "again.pyz")
    assert again.read_bytes() == pyz.read_bytes()
    assert pyz.read_bytes().startswith(f"#!{SHEBANG}\n".encode())
    assert os.access(pyz, os.X_OK)
    with zipfile.ZipFile(pyz) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names[-1] == "__main__.py"
    assert names[:-1] == sorted(names[:-1])
    assert "agent/collectors/portable.py" in names
    assert not [n for n in names if "packaging" in n or not n.endswith(".py")]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def _run_and_scrape(argv: list[str]) -> tuple[str, str]:
    """(``--version`` output, one /metrics body) of the agent started by ``argv``."""
    version = subprocess.run(
        [*argv, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert version.returncode == 0, version.stderr
    proc = subprocess.Popen(
        [*argv, "--web.listen-address", "127.0.0.1:0"],
        cwd="/",  # nothing from the checkout: only what is inside the archive
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = _wait_listening(proc, 30.0)
        with urllib.request.urlopen(url + "/metrics", timeout=30) as response:
            body = response.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        assert proc.stderr is not None
        proc.stderr.close()
    return version.stdout.strip(), body


def _check_scrape(version: str, body: str) -> None:
    assert version == f"govcloud-agent {__version__}"
    for name in ("node_cpu_seconds_total", "node_memory_MemTotal_bytes", "node_load1"):
        assert re.search(rf"^{name}[{{ ]", body, re.M), name
    assert 'node_scrape_collector_success{collector="filesystem"} 1.0' in body
    assert re.search(r'^govcloud_agent_info\{.*version="' + re.escape(__version__), body, re.M)


def test_zipapp_runs_and_serves_under_this_python(pyz: Path) -> None:
    _check_scrape(*_run_and_scrape([sys.executable, str(pyz)]))


def test_zipapp_runs_and_serves_under_the_oldest_python_here(pyz: Path) -> None:
    python = _oldest_interpreter()
    if python is None:
        pytest.skip("no CPython 3.6-3.10 on this machine; vermin alone checks the floor")
    _check_scrape(*_run_and_scrape([python, str(pyz)]))
