"""`govcloud sync`: OpenStack -> store."""

from __future__ import annotations

import typer


def sync(ctx: typer.Context) -> None:
    """Pull projects, servers, flavors, quotas, volumes and Placement capacity into the store."""
    raise typer.Exit(1)
