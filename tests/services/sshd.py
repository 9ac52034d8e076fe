"""A private OpenSSH server on 127.0.0.1:<free port> with generated host and client keys."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
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


def _keygen(keygen: Path, path: Path, comment: str) -> str:
    subprocess.run(
        [str(keygen), "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    kind, key = path.with_suffix(".pub").read_text().split()[:2]
    return f"{kind} {key}"


@contextlib.contextmanager
def running_sshd(sshd: Path, keygen: Path) -> Iterator[SshServer]:
    """Start ``sshd -D`` for the current user (key auth only), stop it by PID afterwards."""
    top = Path(tempfile.mkdtemp(prefix="govcloud-sshd-"))
    try:
        user = pwd.getpwuid(os.getuid()).pw_name
        host_key, client_key = top / "host_ed25519", top / "client_ed25519"
        host_line = _keygen(keygen, host_key, "govcloud-test-host")
        client_line = _keygen(keygen, client_key, "govcloud-test-client")
        (top / "authorized_keys").write_text(client_line + "\n")
        port = free_port()
        config = top / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    "ListenAddress 127.0.0.1",
                    f"Port {port}",
                    f"HostKey {host_key}",
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
                host_public_key_line=host_line,
            )
        finally:
            stop_process(proc)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def find_sshd() -> tuple[Path | None, Path | None]:
    return find_binary("sshd"), find_binary("ssh-keygen")
