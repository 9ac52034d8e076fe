"""`govcloud host trust|discover|list|show`: legacy servers reached over SSH (issue 10 §1)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from govcloud.cli.options import Columns, Limit, Long
from govcloud.cli.state import state

app = typer.Typer(
    no_args_is_help=True, help="Legacy servers: trust their SSH keys, discover and show facts."
)
Opt = typer.Option


def ask_passphrase(path: str) -> str | None:
    """Ask for a key file's passphrase on the terminal; None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass(f"passphrase for {path}: ")


@app.command()
def trust(
    ctx: typer.Context,
    host: Annotated[str, typer.Argument(help="Declared legacy host or jump host name.")],
    fingerprint: Annotated[
        str | None,
        Opt("--fingerprint", help="SHA256:… of the host key, obtained out of band."),
    ] = None,
    from_known_hosts: Annotated[
        Path | None,
        Opt("--from-known-hosts", help="Import the host's lines from this OpenSSH known_hosts."),
    ] = None,
) -> None:
    """Trust HOST's SSH key: only if it matches the fingerprint, or as listed in FILE."""
    from govcloud.services import hosts

    st = state(ctx)
    result = hosts.trust(
        st.settings,
        host,
        fingerprint=fingerprint,
        from_file=from_known_hosts,
        passphrase=ask_passphrase,
    )
    if st.display.output == "json":
        import json

        print(json.dumps(asdict(result), ensure_ascii=False))
        return
    zh = st.display.lang == "zh"
    if result.already:
        print(
            f"{result.host}：主机密钥 {result.fingerprint} 已受信任"
            if zh
            else f"{result.host}: host key {result.fingerprint} already trusted"
        )
    else:
        print(
            f"{result.host}：已信任主机密钥 {result.fingerprint}（{result.key_type}）"
            if zh
            else f"{result.host}: trusted host key {result.fingerprint} ({result.key_type})"
        )


@app.command()
def discover(
    ctx: typer.Context,
    hosts_: Annotated[
        list[str] | None, typer.Argument(metavar="[HOST]...", help="Legacy host names.")
    ] = None,
    every: Annotated[bool, Opt("--all", help="Every declared legacy host.")] = False,
    concurrency: Annotated[int, Opt("--concurrency", help="Hosts at a time.")] = 8,
    timeout: Annotated[float, Opt("--timeout", help="Seconds per host, all commands.")] = 120.0,
    command_timeout: Annotated[
        float, Opt("--command-timeout", help="Seconds per command; past it the host fails.")
    ] = 30.0,
    column: Columns = None,
) -> None:
    """Run the read-only command set on each host and store its facts; one line per host."""
    from govcloud.cli.host_columns import RESULT, result_row, summary
    from govcloud.cli.render import render
    from govcloud.services import hosts

    st = state(ctx)
    bar = _Bar(enabled=sys.stderr.isatty(), tr=st.tr)
    with bar:
        results = hosts.discover(
            st.settings,
            hosts_ or [],
            every=every,
            concurrency=concurrency,
            host_timeout_s=timeout,
            command_timeout_s=command_timeout,
            passphrase=ask_passphrase,
            progress=bar.advance,
            started=bar.start,
        )
    opts = st.render_options(column)
    render([result_row(r) for r in results], RESULT, opts)
    line = summary(results, opts.lang)
    if opts.output == "table":
        print(line)
    else:
        sys.stderr.write(line + "\n")  # in the display language already
    if any(not r.ok for r in results):
        raise typer.Exit(1)


class _Bar:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, enabled: bool, tr: Callable[[str], str]) -> None:
        self._progress: Any = None
        self._task: Any = None
        self._tr = tr  # a host's error in the language of notes
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._progress = Progress(
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True, markup=False, highlight=False),
                transient=True,
            )

    def __enter__(self) -> _Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def start(self, total: int) -> None:
        if self._progress is not None:
            self._task = self._progress.add_task("hosts", total=total)

    def advance(self, result: Any) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)
            if not result.ok:
                self._progress.console.print(
                    self._tr(result.error or ""), markup=False, highlight=False
                )


@app.command("list")
def list_(
    ctx: typer.Context, limit: Limit = None, column: Columns = None, long: Long = False
) -> None:
    """Declared legacy hosts with their discovery status and main facts."""
    from govcloud.cli.empty import note_if_empty
    from govcloud.cli.host_columns import HOST, host_row
    from govcloud.cli.render import render
    from govcloud.services import hosts

    st = state(ctx)
    rows = [host_row(s) for s in hosts.statuses(st.settings)]
    render(rows[:limit], HOST, st.render_options(column, long))
    note_if_empty(st, rows)


@app.command()
def show(
    ctx: typer.Context,
    host: Annotated[str, typer.Argument(help="Declared legacy host name.")],
) -> None:
    """One host: its facts, disks, filesystems, listeners, middleware and connections."""
    from govcloud.cli.host_columns import DETAIL, SECTIONS, host_row
    from govcloud.cli.render import render, render_one
    from govcloud.services import hosts

    st = state(ctx)
    s = hosts.status(st.settings, host)
    opts = st.render_options(long=True)
    row = host_row(s, detail=True)
    if opts.output != "table":
        for key, *_ in SECTIONS:
            row[key] = [asdict(x) for x in getattr(s.facts, key)] if s.facts else []
        render_one(row, [*DETAIL, *(_section_column(key) for key, *_ in SECTIONS)], opts)
        return
    render_one(row, DETAIL, opts)
    if s.facts is None:
        return
    for key, zh, en, section in SECTIONS:
        items = getattr(s.facts, key)
        if items:
            print(f"\n{zh if opts.lang == 'zh' else en}")
            render([asdict(x) for x in items], section, opts)


def _section_column(key: str) -> Any:
    from govcloud.cli.render import Column

    return Column(key, key, key)
