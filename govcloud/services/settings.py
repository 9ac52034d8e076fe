"""Resolving settings. Precedence, highest first: command-line flag, environment variable
(GOVCLOUD_DB, GOVCLOUD_LANG, GOVCLOUD_OUTPUT, GOVCLOUD_CONFIG, GOVCLOUD_OPERATOR), the config
file (`$XDG_CONFIG_HOME/govcloud/config.yaml`), then built-in defaults.
"""

from __future__ import annotations

import getpass
import locale
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from govcloud.core.errors import UsageError

OUTPUTS = ("table", "json", "csv", "yaml")
LANGS = ("zh", "en")
CONFIG_KEYS = ("db", "lang", "output", "operator", "clouds_yaml", "sync_full_every_h")


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


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "govcloud" / "config.yaml"


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
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read config: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: config must be a mapping of keys", hint=", ".join(CONFIG_KEYS))
    unknown = sorted(set(data) - set(CONFIG_KEYS))
    if unknown:
        raise UsageError(
            f"{path}: unknown config key {unknown[0]!r}",
            hint="known keys: " + ", ".join(CONFIG_KEYS),
        )
    return data


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


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"
