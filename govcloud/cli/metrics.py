"""`govcloud metrics`: Utilization metrics: collect from agents, show, import spools."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from govcloud.cli.options import Columns, Limit, Long
from govcloud.cli.state import CliState, state

if TYPE_CHECKING:
    from govcloud.services.metrics import CollectOptions, SweepReport

app = typer.Typer(
    no_args_is_help=True, help="Utilization metrics: collect from agents, show, import spools."
)
Opt = typer.Option


def _seconds(text: str, option: str, default_unit: str = "s") -> float:
    from govcloud.core.errors import UsageError
    from govcloud.core.utilization import parse_duration_s

    try:
        return parse_duration_s(text, default_unit)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


@app.command()
def collect(
    ctx: typer.Context,
    targets: Annotated[
        str | None, Opt("--targets", help="YAML list of {url, instance_uuid?, name?, labels?}.")
    ] = None,
    port: Annotated[
        int | None,
        Opt(
            "--port",
            min=1,
            max=65535,
            help="Also scrape the store's servers on this port "
            "(the default without --targets: 9109).",
        ),
    ] = None,
    every: Annotated[
        str | None, Opt("--every", help="Keep collecting at this interval, e.g. 60s.")
    ] = None,
    concurrency: Annotated[int, Opt("--concurrency", min=1, max=4096)] = 64,
    timeout: Annotated[str, Opt("--timeout", help="Whole-request deadline per target.")] = "5s",
    max_body_mib: Annotated[int, Opt("--max-body-mib", min=1, max=1024)] = 10,
    retention: Annotated[str, Opt("--retention", help="Drop days older than this.")] = "400d",
    downsample_after: Annotated[
        str | None, Opt("--downsample-after", help="Keep older days at 1-hour resolution.")
    ] = None,
    ca_file: Annotated[
        str | None, Opt("--ca-file", help="CA that signed the agents' certificates (PEM).")
    ] = None,
    cert_file: Annotated[
        str | None, Opt("--cert-file", help="Client certificate for agents that require mTLS.")
    ] = None,
    key_file: Annotated[str | None, Opt("--key-file", help="Key of --cert-file.")] = None,
    basic_auth_user: Annotated[
        str | None, Opt("--basic-auth-user", help="Basic-auth user (https targets only).")
    ] = None,
    basic_auth_password_file: Annotated[
        str | None, Opt("--basic-auth-password-file", help="File holding the password.")
    ] = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Scrape agents / node_exporters into the embedded store (5-minute resolution)."""
    from govcloud.services import metrics as service

    st = state(ctx)
    opts = service.CollectOptions(
        targets_file=targets,
        port=port,
        concurrency=concurrency,
        timeout_s=_seconds(timeout, "--timeout"),
        max_body_mib=max_body_mib,
        retention_days=round(_seconds(retention, "--retention", "d") / 86400) or 1,
        downsample_after_days=(
            round(_seconds(downsample_after, "--downsample-after", "d") / 86400) or 1
            if downsample_after
            else None
        ),
        ca_file=ca_file,
        cert_file=cert_file,
        key_file=key_file,
        basic_auth_user=basic_auth_user,
        basic_auth_password_file=basic_auth_password_file,
    )
    if every is None:
        _finish(st, service.collect_once(st.settings, opts), column, long)
    else:
        _loop(st, opts, _seconds(every, "--every"))


def _finish(st: CliState, report: SweepReport, column: list[str] | None, long: bool) -> None:
    from govcloud.cli.metrics_columns import COLLECT
    from govcloud.cli.render import render
    from govcloud.core.errors import GovcloudError

    render(report.rows, COLLECT, st.render_options(column, long))
    if report.failed:
        if st.display.output == "json":
            raise typer.Exit(1)  # the rows carry status and error; stdout stays one document
        raise GovcloudError(
            report.failure_message(),
            hint="the other targets' samples were stored; details per target above",
        )


def _loop(st: CliState, opts: CollectOptions, every_s: float) -> None:
    """One summary line per sweep (JSON Lines with -o json) until SIGTERM or Ctrl-C."""
    import signal
    import threading

    from govcloud.services import metrics as service

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    as_json = st.display.output == "json"

    def on_report(report: SweepReport) -> None:
        failed = [r for r in report.rows if r.status != "ok"]
        if as_json:
            summary = {"targets": len(report.rows), "failed": len(failed)}
            summary["chunks_written"] = report.chunks_written
            print(json.dumps(summary), flush=True)
            return
        st.note(report.failure_message() if failed else f"{len(report.rows)} targets ok")
        for row in failed[:20]:
            st.note(f"  {row.url}: {st.tr(row.error or '')}")

    try:
        service.collect_loop(st.settings, opts, every_s, stop, on_report)
    except KeyboardInterrupt:
        stop.set()


@app.command()
def show(
    ctx: typer.Context,
    vm: Annotated[
        str | None, Opt("--vm", metavar="SERVER", help="Server id, name, or target name/URL.")
    ] = None,
    tenant: Annotated[
        str | None, Opt("--tenant", metavar="DEPT", help="Department code or name, any case.")
    ] = None,
    metric: Annotated[
        str,
        Opt(
            "--metric",
            help="cpu_pct, mem_used_pct, disk_used_pct, "
            "disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps, load1",
        ),
    ] = "cpu_pct",
    window: Annotated[str, Opt("--window", help="Trailing window, e.g. 14d, 36h.")] = "14d",
    source: Annotated[
        str, Opt("--source", help="embedded, prometheus (with --prometheus-url), or a URL.")
    ] = "embedded",
    prometheus_url: Annotated[
        str | None,
        Opt("--prometheus-url", envvar="GOVCLOUD_PROMETHEUS_URL", help="Prometheus API base URL."),
    ] = None,
    prometheus_step: Annotated[
        str, Opt("--prometheus-step", help="Evaluation interval of the recording rules.")
    ] = "5m",
    limit: Limit = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Per VM: P50/P95/P99/max/avg and data coverage over the window."""
    from govcloud.cli.empty import note_if_empty
    from govcloud.cli.metrics_columns import UTILIZATION
    from govcloud.cli.render import render
    from govcloud.services import metrics as service

    st = state(ctx)
    opts = service.ShowOptions(
        metric=metric,
        window_s=round(_seconds(window, "--window", "d")),
        vm=vm,
        tenant=tenant,
        prometheus_url=_source_url(source, prometheus_url),
        prometheus_step_s=max(1, round(_seconds(prometheus_step, "--prometheus-step"))),
    )
    rows = service.show(st.settings, opts)
    render(rows[:limit], UTILIZATION, st.render_options(column, long))
    note_if_empty(st, rows)


def _source_url(source: str, prometheus_url: str | None) -> str | None:
    from govcloud.core.errors import UsageError

    if source == "embedded":
        return None
    if source.startswith(("http://", "https://")):
        return source
    if source == "prometheus" and prometheus_url:
        return prometheus_url
    if source == "prometheus":
        raise UsageError(
            "--source prometheus needs a URL",
            hint="add --prometheus-url URL (or GOVCLOUD_PROMETHEUS_URL), or pass --source URL",
        )
    raise UsageError(f"unknown --source {source!r}", hint="embedded | prometheus | http(s)://URL")


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[
        str | None, typer.Argument(help="Agent spool directory or one spool file.")
    ] = None,
    from_host: Annotated[
        list[str] | None,
        Opt("--from-host", help="Fetch the spool files of this declared host over SFTP."),
    ] = None,
    spool_dir: Annotated[
        str, Opt("--spool-dir", help="Remote spool directory (with --from-host).")
    ] = "/var/lib/govcloud-agent/spool",
    column: Columns = None,
    long: Long = False,
) -> None:
    """Read govcloud-agent spool files into the embedded store (local or fetched over SFTP)."""
    from govcloud.cli.metrics_columns import COLLECT
    from govcloud.cli.render import escape_controls, render
    from govcloud.core.errors import GovcloudError, UsageError
    from govcloud.services import metrics as service

    st = state(ctx)
    if (path is None) == (not from_host):
        raise UsageError("give a spool PATH or --from-host HOST (not both)")
    errors: list[str] = []
    if from_host:
        from govcloud.cli.host import ask_passphrase

        report, errors = service.import_from_hosts(
            st.settings, from_host, spool_dir, ask_passphrase
        )
    else:
        assert path is not None
        report = service.import_spool(st.settings, path)
    render(report.rows, COLLECT, st.render_options(column, long))
    if st.display.output == "json":
        if errors:
            raise typer.Exit(1)  # stdout stays one document
        return
    skipped = len(report.torn_lines) + len(report.rejected)
    st.note(f"{report.records} records from {report.files} file(s); {skipped} line(s) skipped")
    for where in report.torn_lines[:20]:
        st.note(f"  {escape_controls(where)}: torn line (incomplete write) skipped")
    for why in report.rejected[:20]:
        st.note(f"  {escape_controls(st.tr(why))}")
    for error in errors[:20]:
        st.note(f"  {escape_controls(st.tr(error))}")
    if errors:
        raise GovcloudError(
            f"{len(errors)} host(s) or file(s) could not be fetched",
            hint="the others were imported; details above",
        )
