"""Read-only views over the store for `volume list|show` and `fip list`.

A pool or department the operator names is resolved first (code or any name, any case), so a
typo is an error naming the closest match rather than an empty list.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from govcloud.adapters.store import declared_repo, network_repo, storage_repo
from govcloud.adapters.store.network_repo import FipFilter, FipView
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
        pool, department = _owner(conn, flt.pool, flt.department)
        rows = storage_repo.list_volumes(
            conn, VolumeFilter(pool, department, flt.volume_type, flt.status, flt.attached)
        )
    return sort_rows(rows, sort, descending, limit)


def volume(settings: Settings, ref: str) -> VolumeView:
    with opened(settings) as store, store.read() as conn:
        return storage_repo.get_volume(conn, ref)


def floating_ips(
    settings: Settings,
    flt: FipFilter,
    sort: Sequence[str],
    descending: bool = False,
    limit: int | None = None,
) -> list[FipView]:
    with opened(settings) as store, store.read() as conn:
        pool, department = _owner(conn, flt.pool, flt.department)
        rows = network_repo.list_floating_ips(
            conn, FipFilter(pool, department, flt.status, flt.attached)
        )
    return sort_rows(rows, sort, descending, limit)


def _owner(
    conn: Connection, pool: str | None, department: str | None
) -> tuple[str | None, str | None]:
    """The pool and department codes the operator's names stand for (None: not filtered)."""
    code = pool and lookup.pool_code(declared_repo.read_pools(conn), pool)
    dept = department and lookup.department_code(declared_repo.read_departments(conn), department)
    return code, dept
