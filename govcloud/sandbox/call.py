"""What every authenticated API handler gets: the request, the caller's token, the region."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from govcloud.sandbox.estate import Estate
from govcloud.sandbox.identity import Identity, Token
from govcloud.sandbox.microversion import Version
from govcloud.sandbox.paging import BadPageRequest, PageFaults, parse_limit
from govcloud.sandbox.wire import ApiError, Request, fault


@dataclass(frozen=True)
class Call:
    req: Request
    token: Token
    estate: Estate
    identity: Identity
    region: str
    version: Version
    root_url: str  # the service's unversioned root, e.g. .../r/<region>/compute
    page_faults: PageFaults
    no_snapshots: bool = False  # imitate a Cinder without snapshots (404)
    odd_capacity: Mapping[str, str] = field(default_factory=dict)  # Cinder pool -> "infinite"
    neutron_changed_since: bool = False  # Neutron honours `changed_since` (an older Neutron)

    def flag(self, name: str) -> bool | None:
        """A boolean query parameter as oslo's bool_from_string (strict): None when absent."""
        raw = self.req.arg(name)
        if raw is None:
            return None
        value = raw.strip().lower()
        if value in ("", "1", "t", "true", "on", "y", "yes"):
            return True
        if value in ("0", "f", "false", "off", "n", "no"):
            return False
        raise ValueError(f"Invalid value '{raw}' for {name}")

    def page_limit(self, max_limit: int) -> int:
        """The listing's `limit`; a bad one gets the 400 the services send."""
        if self.page_faults.max_limit:
            max_limit = min(max_limit, self.page_faults.max_limit)
        try:
            return parse_limit(self.req.arg("limit"), max_limit)
        except BadPageRequest as exc:
            raise ApiError(fault(400, str(exc))) from None

    def listing_args(self, max_limit: int) -> tuple[bool | None, int]:
        """`all_tenants` and `limit` of a Nova or Cinder listing, both checked."""
        try:
            all_tenants = self.flag("all_tenants")
        except ValueError as exc:
            raise ApiError(fault(400, str(exc))) from None
        return all_tenants, self.page_limit(max_limit)
