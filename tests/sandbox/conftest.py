"""A sandbox per module, its clouds.yaml, and small HTTP helpers for raw API checks."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from govcloud.core.models import Inventory
from govcloud.sandbox import Sandbox
from govcloud.services.inventory import read_inventory

EXAMPLE = Path(__file__).resolve().parents[2] / "inventory" / "example"


@pytest.fixture(scope="session")
def inventory() -> Inventory:
    return read_inventory(EXAMPLE)


@pytest.fixture(scope="module")
def sandbox(inventory: Inventory) -> Iterator[Sandbox]:
    with Sandbox.start(inventory) as sb:
        yield sb


@pytest.fixture(scope="module")
def clouds_yaml(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sandbox.write_clouds_yaml(tmp_path_factory.mktemp("clouds") / "clouds.yaml")


def connect(
    clouds_yaml: Path, cloud: str = "govcloud-sandbox-zwy", region: str = "zw-region"
) -> Any:
    """openstacksdk as govcloud uses it: an explicit config file, nothing from the cwd or env."""
    import openstack.config

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Support for InfluxDB requires")
        config = openstack.config.OpenStackConfig(
            config_files=[str(clouds_yaml)], vendor_files=[], load_envvars=False
        )
        region_config = config.get_one(cloud=cloud, region_name=region)
        return openstack.connection.Connection(config=region_config)


@dataclass
class Api:
    """Raw HTTP against the sandbox with a token, for checking bodies and headers exactly."""

    sandbox: Sandbox
    token: str
    session: requests.Session

    def url(self, service: str, path: str, region: str = "zw-region") -> str:
        return f"{self.sandbox.base_url}/r/{region}/{service}{path}"

    def get(self, url: str, **headers: str) -> requests.Response:
        return self.session.get(url, headers={"X-Auth-Token": self.token, **headers}, timeout=30)

    def put(self, url: str, body: Any, **headers: str) -> requests.Response:
        hdrs = {"X-Auth-Token": self.token, **headers}
        return self.session.put(url, json=body, headers=hdrs, timeout=30)


def password_auth(user: str, password: str, project: str) -> dict[str, Any]:
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "domain": {"name": "Default"}, "password": password}
                },
            },
            "scope": {"project": {"name": project, "domain": {"id": "default"}}},
        }
    }


def issue_token(sandbox: Sandbox, session: requests.Session, user: str = "admin",
                project: str = "admin", password: str | None = None) -> str:  # fmt: skip
    secret = password or sandbox.identity.admin_password
    r = session.post(
        f"{sandbox.auth_url}/auth/tokens", json=password_auth(user, secret, project), timeout=30
    )
    assert r.status_code == 201, r.text
    return r.headers["X-Subject-Token"]


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Api]:
    with requests.Session() as session:
        yield Api(sandbox, issue_token(sandbox, session), session)
