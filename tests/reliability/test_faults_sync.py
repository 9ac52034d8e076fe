"""Sync against a cloud that misbehaves mid-listing: 503s, calls that time out, tokens that
expire, connections reset half-way through an answer, a marker that never advances.

After each fault the store passes its integrity check, a failed pool says so in one line, and
a rerun without the fault leaves the store holding exactly what a clean sync of the same
estate holds: nothing duplicated, nothing lost. Every run leaves one `sync` record per region
in the audit trail, `failed` for a region that failed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcloud.sandbox import Faults, Sandbox
from govcloud.services.inventory import read_inventory
from tests.reliability.sync_support import (
    EXAMPLE,
    Cli,
    audit_events,
    chain_breaks,
    contents,
    differences,
    integrity,
)

SERVERS = 600
POOLS = ("dr-test", "hlw", "zw-prod")
PAGE = 50  # the sandbox's max_limit here: pages enough per region that faults land mid-listing

# fault -> its settings and the sandbox's counter of its injections (None: told by the error)
FAULTS: dict[str, tuple[Faults, str | None]] = {
    "503": (Faults(fail_rate=0.4, fail_seed=3), "fail"),
    "timeout": (Faults(hang_rate=0.08, hang_ms=1500, fail_seed=5), "hang"),
    "401": (Faults(expire_tokens_after=25), "expire"),
    "tcp-reset": (Faults(reset_rate=0.15, fail_seed=7), "reset"),
    "stuck-marker": (Faults(stuck_marker=True), None),
}
# a store that synced before meets each fault class too (its sync is incremental)
CASES = [(name, "full") for name in FAULTS] + [("503", "incremental"), ("tcp-reset", "incremental")]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(read_inventory(EXAMPLE), size=SERVERS, seed=21) as sb:
        yield sb


@pytest.fixture(scope="module")
def clean(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What a clean full sync of the sandbox leaves in a store."""
    home = tmp_path_factory.mktemp("clean")
    cli = Cli(home, sandbox.write_clouds_yaml(home / "clouds.yaml"))
    sandbox.set_faults(Faults(max_limit=PAGE))
    cli.ok("inventory", "load", str(EXAMPLE))
    cli.ok("sync", "--full")
    synced = contents(cli.url)
    assert all(synced.get(kind) for kind in ("server", "volume", "port", "os_project"))
    return synced


@pytest.fixture
def cli(sandbox: Sandbox, tmp_path: Path) -> Iterator[Cli]:
    c = Cli(tmp_path, sandbox.write_clouds_yaml(tmp_path / "clouds.yaml"))
    c.ok("inventory", "load", str(EXAMPLE))
    yield c
    sandbox.set_faults(Faults())


def _faulted(base: Faults) -> Faults:
    return Faults.from_dict({"max_limit": PAGE}, base)


@pytest.mark.parametrize(("name", "first"), CASES)
def test_a_fault_mid_sync_leaves_an_intact_store_and_a_rerun_converges(
    name: str, first: str, sandbox: Sandbox, cli: Cli, clean: dict[str, Any]
) -> None:
    if first == "incremental":  # the fault hits a store that already holds the estate
        sandbox.set_faults(Faults(max_limit=PAGE))
        cli.ok("sync", "--full")
    faults, counter = FAULTS[name]
    sandbox.set_faults(_faulted(faults))
    # --timeout bounds a call with its retries: short where the fault is a hang, else room
    # for the retries to work
    budget = "1" if name == "timeout" else "10"
    faulted = cli.run("-o", "json", "sync", "--timeout", budget)
    if counter is not None:
        assert sandbox.injected.get(counter, 0) > 0  # the fault did happen mid-sync
    rows = json.loads(faulted.stdout)
    failed = [r for r in rows if r["status"] != "ok"]
    assert faulted.returncode == (1 if failed else 0), faulted.stderr
    assert "Traceback" not in faulted.stderr
    for r in failed:  # one line per pool, naming the call
        assert "\n" not in r["error"], r
        assert "GET " in r["error"], r
    if name == "stuck-marker":
        assert failed
        assert all("does not advance" in r["error"] for r in failed)
    assert integrity(cli.url) == []
    records = audit_events(cli.url, "sync")
    outcomes = Counter(o for _, o, _ in records[-len({r["region"] for r in rows}) :])
    assert outcomes["failed"] == len({r["region"] for r in failed})

    sandbox.set_faults(Faults(max_limit=PAGE))
    rerun = cli.ok("-o", "json", "sync")
    assert {r["status"] for r in json.loads(rerun.stdout)} == {"ok"}
    assert integrity(cli.url) == []
    assert differences(contents(cli.url), clean) == []
    assert chain_breaks(cli.url) == []
    cli.ok("log", "verify")


def test_a_failed_pool_is_one_line_on_stderr(sandbox: Sandbox, cli: Cli) -> None:
    sandbox.set_faults(_faulted(Faults(fail_rate=1.0)))
    done = cli.run("sync", "--timeout", "1")
    assert done.returncode != 0
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert lines[0].startswith("error:"), done.stderr
    assert "Traceback" not in done.stderr
    assert lines[0].count("GET ") == 3  # every pool named once, with its failing call


def test_each_region_leaves_one_sync_record(tmp_path: Path) -> None:
    # a sandbox of its own: this test changes its estate, the module's must stay as it was
    with Sandbox.start(read_inventory(EXAMPLE), size=200, seed=3) as sandbox:
        cli = Cli(tmp_path, sandbox.write_clouds_yaml(tmp_path / "clouds.yaml"))
        cli.ok("inventory", "load", str(EXAMPLE))
        cli.ok("sync", "--full")
        _two_sync_records(sandbox, cli)


def _two_sync_records(sandbox: Sandbox, cli: Cli) -> None:
    records = audit_events(cli.url, "sync")
    assert len(records) == 2  # two regions
    assert sorted(",".join(obj for obj, _, _ in records).split(",")) == sorted(POOLS)
    after = {obj: (json.loads(a) if isinstance(a, str) else a) for obj, _, a in records}
    for obj, outcome, _ in records:
        assert outcome == "ok"
        assert after[obj]["mode"] == "full"
        servers = sum(c.get("servers", {}).get("added", 0) for c in after[obj]["changes"].values())
        assert servers > 0
    sandbox.touch_servers(0.05)
    cli.ok("sync")
    last = audit_events(cli.url, "sync")[-2:]
    assert {json.loads(a)["mode"] if isinstance(a, str) else a["mode"] for _, _, a in last} == {
        "incremental"
    }


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 8 MiB filesystem (tmpfs) for the store: root mounts it. Outside CI a non-root run
    skips; in CI (root) it must run, so there a failed mount fails the test."""
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the disk-full test needs root in CI (it mounts a small tmpfs)")
        pytest.skip("needs root to mount a small tmpfs")
    mountpoint = tmp_path / "small"
    mountpoint.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(mountpoint)], check=True
    )
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def _fill(disk: Path, leave_kib: int) -> Path:
    """A filler file taking all but LEAVE_KIB of DISK."""
    st = os.statvfs(disk)
    filler = disk / "filler"
    with filler.open("wb") as f:
        f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - leave_kib * 1024))
    return filler


@pytest.mark.parametrize("leave_kib", [300, 0])
def test_disk_full_fails_in_one_line_keeps_the_store_and_a_rerun_converges(
    leave_kib: int, sandbox: Sandbox, small_disk: Path, tmp_path: Path, clean: dict[str, Any]
) -> None:
    """300 KiB: the disk fills while the sync writes (SQLite's SQLITE_FULL); 0: it was full
    before the sync started (the store cannot even be opened for writing)."""
    cli = Cli(
        tmp_path, sandbox.write_clouds_yaml(tmp_path / "clouds.yaml"), str(small_disk / "g.db")
    )
    cli.ok("inventory", "load", str(EXAMPLE))
    declared = cli.ok("-o", "json", "pool", "list").stdout
    sandbox.set_faults(Faults(max_limit=PAGE))
    filler = _fill(small_disk, leave_kib)
    full = cli.run("sync")
    assert full.returncode != 0
    assert "Traceback" not in full.stderr
    lines = [ln for ln in full.stderr.splitlines() if ln.strip()]
    assert lines[0].startswith("error:"), full.stderr
    assert len(lines) <= 2, full.stderr  # the error and its hint
    assert f"no space left on {small_disk}" in lines[0]  # not "disk I/O error"
    if leave_kib:
        # what the store held before is intact and readable while the disk is still full
        assert integrity(cli.url) == []
        assert cli.ok("-o", "json", "pool", "list").stdout == declared
    filler.unlink()
    assert integrity(cli.url) == []
    assert cli.ok("-o", "json", "pool", "list").stdout == declared
    cli.ok("sync")
    assert integrity(cli.url) == []
    assert differences(contents(cli.url), clean) == []
    assert chain_breaks(cli.url) == []
    if leave_kib:  # the failed run is in the trail: its failure record fitted
        assert [o for _, o, _ in audit_events(cli.url, "sync")][:2] == ["failed", "failed"]


@pytest.fixture
def silent_keystone(tmp_path: Path) -> Iterator[Path]:
    """A clouds.yaml whose Keystone accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield _clouds_yaml(tmp_path, server.getsockname()[1])
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    server.close()


def _clouds_yaml(tmp_path: Path, port: int) -> Path:
    auth = {
        "auth_url": f"http://127.0.0.1:{port}/identity", "username": "admin", "password": "x",
        "project_name": "admin", "user_domain_name": "Default", "project_domain_name": "Default",
    }  # fmt: skip
    regions = ["zw-region", "hlw-region"]
    doc = {"clouds": {"zwy": {"auth_type": "password", "auth": auth, "regions": regions}}}
    path = tmp_path / "silent.yaml"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_keystone_that_never_answers_is_told_and_bounded_by_timeout(
    silent_keystone: Path, tmp_path: Path
) -> None:
    cli = Cli(tmp_path, silent_keystone)
    cli.ok("inventory", "load", str(EXAMPLE))
    t0 = time.monotonic()
    done = cli.run("-o", "json", "sync", "--timeout", "7")
    elapsed = time.monotonic() - t0
    assert done.returncode == 1
    # stderr (no terminal here) says what the sync waits for, once per region
    waiting = [ln for ln in done.stderr.splitlines() if "waiting for Keystone" in ln]
    assert len(waiting) == 2, done.stderr
    assert all("gives up after 7 s" in ln for ln in waiting)
    # --timeout bounds the wait for Keystone as a whole: 4 tries of 7 s each once took half a
    # minute, then version discovery's two URLs and the token request 2-3 x 7 s; the regions
    # wait in parallel, so the whole sync is one timeout plus start-up
    assert elapsed < 7 * 2, elapsed
    rows = json.loads(done.stdout)
    assert {r["status"] for r in rows} == {"failed"}
    assert all("no answer from Keystone" in r["error"] for r in rows), rows
    assert all("in 7 s" in r["error"] and "\n" not in r["error"] for r in rows)


def test_an_unreachable_keystone_is_one_clean_error_per_pool(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cli = Cli(tmp_path, _clouds_yaml(tmp_path, port))
    cli.ok("inventory", "load", str(EXAMPLE))
    for verbosity in ((), ("-v",)):
        done = cli.run(*verbosity, "-o", "json", "sync", "--timeout", "3")
        assert done.returncode == 1
        assert "Failed to discover" not in done.stderr
        assert "Traceback" not in done.stderr
        if not verbosity:
            assert done.stderr == ""  # -o json: stdout is the one document, stderr stays quiet
        rows = json.loads(done.stdout)
        assert len(rows) == 3
        assert all("connection refused" in r["error"] and "\n" not in r["error"] for r in rows)


@pytest.mark.parametrize("name", ["tcp-reset", "stuck-marker"])
def test_on_postgresql_a_fault_leaves_the_constraints_holding_and_a_rerun_converges(
    name: str, sandbox: Sandbox, postgres_url: str, tmp_path: Path, clean: dict[str, Any]
) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_url)
    with engine.begin() as conn:  # an empty schema: the store is made by `inventory load`
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    cli = Cli(tmp_path, sandbox.write_clouds_yaml(tmp_path / "clouds.yaml"), postgres_url)
    cli.ok("inventory", "load", str(EXAMPLE))
    faults, counter = FAULTS[name]
    sandbox.set_faults(_faulted(faults))
    done = cli.run("sync", "--timeout", "10")
    assert "Traceback" not in done.stderr
    if counter is not None:
        assert sandbox.injected.get(counter, 0) > 0
    assert integrity(cli.url) == []  # every foreign key re-checked, besides PostgreSQL's own
    sandbox.set_faults(Faults(max_limit=PAGE))
    cli.ok("sync")
    assert integrity(cli.url) == []
    assert differences(contents(cli.url), clean) == []
    assert chain_breaks(cli.url) == []
