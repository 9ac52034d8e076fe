"""Sending audit lines to the local syslog (a second anchor of the chain, outside the store).

A host without a syslog socket, or one that refuses the line, is a warning: the record is in
the store and the head file already.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from collections.abc import Sequence

SOCKET = "/dev/log"
WARNING = 4
log = logging.getLogger(__name__)


class _Line(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


class _Handler(logging.handlers.SysLogHandler):
    """Counts a refused line instead of printing a traceback to stderr."""

    failed = 0

    def handleError(self, record: logging.LogRecord) -> None:
        self.failed += 1


def send(lines: Sequence[tuple[int, str]], *, address: str = SOCKET) -> bool:
    """Send LINES, each (syslog severity, RFC 5424 line without the PRI, which the handler
    adds from the severity); False if not delivered."""
    if not lines:
        return True
    if not os.path.exists(address):
        log.warning(
            "audit_syslog: no syslog socket at %s; %d line(s) not sent", address, len(lines)
        )
        return False
    try:
        handler = _Handler(address=address, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV)
    except OSError as exc:
        log.warning("audit_syslog: cannot reach syslog at %s: %s", address, exc.strerror)
        return False
    handler.setFormatter(_Line())
    handler.append_nul = False
    try:
        for severity, line in lines:
            level = logging.WARNING if severity <= WARNING else logging.INFO
            handler.handle(logging.LogRecord("govcloud.audit", level, "", 0, line, None, None))
    finally:
        handler.close()
    if handler.failed:
        log.warning("audit_syslog: syslog at %s refused %d line(s)", address, handler.failed)
    return not handler.failed
