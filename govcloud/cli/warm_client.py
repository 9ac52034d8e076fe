"""The client side of the warm reader (`govcloud warm start`): hand a read command to it.

A fresh Python process pays ~0.35 s here before govcloud's first line runs: SQLAlchemy, Typer
and the pydantic adapters Typer builds for every option (docs/benchmarks.md, "Read commands").
The warm reader pays that once: it imports them and then forks a child per command, which runs
the ordinary CLI (`govcloud.cli.main.main`) with this process's arguments, environment, working
folder, umask and standard streams (passed as file descriptors, so a terminal stays a terminal).
The child writes straight to them; this process only waits for the exit code.

This module is the whole cost of a warm read on this side, so it imports nothing beyond the
standard library's socket layer. Anything unusual (no reader for this install, a refused or
broken connection, a write command) returns None and the caller runs the
command in-process, as without a warm reader: the reader can make a read faster, never
different or fail it.
"""

from __future__ import annotations

import contextlib
import os
import struct
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

ENV_SWITCH = "GOVCLOUD_WARM"  # "0": never use a warm reader
COMPLETE_VAR = "_GOVCLOUD_COMPLETE"
# the commands a warm reader answers: the estate's read views (roles: operator or auditor),
# the audit trail's reads and `role show`; tests/cli/test_warm.py ties this to core/roles.py
WARM_COMMANDS = frozenset({
    "inventory validate", "pool list", "pool show", "tenant list", "tenant show", "vm list",
    "vm show", "volume list", "volume show", "fip list", "host list", "host show", "quota show",
    "quota check", "metrics show", "audit show", "audit diff", "audit list", "rightsize",
    "playbook validate", "playbook list", "playbook schema", "log show", "log verify",
    "role show",
})  # fmt: skip
# global options before the command word (cli/argv.py names the same; a test keeps them equal)
WITH_VALUE = ("--db", "--config", "-o", "--output", "--lang", "--output-file")
FLAGS = ("-v", "-vv", "-vvv", "--verbose", "--bom", "--force")
HEADER = struct.Struct("!I")  # length of the JSON request that follows
REPLY = struct.Struct("!ci")  # kind (b"P" the child's pid, b"X" its exit code, b"R" refused), value
STREAMS = (0, 1, 2)


def command_path(argv: list[str]) -> str:
    """The command ARGV names, e.g. "quota show" ("" when it names none): global options may
    stand before, between or after its words (as cli/argv.py hoists them)."""
    words: list[str] = []
    i = 0
    while i < len(argv) and len(words) < 2:
        arg = argv[i]
        if arg == "--":
            break
        if arg in WITH_VALUE:
            i += 2
            continue
        if not arg.startswith("-"):
            words.append(arg)
        i += 1
    if words and words[0] in WARM_COMMANDS:  # a one-word command (rightsize)
        return words[0]
    return " ".join(words)


def answers(argv: list[str], env: dict[str, str] | os._Environ[str]) -> bool:
    """A warm reader runs ARGV: a read command, or the shell asking for completions (which
    reads the store's names and prints them)."""
    return COMPLETE_VAR in env or command_path(argv) in WARM_COMMANDS


def runtime_dir(env: dict[str, str] | os._Environ[str]) -> Path:
    """Where this user's warm readers keep their sockets: $XDG_RUNTIME_DIR (per login, 0700)
    when set, else govcloud's state folder."""
    run = env.get("XDG_RUNTIME_DIR")
    if run and _own_folder(run):
        return Path(run) / "govcloud"
    base = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "govcloud" / "warm"


def _own_folder(path: str | Path) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return st.st_uid == os.getuid() and (st.st_mode & 0o170000) == 0o040000


def trusted(path: Path) -> bool:
    """PATH is a socket of this user in a folder only this user can enter: the request carries
    the environment (tokens, passwords), so it goes to nobody else's listener."""
    try:
        folder, sock = os.lstat(path.parent), os.lstat(path)
    except OSError:
        return False
    uid = os.getuid()
    return (
        folder.st_uid == uid
        and (folder.st_mode & 0o077) == 0
        and sock.st_uid == uid
        and (sock.st_mode & 0o170000) == 0o140000
    )


def package_root() -> Path:
    return Path(__file__).resolve().parents[1]


def install_key() -> str:
    """One reader per user and install: the interpreter and the package's folder name it."""
    import hashlib

    text = f"{sys.executable}\0{package_root()}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def code_stamp(root: Path | None = None) -> int:
    """The newest modification time of the package's modules. The reader compares it before
    each command: after an upgrade or an edit it starts afresh instead of running old code."""
    newest = 0
    stack = [str(root or package_root())]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append(entry.path)
                elif entry.name.endswith(".py"):
                    newest = max(newest, entry.stat().st_mtime_ns)
    return newest


def socket_path(env: dict[str, str] | os._Environ[str], key: str | None = None) -> Path:
    return runtime_dir(env) / f"reader-{key or install_key()}.sock"


@contextlib.contextmanager
def address(path: Path) -> Iterator[str]:
    """PATH as a socket address: a Unix socket's path is limited to 107 bytes, which a deep
    home folder exceeds; such a path is reached through its folder's descriptor instead."""
    if len(os.fsencode(path)) < 100:
        yield str(path)
        return
    fd = os.open(path.parent, os.O_PATH | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


def try_warm(argv: list[str]) -> int | None:
    """The exit code of ARGV run by this install's warm reader, or None: run it here."""
    env = os.environ
    if env.get(ENV_SWITCH) == "0" or not answers(argv, env):
        return None
    path = socket_path(env)
    if not trusted(path):
        return None
    import socket

    try:
        for fd in STREAMS:
            os.fstat(fd)  # a closed standard stream cannot be handed on
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except OSError:
        return None
    with sock:
        try:
            with address(path) as where:
                sock.connect(where)
            send_request(sock, request(argv), STREAMS)
            kind, pid = read_reply(sock)
        except OSError:
            return None
        if kind != b"P":  # refused (other groups, a write, code changed since): run it here
            return None
        code = wait_exit(sock, pid)
    if code is None:  # the child died without a word (killed): say so, as a shell would
        say_abnormal_end(argv)
        return 1
    return code


def request(argv: list[str]) -> dict[str, object]:
    umask = os.umask(0o077)
    os.umask(umask)
    return {
        "op": "run",
        "argv0": sys.argv[0],
        "argv": argv,
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "umask": umask,
        "streams": [_stream(sys.stdin), _stream(sys.stdout), _stream(sys.stderr)],
    }


def _stream(stream: object) -> dict[str, str] | None:
    encoding = getattr(stream, "encoding", None)
    errors = getattr(stream, "errors", None)
    return {"encoding": encoding, "errors": errors} if encoding and errors else None


def send_request(sock: socket.socket, body: dict[str, object], fds: tuple[int, ...]) -> None:
    import json
    import socket

    data = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogateescape")
    if fds:
        socket.send_fds(sock, [HEADER.pack(len(data))], list(fds))
        sock.sendall(data)
    else:
        sock.sendall(HEADER.pack(len(data)) + data)


def recv_exact(sock: socket.socket, size: int) -> bytes:
    """SIZE bytes from SOCK; ConnectionError when the other side closes before them."""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the connection closed mid-message")
        data += chunk
    return data


def read_reply(sock: socket.socket) -> tuple[bytes, int]:
    kind, value = REPLY.unpack(recv_exact(sock, REPLY.size))
    return kind, value


def wait_exit(sock: socket.socket, pid: int) -> int | None:
    """The child's exit code (None: it ended without one); Ctrl-C here is passed on to it
    (it stops as the CLI does)."""
    import signal

    while True:
        try:
            kind, value = read_reply(sock)
        except KeyboardInterrupt:
            try:
                os.kill(pid, signal.SIGINT)
            except OSError:
                return 130
            continue
        except OSError:
            return None
        if kind == b"X":
            return value


def say_abnormal_end(argv: list[str]) -> None:
    from govcloud.cli.state import CliState

    st = CliState()
    for i, arg in enumerate(argv[:-1]):
        if arg == "--lang":
            st.lang = argv[i + 1]
    print(f"error: {st.tr('the command ended abnormally in the warm reader')}", file=sys.stderr)
