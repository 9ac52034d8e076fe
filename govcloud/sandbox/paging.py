"""Pure pagination helpers shared by Nova and Cinder (limit/marker and `*_links` next links).

Rows are ascending row indexes; listings run newest first (descending), as Nova and Cinder sort
by created_at desc by default. The marker is the last row the client saw.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode


class BadPageRequest(ValueError):
    """limit/marker a client sent that the API rejects with 400."""


@dataclass(frozen=True)
class PageFaults:
    """Pagination bugs of real clouds the sandbox can imitate."""

    stuck_marker: bool = False  # the next link repeats the request's marker
    duplicate_rows: bool = False  # the next page starts with the last row of this page
    max_limit: int = 0  # a smaller max_limit than the service's own (0: the service's)


def parse_limit(raw: str | None, max_limit: int) -> int:
    if raw is None:
        return max_limit
    try:
        limit = int(raw)
    except ValueError:
        raise BadPageRequest("limit param must be an integer") from None
    if limit < 0:
        raise BadPageRequest("limit param must be positive")
    return min(limit, max_limit)


def rows_after(rows: Sequence[int], marker_row: int | None) -> Iterator[int]:
    """Rows older than the marker row, newest first (all rows without a marker)."""
    end = len(rows) if marker_row is None else bisect_left(rows, marker_row)
    for pos in range(end - 1, -1, -1):
        yield rows[pos]


def take_page(
    rows: Sequence[int],
    marker_row: int | None,
    limit: int,
    keep: Callable[[int], bool] | None = None,
) -> list[int]:
    page: list[int] = []
    if limit == 0:
        return page
    for row in rows_after(rows, marker_row):
        if keep is None or keep(row):
            page.append(row)
            if len(page) == limit:
                break
    return page


def next_marker(
    page_ids: Sequence[str], limit: int, request_marker: str | None, faults: PageFaults
) -> str | None:
    """The marker for the next link, or None when this was the last page.

    Nova and Cinder add a next link whenever a page is full, even when nothing follows.
    """
    if not page_ids or len(page_ids) < limit:
        return None
    if faults.stuck_marker and request_marker is not None:
        return request_marker
    if faults.duplicate_rows and len(page_ids) > 1:
        return page_ids[-2]
    return page_ids[-1]


def next_link(url: str, query: Sequence[tuple[str, str]], marker: str) -> dict[str, str]:
    """`{"rel": "next", "href": ...}` keeping the caller's filters, with the new marker."""
    kept = [(k, v) for k, v in query if k != "marker"]
    kept.append(("marker", marker))
    return {"rel": "next", "href": f"{url}?{urlencode(kept)}"}
