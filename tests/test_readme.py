"""The README's two set-up commands are the ones CI and the demo tests run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Two commands.*?```bash\n(.*?)```", text, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_ci_runs_the_readmes_test_command() -> None:
    main, tests = _setup_commands()
    assert tests == "bash tests/run.sh"
    assert "exec bash tests/run.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert main.endswith("&& .venv/bin/govcloud demo")


def test_the_readmes_main_command_runs(tmp_path: Path) -> None:
    main, _ = _setup_commands()
    govcloud_part = main.rsplit("&& ", 1)[1].split()  # the install step is what tests/run.sh did
    exe = Path(sys.executable).parent / "govcloud"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    env.pop("GOVCLOUD_DB", None)
    done = subprocess.run(
        [str(exe), *govcloud_part[1:]], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "zw-prod" in done.stdout
    assert (tmp_path / "govcloud" / "demo.db").exists()
