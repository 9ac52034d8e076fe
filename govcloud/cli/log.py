"""`govcloud log`: read, verify, export and prune the audit trail (审计日志)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govcloud.cli.options import Columns, Long
from govcloud.cli.state import CliState, state

if TYPE_CHECKING:
    from govcloud.cli.render import RenderOptions
    from govcloud.services.audit_log import Verification

app = typer.Typer(
    no_args_is_help=True, help="The audit trail: show, verify, export (SIEM) and prune records."
)
Opt = typer.Option
Since = Annotated[
    str | None, Opt("--since", help="From this date/time (UTC) or duration back, e.g. 7d.")
]


@app.command()
def show(
    ctx: typer.Context,
    since: Since = None,
    until: Annotated[str | None, Opt("--until", help="Before this date/time or duration.")] = None,
    operator: Annotated[str | None, Opt("--operator", help="Declared operator or OS user.")] = None,
    event: Annotated[str | None, Opt("--event", help="e.g. quota.apply, log.export.")] = None,
    object_: Annotated[str | None, Opt("--object", help="Object id, or TYPE/ID.")] = None,
    outcome: Annotated[str | None, Opt("--outcome", help="ok|failed|intent|unknown|…")] = None,
    limit: Annotated[int | None, Opt("--limit", min=1, help="At most this many records.")] = None,
    column: Columns = None,
    long: Long = False,
) -> None:
    """Records, newest first."""
    from govcloud.adapters.store.audit_repo import LogFilter
    from govcloud.cli.log_columns import RECORD
    from govcloud.cli.render import render
    from govcloud.services import audit_log

    st = state(ctx)
    f = LogFilter(
        since=audit_log.parse_when(since, "--since") if since else None,
        until=audit_log.parse_when(until, "--until") if until else None,
        operator=operator, event=event, object=object_, outcome=outcome, limit=limit,
    )  # fmt: skip
    opts = st.render_options(column, long)
    render([_words(r, opts) for r in audit_log.show(st.settings, f)], RECORD, opts)


@app.command()
def verify(ctx: typer.Context, column: Columns = None, long: Long = False) -> None:
    """Check every record's hash, link and HMAC, the prune anchor and the head anchored outside
    the store; exit 1 naming the first bad record."""
    from govcloud.cli.log_columns import VERIFY
    from govcloud.cli.render import render_one
    from govcloud.services import audit_log

    st = state(ctx)
    result = audit_log.check(st.settings)
    opts = st.render_options(column, long)
    render_one(_words(_verify_view(result), opts), VERIFY, opts)
    for line in _verify_notes(result):
        st.note(line)
    if result.verdict.bad is not None:
        raise typer.Exit(1)


def _words(record: Any, opts: RenderOptions) -> Any:
    """Codes as words in a Chinese table; every other output keeps the codes."""
    from govcloud.cli.log_columns import WORDS_ZH
    from govcloud.cli.render import as_dict

    if opts.output != "table" or opts.lang != "zh":
        return record
    row = as_dict(record)
    for key, words in WORDS_ZH.items():
        if key in row and row[key] in words:
            row[key] = words[row[key]]
    return row


def _verify_view(result: Verification) -> dict[str, Any]:
    v, bad = result.verdict, result.verdict.bad
    return {
        "status": "intact" if bad is None else "broken", "records": v.records,
        "first_seq": v.first_seq, "last_seq": v.last_seq, "legacy_through": v.legacy_through,
        "pruned_through": v.pruned_through, "head": v.head, "head_seq": v.head_seq,
        "bad_seq": bad.seq if bad else None, "finding": bad.kind if bad else None,
        "detail": bad.detail if bad else None, "store": result.store,
        "head_file": result.head_path,
    }  # fmt: skip


_HEAD = {
    "anchored": "head anchored",
    "behind": "head anchored at seq {head_seq} (later records were anchored on another host)",
    "missing": "head NOT anchored on this host (no head file): a truncated tail cannot be told",
    "beyond": "head anchored beyond the last record",
    "unchecked": "head not checked: the chain breaks before its end",
}


def _verify_notes(result: Verification) -> list[str]:
    v, bad = result.verdict, result.verdict.bad
    if bad is not None:
        return [
            f"first bad record: seq {bad.seq} ({bad.kind}): {bad.detail}",
            "hint: compare with the last export or backup of the trail and the syslog copy; "
            "do not prune or write until this is explained",
        ]
    span = f"seq {v.first_seq}..{v.last_seq}" if v.records else "no records"
    notes = [f"chain intact: {v.records} records, {span}, " + _HEAD[v.head].format(**vars(v))]
    if v.legacy_records:
        notes.append(
            f"records {v.first_seq}..{v.legacy_through} predate keyed seals: checked as an "
            "unkeyed legacy hash chain"
        )
    return notes


@app.command()
def export(
    ctx: typer.Context,
    output_file: Annotated[Path, Opt("--output-file", help="File to write (0600).")],
    fmt: Annotated[str, Opt("--format", help="jsonl | syslog (RFC 5424).")] = "jsonl",
    since: Since = None,
    force: Annotated[bool, Opt("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write every field of every record for a SIEM; the export is itself recorded."""
    from govcloud.cli.log_columns import EXPORT
    from govcloud.cli.render import render_one
    from govcloud.services import audit_log

    st = state(ctx)
    when = audit_log.parse_when(since, "--since") if since else None
    result = audit_log.export(
        st.settings, fmt, output_file.expanduser().absolute(), since=when, force=force
    )
    render_one(result, EXPORT, st.render_options())


@app.command()
def prune(
    ctx: typer.Context,
    before: Annotated[str | None, Opt("--before", help="Delete records older than this.")] = None,
    keep_days: Annotated[
        int | None, Opt("--keep-days", help="Keep this many days (default: audit_retention_days).")
    ] = None,
    yes: Annotated[bool, Opt("--yes", help="Do not ask.")] = False,
) -> None:
    """Delete old records (after verifying the chain); the prune is recorded in the chain."""
    from govcloud.cli.log_columns import PRUNE
    from govcloud.cli.render import render_one
    from govcloud.services import audit_log

    st = state(ctx)
    cutoff = audit_log.prune_before(st.settings, before, keep_days)
    point = audit_log.prune_preview(st.settings, cutoff)
    if point is None:
        st.note(f"nothing older than {cutoff:%Y-%m-%d %H:%M} UTC: nothing pruned")
        return
    _confirm(st, f"delete {point.records} audit records (through seq {point.through_seq})?", yes)
    pruned = audit_log.prune(st.settings, cutoff)
    if pruned is None:
        st.note("nothing pruned")
        return
    render_one(pruned, PRUNE, st.render_options())


def _confirm(st: CliState, question: str, yes: bool) -> None:
    import sys

    from govcloud.core.errors import UsageError

    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(f"would {question.rstrip('?')}", hint="add --yes to prune")
    if not typer.confirm(st.tr(question), err=True):
        raise typer.Abort()
