"""Smoke tests proving the service fixtures start real, usable servers."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import paramiko
import sqlalchemy as sa

from tests.services.sshd import SshServer


def test_postgres_select_one(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
            assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == (
                sa.make_url(postgres_url).database
            )
    finally:
        engine.dispose()


def test_promtool_version(promtool_bin: Path) -> None:
    res = subprocess.run(
        [str(promtool_bin), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    assert res.returncode == 0, res.stderr
    assert "promtool" in (res.stdout + res.stderr).lower()


def test_prometheus_binary_present(prometheus_bin: Path) -> None:
    assert prometheus_bin.is_file()


def test_sshd_runs_command_with_client_key(sshd_server: SshServer) -> None:
    kind, blob = sshd_server.host_public_key_line.split()
    assert kind == "ssh-ed25519"
    client = paramiko.SSHClient()
    # only the fixture's host key is trusted: a wrong server would be rejected
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.get_host_keys().add(
        f"[{sshd_server.host}]:{sshd_server.port}",
        kind,
        paramiko.Ed25519Key(data=base64.b64decode(blob)),
    )
    try:
        client.connect(
            sshd_server.host,
            port=sshd_server.port,
            username=sshd_server.user,
            key_filename=str(sshd_server.client_key_path),
            look_for_keys=False,
            allow_agent=False,
            timeout=15,
        )
        _, stdout, _ = client.exec_command("uname -s", timeout=15)
        assert stdout.read().decode().strip() == "Linux"
        assert stdout.channel.recv_exit_status() == 0
    finally:
        client.close()
