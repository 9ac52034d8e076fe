"""A simulated allocation history for a pool (demo and benchmarks): where it stood each day.

A single sync gives one usage point, and an exhaustion forecast needs a trend. The demo's pools
grow as government clouds do after a "应上尽上" push: a steady daily growth per pool (drawn from
a seed, 0.1-0.6% a day), the odd batch of new systems arriving at once, and noise, walked
backwards from what the pool holds today so the newest point is the real one.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from govcloud.core.models import UsagePoint


def usage_history(latest: UsagePoint, *, days: int = 30, seed: int = 0) -> list[UsagePoint]:
    """DAYS daily points before LATEST (oldest first), then LATEST itself."""
    rng = random.Random(f"{seed}:{latest.pool_code}")
    daily_growth = rng.uniform(0.001, 0.006)
    factors = [1.0]
    for _ in range(days):
        step = daily_growth * rng.uniform(0.3, 1.7)
        if rng.random() < 0.08:  # a department moves a batch of systems in
            step += rng.uniform(0.01, 0.03)
        factors.append(factors[-1] / (1.0 + step))
    points = []
    for back, factor in reversed(list(enumerate(factors))):
        if back == 0:
            continue
        points.append(
            replace(
                latest,
                ts=latest.ts - timedelta(days=back),
                servers=round(latest.servers * factor),
                vcpus=round(latest.vcpus * factor),
                ram_mib=round(latest.ram_mib * factor),
                volume_gib=round(latest.volume_gib * factor),
            )
        )
    return [*points, latest]
