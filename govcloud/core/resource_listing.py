"""Volume and floating IP listings: the sort keys `volume list` and `fip list` accept (checked
before any query, as `listing` does for `vm list`) and the sort itself.

The store filters; sorting by an allow-listed field of the view happens here, before the limit,
so `--sort -size_gib --limit 10` is the ten largest volumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from govcloud.core.errors import UsageError
from govcloud.core.listing import parse_sort_keys as parse_sort_keys

T = TypeVar("T")

VOLUME_SORT_KEYS = (
    "name",
    "pool",
    "department",
    "project",
    "size_gib",
    "volume_type",
    "status",
    "attached_server",
    "created_at",
    "volume_id",
)
VOLUME_DEFAULT_SORT = ("pool", "department", "name")
FIP_SORT_KEYS = (
    "address",
    "pool",
    "department",
    "project",
    "status",
    "server",
    "fixed_address",
    "created_at",
)
FIP_DEFAULT_SORT = ("pool", "department", "address")


def attached_choice(attached: bool, unattached: bool) -> bool | None:
    """`--attached` / `--unattached` -> True / False; neither: None (both kinds)."""
    if attached and unattached:
        raise UsageError(
            "--attached and --unattached exclude each other", hint="give one of them, or neither"
        )
    if attached:
        return True
    return False if unattached else None


def sort_rows(
    rows: Sequence[T], keys: Sequence[str], descending: bool, limit: int | None
) -> list[T]:
    """ROWS ordered by the fields KEYS (missing values last either way), then cut to LIMIT.

    Python's sort is stable, so sorting by the last key first gives the multi-key order; rows
    equal on every key keep the store's order.
    """
    out = list(rows)
    for key in reversed(keys):
        out.sort(key=lambda r: _sort_value(getattr(r, key), descending), reverse=descending)
    return out if limit is None else out[:limit]


def _sort_value(value: Any, descending: bool) -> tuple[Any, ...]:
    # a missing value ranks after every present one, whichever way the sort runs
    if value is None:
        return (not descending,)
    if isinstance(value, str):
        value = value.casefold()
    return (descending, value)
