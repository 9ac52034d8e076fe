"""`govcloud playbook`: Scheduled jobs as YAML: validate, run, schema, list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from govcloud.cli.options import Columns, FailOn, Long
from govcloud.cli.state import CliState, state

if TYPE_CHECKING:
    from govcloud.services.playbook import PlaybookInfo, PlaybookResult, StepResult

app = typer.Typer(no_args_is_help=True, help="Scheduled jobs as YAML: validate, run, schema, list.")
Opt = typer.Option


@app.command()
def validate(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Playbook files.")],
    column: Columns = None,
    long: Long = False,
) -> None:
    """Check playbooks: YAML, schema, then check types, parameters and pools (file:line errors)."""
    from govcloud.cli.audit_columns import PLAYBOOK
    from govcloud.cli.render import render
    from govcloud.services import playbook as service

    st = state(ctx)
    infos = service.validate(st.settings, files)
    render(infos, PLAYBOOK, st.render_options(column, long))
    _fail_invalid(st, infos)


def _fail_invalid(st: CliState, infos: list[PlaybookInfo]) -> None:
    from govcloud.cli.render import escape_controls
    from govcloud.core.errors import EXIT_USAGE

    bad = [i for i in infos if i.status != "ok"]
    for info in bad:
        st.note(f"error: {escape_controls(info.error or '')}")
        if info.hint:
            st.note(f"hint: {escape_controls(info.hint)}")
    if bad:
        raise typer.Exit(EXIT_USAGE)


@app.command()
def run(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Playbook file.")],
    fail_on: FailOn = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Run every step in order; a failed step is recorded and the others still run."""
    from govcloud.cli.audit_columns import STEP
    from govcloud.cli.render import render
    from govcloud.core.severity import parse_severity
    from govcloud.services import playbook as service

    st = state(ctx)
    threshold = parse_severity(fail_on) if fail_on else None

    def on_step(step: StepResult) -> None:
        detail = "; ".join(x for x in (step.summary, step.error) if x)
        st.note(f"[{step.index}] {step.type}: {step.status}" + (f" - {detail}" if detail else ""))

    result = service.run_playbook(
        st.settings, file, lang=st.display.lang, on_step=on_step, fail_on=threshold
    )
    render(result.steps, STEP, st.render_options(column, long))
    _finish(st, result)


def _finish(st: CliState, result: PlaybookResult) -> None:
    failed = result.failed_steps
    if result.audit is not None:
        r = result.audit.reclaim
        st.note(
            f"audit run {result.audit.run_id}: {len(result.audit.findings)} findings; "
            f"reclaimable {r.vcpus} vCPU, {r.ram_gib} GiB RAM",
        )
    if result.reports:
        st.note(f"{len(result.reports)} report file(s), e.g. {result.reports[0]}")
    if failed:
        st.note(
            f"{len(failed)} of {len(result.steps)} steps failed: "
            + ", ".join(f"{s.index} {s.type}" for s in failed),
        )
    if result.over_threshold:
        st.note(f"{result.over_threshold} finding(s) at or above {result.fail_on}")
    if result.exit_code:
        raise typer.Exit(result.exit_code)


@app.command()
def schema() -> None:
    """JSON Schema of playbooks (with each check's parameters), for editors."""
    from govcloud.services import playbook as service

    print(json.dumps(service.schema(), ensure_ascii=False, indent=2))


@app.command("list")
def list_(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder of playbooks.")] = Path("playbooks"),
    column: Columns = None,
    long: Long = False,
) -> None:
    """Playbooks in a folder with their schedule and steps, and whether they validate."""
    from govcloud.cli.audit_columns import PLAYBOOK
    from govcloud.cli.render import render
    from govcloud.services import playbook as service

    st = state(ctx)
    render(
        service.list_playbooks(directory, st.settings), PLAYBOOK, st.render_options(column, long)
    )
