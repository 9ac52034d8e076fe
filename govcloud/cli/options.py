"""Shared options as Annotated aliases, so every list command spells them the same."""

from __future__ import annotations

from typing import Annotated, Any

import typer

Columns = Annotated[
    list[str] | None,
    typer.Option(
        "-c",
        "--column",
        metavar="COLUMN",
        help="Show only this column (repeatable); keys as in -o json.",
    ),
]
Long = Annotated[bool, typer.Option("--long", help="Show all columns in tables.")]
Sort = Annotated[
    str | None,
    typer.Option(
        "--sort", metavar="KEYS", help="Sort keys, comma-separated; prefix - for descending."
    ),
]
MAX_LIMIT = 1_000_000_000  # far above any estate; bigger values are refused, not clamped


def given_path(value: str | None) -> str | None:
    """An empty path would mean the current folder: refuse it rather than guess."""
    if value is not None and (not value.strip() or "\0" in value):
        raise typer.BadParameter(f"not a path: {value!r}")
    return value


InventoryDir = Annotated[
    str,
    typer.Argument(help="Folder of declared inventory YAML files.", callback=given_path),
]
Limit = Annotated[
    int | None,
    typer.Option(
        "--limit",
        metavar="N",
        min=0,
        max=MAX_LIMIT,
        help="At most this many rows (0: none, e.g. to see the columns of -o json).",
    ),
]
FailOn = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        metavar="SEVERITY",
        help="Exit 3 on a finding at or above: low|medium|high|critical (or 低|中|高|严重).",
    ),
]


def name_metavars(command: Any) -> None:
    """Give every option that takes a value and has no metavar of its own one from its name
    (`--window WINDOW`), in the whole tree: Typer would print the Python type (`<list[str]>`)."""
    for sub in getattr(command, "commands", {}).values():
        name_metavars(sub)
    for param in command.params:
        if param.metavar is None and not getattr(param, "is_flag", False) and param.name:
            if getattr(param, "count", False) or param.param_type_name == "argument":
                continue
            param.metavar = param.name.upper()
