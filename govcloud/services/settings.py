"""Resolving settings. Precedence, highest first: command-line flag, environment variable
(GOVCLOUD_DB, GOVCLOUD_LANG, GOVCLOUD_OUTPUT, GOVCLOUD_CONFIG, GOVCLOUD_OPERATOR), the config
file (`$XDG_CONFIG_HOME/govcloud/config.yaml`), then built-in defaults.
"""

from __future__ import annotations

import locale
import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcloud.core.errors import UsageError

OUTPUTS = ("table", "json", "csv", "yaml")
MAX_CONFIG_BYTES = 1024 * 1024
LANGS = ("zh", "en")
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
    lang: str
    output: str
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


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "govcloud" / "config.yaml"


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "govcloud"


def locale_lang(env: dict[str, str]) -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        current = locale.getlocale()[0] or ""
    except ValueError:
        current = ""
    return "zh" if current.lower().startswith("zh") else "en"


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
    lang: str | None = None,
    output: str | None = None,
    config: str | None = None,
    env: dict[str, str] | None = None,
) -> Settings:
    env = dict(os.environ) if env is None else env
    explicit = config or env.get("GOVCLOUD_CONFIG")
    path = Path(explicit).expanduser() if explicit else default_config_path()
    file = read_config(path, explicit=bool(explicit))
    os_user = _os_user()
    if db is not None and not db.strip():
        raise UsageError(
            "--db is empty", hint="give a store file or URL, or leave --db out for the default"
        )
    chosen_lang = lang or env.get("GOVCLOUD_LANG") or file.get("lang") or locale_lang(env)
    chosen_output = output or env.get("GOVCLOUD_OUTPUT") or file.get("output") or "table"
    if chosen_lang not in LANGS:
        raise UsageError(f"unknown language {chosen_lang!r}", hint="use zh or en")
    if chosen_output not in OUTPUTS:
        raise UsageError(
            f"unknown output format {chosen_output!r}", hint="use " + "|".join(OUTPUTS)
        )
    return Settings(
        db=db or env.get("GOVCLOUD_DB") or file.get("db"),
        lang=chosen_lang,
        output=chosen_output,
        operator=env.get("GOVCLOUD_OPERATOR") or file.get("operator") or os_user,
        os_user=os_user,
        config_path=path if path.exists() else None,
        clouds_yaml=env.get("OS_CLIENT_CONFIG_FILE") or file.get("clouds_yaml"),
        sync_full_every_h=_hours(path, file.get("sync_full_every_h")),
        audit_hash=_choice(path, "audit_hash", file.get("audit_hash"), ("sha256", "sm3"))
        or "sha256",
        # the key sits with the default config (not beside a --config file): one key per user
        audit_key_path=_path(path, "audit_key", file.get("audit_key"))
        or default_config_path().parent / "audit.key",
        audit_head_dir=_path(path, "audit_head", file.get("audit_head"))
        or default_state_dir() / "audit-head",
        audit_syslog=_flag(path, "audit_syslog", file.get("audit_syslog")),
        audit_retention_days=_days(path, file.get("audit_retention_days")),
        require_ticket=_flag(path, "require_ticket", file.get("require_ticket")),
        roles=_mapping(path, "roles", file.get("roles")),
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
