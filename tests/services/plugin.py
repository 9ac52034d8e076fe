"""pytest plugin: session-scoped fixtures backed by real services.

Each service starts only when a selected test asks for its fixture, once per session, and is
stopped (by PID / process group) at the end. A service that cannot run here skips its tests,
or fails them when GOVCLOUD_REQUIRE_SERVICES=1 (see tests/services/require.py).

Fixtures:
    postgres_url   SQLAlchemy URL of a throwaway PostgreSQL db (or $GOVCLOUD_TEST_PG_URL)
    prometheus_bin / promtool_bin   Path of the binaries
    sshd_server    SshServer(host, port, user, client_key_path, host_public_key_line)
    oslab          OsLab(clouds_yaml, auth_url, admin credentials, ...) - the OpenStack lab
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import oslab as oslab_mod
from tests.services.postgres import find_pg_bindir, running_postgres, service_account
from tests.services.proc import find_binary, sigterm_runs_teardown
from tests.services.require import unavailable
from tests.services.sshd import SshServer, find_sshd, running_sshd

PG_URL_ENV = "GOVCLOUD_TEST_PG_URL"

# fixture -> markers applied to every test that uses it (directly or through other fixtures)
FIXTURE_MARKERS: dict[str, tuple[str, ...]] = {
    "postgres_url": ("postgres",),
    "prometheus_bin": ("prometheus",),
    "promtool_bin": ("prometheus",),
    "sshd_server": ("ssh",),
    "oslab": ("openstack", "slow"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    lab_seen = False
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, markers in FIXTURE_MARKERS.items():
            if fixture in names:
                for marker in markers:
                    if item.get_closest_marker(marker) is None:
                        item.add_marker(marker)
        if "oslab" in names and not lab_seen:
            lab_seen = True
            _allow_lab_startup(config, item)


def _allow_lab_startup(config: pytest.Config, item: pytest.Item) -> None:
    """The first lab test also pays for starting the lab: give it a longer pytest-timeout."""
    if not config.pluginmanager.hasplugin("timeout"):
        return
    marker = item.get_closest_marker("timeout")
    if marker is not None and marker.args:
        current = float(marker.args[0])
    else:
        current = float(config.getini("timeout") or 0)
    if current <= 0:  # no timeout at all
        return
    item.add_marker(pytest.mark.timeout(current + oslab_mod.START_TIMEOUT), append=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``postgresql+psycopg://govcloud@127.0.0.1:PORT/govcloud_test`` on a private server."""
    external = os.environ.get(PG_URL_ENV)
    if external:
        yield external
        return
    bindir = find_pg_bindir()
    if bindir is None:
        unavailable("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb)")
    account = service_account()
    if account is None:
        unavailable("running as root and no 'postgres'/'nobody' account to run PostgreSQL as")
    with sigterm_runs_teardown(), running_postgres(bindir, account) as server:
        yield server.url


@pytest.fixture(scope="session")
def prometheus_bin() -> Path:
    path = find_binary("prometheus")
    if path is None:
        unavailable("prometheus binary not found (Debian package prometheus)")
    return path


@pytest.fixture(scope="session")
def promtool_bin() -> Path:
    path = find_binary("promtool")
    if path is None:
        unavailable("promtool binary not found (Debian package prometheus)")
    return path


@pytest.fixture(scope="session")
def sshd_server() -> Iterator[SshServer]:
    """An OpenSSH server on 127.0.0.1 accepting the generated client key for this user."""
    sshd, keygen = find_sshd()
    if sshd is None:
        unavailable("sshd not found (Debian package openssh-server)")
    if keygen is None:
        unavailable("ssh-keygen not found (Debian package openssh-client)")
    with sigterm_runs_teardown(), running_sshd(sshd, keygen) as server:
        yield server


@pytest.fixture(scope="session")
def oslab() -> Iterator[oslab_mod.OsLab]:
    """The OpenStack lab: keystone, placement, glance, neutron, nova (2 fake hosts), cinder (2
    fake backends), with aggregates, a zone, networks and volume types (see OsLab fields)."""
    if not os.environ.get(oslab_mod.EXTERNAL_ENV):
        reason = oslab_mod.missing_prerequisites()
        if reason:
            unavailable(f"OpenStack lab cannot start: {reason}")
    with sigterm_runs_teardown(), oslab_mod.running_lab() as lab:
        _STARTUP_NOTES.append(f"oslab: started in {lab.startup_seconds:.0f}s ({lab.auth_url})")
        yield lab


_STARTUP_NOTES: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for note in _STARTUP_NOTES:
        terminalreporter.write_line(note)
