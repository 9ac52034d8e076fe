"""Reading govcloud-agent spool files (`spool-<UTC yyyymmddTHHMMSSZ>.jsonl`, JSON Lines).

Each line: {"v":1, "ts":<unix s>, "instance_uuid":..., "hostname":..., "samples":[[name,
{labels}, value], ...]} with raw counter values. A line that is not valid JSON is a torn write
(the agent crashed mid-line) and is skipped and counted; a record of another version or shape is
skipped and reported with file:line. Files stream line by line; an over-long line is skipped.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcloud.core.errors import UsageError
from govcloud.core.rates import RawScrape, Sample, reduce_samples

SPOOL_VERSION = 1
FILE_PATTERN = re.compile(r"^spool-\d{8}T\d{6}Z\.jsonl$")
MAX_LINE_BYTES = 16 * 1024 * 1024
# A VM's id as the agent reads it (a UUID in practice): it becomes a spool://ID target, so
# characters with a meaning in URLs, controls and overlong values are one record's rejection.
INSTANCE_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,127}")


@dataclass(frozen=True)
class SpoolRecord:
    instance_uuid: str
    hostname: str | None
    raw: RawScrape


@dataclass
class SpoolReport:
    files: int = 0
    records: int = 0
    torn_lines: list[str] = field(default_factory=list)  # file:line
    rejected: list[str] = field(default_factory=list)  # file:line: why


def spool_files(path: Path) -> list[Path]:
    """PATH itself, or the spool files of directory PATH, oldest first (names sort by time)."""
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if FILE_PATTERN.match(p.name) and p.is_file())
        if not files:
            raise UsageError(
                f"no spool files in {path}", hint="expected spool-YYYYMMDDTHHMMSSZ.jsonl files"
            )
        return files
    raise UsageError(f"{path} does not exist", hint="give a spool directory or one spool file")


def read_records(
    files: list[Path], report: SpoolReport, owner: str | None = None
) -> Iterator[SpoolRecord]:
    """The records of FILES. OWNER, when given, is whose they are (a legacy host's name, for
    spool fetched from it): its agent has no instance id to report."""
    for path in files:
        report.files += 1
        try:
            with path.open("rb") as handle:
                yield from _records(path, handle, report, owner)
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _records(
    path: Path, handle: Any, report: SpoolReport, owner: str | None = None
) -> Iterator[SpoolRecord]:
    number = 0
    while True:
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        where = f"{path.name}:{number}"
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            report.rejected.append(f"{where}: line over {MAX_LINE_BYTES // 1024 // 1024} MiB")
            while line and not line.endswith(b"\n"):  # skip the rest of it
                line = handle.readline(MAX_LINE_BYTES)
            continue
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError: a torn write
            report.torn_lines.append(where)
            continue
        except RecursionError:  # `[[[[…` thousands deep: no agent writes that
            report.rejected.append(f"{where}: JSON nested too deep")
            continue
        record, why = _record(data, owner)
        if record is None:
            report.rejected.append(f"{where}: {why}")
            continue
        report.records += 1
        yield record


def _record(data: object, owner: str | None = None) -> tuple[SpoolRecord | None, str]:
    if not isinstance(data, dict):
        return None, "not a JSON object"
    if data.get("v") != SPOOL_VERSION:
        return None, f"spool version {data.get('v')!r}, this govcloud reads {SPOOL_VERSION}"
    ts, uuid, samples = data.get("ts"), data.get("instance_uuid"), data.get("samples")
    uuid = owner or uuid
    if not isinstance(ts, int | float) or isinstance(ts, bool) or not math.isfinite(ts):
        return None, "no numeric ts"
    if not isinstance(uuid, str) or not uuid.strip():
        return None, "no instance_uuid"
    if not INSTANCE_ID.fullmatch(uuid.strip()):
        return None, f"instance_uuid {uuid[:40]!r} is not an instance id (letters, digits, . _ -)"
    if not isinstance(samples, list):
        return None, "no samples list"
    hostname = data.get("hostname")
    raw = reduce_samples(float(ts), _samples(samples))
    return SpoolRecord(
        uuid.strip().lower(), hostname if isinstance(hostname, str) else None, raw
    ), ""


def _samples(rows: list[Any]) -> Iterator[Sample]:
    for row in rows:
        if (
            isinstance(row, list)
            and len(row) == 3
            and isinstance(row[0], str)
            and isinstance(row[1], dict)
            and isinstance(row[2], int | float)
            and not isinstance(row[2], bool)
        ):
            labels: Mapping[str, str] = {str(k): str(v) for k, v in row[1].items()}
            yield row[0], labels, float(row[2])
