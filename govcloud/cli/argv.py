"""Global options may follow the sub-command (`govcloud pool list -o json`), as operators type
them; click only reads them before it. Move them to the front, leaving everything after `--`.
A sub-command's own option of the same name stays its own (`log export --output-file F`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typer._click.core import Command

WITH_VALUE = ("--db", "--config", "-o", "--output", "--lang", "--output-file")
FLAGS = ("-v", "-vv", "-vvv", "--verbose", "--bom", "--force")


def hoist_global_options(argv: list[str], command: Command | None = None) -> list[str]:
    """ARGV with global options first; COMMAND (the root) tells which sub-command runs."""
    owned = own_options(command, argv) if command is not None else set()
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if name in owned:
            rest.append(arg)  # its value, if any, follows as an ordinary argument
        elif name in WITH_VALUE and "=" in arg and arg.startswith("--"):
            front.append(arg)
        elif arg in WITH_VALUE and i + 1 < len(argv):
            front.extend(argv[i : i + 2])
            i += 1
        elif arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--"):
            front.append(arg)  # -ojson
        elif arg in FLAGS:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def own_options(root: Command, argv: list[str]) -> set[str]:
    """The option names of the sub-command ARGV invokes (empty for the root itself)."""
    command, i = root, 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            break
        if arg.startswith("-"):
            i += 2 if arg in WITH_VALUE else 1  # a global option (and its value) before the noun
            continue
        sub = getattr(command, "commands", {}).get(arg)
        if sub is None:
            break
        command, i = sub, i + 1
    if command is root:
        return set()
    return {name for param in command.params for name in param.opts}


def front_value(argv: list[str], *names: str) -> str | None:
    """The value of global option NAMES among the hoisted ARGV's leading options, for what must
    be known before Click runs the root (the language of a usage error on a mistyped command)."""
    i = 0
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if eq and name in names:
            return value
        if arg in names and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--") and "-o" in names:
            return arg[2:]
        i += 2 if arg in WITH_VALUE else 1
    return None
