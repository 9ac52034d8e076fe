"""`govcloud quota`: Quotas per department, pool and resource: show, check, plan, apply."""

from __future__ import annotations

import typer

app = typer.Typer(
    no_args_is_help=True, help="Quotas per department, pool and resource: show, check, plan, apply."
)
