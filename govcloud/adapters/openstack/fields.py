"""Field conversions every OpenStack service needs alike."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any


def shared(value: object) -> Any:
    """One string object per distinct host, zone, project...: 100,000 copies add up."""
    return sys.intern(value) if isinstance(value, str) else value


def timestamp(value: object) -> datetime | None:
    """An OpenStack time (with or without zone, `Z` or offset) in UTC; None when absent or
    unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).astimezone(UTC)
