"""`govcloud volume list|show` and `govcloud fip list` end to end: rows written the way sync
writes them (sync_repo.apply_diff over a diff of the stored snapshot), read back through the
real entry point in both languages and every output format."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from govcloud.adapters.store import sync_repo
from govcloud.adapters.store.engine import open_store
from govcloud.core import models as m
from govcloud.core.sync import PoolListing, diff_pool
from tests.cli.runner import govcloud

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def observe(db: Path, listing: PoolListing) -> None:
    store = open_store(f"sqlite:///{db}")
    try:
        with store.write() as conn:
            pool_id = sync_repo.pool_ids(conn)[listing.pool_code]
            snapshot = sync_repo.read_snapshot(conn, pool_id, listing.pool_code)
            diff = diff_pool(snapshot, listing)
            sync_repo.apply_diff(conn, pool_id, diff, sync_repo.department_ids(conn), NOW)
    finally:
        store.close()


def vol(vid: str, name: str, project: str, size: int, **kw: object) -> m.Volume:
    return m.Volume(
        pool_code=str(kw.pop("pool_code", "zw-prod")),
        volume_id=vid,
        name=name,
        project_id=project,
        size_gib=size,
        status=str(kw.pop("status", "available")),
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def estate(loaded: Path) -> Path:
    """zw-prod: two projects (卫健委, 公安局), a server, four volumes and three floating IPs."""
    projects = (
        m.Project("zw-prod", "id-wjw", "wjw-zw-prod", department_code="wjw"),
        m.Project("zw-prod", "id-gaj", "gaj-zw-prod", department_code="gaj"),
    )
    his = m.Server("zw-prod", "srv-his-0001", "his-db", "id-wjw", "ACTIVE", "c8", 8, 16384, 40)
    volumes = (
        vol("vol-aaaa-0001", "his-data", "id-wjw", 500, volume_type="ssd", status="in-use",
            attached_server_id="srv-his-0001"),
        vol("vol-aaaa-0002", "his-archive", "id-wjw", 1000, volume_type="sata"),
        vol("vol-bbbb-0003", "jz-logs", "id-gaj", 200, volume_type="ssd"),
        vol("vol-cccc-0004", "orphan", "id-nobody", 40),
    )  # fmt: skip
    fips = (
        m.FloatingIp("zw-prod", "fip-1", "id-wjw", "203.0.113.10", "ext", "ACTIVE", "port-1",
                     "192.168.1.10", "srv-his-0001", NOW),
        m.FloatingIp("zw-prod", "fip-2", "id-wjw", "203.0.113.11", "ext", "DOWN"),
        m.FloatingIp("zw-prod", "fip-3", "id-gaj", "203.0.113.12", "ext", "DOWN"),
    )  # fmt: skip
    observe(
        loaded,
        PoolListing("zw-prod", projects=projects, servers=(his,), volumes=volumes,
                    floating_ips=fips),
    )  # fmt: skip
    return loaded


def test_volume_list_json_keys_and_default_order(estate: Path) -> None:
    out = govcloud("volume", "list", "-o", "json")
    assert out.exit_code == 0, out.stderr
    rows = out.json()
    assert [r["name"] for r in rows] == ["jz-logs", "his-archive", "his-data", "orphan"]
    assert set(rows[0]) == {
        "volume_id", "name", "pool", "department", "department_zh", "department_en", "project",
        "project_id", "size_gib", "volume_type", "status", "attached_server",
        "attached_server_id", "bootable", "created_at", "updated_at",
    }  # fmt: skip
    data = next(r for r in rows if r["name"] == "his-data")
    assert (data["department"], data["department_zh"]) == ("wjw", "卫健委")
    assert (data["attached_server"], data["attached_server_id"]) == ("his-db", "srv-his-0001")
    assert rows[-1]["department"] is None  # a project no department declares


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("--tenant", "卫健委"), ["his-archive", "his-data"]),
        (("--department", "Health Commission"), ["his-archive", "his-data"]),
        (("--type", "ssd"), ["jz-logs", "his-data"]),
        (("--status", "IN-USE"), ["his-data"]),
        (("--attached",), ["his-data"]),
        (("--unattached",), ["jz-logs", "his-archive", "orphan"]),
        (("--pool", "ZW-PROD", "--unattached", "--type", "sata"), ["his-archive"]),
        (("--sort", "-size_gib", "--limit", "2"), ["his-archive", "his-data"]),
        (("--sort", "volume_type,name"), ["his-archive", "his-data", "jz-logs", "orphan"]),
        # "-" makes every key descending (as in `vm list`); a missing type stays last
        (("--sort", "-volume_type,name"), ["jz-logs", "his-data", "his-archive", "orphan"]),
    ],
)
def test_volume_list_filters_and_sorts(
    estate: Path, args: tuple[str, ...], names: list[str]
) -> None:
    out = govcloud("volume", "list", *args, "-o", "json", "-c", "name")
    assert out.exit_code == 0, out.stderr
    assert [r["name"] for r in out.json()] == names


def test_volume_table_has_totals_in_both_languages(estate: Path) -> None:
    en = govcloud("volume", "list", "--lang", "en")
    assert en.exit_code == 0, en.stderr
    assert en.stdout.splitlines()[0].split()[:2] == ["Name", "Pool"]
    assert "Size (GiB)" in en.stdout
    assert en.stdout.rstrip().endswith("4 volume(s), 1,740 GiB (3 unattached)")
    zh = govcloud("volume", "list", "--lang", "zh", "--tenant", "wjw")
    assert "容量 (GiB)" in zh.stdout
    assert "挂载云主机" in zh.stdout
    assert "卫健委" in zh.stdout
    assert zh.stdout.rstrip().endswith("共 2 个云硬盘，1,500 GiB（未挂载 1 个）")
    assert "volume(s)" not in govcloud("volume", "list", "-o", "json").stdout  # no totals


def test_volume_csv_and_yaml_through_the_one_renderer(estate: Path) -> None:
    text = govcloud("volume", "list", "-o", "csv", "-c", "name", "-c", "size_gib").stdout
    assert list(csv.reader(io.StringIO(text)))[:2] == [["name", "size_gib"], ["jz-logs", "200"]]
    yml = govcloud("volume", "list", "-o", "yaml", "--attached", "-c", "volume_id").stdout
    assert yml == "- volume_id: vol-aaaa-0001\n"


def test_volume_show_by_id_prefix_and_name(estate: Path) -> None:
    by_prefix = govcloud("volume", "show", "vol-aaaa-0002", "-o", "json")
    assert by_prefix.json()["name"] == "his-archive"
    assert govcloud("volume", "show", "vol-bbbb", "-o", "json").json()["name"] == "jz-logs"
    table = govcloud("volume", "show", "his-data", "--lang", "zh")
    assert table.exit_code == 0
    assert "his-db" in table.stdout
    assert "云硬盘类型" in table.stdout
    ambiguous = govcloud("volume", "show", "vol-aaaa")
    assert ambiguous.exit_code != 0
    assert "2 volumes match" in ambiguous.stderr
    missing = govcloud("volume", "show", "nothing-here")
    assert missing.exit_code != 0
    assert "no volume 'nothing-here'" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (("--pool", "zw-prd"), "no pool 'zw-prd'", "did you mean 'zw-prod'?"),
        (("--tenant", "卫建委"), "no department '卫建委'", "卫健委"),
        (("--sort", "size"), "cannot sort by 'size'", "size_gib"),
        (("--attached", "--unattached"), "exclude each other", ""),
        (("-c", "nope"), "unknown column 'nope'", "size_gib"),
    ],
)
def test_volume_list_bad_input_is_one_line_with_a_hint(
    estate: Path, args: tuple[str, ...], message: str, hint: str
) -> None:
    out = govcloud("volume", "list", *args)
    assert out.exit_code != 0
    assert message in out.stderr
    assert hint in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""


def test_fip_list_filters_keys_and_totals(estate: Path) -> None:
    out = govcloud("fip", "list", "-o", "json")
    assert out.exit_code == 0, out.stderr
    rows = out.json()
    assert [r["address"] for r in rows] == ["203.0.113.12", "203.0.113.10", "203.0.113.11"]
    assert {"fip_id", "address", "pool", "department", "status", "port_id", "fixed_address",
            "server", "server_id", "created_at"} <= set(rows[0])  # fmt: skip
    bound = rows[1]
    assert (bound["server"], bound["fixed_address"]) == ("his-db", "192.168.1.10")

    def addresses(*args: str) -> list[str]:
        result = govcloud("fip", "list", *args, "-o", "json", "-c", "address")
        assert result.exit_code == 0, result.stderr
        return [r["address"] for r in result.json()]

    assert addresses("--unattached") == ["203.0.113.12", "203.0.113.11"]
    assert addresses("--attached") == ["203.0.113.10"]
    assert addresses("--tenant", "公安局") == ["203.0.113.12"]
    assert addresses("--status", "down", "--sort", "-address") == ["203.0.113.12", "203.0.113.11"]
    assert addresses("--pool", "hlw") == []
    en = govcloud("fip", "list", "--lang", "en")
    assert "Floating IP" in en.stdout
    assert en.stdout.rstrip().endswith("3 floating IP(s) (2 unassociated)")
    zh = govcloud("fip", "list", "--lang", "zh")
    assert "浮动IP" in zh.stdout
    assert "内网IP" in zh.stdout
    assert zh.stdout.rstrip().endswith("共 3 个浮动IP（未绑定 2 个）")
    bad = govcloud("fip", "list", "--pool", "hwl")
    assert bad.exit_code != 0
    assert "did you mean 'hlw'?" in bad.stderr


def test_every_label_has_both_languages() -> None:
    from govcloud.cli.volume_columns import FIP, VOLUME

    for column in (*VOLUME, *FIP):
        assert column.zh
        assert column.en
        assert column.zh != column.en or column.key.endswith("_id")


def test_audit_reads_ports_groups_fips_and_allocations_from_the_store(estate: Path) -> None:
    """The networking checks judge what sync stored: loaded into AuditData by the audit."""
    his = m.Server("zw-prod", "srv-his-0001", "his-db", "id-wjw", "ACTIVE", "c8", 8, 16384, 40,
                   host="cn-1")  # fmt: skip
    ssh = m.SecurityRule("ingress", "IPv4", "tcp", 22, 22, "0.0.0.0/0")
    nic = m.Port(
        "zw-prod", "port-1", "id-wjw", "net", "srv-his-0001", "compute:nova",
        ("192.168.1.10",), ("sg-web",),
    )  # fmt: skip
    idle = m.FloatingIp(
        "zw-prod", "fip-2", "id-wjw", "203.0.113.11", "ext", "DOWN",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    usage = (
        m.QuotaUsage("zw-prod", "id-wjw", m.QuotaResource.CORES, 32, 8),
        m.QuotaUsage("zw-prod", "id-wjw", m.QuotaResource.RAM, 65536, 16384),
    )
    observe(
        estate,
        PoolListing(
            "zw-prod",
            projects=(m.Project("zw-prod", "id-wjw", "wjw-zw-prod", department_code="wjw"),),
            servers=(his,),
            ports=(nic,),
            security_groups=(m.SecurityGroup("zw-prod", "sg-web", "id-wjw", "web", (ssh,)),),
            floating_ips=(idle,),
            allocations=(m.ProjectAllocation("zw-prod", "id-wjw", 12, 16384, 40),),
            quotas=usage,
        ),
    )
    checks = ("security-group-open", "floating-ip-idle", "allocation-mismatch")
    out = govcloud("-o", "json", "audit", "run", *(a for c in checks for a in ("--check", c)))
    assert out.exit_code == 0, out.stderr
    found = {r["check"]: r for r in out.json()}
    assert set(found) == set(checks)
    assert found["security-group-open"]["subject_id"] == "sg-web"
    assert found["security-group-open"]["department"] == "wjw"
    assert found["floating-ip-idle"]["subject_name"] == "203.0.113.11"
    assert found["allocation-mismatch"]["evidence"]["vcpu_difference"] == 4
