"""One collection sweep, decided without I/O: which target's scrape becomes which samples.

Inputs are the targets, what scraping them returned, each target's previous raw scrape (kept in
the store so cron-driven one-shot runs compute rates too) and the servers to join to. Outputs are
per-target outcomes: the new state to store, the points to write, and an error or a note.
The same rules serve agent spools (`metrics import`), whose records stand in for scrapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from govcloud.core.metrics_targets import ServerIndex, Target, duplicate_keys, url_key
from govcloud.core.rates import RawScrape, derive

PEAKED = ("cpu_pct",)  # metrics also stored as per-slot maxima, as "<metric>_max"


@dataclass(frozen=True)
class Scrape:
    """What scraping one URL returned: a reduced scrape, or that target's error."""

    url: str
    raw: RawScrape | None
    error: str | None
    duration_s: float

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Point:
    target: str  # the store key: instance UUID, or url-<digest> for anonymous exporters
    metric: str
    ts: float
    value: float


@dataclass(frozen=True)
class TargetState:
    url: str
    target: str
    joined_by: str  # uuid | ip | none
    name: str | None = None
    instance_uuid: str | None = None
    hostname: str | None = None
    server_id: str | None = None
    raw: RawScrape | None = None  # the previous raw counters, for the next rate
    last_scrape_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None
    last_duration_ms: int | None = None


@dataclass(frozen=True)
class Outcome:
    state: TargetState
    points: tuple[Point, ...] = ()
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.state.last_error is None


def assess(
    targets: Sequence[Target],
    scrapes: Mapping[str, Scrape],
    previous: Mapping[str, TargetState],
    index: ServerIndex,
    now: datetime,
) -> list[Outcome]:
    joined = {
        t.url: index.join(t, scrapes[t.url].raw.instance_uuid)  # type: ignore[union-attr]
        for t in targets
        if scrapes[t.url].raw is not None
    }
    duplicates = duplicate_keys({url: j.key for url, j in joined.items()})
    out = []
    for target in targets:
        scrape, prev = scrapes[target.url], previous.get(target.url)
        if scrape.raw is None or target.url in duplicates:
            error = scrape.error or (
                f"reports instance {joined[target.url].key} like "
                + ", ".join(duplicates[target.url][:3])
            )
            out.append(_failed(target, prev, error, scrape.duration_s, now))
            continue
        j = joined[target.url]
        state = TargetState(
            url=target.url,
            target=j.key,
            joined_by=j.joined_by,
            name=target.name or (j.server.name if j.server else None) or scrape.raw.hostname,
            instance_uuid=scrape.raw.instance_uuid or target.instance_uuid,
            hostname=scrape.raw.hostname,
            server_id=j.server.server_id if j.server else None,
            raw=RawScrape(scrape.raw.ts, scrape.raw.counters),
            last_scrape_at=now,
            last_ok_at=now,
            last_duration_ms=round(scrape.duration_s * 1000),
        )
        # Counters of another instance (the VM behind this address changed) are no baseline.
        baseline = prev.raw if prev is not None and prev.target == j.key else None
        points, note = _points(j.key, baseline, scrape.raw)
        out.append(Outcome(state, points, note))
    return out


def _failed(
    target: Target, prev: TargetState | None, error: str, duration_s: float, now: datetime
) -> Outcome:
    base = prev or TargetState(
        url=target.url,
        target=target.instance_uuid or url_key(target.url),
        joined_by="none",
        name=target.name,
        server_id=target.server_id,
    )
    return Outcome(
        replace(
            base,
            last_scrape_at=now,
            last_error=error[:500],
            last_duration_ms=round(duration_s * 1000),
        )
    )


def _points(
    key: str, prev: RawScrape | None, cur: RawScrape
) -> tuple[tuple[Point, ...], str | None]:
    derived = derive(prev, cur)
    points = [Point(key, metric, cur.ts, value) for metric, value in derived.values.items()]
    # Each scrape's CPU rate also feeds the slot's peak, so bursts shorter than five minutes
    # survive averaging (rightsizing sizes for them).
    points += [Point(key, f"{p.metric}_max", p.ts, p.value) for p in points if p.metric in PEAKED]
    return tuple(points), derived.note


def spool_outcomes(
    records: Iterable[tuple[str, str | None, RawScrape]],
    previous: Mapping[str, TargetState],
    index: ServerIndex,
    now: datetime,
) -> list[Outcome]:
    """Agent spool records (instance UUID, hostname, raw) -> one outcome per instance.

    Records are taken in time order per instance; a record not newer than the one before it
    (a file imported twice) gives gauges but no rates, and never moves the stored state back.
    """
    by_uuid: dict[str, list[tuple[str | None, RawScrape]]] = {}
    for uuid, hostname, raw in records:
        by_uuid.setdefault(uuid, []).append((hostname, raw))
    out = []
    for uuid, items in sorted(by_uuid.items()):
        items.sort(key=lambda item: item[1].ts)
        url = spool_url(uuid)
        j = index.join(Target(url, instance_uuid=uuid), uuid)
        prev = previous.get(url)
        baseline = prev.raw if prev is not None and prev.target == j.key else None
        stored, notes = baseline, 0
        points: list[Point] = []
        for _, raw in items:
            new_points, note = _points(j.key, baseline, raw)
            points.extend(new_points)
            notes += note is not None
            baseline = raw
            if stored is None or raw.ts > stored.ts:
                stored = RawScrape(raw.ts, raw.counters)
        state = TargetState(
            url=url,
            target=j.key,
            joined_by=j.joined_by,
            name=j.server.name if j.server else items[-1][0],
            instance_uuid=uuid,
            hostname=items[-1][0],
            server_id=j.server.server_id if j.server else None,
            raw=stored,
            last_scrape_at=now,
            last_ok_at=now,
        )
        note_text = f"{notes} of {len(items)} records gave no rates" if notes else None
        out.append(Outcome(state, tuple(points), note_text))
    return out


def spool_url(instance_uuid: str) -> str:
    return f"spool://{instance_uuid}"


def failure_message(outcomes: Sequence[Outcome], noun: str = "targets") -> str | None:
    failed = sum(1 for o in outcomes if not o.ok)
    return f"{failed} of {len(outcomes)} {noun} failed" if failed else None
