"""`kill -9` of a real `govcloud sync` process at random moments of its listing and writing.

The sandbox answers slowly and in small pages, so a sync spends seconds between its first and
last page; a seeded random delay picks where the SIGKILL lands. After every kill the store
passes SQLite's integrity and foreign-key checks, the audit chain links, and the next sync
(plain `govcloud sync`, as an operator would rerun it) leaves exactly what a clean sync of the
same estate leaves.
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcloud.sandbox import Faults, Sandbox
from govcloud.services.inventory import read_inventory
from tests.reliability.sync_support import (
    Cli,
    chain_breaks,
    contents,
    differences,
    integrity,
    small_inventory,
)

KILLS = 20
SEED = 20260901
SLOW = Faults(latency_ms=15, max_limit=25)  # about 40 pages a region, a few seconds a sync


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Path]]:
    source = small_inventory(tmp_path_factory.mktemp("inv"), departments=12)
    with Sandbox.start(read_inventory(source), size=800, seed=4) as sb:
        yield sb, source


@pytest.fixture(scope="module")
def clean(estate: tuple[Sandbox, Path], tmp_path_factory: pytest.TempPathFactory) -> Any:
    sandbox, source = estate
    home = tmp_path_factory.mktemp("clean")
    cli = Cli(home, sandbox.write_clouds_yaml(home / "clouds.yaml"))
    cli.ok("inventory", "load", str(source))
    sandbox.set_faults(Faults())
    cli.ok("sync", "--full")
    synced = contents(cli.url)
    assert all(synced.get(kind) for kind in ("server", "volume", "port", "os_project"))
    return synced


def test_kill_9_at_random_pages_then_a_rerun_converges(
    estate: tuple[Sandbox, Path], clean: Any, tmp_path: Path
) -> None:
    sandbox, source = estate
    cli = Cli(tmp_path, sandbox.write_clouds_yaml(tmp_path / "clouds.yaml"))
    cli.ok("inventory", "load", str(source))
    rng = random.Random(SEED)
    # how many API requests (pages, quota sets...) a full and an incremental sync send: the
    # kills land after a random one of them, or a moment later (while the store is written)
    requests = {}
    for args in (("sync", "--full"), ("sync",)):
        sandbox.set_faults(SLOW)
        cli.ok(*args)
        requests[args] = sandbox.api_requests
    killed_running = 0
    for i in range(KILLS):
        # every third round the store holds a finished sync: the kill hits an incremental one
        args = ("sync",) if i % 3 == 2 else ("sync", "--full")
        sandbox.set_faults(SLOW)
        page = rng.randint(1, requests[args])
        proc = cli.popen(*args)
        while sandbox.api_requests < page and proc.poll() is None:
            time.sleep(0.005)
        time.sleep(rng.choice((0.0, 0.0, rng.uniform(0, 0.5))))
        if proc.poll() is None:
            killed_running += 1
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        assert integrity(cli.url) == [], f"kill {i}"
        assert chain_breaks(cli.url) == [], f"kill {i}"
        sandbox.set_faults(Faults())
        rerun = cli.run("sync")
        assert rerun.returncode == 0, f"kill {i}: {rerun.stderr}"
        assert "locked" not in rerun.stderr
        assert integrity(cli.url) == [], f"kill {i}"
        assert differences(contents(cli.url), clean) == [], f"kill {i}"
    assert killed_running >= KILLS - 2  # the kills landed mid-sync, not after it had finished
    cli.ok("log", "verify")
