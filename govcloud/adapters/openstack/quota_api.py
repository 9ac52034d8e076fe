"""Nova and Cinder quota sets (`os-quota-sets`) through openstacksdk's raw proxy calls.

Reads use `/detail` (Nova) and `?usage=true` (Cinder) so one GET per service gives limit and
in_use; they go through `calls.Api` (retries with jitter on connection errors, 5xx and 429, never
on 401/403, errors naming pool and call). Writes send absolute values for the named resources
only, never Nova's `force`, and are never retried: a PUT that timed out may have landed, so the
caller re-reads instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govcloud.adapters.openstack.calls import Api, NoEndpoint, quiet_sdk
from govcloud.core.errors import CloudError
from govcloud.core.models import QuotaResource

_SERVICES = {"compute": "compute", "volume": "block_storage"}


class QuotaApi:
    """Quota calls of one pool's Connection (made by `adapters.openstack.config.connect`)."""

    def __init__(self, conn: Any, pool_code: str) -> None:
        self._conn = conn
        self._pool = pool_code
        self._api = Api(pool_code, conn)
        self._volume: bool | None = None

    def project_ids(self) -> dict[str, list[str]]:
        """Keystone project name -> ids (names repeat across domains)."""
        with quiet_sdk():
            items, _ = self._api.pages("identity", "/projects", "projects", {})
        out: dict[str, list[str]] = {}
        for item in items:
            out.setdefault(str(item.get("name")), []).append(str(item["id"]))
        return out

    def read(self, project_id: str) -> tuple[dict[QuotaResource, int], dict[QuotaResource, int]]:
        """(limits, in_use) of every quota resource the cloud has a service for."""
        limits: dict[QuotaResource, int] = {}
        in_use: dict[QuotaResource, int] = {}
        with quiet_sdk():
            bodies = {"compute": self._api.get("compute", f"/os-quota-sets/{project_id}/detail")}
            if self._volume is not False:
                try:
                    bodies["volume"] = self._api.get(
                        "block_storage", f"/os-quota-sets/{project_id}", {"usage": "true"}
                    )
                    self._volume = True
                except NoEndpoint:
                    self._volume = False  # a cloud without Cinder: its resources are skipped
        for service, body in bodies.items():
            quota_set = body.get("quota_set")
            if not isinstance(quota_set, dict):
                raise CloudError(
                    f"pool {self._pool}: {service} quota of {project_id}: no quota_set in reply"
                )
            for resource in QuotaResource:
                entry = quota_set.get(resource.value)
                if resource.service == service and isinstance(entry, dict):
                    limits[resource] = int(entry["limit"])
                    in_use[resource] = int(entry.get("in_use") or 0)
        return limits, in_use

    def put(self, project_id: str, service: str, values: Mapping[str, int]) -> None:
        """Set absolute limits of SERVICE's resources for PROJECT_ID."""
        call = f"PUT {service} /os-quota-sets/{project_id}"
        try:
            with quiet_sdk():
                resp = getattr(self._conn, _SERVICES[service]).put(
                    f"/os-quota-sets/{project_id}",
                    json={"quota_set": dict(values)},
                    raise_exc=False,
                    connect_retries=0,
                )
        except Exception as exc:  # keystoneauth raises many unrelated types
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CloudError(
                f"pool {self._pool}: {call}: {text}",
                hint="the change may or may not have landed: re-run `govcloud quota apply`",
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
