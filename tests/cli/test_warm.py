"""The warm reader (`govcloud warm start`): real processes over a real Unix socket. A read it
answers must be byte-for-byte what the same read prints in its own process (exit code, stdout,
stderr, a terminal's colours); what it must not answer runs in-process as before."""

from __future__ import annotations

import json
import os
import pty
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcloud.cli import argv, warm_client
from govcloud.core import roles
from tests.cli.conftest import EXAMPLE

GOVCLOUD = Path(sys.executable).with_name("govcloud")  # the installed entry point


def cli(
    *args: str, env: dict[str, str] | None = None, **kw: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GOVCLOUD), *args], capture_output=True, text=True, timeout=120,
        env=env if env is not None else dict(os.environ), **kw,
    )  # fmt: skip


def status() -> dict[str, Any]:
    result = cli("-o", "json", "warm", "status")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    found: dict[str, Any] = record[0] if isinstance(record, list) else record
    return found


def gone(pid: int, within_s: float = 10.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def reader(estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A warm reader for the ESTATE store's user folders; stopped (by its pid) afterwards."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.delenv(warm_client.ENV_SWITCH, raising=False)
    monkeypatch.setenv("PYTHONWARNINGS", "ignore")
    started = cli("warm", "start")
    assert started.returncode == 0, started.stderr
    pid = int(status()["pid"])
    yield pid
    cli("warm", "stop")
    if not gone(pid):
        os.kill(pid, signal.SIGTERM)
    assert gone(pid)


READS = [
    ("pool", "list"),
    ("vm", "list", "--tenant", "卫健委"),
    ("vm", "show", "his-db"),
    ("tenant", "show", "wjw"),
    ("quota", "show", "-o", "json"),
    ("quota", "check"),
    ("metrics", "show", "--tenant", "wjw"),
    ("--lang", "zh", "pool", "list"),
    ("--lang", "zh", "vm", "list", "--tenant", "nope"),  # unknown: error with closest matches
    ("vm", "list", "--sort", "nmae"),  # a typo: usage error
    ("pool", "list", "-o", "csv", "--bom"),
    ("role", "show"),
]


def test_a_warm_read_prints_what_an_in_process_read_prints(reader: int) -> None:
    before = int(status()["served"])
    for args in READS:
        warm = cli(*args)
        here = cli(*args, env={**os.environ, warm_client.ENV_SWITCH: "0"})
        assert (warm.returncode, warm.stdout, warm.stderr) == (
            here.returncode,
            here.stdout,
            here.stderr,
        ), args
    assert int(status()["served"]) - before == len(READS)
    assert cli("vm", "list", "--tenant", "nope").returncode != 0  # errors do fail


def run_on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    return proc.wait(timeout=60), out


def test_a_terminal_stays_a_terminal(reader: int) -> None:
    """The reader's child writes to the caller's own terminal: colours and line endings as in
    a process of its own."""
    for args in (["quota", "check"], ["pool", "list"]):
        warm = run_on_terminal([str(GOVCLOUD), *args], dict(os.environ))
        here = run_on_terminal([str(GOVCLOUD), *args], {**os.environ, warm_client.ENV_SWITCH: "0"})
        assert warm == here
        assert b"\x1b[" in warm[1]  # a terminal: the percentages are coloured


def test_a_write_is_never_handed_to_the_reader(reader: int) -> None:
    before = int(status()["served"])
    loaded = cli("inventory", "load", EXAMPLE)
    assert loaded.returncode == 0, loaded.stderr
    assert int(status()["served"]) == before
    # asked directly, the reader refuses a command outside its set
    path = warm_client.socket_path(os.environ)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock, warm_client.address(path) as at:
        sock.connect(at)
        body = {**warm_client.request(["quota", "apply", "plan.json"]), "op": "run"}
        warm_client.send_request(sock, body, warm_client.STREAMS)
        assert warm_client.read_reply(sock)[0] == b"R"
    assert int(status()["served"]) == before


def test_garbage_on_the_socket_does_not_stop_the_reader(reader: int) -> None:
    path = warm_client.socket_path(os.environ)
    open_fds = len(os.listdir(f"/proc/{reader}/fd"))
    for junk in (b"\xff\xff\xff\xff", b"\x00\x00\x00\x05nope!", b"\x00", b"\x00\x00\x00\x02[]"):
        for fds in ([], [0, 1, 2]):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                with warm_client.address(path) as at:
                    sock.connect(at)
                if fds:
                    socket.send_fds(sock, [junk], fds)
                else:
                    sock.sendall(junk)
                sock.shutdown(socket.SHUT_WR)
                assert sock.recv(16) == b""  # closed without an answer
    assert status()["pid"] == reader
    assert len(os.listdir(f"/proc/{reader}/fd")) == open_fds  # the descriptors sent were closed
    assert cli("pool", "list").returncode == 0


@pytest.mark.skipif(os.getuid() != 0, reason="changing one's groups needs root")
def test_a_caller_with_other_groups_runs_in_its_own_process(reader: int) -> None:
    """Roles are decided from the caller's groups: a caller whose groups differ from the
    reader's is refused by the reader, and its command runs in-process (same answer)."""
    before = int(status()["served"])
    other = sorted(set(os.getgroups()) ^ {4242})
    result = cli("pool", "list", preexec_fn=lambda: os.setgroups(other))
    assert result.returncode == 0, result.stderr
    assert "zw-prod" in result.stdout
    assert int(status()["served"]) == before


def test_start_twice_keeps_one_reader_and_stop_stops_it(reader: int) -> None:
    again = cli("warm", "start")
    assert again.returncode == 0
    assert f"pid {reader}" in again.stderr
    assert status()["pid"] == reader
    zh = cli("--lang", "zh", "warm", "stop")
    assert zh.returncode == 0
    assert "已停止" in zh.stderr
    assert gone(reader)
    assert status()["state"] == "not running"
    assert cli("pool", "list").returncode == 0  # reads run in-process again


def test_an_idle_reader_stops_by_itself(tmp_path: Path) -> None:
    path = tmp_path / "run" / "reader-test.sock"
    proc = subprocess.run(
        [sys.executable, "-m", "govcloud.cli.warm_server", "--socket", str(path), "--idle", "1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert not path.exists()
    assert not path.with_suffix(".pid").exists()
    assert (path.parent.stat().st_mode & 0o777) == 0o700


def test_the_stamp_follows_the_code(tmp_path: Path) -> None:
    package = tmp_path / "govcloud"
    (package / "cli" / "__pycache__").mkdir(parents=True)
    module = package / "cli" / "x.py"
    module.write_text("x = 1\n")
    first = warm_client.code_stamp(package)
    (package / "cli" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"")  # not code
    (package / "cli" / "notes.txt").write_text("")
    assert warm_client.code_stamp(package) == first
    os.utime(module, ns=(time.time_ns(), first + 10**9))
    assert warm_client.code_stamp(package) == first + 10**9


def test_an_edit_to_the_code_restarts_the_reader(reader: int) -> None:
    """After an upgrade or an edit the reader never runs the old code: the command runs
    in-process, and the reader starts afresh (same pid, new code) for the next one."""
    module = Path(warm_client.__file__).resolve().parents[1] / "core" / "__init__.py"
    stat = module.stat()
    assert cli("pool", "list").returncode == 0
    assert int(status()["served"]) == 1
    os.utime(module, ns=(stat.st_atime_ns, warm_client.code_stamp() + 10**9))
    try:
        result = cli("pool", "list")
        assert result.returncode == 0, result.stderr
        assert "zw-prod" in result.stdout
        deadline = time.monotonic() + 60
        while status()["state"] != "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status()["pid"] == reader
        assert int(status()["served"]) == 0  # a fresh start
        assert cli("pool", "list").returncode == 0
        assert int(status()["served"]) == 1
    finally:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_no_reader_means_no_attempt_and_no_heavy_import(tmp_path: Path) -> None:
    probe = (
        "import sys; from govcloud.cli.warm_client import try_warm\n"
        "print(try_warm(['pool', 'list']), 'typer' in sys.modules, 'sqlalchemy' in sys.modules)"
    )
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path)}
    env.pop("XDG_RUNTIME_DIR", None)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["None", "False", "False"], out.stderr


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["pool", "list"], "pool list"),
        (["-o", "json", "--db", "x.db", "quota", "show"], "quota show"),
        (["vm", "--lang", "zh", "list"], "vm list"),
        (["rightsize", "--tenant", "wjw"], "rightsize"),
        (["--db", "pool", "list"], "list"),  # --db takes "pool" as its value
        (["--", "pool", "list"], ""),
        ([], ""),
    ],
)
def test_command_path(args: list[str], path: str) -> None:
    assert warm_client.command_path(args) == path


def test_the_reader_answers_exactly_the_read_commands() -> None:
    reads = {c for c, r in roles.COMMAND_ROLES.items() if r == frozenset({"operator", "auditor"})}
    assert reads | {"log show", "log verify", "role show"} == warm_client.WARM_COMMANDS
    assert (warm_client.WITH_VALUE, warm_client.FLAGS) == (argv.WITH_VALUE, argv.FLAGS)


def test_stop_also_stops_a_reader_an_earlier_install_left(reader: int) -> None:
    here = warm_client.socket_path(os.environ)
    old = here.with_name("reader-0123456789abcdef.sock")
    proc = subprocess.Popen(
        [sys.executable, "-m", "govcloud.cli.warm_server", "--socket", str(old), "--idle", "600"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not old.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert old.exists()
        stale = here.with_name("reader-fedcba9876543210.pid")
        stale.write_text("1\n")  # a file no reader holds: pid 1 must never be signalled
        stopped = cli("warm", "stop")
        assert stopped.returncode == 0, stopped.stderr
        assert f"pid {proc.pid}" in stopped.stderr
        assert proc.wait(timeout=30) == 0
        assert gone(reader)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()


def test_a_socket_in_a_folder_others_may_enter_is_not_used(reader: int) -> None:
    """The request carries the environment: it goes only to a socket in a 0700 folder."""
    folder = warm_client.socket_path(os.environ).parent
    before = int(status()["served"])
    folder.chmod(0o755)
    try:
        result = cli("pool", "list")
        assert result.returncode == 0, result.stderr
        assert "zw-prod" in result.stdout
    finally:
        folder.chmod(0o700)
    assert int(status()["served"]) == before
    assert cli("pool", "list").returncode == 0
    assert int(status()["served"]) == before + 1


def test_shell_completion_is_answered_by_the_reader(reader: int) -> None:
    """Completion reads the store's names: the reader answers it, with the same candidates."""
    env = {
        **os.environ,
        "_GOVCLOUD_COMPLETE": "complete_bash",
        "COMP_WORDS": "govcloud vm show his-",
        "COMP_CWORD": "3",
    }
    before = int(status()["served"])
    warm = cli(env=env)
    here = cli(env={**env, warm_client.ENV_SWITCH: "0"})
    assert (warm.returncode, warm.stdout) == (here.returncode, here.stdout)
    assert "his-db" in warm.stdout.split()
    assert int(status()["served"]) == before + 1


@pytest.mark.parametrize("idle", ["0", "-1", "1441", "99999999999999999999999"])
def test_an_idle_time_out_of_range_starts_nothing(
    estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, idle: str
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    result = cli("warm", "start", "--idle", idle)
    assert result.returncode == 2, result.stderr
    assert "--idle must be 1 to 1440 minutes" in result.stderr or "Invalid value" in result.stderr
    assert not warm_client.socket_path(os.environ).parent.exists()
