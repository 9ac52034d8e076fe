"""Reading the optional YAML/JSON files (``--config.file``, ``--web.config.file``).

JSON needs nothing beyond the standard library. YAML files made only of nested ``key: string``
mappings (every web config we know of) are read by a strict subset reader; anything else (lists,
numbers, booleans, escapes, anchors, ...) goes to PyYAML, imported only then: the import alone took
~50 ms, a third of the start-up time.
"""

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple


class ConfigError(Exception):
    """A configuration problem, reported as one line and exit status 2."""


def load_mapping(path: str) -> Dict[str, Any]:
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


_YAML_LINE = re.compile(
    r"( *)([A-Za-z_][A-Za-z0-9_.-]*):"
    r"""(?: +(?:([A-Za-z_/$][A-Za-z0-9_/.$+=@%,-]*)|"([^"\\]*)"|'([^']*)'))?"""
    r"(?: +#.*)? *"
)
# Plain scalars PyYAML would not read as strings (YAML 1.1 booleans and null); numbers are already
# excluded by the first character.
_YAML_NOT_STR = re.compile(r"(?i)y|n|yes|no|true|false|on|off|null")


def load_simple_yaml(text: str) -> Optional[Dict[str, Any]]:
    """The mapping ``yaml.safe_load`` would return, or None when the text is outside the subset."""
    root: Dict[str, Any] = {}
    stack: List[Tuple[int, Dict[str, Any]]] = [(0, root)]
    pending: Optional[Tuple[int, Dict[str, Any], str]] = None  # a key whose value may be a block
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _YAML_LINE.fullmatch(line)
        if match is None:
            return None
        indent = len(match.group(1))
        if pending is not None and indent > pending[0]:
            child: Dict[str, Any] = {}
            pending[1][pending[2]] = child
            stack.append((indent, child))
        pending = None
        while stack[-1][0] > indent:
            stack.pop()
        mapping = stack[-1][1]
        key, plain = match.group(2), match.group(3)
        if stack[-1][0] != indent or key in mapping:
            return None
        if _YAML_NOT_STR.fullmatch(key) or (plain is not None and _YAML_NOT_STR.fullmatch(plain)):
            return None
        value = next((v for v in match.group(3, 4, 5) if v is not None), None)
        mapping[key] = value
        if value is None:
            pending = (indent, mapping, key)
    return root


def _load_yaml(path: str, text: str) -> Any:
    simple = load_simple_yaml(text)
    if simple is not None:
        return simple
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
