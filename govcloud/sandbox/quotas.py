"""Quota arithmetic shared by Nova and Cinder: usage per project, limits, guarded updates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from govcloud.sandbox.estate import (
    COMPUTE_QUOTA_DEFAULTS,
    VOLUME_QUOTA_DEFAULTS,
    Estate,
)


class QuotaUpdateError(ValueError):
    """An update the API refuses with 400 (the message is the API's)."""


def compute_usage(estate: Estate, region: str, project_id: str) -> dict[str, int]:
    used = dict.fromkeys(COMPUTE_QUOTA_DEFAULTS, 0)
    index = estate.project_index(region, project_id)
    if index is None:
        return used
    s = estate.servers
    for row in estate.project_servers[index]:
        f = estate.flavors[s.flavor[row]]
        used["instances"] += 1
        used["cores"] += f.vcpus
        used["ram"] += f.ram_mib
    return used


def volume_usage(estate: Estate, region: str, project_id: str) -> dict[str, int]:
    used = dict.fromkeys(VOLUME_QUOTA_DEFAULTS, 0)
    index = estate.project_index(region, project_id)
    if index is None:
        return used
    for row in estate.project_volumes[index]:
        used["volumes"] += 1
        used["gigabytes"] += estate.volumes.size_gib[row]
    return used


def limits(
    table: Mapping[tuple[str, str], Mapping[str, int]],
    defaults: Mapping[str, int],
    region: str,
    project_id: str,
) -> dict[str, int]:
    return {**defaults, **table.get((region, project_id), {})}


def validated_update(
    body: Any,
    known: Iterable[str],
    used: Mapping[str, int],
    message: str,
    ignored: Iterable[str] = (),
    unknown: str | None = None,
) -> dict[str, int]:
    """New limits from a `{"quota_set": {...}}` body; 400 on unknown keys, bad values, or a
    limit below what is in use (`message` formatted with limit, resource, minimum). UNKNOWN:
    the message for an unknown key (formatted with `keys`), when the API has its own."""
    if not isinstance(body, dict) or not isinstance(body.get("quota_set"), dict):
        raise QuotaUpdateError("Invalid input for field/attribute quota_set.")
    known_set, changes = set(known), {}
    bad = [k for k in body["quota_set"] if k not in known_set and k not in ignored]
    if bad and unknown is not None:
        raise QuotaUpdateError(unknown.format(keys=",".join(bad)))
    for key, value in body["quota_set"].items():
        if key in ignored:
            continue
        if key not in known_set:
            raise QuotaUpdateError(
                f"Invalid input for field/attribute quota_set. Value: {body['quota_set']}. "
                f"Additional properties are not allowed ('{key}' was unexpected)"
            )
        try:
            limit = int(value)
        except (TypeError, ValueError):
            raise QuotaUpdateError(f"Invalid input for field/attribute {key}.") from None
        if limit < -1:
            raise QuotaUpdateError(f"Invalid input for field/attribute {key}. Value: {value}.")
        minimum = used.get(key, 0)
        if limit != -1 and limit < minimum:
            raise QuotaUpdateError(message.format(limit=limit, resource=key, minimum=minimum))
        changes[key] = limit
    return changes
