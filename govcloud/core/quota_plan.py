"""Quota plans: approved (declared) quotas against the cloud's current limits, and apply's guards.

A plan is a file the operator reviews before `quota apply`. It carries the cloud values it was
computed from, so apply can tell "already done" (the cloud holds the planned value) from "someone
changed it meanwhile" (the cloud holds neither the value read nor the planned one). Its seal (an
HMAC with the audit key, core/plan_seal.py) makes any edit fail, re-hashed or not: a reviewed
plan is the plan that runs. Apply does not trust even a sealed plan's targets: each must equal
the approved quota the store declares now (`check_targets`), and the plan's inventory digest
must match the store's.

A change whose target is below what the project uses is *held*: planned and shown, never sent
(unless the operator asks for all or nothing, then it refuses the plan).

Units are OpenStack's: ram in MiB, gigabytes in GiB. -1 means unlimited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from govcloud.core import plan_seal
from govcloud.core.audit_trail import Signer
from govcloud.core.errors import GovcloudError, Location, ValidationError
from govcloud.core.models import UNITS, ProjectBinding, QuotaResource, split_wire_name

UNLIMITED = -1
MAX_LIMIT = 10_000_000  # more than any real pool: a larger value is a typo (or MiB vs GiB)
PLAN_FORMAT: Literal["govcloud-quota-plan"] = "govcloud-quota-plan"
PLAN_VERSION: Literal[2] = 2  # 2: sealed with the audit key (1 carried a plain sha256)
VALUE_HINT = "quota limits are whole numbers from 0 to 10,000,000, or -1 for unlimited"

Limit = Annotated[StrictInt, Field(ge=UNLIMITED, le=MAX_LIMIT)]
Usage = Annotated[StrictInt, Field(ge=0)]
Text = Annotated[str, Field(min_length=1, max_length=255)]


class StalePlanError(GovcloudError):
    """The cloud no longer holds the values the plan was computed from."""

    code = "stale_plan"


class BelowUsageError(ValidationError):
    code = "below_usage"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ProjectReading(_Strict):
    """One project's limits and usage as read from the cloud."""

    pool: Text
    cloud: Text
    region: Text
    department: Text
    project: Text
    project_id: Text
    limits: dict[QuotaResource, Limit]
    in_use: dict[QuotaResource, Usage]
    # Cinder's per-volume-type quotas by wire name (`gigabytes_ssd`)
    type_limits: dict[str, Limit] = {}
    type_in_use: dict[str, Usage] = {}

    def limit(self, wire_name: str) -> int | None:
        if wire_name in QuotaResource._value2member_map_:
            return self.limits.get(QuotaResource(wire_name))
        return self.type_limits.get(wire_name)

    def used(self, wire_name: str) -> int:
        if wire_name in QuotaResource._value2member_map_:
            return self.in_use.get(QuotaResource(wire_name), 0)
        return self.type_in_use.get(wire_name, 0)

    def all_limits(self) -> dict[str, int]:
        return {**{r.value: v for r, v in self.limits.items()}, **self.type_limits}


class QuotaChange(_Strict):
    pool: Text
    department: Text
    project: Text
    project_id: Text
    resource: QuotaResource
    before: Limit
    after: Limit
    in_use: Usage
    volume_type: Text | None = None  # a per-type Cinder quota (`gigabytes_<type>`)

    @property
    def below_usage(self) -> bool:
        return below_usage(self.after, self.in_use)

    @property
    def wire_name(self) -> str:
        """The key in the service's quota body: `gigabytes` or `gigabytes_ssd`."""
        suffix = f"_{self.volume_type}" if self.volume_type else ""
        return self.resource.value + suffix


class MissingProject(_Strict):
    """Declared, but the cloud has no project of that name or id in the pool."""

    pool: Text
    department: Text
    project: Text


class QuotaPlan(_Strict):
    format: Literal["govcloud-quota-plan"] = PLAN_FORMAT
    version: Literal[2] = PLAN_VERSION
    created_at: datetime
    inventory_digest: str  # of the whole declared inventory the plan was made from
    projects: tuple[ProjectReading, ...]
    changes: tuple[QuotaChange, ...]
    missing_projects: tuple[MissingProject, ...] = ()
    # what the plan leaves alone and why (Keystone unified limits, a service not offered)
    notes: tuple[Text, ...] = ()
    seal: str = ""  # HMAC over everything else (`seal_body`), written by the service layer

    @property
    def held(self) -> tuple[QuotaChange, ...]:
        """Changes below the usage the plan read: shown, not sent."""
        return tuple(c for c in self.changes if c.below_usage)


def below_usage(limit: int, in_use: int) -> bool:
    return limit != UNLIMITED and limit < in_use


def check_limit(value: object, what: str) -> int:
    """A quota value as OpenStack accepts it, or a ValidationError naming WHAT."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(
            f"{what}: quota value {value!r} is not a whole number", hint=VALUE_HINT
        )
    if value < UNLIMITED or value > MAX_LIMIT:
        raise ValidationError(f"{what}: quota value {value:,} is out of range", hint=VALUE_HINT)
    return value


# --- making a plan ----------------------------------------------------------------------------


def inventory_digest(bindings: Sequence[ProjectBinding]) -> str:
    """A digest of the approved quotas only: the same declarations give the same digest
    whether they were read from YAML or from the store."""
    rows = sorted(
        [b.department_code, b.pool_code, b.project_name, b.project_id or ""] for b in bindings
    )
    quotas = {
        f"{b.department_code}/{b.pool_code}": {
            **{r.value: v for r, v in b.approved_quota.items()},
            **b.approved_type_quota,
        }
        for b in bindings
    }
    return "sha256:" + hashlib.sha256(_canonical([rows, quotas])).hexdigest()


def diff(
    bindings: Iterable[ProjectBinding],
    readings: Sequence[ProjectReading],
    read_only: Mapping[str, Iterable[str]] | None = None,
) -> list[QuotaChange]:
    """Per declared project and resource, the approved value where the cloud's limit differs.

    READ_ONLY: pool -> services whose limits the cloud keeps elsewhere (Keystone unified
    limits): never planned.
    """
    # one project per department and pool (the inventory enforces it): that pair is the key
    by_key = {(r.pool, r.department): r for r in readings}
    fixed = {pool: set(services) for pool, services in (read_only or {}).items()}
    changes: list[QuotaChange] = []
    for b in bindings:
        reading = by_key.get((b.pool_code, b.department_code))
        if reading is None:
            continue
        wanted: list[tuple[QuotaResource, str | None, int]] = [
            (r, None, b.approved_quota[r]) for r in QuotaResource if r in b.approved_quota
        ]
        wanted += [(*split_wire_name(k), v) for k, v in sorted(b.approved_type_quota.items())]
        for resource, volume_type, approved in wanted:
            if resource.service in fixed.get(b.pool_code, ()):
                continue
            wire = resource.value + (f"_{volume_type}" if volume_type else "")
            before = reading.limit(wire)
            if before is None:
                continue  # the cloud has no such service or volume type
            after = check_limit(approved, f"{b.project_name} {wire}")
            if before != after:
                changes.append(
                    QuotaChange(
                        pool=b.pool_code,
                        department=b.department_code,
                        project=reading.project,
                        project_id=reading.project_id,
                        resource=resource,
                        before=before,
                        after=after,
                        in_use=reading.used(wire),
                        volume_type=volume_type,
                    )
                )
    return changes


def build_plan(
    bindings: Sequence[ProjectBinding],
    readings: Sequence[ProjectReading],
    missing: Sequence[MissingProject],
    created_at: datetime,
    read_only: Mapping[str, Iterable[str]] | None = None,
    notes: Sequence[str] = (),
    digest: str | None = None,
) -> QuotaPlan:
    """The unsealed plan for BINDINGS; DIGEST: of the whole declared inventory they were
    selected from (default: of BINDINGS)."""
    return QuotaPlan(
        created_at=created_at,
        inventory_digest=digest or inventory_digest(bindings),
        projects=tuple(readings),
        changes=tuple(diff(bindings, readings, read_only)),
        missing_projects=tuple(missing),
        notes=(*notes, *_unknown_types(bindings, readings)),
    )


def _unknown_types(
    bindings: Sequence[ProjectBinding], readings: Sequence[ProjectReading]
) -> list[str]:
    """Approved per-type quotas of volume types the cloud does not have: said, not dropped.

    Only where the cloud reported per-type quotas at all (a cloud without Cinder is another
    note's business)."""
    by_key = {(r.pool, r.department): r for r in readings}
    out = []
    for b in bindings:
        r = by_key.get((b.pool_code, b.department_code))
        if r is None or not r.type_limits:
            continue
        for wire in sorted(b.approved_type_quota):
            if wire not in r.type_limits:
                _, vt = split_wire_name(wire)
                out.append(
                    f"pool {b.pool_code}: {r.project}: the cloud has no volume type {vt!r} ({wire})"
                )
    return out


def seal_body(plan: QuotaPlan) -> bytes:
    """What the seal covers: the plan's canonical JSON without the seal itself."""
    return _canonical(plan.model_dump(mode="json", exclude={"seal"}))


def sealed(plan: QuotaPlan, signer: Signer) -> QuotaPlan:
    return plan.model_copy(update={"seal": plan_seal.seal(signer, seal_body(plan))})


def verify_seal(plan: QuotaPlan, signer: Signer, source: str) -> None:
    """Refuse a plan whose seal is not this installation's HMAC of its content."""
    if plan_seal.verifies(signer, seal_body(plan), plan.seal):
        return
    other = plan_seal.algorithm(plan.seal)
    if other and other != signer.alg:
        raise ValidationError(
            f"plan is sealed with {other}, this installation seals with {signer.alg}",
            location=Location(source, key="seal"),
            hint="re-run `govcloud quota plan -f FILE` here",
        )
    raise ValidationError(
        "plan was edited after `quota plan` wrote it (its seal does not verify)",
        location=Location(source, key="seal"),
        hint="re-run `govcloud quota plan -f FILE`; change quotas in the inventory instead",
    )


def to_json(plan: QuotaPlan) -> str:
    return json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# --- reading a plan back ----------------------------------------------------------------------


def parse_plan(text: str, source: str) -> QuotaPlan:
    """Validate a plan file: format version, schema, values and internal consistency. The
    seal is checked by `verify_seal` (it needs the key)."""
    _check_version(text, source)
    try:
        plan = QuotaPlan.model_validate_json(text)
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or None
        got = repr(err.get("input"))[:40] if err["type"] != "json_invalid" else "invalid JSON"
        value_error = bool(key) and str(key).endswith(("before", "after"))
        raise ValidationError(
            f"not a valid quota plan: {err['msg']} (got {got})",
            location=Location(source, key=key),
            hint=VALUE_HINT if value_error else "write plans with `govcloud quota plan -f FILE`",
        ) from None
    _check_consistent(plan, source)
    return plan


def _check_version(text: str, source: str) -> None:
    """A plan of another format version is told as such, not as a schema error."""
    try:
        data = json.loads(text)
    except ValueError:
        return  # the schema check names the JSON error
    except RecursionError:
        raise ValidationError(
            f"{source}: not a quota plan: JSON nested too deep",
            hint="write plans with `govcloud quota plan -f FILE`",
        ) from None
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        return
    version = data.get("version")
    if version != PLAN_VERSION:
        raise ValidationError(
            f"plan format version {version!r} is not accepted (this govcloud reads version "
            f"{PLAN_VERSION}: plans sealed with the audit key)",
            location=Location(source, key="version"),
            hint="re-run `govcloud quota plan -f FILE` to write a sealed plan",
        )


def _check_consistent(plan: QuotaPlan, source: str) -> None:
    known = {(r.pool, r.project_id): r for r in plan.projects}
    for i, change in enumerate(plan.changes):
        reading = known.get((change.pool, change.project_id))
        if reading is None or reading.limit(change.wire_name) != change.before:
            raise ValidationError(
                f"change {i} names project {change.project_id!r} in pool {change.pool!r} "
                "that the plan did not read",
                location=Location(source, key=f"changes.{i}"),
                hint="re-run `govcloud quota plan -f FILE`",
            )


# --- applying ---------------------------------------------------------------------------------

Current = Mapping[tuple[str, str], ProjectReading]  # (pool, project_id) -> fresh reading


@dataclass(frozen=True)
class ApplyStep:
    change: QuotaChange
    current: int  # the cloud's limit now
    in_use: int  # the cloud's usage now
    done: bool  # the cloud already holds the planned value
    held: bool = False  # pending, but below the fresh usage: not sent


def check_values(plan: QuotaPlan) -> None:
    """Before any HTTP call (all or nothing): refuse planned limits below the usage the plan
    recorded."""
    _refuse_below_usage([(c, c.in_use) for c in plan.changes])


def check_targets(plan: QuotaPlan, bindings: Sequence[ProjectBinding], source: str) -> None:
    """Every change's target must be the approved quota the store declares now for its
    department, pool and resource: a plan can only ever push what the inventory allows."""
    by_key = {(b.department_code, b.pool_code): b for b in bindings}
    for i, c in enumerate(plan.changes):
        row = f"{c.pool}/{c.department}/{c.project} {c.wire_name}"
        b = by_key.get((c.department, c.pool))
        if b is None or b.project_name != c.project or b.project_id not in (None, c.project_id):
            raise ValidationError(
                f"plan row {row}: the store declares no such project for that department and pool",
                location=Location(source, key=f"changes.{i}"),
                hint="re-run `govcloud quota plan -f FILE` against the loaded inventory",
            )
        approved = (
            b.approved_type_quota.get(c.wire_name)
            if c.volume_type
            else b.approved_quota.get(c.resource)
        )
        if approved != c.after:
            said = "none" if approved is None else f"{approved:,}"
            raise ValidationError(
                f"plan row {row}: target {c.after:,} is not the approved quota ({said})",
                location=Location(source, key=f"changes.{i}.after"),
                hint="change quotas in the inventory, `govcloud inventory load` it, then re-plan",
            )


def reconcile(
    plan: QuotaPlan, current: Current, *, hold_below_usage: bool = False
) -> list[ApplyStep]:
    """Compare the fresh cloud values with the plan's; stale plans fail.

    Only projects the plan changes are compared, all their resources. A change is done when
    the cloud holds its planned value (a re-run after success) and pending when it still holds
    the value read; anything else is a change made by someone else. A pending change below
    the fresh usage is held (HOLD_BELOW_USAGE) or refuses the whole plan.
    """
    drift: list[str] = []
    planned = {(c.pool, c.project_id, c.wire_name): c for c in plan.changes}
    touched = {(c.pool, c.project_id) for c in plan.changes}
    for reading in plan.projects:
        if (reading.pool, reading.project_id) not in touched:
            continue  # nothing to write there: its drift is the next plan's business
        now = current.get((reading.pool, reading.project_id))
        if now is None:
            raise ValidationError(
                f"project {reading.project} ({reading.project_id}) is no longer in pool "
                f"{reading.pool}",
                hint="re-run `govcloud quota plan`; the project may have been deleted",
            )
        for resource, then in reading.all_limits().items():
            value = now.limit(resource)
            change = planned.get((reading.pool, reading.project_id, resource))
            allowed = {then} if change is None else {then, change.after}
            if value not in allowed:
                drift.append(f"{reading.project} {resource} {then} -> {value}")
    if drift:
        raise StalePlanError(
            "cloud changed since the plan: " + ", ".join(drift) + "; re-run quota plan",
            hint="`govcloud quota plan -f FILE` reads the current values again",
        )
    steps = [_step(c, current[(c.pool, c.project_id)]) for c in plan.changes]
    if not hold_below_usage:
        _refuse_below_usage([(s.change, s.in_use) for s in steps if not s.done])
    return steps


def _step(change: QuotaChange, now: ProjectReading) -> ApplyStep:
    value = now.limit(change.wire_name)
    if value is None:
        raise StalePlanError(
            f"cloud changed since the plan: {change.project} {change.wire_name} is gone",
            hint="`govcloud quota plan -f FILE` reads the current values again",
        )
    in_use = now.used(change.wire_name)
    done = value == change.after
    return ApplyStep(change, value, in_use, done, not done and below_usage(change.after, in_use))


def _refuse_below_usage(pairs: Sequence[tuple[QuotaChange, int]]) -> None:
    bad = [
        f"{c.project} {c.wire_name} to {c.after:,} ({in_use:,} in use)"
        for c, in_use in pairs
        if below_usage(c.after, in_use)
    ]
    if bad:
        raise BelowUsageError(
            "refusing to set a quota below current usage: " + "; ".join(bad),
            hint="raise the approved quota in the inventory, or free the resources first",
        )


def pending_by_call(steps: Sequence[ApplyStep]) -> dict[tuple[str, str, str], dict[str, int]]:
    """(pool, project_id, service) -> {resource: absolute value}: one PUT each, only changes."""
    calls: dict[tuple[str, str, str], dict[str, int]] = {}
    for s in steps:
        if not s.done and not s.held:
            c = s.change
            calls.setdefault((c.pool, c.project_id, c.resource.service), {})[c.wire_name] = c.after
    return calls


# --- what plan and apply show -----------------------------------------------------------------


@dataclass(frozen=True)
class ChangeView:
    pool: str
    department: str
    project: str
    project_id: str
    resource: str
    unit: str
    before: int
    after: int
    in_use: int
    # planned | held | would_change | changed | already_applied | failed | unknown
    status: str


def change_view(change: QuotaChange, status: str, in_use: int | None = None) -> ChangeView:
    return ChangeView(
        pool=change.pool,
        department=change.department,
        project=change.project,
        project_id=change.project_id,
        resource=change.wire_name,
        unit=UNITS[change.resource],
        before=change.before,
        after=change.after,
        in_use=change.in_use if in_use is None else in_use,
        status=status,
    )


def plan_views(plan: QuotaPlan) -> list[ChangeView]:
    return [change_view(c, "held" if c.below_usage else "planned") for c in plan.changes]
