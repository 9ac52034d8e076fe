"""A cloud that loses a service or reports odd capacity: sync says what it skipped, keeps what
the store holds of it, and never turns "unknown" into a number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from govcloud.sandbox import Faults, Sandbox
from govcloud.services.inventory import read_inventory
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(read_inventory(Path(EXAMPLE)), size=300, seed=11) as sb:
        yield sb


@pytest.fixture
def clouds_yaml(sandbox: Sandbox, tmp_path: Path) -> Iterator[Path]:
    yield sandbox.write_clouds_yaml(tmp_path / "clouds.yaml")
    sandbox.set_faults(Faults())


def _counts() -> tuple[int, int]:
    fips = govcloud("-o", "json", "fip", "list").json()
    vms = govcloud("-o", "json", "vm", "list").json()
    return len(fips), len(vms)


def test_neutron_gone_keeps_the_stored_network_and_says_so(
    loaded: Path, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    first = govcloud("sync", "--full", "--clouds-yaml", str(clouds_yaml))
    assert first.exit_code == 0, first.stderr
    fips, vms = _counts()
    assert fips > 0
    sandbox.set_faults(Faults(no_network=True))
    second = govcloud("sync", "--full", "--clouds-yaml", str(clouds_yaml))
    assert second.exit_code == 0, second.stdout + second.stderr
    assert "network" in (second.stdout + second.stderr).lower()  # the skip is said, not silent
    assert _counts() == (fips, vms)  # nothing of the skipped kinds removed, the rest synced


def test_unknown_backend_capacity_is_unknown_not_a_smaller_total(
    loaded: Path, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    assert govcloud("sync", "--full", "--clouds-yaml", str(clouds_yaml)).exit_code == 0
    before = govcloud("-o", "json", "pool", "show", "zw-prod").json()
    assert before["volume_gib_usable"] > 0
    names = next(
        b["backends"] for b in before["volume_types"] if b["volume_type"] == "ssd" and b["backends"]
    )
    sandbox.set_faults(Faults(unknown_capacity=names[0]))
    assert govcloud("sync", "--full", "--clouds-yaml", str(clouds_yaml)).exit_code == 0
    after = govcloud("-o", "json", "pool", "show", "zw-prod").json()
    assert after["volume_gib_usable"] is None
    assert "unknown" in after["storage_note"]
    check = govcloud("-o", "json", "quota", "check", "--pool", "zw-prod").json()
    storage = next(r for r in check if r["resource"] == "gigabytes")
    assert (storage["capacity"], storage["severity"]) == (None, "info")
