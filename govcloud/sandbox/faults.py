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
    # share of API requests whose connection is reset (TCP RST) after part of the response
    reset_rate: float = 0.0
    # share of API requests held for hang_ms before the answer (past a client's timeout)
    hang_rate: float = 0.0
    hang_ms: int = 5000
    # Nova's and Cinder's max_limit (0: theirs, 1000): a small estate in many pages
    max_limit: int = 0
    # a quota PUT is applied, then its answer waits this long (a client times out or is
    # killed after the cloud changed)
    put_delay_ms: int = 0

    def __post_init__(self) -> None:
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError("fail_rate must be between 0 and 1")
        if self.expire_tokens_after is not None and self.expire_tokens_after < 1:
            raise ValueError("expire_tokens_after must be >= 1")
        for name in ("reset_rate", "hang_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.hang_ms < 0:
            raise ValueError("hang_ms must be >= 0")
        if self.max_limit < 0:
            raise ValueError("max_limit must be >= 0")
        if self.put_delay_ms < 0:
            raise ValueError("put_delay_ms must be >= 0")

    @property
    def paging(self) -> PageFaults:
        return PageFaults(self.stuck_marker, self.duplicate_servers, self.max_limit)

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


class ResetConnection(Exception):
    """Raised by the app for a request whose connection the server must reset mid-response."""


class FaultState:
    """The current faults plus the counters that make them deterministic."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self._faults = faults
        self._rng = random.Random(faults.fail_seed)
        self._transport_rng = random.Random(faults.fail_seed + 1)
        self._api_requests = 0
        self._injected: dict[str, int] = {}

    @property
    def injected(self) -> dict[str, int]:
        """Fault -> how many times it was injected since the settings were last set: a test
        proves its fault happened."""
        with self._lock:
            return dict(self._injected)

    @property
    def api_requests(self) -> int:
        """Authenticated API requests since the settings were last set."""
        with self._lock:
            return self._api_requests

    def _count(self, name: str) -> None:
        self._injected[name] = self._injected.get(name, 0) + 1

    @property
    def faults(self) -> Faults:
        return self._faults

    def set(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.fail_seed)
            self._transport_rng = random.Random(faults.fail_seed + 1)
            self._api_requests = 0
            self._injected = {}

    def on_transport(self) -> str | None:
        """ "reset", "hang" or None for one authenticated API request (a sequence of its own,
        so turning these on leaves the 503 sequence of a seed as it was)."""
        with self._lock:
            f = self._faults
            if not (f.reset_rate or f.hang_rate):
                return None
            roll = self._transport_rng.random()
            what = "reset" if roll < f.reset_rate else None
            if what is None and roll < f.reset_rate + f.hang_rate:
                what = "hang"
            if what is not None:
                self._count(what)
            return what

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
            for name, hit in (("expire", expire), ("fail", fail)):
                if hit:
                    self._count(name)
            return expire, fail
