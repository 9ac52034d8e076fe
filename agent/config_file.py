"""Reading the optional YAML/JSON files (``--config.file``, ``--web.config.file``).

JSON needs nothing beyond the standard library; YAML needs PyYAML, imported only when a YAML file is
actually given so the agent starts fast and runs on hosts without it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration problem, reported as one line and exit status 2."""


def load_mapping(path: str) -> dict[str, Any]:
    """The top-level mapping of a JSON (``.json`` or starting with ``{``) or YAML file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    if path.endswith(".json") or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
    else:
        data = _load_yaml(path, text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping")
    return data


def _load_yaml(path: str, text: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise ConfigError(
            f"{path} is YAML but PyYAML is not installed "
            "(install python3-yaml / python3-pyyaml, or write the file as JSON)"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {exc}") from exc
