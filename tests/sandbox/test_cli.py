"""`govcloud sandbox serve` as a process: announces itself, writes clouds.yaml, stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
from pathlib import Path

import requests

from tests.sandbox.conftest import EXAMPLE

GOVCLOUD = Path(sys.executable).parent / "govcloud"


def test_serve_announces_writes_clouds_yaml_and_stops(tmp_path: Path) -> None:
    clouds = tmp_path / "clouds.yaml"
    args = [str(GOVCLOUD), "-o", "json", "sandbox", "serve", "--inventory", str(EXAMPLE),
            "--size", "50", "--clouds-yaml", str(clouds)]  # fmt: skip
    proc = subprocess.Popen(
        args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["clouds_yaml"] == str(clouds.resolve())
        assert "govcloud-sandbox-zwy" in info["clouds"]
        assert stat.S_IMODE(clouds.stat().st_mode) == 0o600
        assert requests.get(info["auth_url"], timeout=10).json()["version"]["status"] == "stable"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert err == ""


def test_serve_rejects_bad_size(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(GOVCLOUD), "sandbox", "serve", "--size", "100001", "--inventory", str(EXAMPLE)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "--size" in proc.stderr
    assert "Traceback" not in proc.stderr
