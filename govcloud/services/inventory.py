"""Declared inventory: validate the YAML, load it into the store in one audited transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from govcloud.adapters.store import declared_repo
from govcloud.adapters.yaml_source import read_inventory_dir
from govcloud.core.declared import parse_inventory
from govcloud.core.errors import StoreError, UsageError
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


def load(
    settings: Settings,
    directory: Path,
    *,
    prune: bool = False,
    confirm: Callable[[dict[str, int]], bool] | None = None,
) -> list[InventoryStats]:
    """Validate everything first, then write everything at once: a bad file changes nothing.

    A load that would remove anything (a department no longer declared takes its projects,
    approved quotas and systems with it) needs PRUNE or CONFIRM's yes; without either it is
    refused with the counts. The plan is re-derived inside the write: if the store changed
    between the question and the answer, nothing is written.
    """
    inv = read_inventory(directory)
    counts = _counts(inv)
    with opened(settings, create=True) as store:
        with store.read() as conn:
            planned = declared_repo.planned_removals(conn, inv)
        if any(planned.values()) and not prune and (confirm is None or not confirm(planned)):
            raise UsageError(
                f"loading {directory} would remove {removal_text(planned)}; nothing was loaded",
                hint="check the folder; add --prune to remove them (or answer yes on a terminal)",
            )

        def change(conn: Connection) -> tuple[declared_repo.LoadSummary, None, dict[str, Any]]:
            summary = declared_repo.load_inventory(conn, inv)
            if not prune and summary.removals != planned:
                raise StoreError(
                    "the store changed while the removals were being confirmed; nothing loaded",
                    hint="run the load again",
                )
            after = {k: asdict(v) for k, v in summary.counts.items()}
            return summary, None, {**after, "removed": summary.removals}

        summary = audited_write(
            store, settings, object_type="inventory", object_id=str(directory), change=change
        )
    return [
        InventoryStats(kind, counts[kind], c.added, c.changed, c.removed)
        for kind, c in summary.counts.items()
    ]


def removal_text(planned: dict[str, int]) -> str:
    """`88 departments, 534 projects, ...`: the kinds with something to remove."""
    parts = [f"{n:,} {kind.replace('_', ' ')}" for kind, n in planned.items() if n]
    return ", ".join(parts) or "nothing"


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
