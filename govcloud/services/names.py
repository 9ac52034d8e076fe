"""Names from the store for shell completion (cli/completion.py): pools, departments,
business systems and servers beginning with what has been typed."""

from __future__ import annotations

from govcloud.adapters.store import names_repo
from govcloud.adapters.store.names_repo import Name
from govcloud.services.settings import Settings
from govcloud.services.store import opened

__all__ = ["Name", "names"]


def names(settings: Settings, kind: str, prefix: str, *, limit: int) -> list[Name]:
    with opened(settings) as store, store.read() as conn:
        return names_repo.names(conn, kind, prefix, limit)
