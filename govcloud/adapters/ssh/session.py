"""The SSH session every remote use goes through (discovery, agent deploy, spool fetch).

The contract: `open_session` connects with paramiko's RejectPolicy against the known_hosts file
govcloud manages (first contact only through `govcloud host trust`), authenticates with a key
(ssh-agent or a key file), optionally through a jump host's `direct-tcpip` channel, with
timeouts on connect, banner, auth and each command. Commands are argv lists, quoted here with
`shlex.join`: no shell string is ever built from untrusted values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

# Asked for a key file's passphrase (the file's path in, the passphrase or None out).
Passphrase = Callable[[str], str | None]


@dataclass(frozen=True)
class SshTarget:
    name: str  # the declared host name (for messages and known_hosts)
    address: str
    port: int = 22
    user: str = "root"
    key_file: str | None = None  # None: ssh-agent, then ~/.ssh default keys
    jump: SshTarget | None = None


@dataclass(frozen=True)
class Timeouts:
    connect_s: float = 10.0
    banner_s: float = 10.0
    auth_s: float = 15.0
    command_s: float = 30.0


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    exit_status: int | None  # None: timed out
    stdout: bytes
    stderr: bytes


class SshSession(Protocol):
    target: SshTarget

    def run(self, argv: Sequence[str], timeout_s: float | None = None) -> CommandResult: ...

    def put(self, local: Path, remote: str, mode: int = 0o600) -> None: ...

    def get(self, remote: str, local: Path) -> None: ...

    def listdir(self, remote: str) -> list[str]: ...

    def forward(self, remote_host: str, remote_port: int) -> object:
        """A socket-like channel to REMOTE_HOST:REMOTE_PORT as seen from the target
        (`direct-tcpip`), e.g. to scrape an agent listening on the target's loopback."""
        ...

    def close(self) -> None: ...
