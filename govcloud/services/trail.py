"""Writing to the audit trail: the key, the record's who/where, appends and the head anchor.

Every record is stamped with the declared operator, the OS user, the source host, the command
line (secrets redacted) and the tool version, sealed with the HMAC key kept outside the store,
and appended in a transaction; after the commit the chain's head (seq, hash, hmac) is anchored
outside the store too, so a truncated tail is found by `govcloud log verify`.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from govcloud import __version__
from govcloud.adapters import audit_syslog, head_file
from govcloud.adapters.store import audit_repo
from govcloud.adapters.store.engine import Store
from govcloud.core.audit_format import severity, syslog_line
from govcloud.core.audit_trail import AuditRecord, Sealed, Signer, check_algorithm
from govcloud.core.audit_verify import OUTCOME
from govcloud.core.errors import GovcloudError, StoreError, UsageError
from govcloud.services.settings import Settings

KEY_BYTES = 32
SYSLOG_BACKLOG = 1000  # records sent at most per anchor (the head file says where the rest are)
log = logging.getLogger(__name__)


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


def read_key(settings: Settings) -> bytes | None:
    """The HMAC key for verifying, never created here; None if there is no key file."""
    path = settings.audit_key_path
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(
            f"cannot read the audit key {path}: {exc.strerror}",
            hint="run as the operator who owns the key (mode 0600), or set audit_key",
        ) from None
    if len(key) < KEY_BYTES:
        raise StoreError(
            f"audit key {path} is shorter than {KEY_BYTES} bytes",
            hint="restore the key from its backup",
        )
    return key


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
        command=settings.command or command_line(),
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
    try:
        with store.write() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot write the audit trail: {type(exc).__name__}",
            hint="fix the store, then run the command again (nothing was changed)",
        ) from None


def anchor(store: Store, settings: Settings, sealed: Sealed) -> None:
    """Record the chain's head outside the store after a commit: the head file (and, with
    audit_syslog, one syslog line per record appended since the last anchor on this host).
    The change is committed already, so a failure here is a warning, not an error."""
    try:
        previous = head_file.advance(settings.audit_head_dir, store.url, sealed)
    except GovcloudError as exc:
        log.warning("audit head not anchored: %s", exc.message)
        return
    if settings.audit_syslog and (previous is None or previous < sealed.seq):
        after = sealed.seq - 1 if previous is None else max(previous, sealed.seq - SYSLOG_BACKLOG)
        try:
            with store.read() as conn:
                rows = audit_repo.rows_after(conn, after, sealed.seq)
            lines = [(severity(r[OUTCOME]), syslog_line(r, with_pri=False)) for r in rows]
        except (GovcloudError, SQLAlchemyError):
            log.warning("audit records after %d not sent to syslog: store not readable", after)
            return
        audit_syslog.send(lines)


def source_host() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return ""


def command_line(argv: list[str] | None = None) -> str:
    """The command as typed, without secrets: values of secret options and URL passwords are
    masked (the record must say what was run, never with what password)."""
    args = [_printable(a) for a in (sys.argv[1:] if argv is None else argv)]
    return " ".join(["govcloud", *redact(args)])[:2000]


def _printable(arg: str) -> str:
    """Bytes the locale could not decode (surrogate escapes) shown as U+FFFD: the record must
    be valid UTF-8 for the store, the export and a SIEM."""
    return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


SECRET_OPTIONS = frozenset(
    {"--password", "--os-password", "--token", "--os-token", "--secret", "--key", "--passphrase"}
)
_SECRET_SUFFIXES = ("password", "secret", "token", "passphrase")
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*):[^/\s]*@")
MASK = "***"


def _is_secret_option(arg: str) -> bool:
    return arg.startswith("--") and (arg in SECRET_OPTIONS or arg.endswith(_SECRET_SUFFIXES))


def redact(args: list[str]) -> list[str]:
    out: list[str] = []
    masking = False
    for arg in args:
        if masking:
            out.append(MASK)
            masking = False
            continue
        name, eq, _ = arg.partition("=")
        if eq and _is_secret_option(name):
            out.append(f"{name}={MASK}")
            continue
        masking = _is_secret_option(arg)
        out.append(_URL_PASSWORD.sub(rf"\g<head>:{MASK}@", arg))
    return out


def require_ticket(settings: Settings, ticket: str | None) -> None:
    if settings.require_ticket and not (ticket or "").strip():
        raise UsageError(
            "a change ticket is required (require_ticket: true)",
            hint="pass --ticket ID of the approved change request",
        )
