"""What a first day shows (issue 11 §5): one rule for unknown names, the empty-store hint, figures
that agree, RAM in GiB, short id prefixes, and utilization in `vm show` / `tenant show`.

Servers are written the way sync writes them and metrics the way collect writes them, then read
back through the real entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import HIS, WEB
from tests.cli.runner import govcloud

# --- one rule for unknown names ---------------------------------------------------------------

UNKNOWN = [
    (("vm", "list", "--tenant", "nope"), "no department 'nope'"),
    (("vm", "list", "--pool", "zw-prd"), "no pool 'zw-prd'"),
    (("vm", "list", "--system", "no-such-system"), "no business system 'no-such-system'"),
    (("volume", "list", "--tenant", "nope"), "no department 'nope'"),
    (("fip", "list", "--pool", "zw-prd"), "no pool 'zw-prd'"),
    (("quota", "show", "--tenant", "nope"), "no department 'nope'"),
    (("quota", "show", "--pool", "zw-prd"), "no pool 'zw-prd'"),
    (("quota", "check", "--pool", "zw-prd"), "no pool 'zw-prd'"),
    (("metrics", "show", "--tenant", "nope"), "no department 'nope'"),
    (("metrics", "show", "--vm", "nope"), "no VM or metrics target 'nope'"),
    (("rightsize", "--tenant", "nope"), "no department 'nope'"),
    (("tenant", "show", "nope"), "no department 'nope'"),
    (("pool", "show", "zw-prd"), "no pool 'zw-prd'"),
    (("vm", "show", "nope"), "no server 'nope'"),
]


@pytest.mark.parametrize(("args", "message"), UNKNOWN, ids=[" ".join(a) for a, _ in UNKNOWN])
def test_an_unknown_name_is_an_error_with_a_hint(
    estate: Path, args: tuple[str, ...], message: str
) -> None:
    result = govcloud(*args)
    assert result.exit_code == 1, result.stdout
    assert f"error: {message}" in result.stderr
    assert "hint: " in result.stderr
    assert result.stdout == ""


def test_closest_matches_are_the_hint(estate: Path) -> None:
    assert "did you mean 'zw-prod'?" in govcloud("vm", "list", "--pool", "zw-prd").stderr
    assert "'wjw'" in govcloud("quota", "show", "--tenant", "wj").stderr.split("hint:")[1]


@pytest.mark.parametrize(
    "tenant", ["wjw", "WJW", " Wjw ", "卫健委", "市卫生健康委员会", "health commission"]
)
def test_departments_match_by_code_or_name_in_any_case(estate: Path, tenant: str) -> None:
    rows = govcloud("-o", "json", "vm", "list", "--tenant", tenant).json()
    assert sorted(r["name"] for r in rows) == ["his-db", "his-web", "idle-box"]
    quota = govcloud("-o", "json", "quota", "show", "--tenant", tenant).json()
    assert quota
    assert {q["department"] for q in quota} == {"wjw"}
    metrics = govcloud("-o", "json", "metrics", "show", "--tenant", tenant).json()
    assert {r["department"] for r in metrics} == {"wjw"}


def test_pools_and_systems_match_by_code_or_name_in_any_case(estate: Path) -> None:
    by_pool = govcloud("-o", "json", "vm", "list", "--pool", "ZW-PROD").json()
    assert len(by_pool) == 4
    assert govcloud("-o", "json", "vm", "list", "--pool", "政务外网生产区").json() == by_pool
    assert govcloud("-o", "json", "quota", "check", "--pool", "Zw-Prod").json()
    for system in ("wjw-his", "WJW-HIS", "卫健委全民健康信息平台"):
        rows = govcloud("-o", "json", "vm", "list", "--system", system).json()
        assert sorted(r["name"] for r in rows) == ["his-db", "his-web"], system
    # a code a server carries without a declared system still lists it
    tagged = govcloud("-o", "json", "vm", "list", "--system", "tagged-only").json()
    assert [r["name"] for r in tagged] == ["jz-app"]


# --- an empty store ---------------------------------------------------------------------------

EMPTY_HINT = "the store is empty: run `govcloud inventory load DIR` or `govcloud sync`"
LISTINGS = [
    ("pool", "list"),
    ("tenant", "list"),
    ("vm", "list"),
    ("volume", "list"),
    ("fip", "list"),
    ("quota", "show"),
    ("quota", "check"),
    ("metrics", "show"),
]


@pytest.mark.parametrize("args", LISTINGS, ids=[" ".join(a) for a in LISTINGS])
def test_an_empty_store_says_how_to_fill_it(db: Path, args: tuple[str, ...]) -> None:
    assert govcloud("init").exit_code == 0
    table = govcloud(*args)
    assert table.exit_code == 0, table.stderr
    assert EMPTY_HINT in table.stderr
    as_json = govcloud("-o", "json", *args)
    assert (as_json.exit_code, as_json.json(), as_json.stderr) == (0, [], "")


def test_an_empty_listing_of_a_loaded_store_gives_no_hint(estate: Path) -> None:
    result = govcloud("vm", "list", "--status", "SHUTOFF")
    assert result.exit_code == 0
    assert "store is empty" not in result.stderr


def test_a_name_in_an_empty_store_says_the_store_is_empty(db: Path) -> None:
    assert govcloud("init").exit_code == 0
    result = govcloud("tenant", "show", "wjw")
    assert result.exit_code == 1
    assert f"hint: {EMPTY_HINT}" in result.stderr


# --- figures that agree -----------------------------------------------------------------------


def test_quota_check_findings_name_the_capacity_the_table_shows(loaded: Path) -> None:
    rows = govcloud("-o", "json", "quota", "check", "--pool", "zw-prod").json()
    over = [r for r in rows if r["severity"] == "high" and r["capacity"]]
    assert over, rows
    table = govcloud("quota", "check", "--pool", "zw-prod").stdout
    for r in over:
        figure = f"{r['capacity']:,}"
        assert f"exceed capacity {figure} " in r["finding"]
        assert figure in table
        assert f"limit before reserve {r['placement_limit']:,}" in r["finding"]


def test_tenant_show_gives_approved_ram_in_gib_with_its_unit(loaded: Path) -> None:
    record = govcloud("-o", "json", "tenant", "show", "wjw").json()
    ram = next(q for q in record["quotas"] if q["resource"] == "ram")
    assert (ram["unit"], ram["approved"]) == ("GiB", record["ram_gib_quota"])
    cores = next(q for q in record["quotas"] if q["resource"] == "cores")
    assert (cores["unit"], cores["approved"]) == ("vCPU", record["vcpu_quota"])
    assert "65,536" not in govcloud("tenant", "show", "wjw").stdout


def test_listings_take_limit(estate: Path) -> None:
    for args in (("pool", "list"), ("tenant", "list"), ("quota", "show"), ("quota", "check")):
        assert len(govcloud("-o", "json", *args, "--limit", "2").json()) == 2, args
        assert govcloud("-o", "json", *args, "--limit", "0").json() == [], args


def test_options_have_real_metavars() -> None:
    listing = govcloud("vm", "list", "--help").stdout
    for option in ("--tenant DEPT", "--pool POOL", "--system SYSTEM", "--column COLUMN"):
        assert option in listing
    assert "<list[str]>" not in listing
    assert "<str>" not in listing
    assert "--fail-on SEVERITY" in govcloud("quota", "check", "--help").stdout


def test_vm_show_takes_any_unique_prefix_of_four_or_more(estate: Path) -> None:
    assert govcloud("-o", "json", "vm", "show", "5e1f").json()["name"] == "idle-box"
    assert govcloud("-o", "json", "vm", "show", "d9315a").json()["name"] == "his-db"
    shared = govcloud("vm", "show", "d931")  # his-db and his-web
    assert shared.exit_code == 1
    assert "2 servers match 'd931'" in shared.stderr
    assert HIS in shared.stderr
    assert WEB in shared.stderr
    short = govcloud("vm", "show", "5e1")  # under four characters: not a prefix
    assert (short.exit_code, "no server '5e1'" in short.stderr) == (1, True)
    assert "4+ characters" in govcloud("vm", "show", "--help").stdout


# --- utilization in show ----------------------------------------------------------------------


def test_vm_show_includes_p95_cpu_and_memory_when_there_is_data(estate: Path) -> None:
    record = govcloud("-o", "json", "vm", "show", "his-db").json()
    usage = record["utilization"]
    assert usage["window_days"] == 14
    assert 18.0 <= usage["cpu_p95_pct"] <= 20.0
    assert usage["mem_p95_pct"] == 50.0
    assert 0 < usage["coverage_pct"] < 20  # hourly points of a five-minute series
    table = govcloud("vm", "show", "his-db").stdout
    assert "CPU P95" in table
    assert "Memory P95" in table
    zh = govcloud("--lang", "zh", "vm", "show", "his-db").stdout
    assert "CPU利用率 P95" in zh


def test_vm_show_shows_nothing_without_data(estate: Path) -> None:
    assert govcloud("-o", "json", "vm", "show", "idle-box").json()["utilization"] is None
    table = govcloud("vm", "show", "idle-box").stdout
    assert "P95" not in table
    assert "Coverage" not in table


def test_tenant_show_weights_p95_by_size_and_counts_vms_with_data(estate: Path) -> None:
    one = govcloud("-o", "json", "vm", "show", "his-db").json()["utilization"]
    two = govcloud("-o", "json", "vm", "show", "his-web").json()["utilization"]
    usage = govcloud("-o", "json", "tenant", "show", "卫健委").json()["utilization"]
    assert (usage["vms_with_data"], usage["vms"]) == (2, 3)
    cpu = (8 * one["cpu_p95_pct"] + 2 * two["cpu_p95_pct"]) / 10  # vCPU-weighted
    assert usage["cpu_p95_pct"] == pytest.approx(cpu, abs=0.1)
    assert usage["mem_p95_pct"] == pytest.approx((16 * 50 + 4 * 80) / 20, abs=0.1)
    assert "VMs with data" in govcloud("tenant", "show", "wjw").stdout
    assert govcloud("-o", "json", "tenant", "show", "gaj").json()["utilization"] is None
    assert "P95" not in govcloud("tenant", "show", "gaj").stdout


def test_metrics_show_by_vm_name_names_the_department_as_by_tenant(estate: Path) -> None:
    by_vm = govcloud("-o", "json", "metrics", "show", "--vm", "his-db").json()
    by_tenant = govcloud("-o", "json", "metrics", "show", "--tenant", "wjw").json()
    assert by_vm[0]["department"] == "wjw"
    assert by_vm[0] == next(r for r in by_tenant if r["name"] == "his-db")
