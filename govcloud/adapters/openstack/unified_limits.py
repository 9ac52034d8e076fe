"""Is this cloud keeping its quotas as Keystone unified limits?

With unified limits, Keystone holds registered (default) limits per service and per-project
limits; Nova (`[quota] driver = UnifiedLimitsDriver`) then answers its quota API from them,
read-only: a PUT to os-quota-sets is refused or ignored. govcloud reads such limits as usual
(the numbers are Keystone's, hence right) and never PUTs them: changing them is
`openstack limit set`, an administrator's act in Keystone. A cloud lists registered limits for
a service exactly when it enforces them there, which is what this module checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govcloud.adapters.openstack.calls import Api, Missing, NoEndpoint, quiet_sdk

# catalog service types -> govcloud's quota services (QuotaResource.service)
_SERVICE_OF_TYPE = {
    "compute": "compute",
    "volume": "volume",
    "volumev3": "volume",
    "block-storage": "volume",
    "block_storage": "volume",
    "network": "network",
}


@dataclass(frozen=True)
class UnifiedLimits:
    """The quota services (compute, volume, network) whose limits Keystone keeps, and the
    registered-limit resources seen, for the message."""

    services: frozenset[str] = frozenset()
    resources: tuple[str, ...] = ()

    @property
    def in_use(self) -> bool:
        return bool(self.services)

    def covers(self, service: str) -> bool:
        return service in self.services

    def message(self, pool: str) -> str:
        names = ", ".join(sorted(self.services))
        return (
            f"pool {pool}: this cloud uses Keystone unified limits for {names}; "
            "govcloud reads them read-only and will not PUT them"
        )


HINT = "change them in Keystone (`openstack limit set`), then re-run `govcloud quota plan`"


def detect(api: Api, conn: Any) -> UnifiedLimits:
    """GET /v3/registered_limits; a Keystone without the API (404) keeps no unified limits."""
    try:
        with quiet_sdk():
            body = api.get("identity", "/registered_limits")
    except (Missing, NoEndpoint):
        return UnifiedLimits()
    items = body.get("registered_limits")
    if not isinstance(items, list) or not items:
        return UnifiedLimits()
    types = _service_types(conn)
    services: set[str] = set()
    resources: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        service = _SERVICE_OF_TYPE.get(types.get(str(item.get("service_id") or ""), ""))
        # a service the catalog does not name: which quotas it covers is unknown, so none of
        # them is written (a refused PUT is better than one Keystone silently overrides)
        services.update([service] if service else _SERVICE_OF_TYPE.values())
        resources.append(str(item.get("resource_name") or ""))
    return UnifiedLimits(frozenset(services), tuple(sorted(set(resources))))


def _service_types(conn: Any) -> dict[str, str]:
    """Catalog service id -> type, from the token the connection already holds."""
    try:
        session = conn.session
        catalog = session.auth.get_access(session).service_catalog.catalog
    except Exception:  # an auth plugin without a catalog: fall back to "unknown id"
        return {}
    return {
        str(entry.get("id")): str(entry.get("type"))
        for entry in catalog or []
        if isinstance(entry, dict)
    }
