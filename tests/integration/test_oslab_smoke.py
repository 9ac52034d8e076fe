"""Smoke test of the real OpenStack lab through openstacksdk (what govcloud talks to)."""

from __future__ import annotations

import contextlib
import functools
import io
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.services.oslab import OsLab

WAIT = 180  # seconds for one server/volume to reach its state

# openstacksdk 4.22 trips over its own pending deprecations (RemovedInSDK50/60Warning, raised
# inside openstack.*) and pytest runs with filterwarnings=error
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")


class Cleanup:
    """Undo steps, run in reverse order even when the test fails half-way."""

    def __init__(self) -> None:
        self._steps: list[Callable[[], Any]] = []

    def add(self, step: Callable[[], Any]) -> None:
        self._steps.append(step)

    def run(self) -> list[str]:
        errors = []
        for step in reversed(self._steps):
            try:
                step()
            except Exception as exc:  # keep cleaning up
                errors.append(f"{step}: {exc}")
        return errors


@pytest.fixture
def cleanup() -> Iterator[Cleanup]:
    c = Cleanup()
    yield c
    errors = c.run()
    assert not errors, errors


def _delete_server(conn: Any, server: Any) -> None:
    conn.compute.delete_server(server, ignore_missing=True)
    conn.compute.wait_for_delete(server, interval=1, wait=WAIT)


def test_oslab_compute_placement_and_quota(oslab: OsLab, cleanup: Cleanup) -> None:
    admin = oslab.connect()
    idn = admin.identity

    # keystone: a token and the project list
    assert admin.auth_token
    assert "admin" in {p.name for p in idn.projects()}

    suffix = uuid.uuid4().hex[:8]
    member = idn.find_role("member", ignore_missing=False)
    me = idn.find_user(oslab.username, ignore_missing=False)
    projects = []
    for name in (f"smoke-a-{suffix}", f"smoke-b-{suffix}"):
        proj = idn.create_project(name=name, domain_id="default")
        cleanup.add(functools.partial(idn.delete_project, proj))
        idn.assign_project_role_to_user(proj, me, member)
        projects.append(proj)
    assert {p.name for p in projects} <= {p.name for p in idn.projects()}

    # nova: flavor + glance image, 3 fake servers in 2 projects
    flavor = admin.compute.create_flavor(name=f"smoke.tiny-{suffix}", vcpus=1, ram=256, disk=1)
    cleanup.add(lambda: admin.compute.delete_flavor(flavor))
    image = admin.image.create_image(
        name=f"smoke-img-{suffix}", data=io.BytesIO(b"\0" * 65536), disk_format="raw",
        container_format="bare", visibility="public",
    )  # fmt: skip
    cleanup.add(lambda: admin.image.delete_image(image))

    made = []
    for proj, count in ((projects[0], 2), (projects[1], 1)):
        conn = oslab.connect(project_name=proj.name)
        for i in range(count):
            server = conn.compute.create_server(
                name=f"smoke-{proj.name}-{i}", flavor_id=flavor.id, image_id=image.id,
                networks="none",
            )  # fmt: skip
            cleanup.add(functools.partial(_delete_server, conn, server))
            made.append((conn, server))
    for conn, server in made:
        active = conn.compute.wait_for_server(
            server, status="ACTIVE", failures=["ERROR"], interval=1, wait=WAIT
        )
        assert active.status == "ACTIVE"

    listed = {
        s.name: s.project_id
        for s in admin.compute.servers(details=True, all_projects=True)
        if s.name.startswith("smoke-") and suffix in s.name
    }
    assert sorted(listed.values()) == sorted([projects[0].id, projects[0].id, projects[1].id])

    # placement: the fake compute node with its inventories and our usage
    providers = list(admin.placement.resource_providers())
    assert providers
    inventories = {
        inv.resource_class: inv.total
        for rp in providers
        for inv in admin.placement.resource_provider_inventories(rp)
    }
    assert {"VCPU", "MEMORY_MB", "DISK_GB"} <= set(inventories)
    usages = admin.placement.get(f"/usages?project_id={projects[0].id}", microversion="1.9").json()[
        "usages"
    ]
    assert usages.get("VCPU") == 2

    # cinder: quota of a project with usage, after one fake volume
    vconn = oslab.connect(project_name=projects[1].name)
    volume = vconn.block_storage.create_volume(size=1, name=f"smoke-vol-{suffix}")
    cleanup.add(
        lambda: (
            vconn.block_storage.delete_volume(volume, ignore_missing=True),
            vconn.block_storage.wait_for_delete(volume, interval=1, wait=WAIT),
        )
    )
    vconn.block_storage.wait_for_status(
        volume, status="available", failures=["error"], interval=1, wait=WAIT
    )
    quota = admin.block_storage.get_quota_set(projects[1].id, usage=True)
    assert quota.usage["volumes"] == 1
    assert quota.usage["gigabytes"] == 1
    assert quota.volumes is not None


def test_oslab_fixture_fields(oslab: OsLab) -> None:
    assert oslab.clouds_yaml.is_file()
    assert oslab.cloud == "oslab"
    assert oslab.auth_url.startswith("http://127.0.0.1:")
    with contextlib.closing(oslab.connect()) as conn:
        assert conn.identity.find_project("admin", ignore_missing=False).name == "admin"
