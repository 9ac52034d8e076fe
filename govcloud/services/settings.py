"""Resolving settings. Precedence, highest first: command-line flag, environment variable
(GOVCLOUD_DB, GOVCLOUD_CONFIG, GOVCLOUD_OPERATOR), the config file
(`$XDG_CONFIG_HOME/govcloud/config.yaml`), then built-in defaults.

Settings are what the services need: the store, the operator, the trail's keys. How results
are shown (language, output format) is the CLI's business: it reads the same config file
(`lang`, `output` keys) through `load_config` and keeps its choice in cli/display.py, so that
the library (govcloud/api.py) and the services never depend on it.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcloud.core.errors import UsageError

MAX_CONFIG_BYTES = 1024 * 1024
LANGS = ("zh", "en")  # the languages govcloud writes reports and tables in
CONFIG_KEYS = (
    "db",
    "lang",
    "output",
    "operator",
    "clouds_yaml",
    "sync_full_every_h",
    "audit_hash",
    "audit_key",
    "audit_head",
    "audit_syslog",
    "audit_retention_days",
    "require_ticket",
    "roles",
)


@dataclass(frozen=True)
class Settings:
    db: str | None
    operator: str
    os_user: str
    config_path: Path | None
    clouds_yaml: str | None = None
    # hours between full syncs (incremental ones in between); None: the built-in default
    sync_full_every_h: float | None = None
    # the audit trail: seal algorithm (sha256|sm3), the HMAC key file and the folder of chain-head
    # anchors (both outside the store), a syslog line per record, retention in days (None: keep)
    audit_hash: str = "sha256"
    audit_key_path: Path = Path("audit.key")
    audit_head_dir: Path = Path("audit-head")
    audit_syslog: bool = False
    audit_retention_days: int | None = None
    require_ticket: bool = False  # quota apply (and other cloud changes) need --ticket
    roles: dict[str, Any] | None = None  # 三权分立 mapping as written in the config; None: off
    # what the audit trail records as the command: None is this process's command line (the
    # CLI); the library (govcloud/api.py) names its call instead of the Python process's argv
    command: str | None = None


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "govcloud" / "config.yaml"


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "govcloud"


@dataclass(frozen=True)
class ConfigFile:
    """The config file as read once per process: where it is looked for, and its keys
    (empty when it does not exist)."""

    path: Path
    data: dict[str, Any]


def load_config(config: str | None = None, env: dict[str, str] | None = None) -> ConfigFile:
    """The config file CONFIG (or GOVCLOUD_CONFIG, or the default location), validated."""
    env = dict(os.environ) if env is None else env
    explicit = config or env.get("GOVCLOUD_CONFIG")
    path = Path(explicit).expanduser() if explicit else default_config_path()
    return ConfigFile(path, read_config(path, explicit=bool(explicit)))


def read_config(path: Path, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise UsageError(
                f"config file {path} does not exist", hint="`govcloud init` writes one"
            )
        return {}
    from govcloud.adapters.yaml_source import parse_yaml_text

    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise UsageError(
                f"{path}: config file is larger than {MAX_CONFIG_BYTES // 1024} KiB",
                hint="a config holds a dozen keys; is --config pointing at the right file?",
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else f"not UTF-8 ({exc.reason})"
        raise UsageError(f"{path}: cannot read config: {reason}") from None
    # the bounded reader of declared YAML: aliases, depth and tags refused with file:line
    data = parse_yaml_text(text, str(path)).data or {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: config must be a mapping of keys", hint=", ".join(CONFIG_KEYS))
    unknown = sorted((str(k) for k in set(data) - set(CONFIG_KEYS)), key=str)
    if unknown:
        raise UsageError(
            f"{path}: unknown config key {unknown[0]!r}",
            hint="known keys: " + ", ".join(CONFIG_KEYS),
        )
    for key in _TEXT_KEYS:
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip() or "\0" in value):
            raise UsageError(
                f"{path}: config key {key!r} must be a non-empty text, not {_shown(value)}",
                hint=f"e.g. {key}: {_TEXT_EXAMPLES[key]}",
            )
    return data


# Keys whose value is one line of text; the others are checked where they are read.
_TEXT_KEYS = ("db", "lang", "output", "operator", "clouds_yaml")
_TEXT_EXAMPLES = {
    "db": "govcloud.db",
    "lang": "zh",
    "output": "table",
    "operator": "zhangsan",
    "clouds_yaml": "/etc/openstack/clouds.yaml",
}


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def resolve(
    *,
    db: str | None = None,
    config: str | None = None,
    env: dict[str, str] | None = None,
    file: ConfigFile | None = None,
) -> Settings:
    """Settings from DB, the environment and the config file (FILE when the caller has read
    it already, else CONFIG or the default location)."""
    env = dict(os.environ) if env is None else env
    read = file or load_config(config, env)
    path, values = read.path, read.data
    os_user = _os_user()
    if db is not None and not db.strip():
        raise UsageError(
            "--db is empty", hint="give a store file or URL, or leave --db out for the default"
        )
    return Settings(
        db=db or env.get("GOVCLOUD_DB") or values.get("db"),
        operator=env.get("GOVCLOUD_OPERATOR") or values.get("operator") or os_user,
        os_user=os_user,
        config_path=path if path.exists() else None,
        clouds_yaml=env.get("OS_CLIENT_CONFIG_FILE") or values.get("clouds_yaml"),
        sync_full_every_h=_hours(path, values.get("sync_full_every_h")),
        audit_hash=_choice(path, "audit_hash", values.get("audit_hash"), ("sha256", "sm3"))
        or "sha256",
        # the key sits with the default config (not beside a --config file): one key per user
        audit_key_path=_path(path, "audit_key", values.get("audit_key"))
        or default_config_path().parent / "audit.key",
        audit_head_dir=_path(path, "audit_head", values.get("audit_head"))
        or default_state_dir() / "audit-head",
        audit_syslog=_flag(path, "audit_syslog", values.get("audit_syslog")),
        audit_retention_days=_days(path, values.get("audit_retention_days")),
        require_ticket=_flag(path, "require_ticket", values.get("require_ticket")),
        roles=_mapping(path, "roles", values.get("roles")),
    )


def _hours(path: Path, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise UsageError(
            f"{path}: sync_full_every_h must be a positive number of hours, not {value!r}",
            hint="e.g. sync_full_every_h: 24",
        )
    return float(value)


def _choice(path: Path, key: str, value: object, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise UsageError(f"{path}: {key} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def _path(path: Path, key: str, value: object) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise UsageError(f"{path}: {key} must be a file path, not {value!r}")
    return Path(value).expanduser()


def _flag(path: Path, key: str, value: object) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise UsageError(f"{path}: {key} must be true or false, not {value!r}")
    return value


def _days(path: Path, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(
            f"{path}: audit_retention_days must be a whole number of days >= 1, not {value!r}",
            hint="e.g. audit_retention_days: 180 (MLPS level 3 asks for at least six months)",
        )
    return value


def _mapping(path: Path, key: str, value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise UsageError(f"{path}: {key} must be a mapping")
    return value


def _os_user() -> str:
    """The user of the process's real uid: $USER and $LOGNAME are not evidence of anything."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid:{os.getuid()}"
