"""Read-only volume views over the store: `volume list` and `volume show`.

A pool or department the operator names is resolved first (code or any name, any case), so a
typo is an error naming the closest match rather than an empty list.
"""

from __future__ import annotations

from collections.abc import Sequence

from govcloud.adapters.store import declared_repo, storage_repo
from govcloud.adapters.store.storage_repo import VolumeFilter, VolumeView
from govcloud.core import lookup
from govcloud.core.resource_listing import sort_rows
from govcloud.services.settings import Settings
from govcloud.services.store import opened


def volumes(
    settings: Settings,
    flt: VolumeFilter,
    sort: Sequence[str],
    descending: bool = False,
    limit: int | None = None,
) -> list[VolumeView]:
    with opened(settings) as store, store.read() as conn:
        pool = flt.pool and lookup.pool_code(declared_repo.read_pools(conn), flt.pool)
        department = flt.department and lookup.department_code(
            declared_repo.read_departments(conn), flt.department
        )
        rows = storage_repo.list_volumes(
            conn, VolumeFilter(pool, department, flt.volume_type, flt.status, flt.attached)
        )
    return sort_rows(rows, sort, descending, limit)


def volume(settings: Settings, ref: str) -> VolumeView:
    with opened(settings) as store, store.read() as conn:
        return storage_repo.get_volume(conn, ref)
