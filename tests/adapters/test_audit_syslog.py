"""The audit syslog line reaches a real Unix datagram socket, as /dev/log is."""

from __future__ import annotations

import socket
from pathlib import Path

from govcloud.adapters import audit_syslog


def test_lines_reach_the_socket_with_the_authpriv_facility(tmp_path: Path) -> None:
    path = str(tmp_path / "log.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        server.settimeout(5)
        sent = audit_syslog.send(
            [(6, "1 2026-12-01T00:00:00Z host govcloud - audit [gc@1 seq=\"7\"] quota.apply ok"),
             (4, "1 2026-12-01T00:00:01Z host govcloud - audit [gc@1 seq=\"8\"] denied")],
            address=path,
        )  # fmt: skip
        first, second = server.recv(4096).decode(), server.recv(4096).decode()
    assert sent is True
    # PRI = facility authpriv (10) * 8 + severity: info (6) for ok, warning (4) for a denial
    assert first.startswith("<86>1 2026-12-01T00:00:00Z host govcloud")
    assert 'seq="7"' in first
    assert second.startswith("<84>1 ")
    assert second.endswith("denied")


def test_a_missing_socket_is_reported_not_raised(tmp_path: Path) -> None:
    assert audit_syslog.send([(6, "x")], address=str(tmp_path / "none.sock")) is False
