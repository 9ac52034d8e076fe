"""The warm reader: one process per user and install that has imported what reads need, and
forks a child per read command (warm_client.py says why and how a command reaches it).

Trust: the socket lives in a 0700 folder of the user; a connection is served only when the
kernel says its peer runs as this process's user, group and supplementary groups (SO_PEERCRED,
/proc/PID/status), because roles (三权分立) are decided from exactly those. A child runs the
ordinary CLI: role checks, errors and the audit trail are the in-process ones. Only the read
commands of warm_client.WARM_COMMANDS (and shell completion) are run; anything else is refused
and the client runs it itself. The reader stops after --idle seconds without a request, on
SIGTERM or `warm stop`.

    python -m govcloud.cli.warm_server --socket PATH [--idle SECONDS]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib
import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any

from govcloud.cli.warm_client import (
    HEADER,
    REPLY,
    address,
    answers,
    code_stamp,
    recv_exact,
)

DEFAULT_IDLE_S = 1800
MAX_REQUEST = 1 << 20  # argv and environment; far above any real one
# imported once by the reader: the third-party bulk first, then every module of these packages
# (a read's lazy imports included), so a child imports next to nothing
PRELOAD = ("typer", "typer._adapters", "typer._click.decorators", "sqlalchemy",
           "sqlalchemy.dialects.sqlite", "sqlite3", "yaml", "numpy", "govcloud.api")  # fmt: skip
PRELOAD_PACKAGES = ("govcloud.core", "govcloud.adapters.store", "govcloud.services", "govcloud.cli")
# what no read needs and would only cost the reader memory: the cloud's SDK and the sandbox
NOT_PRELOADED = ("govcloud.services.demo", "govcloud.services.sync", "govcloud.cli.sandbox",
                 "govcloud.cli.demo", "govcloud.cli.sync", "govcloud.cli.warm_server")  # fmt: skip


def preload() -> None:
    import pkgutil

    for name in PRELOAD:
        importlib.import_module(name)
    for package in PRELOAD_PACKAGES:
        path = importlib.import_module(package).__path__
        for info in pkgutil.walk_packages(path, package + "."):
            if info.name.startswith(NOT_PRELOADED) or ".migrations" in info.name:
                continue
            with contextlib.suppress(ImportError):  # an optional extra that is not installed
                importlib.import_module(info.name)


class Reader:
    def __init__(self, path: Path, idle_s: float, lock_fd: int) -> None:
        self.path = path
        self.lock_fd = lock_fd  # a child closes it: the lock (one reader) is the parent's
        self.idle_s = idle_s
        self.started = time.time()
        self.served = 0
        self.stopping = False
        self.stamp = code_stamp()  # before the imports: an edit during them is seen
        self.restart = False

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "socket": str(self.path),
            "started": self.started,
            "served": self.served,
            "idle_s": self.idle_s,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govcloud-warm-reader")
    parser.add_argument("--socket", required=True)
    parser.add_argument("--idle", type=float, default=DEFAULT_IDLE_S)
    parser.add_argument("--detach", action="store_true", help="fork; the parent returns at once")
    raw = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(raw)
    if args.detach and os.fork() > 0:
        return 0
    path = Path(args.socket).absolute()
    os.umask(0o077)
    os.chdir("/")  # hold no folder of the caller's busy
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    pid_fd = os.open(path.with_suffix(".pid"), os.O_RDWR | os.O_CREAT, 0o600)
    lock = os.fdopen(pid_fd, "r+")  # held (and locked) for the reader's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return 0  # a reader for this install runs already
    lock.seek(0)
    lock.truncate()
    lock.write(f"{os.getpid()}\n")
    lock.flush()
    reader = Reader(path, args.idle, lock.fileno())
    preload()
    import gc

    gc.collect()
    gc.freeze()  # the preloaded objects: never walked by a child's collections (nor copied)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a socket left by a reader that was killed (the lock is ours now)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with address(path) as where:
        server.bind(where)
    os.chmod(path, 0o600)
    server.listen(16)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    signal.signal(signal.SIGTERM, lambda *_: setattr(reader, "stopping", True))
    server.settimeout(min(args.idle, 1.0))
    last = time.monotonic()
    try:
        while not reader.stopping and time.monotonic() - last < args.idle:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except InterruptedError:
                continue
            last = time.monotonic()
            with conn:
                conn.settimeout(5.0)  # a caller that connects and says nothing is let go
                handle(reader, server, conn)
    finally:
        server.close()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        with contextlib.suppress(FileNotFoundError):
            path.with_suffix(".pid").unlink()
    if reader.restart:  # the code changed: the same reader, started afresh on the new code
        lock.close()
        again = [a for a in raw if a != "--detach"]  # the same process: nothing to detach from
        os.execv(sys.executable, [sys.executable, "-m", "govcloud.cli.warm_server", *again])  # noqa: S606
    return 0


def handle(reader: Reader, server: socket.socket, conn: socket.socket) -> None:
    try:
        body, fds = receive(conn)
    except (OSError, ValueError):
        return
    try:
        if not same_caller(conn):
            conn.sendall(REPLY.pack(b"R", 1))
            return
        op = body.get("op")
        if op == "status":
            data = json.dumps(reader.status()).encode()
            conn.sendall(REPLY.pack(b"S", len(data)) + data)
        elif op == "stop":
            reader.stopping = True
            conn.sendall(REPLY.pack(b"S", 0))
        elif op == "run" and answers(list(body.get("argv", [])), dict(body.get("env", {}))):
            if code_stamp() != reader.stamp:  # upgraded or edited: the caller runs it itself
                reader.restart = reader.stopping = True
                conn.sendall(REPLY.pack(b"R", 4))
                return
            if len(fds) != 3:
                conn.sendall(REPLY.pack(b"R", 2))
                return
            reader.served += 1
            if os.fork() == 0:  # the child: never returns
                server.close()
                os.close(reader.lock_fd)
                conn.settimeout(None)
                child(conn, body, fds)
        else:
            conn.sendall(REPLY.pack(b"R", 3))
    except OSError:
        return
    finally:
        for fd in fds:
            os.close(fd)


def receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """The request and the descriptors sent with it; ValueError (descriptors closed) when it
    is not one."""
    head, fds, _flags, _addr = socket.recv_fds(conn, HEADER.size, 3)
    try:
        if len(head) != HEADER.size:
            raise ValueError("short request")
        (size,) = HEADER.unpack(head)
        if size > MAX_REQUEST:
            raise ValueError("request too large")
        data = recv_exact(conn, size)
        body = json.loads(data.decode("utf-8", "surrogateescape"))
        if not isinstance(body, dict):
            raise ValueError("request is not an object")
    except (OSError, ValueError):
        for fd in fds:
            os.close(fd)
        raise
    return body, fds


def same_caller(conn: socket.socket) -> bool:
    """The peer is this user with these groups, as the kernel tells it."""
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", creds)
    if (uid, gid) != (os.getuid(), os.getgid()):
        return False
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("Groups:"):
            return {int(g) for g in line.split()[1:]} == set(os.getgroups())
    return False


def child(conn: socket.socket, body: dict[str, Any], fds: list[int]) -> None:
    """Become the client's command: its streams, environment, folder and umask; run the CLI;
    report the exit code."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        conn.sendall(REPLY.pack(b"P", os.getpid()))
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        env = body["env"]
        os.environ.clear()
        os.environ.update(env)
        os.chdir(body["cwd"])
        os.umask(int(body["umask"]))
        import locale

        with contextlib.suppress(locale.Error):
            locale.setlocale(locale.LC_CTYPE, "")
        streams = body.get("streams") or [None, None, None]
        # the __std*__ originals too: shutil.get_terminal_size and friends ask them
        for name, fd, spec in (("stdin", 0, streams[0]), ("stdout", 1, streams[1])):
            stream = _text(fd, "r" if fd == 0 else "w", spec)
            setattr(sys, name, stream)
            setattr(sys, f"__{name}__", stream)
        sys.stderr = _text(2, "w", streams[2], line=True)
        setattr(sys, "__stderr__", sys.stderr)  # noqa: B010 - a Final name for type checkers
        sys.argv = [str(body.get("argv0") or "govcloud"), *body["argv"]]
        from govcloud.cli.main import main as cli_main

        try:
            cli_main(list(body["argv"]))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    except BaseException:
        import traceback

        with contextlib.suppress(Exception):
            traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(OSError):
            conn.sendall(REPLY.pack(b"X", code))
        os._exit(code)


def _text(fd: int, mode: str, spec: dict[str, str] | None, line: bool = False) -> Any:
    """A standard stream on FD with the client's encoding and error handler, buffered as
    Python buffers its own: by line on a terminal (stderr always), else by block."""
    import io

    encoding = spec["encoding"] if spec else "utf-8"
    errors = spec["errors"] if spec else "strict"
    if mode == "r":
        return open(fd, encoding=encoding, errors=errors, closefd=False)
    return io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(fd, "w", closefd=False)),
        encoding=encoding,
        errors=errors,
        line_buffering=line or os.isatty(fd),
        write_through=bool(os.environ.get("PYTHONUNBUFFERED")),
    )


if __name__ == "__main__":
    sys.exit(main())
