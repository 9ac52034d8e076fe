"""Writing a simulated utilization history into the embedded metrics store (demo, benchmarks).

For every live server of the store: DAYS whole days before today and today up to NOW, seven
metrics at five minutes (core/simulated_utilization.py says what the VMs look like), written as
whole day chunks in bulk, plus the scrape state of each VM that has an agent so that
`agent-stale` sees when it last answered. The example estate (1,727 VMs, 30 days) is ~310,000
chunks, ~90 million samples: building each chunk straight from a numpy day row and inserting
them in batches takes seconds, where folding the samples through `write_points` would take an
hour.

Running it again replaces the window's chunks and those VMs' scrape state: never doubles.
It overwrites what a real collector stored for those VMs, so it is for demo and benchmark
stores only.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Connection

from govcloud.adapters.store import metrics_repo
from govcloud.adapters.store.engine import Store
from govcloud.adapters.store.metrics_repo import ChunkRow
from govcloud.core import simulated_utilization as sim
from govcloud.core.errors import UsageError
from govcloud.core.metrics_sweep import TargetState
from govcloud.core.metrics_targets import ServerRef, targets_from_servers
from govcloud.core.utilization import DAY_S, STEP_S
from govcloud.services.settings import Settings
from govcloud.services.store import opened

BATCH_VMS = 200  # VMs simulated and inserted per statement batch: bounds memory (~60 MB)


@dataclass(frozen=True)
class HistoryStats:
    servers: int
    with_samples: int  # servers that got at least one sample
    agents: int  # scrape states written
    chunks: int
    first_day: int  # days since 1970-01-01 UTC
    last_day: int
    profiles: dict[str, int]
    agent_modes: dict[str, int]
    seconds: float


def write_history(
    target: Settings | Store,
    *,
    days: int = 30,
    now: datetime | None = None,
    seed: int = 0,
    metrics: Sequence[str] = sim.SIM_METRICS,
) -> HistoryStats:
    """Simulate and store the history of every live server; see the module doc. METRICS picks
    which of the simulated metrics are stored (each costs about a seventh of the time)."""
    unknown = sorted(set(metrics) - set(sim.SIM_METRICS))
    if unknown:
        raise UsageError(f"not a simulated metric: {unknown[0]}", hint=", ".join(sim.SIM_METRICS))
    if days < 1:
        raise UsageError(f"history of {days} days", hint="days must be at least 1")
    with _store(target) as store:
        when = (now or datetime.now(UTC)).astimezone(UTC)
        return _write(store, days, when, seed, tuple(metrics))


@contextmanager
def _store(target: Settings | Store) -> Iterator[Store]:
    if isinstance(target, Store):
        yield target
        return
    with opened(target) as store:
        yield store


def _write(
    store: Store, days: int, now: datetime, seed: int, metrics: tuple[str, ...]
) -> HistoryStats:
    started = time.perf_counter()
    now_ts = now.timestamp()
    first_day = sim.window_start(now_ts, days) // DAY_S
    last_day = first_day + days
    with store.read() as conn:
        servers = metrics_repo.vm_specs(conn)
    keys = [spec.server_id.lower() for spec, _ in servers]
    profiles: Counter[str] = Counter()
    modes: Counter[str] = Counter()
    chunks = samples = 0
    states: dict[str, TargetState] = {}
    with store.write() as conn:
        metrics_repo.delete_chunks(conn, keys, first_day, last_day)
        metrics_repo.delete_states(conn, keys)
        for start in range(0, len(servers), BATCH_VMS):
            rows: list[ChunkRow] = []
            for spec, addresses in servers[start : start + BATCH_VMS]:
                history = sim.simulate(spec, now_ts=now_ts, days=days, seed=seed)
                profiles[history.plan.profile.value] += 1
                modes[history.plan.agent.value] += 1
                rows.extend(chunk_rows(history, metrics))
                samples += history.last_sample_ts is not None
                state = target_state(spec, addresses, history, now)
                if state is not None and state.url in states:  # one fixed IP in two pools
                    state = replace(state, url=f"spool://{state.target}")
                if state is not None:
                    states[state.url] = state
            chunks += _insert(conn, rows)
        metrics_repo.save_states(conn, list(states.values()))
    return HistoryStats(
        servers=len(servers),
        with_samples=samples,
        agents=len(states),
        chunks=chunks,
        first_day=first_day,
        last_day=last_day,
        profiles=dict(sorted(profiles.items())),
        agent_modes=dict(sorted(modes.items())),
        seconds=round(time.perf_counter() - started, 3),
    )


def _insert(conn: Connection, rows: Sequence[ChunkRow]) -> int:
    return metrics_repo.write_chunks(conn, rows, replace=False) if rows else 0


def chunk_rows(
    history: sim.History, metrics: Sequence[str] = sim.SIM_METRICS
) -> Iterator[ChunkRow]:
    """One packed chunk per (metric, day) holding any sample; days without samples are absent,
    as they would be from a collector."""
    if history.last_sample_ts is None:
        return
    first_day, key = history.first_day, history.plan.key
    for metric in metrics:
        grid = (
            history.metrics[metric]
            .astype("<f4", copy=False)
            .reshape(history.days, sim.SLOTS_PER_DAY)
        )
        present = ~np.isnan(grid)
        per_day = present.sum(axis=1)
        for d in np.flatnonzero(per_day):
            # No counts blob: each present slot is one sample, which is what a chunk without
            # counts means (core/metric_chunks.unpack), and it keeps the store a third smaller.
            day = first_day + int(d)
            yield ChunkRow(key, metric, day, STEP_S, grid[d].tobytes(), None, int(per_day[d]))


def target_state(
    spec: sim.VmSpec, addresses: tuple[str, ...], history: sim.History, now: datetime
) -> TargetState | None:
    """The collector's memory of the VM's agent; None when it has none (no scrape target)."""
    if history.plan.agent is sim.AgentMode.MISSING or history.last_sample_ts is None:
        return None
    derived = targets_from_servers([ServerRef(spec.server_id, spec.name, addresses)])
    key = history.plan.key
    url = derived[0].url if derived else f"spool://{key}"
    last_ok = datetime.fromtimestamp(history.last_sample_ts, UTC)
    answering = now.timestamp() - history.last_sample_ts <= 3 * STEP_S
    return TargetState(
        url=url,
        target=key,
        joined_by="uuid",
        name=spec.name,
        instance_uuid=key,
        hostname=spec.name,
        server_id=spec.server_id,
        last_scrape_at=now,
        last_ok_at=last_ok,
        last_error=None if answering else "connection refused",
        last_duration_ms=None if not answering else 12,
    )


def write_usage_history(store: Store, *, days: int = 30, seed: int = 0) -> int:
    """A simulated daily allocation history behind each pool's newest usage point, so that the
    `pool-headroom` forecast has a trend to fit (one sync alone gives one point)."""
    from govcloud.adapters.store import sync_repo
    from govcloud.core.simulated_growth import usage_history

    with store.write() as conn:
        points = [
            p
            for latest in sync_repo.latest_usage(conn)
            for p in usage_history(latest, days=days, seed=seed)[:-1]
        ]
        return sync_repo.replace_usage(conn, points)
