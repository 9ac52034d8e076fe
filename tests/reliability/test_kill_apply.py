"""`kill -9` of `quota apply` between its steps, and a PUT whose answer never comes.

A real `govcloud sandbox serve` and real `govcloud quota apply` subprocesses. The sandbox's
`put_delay_ms` fault applies a quota PUT and then holds its answer, so the apply can be killed
(or time out) after the cloud changed. Afterwards the trail shows the intent without an outcome
(or with `unknown`), `quota reconcile` appends what the cloud really holds, and a second apply
sends only what is still missing.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.cli.test_quota import ESTATE

GOVCLOUD = Path(sys.executable).parent / "govcloud"
POLL_LIMIT_S = 60.0  # a bound on waiting for a step, not a timing assertion
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")


@dataclass
class Sandbox:
    base_url: str
    sdk: Any  # openstacksdk Connection as admin: the independent reader
    ids: dict[str, str]
    inventory: Path
    clouds_yaml: Path

    def faults(self, **settings: object) -> None:
        reset = {"put_delay_ms": 0, "fail_rate": 0.0}
        resp = requests.put(f"{self.base_url}/_sandbox/faults", json={**reset, **settings},
                            timeout=10)  # fmt: skip
        assert resp.status_code == 200, resp.text

    def cores(self, project: str) -> int:
        return int(self.sdk.compute.get_quota_set(self.ids[project]).cores)

    def set_cores(self, project: str, cores: int) -> None:
        resp = self.sdk.compute.put(
            f"/os-quota-sets/{self.ids[project]}", json={"quota_set": {"cores": cores}}
        )
        assert resp.status_code == 200, resp.text


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    from openstack import connection
    from openstack.config import loader

    base = tmp_path_factory.mktemp("kill-apply")
    (base / "inventory").mkdir()
    (base / "inventory" / "estate.yaml").write_text(ESTATE, encoding="utf-8")
    clouds_yaml = base / "clouds.yaml"
    args = [str(GOVCLOUD), "-o", "json", "sandbox", "serve", "--inventory",
            str(base / "inventory"), "--size", "12", "--clouds-yaml", str(clouds_yaml)]  # fmt: skip
    proc = subprocess.Popen(args, cwd=base, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        name = next(c for c in info["clouds"] if c.endswith("zwy"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = loader.OpenStackConfig(
                config_files=[str(clouds_yaml)], vendor_files=[], load_envvars=False
            )
            sdk = connection.Connection(config=config.get_one(cloud=name, region_name="r1"))
        ids = {p.name: p.id for p in sdk.identity.projects() if p.name in ("aaa-p1", "bbb-p1")}
        base_url = info["auth_url"].rsplit("/identity", 1)[0]
        yield Sandbox(base_url, sdk, ids, base / "inventory", clouds_yaml)
        sdk.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)


@dataclass
class Operator:
    env: dict[str, str]
    db: Path
    plan: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(GOVCLOUD), *args], env=self.env, capture_output=True,
                              text=True, timeout=120, check=False)  # fmt: skip

    def start_apply(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(GOVCLOUD), "quota", "apply", str(self.plan), "--yes", "--ticket", "CHG-K", *args],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    def trail(self) -> list[tuple[int, str, int | None]]:
        """(seq, outcome, ref) of the quota.apply records."""
        if not self.db.exists():
            return []
        con = sqlite3.connect(self.db, timeout=30)
        try:
            rows = con.execute(
                "SELECT seq, outcome, ref FROM audit_log WHERE event = 'quota.apply' ORDER BY seq"
            ).fetchall()
        except sqlite3.OperationalError:
            rows = []  # not migrated yet
        con.close()
        return [(int(s), str(o), r) for s, o, r in rows]


@pytest.fixture
def operator(sandbox: Sandbox, tmp_path: Path) -> Operator:
    """A store holding the estate, cores 100 in the cloud (approved 200), a plan for aaa-p1."""
    sandbox.faults()
    for project in sandbox.ids:
        sandbox.set_cores(project, 100)
    env = {**os.environ, "GOVCLOUD_DB": str(tmp_path / "govcloud.db"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state"),
           "OS_CLIENT_CONFIG_FILE": str(sandbox.clouds_yaml), "LANG": "en_US.UTF-8"}  # fmt: skip
    op = Operator(env, tmp_path / "govcloud.db", tmp_path / "plan.json")
    assert op.run("inventory", "load", str(sandbox.inventory)).returncode == 0
    planned = op.run("quota", "plan", "--tenant", "aaa", "-f", str(op.plan))
    assert planned.returncode == 0, planned.stderr
    return op


def wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + POLL_LIMIT_S
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_kill_after_the_intent_while_the_put_is_in_flight(
    sandbox: Sandbox, operator: Operator
) -> None:
    sandbox.faults(put_delay_ms=30_000)
    proc = operator.start_apply()
    wait_for("the intent record", lambda: [o for _, o, _ in operator.trail()] == ["intent"])
    kill(proc)
    [(seq, _, _)] = operator.trail()  # the intent, and no outcome
    sandbox.faults()
    landed = sandbox.cores("aaa-p1") == 200  # whether the PUT reached the cloud before the kill
    settled = operator.run("quota", "reconcile", "-o", "json")
    assert settled.returncode == 0, settled.stdout
    [row] = json.loads(settled.stdout)
    assert (row["seq"], row["outcome"]) == (seq, "landed" if landed else "not_landed")
    assert operator.trail()[-1] == (seq + 1, row["outcome"], seq)
    again = operator.run("quota", "apply", str(operator.plan), "--yes")
    assert again.returncode == 0, again.stderr
    assert sandbox.cores("aaa-p1") == 200


def test_kill_after_the_put_landed_before_its_outcome(sandbox: Sandbox, operator: Operator) -> None:
    sandbox.faults(put_delay_ms=30_000)
    proc = operator.start_apply()
    wait_for("the PUT to land", lambda: sandbox.cores("aaa-p1") == 200)
    kill(proc)
    [(seq, outcome, _)] = operator.trail()
    assert outcome == "intent"
    sandbox.faults(fail_rate=1.0)  # a reconcile that cannot read the cloud settles nothing
    blind = operator.run("quota", "reconcile")
    assert blind.returncode == 1
    assert "0 change(s) settled, 1 left open" in blind.stderr
    assert len(operator.trail()) == 1
    sandbox.faults()
    settled = operator.run("quota", "reconcile")
    assert settled.returncode == 0, settled.stderr
    assert "landed" in settled.stdout
    assert operator.trail() == [(seq, "intent", None), (seq + 1, "landed", seq)]
    again = operator.run("quota", "apply", str(operator.plan), "--yes")
    assert again.returncode == 0
    assert "nothing to change" in again.stderr
    assert len(operator.trail()) == 2  # idempotent: nothing sent, nothing recorded


def test_intent_left_by_a_kill_whose_change_the_cloud_lost_is_not_landed_and_reapplied(
    sandbox: Sandbox, operator: Operator
) -> None:
    sandbox.faults(put_delay_ms=30_000)
    proc = operator.start_apply()
    wait_for("the PUT to land", lambda: sandbox.cores("aaa-p1") == 200)
    kill(proc)
    sandbox.faults()
    sandbox.set_cores("aaa-p1", 100)  # the cloud no longer holds it (restored from a backup)
    again = operator.run("quota", "apply", str(operator.plan), "--yes")  # reconciles first
    assert again.returncode == 0, again.stderr
    assert "not_landed" in again.stderr
    [(seq, _, _), *rest] = operator.trail()
    assert [(o, r) for _, o, r in rest] == [("not_landed", seq), ("intent", None), ("ok", seq + 2)]
    assert sandbox.cores("aaa-p1") == 200


def test_a_put_that_times_out_is_unknown_then_reconciled(
    sandbox: Sandbox, operator: Operator
) -> None:
    sandbox.faults(put_delay_ms=5_000)
    out = operator.run("quota", "apply", str(operator.plan), "--yes", "--timeout", "1")
    assert out.returncode == 1
    assert "got no answer (outcome unknown)" in out.stderr
    assert "unknown" in out.stdout
    [(seq, _, _), unknown] = operator.trail()
    assert unknown[1:] == ("unknown", seq)
    sandbox.faults()
    settled = operator.run("quota", "reconcile")
    assert settled.returncode == 0, settled.stderr
    assert operator.trail()[-1][1:] == ("landed", seq)
    again = operator.run("quota", "apply", str(operator.plan), "--yes")
    assert again.returncode == 0
    assert "nothing to change" in again.stderr
