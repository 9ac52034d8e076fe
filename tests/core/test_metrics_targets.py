from __future__ import annotations

from datetime import UTC, datetime

import pytest

from govcloud.core.errors import ValidationError
from govcloud.core.metrics_sweep import Scrape, TargetState, assess, failure_message, spool_outcomes
from govcloud.core.metrics_targets import (
    ServerIndex,
    ServerRef,
    Target,
    merge_targets,
    parse_targets,
    targets_from_servers,
    url_key,
)
from govcloud.core.rates import RawScrape

NOW = datetime(2025, 1, 1, tzinfo=UTC)
VM1 = ServerRef("AAAAAAAA-0000-0000-0000-000000000001", "web-1", ("10.0.0.5", "192.168.1.9"))
VM2 = ServerRef("aaaaaaaa-0000-0000-0000-000000000002", "db-1", ("fd00::7", "10.0.0.6"))


def test_parse_targets_accepts_the_documented_shapes() -> None:
    got = parse_targets(
        {
            "targets": [
                "http://10.0.0.5:9100",
                {
                    "url": "https://h.example:9109/metrics",
                    "instance_uuid": "ABC",
                    "labels": {"a": 1},
                },
            ]
        },
        "t.yaml",
    )
    assert got[0] == Target("http://10.0.0.5:9100/metrics")
    assert (got[1].instance_uuid, got[1].labels) == ("abc", {"a": "1"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "x"}, "must be a list"),
        ([{"name": "no url"}], "needs a url"),
        (["ftp://h/metrics"], "is not http"),
        (["http://h:99999/"], "bad port"),
        ([{"url": "http://h/", "bogus": 1}], "unknown key 'bogus'"),
        (["http://h/", "http://h/"], "listed twice"),
        ([{"url": "http://h/", "labels": ["a"]}], "labels must map"),
        ([7], "mapping with a url"),
    ],
)
def test_parse_targets_errors_name_file_and_line(data: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        parse_targets(data, "t.yaml", {0: 3, 1: 4})
    assert "t.yaml" in str(info.value)


def test_targets_from_servers_prefer_ipv4_and_skip_addressless() -> None:
    got = targets_from_servers([VM1, VM2, ServerRef("x", "no-ip")], port=9100)
    assert [t.url for t in got] == ["http://10.0.0.5:9100/metrics", "http://10.0.0.6:9100/metrics"]
    assert got[0].instance_uuid == VM1.server_id.lower()
    v6 = targets_from_servers([ServerRef("y", "v6", ("fd00::1",))])
    assert v6[0].url == "http://[fd00::1]:9109/metrics"


def test_declared_targets_win_over_derived() -> None:
    declared = [Target("http://10.0.0.5:9100/metrics", name="custom")]
    derived = targets_from_servers([VM1, VM2], port=9100)
    merged = merge_targets(declared, derived)
    assert [t.name for t in merged] == ["custom", "db-1"]


def test_join_by_uuid_then_by_ip_then_anonymous() -> None:
    index = ServerIndex([VM1, VM2])
    by_uuid = index.join(Target("http://1.2.3.4/metrics"), VM1.server_id.upper())
    assert (by_uuid.key, by_uuid.joined_by) == (VM1.server_id.lower(), "uuid")
    by_ip = index.join(Target("http://10.0.0.6:9100/metrics"), None)
    assert (by_ip.server, by_ip.joined_by) == (VM2, "ip")
    unknown = index.join(Target("http://1.2.3.4/metrics"), "other-uuid")
    assert (unknown.key, unknown.server) == ("other-uuid", None)
    anonymous = index.join(Target("http://1.2.3.4/metrics"), None)
    assert anonymous.key == url_key("http://1.2.3.4/metrics")


def raw(ts: float, uuid: str | None, idle: float = 0.0) -> RawScrape:
    return RawScrape(
        ts, {"cpu_idle|0|idle": idle, "cpu_busy|0|user": ts}, {"node_load1": 1.0}, uuid
    )


def test_duplicate_instance_uuids_across_targets_are_errors_of_those_targets() -> None:
    targets = [Target(f"http://10.9.0.{i}:9109/metrics") for i in (1, 2, 3)]
    scrapes = {
        targets[0].url: Scrape(targets[0].url, raw(10.0, "dup"), None, 0.01),
        targets[1].url: Scrape(targets[1].url, raw(10.0, "DUP"), None, 0.01),
        targets[2].url: Scrape(targets[2].url, raw(10.0, "unique"), None, 0.01),
    }
    outcomes = assess(targets, scrapes, {}, ServerIndex([]), NOW)
    assert [o.ok for o in outcomes] == [False, False, True]
    assert "10.9.0.2" in (outcomes[0].state.last_error or "")
    assert outcomes[0].points == ()
    assert outcomes[2].points
    assert failure_message(outcomes) == "2 of 3 targets failed"


def test_rates_use_the_stored_previous_scrape_of_the_same_instance() -> None:
    t = Target("http://10.0.0.5:9109/metrics")
    prev = TargetState(t.url, "u1", "none", raw=raw(0.0, None, idle=0.0))
    scrape = Scrape(t.url, raw(60.0, "u1", idle=180.0), None, 0.01)
    (outcome,) = assess([t], {t.url: scrape}, {t.url: prev}, ServerIndex([]), NOW)
    cpu = [p.value for p in outcome.points if p.metric == "cpu_pct"]
    assert cpu == [pytest.approx(25.0)]  # idle +180, busy +60
    peak = [p.value for p in outcome.points if p.metric == "cpu_pct_max"]
    assert peak == cpu  # each scrape also feeds its slot's peak
    # the address now answers for another instance: its old counters are no baseline
    moved = TargetState(t.url, "u0", "none", raw=raw(0.0, None))
    (outcome,) = assess([t], {t.url: scrape}, {t.url: moved}, ServerIndex([]), NOW)
    assert not [p for p in outcome.points if p.metric == "cpu_pct"]


def test_failed_scrape_keeps_the_previous_state_and_records_the_error() -> None:
    t = Target("http://10.0.0.5:9109/metrics", name="web")
    prev = TargetState(t.url, "u1", "uuid", raw=raw(0.0, None))
    (outcome,) = assess(
        [t],
        {t.url: Scrape(t.url, None, "connection refused", 0.0)},
        {t.url: prev},
        ServerIndex([]),
        NOW,
    )
    assert not outcome.ok
    assert outcome.state.raw == prev.raw
    assert outcome.state.last_error == "connection refused"
    assert outcome.state.last_scrape_at == NOW


def test_spool_records_in_any_order_and_twice() -> None:
    records = [("u1", "h", raw(float(ts), "u1", idle=ts * 3.0)) for ts in (300, 0, 600, 900)]
    (once,) = spool_outcomes(records, {}, ServerIndex([]), NOW)
    cpu = sorted(p.ts for p in once.points if p.metric == "cpu_pct")
    assert cpu == [300.0, 600.0, 900.0]
    assert once.state.raw is not None
    assert once.state.raw.ts == 900.0
    # importing the same records again with the stored state: no state moved back
    (again,) = spool_outcomes(records, {once.state.url: once.state}, ServerIndex([]), NOW)
    assert again.state.raw is not None
    assert again.state.raw.ts == 900.0
