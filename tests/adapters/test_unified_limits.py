"""Keystone unified limits detection against the sandbox's Keystone (both settings), and a
Keystone without the API at all (404), where nothing is in use."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcloud.adapters.openstack.calls import Api
from govcloud.adapters.openstack.unified_limits import UnifiedLimits, detect

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")

ESTATE = """
clouds: [{name: zwy, regions: [r1]}]
pools:
- {code: p1, name_zh: 一号池, name_en: Pool one, cloud: zwy, region: r1, security_zone: 政务外网}
"""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    import openstack

    from govcloud.sandbox import Sandbox
    from govcloud.services.inventory import read_inventory

    base: Path = tmp_path_factory.mktemp("sandbox")
    (base / "estate.yaml").write_text(ESTATE, encoding="utf-8")
    with Sandbox.start(read_inventory(base), size=4) as sb:
        entry = next(e for e in sb.clouds() if e.name == "govcloud-sandbox-zwy")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openstacksdk's optional metrics backends
            conn = openstack.connect(
                auth_type="password", auth=entry.auth, region_name="r1",
                load_yaml_config=False, load_envvars=False,
            )  # fmt: skip
        yield sb, conn
        conn.close()


def test_per_service_quotas_are_not_unified_limits(sandbox: tuple[Any, Any]) -> None:
    from govcloud.sandbox import Faults

    sb, conn = sandbox
    sb.set_faults(Faults())
    found = detect(Api("p1", conn), conn)
    assert found == UnifiedLimits()
    assert not found.in_use


def test_registered_limits_mark_their_service_read_only(sandbox: tuple[Any, Any]) -> None:
    from govcloud.sandbox import Faults

    sb, conn = sandbox
    sb.set_faults(Faults(unified_limits=True))
    try:
        found = detect(Api("p1", conn), conn)
    finally:
        sb.set_faults(Faults())
    # the sandbox registers compute's cores and instances; the catalog names the service
    assert found.services == frozenset({"compute"})
    assert found.resources == ("cores", "instances")
    assert found.covers("compute")
    assert not found.covers("network")
    assert "will not PUT" in found.message("p1")


class _NoLimitsApi:
    """A Keystone older than unified limits: the path is not there."""

    def get(self, service: str, path: str, *args: Any) -> dict[str, Any]:
        from govcloud.adapters.openstack.calls import Missing

        raise Missing(f"pool p1: GET {path}: 404 Not Found")


def test_keystone_without_the_api_keeps_no_unified_limits() -> None:
    assert detect(_NoLimitsApi(), conn=None) == UnifiedLimits()  # type: ignore[arg-type]


def test_a_service_the_catalog_does_not_name_blocks_every_write() -> None:
    class _Api:
        def get(self, service: str, path: str, *args: Any) -> dict[str, Any]:
            return {"registered_limits": [{"service_id": "x", "resource_name": "widgets"}]}

    found = detect(_Api(), conn=None)  # type: ignore[arg-type]
    assert found.services == frozenset({"compute", "volume", "network"})
