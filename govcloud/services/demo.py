"""`govcloud demo`: the real path end to end on the built-in sandbox, no cloud needed.

Load the example estate, start the OpenStack-compatible sandbox seeded from it, sync it through
openstacksdk over HTTP exactly as a real cloud would be synced, then (unless told not to) give
every VM a simulated 30-day utilization history shaped like real VM traces and run the monthly
audit playbook: checks, rightsizing, reports in a folder, and the headline numbers. The demo
uses its own store (never the operator's) unless `--db` is given.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import govcloud
from govcloud.adapters.store import declared_repo
from govcloud.adapters.store.engine import default_db_path, describe, resolve_url, sqlite_path
from govcloud.core.capacity import PoolSummary
from govcloud.core.errors import UsageError
from govcloud.core.quota_check import PoolQuotaCheck, QuotaView
from govcloud.core.reclaim_summary import UNDECLARED, ReclaimRow, by_department, by_pool
from govcloud.services import demo_history, inventory, playbook, quota, sync, views
from govcloud.services.demo_history import HistoryStats
from govcloud.services.inventory import InventoryStats
from govcloud.services.playbook import PlaybookResult
from govcloud.services.settings import Settings
from govcloud.services.store import opened

TOP_QUOTAS = 15
TOP_DEPARTMENTS = 10
HISTORY_DAYS = 30
AUDIT_PLAYBOOK = "monthly-utilization-audit.yaml"
SKIPPED_STEPS = ("sync", "collect")  # synced just before; the simulated history stands in


@dataclass(frozen=True)
class DemoAudit:
    history: HistoryStats
    playbook: PlaybookResult
    reports_dir: str
    reclaim_by_pool: list[ReclaimRow]
    top_departments: list[ReclaimRow]


@dataclass(frozen=True)
class DemoResult:
    store: str
    inventory_dir: str
    loaded: list[InventoryStats]
    sync: sync.SyncReport
    pools: list[PoolSummary]
    quota_check: list[PoolQuotaCheck]
    busiest_quotas: list[QuotaView]
    audit: DemoAudit | None = None


def repo_dir() -> Path:
    """The checkout beside the package (a clone or an editable install)."""
    return Path(govcloud.__file__).resolve().parents[1]


def example_dir() -> Path:
    return repo_dir() / "inventory" / "example"


def demo_settings(settings: Settings) -> Settings:
    if settings.db:
        return settings
    return dataclasses.replace(settings, db=str(default_db_path().with_name("demo.db")))


def default_reports_dir(settings: Settings) -> Path:
    """Beside the demo's SQLite store; under the XDG data dir for a server database."""
    path = sqlite_path(resolve_url(settings.db))
    return (path.parent if path else default_db_path().parent) / "demo-reports"


def run(
    settings: Settings,
    inventory_dir: Path | None,
    size: int | None,
    *,
    lang: str,
    audit: bool = True,
    reports_dir: Path | None = None,
) -> DemoResult:
    """The whole pipeline on the sandbox; LANG is the language of the audit's reports and of
    the names in its summary."""
    from govcloud.sandbox import Sandbox

    source = inventory_dir or example_dir()
    if not source.exists():
        raise UsageError(
            f"no example estate at {source}",
            hint="run from a clone of the repository, or pass --inventory DIR",
        )
    settings = demo_settings(settings)
    loaded = inventory.load(settings, source)
    inv = inventory.read_inventory(source)
    with (
        tempfile.TemporaryDirectory(prefix="govcloud-demo-") as tmp,
        Sandbox.start(inv, size=size) as sandbox,
    ):
        clouds_yaml = sandbox.write_clouds_yaml(Path(tmp) / "clouds.yaml")
        report = sync.run(settings, sync.SyncOptions(clouds_yaml=str(clouds_yaml)))
    quotas = [q for q in quota.show(settings, None, None, "cores") if q.used_pct is not None]
    quotas.sort(key=lambda q: q.used_pct or 0.0, reverse=True)
    return DemoResult(
        store=describe(resolve_url(settings.db)),
        inventory_dir=str(source),
        loaded=loaded,
        sync=report,
        pools=views.pool_summaries(settings),
        quota_check=quota.check(settings),
        busiest_quotas=quotas[:TOP_QUOTAS],
        audit=run_audit(settings, reports_dir or default_reports_dir(settings), lang)
        if audit
        else None,
    )


def run_audit(settings: Settings, reports_dir: Path, lang: str) -> DemoAudit:
    """Simulated history, then the monthly audit playbook as a scheduler would run it."""
    book = repo_dir() / "playbooks" / AUDIT_PLAYBOOK
    if not book.is_file():
        raise UsageError(f"no playbook at {book}", hint="run from a clone of the repository")
    now = datetime.now(UTC)
    with opened(settings) as store:
        history = demo_history.write_history(store, days=HISTORY_DAYS, now=now)
        demo_history.write_usage_history(store, days=HISTORY_DAYS)
        with store.read() as conn:
            prices = declared_repo.read_prices(conn)
            pools = {p.code: p.name_zh if lang == "zh" else p.name_en
                     for p in declared_repo.read_pools(conn)}  # fmt: skip
            depts = {d.code: d.short_zh if lang == "zh" else d.name_en
                     for d in declared_repo.read_departments(conn)}  # fmt: skip
            depts[UNDECLARED] = "(未登记项目)" if lang == "zh" else "(undeclared projects)"
    result = playbook.run_playbook(
        settings, book, lang=lang, now=now, skip=SKIPPED_STEPS, base_dir=reports_dir
    )
    findings = result.audit.findings if result.audit else []
    day = now.date()
    written = sorted({str(p.parent) for p in result.reports})
    return DemoAudit(
        history=history,
        playbook=result,
        reports_dir=written[0] if len(written) == 1 else str(reports_dir),
        reclaim_by_pool=by_pool(findings, prices, day, pools),
        top_departments=by_department(findings, prices, day, depts)[:TOP_DEPARTMENTS],
    )
