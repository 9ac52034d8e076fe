"""Roles (三权分立): who may run which command, decided from facts about the caller.

MLPS 2.0 level 3 separates three administrators, and so does govcloud:

    operator        系统管理员  operates: sync, inventory load, quota plan/apply, metrics, audits,
                                reports, host discovery, agent deploy
    auditor         审计管理员  reads and keeps the audit trail: log show/verify/export/prune
    security_admin  安全管理员  sets the policy: init (store and config), host trust

Inventory views (pool/tenant/vm/... list|show, quota show|check) are open to the operator and
the auditor: an auditor judges a trail record against what it changed. No role is the union of
two: a caller matched to more than one is refused, since that is exactly what the separation
forbids. Everything here is pure; services/roles.py resolves the caller and records denials.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from govcloud.core.errors import UsageError

OPERATOR = "operator"
AUDITOR = "auditor"
SECURITY_ADMIN = "security_admin"
ROLES = (OPERATOR, AUDITOR, SECURITY_ADMIN)
ANYONE: frozenset[str] = frozenset()  # commands that touch no managed data
ROLE_LABELS = {
    OPERATOR: "operator (系统管理员)",
    AUDITOR: "auditor (审计管理员)",
    SECURITY_ADMIN: "security administrator (安全管理员)",
}

_OPS = frozenset({OPERATOR})
_READ = frozenset({OPERATOR, AUDITOR})
_AUDIT = frozenset({AUDITOR})
_SEC = frozenset({SECURITY_ADMIN})

# command path -> the roles that may run it; a path missing here is refused (fail closed).
# Some entries name commands other parts of the tool add (log, host, agent, quota reconcile):
# they are decided here once, so a new command cannot slip in unassigned.
COMMAND_ROLES: dict[str, frozenset[str]] = {
    # operate: change the store or the cloud, collect, judge, write reports
    "sync": _OPS,
    "inventory load": _OPS,
    "quota plan": _OPS,
    "quota apply": _OPS,
    "quota reconcile": _OPS,
    "metrics collect": _OPS,
    "metrics import": _OPS,
    "audit run": _OPS,
    "playbook run": _OPS,
    "report capacity": _OPS,
    "report utilization": _OPS,
    "report rightsizing": _OPS,
    "report audit": _OPS,
    "report department": _OPS,
    "report migration": _OPS,
    "host discover": _OPS,
    "agent deploy": _OPS,
    "migrate plan": _OPS,
    # read the managed estate
    "inventory validate": _READ,
    "pool list": _READ,
    "pool show": _READ,
    "tenant list": _READ,
    "tenant show": _READ,
    "vm list": _READ,
    "vm show": _READ,
    "volume list": _READ,
    "volume show": _READ,
    "fip list": _READ,
    "host list": _READ,
    "host show": _READ,
    "quota show": _READ,
    "quota check": _READ,
    "metrics show": _READ,
    "audit show": _READ,
    "audit diff": _READ,
    "audit list": _READ,
    "rightsize": _READ,
    "playbook validate": _READ,
    "playbook list": _READ,
    "playbook schema": _READ,
    # the audit trail: read, verify, hand to a SIEM, and apply the retention the policy sets
    "log show": _AUDIT,
    "log verify": _AUDIT,
    "log export": _AUDIT,
    "log prune": _AUDIT,
    # policy: the store and config, which hosts are trusted
    "init": _SEC,
    "host trust": _SEC,
    # no managed data: who am I, a throw-away demo store, the local sandbox cloud
    "role show": ANYONE,
    "demo": ANYONE,
    "sandbox serve": ANYONE,
    # the caller's own warm reader: a cache of imports, it holds no data and changes none
    "warm start": ANYONE,
    "warm stop": ANYONE,
    "warm status": ANYONE,
}


@dataclass(frozen=True)
class Member:
    """Who holds one role: OS user names and OS group names."""

    users: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Policy:
    members: Mapping[str, Member]


@dataclass(frozen=True)
class Caller:
    user: str
    groups: frozenset[str]


@dataclass(frozen=True)
class Decision:
    command: str
    allowed: bool
    roles: tuple[str, ...]  # the caller's roles
    needed: tuple[str, ...]  # roles that may run the command (empty: anyone)
    reason: str


def parse_policy(raw: Mapping[str, object], where: str) -> Policy | None:
    """The config's `roles:` mapping as a Policy; None when `enabled: false`.

    Refused: unknown keys, names that are not lists of strings, and a user or group named in
    two roles (三权分立 keeps them apart), each said with the role and the name."""
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise UsageError(f"{where}: roles.enabled must be true or false, not {enabled!r}")
    unknown = sorted(str(k) for k in raw if k not in (*ROLES, "enabled"))
    if unknown:
        raise UsageError(f"{where}: unknown role {unknown[0]!r}", hint="roles: " + ", ".join(ROLES))
    members = {role: _member(raw.get(role), role, where) for role in ROLES}
    _check_separate(members, where)
    return Policy(members) if enabled else None


def _member(value: object, role: str, where: str) -> Member:
    if value is None:
        return Member()
    if not isinstance(value, Mapping):
        raise UsageError(
            f"{where}: roles.{role} must be a mapping with users and groups",
            hint=f"e.g. {role}: {{users: [alice], groups: [govcloud-ops]}}",
        )
    extra = sorted(str(k) for k in value if k not in ("users", "groups"))
    if extra:
        raise UsageError(f"{where}: roles.{role}: unknown key {extra[0]!r}", hint="users, groups")
    return Member(
        users=_names(value.get("users"), f"roles.{role}.users", where),
        groups=_names(value.get("groups"), f"roles.{role}.groups", where),
    )


def _names(value: object, key: str, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(f"{where}: {key} must be a list of names, not {value!r}")
    return frozenset(v.strip() for v in value)


def _check_separate(members: Mapping[str, Member], where: str) -> None:
    for i, first in enumerate(ROLES):
        for second in ROLES[i + 1 :]:
            for kind in ("users", "groups"):
                both = sorted(getattr(members[first], kind) & getattr(members[second], kind))
                if both:
                    raise UsageError(
                        f"{where}: {kind[:-1]} {both[0]!r} is both {first} and {second}",
                        hint="三权分立: operator, auditor and security_admin must be different "
                        "people; remove it from one role",
                    )


def roles_of(policy: Policy, caller: Caller) -> dict[str, str]:
    """Each role the caller holds, with why (`user alice`, `group govcloud-ops`)."""
    held: dict[str, str] = {}
    for role in ROLES:
        member = policy.members[role]
        if caller.user in member.users:
            held[role] = f"user {caller.user}"
        else:
            group = next(iter(sorted(member.groups & caller.groups)), None)
            if group is not None:
                held[role] = f"group {group}"
    return held


def decide(command: str, held: Mapping[str, str]) -> Decision:
    """May a caller holding HELD run COMMAND? Unlisted commands and mixed roles are refused."""
    roles = tuple(held)
    needed = COMMAND_ROLES.get(command)
    if needed is None:
        return Decision(command, False, roles, (), f"`{command}` has no role assigned")
    need = tuple(r for r in ROLES if r in needed)
    if not needed:
        return Decision(command, True, roles, need, "open to anyone")
    if len(roles) > 1:
        why = ", ".join(f"{r} ({held[r]})" for r in roles)
        return Decision(command, False, roles, need, f"the caller holds more than one role: {why}")
    if roles and roles[0] in needed:
        return Decision(command, True, roles, need, f"{roles[0]} ({held[roles[0]]})")
    has = roles[0] if roles else "no role"
    return Decision(command, False, roles, need, f"`{command}` needs {' or '.join(need)}; {has}")


def unassigned(paths: Iterable[str]) -> list[str]:
    """The PATHS that have no entry in the table (an invariant test keeps this empty)."""
    return [p for p in paths if p not in COMMAND_ROLES]
