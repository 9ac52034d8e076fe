"""Opening the store for a command, and running a mutating step with its audit record."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from govcloud.adapters.store import audit_repo
from govcloud.adapters.store.engine import Store, open_store, resolve_url
from govcloud.core.audit_trail import AuditRecord
from govcloud.services.settings import Settings

T = TypeVar("T")


@contextmanager
def opened(settings: Settings, *, create: bool = False) -> Iterator[Store]:
    store = open_store(resolve_url(settings.db), create=create)
    try:
        yield store
    finally:
        store.close()


def audited_write(
    store: Store,
    settings: Settings,
    *,
    object_type: str,
    object_id: str,
    change: Callable[[Connection], tuple[T, dict[str, Any] | None, dict[str, Any] | None]],
    ticket: str | None = None,
) -> T:
    """Run CHANGE and append its audit record in the same transaction: both land or neither."""
    with store.write() as conn:
        result, before, after = change(conn)
        audit_repo.append(
            conn,
            AuditRecord(
                ts=datetime.now(UTC),
                operator=settings.operator,
                os_user=settings.os_user,
                command=command_line(),
                object_type=object_type,
                object_id=object_id,
                before=before,
                after=after,
                outcome="ok",
                ticket=ticket,
            ),
        )
    return result


def command_line() -> str:
    return " ".join(["govcloud", *sys.argv[1:]])[:2000]
