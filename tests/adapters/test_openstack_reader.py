"""The OpenStack adapter over HTTP against the sandbox: listings, faults, bad credentials."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from govcloud.adapters.openstack.calls import RetryPolicy
from govcloud.adapters.openstack.config import clouds_yaml_path
from govcloud.adapters.openstack.reader import OpenStackReader, open_reader
from govcloud.core import sync
from govcloud.core.errors import CloudError, UsageError
from govcloud.core.models import Inventory
from govcloud.sandbox import Faults, Sandbox
from govcloud.services.inventory import read_inventory

EXAMPLE = Path(__file__).resolve().parents[2] / "inventory" / "example"
FAST = RetryPolicy(tries=4, base_s=0.01, cap_s=0.05, rng=random.Random(1))


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return read_inventory(EXAMPLE)


@pytest.fixture(scope="module")
def sandbox(inventory: Inventory) -> Iterator[Sandbox]:
    with Sandbox.start(inventory, size=400, seed=3) as sb:
        yield sb


@pytest.fixture
def clouds_yaml(sandbox: Sandbox, tmp_path: Path) -> Iterator[Path]:
    path = sandbox.write_clouds_yaml(tmp_path / "clouds.yaml")
    yield path
    sandbox.set_faults(Faults())


def reader(
    inventory: Inventory,
    clouds_yaml: Path,
    pool: str = "hlw",
    page_size: int = 50,
    policy: RetryPolicy = FAST,
) -> OpenStackReader:
    scope = sync.scopes(inventory.pools)[pool]
    return open_reader(
        scope, clouds_yaml, timeout_s=5, metadata_key="business_system", workers=4,
        policy=policy, page_size=page_size,
    )  # fmt: skip


def collect(r: OpenStackReader, inventory: Inventory) -> sync.PoolListing:
    return sync.collect(r, r.scope.pool_code, lambda *_: None, inventory.departments)


def sdk_servers(clouds_yaml: Path, region: str) -> dict[str, Any]:
    """The same servers through openstacksdk's own resource layer, for comparison."""
    import openstack.config
    from openstack import connection

    cfg = openstack.config.OpenStackConfig(
        config_files=[str(clouds_yaml)], vendor_files=[], load_envvars=False
    )
    conn = connection.Connection(config=cfg.get_one(cloud="zwy", region_name=region))
    return {s.id: s for s in conn.compute.servers(details=True, all_projects=True)}


def test_a_pool_reads_like_openstacksdk_lists_it(inventory: Inventory, clouds_yaml: Path) -> None:
    listing = collect(reader(inventory, clouds_yaml), inventory)
    expected = sdk_servers(clouds_yaml, "hlw-region")
    assert {s.server_id for s in listing.servers} == set(expected)
    one = listing.servers[0]
    assert one.vcpus == expected[one.server_id].flavor.vcpus
    assert one.flavor_name == expected[one.server_id].flavor.original_name
    assert listing.duplicates == 0
    assert {c.resource_class for c in listing.capacity} >= {"VCPU", "MEMORY_MB", "DISK_GB"}
    assert all(c.total > 0 and c.allocation_ratio > 0 for c in listing.capacity)
    assert any(p.department_code for p in listing.projects)
    assert any(s.system_code for s in listing.servers)
    assert {q.resource.value for q in listing.quotas} >= {"cores", "ram", "gigabytes"}


def test_servers_are_converted_page_by_page(
    inventory: Inventory, clouds_yaml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page becomes records before the next is fetched: raw JSON never piles up."""
    r = reader(inventory, clouds_yaml, page_size=20)
    paths: list[str] = []
    get = r.api.get

    def counting_get(service: str, path: str, *args: Any) -> dict[str, Any]:
        paths.append(path)
        return get(service, path, *args)

    monkeypatch.setattr(r.api, "get", counting_get)
    pages = r.server_pages(lambda n: None)
    first, _ = next(pages)
    assert paths.count("/servers/detail") == 1
    assert 0 < len(first) <= 20
    rest = [batch for batch, _ in pages]
    assert len(rest) >= 3
    assert paths.count("/servers/detail") == 1 + len(rest)
    paged = sorted(s.server_id for batch in [first, *rest] for s in batch)
    assert paged == sorted(s.server_id for s in r.servers(lambda n: None).servers)


def test_pools_sharing_a_region_do_not_overlap(inventory: Inventory, clouds_yaml: Path) -> None:
    prod = collect(reader(inventory, clouds_yaml, "zw-prod", 1000), inventory)
    dr = collect(reader(inventory, clouds_yaml, "dr-test", 1000), inventory)
    region = sdk_servers(clouds_yaml, "zw-region")
    prod_ids = {s.server_id for s in prod.servers}
    dr_ids = {s.server_id for s in dr.servers}
    assert dr_ids
    assert not prod_ids & dr_ids
    assert prod_ids | dr_ids == set(region)
    assert {s.availability_zone for s in dr.servers} == {"az-dr"}
    prod_vcpu = next(c for c in prod.capacity if c.resource_class == "VCPU")
    dr_vcpu = next(c for c in dr.capacity if c.resource_class == "VCPU")
    assert prod_vcpu.provider_count > 0
    assert dr_vcpu.provider_count > 0


def test_5xx_storm_is_retried_to_a_complete_listing(
    inventory: Inventory, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    clean = collect(reader(inventory, clouds_yaml), inventory)
    sandbox.set_faults(Faults(fail_rate=0.2, fail_seed=7))
    patient = RetryPolicy(tries=10, base_s=0.01, cap_s=0.05, rng=random.Random(1))
    stormy = collect(reader(inventory, clouds_yaml, policy=patient), inventory)
    assert stormy.servers == clean.servers
    assert stormy.quotas == clean.quotas


def test_a_service_that_keeps_failing_names_pool_call_and_tries(
    inventory: Inventory, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    r = reader(inventory, clouds_yaml)
    r.projects()  # authenticated before the storm (Keystone is not failed by the sandbox)
    sandbox.set_faults(Faults(fail_rate=1.0))
    with pytest.raises(CloudError, match=r"^pool hlw: GET /servers/detail: 503 after 4 tries$"):
        r.servers(lambda n: None)


def test_expiring_tokens_are_renewed(
    inventory: Inventory, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    sandbox.set_faults(Faults(expire_tokens_after=40))
    listing = collect(reader(inventory, clouds_yaml, page_size=20), inventory)
    assert len(listing.servers) == len(sdk_servers(clouds_yaml, "hlw-region"))


def test_a_marker_that_never_advances_is_an_error(
    inventory: Inventory, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    sandbox.set_faults(Faults(stuck_marker=True))
    with pytest.raises(CloudError, match=r"pool hlw: GET /\w+/detail: .*(advance|repeats)"):
        collect(reader(inventory, clouds_yaml), inventory)


def test_duplicated_servers_across_pages_are_kept_once_and_counted(
    inventory: Inventory, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    clean = collect(reader(inventory, clouds_yaml), inventory)
    sandbox.set_faults(Faults(duplicate_servers=True))
    doubled = collect(reader(inventory, clouds_yaml), inventory)
    assert doubled.duplicates > 0
    assert sorted(s.server_id for s in doubled.servers) == sorted(
        s.server_id for s in clean.servers
    )


def _rewrite(path: Path, **auth: str) -> Path:
    doc = yaml.safe_load(path.read_text())
    doc["clouds"]["zwy"]["auth"].update(auth)
    path.write_text(yaml.safe_dump(doc))
    return path


def test_wrong_password_is_a_clear_error_without_the_password(
    inventory: Inventory, clouds_yaml: Path
) -> None:
    _rewrite(clouds_yaml, password="not-the-password")
    with pytest.raises(CloudError) as err:
        reader(inventory, clouds_yaml).projects()
    assert err.value.message.startswith("pool hlw: authenticate")
    assert "401" in err.value.message
    assert "not-the-password" not in err.value.message + str(err.value.hint)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_endpoint_is_retried_then_named(
    inventory: Inventory, clouds_yaml: Path
) -> None:
    _rewrite(clouds_yaml, auth_url=f"http://127.0.0.1:{_closed_port()}/identity/v3")
    with pytest.raises(CloudError, match=r"^pool hlw: .*connection refused after 4 tries"):
        reader(inventory, clouds_yaml).projects()


def test_tls_error_is_not_retried(
    inventory: Inventory, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    _rewrite(clouds_yaml, auth_url=sandbox.auth_url.replace("http://", "https://"))
    with pytest.raises(CloudError, match=r"^pool hlw: .*TLS error") as err:
        reader(inventory, clouds_yaml).projects()
    assert "cacert" in str(err.value.hint)


def test_clouds_yaml_is_never_taken_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "clouds.yaml").write_text("clouds: {}\n")
    if Path("/etc/openstack/clouds.yaml").exists():
        pytest.skip("a system clouds.yaml exists on this machine")
    with pytest.raises(UsageError, match="current directory is never searched"):
        clouds_yaml_path(None)
    user = tmp_path / "empty" / "openstack"
    user.mkdir(parents=True)
    (user / "clouds.yaml").write_text("clouds: {}\n")
    assert clouds_yaml_path(None) == user / "clouds.yaml"
    assert clouds_yaml_path(str(tmp_path / "clouds.yaml")) == tmp_path / "clouds.yaml"
