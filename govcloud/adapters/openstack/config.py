"""Which clouds.yaml, and one openstacksdk Connection per pool.

openstacksdk looks for `./clouds.yaml` before anything else, so a file dropped into the
directory an operator happens to be in would decide where credentials go. We never let it
search: the file is chosen here (flag, config/env, then the user and system locations, never
the current directory) and handed to the loader as the only candidate.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcloud.core.errors import CloudError, UsageError

_NAMES = ("clouds.yaml", "clouds.yml")
# The sandbox never names a clouds.yaml entry after a real cloud: it writes
# `govcloud-sandbox-<cloud>` entries and the top-level key `govcloud_sandbox: true` (which
# openstacksdk ignores and a YAML round trip keeps); in such a file, and only there, a pool of
# cloud X is served by the entry `govcloud-sandbox-X`. A real file is read by its own names.
SANDBOX_PREFIX = "govcloud-sandbox-"
SANDBOX_KEY = "govcloud_sandbox"
# catch_warnings swaps process-wide state: pools connect from parallel threads, one at a time
_CONNECT_LOCK = threading.Lock()
# keystoneauth and openstacksdk log request bodies and headers at DEBUG; keep them quiet so a
# `-vv` never puts a password or token on a terminal or into a log file.
for _name in ("keystoneauth", "keystoneauth1", "openstack", "stevedore", "urllib3"):
    logging.getLogger(_name).setLevel(logging.WARNING)
# Keystone version discovery warns once per try when the cloud does not answer; the caller
# reports the failure itself, once, naming the pool and the call.
logging.getLogger("keystoneauth.identity.generic.base").setLevel(logging.ERROR)


def standard_locations() -> list[Path]:
    """User then system config dirs, as openstacksdk orders them, minus the current directory."""
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return [home / "openstack", Path("/etc/openstack")]


def clouds_yaml_path(explicit: str | None) -> Path:
    """EXPLICIT (flag, config `clouds_yaml` or OS_CLIENT_CONFIG_FILE), else a standard location."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise UsageError(
                f"clouds.yaml {path} does not exist",
                hint="pass --clouds-yaml PATH, or set clouds_yaml in the config file",
            )
        return path
    for directory in standard_locations():
        for name in _NAMES:
            if (directory / name).is_file():
                return directory / name
    searched = ", ".join(str(d) for d in standard_locations())
    raise UsageError(
        f"no clouds.yaml found (searched {searched}; the current directory is never searched)",
        hint="pass --clouds-yaml PATH, set OS_CLIENT_CONFIG_FILE, or clouds_yaml in the config",
    )


@dataclass(frozen=True)
class CloudTarget:
    pool_code: str
    cloud: str
    region: str


def connect(target: CloudTarget, clouds_yaml: Path, timeout_s: float) -> Any:
    """An unauthenticated-yet Connection for one pool; auth happens on its first call."""
    from openstack import connection
    from openstack.config import loader
    from openstack.exceptions import ConfigException

    secure = [str(clouds_yaml.with_name(n)) for n in ("secure.yaml", "secure.yml")]
    try:
        with _CONNECT_LOCK, warnings.catch_warnings():
            # openstacksdk warns about optional metrics backends on every load
            warnings.simplefilter("ignore")
            config = loader.OpenStackConfig(
                config_files=[str(clouds_yaml)],
                vendor_files=[],
                secure_files=secure,
                load_envvars=False,
            )
            sandbox = config.cloud_config.get(SANDBOX_KEY) is True
            region = config.get_one(
                cloud=SANDBOX_PREFIX + target.cloud if sandbox else target.cloud,
                region_name=target.region,
                api_timeout=timeout_s,
            )
            return connection.Connection(config=region, strict_proxies=False)
    except ConfigException as exc:
        raise CloudError(
            f"pool {target.pool_code}: cloud {target.cloud!r} region {target.region!r}: "
            f"{_first_line(exc)}",
            hint=f"check the pool's cloud and region against {clouds_yaml}",
        ) from None
    except Exception as exc:  # keystoneauth raises many unrelated types for bad auth config
        raise CloudError(
            f"pool {target.pool_code}: cannot configure cloud {target.cloud!r}: {_first_line(exc)}",
            hint=f"check the auth section of {clouds_yaml}",
        ) from None


def is_sandbox_file(path: Path) -> bool:
    """PATH is a clouds.yaml the sandbox wrote: its top-level `govcloud_sandbox: true` line,
    found without parsing (a hostile file cannot make this deep or slow)."""
    try:
        text = path.read_bytes()[: 1 << 20]
    except OSError:
        return False
    return re.search(rb"^" + SANDBOX_KEY.encode() + rb": true[ \t]*\r?$", text, re.M) is not None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
