"""Spool mode: samples appended to a bounded, rotating set of JSON Lines files.

For hosts nobody can scrape (isolated networks, legacy servers measured before migration) the
files are carried out and read by ``govcloud metrics import``. Format, documented in docs/agent.md:

* files ``spool-<UTC yyyymmddTHHMMSSZ>.jsonl`` (the time of their first record), oldest deleted
  first when the directory's spool files exceed ``max_bytes`` in total;
* one record per line: ``{"v":1,"ts":<unix seconds>,"instance_uuid":"...","hostname":"...",
  "samples":[[name, {labels}, value], ...]}`` with raw counter values;
* each record is written with one write + flush + fsync; a torn last line (crash mid-write) is
  followed by a newline before the next append and readers skip lines that are not valid JSON.
"""

import json
import math
import os
import re
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

SPOOL_VERSION = 1
FILE_PATTERN = re.compile(r"^spool-\d{8}T\d{6}Z\.jsonl$")
_MIN_FILES = 8  # rotate at max_bytes / 8 so deleting the oldest file frees at most ~1/8 of history


def spool_file_name(ts: float) -> str:
    return time.strftime("spool-%Y%m%dT%H%M%SZ.jsonl", time.gmtime(ts))


def encode_record(
    ts: float,
    instance_uuid: str,
    hostname: str,
    samples: Iterable[Tuple[str, Dict[str, str], float]],
) -> bytes:
    """One JSON line; non-finite values are dropped because JSON cannot carry them."""
    rows = [[name, labels, value] for name, labels, value in samples if math.isfinite(value)]
    record = {
        "v": SPOOL_VERSION,
        "ts": round(ts, 3),
        "instance_uuid": instance_uuid,
        "hostname": hostname,
        "samples": rows,
    }
    return (json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def read_spool(lines: Iterable[Union[str, bytes]]) -> Iterator[Dict[str, Any]]:
    """Records from spool lines, skipping blank, torn or foreign-version lines."""
    for line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError: a torn line
            continue
        if (
            isinstance(record, dict)
            and record.get("v") == SPOOL_VERSION
            and isinstance(record.get("samples"), list)
        ):
            yield record


class SpoolWriter:
    def __init__(
        self, directory: str, max_bytes: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.file_max_bytes = max(max_bytes // _MIN_FILES, 1)
        self._clock = clock
        self._current: Optional[str] = None
        os.makedirs(directory, mode=0o750, exist_ok=True)

    def files(self) -> List[str]:
        """Spool file names, oldest first (the names sort by time)."""
        return sorted(n for n in os.listdir(self.directory) if FILE_PATTERN.match(n))

    def append(self, line: bytes) -> str:
        """Append one record line; returns the file written. Rotates and enforces the bound."""
        name = self._target(len(line))
        path = os.path.join(self.directory, name)
        created = not os.path.exists(path)
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT  # novermin  (flags, not a union type)
        fd = os.open(path, flags, 0o640)
        try:
            if not created and not _ends_with_newline(fd):
                line = b"\n" + line  # isolate a torn line left by a crash
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(self.directory)
        self._enforce_bound(keep=name)
        return name

    def _target(self, size: int) -> str:
        if self._current is None:
            existing = self.files()
            self._current = existing[-1] if existing else None
        if self._current is not None:
            path = os.path.join(self.directory, self._current)
            used = os.path.getsize(path) if os.path.exists(path) else 0
            if used == 0 or used + size <= self.file_max_bytes:
                return self._current
        self._current = spool_file_name(self._clock())
        return self._current

    def _enforce_bound(self, keep: str) -> None:
        files = self.files()
        sizes = {n: os.path.getsize(os.path.join(self.directory, n)) for n in files}
        total = sum(sizes.values())
        for name in files:
            if total <= self.max_bytes or name == keep:
                break
            os.unlink(os.path.join(self.directory, name))
            total -= sizes[name]


def _ends_with_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size == 0 or os.pread(fd, 1, size - 1) == b"\n"


def _fsync_dir(directory: str) -> None:
    # The new file's directory entry must survive a power cut too, not only its data.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
