"""What every authenticated API handler gets: the request, the caller's token, the region."""

from __future__ import annotations

from dataclasses import dataclass

from govcloud.sandbox.estate import Estate
from govcloud.sandbox.identity import Identity, Token
from govcloud.sandbox.microversion import Version
from govcloud.sandbox.paging import PageFaults
from govcloud.sandbox.wire import Request


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
