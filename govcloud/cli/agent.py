"""`govcloud agent`: the agent on legacy servers: deploy it over SSH."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govcloud.cli.options import Columns, Long
from govcloud.cli.render import Column as C
from govcloud.cli.state import state

app = typer.Typer(no_args_is_help=True, help="The govcloud agent on legacy servers: deploy it.")
Opt = typer.Option

DEPLOY = (
    C("host", "主机", "Host"),
    C("step", "步骤", "Step", kind="int"),
    C("action", "操作", "Action"),
    C("detail", "说明", "Detail"),
    C("status", "状态", "Status"),
    C("error", "错误", "Error"),
)


@app.command()
def deploy(
    ctx: typer.Context,
    hosts: Annotated[list[str], typer.Argument(help="Declared legacy hosts (hosts.yaml).")],
    service: Annotated[
        str,
        Opt("--service", help="systemd (a unit; needs root) or none (detached, PID file)."),
    ] = "systemd",
    listen: Annotated[
        str,
        Opt("--listen", help="loopback (scraped through SSH) or host (the declared address)."),
    ] = "loopback",
    port: Annotated[int, Opt("--port", min=1, max=65535, help="The agent's port.")] = 9109,
    spool: Annotated[
        str | None,
        Opt("--spool", help="Spool mode (isolated hosts): no HTTP, files in this remote dir."),
    ] = None,
    install_dir: Annotated[
        str | None,
        Opt("--install-dir", help="Remote dir for the zipapp (default /opt/govcloud-agent)."),
    ] = None,
    zipapp: Annotated[
        Path | None, Opt("--zipapp", help="govcloud-agent.pyz to install (default: build one).")
    ] = None,
    dry_run: Annotated[
        bool, Opt("--dry-run", help="List the steps per host; change nothing.")
    ] = False,
    concurrency: Annotated[int, Opt("--concurrency", min=1, max=256)] = 8,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Install govcloud-agent on HOSTS over SSH, start it, verify one scrape (idempotent)."""
    from govcloud.cli.host import ask_passphrase
    from govcloud.cli.render import render
    from govcloud.core.agent_deploy import DeployOptions
    from govcloud.core.errors import GovcloudError, UsageError
    from govcloud.services import agent_deploy as service_

    st = state(ctx)
    if listen not in ("loopback", "host"):
        raise UsageError(f"unknown --listen {listen!r}", hint="loopback | host")
    opts = DeployOptions(service, f"127.0.0.1:{port}", spool)
    report = service_.deploy(
        st.settings, hosts, opts, listen_on_host=listen == "host", install_dir=install_dir,
        zipapp=zipapp, dry_run=dry_run, concurrency=concurrency, passphrase=ask_passphrase,
    )  # fmt: skip
    render(report.rows, DEPLOY, st.render_options(column, long))
    if report.failed:
        if st.display.output == "json":
            raise typer.Exit(1)  # the rows carry status and error; stdout stays one document
        raise GovcloudError(report.failure_message(), hint="the other hosts were deployed")
