"""`govcloud migrate plan`: read the store once, plan in the core, optionally export the
workload list per wave (a file export: recorded in the audit trail like a report export).

The plan changes nothing in the store or the clouds, so it is not recorded itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from govcloud.adapters import files
from govcloud.adapters.store import audit_data_repo, host_repo
from govcloud.core.audit_data import UtilizationTable
from govcloud.core.errors import UsageError
from govcloud.core.host_facts import HostFacts
from govcloud.core.lookup import department_code, pool_code
from govcloud.core.migration_models import MigrationPlan
from govcloud.core.migration_plan import PlanInputs, PlanOptions, build_plan
from govcloud.core.migration_workloads import wave_workloads
from govcloud.services.settings import Settings
from govcloud.services.store import opened

# Legacy hosts' own load, where an agent on them reports under the host's name.
HOST_METRICS = ("cpu_pct", "cpu_pct_max", "mem_used_pct", "disk_read_bps", "disk_write_bps")


def build(
    settings: Settings, options: PlanOptions | None = None, *, now: datetime | None = None
) -> MigrationPlan:
    """The whole migration plan from the store (M6's report calls this). OPTIONS.pool and
    OPTIONS.tenant may be codes or names: they are resolved here (unknown: NotFoundError)."""
    chosen = options or PlanOptions()
    when = now or datetime.now(UTC)
    with opened(settings) as store, store.read() as conn:
        data = audit_data_repo.read_audit_data(conn, now=when, window_s=0, metrics=())
        hosts = tuple(host_repo.legacy_hosts(conn))
        facts = read_facts(conn)
        table = _host_utilization(conn, [h.name for h in hosts], when, chosen)
    chosen = dataclasses.replace(
        chosen,
        pool=pool_code(data.pools, chosen.pool) if chosen.pool else None,
        tenant=department_code(data.departments, chosen.tenant) if chosen.tenant else None,
    )
    return build_plan(PlanInputs(when, data, hosts, facts, table), chosen)


def read_facts(conn: Connection) -> dict[str, HostFacts]:
    """Discovered facts by host name (written by `host discover`); a host without any is
    planned as never discovered."""
    return host_repo.facts_by_host(conn)


def _host_utilization(
    conn: Connection, names: Sequence[str], now: datetime, options: PlanOptions
) -> UtilizationTable:
    keys = tuple(dict.fromkeys(n.lower() for n in names))
    window_s = options.rightsize.window_days * 86400
    return audit_data_repo.read_utilization(
        conn, keys, now=now, window_s=window_s, metrics=HOST_METRICS
    )


def export_workloads(settings: Settings, plan: MigrationPlan, out_dir: Path) -> list[Path]:
    """wave-01.json … into OUT_DIR (private files, atomic), then the export's audit record;
    if the record cannot be written the files do not stay."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is not a folder", hint="give a folder for --workloads-dir")
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    written: list[Path] = []
    try:
        for number, doc in wave_workloads(plan):
            path = out_dir / f"wave-{number:02d}.json"
            text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
            files.write_private(path, text.encode())
            written.append(path)
        _record_export(settings, out_dir, written, plan)
    except BaseException:
        for path in written:  # fail closed, as report export does
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return written


def _record_export(
    settings: Settings, out_dir: Path, written: Sequence[Path], plan: MigrationPlan
) -> None:
    from govcloud.services import trail

    after = {"folder": str(out_dir.resolve()), "files": [p.name for p in written],
             "hosts": len(plan.hosts), "waves": len(plan.waves)}  # fmt: skip
    with opened(settings) as store:
        record = trail.stamp(
            settings, event="migration.export", object_type="migration",
            object_id="workloads", after=after,
        )  # fmt: skip
        trail.record_event(store, settings, record)
