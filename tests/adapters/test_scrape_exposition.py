"""Malformed and hostile exposition text: a per-target error, never a crash."""

from __future__ import annotations

import pytest

from govcloud.adapters.scrape import ScrapeError, ScrapeLimits, parse_exposition

LIMITS = ScrapeLimits()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'node_cpu_seconds_total{cpu="0" 12\n', "malformed exposition"),
        (b"node_load1 not-a-number\n", "malformed exposition"),
        (b"node_load1{a=b} 1\n", "malformed exposition"),
        (b"\xff\xfe garbage\n", "not UTF-8"),
        (b"a 1\n" * 200_001, r"lines \(limit 200,000\)"),
        (b"# TYPE node_load1 bogus\nnode_load1 1\n", "malformed exposition"),
        (b"node_load1 1 notatimestamp\n", "malformed exposition"),
        (b"node_load1 1\n\x00\x01 1\n", "line 2 does not start with a name"),
        (b"{}} 1\n", "malformed exposition"),
    ],
)
def test_bad_exposition_is_a_scrape_error(body: bytes, message: str) -> None:
    with pytest.raises(ScrapeError, match=message):
        parse_exposition(0.0, body, LIMITS)


def test_unrelated_and_odd_but_valid_series_are_ignored() -> None:
    body = (
        b"# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.25\n"
        b"node_memory_MemTotal_bytes 100\nnode_memory_MemAvailable_bytes 25\n"
        b'node_cpu_seconds_total{cpu="0",mode="idle"} NaN\n'
        b'govcloud_agent_info{instance_uuid="U-1",hostname="h\\"x",os="",version="1"} 1\n'
        b'some_other_metric{label="\xe6\x94\xbf\xe5\x8a\xa1\xe4\xba\x91"} +Inf\n'
    )
    raw = parse_exposition(5.0, body, LIMITS)
    assert raw.gauges["node_load1"] == 0.25
    assert raw.counters == {}  # NaN counter dropped
    assert (raw.instance_uuid, raw.hostname) == ("U-1", 'h"x')


def test_empty_body_is_a_valid_scrape_with_nothing_in_it() -> None:
    raw = parse_exposition(1.0, b"", LIMITS)
    assert (raw.counters, raw.gauges, raw.instance_uuid) == ({}, {}, None)


def test_series_we_do_not_use_are_only_checked_for_a_name() -> None:
    # The parser sees only the series utilization uses (speed: see _wanted_lines); a bad value
    # in an unrelated series cannot change a figure, so it does not fail the target.
    raw = parse_exposition(0.0, b"node_load1 2\nunrelated_metric{x=y} oops\n", LIMITS)
    assert raw.gauges == {"node_load1": 2.0}
