"""The library API (govcloud/api.py) on real stores, SQLite and PostgreSQL, synced from the
sandbox cloud over HTTP: every call, the errors it shares with the CLI, the audit trail of its
changes, and that `import govcloud` stays light."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text

import govcloud
from govcloud.core.errors import NotFoundError, PermissionDenied, UsageError
from govcloud.core.severity import Severity
from govcloud.sandbox import Sandbox
from govcloud.services.inventory import read_inventory
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud as cli

ME = pwd.getpwuid(os.getuid()).pw_name
VMS = 300


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(read_inventory(Path(EXAMPLE)), size=VMS, seed=11) as sb:
        yield sb


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Config, data and state for the module's stores (their audit key stays the same across
    the module's tests); nothing from the real user's environment."""
    base = tmp_path_factory.mktemp("api")
    with pytest.MonkeyPatch.context() as mp:
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            mp.setenv(var, str(base / var.lower()))
        for var in ("GOVCLOUD_DB", "GOVCLOUD_CONFIG", "GOVCLOUD_OPERATOR", "GOVCLOUD_LANG"):
            mp.delenv(var, raising=False)
        yield base


def _empty_store_url(backend: str, request: pytest.FixtureRequest, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'api.db'}"
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as conn:  # every module starts from an empty schema
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def synced(
    request: pytest.FixtureRequest, home: Path, sandbox: Sandbox
) -> Iterator[govcloud.Govcloud]:
    """The example inventory loaded, the sandbox synced and one audit run, through the API."""
    url = _empty_store_url(request.param, request, home)
    with govcloud.open(url) as gc:
        gc.load_inventory(EXAMPLE)
        report = gc.sync(clouds_yaml=sandbox.write_clouds_yaml(home / "clouds.yaml"))
        assert report.failed == []
        gc.audit()
        yield gc


def test_pools_and_one_pool_by_code_or_name_in_any_case(synced: govcloud.Govcloud) -> None:
    pools = synced.pools()
    assert [p.code for p in pools] == ["dr-test", "hlw", "zw-prod"]
    assert all(isinstance(p, govcloud.PoolSummary) for p in pools)
    detail = synced.pool("ZW-PROD")
    assert detail.pool == next(p for p in pools if p.code == "zw-prod")
    assert synced.pool("政务外网生产区").pool.code == "zw-prod"
    assert detail.public_addresses.holder == "zw-prod"
    assert all(s.pool == "zw-prod" for s in detail.storage)


def test_departments_and_one_by_code_or_name(synced: govcloud.Govcloud) -> None:
    departments = synced.departments()
    assert len(departments) == 88
    assert sum(d.servers for d in departments) <= VMS
    wjw = synced.department("卫健委")
    assert wjw.department.code == "wjw"
    assert synced.department("WJW").department == wjw.department
    assert {q.pool for q in wjw.quotas} <= {p.code for p in synced.pools()}
    assert {"cores", "ram"} <= {q.resource for q in wjw.quotas}


def test_vms_filtered_sorted_and_one_vm(synced: govcloud.Govcloud) -> None:
    everything = synced.vms()
    assert len(everything) == VMS
    wjw = synced.vms(tenant="卫健委")
    assert wjw
    assert {v.department for v in wjw} == {"wjw"}
    assert len(wjw) < VMS
    top = synced.vms(pool="zw-prod", status="ACTIVE", sort="-vcpus", limit=5)
    assert len(top) == 5
    assert all((v.pool, v.status) == ("zw-prod", "ACTIVE") for v in top)
    assert [v.vcpus for v in top] == sorted((v.vcpus for v in top), reverse=True)
    assert top[0].vcpus == max(v.vcpus for v in everything if v.pool == "zw-prod")
    one = synced.vm(top[0].name)
    assert one.vm == top[0]
    assert synced.vm(top[0].server_id[:8]).vm.server_id == top[0].server_id


def test_quotas_and_quota_check(synced: govcloud.Govcloud) -> None:
    rows = synced.quotas(tenant="wjw", resource="cores")
    assert rows
    assert {(q.department, q.resource) for q in rows} == {("wjw", "cores")}
    checks = synced.quota_check(pool="zw-prod")
    assert checks
    assert {c.pool for c in checks} == {"zw-prod"}
    assert {"cores", "ram"} <= {c.resource for c in checks}


def test_audit_run_and_its_findings_read_back(synced: govcloud.Govcloud) -> None:
    result = synced.audit(["zombie", "pool-overcommit"], window="7d", fail_on="medium")
    assert result.status == "ok"
    assert result.window_s == 7 * 86400
    assert {f.check for f in result.findings} <= {"zombie", "pool-overcommit"}
    assert result.over_threshold == [
        f for f in result.findings if f.severity.rank >= Severity.MEDIUM.rank
    ]
    stored = synced.findings(result.run_id)
    assert sorted(map(repr, stored)) == sorted(map(repr, result.findings))
    high = synced.findings(result.run_id, severity="高")
    assert {f.severity for f in high} <= {Severity.HIGH, Severity.CRITICAL}
    assert synced.runs()[0].id == result.run_id


def test_the_cli_shows_what_the_api_returns(synced: govcloud.Govcloud) -> None:
    """The CLI is a layer over the same calls: same pools, servers and quota rows."""
    db = ["--db", synced.settings.db or ""]
    pools = cli(*db, "-o", "json", "pool", "list").json()
    assert [p["code"] for p in pools] == [p.code for p in synced.pools()]
    vms = cli(*db, "-o", "json", "vm", "list", "--tenant", "wjw").json()
    assert [v["server_id"] for v in vms] == [v.server_id for v in synced.vms(tenant="wjw")]
    checks = cli(*db, "-o", "json", "quota", "check").json()
    assert len(checks) == len(synced.quota_check())


@pytest.mark.parametrize(
    "call",
    [
        lambda gc: gc.pool("nope"),
        lambda gc: gc.department("no-such-bureau"),
        lambda gc: gc.vm("no-such-vm"),
        lambda gc: gc.vms(tenant="no-such-bureau"),
        lambda gc: gc.vms(pool="nope"),
        lambda gc: gc.vms(system="no-such-system"),
        lambda gc: gc.quota_check(pool="nope"),
        lambda gc: gc.findings(99999),
        lambda gc: gc.findings(tenant="no-such-bureau"),
    ],
)
def test_unknown_names_raise_not_found(synced: govcloud.Govcloud, call: object) -> None:
    assert callable(call)
    with pytest.raises(NotFoundError):
        call(synced)


def test_sync_and_load_leave_trail_records_naming_the_call(
    home: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    clouds = sandbox.write_clouds_yaml(tmp_path / "clouds.yaml")
    with govcloud.open(tmp_path / "trail.db") as gc:
        loaded = gc.load_inventory(EXAMPLE)
        assert {s.kind: s.count for s in loaded}["departments"] == 88
        report = gc.sync("hlw", clouds_yaml=clouds)
        assert [(r.pool, r.status) for r in report.results] == [("hlw", "ok")]
    records = cli("--db", str(tmp_path / "trail.db"), "-o", "json", "log", "show").json()
    calls = {r["event"]: r for r in records}
    assert calls["inventory"]["command"] == f"govcloud.api load_inventory({EXAMPLE!r})"
    assert calls["sync"]["command"] == "govcloud.api sync('hlw')"
    # no GOVCLOUD_OPERATOR and no config: the OS user is the operator
    assert {(r["operator"], r["os_user"]) for r in records} == {(ME, ME)}


def test_roles_apply_to_the_library_as_to_the_cli(home: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump({"roles": {"auditor": {"users": [ME]}, "operator": {"users": ["nobody"]}}}),
        encoding="utf-8",
    )
    with govcloud.open(tmp_path / "roles.db") as gc:
        gc.load_inventory(EXAMPLE)  # roles off: this handle's config has none
    with govcloud.open(tmp_path / "roles.db", config=config) as auditor:
        assert len(auditor.pools()) == 3  # inventory views are open to the auditor
        with pytest.raises(PermissionDenied):
            auditor.sync()
    denied = cli("--db", str(tmp_path / "roles.db"), "-o", "json", "log", "show").json()
    assert next((r["outcome"], r["command"]) for r in denied) == (
        "denied",
        "govcloud.api sync()",
    )


def test_a_closed_handle_refuses_and_arguments_are_checked(home: Path, tmp_path: Path) -> None:
    gc = govcloud.open(tmp_path / "closed.db")
    with pytest.raises(UsageError, match="folder is empty"):
        gc.load_inventory("")
    with pytest.raises(UsageError, match="cannot sort"):
        gc.vms(sort="colour")
    assert {s.kind: s.count for s in gc.validate_inventory(EXAMPLE)}["pools"] == 3
    with gc:
        pass
    with pytest.raises(UsageError, match="closed"):
        gc.pools()
    assert "closed" in repr(gc)


def test_import_govcloud_loads_no_database_code() -> None:
    """Every command imports the package: its exports must cost nothing until used."""
    probe = (
        "import sys, govcloud\n"
        "assert 'sqlalchemy' not in sys.modules and 'govcloud.api' not in sys.modules\n"
        "assert govcloud.Severity.HIGH == 'high' and callable(govcloud.open)\n"
        "assert 'sqlalchemy' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
