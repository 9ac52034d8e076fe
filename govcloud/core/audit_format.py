"""The audit trail for a SIEM: JSON Lines (every field, lossless) and RFC 5424 syslog lines.

A syslog line carries every field as structured data under the documentation enterprise number
(RFC 5612), so a collector can index it without parsing the free-text message. Control
characters in values are written as `\\uXXXX` so one record stays one line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from govcloud.core.audit_verify import COLUMNS

SD_ID = "govcloud@32473"
FACILITY_AUTHPRIV = 10
INFO, WARNING = 6, 4
_ALERTING = frozenset({"failed", "denied", "unknown", "not_landed"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def fields(row: Sequence[Any]) -> dict[str, Any]:
    """A row (in `audit_verify.COLUMNS` order) as plain JSON values, ts in UTC."""
    data = dict(zip(COLUMNS, row, strict=True))
    ts: datetime = data["ts"]
    data["ts"] = (ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)).isoformat()
    return data


def jsonl_line(row: Sequence[Any]) -> str:
    return json.dumps(fields(row), ensure_ascii=False, separators=(",", ":"), default=str)


def severity(outcome: str) -> int:
    return WARNING if outcome in _ALERTING else INFO


def syslog_line(row: Sequence[Any], *, with_pri: bool = True) -> str:
    """`<PRI>1 TIMESTAMP HOST govcloud - audit [SD] MSG` (RFC 5424)."""
    data = fields(row)
    ts = data["ts"].replace("+00:00", "Z")
    host = _header(data["source_host"])
    params = " ".join(f'{name}="{_sd_value(value)}"' for name, value in data.items())
    msg = _escape(
        f"{data['operator']} {data['event'] or data['object_type']} "
        f"{data['object_type']}/{data['object_id']}: {data['outcome']}"
    )
    pri = f"<{FACILITY_AUTHPRIV * 8 + severity(data['outcome'])}>" if with_pri else ""
    return f"{pri}1 {ts} {host} govcloud - audit [{SD_ID} {params}] {msg}"


def _header(value: str | None) -> str:
    """A header field: printable ASCII without spaces, or the nil value."""
    clean = "".join(c for c in (value or "") if 33 <= ord(c) <= 126)[:255]
    return clean or "-"


def _sd_value(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    else:
        text = str(value)
    return _escape(text.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]"))


def _escape(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
