"""The `govcloud` command: global options, sub-apps per noun, the one place errors are caught."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer

from govcloud import __version__
from govcloud.cli.state import CliState

COMPLETE_VAR = "_GOVCLOUD_COMPLETE"  # Typer's name for it: the shell's completion request

HELP = (
    "Resource management for OpenStack government clouds (政务云): inventory, quotas, "
    "utilization audits, migration planning."
)
# Every sub-command, in the order of --help: a group (a module's `app`) or one command (a
# module's function). A run imports only the module of the command it names, so a read does
# not pay for importing and building the other 19 (docs/benchmarks.md, "Read commands");
# --help, a mistyped command and shell completion build the whole tree.
GROUPS = ("inventory", "pool", "tenant", "vm", "volume", "fip", "quota", "metrics", "agent",
          "audit", "playbook", "report", "sandbox", "log", "role", "host", "migrate",
          "warm")  # fmt: skip
COMMANDS = ("init", "demo", "sync", "rightsize")
ORDER = ("init", "demo", "inventory", "pool", "tenant", "vm", "volume", "fip", "quota", "sync",
         "metrics", "agent", "audit", "rightsize", "playbook", "report", "sandbox", "log", "role",
         "host", "migrate", "warm")  # fmt: skip


def build_app(only: str | None = None) -> typer.Typer:
    """The CLI with every sub-command, or with ONLY that one (and the global options)."""
    import importlib

    cli = typer.Typer(
        no_args_is_help=True,
        help=HELP,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    cli.callback()(root)
    for name in ORDER:
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"govcloud.cli.{name}")
        if name in COMMANDS:
            cli.command(name)(getattr(module, name))
        else:
            cli.add_typer(module.app, name=name)
    return cli


_JOINED = ("--db=", "--config=", "--output=", "--output-file=", "--lang=")


def command_word(argv: list[str]) -> str | None:
    """The sub-command ARGV names, when it names one; None for --help, a typo or nothing."""
    from govcloud.cli.argv import FLAGS, WITH_VALUE

    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in WITH_VALUE:
            i += 2
        elif arg in FLAGS or arg.startswith(_JOINED) or (arg[:2] == "-o" and len(arg) > 2):
            i += 1
        elif arg.startswith("-"):  # --help, --version, a typo: the whole tree answers
            return None
        else:
            return arg if arg in ORDER else None
    return None


app: typer.Typer  # assigned by __getattr__ on first use


def __getattr__(name: str) -> typer.Typer:
    """`app`: the whole CLI, built on first use (tests, completion, the role table's walk)."""
    if name == "app":
        global app
        app = build_app()
        return app
    raise AttributeError(name)


def _version(value: bool) -> None:
    if value:
        print(f"govcloud {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="URL", help="Store URL or SQLite path [env GOVCLOUD_DB]."),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option("--config", metavar="FILE", help="Config file [env GOVCLOUD_CONFIG]."),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FORMAT",
            help="table|json|csv|yaml|xlsx [env GOVCLOUD_OUTPUT]; xlsx needs --output-file.",
        ),
    ] = None,
    output_file: Annotated[
        str | None,
        typer.Option(
            "--output-file",
            metavar="FILE",
            help="Write the listing to FILE (0600) instead of "
            "stdout; format from -o, else from the suffix (.xlsx .csv .json .yaml).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing --output-file.")
    ] = False,
    bom: Annotated[
        bool,
        typer.Option("--bom", help="-o csv: begin with a UTF-8 BOM, for Excel on Chinese Windows."),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", metavar="LANG", help="zh|en; default from the locale [env GOVCLOUD_LANG]."
        ),
    ] = None,
    verbose: Annotated[
        int, typer.Option("-v", "--verbose", count=True, help="More logging on stderr.")
    ] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    st = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
    st.db, st.config, st.output, st.lang, st.verbose = db, config, output, lang, verbose
    ctx.obj = st
    from govcloud.cli.output_file import implied_format, prepare

    st.output_file = prepare(output, output_file, force)
    st.output = output or implied_format(st.output_file)
    st.bom = bom
    if verbose:
        level = logging.DEBUG if verbose > 1 else logging.INFO
        logging.basicConfig(
            level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
        )


def main(argv: list[str] | None = None) -> None:
    import warnings

    from govcloud.cli.errors import run

    # openstacksdk warns about arguments it passes to itself; silenced once for the process,
    # not per call: catch_warnings is process-wide state that parallel pool threads would race
    for category in (PendingDeprecationWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", category=category, module="openstack")
    if COMPLETE_VAR in os.environ:  # the shell asks for candidates: answer and exit
        from govcloud.cli.completion import complete

        complete(build_app(), COMPLETE_VAR)
    args = sys.argv[1:] if argv is None else argv
    sys.exit(run(build_app(command_word(args)), args, CliState()))
