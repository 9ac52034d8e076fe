"""`govcloud agent deploy` and `govcloud metrics import --from-host` through the CLI, against a
real sshd on 127.0.0.1 declared in hosts.yaml, with the real zipapp; the unit files checked by
`systemd-analyze verify` where it is installed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from govcloud.core import agent_deploy as core
from govcloud.services import agent_deploy as svc
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud
from tests.services.proc import free_port
from tests.services.sshd import SshServer, sshd_or_skip
from tests.services.test_agent_deploy_ssh import stop_by_pid_file

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "agent" / "packaging"


@pytest.fixture(scope="module")
def server() -> Iterator[SshServer]:
    yield from sshd_or_skip()


@pytest.fixture(scope="module")
def pyz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pyz") / core.PYZ_NAME
    subprocess.run(
        [sys.executable, str(PACKAGING / "build_zipapp.py"), "--output", str(out)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return out


@pytest.fixture
def estate(db: Path, tmp_path: Path, server: SshServer) -> Path:
    """The example inventory with two legacy hosts: one the sshd, one nobody answers for."""
    inv = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, inv)
    (inv / "hosts.yaml").write_text(
        "legacy_hosts:\n"
        f"- {{name: here-1, address: 127.0.0.1, port: {server.port}, ssh_user: {server.user},"
        f" key_file: {server.client_key_path}}}\n"
        f"- {{name: gone-1, address: 127.0.0.1, port: {free_port()}, ssh_user: {server.user},"
        f" key_file: {server.client_key_path}}}\n"
    )
    assert govcloud("inventory", "load", str(inv)).exit_code == 0
    known = tmp_path / "config" / "govcloud" / "known_hosts"
    known.parent.mkdir(parents=True, exist_ok=True)
    known.write_text(server.known_hosts_line + "\n")
    return tmp_path


def test_deploy_dry_run_then_deploy_then_nothing_to_do(estate: Path, pyz: Path) -> None:
    install = estate / "remote-agent"
    base = ["-o", "json", "agent", "deploy", "here-1", "--service", "none", "--zipapp", str(pyz),
            "--install-dir", str(install), "--port", str(free_port())]  # fmt: skip
    dry = govcloud(*base, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert [r["action"] for r in dry.json()] == ["copy_agent", "start", "verify"]
    assert {r["status"] for r in dry.json()} == {"planned"}
    assert not install.exists()
    try:
        first = govcloud(*base)
        assert first.exit_code == 0, first.stdout + first.stderr
        assert [r["status"] for r in first.json()] == ["done", "done", "ok"]
        again = govcloud(*base)
        assert [(r["action"], r["status"]) for r in again.json()] == [("verify", "ok")]
    finally:
        if (install / core.PID_NAME).exists():
            stop_by_pid_file(install / core.PID_NAME)
    trail = govcloud("-o", "json", "log", "show")
    deploys = [r for r in trail.json() if r["event"] == "agent.deploy"]
    assert sorted(r["outcome"] for r in deploys) == ["intent", "ok", "ok"]
    assert {r["object_id"] for r in deploys} == {"here-1"}


def test_one_unreachable_host_fails_alone(estate: Path, pyz: Path) -> None:
    result = govcloud("agent", "deploy", "gone-1", "here-1", "--service", "none", "--dry-run",
                      "--zipapp", str(pyz), "--install-dir", str(estate / "a"))  # fmt: skip
    assert result.exit_code == 1
    assert "agent deploy failed on 1 of 2 hosts: gone-1" in result.stderr
    assert "here-1" in result.stdout
    assert "copy_agent" in result.stdout
    assert "Traceback" not in result.stderr


def test_undeclared_host_and_bad_options_are_usage_errors(estate: Path, pyz: Path) -> None:
    unknown = govcloud("agent", "deploy", "nope; rm -rf /", "--zipapp", str(pyz))
    assert unknown.exit_code == 2
    assert "not declared in hosts.yaml: nope; rm -rf /" in unknown.stderr
    spool = govcloud("agent", "deploy", "here-1", "--spool", "/tmp/x y", "--zipapp", str(pyz))
    assert spool.exit_code == 2
    assert "--spool" in spool.stderr


def test_metrics_import_from_host_fetches_spool_over_sftp(estate: Path, pyz: Path) -> None:
    install, spool = estate / "remote-agent", estate / "remote-spool"
    deployed = govcloud("agent", "deploy", "here-1", "--service", "none", "--zipapp", str(pyz),
                        "--install-dir", str(install), "--spool", str(spool))  # fmt: skip
    try:
        assert deployed.exit_code == 0, deployed.stdout + deployed.stderr
    finally:
        if (install / core.PID_NAME).exists():
            stop_by_pid_file(install / core.PID_NAME)
    (spool / "spool-20000101T000000Z.jsonl").write_bytes(b"\xff not json\n")  # a torn file
    result = govcloud("metrics", "import", "--from-host", "here-1", "--from-host", "gone-1",
                      "--spool-dir", str(spool))  # fmt: skip
    assert result.exit_code == 1, result.stderr
    assert "records from 2 file(s)" in result.stderr  # the torn file did not stop the good one
    assert "gone-1" in result.stderr
    assert "not contacted" in result.stderr  # never trusted: no packet sent to it
    trail = govcloud("-o", "json", "log", "show").json()
    assert any(r["event"] == "metrics_spool" and r["object_id"] == f"here-1:{spool}" for r in trail)
    assert any(r["event"] == "metrics.fetch" and r["outcome"] == "failed" for r in trail)
    # the series are the legacy host's, under its name, where `migrate plan` reads them
    with sqlite3.connect(os.environ["GOVCLOUD_DB"]) as con:
        targets = {t for (t,) in con.execute("SELECT DISTINCT target FROM metric_target")}
    assert targets == {"here-1"}, result.stderr


@pytest.mark.parametrize("variant", [core.HARDENED, core.SYSTEMD_219])
def test_unit_files_verify(variant: str, tmp_path: Path) -> None:
    template = (PACKAGING / core.UNIT_FILES[variant]).read_text()
    args = (
        sys.executable,
        "/opt/govcloud-agent/govcloud-agent.pyz",
        "--web.listen-address=127.0.0.1:9109",
    )
    unit = core.render_unit(template, args)
    assert f"ExecStart={' '.join(args)} $GOVCLOUD_AGENT_ARGS" in unit
    if variant == core.SYSTEMD_219:
        newer = (
            "DynamicUser",
            "StateDirectory",
            "ProtectKernel",
            "ProtectClock",
            "TasksMax",
            "MemoryMax",
            "MemoryDenyWriteExecute",
            "RestrictNamespaces",
            "SystemCallFilter",
        )
        live = [ln for ln in unit.splitlines() if not ln.startswith("#")]
        assert not [ln for ln in live if ln.startswith(newer)]
        assert "User=govcloud-agent" in live
    else:
        assert "DynamicUser=yes" in unit
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    path = tmp_path / core.UNIT_NAME
    path.write_text(unit)
    done = subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    problems = [ln for ln in done.stderr.splitlines() if "Unknown" in ln or "Invalid" in ln]
    assert problems == []


def test_templates_load_from_the_packaging_dir() -> None:
    assert set(svc.load_templates()) == {core.HARDENED, core.SYSTEMD_219}
