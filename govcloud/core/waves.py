"""Migration waves: which legacy hosts move together, and in what order.

1. Units: the hosts of one business system move together, and hosts whose observed traffic
   forms a cycle (A calls B and B calls A, directly or around a loop) cannot be split without
   cutting a live path, so they join one unit (strongly connected components of the unit
   graph, Tarjan's algorithm).
2. Order: a unit that others connect to is a dependency and moves before them (topological
   order of the condensed graph, Kahn's algorithm); among units that are ready, test and dev
   come before DR and production, then the unit most depended on, then by name.
3. Waves: units are taken in that order and packed into waves of at most `max_hosts` hosts;
   linked units that follow each other share a wave when it has room. A wave never mixes
   non-production and production. A unit larger than a wave is split, its hosts that others
   connect to first.

Every wave says why it holds these hosts and why at this point.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ENV_RANK = {"test": 0, "dev": 0, "dr": 1, "prod": 2}  # unknown environment: as production
_PHASE = {0: "non-production", 1: "DR", 2: "production"}


@dataclass(frozen=True)
class WaveHost:
    host: str
    system: str | None
    environment: str | None
    depends_on: tuple[str, ...] = ()  # hosts this one connects to (its dependencies)


@dataclass(frozen=True)
class PlannedWave:
    number: int
    hosts: tuple[str, ...]
    reason: str


def plan_waves(hosts: Sequence[WaveHost], max_hosts: int) -> list[PlannedWave]:
    """Group and order HOSTS into waves of at most MAX_HOSTS hosts (see the module doc)."""
    if max_hosts < 1:
        raise ValueError(f"max wave size {max_hosts}: must be at least 1")
    by_name = {h.host: h for h in hosts}
    units = _units(hosts, by_name)
    order = _ordered(units)
    return _pack(order, units, by_name, max_hosts)


@dataclass
class _Unit:
    key: str
    hosts: list[str]
    systems: list[str]
    rank: int
    deps: set[str]  # unit keys this one connects to
    dependents: set[str]
    cyclic: bool = False


def _base_key(h: WaveHost) -> str:
    return f"system:{h.system}" if h.system else f"host:{h.host}"


def _units(hosts: Sequence[WaveHost], by_name: Mapping[str, WaveHost]) -> dict[str, _Unit]:
    groups: dict[str, list[str]] = {}
    for h in hosts:
        groups.setdefault(_base_key(h), []).append(h.host)
    edges: dict[str, set[str]] = {k: set() for k in groups}
    for h in hosts:
        src = _base_key(h)
        for dep in h.depends_on:
            if dep in by_name and _base_key(by_name[dep]) != src:
                edges[src].add(_base_key(by_name[dep]))
    component = _strongly_connected(edges)
    units: dict[str, _Unit] = {}
    for base, members in sorted(groups.items()):
        key = component[base]
        unit = units.get(key)
        if unit is None:
            unit = units[key] = _Unit(key, [], [], 0, set(), set())
        elif base not in unit.systems:
            unit.cyclic = True
        unit.hosts += sorted(members)
        unit.systems.append(base)
        unit.rank = max(unit.rank, *(_rank(by_name[n]) for n in members))
    for src, targets in edges.items():
        for dst in targets:
            a, b = component[src], component[dst]
            if a != b:
                units[a].deps.add(b)
                units[b].dependents.add(a)
    return units


def _rank(h: WaveHost) -> int:
    return ENV_RANK.get(h.environment or "", 2)


def _strongly_connected(edges: Mapping[str, set[str]]) -> dict[str, str]:
    """Node -> the smallest node name of its strongly connected component (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: dict[str, str] = {}
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    members.append(top)
                    if top == node:
                        break
                name = min(members)
                out.update(dict.fromkeys(members, name))
    return out


def _ordered(units: Mapping[str, _Unit]) -> list[str]:
    """Kahn's algorithm: dependencies first; among ready units the lowest environment rank,
    then the most depended on, then by key. A dependent that becomes ready with the same rank
    follows its dependency at once, so linked units end up side by side (in one wave when it
    has room)."""
    waiting = {k: len(u.deps) for k, u in units.items()}
    ready = [(u.rank, -len(u.dependents), k) for k, u in units.items() if not u.deps]
    heapq.heapify(ready)
    follow: list[str] = []
    out: list[str] = []
    while ready or follow:
        key = follow.pop() if follow else heapq.heappop(ready)[2]
        out.append(key)
        rank = units[key].rank
        for dependent in sorted(units[key].dependents, reverse=True):
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                u = units[dependent]
                if u.rank == rank:
                    follow.append(dependent)
                else:
                    heapq.heappush(ready, (u.rank, -len(u.dependents), dependent))
    return out  # the condensed graph has no cycle: every unit is emitted


def _pack(
    order: Sequence[str],
    units: Mapping[str, _Unit],
    by_name: Mapping[str, WaveHost],
    max_hosts: int,
) -> list[PlannedWave]:
    waves: list[tuple[list[str], list[str], int]] = []  # hosts, unit keys, phase rank
    for key in order:
        unit = units[key]
        chunks = _split(unit, by_name, max_hosts)
        for n, chunk in enumerate(chunks):
            last = waves[-1] if waves else None
            rank = unit.rank
            if (
                n == 0
                and last is not None
                and last[2] == rank
                and len(last[0]) + len(chunk) <= max_hosts
            ):
                last[0].extend(chunk)
                last[1].append(key)
            else:
                waves.append((list(chunk), [key], rank))
    return [
        PlannedWave(i, tuple(hs), _reason(i, keys, hs, rank, units, waves, max_hosts))
        for i, (hs, keys, rank) in enumerate(waves, start=1)
    ]


def _split(unit: _Unit, by_name: Mapping[str, WaveHost], max_hosts: int) -> list[list[str]]:
    """The unit's hosts in chunks of MAX_HOSTS, hosts others in the unit connect to first."""
    if len(unit.hosts) <= max_hosts:
        return [unit.hosts]
    inside = set(unit.hosts)
    called = {h: 0 for h in unit.hosts}
    for h in unit.hosts:
        for dep in by_name[h].depends_on:
            if dep in inside and dep != h:
                called[dep] += 1
    hosts = sorted(unit.hosts, key=lambda h: (-called[h], h))
    return [hosts[i : i + max_hosts] for i in range(0, len(hosts), max_hosts)]


def _reason(
    number: int,
    keys: Sequence[str],
    hosts: Sequence[str],
    rank: int,
    units: Mapping[str, _Unit],
    waves: Sequence[tuple[list[str], list[str], int]],
    max_hosts: int,
) -> str:
    parts = [f"{_PHASE[rank]}"]
    systems = [s.split(":", 1)[1] for k in keys for s in units[k].systems]
    if any(units[k].cyclic for k in keys):
        parts.append("hosts whose traffic forms a cycle move together")
    split = [k for k in keys if len(units[k].hosts) > max_hosts]
    if split:
        parts.append(
            f"part of {_label(split[0])} ({len(units[split[0]].hosts)} hosts > {max_hosts})"
        )
    elif systems:
        parts.append(
            f"{len(systems)} unit(s) kept whole: "
            + ", ".join(systems[:5])
            + (" …" if len(systems) > 5 else "")
        )
    later = sorted(
        {w for w, (_, other, _) in enumerate(waves, start=1) if w > number
         for k in other for d in units[k].deps if d in keys}
    )  # fmt: skip
    if later:
        parts.append("dependency of wave " + ", ".join(str(w) for w in later[:5]))
    needs = sorted({d for k in keys for d in units[k].deps} - set(keys))
    if needs:
        parts.append("after its dependencies " + ", ".join(_label(d) for d in needs[:3]))
    return "; ".join(parts)


def _label(key: str) -> str:
    return key.split(":", 1)[1]
