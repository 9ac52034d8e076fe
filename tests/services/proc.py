"""Small helpers shared by the service fixtures: ports, binaries, daemons, logs."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def is_root() -> bool:
    return os.geteuid() == 0


def find_binary(name: str, extra_dirs: Sequence[str] = ()) -> Path | None:
    """``name`` on PATH, in ``extra_dirs`` or in the usual sbin/bin directories."""
    path = os.pathsep.join([os.environ.get("PATH", ""), *extra_dirs, SBIN_PATH])
    found = shutil.which(name, path=path)
    return Path(found) if found else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(count: int, low: int = 20000, high: int = 32000) -> int:
    """First port of ``count`` consecutive free ports (below the ephemeral range)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(low, high - count)
        if all(_port_free(base + i) for i in range(count)):
            return base
    raise RuntimeError(f"no block of {count} free TCP ports in {low}-{high}")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"    (cannot read {path}: {exc})"
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def wait_until(
    what: str,
    ready: Callable[[], bool],
    timeout: float,
    proc: subprocess.Popen[Any] | None = None,
    log: Path | None = None,
) -> None:
    """Poll ``ready`` until it is true; raise RuntimeError on timeout or if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return
        if proc is not None and proc.poll() is not None:
            detail = f"\n{tail(log)}" if log else ""
            raise RuntimeError(f"{what}: process exited with {proc.returncode}{detail}")
        if time.monotonic() > deadline:
            detail = f"\n{tail(log)}" if log else ""
            raise RuntimeError(f"{what}: not ready after {timeout:.0f}s{detail}")
        time.sleep(0.1)


def stop_process(
    proc: subprocess.Popen[Any], sig: int = signal.SIGTERM, timeout: float = 20
) -> None:
    """Stop ``proc`` (started with start_new_session=True) and its process group by PID."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    # leftovers of the group (children that outlived the leader)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@contextlib.contextmanager
def sigterm_runs_teardown() -> Iterator[None]:
    """While services run, turn SIGTERM into KeyboardInterrupt so pytest tears them down.

    Without it a CI timeout (SIGTERM) would leave the daemons running.
    """
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
