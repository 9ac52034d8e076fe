"""The caller's roles and the check every command passes (see core/roles.py for the table).

The caller is who the kernel says runs the process: the user of the real uid and its groups
(os.getgroups plus the primary group). $USER, $LOGNAME and GOVCLOUD_OPERATOR are not asked:
they are the caller's to set, so they name the operator in the trail but grant nothing.
A denied command appends a `denied` record (event = the command) before it is refused.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcloud.core import roles
from govcloud.core.errors import GovcloudError, PermissionDenied
from govcloud.services.settings import Settings


@dataclass(frozen=True)
class Whoami:
    user: str
    groups: str  # comma-separated
    roles_enabled: bool
    roles: str  # comma-separated; more than one is refused for every command but this one
    because: str  # per role: `user alice` / `group govcloud-ops`


# A machine-wide policy an administrator installs (root-owned, writable by root only). When it
# exists it is the policy: a user's own config (or GOVCLOUD_CONFIG pointing at another file)
# can then neither turn roles off nor grant itself one.
SYSTEM_POLICY = Path("/etc/govcloud/roles.yaml")


def policy(settings: Settings) -> roles.Policy | None:
    """The policy in force: the machine-wide file if installed, else the config's `roles:` key;
    None when roles are off (neither, or enabled: false)."""
    system = _system_policy(SYSTEM_POLICY)
    if system is not None:
        return roles.parse_policy(system, str(SYSTEM_POLICY))
    if settings.roles is None:
        return None
    where = str(settings.config_path or "config")
    return roles.parse_policy(settings.roles, where)


def _system_policy(path: Path) -> dict[str, Any] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PermissionDenied(f"cannot read the roles policy {path}: {exc.strerror}") from None
    if st.st_uid != 0 or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionDenied(
            f"roles policy {path} must be owned by root and writable by root only",
            hint=f"chown root:root {path} && chmod 644 {path}",
        )
    import yaml  # only when a machine-wide policy exists

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0]
        raise PermissionDenied(f"{path}: cannot read roles policy: {first}") from None
    roles_ = data.get("roles") if isinstance(data, dict) else None
    if not isinstance(roles_, dict):
        raise PermissionDenied(f"{path}: a `roles:` mapping is expected", hint="see docs/roles.md")
    return roles_


def caller() -> roles.Caller:
    uid = os.getuid()
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = f"uid:{uid}"
    gids = {os.getgid(), *os.getgroups()}
    names = set()
    for gid in gids:
        try:
            names.add(grp.getgrgid(gid).gr_name)
        except KeyError:
            names.add(f"gid:{gid}")
    return roles.Caller(user, frozenset(names))


def whoami(settings: Settings, who: roles.Caller | None = None) -> Whoami:
    who = who or caller()
    pol = policy(settings)
    held = roles.roles_of(pol, who) if pol else {}
    return Whoami(
        user=who.user,
        groups=", ".join(sorted(who.groups)),
        roles_enabled=pol is not None,
        roles=", ".join(held),
        because=", ".join(held.values()),
    )


def check(settings: Settings, command: str, who: roles.Caller | None = None) -> None:
    """Return when the caller may run COMMAND; else record the denial and raise."""
    pol = policy(settings)
    if pol is None:
        return
    who = who or caller()
    decision = roles.decide(command, roles.roles_of(pol, who))
    if decision.allowed:
        return
    hint = "ask the security administrator for the role this command needs (`govcloud role show`)"
    try:
        _record_denial(settings, decision, who)
    except GovcloudError as exc:
        hint = f"the denial could not be recorded ({exc.message}); {hint}"
    raise PermissionDenied(f"permission denied: {decision.reason}", hint=hint)


def _record_denial(settings: Settings, decision: roles.Decision, who: roles.Caller) -> None:
    from govcloud.services import trail
    from govcloud.services.store import opened

    record = trail.stamp(
        settings,
        event=decision.command,
        object_type="command",
        object_id=decision.command,
        after={
            "uid_user": who.user,
            "roles": list(decision.roles),
            "needed": list(decision.needed),
            "reason": decision.reason,
        },
        outcome="denied",
    )
    with opened(settings) as store:
        trail.record_event(store, settings, record)
