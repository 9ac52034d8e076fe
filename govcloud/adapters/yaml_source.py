"""Reads declared YAML with safe loading only, keeping the line of every key for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from govcloud.core.declared import KeyPath, SourceDoc
from govcloud.core.errors import Location, UsageError, ValidationError

MAX_FILE_BYTES = 16 * 1024 * 1024


def read_inventory_dir(directory: Path) -> list[SourceDoc]:
    """Every `*.yaml`/`*.yml` below DIR, in a stable order."""
    if not directory.exists():
        raise UsageError(
            f"inventory directory {str(directory)!r} does not exist",
            hint="pass the folder holding pools.yaml, departments.yaml, ... e.g. inventory/example",
        )
    if directory.is_file():
        return [read_yaml_file(directory)]
    files = sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [read_yaml_file(p) for p in files]


def read_yaml_file(path: Path) -> SourceDoc:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValidationError(
                "file is larger than 16 MiB", location=Location(str(path)), hint="split it"
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"not UTF-8 text ({exc.reason})", location=Location(str(path)), hint="save as UTF-8"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    return parse_yaml_text(text, str(path))


def parse_yaml_text(text: str, name: str) -> SourceDoc:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ValidationError(
            f"malformed YAML: {exc.problem}",
            location=Location(name, line),
            hint="check indentation and quoting near that line",
        ) from None
    except yaml.YAMLError as exc:
        raise ValidationError(f"malformed YAML: {exc}", location=Location(name)) from None
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _index(node, (), lines, name)
    return SourceDoc(name, data, _lookup(lines))


def _index(node: Node, path: KeyPath, lines: dict[KeyPath, int], name: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            if key in seen:
                raise ValidationError(
                    f"duplicate key {key!r}",
                    location=Location(name, key_node.start_mark.line + 1, key),
                    hint="YAML keeps only the last one; remove the other",
                )
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index(value_node, (*path, key), lines, name)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines, name)


def _lookup(lines: dict[KeyPath, int]) -> Any:
    def line_of(path: KeyPath) -> int | None:
        # The closest ancestor that exists: a missing key is reported at its parent.
        for end in range(len(path), -1, -1):
            found = lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return None

    return line_of
