"""The Azure Public Dataset V1 slice in tests/data/azure (see its README for origin, licence)."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

TRACE = Path(__file__).parent.parent / "data" / "azure" / "cpu_avg_5min_4vms_14d.csv.gz"


def azure_cpu_traces() -> dict[str, list[float]]:
    """VM id -> 4,032 five-minute average CPU % readings (14 days)."""
    with gzip.open(TRACE, "rb") as handle:
        rows = list(csv.reader(io.TextIOWrapper(handle, encoding="ascii")))
    header, body = rows[0], rows[1:]
    return {vm: [float(r[i]) for r in body] for i, vm in enumerate(header) if i > 0}
