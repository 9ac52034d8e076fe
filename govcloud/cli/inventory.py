"""`govcloud inventory validate|load`: declared YAML -> store."""

from __future__ import annotations

from pathlib import Path

import typer

from govcloud.cli.options import InventoryDir
from govcloud.cli.state import state

app = typer.Typer(
    no_args_is_help=True, help="Declared inventory: pools, departments, systems, hosts."
)


@app.command()
def validate(ctx: typer.Context, directory: InventoryDir = "inventory") -> None:
    """Check declared YAML without touching the store; errors name file:line and the key."""
    from govcloud.cli import columns
    from govcloud.cli.render import render
    from govcloud.services import inventory

    st = state(ctx)
    stats = inventory.validate(Path(directory))
    render(stats, columns.INVENTORY[:2], st.render_options())


@app.command()
def load(ctx: typer.Context, directory: InventoryDir = "inventory") -> None:
    """Validate, then write declared state into the store in one transaction (creates the store)."""
    from govcloud.cli import columns
    from govcloud.cli.render import render
    from govcloud.services import inventory

    st = state(ctx)
    stats = inventory.load(st.settings, Path(directory))
    render(stats, columns.INVENTORY, st.render_options())
