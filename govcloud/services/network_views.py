"""Read-only floating IP views over the store: `fip list`.

Pool and department are resolved as for volumes: a typo names the closest match.
"""

from __future__ import annotations

from collections.abc import Sequence

from govcloud.adapters.store import declared_repo, network_repo
from govcloud.adapters.store.network_repo import FipFilter, FipView
from govcloud.core import lookup
from govcloud.core.resource_listing import sort_rows
from govcloud.services.settings import Settings
from govcloud.services.store import opened


def floating_ips(
    settings: Settings,
    flt: FipFilter,
    sort: Sequence[str],
    descending: bool = False,
    limit: int | None = None,
) -> list[FipView]:
    with opened(settings) as store, store.read() as conn:
        pool = flt.pool and lookup.pool_code(declared_repo.read_pools(conn), flt.pool)
        department = flt.department and lookup.department_code(
            declared_repo.read_departments(conn), flt.department
        )
        rows = network_repo.list_floating_ips(
            conn, FipFilter(pool, department, flt.status, flt.attached)
        )
    return sort_rows(rows, sort, descending, limit)
