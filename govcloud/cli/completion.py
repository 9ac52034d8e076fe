"""Shell completion from the store: pool codes, department codes and short names, business
system codes and server names, through Typer's completion (`govcloud --install-completion`).

The shell runs `govcloud` with _GOVCLOUD_COMPLETE set for every TAB; main() sends that here,
so ordinary commands never import this. Completers are attached by option name (--pool,
--tenant/--department, --system, --vm) and to the argument of `pool|tenant|vm show`, in one
place, so every command that takes one of these names completes it without declaring so.
Each answer is one small query on the store named by --db/GOVCLOUD_DB/the config; an absent,
broken or outdated store (or config) gives no candidates, never an error in the prompt.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from typer._click.core import Command, Context, Parameter
    from typer._click.shell_completion import CompletionItem

MAX_CANDIDATES = 200  # more is a screenful no one reads; type more letters instead
OPTION_KINDS = {
    "--pool": "pool",
    "--tenant": "department",
    "--department": "department",
    "--system": "system",
    "--vm": "vm",
}
ARGUMENT_KINDS: dict[tuple[str, ...], str] = {
    ("pool", "show"): "pool",
    ("tenant", "show"): "department",
    ("vm", "show"): "vm",
}


def complete(app: typer.Typer, complete_var: str) -> None:
    """Answer the shell's completion request (Typer reads it from COMPLETE_VAR and the
    shell's own variables) and exit."""
    command = typer.main.get_command(app)
    attach(command)
    command.main(args=[], prog_name="govcloud", complete_var=complete_var)


def attach(command: Command, path: tuple[str, ...] = ()) -> None:
    """Give every parameter that names a pool, department, system or server its completer."""
    for param in command.params:
        kind = ARGUMENT_KINDS.get(path) if param.param_type_name == "argument" else None
        for name in param.opts:
            kind = OPTION_KINDS.get(name, kind)
        if kind is not None:
            # what `shell_complete=` on the declaration sets; Typer's own `autocompletion=`
            # wrapper would filter case-sensitively, and codes are matched in any case
            param._custom_shell_complete = completer(kind)
    for name, sub in getattr(command, "commands", {}).items():
        attach(sub, (*path, name))


def completer(kind: str) -> Callable[[Context, Parameter, str], list[CompletionItem]]:
    def complete_names(ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
        from typer._click.shell_completion import CompletionItem

        return [
            CompletionItem(value, help=text) for value, text in candidates(ctx, kind, incomplete)
        ]

    return complete_names


def candidates(ctx: Context, kind: str, prefix: str) -> list[tuple[str, str]]:
    """(value, what it names) for KIND beginning with PREFIX, from the store the command line
    names; nothing at all when the store cannot answer."""
    root = ctx.find_root().params
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a warning would land in the middle of the prompt
            import os

            from govcloud.cli.display import resolve_display
            from govcloud.services.names import names
            from govcloud.services.settings import load_config, resolve

            env = dict(os.environ)
            file = load_config(root.get("config"), env)
            lang = resolve_display(root.get("lang"), None, file, env).lang
            found = names(resolve(db=root.get("db"), env=env, file=file), kind, prefix,
                          limit=MAX_CANDIDATES)  # fmt: skip
    except Exception:  # whatever went wrong, the prompt gets no candidates, not a traceback
        return []
    return [(n.value, n.zh if lang == "zh" else n.en) for n in found]
