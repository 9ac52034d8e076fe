"""Helpers for the agent tests: required external tools and a real agent process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"listening on (https?)://(\S+)")


def require_tool(name: str) -> str:
    """Path of a tool; skip when missing, but fail if GOVCLOUD_REQUIRE_SERVICES=1."""
    path = shutil.which(name)
    if path:
        return path
    reason = f"{name} not installed (Debian package 'prometheus' provides promtool)"
    if os.environ.get("GOVCLOUD_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason}; GOVCLOUD_REQUIRE_SERVICES=1 makes this a failure")
    pytest.skip(reason)


class AgentProcess:
    def __init__(self, proc: subprocess.Popen[str], url: str) -> None:
        self.proc = proc
        self.url = url
        self.host_port = url.split("://", 1)[1]
        self.log = ""  # the agent's stderr after the listening line; filled in once it stopped


@contextmanager
def run_agent(*args: str, timeout_s: float = 10.0) -> Iterator[AgentProcess]:
    """Start ``python -m agent.main`` on 127.0.0.1 port 0 and yield its URL once listening."""
    argv = [sys.executable, "-m", "agent.main", "--web.listen-address", "127.0.0.1:0", *args]
    proc = subprocess.Popen(argv, cwd=REPO, stderr=subprocess.PIPE, text=True)
    agent = None
    try:
        agent = AgentProcess(proc, _wait_listening(proc, timeout_s))
        yield agent
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        if agent is not None:
            agent.log = proc.stderr.read()
        proc.stderr.close()


def _wait_listening(proc: subprocess.Popen[str], timeout_s: float) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        match = _LISTENING.search(line)
        if match:
            return f"{match.group(1)}://{match.group(2)}"
    raise AssertionError(f"agent did not start: rc={proc.poll()} stderr={''.join(seen)!r}")
