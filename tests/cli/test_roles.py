"""Roles (三权分立) through the real entry point, with the real OS user and groups of the test.

The caller is whoever runs the tests; each test maps that user (or its primary group) to a role
in the config and checks what the role may and may not run, and that a denial is recorded.
"""

from __future__ import annotations

import grp
import os
import pwd
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from govcloud.cli.main import app
from govcloud.core import roles
from govcloud.core.errors import UsageError
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name


def _configure(roles_map: dict[str, Any]) -> Path:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "govcloud" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"roles": roles_map}), encoding="utf-8")
    return path


def _denials(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as con:
        return con.execute(
            "SELECT event, outcome, object_id FROM audit_log WHERE outcome = 'denied' ORDER BY seq"
        ).fetchall()


def _leaf_paths(command: Any, path: tuple[str, ...] = ()) -> list[str]:
    subs = getattr(command, "commands", None)
    if not subs:
        return [" ".join(path)]
    return [p for name, sub in subs.items() for p in _leaf_paths(sub, (*path, name))]


def test_every_command_has_its_roles_decided() -> None:
    paths = _leaf_paths(typer.main.get_command(app))
    assert "quota apply" in paths
    assert "role show" in paths
    assert roles.unassigned(paths) == []


def test_roles_off_without_the_setting(loaded: Path) -> None:
    out = govcloud("-o", "json", "role", "show")
    assert out.exit_code == 0
    assert out.json()["roles_enabled"] is False
    assert govcloud("pool", "list").exit_code == 0
    assert _denials(loaded) == []


def test_operator_operates_but_may_not_change_policy_and_the_denial_is_recorded(
    loaded: Path,
) -> None:
    _configure({"enabled": True, "operator": {"users": [ME]}, "auditor": {"users": ["nobody"]}})
    assert govcloud("inventory", "load", EXAMPLE).exit_code == 0
    assert govcloud("pool", "list").exit_code == 0
    who = govcloud("-o", "json", "role", "show").json()
    assert (who["roles"], who["because"]) == ("operator", f"user {ME}")

    denied = govcloud("init")
    assert denied.exit_code == 2
    assert "permission denied: `init` needs security_admin; operator" in denied.stderr
    assert "Traceback" not in denied.stderr
    assert _denials(loaded) == [("init", "denied", "init")]


def test_auditor_by_group_reads_but_may_not_operate(loaded: Path) -> None:
    _configure({"auditor": {"groups": [MY_GROUP]}, "operator": {"users": ["nobody"]}})
    assert govcloud("pool", "list").exit_code == 0
    before = sqlite3.connect(loaded).execute("SELECT count(*) FROM department").fetchone()
    out = govcloud("-o", "json", "inventory", "load", EXAMPLE)
    assert out.exit_code == 2
    assert out.json()["error"]["code"] == "permission_denied"
    assert "`inventory load` needs operator; auditor" in out.json()["error"]["message"]
    after = sqlite3.connect(loaded).execute("SELECT count(*) FROM department").fetchone()
    assert before == after
    assert _denials(loaded) == [("inventory load", "denied", "inventory load")]


def test_a_caller_without_a_role_may_run_only_the_open_commands(loaded: Path) -> None:
    _configure({"operator": {"users": ["nobody"]}})
    assert govcloud("role", "show").exit_code == 0
    out = govcloud("vm", "list")
    assert out.exit_code == 2
    assert "needs operator or auditor; no role" in out.stderr
    assert _denials(loaded) == [("vm list", "denied", "vm list")]


def test_a_caller_matching_two_roles_is_refused_and_told_why(loaded: Path) -> None:
    _configure({"operator": {"users": [ME]}, "auditor": {"groups": [MY_GROUP]}})
    out = govcloud("pool", "list")
    assert out.exit_code == 2
    assert f"more than one role: operator (user {ME}), auditor (group {MY_GROUP})" in out.stderr
    assert govcloud("role", "show").exit_code == 0  # so they can see why


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"operator": {"users": ["a"]}, "auditor": {"users": ["a"]}},
         "user 'a' is both operator and auditor"),
        ({"auditor": {"groups": ["g"]}, "security_admin": {"groups": ["g"]}},
         "group 'g' is both auditor and security_admin"),
        ({"admin": {"users": ["a"]}}, "unknown role 'admin'"),
        ({"operator": ["a"]}, "roles.operator must be a mapping"),
        ({"operator": {"users": "a"}}, "roles.operator.users must be a list of names"),
        ({"operator": {"people": ["a"]}}, "roles.operator: unknown key 'people'"),
        ({"enabled": "yes"}, "roles.enabled must be true or false"),
    ],
)  # fmt: skip
def test_a_bad_roles_mapping_stops_every_command_with_a_clear_error(
    loaded: Path, mapping: dict[str, Any], message: str
) -> None:
    path = _configure(mapping)
    out = govcloud("pool", "list")
    assert out.exit_code == 2
    assert f"error: {path}: {message}" in out.stderr
    assert "Traceback" not in out.stderr


def test_enabled_false_turns_roles_off(loaded: Path) -> None:
    _configure({"enabled": False, "operator": {"users": ["nobody"]}})
    assert govcloud("init").exit_code == 0


def test_a_denial_that_cannot_be_recorded_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVCLOUD_DB", str(tmp_path / "absent.db"))
    _configure({"operator": {"users": ["nobody"]}})
    out = govcloud("sync")
    assert out.exit_code == 2
    assert "permission denied" in out.stderr
    assert "the denial could not be recorded" in out.stderr
    assert not (tmp_path / "absent.db").exists()


def test_environment_names_do_not_grant_a_role(
    loaded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure({"operator": {"users": ["alice"]}})
    for var in ("USER", "LOGNAME", "GOVCLOUD_OPERATOR"):
        monkeypatch.setenv(var, "alice")
    assert govcloud("pool", "list").exit_code == 2


# the decision itself, on hand-made callers


def _policy(**members: roles.Member) -> roles.Policy:
    return roles.Policy({r: members.get(r, roles.Member()) for r in roles.ROLES})


def test_decide_on_the_table() -> None:
    pol = _policy(
        operator=roles.Member(users=frozenset({"op"})),
        auditor=roles.Member(groups=frozenset({"audit"})),
        security_admin=roles.Member(users=frozenset({"sec"})),
    )
    op = roles.roles_of(pol, roles.Caller("op", frozenset({"staff"})))
    aud = roles.roles_of(pol, roles.Caller("x", frozenset({"audit"})))
    sec = roles.roles_of(pol, roles.Caller("sec", frozenset()))
    assert [roles.decide("quota apply", h).allowed for h in (op, aud, sec)] == [True, False, False]
    assert [roles.decide("log export", h).allowed for h in (op, aud, sec)] == [False, True, False]
    assert [roles.decide("host trust", h).allowed for h in (op, aud, sec)] == [False, False, True]
    assert [roles.decide("vm show", h).allowed for h in (op, aud, sec)] == [True, True, False]
    assert roles.decide("something new", op).reason == "`something new` has no role assigned"


def test_parse_policy_rejects_a_role_shared_between_two_people_kinds() -> None:
    with pytest.raises(UsageError, match="user 'x' is both operator and security_admin"):
        roles.parse_policy(
            {"operator": {"users": ["x"]}, "security_admin": {"users": ["x"]}}, "cfg"
        )


def _system_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, roles_map: dict[str, Any], mode: int = 0o644
) -> Path:
    from govcloud.services import roles as roles_service

    path = tmp_path / "etc-govcloud-roles.yaml"
    path.write_text(yaml.safe_dump({"roles": roles_map}), encoding="utf-8")
    path.chmod(mode)
    monkeypatch.setattr(roles_service, "SYSTEM_POLICY", path)
    return path


@pytest.mark.skipif(
    os.getuid() != 0, reason="a root-owned policy file needs root (CI runs as root)"
)
def test_the_machine_policy_wins_over_a_config_that_turns_roles_off(
    loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure({"enabled": False})  # the caller's own file: roles off
    _system_policy(tmp_path, monkeypatch, {"auditor": {"users": [ME]}, "operator": {"users": []}})
    out = govcloud("inventory", "load", EXAMPLE)
    assert out.exit_code == 2
    assert "`inventory load` needs operator; auditor" in out.stderr
    assert govcloud("log", "verify").exit_code == 0
    assert _denials(loaded) == [("inventory load", "denied", "inventory load")]


def test_a_machine_policy_others_may_write_is_refused(
    loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _system_policy(tmp_path, monkeypatch, {"operator": {"users": [ME]}}, mode=0o666)
    out = govcloud("pool", "list")
    assert out.exit_code == 2
    assert f"roles policy {path} must be owned by root and writable by root only" in out.stderr
    assert "Traceback" not in out.stderr
