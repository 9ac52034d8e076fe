"""Private OpenSSH servers on 127.0.0.1:<free port> with generated host and client keys.

`running_sshd` starts one; its options make the servers discovery is tested against: several
host key types, a client key shared by many servers (a sweep), extra sshd_config lines (a
ForceCommand that hangs, a jump host that allows or refuses `direct-tcpip`)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.services.proc import find_binary, free_port, is_root, stop_process, wait_until

PRIVSEP_DIR = Path("/run/sshd")  # Debian's sshd refuses to start as root without it


@dataclass(frozen=True)
class SshServer:
    host: str
    port: int
    user: str
    client_key_path: Path
    host_public_key_line: str  # "ssh-ed25519 AAAA..." (the server's host key, no comment)
    host_key_lines: tuple[str, ...] = ()  # every host key, first = host_public_key_line
    log_path: Path | None = None

    @property
    def known_hosts_line(self) -> str:
        """The host key as a known_hosts line for ``[host]:port``."""
        return f"[{self.host}]:{self.port} {self.host_public_key_line}"


def _banner_seen(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            return s.recv(64).startswith(b"SSH-2.0-")
    except OSError:
        return False


def _keygen(keygen: Path, path: Path, comment: str, kind: str = "ed25519") -> str:
    size = ["-b", "2048"] if kind == "rsa" else []
    subprocess.run(
        [str(keygen), "-q", "-t", kind, *size, "-N", "", "-C", comment, "-f", str(path)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    kind, key = path.with_suffix(".pub").read_text().split()[:2]
    return f"{kind} {key}"


def make_client_key(keygen: Path, folder: Path, name: str = "client_ed25519") -> Path:
    """A client key pair in FOLDER (no passphrase), for servers started with it."""
    path = folder / name
    _keygen(keygen, path, "govcloud-test-client")
    return path


@contextlib.contextmanager
def running_sshd(
    sshd: Path,
    keygen: Path,
    *,
    host_key_types: Sequence[str] = ("ed25519",),
    client_key: Path | None = None,
    extra_config: Sequence[str] = (),
) -> Iterator[SshServer]:
    """Start ``sshd -D`` for the current user (key auth only), stop it by PID afterwards.

    CLIENT_KEY: the key to accept (its ``.pub`` beside it); None: a new one. EXTRA_CONFIG:
    sshd_config lines placed before the defaults (sshd takes the first value it reads)."""
    top = Path(tempfile.mkdtemp(prefix="govcloud-sshd-"))
    try:
        user = pwd.getpwuid(os.getuid()).pw_name
        host_keys = [top / f"host_{kind}" for kind in host_key_types]
        host_lines = [
            _keygen(keygen, path, "govcloud-test-host", kind)
            for path, kind in zip(host_keys, host_key_types, strict=True)
        ]
        if client_key is None:
            client_key = make_client_key(keygen, top)
        kind, blob = client_key.with_suffix(".pub").read_text().split()[:2]
        (top / "authorized_keys").write_text(f"{kind} {blob}\n")
        port = free_port()
        config = top / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    *extra_config,
                    "ListenAddress 127.0.0.1",
                    f"Port {port}",
                    *(f"HostKey {path}" for path in host_keys),
                    f"PidFile {top / 'sshd.pid'}",
                    f"AuthorizedKeysFile {top / 'authorized_keys'}",
                    f"AllowUsers {user}",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "UsePAM no",
                    "StrictModes no",
                    "PrintMotd no",
                    "X11Forwarding no",
                    "LogLevel VERBOSE",
                    "Subsystem sftp internal-sftp",
                    "",
                ]
            )
        )
        if is_root() and not PRIVSEP_DIR.is_dir():
            PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
        log = top / "sshd.log"
        with open(log, "wb") as out:
            # -D: stay in the foreground (our PID is sshd's); -e: log to stderr
            proc = subprocess.Popen(
                [str(sshd), "-D", "-e", "-f", str(config)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        try:
            wait_until(f"sshd on port {port}", lambda: _banner_seen(port), 30, proc, log)
            yield SshServer(
                host="127.0.0.1",
                port=port,
                user=user,
                client_key_path=client_key,
                host_public_key_line=host_lines[0],
                host_key_lines=tuple(host_lines),
                log_path=log,
            )
        finally:
            stop_process(proc)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def find_sshd() -> tuple[Path | None, Path | None]:
    return find_binary("sshd"), find_binary("ssh-keygen")


def ssh_tools() -> tuple[Path, Path]:
    """sshd and ssh-keygen, or the test skipped (failed when services are required, as in CI)."""
    from tests.services.require import unavailable

    sshd, keygen = find_sshd()
    if sshd is None or keygen is None:
        unavailable("sshd and ssh-keygen")
    return sshd, keygen


def sshd_or_skip() -> Iterator[SshServer]:
    """A module fixture's body: a running sshd on 127.0.0.1 (see ssh_tools)."""
    with running_sshd(*ssh_tools()) as server:
        yield server
