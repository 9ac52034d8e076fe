"""`govcloud quota show|check|plan|apply` end to end through the real entry point.

show/check read the store, filled here as sync would fill it. plan/apply talk to the sandbox
over HTTP (see tests/cli/quota_sandbox.py), and every write is checked by reading the cloud back.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud

RAM_GIB = 1024  # MiB per GiB: Nova counts ram in MiB, the inventory in GiB
# openstacksdk 4.22 warns about its own internal arguments on raw proxy calls (pending
# deprecations inside openstack.*) and pytest runs with filterwarnings=error
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack")


def observe(db: Path, pool: str, project: str, pid: str, quota: dict[str, tuple[int, int]]) -> None:
    """Insert an observed project with its quota rows {resource: (limit, in_use)}."""
    con = sqlite3.connect(db)
    pool_id = con.execute("SELECT id FROM pool WHERE code = ?", (pool,)).fetchone()[0]
    dept = con.execute(
        "SELECT department_id FROM project_binding WHERE pool_id = ? AND project_name = ?",
        (pool_id, project),
    ).fetchone()
    con.execute(
        "INSERT INTO os_project (pool_id, project_id, name, enabled, department_id)"
        " VALUES (?,?,?,1,?)",
        (pool_id, pid, project, dept[0] if dept else None),
    )
    con.executemany(
        'INSERT INTO quota (pool_id, project_id, resource, "limit", in_use, reserved)'
        " VALUES (?,?,?,?,?,0)",
        [(pool_id, pid, res, limit, used) for res, (limit, used) in quota.items()],
    )
    con.commit()
    con.close()


def capacity(db: Path, pool: str, vcpu_total: int, ratio: float) -> None:
    con = sqlite3.connect(db)
    pool_id = con.execute("SELECT id FROM pool WHERE code = ?", (pool,)).fetchone()[0]
    con.execute(
        "INSERT INTO pool_capacity (pool_id, resource_class, total, reserved, allocation_ratio,"
        " used, provider_count) VALUES (?, 'VCPU', ?, 0, ?, 0, 1)",
        (pool_id, vcpu_total, ratio),
    )
    con.commit()
    con.close()


@pytest.fixture(scope="module")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example inventory loaded once per module; tests get a copy (loading takes seconds)."""
    path = tmp_path_factory.mktemp("example") / "govcloud.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOVCLOUD_DB", str(path))
        mp.setenv("XDG_CONFIG_HOME", str(path.parent / "config"))
        result = govcloud("inventory", "load", EXAMPLE)
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture
def loaded(db: Path, example_store: Path) -> Path:
    shutil.copyfile(example_store, db)
    return db


@pytest.fixture
def observed(loaded: Path) -> Path:
    observe(
        loaded,
        "zw-prod",
        "wjw-zw-prod",
        "id-wjw",
        {"cores": (40, 36), "ram": (64 * RAM_GIB, 60 * RAM_GIB), "instances": (10, 3)},
    )
    observe(loaded, "zw-prod", "rogue-project", "id-rogue", {"cores": (-1, 12)})
    return loaded


# --- show -------------------------------------------------------------------------------------


def test_show_json_rows_have_approved_limit_usage_and_percent(observed: Path) -> None:
    out = govcloud("quota", "show", "--tenant", "卫健委", "-o", "json")
    assert out.exit_code == 0, out.stderr
    assert out.stderr == ""
    rows = {r["resource"]: r for r in out.json()}
    assert list(rows) == ["cores", "ram", "instances", "gigabytes", "volumes"]
    cores = rows["cores"]
    assert set(cores) == {
        "pool", "department", "department_zh", "department_en", "project", "project_id",
        "resource", "unit", "approved", "limit", "in_use", "reserved", "used_pct", "drift",
        "limit_from",
    }  # fmt: skip
    assert (cores["approved"], cores["limit"], cores["in_use"]) == (32, 40, 36)
    assert (cores["used_pct"], cores["drift"]) == (90.0, True)
    assert (cores["department"], cores["department_zh"]) == ("wjw", "卫健委")
    assert rows["ram"]["approved"] == 64 * RAM_GIB
    assert rows["ram"]["drift"] is False
    # declared volumes quota that sync has not seen: approved only
    assert (rows["volumes"]["approved"], rows["volumes"]["limit"]) == (20, None)


def test_show_lists_every_declared_project_and_undeclared_ones(observed: Path) -> None:
    out = govcloud("quota", "show", "-o", "json")
    rows = out.json()
    declared = {(r["pool"], r["project"]) for r in rows if r["department"] != "-"}
    con = sqlite3.connect(observed)
    bindings = con.execute("SELECT count(*) FROM project_binding").fetchone()[0]
    con.close()
    assert len(declared) == bindings
    [rogue] = [r for r in rows if r["department"] == "-"]
    assert (rogue["project"], rogue["limit"], rogue["in_use"], rogue["used_pct"]) == (
        "rogue-project", -1, 12, None,
    )  # fmt: skip


def test_show_filters_by_pool_and_resource(observed: Path) -> None:
    rows = govcloud("quota", "show", "--pool", "hlw", "--resource", "ram", "-o", "json").json()
    assert rows
    assert {(r["pool"], r["resource"]) for r in rows} == {("hlw", "ram")}


def test_show_table_uses_names_of_the_language(observed: Path) -> None:
    zh = govcloud("quota", "show", "--tenant", "wjw", "--lang", "zh")
    assert zh.exit_code == 0
    assert "卫健委" in zh.stdout
    assert "已使用" in zh.stdout
    assert "90.0%" in zh.stdout
    en = govcloud("quota", "show", "--tenant", "wjw", "--lang", "en")
    assert "Health Commission" in en.stdout
    assert "卫健委" not in en.stdout


def test_show_unknown_resource_is_a_usage_error(observed: Path) -> None:
    out = govcloud("quota", "show", "--resource", "floating_ips")
    assert out.exit_code == 2
    assert "unknown quota resource 'floating_ips'" in out.stderr
    assert "Traceback" not in out.stderr


def type_quota(db: Path, pool: str, pid: str, rows: dict[str, tuple[int, int]]) -> None:
    """Insert per-volume-type quotas {wire name: (limit, in_use)} as sync would."""
    con = sqlite3.connect(db)
    pool_id = con.execute("SELECT id FROM pool WHERE code = ?", (pool,)).fetchone()[0]
    con.executemany(
        'INSERT INTO type_quota (pool_id, project_id, volume_type, resource, "limit", in_use,'
        " reserved) VALUES (?,?,?,?,?,?,0)",
        [
            (pool_id, pid, wire.split("_", 1)[1], wire.split("_", 1)[0], limit, used)
            for wire, (limit, used) in rows.items()
        ],
    )
    con.commit()
    con.close()


def test_show_per_volume_type_and_neutron_quotas(observed: Path) -> None:
    observe(observed, "hlw", "nyj-hlw", "id-nyj-hlw", {"floatingip": (4, 3)})
    type_quota(observed, "zw-prod", "id-wjw", {"gigabytes_ssd": (500, 100), "volumes_ssd": (-1, 2)})
    type_quota(observed, "zw-prod", "id-rogue", {"gigabytes_ssd": (-1, 7)})
    out = govcloud("quota", "show", "--pool", "zw-prod", "-o", "json")
    assert out.exit_code == 0, out.stderr
    typed = {(r["project"], r["resource"]): r for r in out.json() if "_" in r["resource"]}
    wjw = typed[("wjw-zw-prod", "gigabytes_ssd")]
    assert (wjw["department"], wjw["limit"], wjw["in_use"], wjw["used_pct"], wjw["unit"]) == (
        "wjw",
        500,
        100,
        20.0,
        "GiB",
    )
    assert typed[("rogue-project", "gigabytes_ssd")]["department"] == "-"
    # an approved SSD share nobody has synced yet is shown as declared (no limit)
    declared = typed[("nyj-zw-prod", "gigabytes_ssd")]
    assert declared["limit"] is None
    assert declared["approved"] > 0
    order = [r["resource"] for r in out.json() if r["project"] == "wjw-zw-prod"]
    assert order.index("gigabytes_ssd") == order.index("gigabytes") + 1
    fip = govcloud("quota", "show", "--resource", "floatingip", "-o", "json").json()
    assert [(r["project"], r["limit"], r["in_use"]) for r in fip if r["limit"] is not None] == [
        ("nyj-hlw", 4, 3)
    ]
    only = govcloud("quota", "show", "--resource", "gigabytes_ssd", "--tenant", "wjw", "-o", "json")
    assert [(r["project"], r["limit"]) for r in only.json()] == [("wjw-zw-prod", 500)]
    bad = govcloud("quota", "show", "--resource", "gigabytes_")
    assert bad.exit_code == 2
    assert "gigabytes_<type>" in bad.stderr


# --- check ------------------------------------------------------------------------------------


def test_check_reports_overcommitted_prod_pool(observed: Path) -> None:
    out = govcloud("quota", "check", "-o", "json")
    assert out.exit_code == 0, out.stderr
    rows = {(r["pool"], r["resource"]): r for r in out.json()}
    kinds = ("cores", "ram", "gigabytes")
    # the example estate approves an SSD share in zw-prod: that type gets its own row
    # hlw promises floating IPs: its region's public addresses get a row (none counted yet)
    assert set(rows) == {(p, r) for p in ("dr-test", "hlw", "zw-prod") for r in kinds} | {
        ("zw-prod", "gigabytes_ssd"),
        ("hlw", "floatingip"),
    }
    fip = rows[("hlw", "floatingip")]
    assert (fip["severity"], fip["capacity"], fip["unit"]) == ("info", None, "IPv4")
    assert fip["quota_committed"] > 0
    assert "public addresses of" in fip["finding"]
    unknown = rows[("hlw", "gigabytes")]  # no Cinder backend synced yet: said, not guessed
    assert (unknown["severity"], unknown["capacity"]) == ("info", None)
    assert "no Cinder backend synced" in unknown["finding"]
    prod = rows[("zw-prod", "cores")]
    assert prod["capacity"] == 1792 * 4 - 256
    con = sqlite3.connect(observed)
    approved = con.execute(
        'SELECT sum(a."limit") FROM approved_quota a JOIN project_binding b ON b.id = a.binding_id'
        " JOIN pool p ON p.id = b.pool_id WHERE p.code = 'zw-prod' AND a.resource = 'cores'"
    ).fetchone()[0]
    con.close()
    # wjw's cloud limit (40) replaces its approved 32 in the sum
    assert prod["quota_committed"] == approved - 32 + 40
    assert prod["severity"] in ("medium", "high")


def storage(
    db: Path, pool: str, backends: list[tuple[Any, ...]], types: list[tuple[str, str]]
) -> None:
    """Insert Cinder scheduler pools (name, backend, total, free, allocated, provisioned,
    ratio, reserved_pct, thin) and volume types (name, backend) as sync would."""
    con = sqlite3.connect(db)
    pool_id = con.execute("SELECT id FROM pool WHERE code = ?", (pool,)).fetchone()[0]
    con.executemany(
        "INSERT INTO storage_backend (pool_id, name, backend_name, total_gib, free_gib,"
        " allocated_gib, provisioned_gib, max_over_subscription_ratio, reserved_pct, thin, thick)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(pool_id, *b, not b[-1]) for b in backends],
    )
    con.executemany(
        "INSERT INTO volume_type (pool_id, type_id, name, backend_name, is_public)"
        " VALUES (?,?,?,?,1)",
        [(pool_id, f"t-{name}", name, backend) for name, backend in types],
    )
    con.commit()
    con.close()


PROD_BACKENDS = [
    # ssd: thin 2x, 10% reserve; sata: thick
    ("c@ceph#ssd", "ceph-ssd", 20000.0, 12000.0, 9000.0, 15000.0, 2.0, 10.0, True),
    ("c@ceph#sata", "ceph-sata", 200000.0, 150000.0, 50000.0, None, None, 0.0, False),
]


def test_check_storage_promises_against_the_backends(observed: Path) -> None:
    storage(observed, "zw-prod", PROD_BACKENDS, [("ssd", "ceph-ssd"), ("sata", "ceph-sata")])
    out = govcloud("quota", "check", "--pool", "zw-prod", "-o", "json")
    assert out.exit_code == 0, out.stderr
    rows = {r["resource"]: r for r in out.json()}
    total = rows["gigabytes"]
    assert total["capacity_source"] == "cinder"
    assert total["capacity"] == 20000 * 2 - 2000 + 200000  # thin x ratio - reserve, + thick
    assert total["provisioned"] == 15000 + 50000  # sata reports no provisioned: allocated
    ssd = rows["gigabytes_ssd"]
    assert ssd["capacity"] == 38000
    # the example estate approves a quarter of big projects' volume GiB on SSD: more than
    # the SSD backend holds
    assert ssd["approved"] > 40000
    assert ssd["severity"] == "high"
    assert f"exceed capacity {ssd['capacity']:,} (limit before reserve 40,000)" in ssd["finding"]
    assert rows["gigabytes_sata"]["approved"] == 0


def test_check_storage_table_in_both_languages(observed: Path) -> None:
    storage(observed, "zw-prod", PROD_BACKENDS, [("ssd", "ceph-ssd")])
    zh = govcloud("--lang", "zh", "quota", "check", "--pool", "zw-prod")
    assert zh.exit_code == 0, zh.stderr
    assert "云硬盘容量 (ssd)" in zh.stdout  # gigabytes_ssd, in the console's words
    assert "容量来源" not in zh.stdout
    assert "配额合计" in zh.stdout
    en = govcloud("--lang", "en", "quota", "check", "--pool", "zw-prod", "--long")
    assert en.exit_code == 0, en.stderr
    assert "Σ approved" in en.stdout
    assert "Provisioned" in en.stdout
    assert "cinder" in en.stdout


def test_check_fail_on_exits_3_only_at_or_above(observed: Path) -> None:
    capacity(observed, "hlw", vcpu_total=10, ratio=1.0)  # 10 vCPU: every quota is above it
    high = govcloud("quota", "check", "--pool", "hlw", "--fail-on", "high")
    assert high.exit_code == 3
    assert "finding(s) at or above high" in high.stderr
    crit = govcloud("quota", "check", "--pool", "hlw", "--fail-on", "critical", "-o", "json")
    assert crit.exit_code == 0
    assert crit.stderr == ""
    assert {r["severity"] for r in crit.json()} <= {"high", "medium", "info", "ok"}


def test_check_bad_severity_and_unknown_pool(observed: Path) -> None:
    bad = govcloud("quota", "check", "--fail-on", "severe")
    assert bad.exit_code == 2
    assert "unknown severity" in bad.stderr
    missing = govcloud("quota", "check", "--pool", "nowhere", "-o", "json")
    assert missing.exit_code == 1
    assert missing.json()["error"]["code"] == "not_found"


# --- plan/apply file validation (no cloud needed: all of it happens before any HTTP call) -----


def test_apply_missing_and_hand_edited_plans_exit_2(observed: Path, tmp_path: Path) -> None:
    missing = govcloud("quota", "apply", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr
    edited = tmp_path / "plan.json"
    edited.write_text(json.dumps({"format": "govcloud-quota-plan", "version": 1}))
    out = govcloud("quota", "apply", str(edited), "--yes", "-o", "json")
    assert out.exit_code == 2
    assert out.json()["error"]["code"] == "validation_error"


# --- plan/apply against the sandbox over HTTP -------------------------------------------------

ESTATE = """
clouds:
- name: zwy
  regions: [r1]
pools:
- code: p1
  name_zh: 一号池
  name_en: Pool one
  cloud: zwy
  region: r1
  security_zone: 政务外网
departments:
- code: aaa
  name_zh: 甲局全称
  short_zh: 甲局
  name_en: Bureau A
  projects:
  - pool: p1
    project: aaa-p1
    quota: {cores: 200, ram_gib: 1024, instances: 50, volume_gib: 10000, volumes: 100}
- code: bbb
  name_zh: 乙局全称
  short_zh: 乙局
  name_en: Bureau B
  projects:
  - pool: p1
    project: bbb-p1
    quota: {cores: 200, ram_gib: 1024, instances: 50, volume_gib: 10000, volumes: 100}
"""
START = {"cores": 100, "ram": 1024 * RAM_GIB, "instances": 50}  # cores differ from approved
START_VOLUME = {"gigabytes": 10000, "volumes": 100}


@dataclass
class Cloud:
    sandbox: Any
    sdk: Any  # an openstacksdk Connection as admin: the independent reader
    ids: dict[str, str]  # project name -> id
    inventory: Path
    clouds_yaml: Path

    def quota(self, project: str) -> Any:
        return self.sdk.compute.get_quota_set(self.ids[project])

    def set_quota(self, project: str, **values: int) -> None:
        resp = self.sdk.compute.put(
            f"/os-quota-sets/{self.ids[project]}", json={"quota_set": values}
        )
        assert resp.status_code == 200, resp.text

    def set_volume_quota(self, project: str, **values: int) -> None:
        resp = self.sdk.block_storage.put(
            f"/os-quota-sets/{self.ids[project]}", json={"quota_set": values}
        )
        assert resp.status_code == 200, resp.text


@pytest.fixture(scope="module")
def sandbox_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    import openstack

    from govcloud.sandbox import Sandbox
    from govcloud.services.inventory import read_inventory

    base = tmp_path_factory.mktemp("sandbox")
    (base / "inventory").mkdir()
    (base / "inventory" / "estate.yaml").write_text(ESTATE, encoding="utf-8")
    with Sandbox.start(read_inventory(base / "inventory"), size=12) as sb:
        entry = next(e for e in sb.clouds() if e.name == "govcloud-sandbox-zwy")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openstacksdk's optional metrics backends
            sdk = openstack.connect(
                auth_type="password", auth=entry.auth, region_name="r1",
                load_yaml_config=False, load_envvars=False,
            )  # fmt: skip
        ids = {p.name: p.id for p in sb.estate.projects if p.department_code}
        yield Cloud(sb, sdk, ids, base / "inventory", sb.write_clouds_yaml(base / "clouds.yaml"))
        sdk.close()


@pytest.fixture
def cloud(db: Path, sandbox_cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> Cloud:
    """The sandbox with known starting quotas, and a store holding the small estate."""
    from govcloud.sandbox import Faults

    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(sandbox_cloud.clouds_yaml))
    sandbox_cloud.sandbox.set_faults(Faults())
    for project in sandbox_cloud.ids:
        sandbox_cloud.set_quota(project, **START)
        sandbox_cloud.set_volume_quota(project, **START_VOLUME)
    assert govcloud("inventory", "load", str(sandbox_cloud.inventory)).exit_code == 0
    return sandbox_cloud


def audit_rows(db: Path) -> list[tuple[str, str, str, dict[str, Any], dict[str, Any], str | None]]:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT object_type, object_id, outcome, before, after, ticket FROM audit_log"
        " WHERE object_type LIKE 'quota.%' ORDER BY seq"
    ).fetchall()
    con.close()
    return [(t, o, out, json.loads(b), json.loads(a), tk) for t, o, out, b, a, tk in rows]


def seal(plan: Any, tmp_path: Path) -> Any:
    """PLAN sealed with this test's audit key (as `quota plan` would)."""
    from govcloud.core import quota_plan as qp
    from govcloud.core.audit_trail import Signer

    key = next((tmp_path / "config").rglob("audit.key")).read_bytes()
    return qp.sealed(plan, Signer("sha256", key))


def make_plan(tmp_path: Path, *args: str) -> Path:
    path = tmp_path / "plan.json"
    out = govcloud("quota", "plan", "-f", str(path), *args)
    assert out.exit_code == 0, out.stderr
    return path


def test_plan_apply_then_second_apply_sends_nothing(cloud: Cloud, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    plan = govcloud("quota", "plan", "-f", str(path), "-o", "json")
    assert plan.exit_code == 0
    assert plan.stderr == ""
    rows = plan.json()
    assert {(r["project"], r["resource"], r["before"], r["after"]) for r in rows} == {
        ("aaa-p1", "cores", 100, 200),
        ("bbb-p1", "cores", 100, 200),
    }
    assert set(rows[0]) == {
        "pool", "department", "project", "project_id", "resource", "unit", "before", "after",
        "in_use", "status",
    }  # fmt: skip
    saved = json.loads(path.read_text())
    assert saved["seal"].startswith("hmac-sha256:")
    assert saved["inventory_digest"]
    assert {p["project"] for p in saved["projects"]} == {"aaa-p1", "bbb-p1"}

    dry = govcloud("quota", "apply", str(path))
    assert dry.exit_code == 0
    assert "would_change" in dry.stdout
    assert "add --yes" in dry.stderr
    assert cloud.quota("aaa-p1").cores == 100  # a dry run changes nothing
    assert audit_rows(db) == []

    done = govcloud("quota", "apply", str(path), "--yes", "--ticket", "CHG-7", "-o", "json")
    assert done.exit_code == 0, done.stdout
    assert {r["status"] for r in done.json()} == {"changed"}
    assert (cloud.quota("aaa-p1").cores, cloud.quota("bbb-p1").cores) == (200, 200)
    assert cloud.quota("aaa-p1").ram == 1024 * RAM_GIB  # untouched resources stay
    records = audit_rows(db)
    assert [(t, out, tk) for t, _, out, _, _, tk in records] == [
        ("quota.compute", "intent", "CHG-7"),
        ("quota.compute", "ok", "CHG-7"),
    ] * 2  # two-phase: the intent is committed before the PUT, its outcome after
    by_project = {r[3]["project"]: r for r in records}
    assert by_project["aaa-p1"][1] == f"p1/{cloud.ids['aaa-p1']}"
    assert (by_project["aaa-p1"][3]["cores"], by_project["aaa-p1"][4]["cores"]) == (100, 200)

    again = govcloud("quota", "apply", str(path), "--yes")
    assert again.exit_code == 0
    assert "nothing to change" in again.stderr
    assert "already_applied" in again.stdout
    assert len(audit_rows(db)) == 4  # nothing sent, nothing recorded


def test_apply_sends_only_differing_resources_as_absolute_values(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    cloud.set_quota("aaa-p1", ram=768 * RAM_GIB)
    cloud.set_volume_quota("aaa-p1", volumes=80)
    path = make_plan(tmp_path, "--tenant", "甲局")
    assert govcloud("quota", "apply", str(path), "--yes").exit_code == 0
    records = {r[0]: r for r in audit_rows(db)}
    assert records["quota.compute"][4] == {"project": "aaa-p1", "cores": 200, "ram": 1024 * RAM_GIB}
    assert records["quota.volume"][4] == {"project": "aaa-p1", "volumes": 100}
    assert cloud.sdk.block_storage.get_quota_set(cloud.ids["aaa-p1"]).volumes == 100


def test_cloud_changed_since_plan_aborts_before_any_put(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    path = make_plan(tmp_path)
    cloud.set_quota("bbb-p1", cores=150)
    out = govcloud("quota", "apply", str(path), "--yes")
    assert out.exit_code == 1
    assert "cloud changed since the plan: bbb-p1 cores 100 -> 150; re-run quota plan" in out.stderr
    assert (cloud.quota("aaa-p1").cores, cloud.quota("bbb-p1").cores) == (100, 150)
    assert audit_rows(db) == []


def test_below_usage_is_held_back_or_with_strict_refused_before_any_http_call(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    from govcloud.sandbox import Faults

    pid = cloud.ids["aaa-p1"]
    in_use = cloud.sdk.compute.get(f"/os-quota-sets/{pid}/detail").json()["quota_set"]["cores"]
    assert in_use["in_use"] > 0, "the seeded estate gives every project servers"
    low = tmp_path / "low"
    low.mkdir()
    (low / "estate.yaml").write_text(ESTATE.replace("cores: 200", "cores: 1", 1))
    assert govcloud("inventory", "load", str(low)).exit_code == 0
    path = make_plan(tmp_path, "--from", str(low), "--tenant", "aaa")
    cloud.sandbox.set_faults(Faults(fail_rate=1.0))
    out = govcloud("quota", "apply", str(path), "--yes", "--strict", "-o", "json")  # all 503
    assert out.exit_code == 2
    error = out.json()["error"]
    assert error["code"] == "below_usage"
    assert f"aaa-p1 cores to 1 ({in_use['in_use']} in use)" in error["message"]
    cloud.sandbox.set_faults(Faults())
    held = govcloud("quota", "apply", str(path), "--yes")
    assert held.exit_code == 0, held.stderr
    assert "held" in held.stdout
    assert "held back: 1 row(s) below current usage" in held.stderr
    assert cloud.quota("aaa-p1").cores == 100
    assert audit_rows(db) == []


def test_unwritable_audit_trail_prevents_the_put(cloud: Cloud, db: Path, tmp_path: Path) -> None:
    path = make_plan(tmp_path, "--tenant", "aaa")
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'full'); END"
    )
    con.commit()
    con.close()
    out = govcloud("quota", "apply", str(path), "--yes")
    assert out.exit_code == 1
    assert "cannot write the audit trail" in out.stderr
    assert cloud.quota("aaa-p1").cores == 100


def test_failed_put_is_recorded_as_failed(
    cloud: Cloud, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govcloud.adapters.openstack.quota_api import QuotaApi
    from govcloud.sandbox import Faults

    path = make_plan(tmp_path, "--tenant", "aaa")
    real_put = QuotaApi.put

    def put_into_an_outage(self: QuotaApi, *args: Any) -> None:
        cloud.sandbox.set_faults(Faults(fail_rate=1.0))  # the cloud goes down after the GETs
        real_put(self, *args)

    monkeypatch.setattr(QuotaApi, "put", put_into_an_outage)
    out = govcloud("quota", "apply", str(path), "--yes", "--ticket", "CHG-9")
    cloud.sandbox.set_faults(Faults())
    assert out.exit_code == 1
    assert "1 of 1 quota update(s) failed" in out.stderr
    assert "failed" in out.stdout
    [intent, (kind, _, outcome, before, after, ticket)] = audit_rows(db)
    assert intent[2] == "intent"
    assert (kind, outcome, ticket, before["cores"], after["cores"]) == (
        "quota.compute", "failed", "CHG-9", 100, 200,
    )  # fmt: skip
    assert "HTTP 503" in after["error"]
    assert cloud.quota("aaa-p1").cores == 100


def test_plan_for_a_project_gone_from_keystone_is_an_error(
    cloud: Cloud, db: Path, tmp_path: Path
) -> None:
    from govcloud.core import quota_plan as qp

    plan = qp.parse_plan(make_plan(tmp_path, "--tenant", "aaa").read_text(), "x")
    ghost = "0" * 32
    forged = plan.model_copy(
        update={
            "projects": tuple(p.model_copy(update={"project_id": ghost}) for p in plan.projects),
            "changes": tuple(c.model_copy(update={"project_id": ghost}) for c in plan.changes),
        }
    )
    forged = seal(forged, tmp_path)  # sealed with the real key: only Keystone can refuse it
    path = tmp_path / "ghost.json"
    path.write_text(qp.to_json(forged))
    out = govcloud("quota", "apply", str(path), "--yes")
    assert out.exit_code == 2
    assert f"unknown project aaa-p1 ({ghost})" in out.stderr


def test_hand_edited_plan_is_refused_with_exit_2(cloud: Cloud, tmp_path: Path) -> None:
    path = make_plan(tmp_path)
    data = json.loads(path.read_text())
    data["changes"][0]["after"] = 640
    path.write_text(json.dumps(data))
    out = govcloud("quota", "apply", str(path), "--yes")
    assert out.exit_code == 2
    assert "plan was edited" in out.stderr
    assert cloud.quota("aaa-p1").cores == 100
