"""Storage capacity of a pool and of each volume type in it, from Cinder's scheduler pools.

Cinder's capacity filter is the rule: a thin backend offers total x max_over_subscription_ratio
minus the reserve (reserved_percentage of the total), a thick one its total minus the reserve.
`auto` is Cinder's own estimate, 1 + provisioned / (total - free + 1), or 20 before anything is
provisioned. A backend that reports `infinite` or `unknown` (None here) makes the sum unknown:
one missing backend must not make a pool look smaller than it is.

Promises are Σ of departments' storage quotas: the cloud's limit where sync has seen it, else
the approved one (as for cores and RAM), and Σ approved alone for review. Per volume type, a
limit of -1 is Cinder's default and means "bounded by the project's total only", so it is
counted apart and is not a finding by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from govcloud.core.models import (
    Department,
    Pool,
    QuotaResource,
    StorageBackend,
    TypeQuotaUsage,
    VolumeType,
)

AUTO_INITIAL_RATIO = 20.0  # Cinder's ratio for `auto` before anything is provisioned


@dataclass(frozen=True)
class BackendUsable:
    """One backend's usable GiB, the ratio behind it and, when unknown, why."""

    usable_gib: float | None
    limit_gib: float | None  # total x ratio, before the reserve
    reserve_gib: float | None
    ratio: float | None
    why_unknown: str | None = None


def backend_usable(b: StorageBackend) -> BackendUsable:
    if b.total_gib is None:
        return BackendUsable(None, None, None, None, f"{b.name} reports infinite/unknown capacity")
    ratio = over_subscription(b)
    if ratio is None:
        why = f"{b.name}: auto over-subscription needs free and provisioned capacity"
        return BackendUsable(None, None, None, None, why)
    limit = b.total_gib * ratio
    reserve = b.total_gib * b.reserved_pct / 100.0
    return BackendUsable(limit - reserve, limit, reserve, ratio)


def over_subscription(b: StorageBackend) -> float | None:
    """The ratio Cinder's capacity filter applies; None where `auto` cannot be computed."""
    if not b.thin:
        return 1.0
    if b.max_over_subscription_ratio is not None:
        return b.max_over_subscription_ratio
    provisioned = b.provisioned_gib if b.provisioned_gib is not None else b.allocated_gib
    if b.total_gib is None or b.free_gib is None or provisioned is None:
        return None
    if provisioned == 0:
        return AUTO_INITIAL_RATIO
    return 1.0 + provisioned / (b.total_gib - b.free_gib + 1.0)


@dataclass(frozen=True)
class StorageCapacity:
    """Storage of one pool (VOLUME_TYPE None) or of one volume type in it, in GiB.

    Every capacity is None when unknown; NOTE says why (or what to know about the figure).
    """

    pool: str
    volume_type: str | None
    backends: tuple[str, ...]  # scheduler pools (host@backend#pool) counted
    total_gib: int | None
    limit_gib: int | None  # total x over-subscription, before the reserve
    reserve_gib: int | None
    usable_gib: int | None
    ratio: float | None  # the one ratio of all backends; None when they differ or unknown
    allocated_gib: int | None  # Cinder's allocated_capacity_gb
    provisioned_gib: int | None  # provisioned_capacity_gb (allocated where not reported)
    approved_gib: int  # Σ approved storage quota of the pool's departments
    quota_gib: int  # Σ bounded quota (cloud limit where synced, else approved)
    unlimited_projects: int  # quotas of -1
    quota_pct: float | None  # Σ quota / usable
    approved_pct: float | None
    provisioned_pct: float | None
    note: str = ""

    @property
    def idle_type(self) -> bool:
        """A volume type with no backend in the pool and nothing promised on it (Cinder's own
        `__DEFAULT__` on most clouds): listed by `pool show`, nothing for `quota check`."""
        return (
            self.volume_type is not None
            and not self.backends
            and self.approved_gib == 0
            and self.quota_gib == 0
        )


@dataclass(frozen=True)
class Promise:
    """Σ of one storage quota in a pool: approved, effective (bounded) and unlimited count."""

    approved_gib: int = 0
    quota_gib: int = 0
    unlimited: int = 0


def pool_storage(
    pool: str,
    backends: Sequence[StorageBackend],
    types: Sequence[VolumeType],
    promised: Promise,
    promised_by_type: Mapping[str, Promise],
    declared_backends: Sequence[str] = (),
) -> list[StorageCapacity]:
    """The pool's row, then one row per volume type (the pool's types, and any type that was
    promised without being known), sorted by name."""
    rows = [_row(pool, None, backends, promised, _pool_note(backends, declared_backends))]
    names = sorted({t.name for t in types} | set(promised_by_type))
    by_name = {t.name: t for t in types}
    for name in names:
        promise = promised_by_type.get(name, Promise())
        vt = by_name.get(name)
        if vt is None:
            rows.append(_row(pool, name, (), promise, "volume type not seen in this pool"))
        elif vt.backend_name is None:
            note = "no volume_backend_name: the scheduler may place it on any backend"
            rows.append(_row(pool, name, (), promise, note))
        else:
            mine = [b for b in backends if b.backend_name == vt.backend_name]
            note = "" if mine else f"no backend {vt.backend_name!r} in this pool"
            rows.append(_row(pool, name, mine, promise, note))
    return rows


def _pool_note(backends: Sequence[StorageBackend], declared: Sequence[str]) -> str:
    if not backends:
        return "no Cinder backend synced for this pool"
    seen = {b.backend_name for b in backends}
    missing = [name for name in declared if name not in seen]
    return "declared backend(s) not reported: " + ", ".join(missing) if missing else ""


def _row(
    pool: str,
    volume_type: str | None,
    backends: Sequence[StorageBackend],
    promise: Promise,
    note: str,
) -> StorageCapacity:
    each = [backend_usable(b) for b in backends]
    unknown = [u.why_unknown for u in each if u.why_unknown]
    if unknown and not note:
        note = "; ".join(unknown)
    ratios = {u.ratio for u in each}
    provisioned = _sum(
        b.provisioned_gib if b.provisioned_gib is not None else b.allocated_gib for b in backends
    )
    usable = _sum(u.usable_gib for u in each)
    return StorageCapacity(
        pool=pool,
        volume_type=volume_type,
        backends=tuple(sorted(b.name for b in backends)),
        total_gib=_sum(b.total_gib for b in backends),
        limit_gib=_sum(u.limit_gib for u in each),
        reserve_gib=_sum(u.reserve_gib for u in each),
        usable_gib=usable,
        ratio=ratios.pop() if len(ratios) == 1 else None,
        allocated_gib=_sum(b.allocated_gib for b in backends),
        provisioned_gib=provisioned,
        approved_gib=promise.approved_gib,
        quota_gib=promise.quota_gib,
        unlimited_projects=promise.unlimited,
        quota_pct=_pct(promise.quota_gib, usable),
        approved_pct=_pct(promise.approved_gib, usable),
        provisioned_pct=None if provisioned is None else _pct(provisioned, usable),
        note=note,
    )


def _sum(values: Iterable[float | None]) -> int | None:
    """Σ in whole GiB (Cinder reports fractions of a GB; planning needs none), or None when
    any term is unknown or there is nothing to add: never a partial total."""
    items = list(values)
    if not items or any(v is None for v in items):
        return None
    return round(sum(v for v in items if v is not None))


def _pct(part: float, whole: float | None) -> float | None:
    if whole is None or whole <= 0:
        return None
    return round(100.0 * part / whole, 1)


def type_promises(
    bindings: Iterable[tuple[Mapping[str, int], str | None]],
    limits: Iterable[TypeQuotaUsage],
) -> dict[str, Promise]:
    """Σ `gigabytes_<type>` per volume type over a pool's departments' projects.

    BINDINGS: (approved_type_quota, bound project id or None before sync) per declared
    project; LIMITS: the cloud's per-type quotas in the pool. A project's quota is the cloud's
    limit where sync has seen it, else the approved one; projects nobody declares are left out,
    as for cores and RAM.
    """
    seen = {
        (q.project_id, q.volume_type): q.limit for q in limits if q.resource.value == "gigabytes"
    }
    out: dict[str, list[int]] = {}
    for approved, project_id in bindings:
        types = {k.removeprefix(GIGABYTES_) for k in approved if k.startswith(GIGABYTES_)}
        types |= {vt for (p, vt) in seen if project_id is not None and p == project_id}
        for vt in types:
            a = approved.get(GIGABYTES_ + vt)
            limit = seen.get((project_id or "", vt), a)
            sums = out.setdefault(vt, [0, 0, 0])
            sums[0] += a or 0
            if limit is not None and limit < 0:
                sums[2] += 1
            elif limit is not None:
                sums[1] += limit
    return {vt: Promise(*sums) for vt, sums in out.items()}


GIGABYTES_ = "gigabytes_"


def storage_by_pool(
    pools: Sequence[Pool],
    departments: Sequence[Department],
    backends: Iterable[StorageBackend],
    types: Iterable[VolumeType],
    type_quotas: Iterable[TypeQuotaUsage],
    committed: Mapping[str, tuple[int, int]],
    bound: Mapping[tuple[str, str], str],
) -> dict[str, list[StorageCapacity]]:
    """`pool_storage` for every pool: COMMITTED is pool -> (Σ bounded `gigabytes` quota,
    unlimited count) as `quota check` sums it; BOUND (pool, department) -> synced project id."""
    by_pool_b: dict[str, list[StorageBackend]] = {}
    for b in backends:
        by_pool_b.setdefault(b.pool_code, []).append(b)
    by_pool_t: dict[str, list[VolumeType]] = {}
    for t in types:
        by_pool_t.setdefault(t.pool_code, []).append(t)
    by_pool_q: dict[str, list[TypeQuotaUsage]] = {}
    for q in type_quotas:
        by_pool_q.setdefault(q.pool_code, []).append(q)
    out: dict[str, list[StorageCapacity]] = {}
    for pool in pools:
        mine = [b for d in departments for b in d.projects if b.pool_code == pool.code]
        approved = sum(b.approved_quota.get(QuotaResource.GIGABYTES, 0) for b in mine)
        total, unlimited = committed.get(pool.code, (approved, 0))
        bindings = [
            (b.approved_type_quota, b.project_id or bound.get((pool.code, b.department_code)))
            for b in mine
        ]
        out[pool.code] = pool_storage(
            pool.code,
            by_pool_b.get(pool.code, []),
            by_pool_t.get(pool.code, []),
            Promise(approved, total, unlimited),
            type_promises(bindings, by_pool_q.get(pool.code, [])),
            pool.storage_backends,
        )
    return out
