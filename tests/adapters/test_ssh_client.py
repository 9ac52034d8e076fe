"""open_session against real OpenSSH servers on 127.0.0.1 that the tests start: host key
checks from the managed known_hosts only, key auth, a jump host, command timeouts, SFTP."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from govcloud.adapters.ssh import known_hosts
from govcloud.adapters.ssh.client import SshError, fetch_host_key, open_session
from govcloud.adapters.ssh.session import SshTarget, Timeouts
from tests.services.sshd import SshServer, make_client_key, running_sshd, ssh_tools

pytestmark = pytest.mark.ssh
FAST = Timeouts(connect_s=5, banner_s=5, auth_s=5, command_s=10)


@pytest.fixture(scope="module")
def tools() -> tuple[Path, Path]:
    return ssh_tools()


@pytest.fixture(scope="module")
def keys(tools: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_client_key(tools[1], tmp_path_factory.mktemp("client"))


@pytest.fixture(scope="module")
def server(tools: tuple[Path, Path], keys: Path) -> Iterator[SshServer]:
    with running_sshd(*tools, host_key_types=("ed25519", "ecdsa", "rsa"), client_key=keys) as s:
        yield s


def target(s: SshServer, **kw: object) -> SshTarget:
    args: dict[str, object] = {
        "name": f"h{s.port}", "address": s.host, "port": s.port, "user": s.user,
        "key_file": str(s.client_key_path),
    }  # fmt: skip
    args.update(kw)
    return SshTarget(**args)  # type: ignore[arg-type]


def trusted(path: Path, s: SshServer, line: str | None = None) -> Path:
    path.write_text(f"[{s.host}]:{s.port} {line or s.host_public_key_line}\n")
    return path


def test_a_host_never_trusted_is_not_contacted(server: SshServer, tmp_path: Path) -> None:
    with pytest.raises(SshError) as err:
        open_session(target(server), tmp_path / "known_hosts", FAST)
    assert err.value.message == (
        f"host h{server.port}: no host key pinned for [127.0.0.1]:{server.port}: not contacted"
    )
    assert "govcloud host trust" in (err.value.hint or "")


def test_a_key_the_file_does_not_list_for_the_host_is_refused(
    server: SshServer, tmp_path: Path
) -> None:
    kh = tmp_path / "kh"  # only a revocation of some other key: the host's key is unknown
    other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    kh.write_text(f"@revoked [127.0.0.1]:{server.port} {other}\n")
    with pytest.raises(SshError, match=rf"host h{server.port}: unknown host key SHA256:"):
        open_session(target(server), kh, FAST)


def test_trusted_key_runs_argv_quoted(server: SshServer, tmp_path: Path) -> None:
    session = open_session(target(server), trusted(tmp_path / "kh", server), FAST)
    try:
        result = session.run(["printf", "%s|", "a b", "$(id)", "';x"])
        assert result.exit_status == 0
        assert result.stdout == b"a b|$(id)|';x|"  # no shell expansion of the values
        failed = session.run(["sh", "-c", "echo oops >&2; exit 3"])
        assert (failed.exit_status, failed.stderr) == (3, b"oops\n")
    finally:
        session.close()


def test_changed_host_key_is_refused_with_both_fingerprints(
    server: SshServer, tools: tuple[Path, Path], tmp_path: Path
) -> None:
    other = tmp_path / "other"
    old_line = subprocess.run(
        [str(tools[1]), "-q", "-t", "ed25519", "-N", "", "-f", str(other)],
        check=True, capture_output=True,
    ) and " ".join(other.with_suffix(".pub").read_text().split()[:2])  # fmt: skip
    kh = trusted(tmp_path / "kh", server, old_line)
    with pytest.raises(SshError) as err:
        open_session(target(server), kh, FAST)
    was = known_hosts.fingerprint(known_hosts.parse(kh.read_text())[0].key)
    now = known_hosts.fingerprint(
        known_hosts.parse(trusted(tmp_path / "x", server).read_text())[0].key
    )
    assert err.value.message == (
        f"host h{server.port}: host key changed (was {was}, now {now}): refused"
    )


def test_hashed_entries_from_ssh_keygen_and_other_key_types(
    server: SshServer, tools: tuple[Path, Path], tmp_path: Path
) -> None:
    kh = tmp_path / "kh"
    rsa = next(line for line in server.host_key_lines if line.startswith("ssh-rsa"))
    trusted(kh, server, rsa)
    subprocess.run([str(tools[1]), "-q", "-H", "-f", str(kh)], check=True, capture_output=True)
    assert kh.read_text().startswith("|1|")
    assert f"{server.port}" not in kh.read_text()
    session = open_session(target(server), kh, FAST)  # the RSA key is the one negotiated
    try:
        assert session.run(["true"]).exit_status == 0
    finally:
        session.close()


def test_revoked_key_is_refused_even_when_listed(server: SshServer, tmp_path: Path) -> None:
    kh = trusted(tmp_path / "kh", server)
    with kh.open("a") as f:
        f.write(f"@revoked * {server.host_public_key_line}\n")
    with pytest.raises(SshError, match=r"host key SHA256:\S+ is marked @revoked: refused"):
        open_session(target(server), kh, FAST)


def test_wrong_user_key_is_refused(
    server: SshServer, tools: tuple[Path, Path], tmp_path: Path
) -> None:
    stranger = make_client_key(tools[1], tmp_path, "stranger")
    kh = trusted(tmp_path / "kh", server)
    with pytest.raises(SshError) as err:
        open_session(target(server, key_file=str(stranger)), kh, FAST)
    assert err.value.message == (
        f"host h{server.port}: key not accepted for user {server.user} (key {stranger})"
    )


def test_passphrase_comes_from_the_callback(
    server: SshServer, tools: tuple[Path, Path], tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.write_bytes(server.client_key_path.read_bytes())
    locked.chmod(0o600)
    subprocess.run(
        [str(tools[1]), "-q", "-p", "-N", "s3cret", "-P", "", "-f", str(locked)],
        check=True, capture_output=True,
    )  # fmt: skip
    kh = trusted(tmp_path / "kh", server)
    with pytest.raises(SshError, match="needs a passphrase"):
        open_session(target(server, key_file=str(locked)), kh, FAST)
    asked: list[str] = []
    session = open_session(
        target(server, key_file=str(locked)), kh, FAST,
        passphrase=lambda path: asked.append(path) or "s3cret",
    )  # fmt: skip
    session.close()
    assert asked == [str(locked)]


def test_hanging_command_times_out(server: SshServer, tmp_path: Path) -> None:
    session = open_session(target(server), trusted(tmp_path / "kh", server), FAST)
    try:
        # short: sshd may refuse the KILL signal request, the sleep then ends by itself
        result = session.run(["sh", "-c", "echo started; exec sleep 20"], timeout_s=1)
        assert result.exit_status is None
        assert result.stdout == b"started\n"
        assert session.run(["echo", "still usable"]).stdout == b"still usable\n"
    finally:
        session.close()


def test_sftp_put_get_listdir(server: SshServer, tmp_path: Path) -> None:
    session = open_session(target(server), trusted(tmp_path / "kh", server), FAST)
    remote = tmp_path / "remote"
    remote.mkdir()
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(200_000))
    try:
        session.put(src, str(remote / "a.bin"), mode=0o640)
        assert (remote / "a.bin").stat().st_mode & 0o777 == 0o640
        assert session.listdir(str(remote)) == ["a.bin"]
        session.get(str(remote / "a.bin"), tmp_path / "back.bin")
        assert (tmp_path / "back.bin").read_bytes() == src.read_bytes()
        with pytest.raises(SshError, match="list /nonexistent"):
            session.listdir("/nonexistent")
    finally:
        session.close()


def test_connect_refused_and_timed_out(server: SshServer, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        kh = tmp_path / "kh"  # pinned, so govcloud does try to connect
        kh.write_text(f"[127.0.0.1]:{port} {server.host_public_key_line}\n")
        with pytest.raises(SshError, match=f"connection refused at 127.0.0.1:{port}"):
            open_session(target(server, port=port), kh, FAST)
        s.listen(1)  # accepts, never speaks: the banner timeout ends it
        with pytest.raises(SshError, match=r"no SSH banner within 1 s|timed out"):
            open_session(target(server, port=port), kh, Timeouts(1, 1, 1, 1))


def test_jump_host_direct_tcpip(
    server: SshServer, tools: tuple[Path, Path], keys: Path, tmp_path: Path
) -> None:
    with (
        running_sshd(
            *tools, client_key=keys, extra_config=[f"PermitOpen 127.0.0.1:{server.port}"]
        ) as jump,
        running_sshd(*tools, client_key=keys, extra_config=["AllowTcpForwarding no"]) as closed,
    ):
        kh = trusted(tmp_path / "kh", server)
        with kh.open("a") as f:
            f.write(f"[{jump.host}]:{jump.port} {jump.host_public_key_line}\n")
            f.write(f"[{closed.host}]:{closed.port} {closed.host_public_key_line}\n")
        session = open_session(target(server, jump=target(jump, name="bastion")), kh, FAST)
        try:
            assert session.run(["echo", "via jump"]).stdout == b"via jump\n"
            _key_type, blob = fetch_host_key(
                server.host, server.port, FAST, sock=session._jump.forward(server.host, server.port)
            )  # type: ignore[union-attr]
            assert known_hosts.fingerprint(blob) == known_hosts.parse(kh.read_text())[0].fingerprint
        finally:
            session.close()
        with pytest.raises(SshError, match=r"host bastion: cannot open a channel to 127.0.0.1:\d+"):
            open_session(target(server, jump=target(closed, name="bastion")), kh, FAST)
