"""Pure helpers: pagination, microversion negotiation, identifiers."""

from __future__ import annotations

from array import array

import pytest

from govcloud.sandbox.ids import RowIds, name_uuid
from govcloud.sandbox.microversion import (
    VersionMalformed,
    VersionNotAcceptable,
    VersionRange,
    negotiate,
    response_headers,
)
from govcloud.sandbox.paging import (
    BadPageRequest,
    PageFaults,
    next_link,
    next_marker,
    parse_limit,
    take_page,
)

NOVA = VersionRange("compute", (2, 1), (2, 96), "X-OpenStack-Nova-API-Version")


def test_take_page_runs_newest_first_and_resumes_after_the_marker() -> None:
    rows = array("I", [1, 3, 5, 7, 9])
    assert take_page(rows, None, 2) == [9, 7]
    assert take_page(rows, 7, 2) == [5, 3]
    assert take_page(rows, 3, 2) == [1]
    assert take_page(rows, 1, 2) == []


def test_take_page_accepts_a_marker_outside_the_filtered_rows() -> None:
    # Nova looks the marker up by sort key, so a marker from another project still positions
    assert take_page([2, 4, 6, 8], 5, 10) == [4, 2]


def test_take_page_applies_the_filter_before_counting() -> None:
    assert take_page(range(10), None, 3, lambda r: r % 2 == 0) == [8, 6, 4]
    assert take_page(range(10), None, 0) == []


def test_parse_limit_caps_at_max_and_rejects_bad_values() -> None:
    assert parse_limit(None, 1000) == 1000
    assert parse_limit("5000", 1000) == 1000
    assert parse_limit("7", 1000) == 7
    with pytest.raises(BadPageRequest):
        parse_limit("-1", 1000)
    with pytest.raises(BadPageRequest):
        parse_limit("ten", 1000)


def test_next_marker_only_for_full_pages() -> None:
    ok = PageFaults()
    assert next_marker(["a", "b"], 2, None, ok) == "b"
    assert next_marker(["a"], 2, None, ok) is None
    assert next_marker([], 2, None, ok) is None


def test_next_marker_faults() -> None:
    assert next_marker(["c", "d"], 2, "b", PageFaults(stuck_marker=True)) == "b"
    assert next_marker(["c", "d"], 2, None, PageFaults(stuck_marker=True)) == "d"
    assert next_marker(["c", "d"], 2, "b", PageFaults(duplicate_rows=True)) == "c"


def test_next_link_keeps_filters_and_replaces_the_marker() -> None:
    link = next_link("http://h/servers/detail", [("all_tenants", "1"), ("marker", "old")], "new")
    assert link == {"rel": "next", "href": "http://h/servers/detail?all_tenants=1&marker=new"}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, (2, 1)),
        ({"openstack-api-version": "compute 2.47"}, (2, 47)),
        ({"openstack-api-version": "volume 3.5, compute 2.60"}, (2, 60)),
        ({"x-openstack-nova-api-version": "2.53"}, (2, 53)),
        ({"openstack-api-version": "compute latest"}, (2, 96)),
        ({"openstack-api-version": "placement 1.10"}, (2, 1)),
    ],
)
def test_negotiate(headers: dict[str, str], expected: tuple[int, int]) -> None:
    assert negotiate(headers, NOVA) == expected


def test_negotiate_rejects_out_of_range_and_malformed() -> None:
    with pytest.raises(VersionNotAcceptable, match=r"maximum is 2\.96"):
        negotiate({"openstack-api-version": "compute 2.97"}, NOVA)
    with pytest.raises(VersionNotAcceptable):
        negotiate({"openstack-api-version": "compute 3.0"}, NOVA)
    with pytest.raises(VersionMalformed):
        negotiate({"openstack-api-version": "compute two"}, NOVA)


def test_response_headers_echo_both_nova_headers() -> None:
    headers = dict(response_headers(NOVA, (2, 88)))
    assert headers["OpenStack-API-Version"] == "compute 2.88"
    assert headers["X-OpenStack-Nova-API-Version"] == "2.88"
    assert "OpenStack-API-Version" in headers["Vary"]


def test_row_ids_round_trip_and_reject_foreign_ids() -> None:
    ids = RowIds("server", 7)
    for row in (0, 1, 4095, 99_999):
        assert ids.index(ids.of(row)) == row
    assert ids.of(5) != RowIds("server", 8).of(5)
    assert ids.index(RowIds("volume", 7).of(5)) is None
    assert ids.index(name_uuid("project", "x")) is None
    assert ids.index("not-a-uuid") is None
