"""Agent deploy against a real OpenSSH server on 127.0.0.1 with the real zipapp: `--service none`
(no systemd here) starts the agent detached, the verify scrapes it through the SSH forward, a
second deploy plans nothing but the verify, spool mode writes files that SFTP lists."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from govcloud.adapters.ssh.client import open_session
from govcloud.adapters.ssh.session import SshSession, SshTarget, Timeouts
from govcloud.core import agent_deploy as core
from govcloud.services import agent_deploy as svc
from tests.services.proc import free_port
from tests.services.sshd import SshServer, sshd_or_skip

pytestmark = pytest.mark.ssh
FAST = Timeouts(connect_s=5, banner_s=5, auth_s=5, command_s=20)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server() -> Iterator[SshServer]:
    yield from sshd_or_skip()


@pytest.fixture(scope="module")
def art(tmp_path_factory: pytest.TempPathFactory) -> svc.Artifacts:
    out = tmp_path_factory.mktemp("pyz") / core.PYZ_NAME
    subprocess.run(
        [sys.executable, str(ROOT / "agent/packaging/build_zipapp.py"), "--output", str(out)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return svc.Artifacts(out, svc._sha256(out), svc.load_templates())


def connector(server: SshServer, known: Path) -> svc.Connect:
    known.write_text(server.known_hosts_line + "\n")

    def connect(host: str) -> SshSession:
        target = SshTarget(host, server.host, server.port, server.user,
                           str(server.client_key_path))  # fmt: skip
        return open_session(target, known, FAST)

    return connect


class Trail:
    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict[str, object], int | None]] = []

    def __call__(self, host: str, outcome: str, after: dict[str, object], ref: int | None) -> int:
        self.records.append((host, outcome, after, ref))
        return len(self.records)


def stop_by_pid_file(pid_file: Path) -> None:
    pid = int(pid_file.read_text())
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def test_detached_deploy_verifies_then_is_idempotent(
    server: SshServer, art: svc.Artifacts, tmp_path: Path
) -> None:
    install = tmp_path / "agent"
    opts = core.DeployOptions("none", f"127.0.0.1:{free_port()}")
    connect = connector(server, tmp_path / "known_hosts")
    dry = svc.deploy_hosts(["h1"], opts, art, connect, None, install_dir=str(install))
    assert [(r.action, r.status) for r in dry.rows] == [
        ("copy_agent", "planned"), ("start", "planned"), ("verify", "planned"),
    ]  # fmt: skip
    assert not install.exists()  # the dry run changed nothing

    trail = Trail()
    try:
        first = svc.deploy_hosts(["h1"], opts, art, connect, trail, install_dir=str(install))
        assert first.failed == [], first.rows
        assert [(r.action, r.status) for r in first.rows] == [
            ("copy_agent", "done"), ("start", "done"), ("verify", "ok"),
        ]  # fmt: skip
        assert (install / core.PYZ_NAME).stat().st_mode & 0o777 == 0o755
        assert [(h, o) for h, o, _, _ in trail.records] == [("h1", "intent"), ("h1", "ok")]
        assert trail.records[1][3] == 1  # the outcome closes the intent
        pid = int((install / core.PID_NAME).read_text())

        second = svc.deploy_hosts(["h1"], opts, art, connect, trail, install_dir=str(install))
        assert [(r.action, r.status) for r in second.rows] == [("verify", "ok")]
        assert int((install / core.PID_NAME).read_text()) == pid  # not restarted
        assert trail.records[-1][:2] == ("h1", "ok")

        # another listen address: the running agent is stopped and started again
        moved = core.DeployOptions("none", f"127.0.0.1:{free_port()}")
        third = svc.deploy_hosts(["h1"], moved, art, connect, trail, install_dir=str(install))
        assert [(r.action, r.status) for r in third.rows] == [
            ("stop", "done"), ("start", "done"), ("verify", "ok"),
        ]  # fmt: skip
        assert int((install / core.PID_NAME).read_text()) != pid
    finally:
        if (install / core.PID_NAME).exists():
            stop_by_pid_file(install / core.PID_NAME)


def test_spool_mode_writes_files_sftp_lists(
    server: SshServer, art: svc.Artifacts, tmp_path: Path
) -> None:
    install, spool = tmp_path / "agent", tmp_path / "spool"
    opts = core.DeployOptions("none", "127.0.0.1:9109", spool_dir=str(spool))
    trail = Trail()
    connect = connector(server, tmp_path / "known_hosts")
    try:
        report = svc.deploy_hosts(["h1"], opts, art, connect, trail, install_dir=str(install))
        assert report.failed == [], report.rows
        assert report.rows[-1].detail == f"a spool file appears in {spool}"
        assert any(p.name.startswith("spool-") for p in spool.iterdir())
        assert trail.records[-1][2]["spool_dir"] == str(spool)
    finally:
        if (install / core.PID_NAME).exists():
            stop_by_pid_file(install / core.PID_NAME)


def test_one_bad_host_does_not_stop_the_others(
    server: SshServer, art: svc.Artifacts, tmp_path: Path
) -> None:
    good = connector(server, tmp_path / "known_hosts")

    def connect(host: str) -> SshSession:
        if host == "bad":  # pinned, but nothing listens
            port = free_port()
            kh = tmp_path / "known_hosts"
            with kh.open("a") as f:
                f.write(f"[127.0.0.1]:{port} {server.host_public_key_line}\n")
            return open_session(SshTarget("bad", "127.0.0.1", port, "root"), kh, FAST)
        return good(host)

    opts = core.DeployOptions("none", "127.0.0.1:9109")
    report = svc.deploy_hosts(["bad", "h1"], opts, art, connect, None, install_dir=str(tmp_path))
    assert report.failed == ["bad"]
    assert report.rows[0].error
    assert "connection refused" in report.rows[0].error
    assert [r.action for r in report.rows if r.host == "h1"] == ["copy_agent", "start", "verify"]


def test_systemd_mode_refused_where_systemd_is_not_running(
    server: SshServer, art: svc.Artifacts, tmp_path: Path
) -> None:
    if Path("/run/systemd/system").is_dir():
        pytest.skip("systemd runs here: a systemd deploy would change this machine")
    opts = core.DeployOptions("systemd", "127.0.0.1:9109")
    connect = connector(server, tmp_path / "known_hosts")
    report = svc.deploy_hosts(["h1"], opts, art, connect, None)
    [row] = report.rows
    assert (row.action, row.status) == ("probe", "failed")
    assert row.error == "h1: systemd is not running there"
