"""What a read command imports (issue 11 §1): a read answers from the store through SQLAlchemy
Core and nothing heavier. How fast that is lives in benchmarks/cli_read_paths.py; this guards
the design that makes it fast, deterministically: no ORM, no numpy, no YAML without a config
file, no rich, no OpenStack SDK, no spreadsheet library, and only the module of the command that
runs (a read must not import and build the other sub-commands)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.runner import govcloud

# Each of these costs 15-200 ms to import on the 2-core machine (python -X importtime).
HEAVY = (
    "numpy",
    "yaml",
    "rich",
    "openpyxl",
    "openstack",
    "keystoneauth1",
    "paramiko",
    "psutil",
    "prometheus_client",
    "alembic",
    "sqlalchemy.orm",
    "govcloud.core.simulated_utilization",
    "govcloud.core.declared",  # the inventory's pydantic models
    "govcloud.core.quota_plan",
    "govcloud.core.checks",
    "govcloud.cli.migrate",
    "govcloud.cli.host",
    "govcloud.cli.agent",
)

READS = [
    ("pool", "list"),
    ("pool", "show", "zw-prod"),
    ("tenant", "list"),
    ("tenant", "show", "wjw"),
    ("vm", "list"),
    ("vm", "list", "--tenant", "卫健委", "--sort", "-vcpus"),
    ("vm", "show", "his-db"),
    ("volume", "list"),
    ("fip", "list"),
    ("quota", "show"),
    ("quota", "check"),
    ("metrics", "show", "--tenant", "wjw"),
    ("audit", "list"),
    ("audit", "show"),
    ("--lang", "zh", "vm", "list"),
    ("pool", "list", "-o", "json"),
]

PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sys.modules) + '\\n'))\n"
    "from govcloud.cli.main import main\n"
    "main()\n"
)


def imported_by(*args: str) -> tuple[int, set[str]]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120
    )
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    return proc.returncode, set(line.split()[1:])


@pytest.fixture
def audited(estate: Path) -> Path:
    result = govcloud("audit", "run")
    assert result.exit_code in (0, 3), result.stderr
    return estate


@pytest.mark.parametrize("args", READS, ids=[" ".join(a) for a in READS])
def test_a_read_imports_nothing_heavy(audited: Path, args: tuple[str, ...]) -> None:
    code, modules = imported_by(*args)
    assert code == 0
    assert "sqlalchemy" in modules  # the probe really ran the command against the store
    heavy = sorted(m for m in modules if m in HEAVY)
    assert heavy == [], f"{' '.join(args)} imported {heavy}"


def test_the_probe_sees_heavy_imports(audited: Path) -> None:
    """The guard can fail: `audit run` does import the checks and numpy."""
    code, modules = imported_by("audit", "run")
    assert code in (0, 3)
    assert {"numpy", "govcloud.core.checks"} <= modules


def test_a_read_builds_only_its_own_sub_command(audited: Path) -> None:
    _, modules = imported_by("pool", "list")
    cli = {m for m in modules if m.startswith("govcloud.cli.") and m.count(".") == 2}
    others = {"govcloud.cli." + n for n in ("vm", "tenant", "quota", "audit", "report", "sync")}
    assert "govcloud.cli.pool" in cli
    assert not cli & others


def test_a_config_file_is_read_without_the_inventory_models(audited: Path) -> None:
    """A config file needs YAML, and nothing of the inventory's validation (it once pulled in
    the inventory's pydantic models: a tenth of a second on every command)."""
    result = govcloud("init")
    assert result.exit_code == 0, result.stderr
    code, modules = imported_by("pool", "list")
    assert code == 0
    assert "yaml" in modules  # the probe read the config file
    assert "govcloud.core.declared" not in modules
