"""`govcloud demo`: the real path end to end on the built-in sandbox, no cloud needed.

Load the example estate, start the OpenStack-compatible sandbox seeded from it, sync it through
openstacksdk over HTTP exactly as a real cloud would be synced, then read pools and quotas back
from the store. The demo uses its own store (never the operator's) unless `--db` is given.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path

import govcloud
from govcloud.adapters.store.engine import default_db_path, describe, resolve_url
from govcloud.core.capacity import PoolSummary
from govcloud.core.errors import UsageError
from govcloud.core.quota_check import PoolQuotaCheck, QuotaView
from govcloud.services import inventory, quota, sync, views
from govcloud.services.inventory import InventoryStats
from govcloud.services.settings import Settings

TOP_QUOTAS = 15


@dataclass(frozen=True)
class DemoResult:
    store: str
    inventory_dir: str
    loaded: list[InventoryStats]
    sync: sync.SyncReport
    pools: list[PoolSummary]
    quota_check: list[PoolQuotaCheck]
    busiest_quotas: list[QuotaView]


def example_dir() -> Path:
    """The example estate beside the package (a clone or an editable install)."""
    return Path(govcloud.__file__).resolve().parents[1] / "inventory" / "example"


def demo_settings(settings: Settings) -> Settings:
    if settings.db:
        return settings
    return dataclasses.replace(settings, db=str(default_db_path().with_name("demo.db")))


def run(settings: Settings, inventory_dir: Path | None, size: int | None) -> DemoResult:
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
    )
