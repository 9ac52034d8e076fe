"""`govcloud inventory validate|load`: declared YAML -> store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from govcloud.cli.options import InventoryDir
from govcloud.cli.state import CliState, state

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
def load(
    ctx: typer.Context,
    directory: InventoryDir = "inventory",
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Remove what the folder no longer declares, without asking "
            "(departments take their projects, approved quotas and systems with them).",
        ),
    ] = False,
) -> None:
    """Validate, then write declared state into the store in one transaction (creates the store).

    A load that would remove anything shows the counts and asks on a terminal; elsewhere it
    needs --prune.
    """
    from govcloud.cli import columns
    from govcloud.cli.render import render
    from govcloud.services import inventory

    st = state(ctx)
    stats = inventory.load(
        st.settings, Path(directory), prune=prune, confirm=lambda planned: _ask(st, planned)
    )
    render(stats, columns.INVENTORY, st.render_options())


def _ask(st: CliState, planned: dict[str, int]) -> bool:
    """Yes only from a person at a terminal; a pipe or a cron job gets the refusal."""
    from govcloud.services.inventory import removal_text

    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    typer.echo(st.tr(f"This load removes {removal_text(planned)}."), err=True)  # at a terminal
    return typer.confirm(st.tr("Remove them?"), default=False, err=True)
