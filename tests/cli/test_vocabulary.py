"""One vocabulary: every word and every column label has both languages, every status,
severity and check the code can produce has a word, and real commands under `--lang zh` show
the words (machine formats keep the raw values) while `--lang en` shows no Chinese."""

from __future__ import annotations

import gc
import importlib
import pkgutil
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import govcloud.cli as cli_package
from govcloud.cli.render import Column
from govcloud.core import models as m
from govcloud.core import vocabulary as v
from govcloud.core.audit_diff import DiffStatus
from govcloud.core.checks import registry
from govcloud.core.checks._common import STOPPED_STATES
from govcloud.core.findings import SubjectType
from govcloud.core.models import UNITS
from govcloud.core.recommendation import Verdict
from govcloud.core.severity import Severity
from govcloud.core.sync import PoolListing
from govcloud.core.utilization import METRICS
from govcloud.sandbox.estate import SERVER_STATUSES, SNAPSHOT_STATUSES, VOLUME_STATUSES
from tests.cli.runner import govcloud
from tests.cli.test_volume_fip import NOW, observe, vol

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u9fff]")
# what a Chinese label may share with the English one: ID, CPU, P95, HMAC, SHA-256 ...
SYMBOL = re.compile(r"^[A-Z][A-Za-z0-9 -]*$")

# Nova's server statuses as its API reference lists them
NOVA_STATUSES = (
    "ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING", "PASSWORD", "PAUSED",
    "REBOOT", "REBUILD", "RESCUE", "RESIZE", "REVERT_RESIZE", "SHELVED", "SHELVED_OFFLOADED",
    "SHUTOFF", "SOFT_DELETED", "SUSPENDED", "UNKNOWN", "VERIFY_RESIZE",
)  # fmt: skip
# Cinder's volume statuses as its API reference lists them
CINDER_STATUSES = (
    "creating", "available", "reserved", "attaching", "detaching", "in-use", "maintenance",
    "deleting", "awaiting-transfer", "error", "error_deleting", "backing-up",
    "restoring-backup", "error_backing-up", "error_restoring", "error_extending",
    "downloading", "uploading", "retyping", "extending",
)  # fmt: skip


def all_columns() -> list[Column]:
    """Every Column the CLI's modules define (tuples in *_columns.py and inline ones)."""
    for info in pkgutil.iter_modules(cli_package.__path__):
        importlib.import_module(f"govcloud.cli.{info.name}")
    return [o for o in gc.get_objects() if isinstance(o, Column)]


def test_no_two_columns_of_a_table_share_a_label() -> None:
    """`vm show` once had two rows labelled 部门 (the name and the English name)."""
    sets = []
    for info in pkgutil.iter_modules(cli_package.__path__):
        module = importlib.import_module(f"govcloud.cli.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, tuple) and value and all(isinstance(c, Column) for c in value):
                sets.append((f"{info.name}.{name}", value))
    assert len(sets) > 20  # the scan found the column tuples
    for where, columns in sets:
        for lang in ("zh", "en"):
            labels = [c.label(lang) for c in columns if c.lang in (None, lang)]
            assert len(labels) == len(set(labels)), (where, lang, labels)


@pytest.mark.parametrize("table", sorted(v.TABLES))
def test_every_word_has_both_languages(table: str) -> None:
    for raw, word in v.TABLES[table].items():
        assert word.en.strip(), (table, raw)
        assert word.zh.strip(), (table, raw)
        assert not CJK.search(word.en), (table, raw, word.en)
        # a word is Chinese; a symbol both languages share (GiB, MiB) is the same in both
        assert HAN.search(word.zh) or word.zh == word.en, (table, raw, word.zh)


def test_every_column_label_has_both_languages() -> None:
    columns = all_columns()
    assert len(columns) > 300  # the scan found the column modules
    for c in columns:
        assert c.zh.strip(), c.key
        assert c.en.strip(), c.key
        assert not CJK.search(c.en), (c.key, c.en)
        assert HAN.search(c.zh) or SYMBOL.match(c.zh), (c.key, c.zh)
        assert c.words is None or c.words in v.TABLES, (c.key, c.words)


def test_host_sections_have_both_languages() -> None:
    from govcloud.cli.host_columns import SECTIONS

    for key, zh, en, _ in SECTIONS:
        assert HAN.search(zh), key
        assert en, key
        assert not CJK.search(en), key


@pytest.mark.parametrize(
    ("table", "produced"),
    [
        ("server_status", NOVA_STATUSES),
        ("server_status", SERVER_STATUSES),
        ("server_status", STOPPED_STATES),
        ("volume_status", CINDER_STATUSES),
        ("volume_status", VOLUME_STATUSES),
        ("volume_status", SNAPSHOT_STATUSES),
        ("fip_status", ("ACTIVE", "DOWN", "ERROR")),
        ("severity", [s.value for s in Severity]),
        ("check", list(registry())),
        ("subject_type", [s.value for s in SubjectType]),
        ("verdict", [s.value for s in Verdict]),
        ("diff_status", [s.value for s in DiffStatus]),
        ("zone", [z.value for z in m.SecurityZone]),
        ("resource", [r.value for r in m.QuotaResource]),
        ("unit", [*UNITS.values(), "IPv4"]),
        ("metric", METRICS),
    ],
)
def test_everything_the_code_produces_has_a_word(table: str, produced: tuple[str, ...]) -> None:
    missing = sorted(set(produced) - set(v.TABLES[table]))
    assert not missing, f"{table}: no word for {missing}"


def test_word_lookup() -> None:
    assert v.word("server_status", "SHUTOFF", "zh") == "关机"
    assert v.word("server_status", "SHUTOFF", "en") == "SHUTOFF"  # as OpenStack prints it
    assert v.word("resource", "gigabytes_ssd", "zh") == "云硬盘容量 (ssd)"
    assert v.word("resource", "volumes_dr-sata", "en") == "volumes_dr-sata"
    assert v.word("server_status", "NEW_IN_NOVA_99", "zh") == "NEW_IN_NOVA_99"  # never hidden
    assert Severity.CRITICAL.zh == v.SEVERITY["critical"].zh


@pytest.fixture
def estate(loaded: Path) -> Path:
    """zw-prod: servers in five of Nova's states, volumes in three of Cinder's, two FIPs."""
    project = m.Project("zw-prod", "id-wjw", "wjw-zw-prod", department_code="wjw")
    created = datetime(2025, 1, 5, tzinfo=UTC)
    servers = tuple(
        m.Server("zw-prod", f"srv-{i}", f"his-{status.lower()}", "id-wjw", status, "c8", 8,
                 16384, 40, created_at=created, updated_at=created)
        for i, status in enumerate(("ACTIVE", "SHUTOFF", "ERROR", "PAUSED", "SHELVED_OFFLOADED"))
    )  # fmt: skip
    volumes = (
        vol("vol-1", "his-data", "id-wjw", 500, status="in-use", attached_server_id="srv-0"),
        vol("vol-2", "his-archive", "id-wjw", 1000),
        vol("vol-3", "his-broken", "id-wjw", 40, status="error"),
    )
    fips = (
        m.FloatingIp("zw-prod", "fip-1", "id-wjw", "203.0.113.10", "ext", "ACTIVE", "port-1",
                     "192.168.1.10", "srv-0", NOW),
        m.FloatingIp("zw-prod", "fip-2", "id-wjw", "203.0.113.11", "ext", "DOWN"),
    )  # fmt: skip
    listing = PoolListing(
        "zw-prod", projects=(project,), servers=servers, volumes=volumes, floating_ips=fips
    )
    observe(loaded, listing)
    return loaded


def raw_and_english(*tables: str) -> set[str]:
    """Every raw value and English word of TABLES that is not also the Chinese word."""
    out = set()
    for table in tables:
        for raw, word in v.TABLES[table].items():
            out |= {raw, word.en} - {word.zh}
    return out


def tokens(text: str) -> set[str]:
    """The cells of a table (columns are two or more spaces apart) and its words."""
    lines = text.splitlines()
    return {c.strip() for line in lines for c in re.split(r"\s{2,}", line)} | set(text.split())


@pytest.mark.parametrize(
    ("args", "key", "table"),
    [
        (("vm", "list"), "status", "server_status"),
        (("volume", "list"), "status", "volume_status"),
        (("fip", "list"), "status", "fip_status"),
        (("quota", "show", "--tenant", "wjw"), "resource", "resource"),
        (("quota", "check"), "severity", "severity"),
        (("pool", "list"), "security_zone", "zone"),
    ],
)
def test_zh_tables_show_words_and_machine_formats_keep_values(
    estate: Path, args: tuple[str, ...], key: str, table: str
) -> None:
    rows = govcloud("-o", "json", *args).json()
    raw = {r[key] for r in rows}
    assert raw, args
    zh = govcloud("--lang", "zh", *args)
    assert zh.exit_code == 0, zh.stderr
    shown = tokens(zh.stdout)
    leaked = (raw_and_english(table) & shown) - {"-"}
    assert not leaked, f"{args}: English in a Chinese table: {sorted(leaked)}"
    for value in raw:
        assert v.word(table, value, "zh") in zh.stdout, value


def test_zh_vm_show_and_audit_findings(estate: Path) -> None:
    show = govcloud("--lang", "zh", "vm", "show", "his-shutoff")
    assert show.exit_code == 0, show.stderr
    assert "关机" in show.stdout
    assert "SHUTOFF" not in show.stdout
    run = govcloud("--lang", "zh", "audit", "run")
    assert run.exit_code == 0, run.stderr
    findings = govcloud("-o", "json", "audit", "show").json()
    assert findings
    table = govcloud("--lang", "zh", "audit", "show")
    assert table.exit_code == 0, table.stderr
    leaked = raw_and_english("severity", "check") & tokens(table.stdout)
    assert not leaked, sorted(leaked)
    assert {f["check"] for f in findings} <= set(v.CHECK)


@pytest.mark.parametrize(
    "args", [("pool", "list"), ("vm", "list"), ("volume", "list"), ("fip", "list")]
)
def test_en_tables_show_no_chinese_zone_or_status(estate: Path, args: tuple[str, ...]) -> None:
    out = govcloud("--lang", "en", *args)
    assert out.exit_code == 0, out.stderr
    chinese = {w.zh for t in ("zone", "server_status", "volume_status", "fip_status")
               for w in v.TABLES[t].values()}  # fmt: skip
    assert not (chinese & tokens(out.stdout))


def test_ram_in_gib_in_tables_and_mib_in_machine_formats(estate: Path) -> None:
    rows = govcloud("-o", "json", "quota", "show", "--tenant", "wjw", "--resource", "ram").json()
    assert {r["unit"] for r in rows} == {"MiB"}
    mib = rows[0]["approved"]
    table = govcloud("quota", "show", "--tenant", "wjw", "--resource", "ram")
    assert "MiB" not in table.stdout
    assert "GiB" in table.stdout
    assert f"{mib // 1024:,}" in tokens(table.stdout)
