"""Latency and fault injection, settable at start and at run time (admin endpoint)."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from govcloud.sandbox.paging import PageFaults


@dataclass(frozen=True)
class Faults:
    latency_ms: int = 0  # added to every request
    fail_rate: float = 0.0  # share of API (not Keystone) requests answered with 503
    fail_seed: int = 0  # same seed, same sequence of failures
    expire_tokens_after: int | None = None  # every N API requests all tokens expire (401)
    stuck_marker: bool = False  # next links repeat the request's marker
    duplicate_servers: bool = False  # each page repeats the last row of the previous one
    no_snapshots: bool = False  # Cinder's snapshot paths answer 404 (a cloud without them)
    # Cinder pools (`host@backend#pool`, comma separated) reporting this instead of capacities
    infinite_capacity: str = ""
    unknown_capacity: str = ""
    unified_limits: bool = False  # Keystone lists registered and project limits
    no_network: bool = False  # Neutron is missing from the catalog (and its paths 404)
    # an older Neutron that honours `changed_since` (current ones reject it as a filter)
    neutron_changed_since: bool = False

    def __post_init__(self) -> None:
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError("fail_rate must be between 0 and 1")
        if self.expire_tokens_after is not None and self.expire_tokens_after < 1:
            raise ValueError("expire_tokens_after must be >= 1")

    @property
    def paging(self) -> PageFaults:
        return PageFaults(self.stuck_marker, self.duplicate_servers)

    @property
    def odd_capacity(self) -> dict[str, str]:
        """Cinder pool name -> the word it reports for its capacities."""
        odd = {n.strip(): "infinite" for n in self.infinite_capacity.split(",") if n.strip()}
        odd.update({n.strip(): "unknown" for n in self.unknown_capacity.split(",") if n.strip()})
        return odd

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: Faults | None = None) -> Faults:
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        return replace(base or cls(), **data)


class FaultState:
    """The current faults plus the counters that make them deterministic."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self._faults = faults
        self._rng = random.Random(faults.fail_seed)
        self._api_requests = 0

    @property
    def faults(self) -> Faults:
        return self._faults

    def set(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.fail_seed)
            self._api_requests = 0

    def on_api_request(self) -> tuple[bool, bool]:
        """(expire all tokens now, fail this request) for one authenticated API request."""
        with self._lock:
            f = self._faults
            self._api_requests += 1
            expire = (
                f.expire_tokens_after is not None
                and self._api_requests % (f.expire_tokens_after + 1) == 0
            )
            fail = f.fail_rate > 0 and self._rng.random() < f.fail_rate
            return expire, fail
