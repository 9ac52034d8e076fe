"""Declared inventory: validate the YAML, load it into the store in one audited transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from govcloud.adapters.store import declared_repo
from govcloud.adapters.yaml_source import read_inventory_dir
from govcloud.core.declared import parse_inventory
from govcloud.core.models import Inventory
from govcloud.services.settings import Settings
from govcloud.services.store import audited_write, opened


@dataclass(frozen=True)
class InventoryStats:
    kind: str
    count: int
    added: int | None = None
    changed: int | None = None
    removed: int | None = None


def read_inventory(directory: Path) -> Inventory:
    return parse_inventory(read_inventory_dir(directory))


def validate(directory: Path) -> list[InventoryStats]:
    inv = read_inventory(directory)
    return [InventoryStats(kind, n) for kind, n in _counts(inv).items()]


def load(settings: Settings, directory: Path) -> list[InventoryStats]:
    """Validate everything first, then write everything at once: a bad file changes nothing."""
    inv = read_inventory(directory)
    counts = _counts(inv)

    def change(conn: Connection) -> tuple[declared_repo.LoadSummary, None, dict[str, Any]]:
        summary = declared_repo.load_inventory(conn, inv)
        return summary, None, {k: asdict(v) for k, v in summary.counts.items()}

    with opened(settings, create=True) as store:
        summary = audited_write(
            store, settings, object_type="inventory", object_id=str(directory), change=change
        )
    return [
        InventoryStats(kind, counts[kind], c.added, c.changed, c.removed)
        for kind, c in summary.counts.items()
    ]


def _counts(inv: Inventory) -> dict[str, int]:
    return {
        "pools": len(inv.pools),
        "departments": len(inv.departments),
        "projects": sum(len(d.projects) for d in inv.departments),
        "systems": len(inv.systems),
        "jump_hosts": len(inv.jump_hosts),
        "legacy_hosts": len(inv.legacy_hosts),
        "prices": len(inv.prices),
    }
