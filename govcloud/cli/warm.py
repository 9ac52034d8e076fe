"""`govcloud warm start|stop|status`: a warm reader for this user and install, so read commands
answer without paying for Python's imports each time (warm_client.py explains how)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from govcloud.cli import warm_client
from govcloud.cli.render import Column
from govcloud.cli.state import state
from govcloud.core.errors import GovcloudError, UsageError

app = typer.Typer(
    no_args_is_help=True,
    help="A warm reader: read commands (list, show, check) answer in a fraction of the time.",
)

STATUS = (
    Column("state", "状态", "State", kind="sentence"),
    Column("pid", "进程号", "PID", kind="id"),
    Column("socket", "套接字", "Socket"),
    Column("started", "启动时间", "Started"),
    Column("served", "已应答命令", "Commands served", kind="int"),
    Column("idle_minutes", "空闲停止（分钟）", "Stops after idle (min)", kind="int"),
)
# the reader answers once it has imported everything: 2-3 s here, longer from source or from a
# cold disk
START_WAIT_S = 60.0
MAX_IDLE_MIN = 24 * 60


def ask(path: Path, op: str) -> dict[str, Any] | None:
    """The reader's answer to OP ("status", "stop"), or None when none answers at PATH."""
    if not warm_client.trusted(path):
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5.0)
            with warm_client.address(path) as where:
                sock.connect(where)
            warm_client.send_request(sock, {"op": op}, ())
            kind, size = warm_client.read_reply(sock)
            if kind != b"S":
                return None
            data = warm_client.recv_exact(sock, size)
    except OSError:
        return None
    answer = json.loads(data) if data else {}
    return answer if isinstance(answer, dict) else None


def _record(info: dict[str, Any] | None, path: Path) -> dict[str, Any]:
    from datetime import UTC, datetime

    if info is None:
        return {"state": "not running", "pid": None, "socket": str(path), "started": None,
                "served": None, "idle_minutes": None}  # fmt: skip
    return {
        "state": "running",
        "pid": info["pid"],
        "socket": info["socket"],
        "started": datetime.fromtimestamp(info["started"], UTC),
        "served": info["served"],
        "idle_minutes": round(float(info["idle_s"]) / 60),
    }


@app.command("start")
def start(
    ctx: typer.Context,
    idle: Annotated[
        int,
        typer.Option("--idle", metavar="MINUTES", help="Stop after MINUTES without a command."),
    ] = 30,
) -> None:
    """Start this user's warm reader (one per install); it stops by itself when idle."""
    st = state(ctx)
    if not 1 <= idle <= MAX_IDLE_MIN:
        most = MAX_IDLE_MIN
        raise UsageError(f"--idle must be 1 to {most} minutes, not {idle}")
    var = warm_client.ENV_SWITCH
    if os.environ.get(var) == "0":
        raise UsageError(
            f"{var}=0 is set: read commands would not use a warm reader",
            hint=f"unset {var} first",
        )
    path = warm_client.socket_path(os.environ)
    info = ask(path, "status")
    if info is not None:
        pid = info["pid"]
        st.note(f"a warm reader runs already (pid {pid})")
        return
    pid = launch(path, idle * 60)["pid"]
    st.note(f"warm reader started (pid {pid}); it stops after {idle} min without a command")


def launch(path: Path, idle_s: int) -> dict[str, Any]:
    """Start the reader in a session of its own, detached from this process, and wait until it
    answers."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    log = path.with_suffix(".log")
    command = [sys.executable, "-m", "govcloud.cli.warm_server", "--socket", str(path),
               "--idle", str(idle_s), "--detach"]  # fmt: skip
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        # the reader detaches (forks and leaves this child): the child is waited for here, the
        # reader belongs to no caller's process tree
        subprocess.run(
            command, stdin=subprocess.DEVNULL, stdout=fd, stderr=fd, start_new_session=True,
            env={**os.environ, warm_client.ENV_SWITCH: "0"}, timeout=START_WAIT_S, check=False,
        )  # fmt: skip
    finally:
        os.close(fd)
    s = f"{START_WAIT_S:.0f}"
    deadline = time.monotonic() + START_WAIT_S
    while time.monotonic() < deadline:
        info = ask(path, "status")
        if info is not None:
            return info
        if log.stat().st_size:  # the reader wrote an error instead of starting
            break
        time.sleep(0.05)
    raise GovcloudError(
        f"the warm reader did not start within {s} s",
        hint=f"its log is {log}",
    )


@app.command("stop")
def stop(ctx: typer.Context) -> None:
    """Stop this user's warm readers (this install's, and any an earlier install left running);
    read commands run in their own process again."""
    st = state(ctx)
    path = warm_client.socket_path(os.environ)
    info = ask(path, "status")
    if info is not None:
        ask(path, "stop")
        deadline = time.monotonic() + START_WAIT_S
        while path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        pid, served = info["pid"], info["served"]
        st.note(f"warm reader stopped (pid {pid}, {served} commands served)")
    others = stop_others(path)
    for pid in others:
        st.note(f"stopped the warm reader of an earlier install (pid {pid})")
    if info is None and not others:
        st.note("no warm reader runs for this install")


def stop_others(path: Path) -> list[int]:
    """Stop the readers whose pid file beside PATH is still locked (they run: a stale file is
    unlocked, so a recycled pid is never signalled)."""
    import fcntl
    import signal

    stopped = []
    for pid_file in sorted(path.parent.glob("reader-*.pid")):
        if pid_file == path.with_suffix(".pid"):
            continue
        try:
            with open(pid_file) as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:  # its reader holds the lock: it runs
                    pid = int(f.read().strip() or 0)
                    if pid > 0:
                        os.kill(pid, signal.SIGTERM)
                        stopped.append(pid)
        except (OSError, ValueError):
            continue
    return stopped


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Whether this user's warm reader runs, since when and how many commands it answered."""
    from govcloud.cli.render import render_one

    st = state(ctx)
    path = warm_client.socket_path(os.environ)
    render_one(_record(ask(path, "status"), path), STATUS, st.render_options())
