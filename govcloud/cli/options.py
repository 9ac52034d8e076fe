"""Shared options as Annotated aliases, so every list command spells them the same."""

from __future__ import annotations

from typing import Annotated

import typer

Columns = Annotated[
    list[str] | None,
    typer.Option("-c", "--column", help="Show only this column (repeatable); keys as in -o json."),
]
Long = Annotated[bool, typer.Option("--long", help="Show all columns in tables.")]
Sort = Annotated[
    str | None,
    typer.Option("--sort", help="Sort keys, comma-separated; prefix - for descending."),
]
InventoryDir = Annotated[
    str,
    typer.Argument(help="Folder of declared inventory YAML files (or one file)."),
]
FailOn = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        help="Exit 3 on a finding at or above: low|medium|high|critical (or 低|中|高|严重).",
    ),
]
