"""`govcloud init`: create or upgrade the store, write a config file if there is none."""

from __future__ import annotations

import typer

from govcloud.cli.state import state


def init(ctx: typer.Context) -> None:
    """Create the store (or upgrade its schema) and a starter config file."""
    from govcloud.cli import columns
    from govcloud.cli.render import render_one
    from govcloud.services import setup

    st = state(ctx)
    render_one(setup.initialise(st.settings), columns.STORE, st.render_options())
