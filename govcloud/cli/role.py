"""`govcloud role show`, and the one place every command's role is checked.

The check has to run after Click has resolved the full command path (`quota apply`, not just
`quota`) and before the command body does anything; the root callback only knows the first
word and a result callback runs too late. So `guard` wraps the callback of every leaf command of
the freshly built Click tree, once per run, in `cli/errors.run`: one place, no command can
forget it, and `--help` (which never reaches a callback) stays open to anyone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer

from govcloud.cli.render import Column
from govcloud.cli.state import CliState, state

app = typer.Typer(no_args_is_help=True, help="Roles (三权分立): who may run which command.")

WHOAMI = (
    Column("user", "用户", "User"),
    Column("groups", "用户组", "Groups"),
    Column("roles_enabled", "角色控制", "Roles enabled", kind="bool"),
    Column("roles", "角色", "Roles"),
    Column("because", "依据", "Because"),
)


@app.command("show")
def show(ctx: typer.Context) -> None:
    """The caller's OS user, groups and roles (any user may run it)."""
    from govcloud.cli.render import render_one
    from govcloud.services import roles

    st = state(ctx)
    render_one(roles.whoami(st.settings), WHOAMI, st.render_options())


def guard(command: Any, st: CliState) -> None:
    """Wrap every leaf command under COMMAND so its role is checked before it runs."""
    _wrap(command, (), st)


def _wrap(command: Any, path: tuple[str, ...], st: CliState) -> None:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            _wrap(sub, (*path, name), st)
    elif command.callback is not None:
        command.callback = _checked(command.callback, " ".join(path), st)


def _checked(body: Callable[..., Any], command: str, st: CliState) -> Callable[..., Any]:
    @functools.wraps(body)
    def run_checked(*args: Any, **kwargs: Any) -> Any:
        from govcloud.services import roles

        roles.check(st.settings, command)
        return body(*args, **kwargs)

    return run_checked
