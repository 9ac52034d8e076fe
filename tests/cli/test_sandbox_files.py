"""Files govcloud writes are 0600 from creation; the sandbox writes a clouds.yaml only when told.

`sandbox serve` runs as a real process: it must leave the working folder untouched without
`--clouds-yaml`, never replace a clouds.yaml it did not write (unless --force), never name a
cloud after a real one, and say in one line why it cannot start.
"""

from __future__ import annotations

import json
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govcloud.sandbox import Sandbox
from govcloud.services.inventory import read_inventory
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud

GOVCLOUD = Path(sys.executable).parent / "govcloud"


def _serve(cwd: Path, *flags: str) -> dict[str, Any]:
    args = [str(GOVCLOUD), "-o", "json", "sandbox", "serve", "--inventory", EXAMPLE,
            "--size", "20", *flags]  # fmt: skip
    proc = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        info: dict[str, Any] = json.loads(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    return info


def _refused(cwd: Path, *flags: str) -> str:
    proc = subprocess.run(
        [str(GOVCLOUD), "sandbox", "serve", "--inventory", EXAMPLE, "--size", "20", *flags],
        cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    return proc.stderr


def test_serve_writes_no_clouds_yaml_unless_told(tmp_path: Path) -> None:
    info = _serve(tmp_path)
    assert info["clouds_yaml"] is None
    assert list(tmp_path.iterdir()) == []
    assert all(name.startswith("govcloud-sandbox") for name in info["clouds"])


def test_serve_never_replaces_a_clouds_yaml_it_did_not_write(tmp_path: Path) -> None:
    real = tmp_path / "clouds.yaml"
    real.write_text("clouds:\n  zwy:\n    auth: {password: the-real-one}\n")
    err = _refused(tmp_path, "--clouds-yaml", str(real))
    assert err.startswith(f"error: {real} exists and was not written by the sandbox")
    assert "the-real-one" in real.read_text()

    info = _serve(tmp_path, "--clouds-yaml", str(real), "--force")
    assert info["clouds_yaml"] == str(real)
    again = _serve(tmp_path, "--clouds-yaml", str(real))  # its own file: replaced freely
    assert again["clouds_yaml"] == str(real)
    text = real.read_text()
    assert text.startswith("# Written by `govcloud sandbox serve`")
    assert "the-real-one" not in text
    assert "\n  zwy:" not in text
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_serve_says_in_one_line_why_it_cannot_start(tmp_path: Path) -> None:
    err = _refused(tmp_path, "--clouds-yaml", str(tmp_path / "missing" / "clouds.yaml"))
    assert f"folder {tmp_path / 'missing'} does not exist" in err
    err = _refused(tmp_path, "--clouds-yaml", str(tmp_path))
    assert f"--clouds-yaml {tmp_path} is a folder" in err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        err = _refused(tmp_path, "--port", str(port))
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert list(tmp_path.iterdir()) == []


def test_govcloud_reads_the_sandbox_entries_for_declared_clouds(db: Path, tmp_path: Path) -> None:
    with Sandbox.start(read_inventory(Path(EXAMPLE)), size=20) as sb:
        clouds = sb.write_clouds_yaml(tmp_path / "clouds.yaml")
        assert govcloud("inventory", "load", EXAMPLE).exit_code == 0
        out = govcloud("sync", "--clouds-yaml", str(clouds), "--pool", "hlw")
    assert out.exit_code == 0, out.stderr


def _modes(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode)
        for p in root.rglob("*")
        if p.is_file()
    }


def test_every_file_a_flow_writes_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """init (store, config, audit key), load, sync, plan, report, audit textfile: all 0600,
    except the node_exporter textfile (0644, documented in adapters/textfile.py)."""
    monkeypatch.setenv("GOVCLOUD_DB", str(tmp_path / "store" / "govcloud.db"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    (tmp_path / "store").mkdir()
    with Sandbox.start(read_inventory(Path(EXAMPLE)), size=20) as sb:
        clouds = sb.write_clouds_yaml(tmp_path / "clouds.yaml")
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        for args in (
            ("init",),
            ("inventory", "load", EXAMPLE),
            ("sync",),
            ("quota", "plan", "--file", str(tmp_path / "plan.json")),
            ("report", "capacity", "-f", "html,xlsx,md,json,csv",
             "--output-dir", str(tmp_path / "reports")),
        ):  # fmt: skip
            out = govcloud(*args)
            assert out.exit_code == 0, (args, out.stderr)
    modes = _modes(tmp_path)
    assert "store/govcloud.db" in modes
    assert "plan.json" in modes
    assert "xdg_config_home/govcloud/config.yaml" in modes
    assert sum(1 for name in modes if name.startswith("reports/")) >= 5
    assert {name: mode for name, mode in modes.items() if mode != 0o600} == {}
