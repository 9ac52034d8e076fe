"""The `govcloud` command: global options, sub-apps per noun, the one place errors are caught."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer

from govcloud import __version__
from govcloud.cli import (
    agent,
    audit,
    fip,
    host,
    inventory,
    log,
    metrics,
    migrate,
    playbook,
    pool,
    quota,
    report,
    rightsize,
    role,
    sandbox,
    sync,
    tenant,
    vm,
    volume,
)
from govcloud.cli import demo as demo_cmd
from govcloud.cli import init as init_cmd
from govcloud.cli.state import CliState

COMPLETE_VAR = "_GOVCLOUD_COMPLETE"  # Typer's name for it: the shell's completion request

app = typer.Typer(
    no_args_is_help=True,
    help="Resource management for OpenStack government clouds (政务云): inventory, quotas, "
    "utilization audits, migration planning.",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("init")(init_cmd.init)
app.command("demo")(demo_cmd.demo)
app.add_typer(inventory.app, name="inventory")
app.add_typer(pool.app, name="pool")
app.add_typer(tenant.app, name="tenant")
app.add_typer(vm.app, name="vm")
app.add_typer(volume.app, name="volume")
app.add_typer(fip.app, name="fip")
app.add_typer(quota.app, name="quota")
app.command("sync")(sync.sync)
app.add_typer(metrics.app, name="metrics")
app.add_typer(agent.app, name="agent")
app.add_typer(audit.app, name="audit")
app.command("rightsize")(rightsize.rightsize)
app.add_typer(playbook.app, name="playbook")
app.add_typer(report.app, name="report")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(log.app, name="log")
app.add_typer(role.app, name="role")
app.add_typer(host.app, name="host")
app.add_typer(migrate.app, name="migrate")


def _version(value: bool) -> None:
    if value:
        print(f"govcloud {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help="Store URL or SQLite path [env GOVCLOUD_DB].")
    ] = None,
    config: Annotated[
        str | None, typer.Option("--config", help="Config file [env GOVCLOUD_CONFIG].")
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
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
        typer.Option("--lang", help="zh|en; default from the locale [env GOVCLOUD_LANG]."),
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

        complete(app, COMPLETE_VAR)

    sys.exit(run(app, argv, CliState()))
