"""Quota changes whose outcome the trail does not tell yet, and how re-reading the cloud
settles them.

`quota apply` commits an `intent` record before each PUT and an outcome record (ok, failed,
unknown; `ref` = the intent's seq) after it. An intent without ok/failed (killed between the
two records, or the call timed out: `unknown`) is open until a reconcile re-reads the project's
limits and appends `landed` (the cloud holds every intended value) or `not_landed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

EVENT = "quota.apply"
CLOSING = ("ok", "failed", "landed", "not_landed")  # outcomes that settle an intent
_META = ("project", "pid")  # keys of an intent's `after` that are not quota values


@dataclass(frozen=True)
class OpenIntent:
    seq: int
    ts: datetime
    pool: str
    project_id: str
    project: str
    service: str
    intended: dict[str, int]  # wire name -> the value the PUT carried
    source_host: str
    pid: int | None  # the applying process, to tell a live apply from a killed one
    unknown: bool  # an `unknown` outcome is on record (timeout, reset, interrupt)


def intent_after(project: str, values: Mapping[str, int], pid: int) -> dict[str, Any]:
    """The `after` of an intent record: the values to PUT, the project's name and the pid."""
    return {"project": project, **values, "pid": pid}


def open_intent(
    seq: int,
    ts: datetime,
    object_type: str,
    object_id: str,
    after: Mapping[str, Any] | None,
    source_host: str,
    unknown: bool,
) -> OpenIntent | None:
    """The intent an audit row records, or None for a row that is not a quota intent."""
    service = object_type.removeprefix("quota.")
    pool, sep, project_id = object_id.partition("/")
    if service == object_type or not sep or not isinstance(after, Mapping):
        return None
    intended = {
        str(k): int(v)
        for k, v in after.items()
        if k not in _META and isinstance(v, int) and not isinstance(v, bool)
    }
    pid = after.get("pid")
    return OpenIntent(
        seq=seq,
        ts=ts,
        pool=pool,
        project_id=project_id,
        project=str(after.get("project", "")),
        service=service,
        intended=intended,
        source_host=source_host,
        pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        unknown=unknown,
    )


def judge(intent: OpenIntent, limits: Mapping[str, int]) -> str:
    """`landed` when the cloud's LIMITS hold every intended value, else `not_landed`."""
    landed = all(limits.get(k) == v for k, v in intent.intended.items())
    return "landed" if landed else "not_landed"
