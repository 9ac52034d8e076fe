"""Nova and Cinder quota sets (`os-quota-sets`) and Neutron quotas through openstacksdk's raw
proxy calls.

Reads use `/detail` (Nova), `?usage=true` (Cinder, with its per-volume-type keys such as
`gigabytes_ssd`) and `/v2.0/quotas/{id}/details` (Neutron: `used` for in_use) so one GET per
service gives limit and in_use; a service missing from the catalog, or Neutron without the
`quota_details` extension (404), is skipped, never counted as zero. Reads go through
`calls.Api` (retries with jitter on connection errors, 5xx and 429, never
on 401/403, errors naming pool and call). Writes send absolute values for the named resources
only, never Nova's `force`, and are never retried: a PUT that timed out may have landed, so the
caller re-reads instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govcloud.adapters.openstack.calls import Api, Missing, NoEndpoint, quiet_sdk
from govcloud.adapters.openstack.unified_limits import HINT, UnifiedLimits, detect
from govcloud.core.errors import CloudError, UsageError
from govcloud.core.models import QuotaResource

_SERVICES = {"compute": "compute", "volume": "block_storage", "network": "network"}
# Cinder keeps these per volume type as `<resource>_<type>`
_PER_TYPE = tuple(f"{r.value}_" for r in QuotaResource if r.per_type)


class UncertainPut(CloudError):
    """A PUT that got no answer (timeout, connection reset): it may or may not have landed."""

    code = "outcome_unknown"


@dataclass(frozen=True)
class Reading:
    """One project's quotas as the cloud holds them; per-type ones by wire name."""

    limits: dict[QuotaResource, int] = field(default_factory=dict)
    in_use: dict[QuotaResource, int] = field(default_factory=dict)
    type_limits: dict[str, int] = field(default_factory=dict)
    type_in_use: dict[str, int] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()  # services not read, and why


class QuotaApi:
    """Quota calls of one pool's Connection (made by `adapters.openstack.config.connect`)."""

    def __init__(self, conn: Any, pool_code: str) -> None:
        self._conn = conn
        self._pool = pool_code
        self._api = Api(pool_code, conn)
        self._skip: dict[str, str] = {}  # service -> why it is not read on this cloud
        self._unified: UnifiedLimits | None = None

    def unified_limits(self) -> UnifiedLimits:
        """Keystone unified limits of this cloud (read once per connection)."""
        if self._unified is None:
            self._unified = detect(self._api, self._conn)
        return self._unified

    def project_ids(self) -> dict[str, list[str]]:
        """Keystone project name -> ids (names repeat across domains)."""
        with quiet_sdk():
            items, _ = self._api.pages("identity", "/projects", "projects", {})
        out: dict[str, list[str]] = {}
        for item in items:
            out.setdefault(str(item.get("name")), []).append(str(item["id"]))
        return out

    def read(self, project_id: str) -> Reading:
        """Limits and in_use of every quota resource the cloud has a service for."""
        paths = {
            "compute": (f"/os-quota-sets/{project_id}/detail", None),
            "volume": (f"/os-quota-sets/{project_id}", {"usage": "true"}),
            "network": (f"/quotas/{project_id}/details", None),  # the adapter adds /v2.0
        }
        out = Reading()
        for service, (path, params) in paths.items():
            if service in self._skip:
                continue
            try:
                with quiet_sdk():
                    body = self._api.get(_SERVICES[service], path, params)
            except NoEndpoint:
                self._skip[service] = "not in the catalog"
                continue
            except Missing:
                if service == "compute":
                    raise
                self._skip[service] = "quota API not offered (404)"
                continue
            self._parse(service, project_id, body, out)
        skipped = tuple(f"{s}: {why}" for s, why in sorted(self._skip.items()))
        return Reading(out.limits, out.in_use, out.type_limits, out.type_in_use, skipped)

    def _parse(self, service: str, project_id: str, body: dict[str, Any], out: Reading) -> None:
        key = "quota" if service == "network" else "quota_set"
        quota_set = body.get(key)
        if not isinstance(quota_set, dict):
            raise CloudError(
                f"pool {self._pool}: {service} quota of {project_id}: no {key} in reply"
            )
        used_key = "used" if service == "network" else "in_use"
        for resource in QuotaResource:
            entry = quota_set.get(resource.value)
            if resource.service == service and isinstance(entry, dict):
                out.limits[resource] = int(entry["limit"])
                out.in_use[resource] = int(entry.get(used_key) or 0)
        if service != "volume":
            return
        for name, entry in quota_set.items():
            if str(name).startswith(_PER_TYPE) and isinstance(entry, dict):
                out.type_limits[str(name)] = int(entry["limit"])
                out.type_in_use[str(name)] = int(entry.get("in_use") or 0)

    def put(self, project_id: str, service: str, values: Mapping[str, int]) -> None:
        """Set absolute limits of SERVICE's resources (per-type ones by wire name) for
        PROJECT_ID; never on a service whose limits Keystone keeps (unified limits)."""
        unified = self.unified_limits()
        if unified.covers(service):
            raise UsageError(unified.message(self._pool), hint=HINT)
        path, key = (
            (f"/quotas/{project_id}", "quota")
            if service == "network"
            else (f"/os-quota-sets/{project_id}", "quota_set")
        )
        call = f"PUT {service} {path}"
        try:
            with quiet_sdk():
                resp = getattr(self._conn, _SERVICES[service]).put(
                    path,
                    json={key: dict(values)},
                    raise_exc=False,
                    connect_retries=0,
                )
        except Exception as exc:  # keystoneauth raises many unrelated types
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UncertainPut(
                f"pool {self._pool}: {call}: {text}",
                hint="the change may or may not have landed: run `govcloud quota reconcile`",
            ) from None
        if resp.status_code >= 400:
            raise CloudError(
                f"pool {self._pool}: {call}: HTTP {resp.status_code} {_reason(resp)}",
                hint=_hint(resp.status_code),
            )


def _reason(resp: Any) -> str:
    try:
        body = resp.json()
    except ValueError:
        return str(getattr(resp, "reason", "") or "")
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, dict) and "message" in value:
                return str(value["message"])[:200]
    return str(getattr(resp, "reason", "") or "")


def _hint(status: int) -> str:
    if status in (401, 403):
        return "quota changes need an admin role on this cloud"
    if status == 404:
        return "the project may have been deleted; re-run `govcloud quota plan`"
    return "retry later; see the cloud's API logs"
