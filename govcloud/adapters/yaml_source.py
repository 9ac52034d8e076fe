"""Reads declared YAML with safe loading only, keeping the line of every key for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from govcloud.core.errors import Location, UsageError, ValidationError
from govcloud.core.source_doc import KeyPath, SourceDoc

MAX_FILE_BYTES = 16 * 1024 * 1024  # a city's whole estate is well under 1 MiB of YAML
MAX_DEPTH = 64  # declared files nest five or six levels; deeper is an attack or a mistake
MAX_EXPANDED_NODES = 2_000_000  # nodes after alias expansion: bounds time and memory


def read_inventory_dir(directory: Path) -> list[SourceDoc]:
    """Every `*.yaml`/`*.yml` below DIR, in a stable order.

    One file is refused: the inventory is the whole folder, and loading a part of it would
    remove everything the other files declare.
    """
    if not str(directory).strip() or "\0" in str(directory):
        raise UsageError(
            f"no inventory folder given ({str(directory)!r})",
            hint="pass the folder holding pools.yaml, departments.yaml, ... e.g. inventory/example",
        )
    if not directory.exists():
        raise UsageError(
            f"inventory directory {str(directory)!r} does not exist",
            hint="pass the folder holding pools.yaml, departments.yaml, ... e.g. inventory/example",
        )
    if not directory.is_dir():
        raise UsageError(
            f"{directory} is a file, not the inventory folder",
            hint=f"give the folder: {directory.parent} (the inventory is all its YAML files)",
        )
    files = sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [read_yaml_file(p) for p in files]


def read_yaml_file(path: Path) -> SourceDoc:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValidationError(
                f"file is larger than {MAX_FILE_BYTES // 2**20} MiB",
                location=Location(str(path)),
                hint="the bound keeps validation fast and small; split it or remove stray data",
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
    """Compose with libyaml when present, check the node graph, then construct from it once.

    Aliases share nodes, so composing a billion-laughs file is cheap; what explodes is walking
    the expanded tree. The graph is therefore measured first and refused past the bounds.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return SourceDoc(name, None, _lookup({}))
        _check_graph(node, name)
        data: Any = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = (exc.problem or exc.context or "unreadable").splitlines()[0]
        raise ValidationError(
            f"malformed YAML: {problem}",
            location=Location(name, line),
            hint="check indentation and quoting near that line; tags like !!python/... are refused",
        ) from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValidationError(f"malformed YAML: {first}", location=Location(name)) from None
    except RecursionError:
        raise ValidationError(
            "YAML nested too deeply", location=Location(name), hint=f"at most {MAX_DEPTH} levels"
        ) from None
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    _index(node, (), lines, name)
    return SourceDoc(name, data, _lookup(lines))


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_graph(root: Node, name: str) -> None:
    """Refuse deep nesting, recursive aliases and documents whose aliases expand past the bound.

    Counts nodes as the tree would be walked with every alias expanded (memoised per node, so
    the count itself stays linear in the file).
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node, depth: int) -> int:
        key = id(node)
        known = sizes.get(key)
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            raise ValidationError(
                "YAML nested too deeply",
                location=Location(name, node.start_mark.line + 1),
                hint=f"at most {MAX_DEPTH} levels",
            )
        if key in active:
            raise ValidationError(
                "recursive YAML alias",
                location=Location(name, node.start_mark.line + 1),
                hint="an anchor may not contain an alias to itself",
            )
        active.add(key)
        total = 1
        if isinstance(node, MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
        active.discard(key)
        sizes[key] = total
        return total

    expanded = size(root, 0)
    if expanded > MAX_EXPANDED_NODES or expanded > 4 * len(sizes) + 10_000:
        raise ValidationError(
            f"YAML aliases expand to {expanded:,} nodes from {len(sizes):,} written ones",
            location=Location(name),
            hint="a billion-laughs file? write the values out instead of nesting aliases",
        )


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
