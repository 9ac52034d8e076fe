"""`govcloud report capacity|utilization|rightsizing|audit|department|migration`: write report
files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from govcloud.cli.state import state

app = typer.Typer(
    no_args_is_help=True,
    help="Reports as HTML, XLSX, Markdown, JSON or CSV files (Chinese or English labels).",
)

Opt = typer.Option
Formats = Annotated[str, Opt("--format", "-f", help="Comma-separated: html,xlsx,md,json,csv.")]
OutputDir = Annotated[Path, Opt("--output-dir", help="Folder the files are written to.")]
RunId = Annotated[int | None, Opt("--run", help="Audit run id (default: the newest).")]
Tenant = Annotated[str | None, Opt("--tenant", help="Only this department (code or name).")]
Window = Annotated[str, Opt("--window", help="Utilization window, e.g. 14d.")]

_HELP = {
    "capacity": "Per pool: capacity vs committed quota vs allocated vs used; forecast; costs.",
    "utilization": "Per department and pool: CPU/memory P95, each VM's CPU peak, coverage.",
    "rightsizing": "Recommendations and reclaimable vCPU, GiB and yuan/year.",
    "audit": "Findings by severity and check, what to reclaim, changes since the last run.",
    "department": "One report per department: bill, utilization, findings, what to reclaim.",
}


def _command(kind: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        format_: Formats = "html,xlsx",
        output_dir: OutputDir = Path("reports"),
        run: RunId = None,
        tenant: Tenant = None,
        window: Window = "14d",
    ) -> None:
        from govcloud.cli.render import Column, render
        from govcloud.services.audit import parse_window_s
        from govcloud.services.report import write_reports

        st = state(ctx)
        paths = write_reports(
            st.settings,
            kind,
            [format_],
            output_dir,
            lang=st.display.lang,
            run_id=run,
            department=tenant,
            window_s=parse_window_s(window),
        )
        rows = [{"kind": kind, "format": p.suffix.lstrip("."), "path": str(p)} for p in paths]
        columns = [
            Column("kind", "报告", "Report"),
            Column("format", "格式", "Format"),
            Column("path", "文件", "File"),
        ]
        render(rows, columns, st.render_options())

    command.__doc__ = _HELP[kind]
    return command


for _kind in _HELP:
    app.command(_kind)(_command(_kind))

MigrationFormats = Annotated[
    str,
    Opt("--format", "-f", help="Comma-separated: html,xlsx,md,json,csv; workloads: wave-NN.json."),
]


@app.command("migration")
def migration(
    ctx: typer.Context,
    format_: MigrationFormats = "html,xlsx",
    output_dir: OutputDir = Path("reports"),
    pool: Annotated[str | None, Opt("--pool", help="Only this pool may take hosts.")] = None,
    tenant: Tenant = None,
    max_wave_hosts: Annotated[
        int | None, Opt("--max-wave", min=1, help="Hosts per wave (default 20).")
    ] = None,
) -> None:
    """The migration-to-cloud plan: cloud adoption (上云率), waves, every host's target, pool
    fit, risks."""
    from govcloud.cli.render import Column, render
    from govcloud.core.migration_plan import PlanOptions
    from govcloud.services.report import write_migration_report

    st = state(ctx)
    options = PlanOptions(pool=pool, tenant=tenant)
    if max_wave_hosts is not None:
        options = replace(options, max_wave_hosts=max_wave_hosts)
    paths = write_migration_report(
        st.settings, [format_], output_dir, lang=st.display.lang, options=options
    )
    rows = [{"kind": "migration", "format": _format_of(p), "path": str(p)} for p in paths]
    columns = [
        Column("kind", "报告", "Report"),
        Column("format", "格式", "Format"),
        Column("path", "文件", "File"),
    ]
    render(rows, columns, st.render_options())


def _format_of(path: Path) -> str:
    return "workloads" if path.name.startswith("wave-") else path.suffix.lstrip(".")
