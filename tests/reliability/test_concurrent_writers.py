"""An audit run and an operator command writing the same SQLite store (WAL) at once.

Real processes started with seeded random offsets, so each round interleaves their
transactions differently: `govcloud audit run` against `govcloud sync` and against
`govcloud inventory load`. Both succeed every time (SQLite's busy timeout makes one wait for
the other), no "database is locked" reaches the user, the store passes its integrity check
and the audit trail verifies with every record of every round in it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from govcloud.sandbox import Faults, Sandbox
from govcloud.services.inventory import read_inventory
from tests.reliability.sync_support import Cli, chain_breaks, integrity, small_inventory

ROUNDS = 12
SEED = 7_2026


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Path]]:
    source = small_inventory(tmp_path_factory.mktemp("inv"), departments=12)
    with Sandbox.start(read_inventory(source), size=800, seed=6) as sb:
        yield sb, source


def test_audit_run_and_an_operator_command_write_at_once(
    estate: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    sandbox, source = estate
    sandbox.set_faults(Faults())
    cli = Cli(tmp_path, sandbox.write_clouds_yaml(tmp_path / "clouds.yaml"))
    cli.ok("inventory", "load", str(source))
    cli.ok("sync")
    rng = random.Random(SEED)
    for i in range(ROUNDS):
        operator = ("sync", "--full") if i % 2 == 0 else ("inventory", "load", str(source))
        if i % 4 == 1:
            sandbox.touch_servers(0.05)  # a sync with changes to write
        first, second = (
            (("audit", "run"), operator) if rng.random() < 0.5 else (operator, ("audit", "run"))
        )
        a = cli.popen(*first)
        time.sleep(rng.uniform(0.0, 1.5))
        b = cli.popen(*second)
        for proc, args in ((a, first), (b, second)):
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, f"round {i}: govcloud {' '.join(args)}: {out}{err}"
            assert "locked" not in (out + err).lower(), f"round {i}: {err}"
        assert integrity(cli.url) == [], f"round {i}"
        assert chain_breaks(cli.url) == [], f"round {i}"
    cli.ok("log", "verify")
