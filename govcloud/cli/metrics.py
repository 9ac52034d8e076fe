"""`govcloud metrics`: Utilization metrics: collect from agents, show, import spools."""

from __future__ import annotations

import typer

app = typer.Typer(
    no_args_is_help=True, help="Utilization metrics: collect from agents, show, import spools."
)
