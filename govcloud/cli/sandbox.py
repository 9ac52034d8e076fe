"""`govcloud sandbox`: The OpenStack-compatible sandbox cloud."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="The OpenStack-compatible sandbox cloud.")
