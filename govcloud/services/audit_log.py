"""`govcloud log`: show, verify, export and prune the audit trail.

Show and verify only read. Export and prune change something (a file, the trail's length), so
each is itself recorded in the chain: the export after its file is written (no record, no
file), the prune before its delete, in the delete's transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from govcloud.adapters import audit_syslog, head_file
from govcloud.adapters.files import write_private
from govcloud.adapters.store import audit_repo
from govcloud.adapters.store.audit_repo import LogFilter, PrunePoint
from govcloud.adapters.store.engine import describe
from govcloud.core.audit_format import WARNING, jsonl_line, syslog_line
from govcloud.core.audit_verify import Verdict, verify
from govcloud.core.errors import GovcloudError, StoreError, UsageError
from govcloud.services import trail
from govcloud.services.settings import Settings
from govcloud.services.store import opened

EXPORT_FORMATS = ("jsonl", "syslog")
log = logging.getLogger(__name__)


def show(settings: Settings, f: LogFilter) -> list[dict[str, Any]]:
    with opened(settings) as store, store.read() as conn:
        return audit_repo.newest(conn, f)


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    store: str
    head_path: str


def check(settings: Settings) -> Verification:
    """Verify the whole trail against the key, the prune anchor and this host's head anchor."""
    with opened(settings) as store:
        head_path = head_file.path_for(settings.audit_head_dir, store.url)
        head = head_file.read(settings.audit_head_dir, store.url)
        with store.read() as conn:
            key = _key(settings, conn)
            prune = audit_repo.prune_anchor(conn)
            verdict = verify(audit_repo.stream(conn), key, prune=prune, head=head)
        where = describe(store.url)
    if verdict.bad is not None and settings.audit_syslog:
        b = verdict.bad
        line = f"1 - - govcloud - verify - audit trail of {where}: first bad record seq {b.seq}"
        audit_syslog.send([(WARNING, f"{line} ({b.kind}): {b.detail}")])
    return Verification(verdict, where, str(head_path))


def _key(settings: Settings, conn: Any) -> bytes:
    key = trail.read_key(settings)
    if key is not None:
        return key
    if audit_repo.keyed_records(conn) or audit_repo.prune_anchor(conn) is not None:
        raise StoreError(
            f"no audit key at {settings.audit_key_path}",
            hint="restore the key from its backup (or set audit_key in the config); "
            "without it the trail's seals cannot be checked",
        )
    return b""  # only unkeyed legacy records (or none): nothing needs the key


@dataclass(frozen=True)
class Export:
    path: str
    format: str
    records: int
    first_seq: int | None
    last_seq: int | None
    sha256: str
    seq: int  # the log.export record


def export(
    settings: Settings,
    fmt: str,
    output: Path,
    *,
    since: datetime | None = None,
    force: bool = False,
) -> Export:
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", hint="use jsonl or syslog")
    if not output.parent.is_dir():
        raise UsageError(f"folder {output.parent} does not exist", hint="create it first")
    if output.is_symlink() or (output.exists() and not output.is_file()):
        raise UsageError(f"{output} is not a plain file", hint="export to a new file name")
    if output.exists() and not force:
        # a mistyped path must not replace someone's file (run as root: any file)
        raise UsageError(
            f"{output} already exists", hint="export to a new file name, or --force to replace it"
        )
    line = jsonl_line if fmt == "jsonl" else syslog_line
    with opened(settings) as store:
        with store.read() as conn:
            lines, first, last = [], None, None
            for row in audit_repo.stream(conn, since=since):
                lines.append(line(row))
                first = row[0] if first is None else first
                last = row[0]
        data = ("\n".join(lines) + "\n" if lines else "").encode()
        digest = hashlib.sha256(data).hexdigest()
        write_private(output, data)
        summary = {"format": fmt, "records": len(lines), "first_seq": first, "last_seq": last,
                   "sha256": digest, "since": since.isoformat() if since else None}  # fmt: skip
        record = trail.stamp(
            settings, event="log.export", object_type="file", object_id=str(output), after=summary
        )
        try:
            sealed = trail.record_event(store, settings, record)
        except GovcloudError:
            with contextlib.suppress(OSError):
                output.unlink()  # fail closed: an export that is not in the trail does not stay
            raise
    return Export(str(output), fmt, len(lines), first, last, digest, sealed.seq)


def prune_before(settings: Settings, before: str | None, keep_days: int | None) -> datetime:
    """The cut-off: --before DATE, --keep-days N, or audit_retention_days from the config."""
    if before is not None and keep_days is not None:
        raise UsageError("give --before or --keep-days, not both")
    if before is not None:
        return parse_when(before, "--before")
    days = keep_days if keep_days is not None else settings.audit_retention_days
    if days is None:
        raise UsageError(
            "no retention given",
            hint="pass --before DATE or --keep-days N, or set audit_retention_days in the config",
        )
    if days < 1:
        raise UsageError(f"--keep-days must be at least 1, not {days}")
    return datetime.now(UTC) - timedelta(days=days)


def prune_preview(settings: Settings, cutoff: datetime) -> PrunePoint | None:
    with opened(settings) as store, store.read() as conn:
        return audit_repo.prune_point(conn, cutoff)


@dataclass(frozen=True)
class Pruned:
    through_seq: int
    records: int
    seq: int  # the log.prune record


def prune(settings: Settings, cutoff: datetime) -> Pruned | None:
    """Delete the records older than CUTOFF, after checking the chain (evidence of tampering is
    never pruned away) and recording the prune in it. None: nothing to prune."""
    checked = check(settings).verdict
    if checked.bad is not None:
        raise GovcloudError(
            f"the trail does not verify (first bad record: seq {checked.bad.seq}, "
            f"{checked.bad.kind}): not pruning",
            hint="run `govcloud log verify` and investigate before pruning",
        )
    with opened(settings) as store:
        with trail.audit_tx(store) as conn:
            point = audit_repo.prune_point(conn, cutoff)
            if point is None:
                return None
            after = {"through_seq": point.through_seq, "hash": point.hash,
                     "records": point.records, "before": cutoff.isoformat()}  # fmt: skip
            record = trail.stamp(
                settings, event="log.prune", object_type="audit_log",
                object_id=f"..{point.through_seq}", after=after,
            )  # fmt: skip
            sealed = audit_repo.prune(conn, point, record, trail.signer(settings))
        trail.anchor(store, settings, sealed)
    return Pruned(point.through_seq, point.records, sealed.seq)


def parse_when(text: str, option: str, *, now: datetime | None = None) -> datetime:
    """A date (2026-01-31), a date and time (UTC unless it says otherwise), or a duration
    back from now (7d, 12h, 30m, 2w)."""
    from govcloud.core.utilization import parse_duration_s

    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        try:
            seconds = parse_duration_s(raw, default_unit="d")
        except ValueError:
            raise UsageError(
                f"{option}: not a date or duration: {text!r}",
                hint="e.g. 2026-01-31, 2026-01-31T08:00, or 7d / 12h back from now",
            ) from None
        return (now or datetime.now(UTC)) - timedelta(seconds=seconds)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
