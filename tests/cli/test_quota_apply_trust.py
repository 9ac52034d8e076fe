"""`quota apply` trusts only sealed plans of the loaded inventory and records every PUT twice.

Issue 9 §2 and its findings: a plan edited and re-hashed, a plan whose targets the inventory
does not approve, a plan of an older inventory, a missing ticket. Every case runs the real
entry point against the sandbox over HTTP and reads the cloud back to prove nothing was sent.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli import test_quota
from tests.cli.runner import govcloud
from tests.cli.test_quota import ESTATE, Cloud, audit_rows, make_plan, seal

# the sandbox and its per-test reset, shared with the other quota tests (pytest finds fixtures
# by name in the module)
sandbox_cloud = test_quota.sandbox_cloud
cloud = test_quota.cloud

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")


def trail(db: Path) -> list[dict[str, Any]]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("SELECT * FROM audit_log ORDER BY seq")]
    con.close()
    for r in rows:
        r["before"], r["after"] = (
            json.loads(r["before"] or "null"),
            json.loads(r["after"] or "null"),
        )
    return rows


def rehashed(path: Path, edit: Any) -> None:
    """Edit the plan file as an attacker would: change values, then recompute a sha256 'seal'."""
    data = json.loads(path.read_text())
    edit(data)
    body = json.dumps({k: v for k, v in data.items() if k != "seal"}, sort_keys=True)
    data["seal"] = "hmac-sha256:" + hashlib.sha256(body.encode()).hexdigest()
    path.write_text(json.dumps(data, indent=2))


def test_an_edited_and_re_hashed_plan_is_refused_before_anything(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    path = make_plan(tmp_path)
    rehashed(path, lambda d: d["changes"][0].update(after=9_999_999))
    out = govcloud("quota", "apply", str(path), "--yes", "--ticket", "CHG-1", "-o", "json")
    assert out.exit_code == 2
    assert "its seal does not verify" in out.json()["error"]["message"]
    assert cloud.quota("aaa-p1").cores == 100
    assert audit_rows(db) == []


def test_a_plan_sealed_with_another_key_is_refused(cloud: Cloud, db: Path, tmp_path: Path) -> None:
    from govcloud.core import quota_plan as qp
    from govcloud.core.audit_trail import Signer

    path = make_plan(tmp_path)
    plan = qp.parse_plan(path.read_text(), "x")
    path.write_text(qp.to_json(qp.sealed(plan, Signer("sha256", b"not the audit key" * 2))))
    out = govcloud("quota", "apply", str(path), "--yes")
    assert out.exit_code == 2
    assert "plan was edited after `quota plan` wrote it" in out.stderr
    assert audit_rows(db) == []


def test_an_old_version_plan_is_told_to_be_re_planned(cloud: Cloud, tmp_path: Path) -> None:
    path = make_plan(tmp_path)
    data = json.loads(path.read_text())
    data["version"] = 1
    path.write_text(json.dumps(data))
    out = govcloud("quota", "apply", str(path))
    assert out.exit_code == 2
    assert "plan format version 1 is not accepted" in out.stderr
    assert "re-run `govcloud quota plan" in out.stderr


def test_a_sealed_plan_whose_target_the_inventory_does_not_approve_is_refused(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    """Even with the key (say, a leaked one), apply pushes only approved quotas."""
    from govcloud.core import quota_plan as qp

    path = make_plan(tmp_path)
    plan = qp.parse_plan(path.read_text(), "x")
    changes = tuple(
        c.model_copy(update={"after": 640}) if c.project == "bbb-p1" else c for c in plan.changes
    )
    path.write_text(qp.to_json(seal(plan.model_copy(update={"changes": changes}), tmp_path)))
    out = govcloud("quota", "apply", str(path), "--yes")
    assert out.exit_code == 2
    assert "plan row p1/bbb/bbb-p1 cores: target 640 is not the approved quota (200)" in out.stderr
    assert (cloud.quota("aaa-p1").cores, cloud.quota("bbb-p1").cores) == (100, 100)
    assert audit_rows(db) == []


def test_a_plan_of_an_older_inventory_is_refused(cloud: Cloud, db: Path, tmp_path: Path) -> None:
    path = make_plan(tmp_path)
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "estate.yaml").write_text(ESTATE.replace("cores: 200", "cores: 300"))
    assert govcloud("inventory", "load", str(newer)).exit_code == 0
    out = govcloud("quota", "apply", str(path), "--yes")
    assert out.exit_code == 1
    assert "inventory changed since the plan: re-run quota plan" in out.stderr
    assert cloud.quota("aaa-p1").cores == 100
    assert audit_rows(db) == []


def test_plan_from_a_folder_is_recorded_with_its_digest_and_seal(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    path = make_plan(tmp_path, "--from", str(cloud.inventory))
    saved = json.loads(path.read_text())
    [record] = [r for r in trail(db) if r["event"] == "quota.plan"]
    assert (record["object_type"], record["object_id"], record["outcome"]) == (
        "quota_plan", str(path), "ok",
    )  # fmt: skip
    assert record["after"]["inventory"] == str(cloud.inventory)
    assert record["after"]["inventory_digest"] == saved["inventory_digest"]
    assert record["after"]["seal"] == saved["seal"]
    assert path.stat().st_mode & 0o777 == 0o600


def test_plan_from_a_folder_the_store_does_not_hold_says_apply_would_refuse(
    cloud: Cloud, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "estate.yaml").write_text(ESTATE.replace("cores: 200", "cores: 300"))
    path = make_plan(tmp_path, "--from", str(other))
    out = govcloud("quota", "apply", str(path))
    assert out.exit_code == 1
    assert "inventory changed since the plan" in out.stderr
    plan = govcloud("quota", "plan", "--from", str(other))
    assert f"`govcloud inventory load {other}` before `quota apply`" in plan.stderr


def test_require_ticket_refuses_apply_without_one_before_anything(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    path = make_plan(tmp_path)
    config = tmp_path / "config" / "govcloud" / "config.yaml"
    config.write_text("require_ticket: true\n")
    for ticket in ([], ["--ticket", "  "]):
        out = govcloud("quota", "apply", str(path), "--yes", *ticket)
        assert out.exit_code == 2
        assert "a change ticket is required" in out.stderr
    assert govcloud("quota", "apply", str(path)).exit_code == 0  # a dry run needs none
    assert cloud.quota("aaa-p1").cores == 100
    assert audit_rows(db) == []
    done = govcloud("quota", "apply", str(path), "--yes", "--ticket", "CHG-2026-0142")
    assert done.exit_code == 0, done.stderr
    assert {r["ticket"] for r in trail(db) if r["event"] == "quota.apply"} == {"CHG-2026-0142"}


def test_without_a_ticket_none_is_recorded_never_the_string(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    path = make_plan(tmp_path, "--tenant", "aaa")
    assert govcloud("quota", "apply", str(path), "--yes").exit_code == 0
    tickets = {r["ticket"] for r in trail(db) if r["event"] == "quota.apply"}
    assert tickets == {None}


def test_each_put_has_an_intent_before_and_an_outcome_after_naming_it(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    cloud.set_volume_quota("aaa-p1", volumes=80)
    path = make_plan(tmp_path, "--tenant", "aaa")
    assert govcloud("quota", "apply", str(path), "--yes", "--ticket", "CHG-3").exit_code == 0
    rows = [r for r in trail(db) if r["event"] == "quota.apply"]
    assert [(r["object_type"], r["outcome"]) for r in rows] == [
        ("quota.compute", "intent"), ("quota.compute", "ok"),
        ("quota.volume", "intent"), ("quota.volume", "ok"),
    ]  # fmt: skip
    for intent, outcome in zip(rows[::2], rows[1::2], strict=True):
        assert intent["ref"] is None
        assert outcome["ref"] == intent["seq"]
        assert outcome["seq"] > intent["seq"]
        assert intent["object_id"] == outcome["object_id"] == f"p1/{cloud.ids['aaa-p1']}"
        assert intent["before"] == outcome["before"]  # the values read just before the PUT
    assert rows[0]["before"]["cores"] == 100
    assert (rows[0]["after"]["cores"], rows[0]["after"]["project"]) == (200, "aaa-p1")
    assert rows[2]["after"]["volumes"] == 100
    settled = govcloud("quota", "reconcile")
    assert settled.exit_code == 0
    assert "0 change(s) settled, 0 left open" in settled.stderr


def test_held_rows_are_listed_and_the_rest_applied(cloud: Cloud, db: Path, tmp_path: Path) -> None:
    pid = cloud.ids["aaa-p1"]
    used = cloud.sdk.compute.get(f"/os-quota-sets/{pid}/detail").json()["quota_set"]["instances"]
    assert used["in_use"] > 1
    low = tmp_path / "low"
    low.mkdir()
    (low / "estate.yaml").write_text(ESTATE.replace("instances: 50", "instances: 1", 1))
    assert govcloud("inventory", "load", str(low)).exit_code == 0
    path = make_plan(tmp_path, "--tenant", "aaa")
    plan = govcloud("quota", "plan", "--tenant", "aaa")
    assert "1 held: below usage" in plan.stderr
    out = govcloud("quota", "apply", str(path), "--yes", "-o", "json")
    assert out.exit_code == 0
    status = {r["resource"]: (r["status"], r["in_use"]) for r in out.json()}
    assert status == {
        "cores": ("changed", status["cores"][1]),
        "instances": ("held", used["in_use"]),
    }
    assert (cloud.quota("aaa-p1").cores, cloud.quota("aaa-p1").instances) == (200, 50)
    [_, ok] = [r for r in trail(db) if r["event"] == "quota.apply"]
    assert "instances" not in ok["after"]


def test_an_outcome_that_cannot_be_recorded_is_said_and_settled_by_reconcile(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    path = make_plan(tmp_path, "--tenant", "aaa")
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TRIGGER no_outcome BEFORE INSERT ON audit_log WHEN NEW.outcome != 'intent'"
        " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    con.commit()
    out = govcloud("quota", "apply", str(path), "--yes")
    assert out.exit_code == 1
    assert "was sent, its outcome (ok) could not be recorded" in out.stderr
    assert "quota reconcile" in out.stderr
    assert cloud.quota("aaa-p1").cores == 200
    con.execute("DROP TRIGGER no_outcome")
    con.commit()
    con.close()
    [intent] = trail(db)[-1:]
    assert intent["outcome"] == "intent"
    settled = govcloud("quota", "reconcile", "-o", "json")
    assert settled.exit_code == 0, settled.stdout
    [row] = settled.json()
    assert (row["seq"], row["outcome"], row["intended"]) == (intent["seq"], "landed", "cores=200")
    last = trail(db)[-1]
    assert (last["outcome"], last["ref"]) == ("landed", intent["seq"])
    again = govcloud("quota", "apply", str(path), "--yes")
    assert again.exit_code == 0
    assert "nothing to change" in again.stderr


def test_plan_never_replaces_a_file_that_is_not_a_plan(loaded: Path, tmp_path: Path) -> None:
    precious = tmp_path / "passwd"
    precious.write_text("root:x:0:0:root:/root:/bin/bash\n")
    result = govcloud("quota", "plan", "-f", str(precious))
    assert result.exit_code == 2
    assert f"{precious} exists and is not a quota plan" in result.stderr
    assert precious.read_text() == "root:x:0:0:root:/root:/bin/bash\n"
