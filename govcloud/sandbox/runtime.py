"""The Python API of the sandbox: start, describe, write clouds.yaml, change faults, stop.

with Sandbox.start(inventory, size=10_000, latency_ms=20) as sb:
    sb.write_clouds_yaml(tmp_path / "clouds.yaml")
    conn = openstack.connect(cloud="govcloud-sandbox-zwy")  # OS_CLIENT_CONFIG_FILE points there

Its clouds.yaml entries never carry a real cloud's name (`govcloud-sandbox-<cloud>`), and the
file carries `govcloud_sandbox: true` (under a comment saying so): the sandbox overwrites only
files that carry it, and govcloud maps a pool's cloud X to the entry `govcloud-sandbox-X` there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from govcloud.adapters.files import write_private
from govcloud.adapters.openstack.config import SANDBOX_KEY, SANDBOX_PREFIX
from govcloud.core.errors import UsageError
from govcloud.core.models import Inventory
from govcloud.sandbox import admin
from govcloud.sandbox.app import App
from govcloud.sandbox.estate import Estate
from govcloud.sandbox.faults import Faults, FaultState
from govcloud.sandbox.identity import DOMAIN, Identity
from govcloud.sandbox.seeding import build_estate
from govcloud.sandbox.server import HttpServer

DEFAULT_TOKEN_TTL_S = 3600.0
ALIAS = "govcloud-sandbox"
HEADER = (
    "# Written by `govcloud sandbox serve`: credentials of a local test cloud, not a real one.\n"
    "# The sandbox replaces this file when asked to; it refuses files without the key below.\n"
)
_SNIFF_BYTES = 1 << 20
_OURS = re.compile(rb"^" + SANDBOX_KEY.encode() + rb": true[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class CloudEntry:
    """One clouds.yaml entry the sandbox can serve."""

    name: str
    auth_type: str
    auth: dict[str, str]
    regions: tuple[str, ...]

    def to_yaml(self) -> dict[str, Any]:
        return {
            "auth_type": self.auth_type,
            "auth": dict(self.auth),
            "regions": list(self.regions),
            "region_name": self.regions[0],
            "identity_api_version": 3,
            "interface": "public",
        }


class Sandbox:
    def __init__(
        self,
        inventory: Inventory,
        estate: Estate,
        server: HttpServer,
        identity: Identity,
        faults: FaultState,
    ) -> None:
        self.inventory, self.estate, self.identity = inventory, estate, identity
        self._server, self._faults = server, faults

    @classmethod
    def start(
        cls,
        inventory: Inventory,
        *,
        size: int | None = None,
        seed: int = 0,
        port: int = 0,
        latency_ms: int = 0,
        faults: Faults | None = None,
        token_ttl_s: float = DEFAULT_TOKEN_TTL_S,
        now: datetime | None = None,
    ) -> Sandbox:
        """Seed the estate and serve it on 127.0.0.1 (`port=0`: any free port).

        NOW: the estate's present (default: today, UTC); see `govcloud.sandbox.history`."""
        settings = faults or Faults()
        if latency_ms:
            settings = Faults.from_dict({"latency_ms": latency_ms}, settings)
        estate = build_estate(inventory, size=size, seed=seed, now=now)
        server = HttpServer(port=port)
        identity = Identity(estate, server.base_url, token_ttl_s)
        state = FaultState(settings)
        server.set_app(App(estate, identity, state))
        server.start()
        return cls(inventory, estate, server, identity, state)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.stop()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def auth_url(self) -> str:
        return self.identity.auth_url

    @property
    def faults(self) -> Faults:
        return self._faults.faults

    @property
    def injected(self) -> dict[str, int]:
        """Fault -> how often it was injected since the last `set_faults`."""
        return self._faults.injected

    @property
    def api_requests(self) -> int:
        """Authenticated API requests served since the last `set_faults`: a test can wait for
        the Nth page of a client's listing."""
        return self._faults.api_requests

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault settings (counters and the failure sequence restart)."""
        self._faults.set(faults)

    def touch_servers(
        self, fraction: float, now: datetime | None = None, *, deleted_share: float = 0.2
    ) -> admin.Touched:
        """Change and delete a share of the servers, as a cloud does between two syncs (see
        `govcloud.sandbox.admin`); call it between requests."""
        return admin.touch_servers(self.estate, fraction, now, deleted_share=deleted_share)

    def expire_tokens(self) -> None:
        self.identity.expire_all()

    def regions(self, cloud: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.region for p in self.inventory.pools if p.cloud == cloud))

    def clouds(self, cloud_name: str = ALIAS) -> list[CloudEntry]:
        """Per declared cloud X: an admin entry `govcloud-sandbox-X`, an application-credential
        entry (`…-appcred`) and a department member entry (`…-member`); plus `cloud_name` as an
        alias of the first. Never X itself: that name belongs to the real cloud."""
        entries: list[CloudEntry] = []
        ident = self.identity
        admin = {
            "auth_url": ident.auth_url,
            "username": "admin",
            "password": ident.admin_password,
            "project_name": "admin",
            "user_domain_name": DOMAIN["name"],
            "project_domain_name": DOMAIN["name"],
        }
        for declared in self.inventory.clouds:
            regions = self.regions(declared) or self.estate.regions
            cloud = SANDBOX_PREFIX + declared
            entries.append(CloudEntry(cloud, "password", admin, regions))
            appcred = {
                "auth_url": ident.auth_url,
                "application_credential_id": ident.app_credential.id,
                "application_credential_secret": ident.app_credential.secret,
            }
            entries.append(
                CloudEntry(f"{cloud}-appcred", "v3applicationcredential", appcred, regions)
            )
            member = self._member_entry(declared, regions)
            if member is not None:
                entries.append(member)
        first = entries[0]
        if cloud_name not in {e.name for e in entries}:
            entries.append(CloudEntry(cloud_name, first.auth_type, first.auth, first.regions))
        return entries

    def _member_entry(self, cloud: str, regions: tuple[str, ...]) -> CloudEntry | None:
        pools = {p.code for p in self.inventory.pools if p.cloud == cloud}
        project = next(
            (p for p in self.estate.projects if p.department_code and p.pool_code in pools), None
        )
        if project is None:
            return None
        auth = {
            "auth_url": self.identity.auth_url,
            "username": f"{project.department_code}-ops",
            "password": self.identity.member_password,
            "project_name": project.name,
            "user_domain_name": DOMAIN["name"],
            "project_domain_name": DOMAIN["name"],
        }
        return CloudEntry(f"{SANDBOX_PREFIX}{cloud}-member", "password", auth, (project.region,))

    def write_clouds_yaml(
        self, path: Path | str, cloud_name: str = ALIAS, *, force: bool = False
    ) -> Path:
        """Write a clouds.yaml (0600 from creation, atomically: it holds passwords) and return
        its path. An existing file is replaced only if the sandbox wrote it, or with FORCE."""
        target = check_clouds_yaml_target(Path(path), force=force)
        doc = {
            SANDBOX_KEY: True,
            "clouds": {e.name: e.to_yaml() for e in self.clouds(cloud_name)},
        }
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        write_private(target, (HEADER + text).encode("utf-8"))
        return target


def check_clouds_yaml_target(path: Path, *, force: bool = False) -> Path:
    """PATH if the sandbox may write its clouds.yaml there; else a one-line UsageError."""
    if "\0" in str(path):
        raise UsageError("--clouds-yaml contains a NUL character")
    if path.is_dir():
        raise UsageError(f"--clouds-yaml {path} is a folder", hint="name a file in it")
    if not path.parent.is_dir():
        raise UsageError(
            f"--clouds-yaml {path}: folder {path.parent} does not exist", hint="create it first"
        )
    if path.exists() and not force and not written_by_sandbox(path):
        raise UsageError(
            f"{path} exists and was not written by the sandbox: not overwriting it",
            hint="name another file, or pass --force to replace it",
        )
    return path


def written_by_sandbox(path: Path) -> bool:
    """Whether PATH is a clouds.yaml the sandbox wrote: its top-level `govcloud_sandbox: true`
    line, looked for as text (a file that is not ours is never parsed, whatever it holds)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(_SNIFF_BYTES)
    except OSError:
        return False
    return _OURS.search(data) is not None
