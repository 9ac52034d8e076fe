"""Cinder's storage side as core records: scheduler pools (backends), volume types, and the
per-type keys of a project's quota set.

Drivers report capacities as numbers, numeric strings, or the words `infinite` / `unknown`;
only numbers become numbers (None otherwise: no figure is better than a wrong one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from govcloud.adapters.openstack.calls import Api, Missing, NoEndpoint
from govcloud.core.models import QuotaResource, StorageBackend, TypeQuotaUsage, VolumeType

_PER_TYPE = tuple(r for r in QuotaResource if r.per_type)


def backends(api: Api, pool: str) -> list[StorageBackend] | None:
    """Every scheduler pool of the region; None when Cinder has no scheduler stats (404)."""
    try:
        body = api.get("block_storage", "/scheduler-stats/get_pools", {"detail": "True"})
    except (Missing, NoEndpoint):
        return None
    out = []
    for p in body.get("pools") or ():
        if not isinstance(p, dict) or not p.get("name"):
            continue
        caps = p.get("capabilities") or {}
        thin = _flag(caps.get("thin_provisioning_support"), default=False)
        out.append(
            StorageBackend(
                pool_code=pool,
                name=str(p["name"]),
                backend_name=str(caps["volume_backend_name"])
                if caps.get("volume_backend_name")
                else None,
                total_gib=gib(caps.get("total_capacity_gb")),
                free_gib=gib(caps.get("free_capacity_gb")),
                allocated_gib=gib(caps.get("allocated_capacity_gb")),
                provisioned_gib=gib(caps.get("provisioned_capacity_gb")),
                max_over_subscription_ratio=gib(caps.get("max_over_subscription_ratio", 1.0)),
                reserved_pct=gib(caps.get("reserved_percentage")) or 0.0,
                thin=thin,
                thick=_flag(caps.get("thick_provisioning_support"), default=not thin),
            )
        )
    return sorted(out, key=lambda b: b.name)


def volume_types(api: Api, pool: str) -> list[VolumeType] | None:
    """Every volume type, private ones included; None when the cloud answers 404."""
    try:
        body = api.get("block_storage", "/types", {"is_public": "None"})
    except (Missing, NoEndpoint):
        return None
    out = []
    for t in body.get("volume_types") or ():
        if not isinstance(t, dict) or not t.get("id"):
            continue
        backend = (t.get("extra_specs") or {}).get("volume_backend_name")
        public = t.get("os-volume-type-access:is_public", t.get("is_public", True))
        out.append(
            VolumeType(
                pool_code=pool,
                type_id=str(t["id"]),
                name=str(t.get("name") or ""),
                backend_name=str(backend) if backend else None,
                is_public=_flag(public, default=True),
            )
        )
    return sorted(out, key=lambda t: t.name)


def type_quotas(pool: str, project_id: str, quota_set: Mapping[str, Any]) -> list[TypeQuotaUsage]:
    """The `gigabytes_<type>`, `volumes_<type>`, `snapshots_<type>` keys of a quota set."""
    out = []
    for key, entry in quota_set.items():
        if not isinstance(entry, dict):
            continue
        for res in _PER_TYPE:
            prefix = f"{res.value}_"
            if key.startswith(prefix) and len(key) > len(prefix):
                out.append(
                    TypeQuotaUsage(
                        pool, project_id, key[len(prefix) :], res,
                        int(entry.get("limit", -1)), int(entry.get("in_use", 0)),
                        int(entry.get("reserved", 0) or 0),
                    )
                )  # fmt: skip
    return out


def gib(value: object) -> float | None:
    """A capacity figure as a float; None for `infinite`, `unknown`, `auto` or garbage."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _flag(value: object, *, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return default
