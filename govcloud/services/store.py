"""Opening the store for a command, and running a mutating step with its audit record."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection

from govcloud.adapters.store.engine import Store, open_store, resolve_url
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
    event: str | None = None,
) -> T:
    """Run CHANGE and append its audit record in the same transaction: both land or neither."""
    from govcloud.services import trail

    with store.write() as conn:
        result, before, after = change(conn)
        sealed = trail.append(
            conn,
            settings,
            trail.stamp(
                settings,
                event=event or object_type,
                object_type=object_type,
                object_id=object_id,
                before=before,
                after=after,
                ticket=ticket,
            ),
        )
    trail.anchor(store, settings, sealed)
    return result
