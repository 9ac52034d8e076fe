"""Listening sockets and established connections from `ss -tunap` or `netstat -tunap`.

Both print one socket per line: protocol, state, local and peer address:port, and (with -p) the
owning process *name* — never its arguments. Without root only the caller's own processes are
named; the others stay None. Old `ss` (CentOS 6) has no -H and prints `users:(("sshd",1234,3))`
instead of `pid=`; both forms are read. netstat shows argv[0], which daemons rewrite into a
status title (`sshd: /usr/sbin`); only the name before the `:` is kept. Loopback connections
stay on the host and are not dependencies between hosts, so they are not peers. Many
connections from one client differ only in the ephemeral port: they collapse to one peer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govcloud.core.host_facts import Listener, Peer
from govcloud.core.host_parse.text import decode, to_int

_SS_PROCESS = re.compile(r'users:\(\("([^"]*)"')
_PROTOCOLS = ("tcp", "udp", "tcp6", "udp6")
_STATES = ("LISTEN", "UNCONN", "ESTAB", "ESTABLISHED")
# Service names from an ss/netstat run without -n (fixtures, hand-run outputs).
_SERVICE_PORTS = {
    "ssh": 22, "smtp": 25, "domain": 53, "bootps": 67, "bootpc": 68, "http": 80,
    "sunrpc": 111, "ntp": 123, "https": 443, "mysql": 3306, "postgresql": 5432,
}  # fmt: skip


@dataclass(frozen=True)
class SocketRow:
    proto: str  # tcp | udp
    state: str  # LISTEN | UNCONN | ESTAB | …
    local_address: str
    local_port: int
    peer_address: str
    peer_port: int | None  # None: `*`
    process: str | None


def split_endpoint(text: str) -> tuple[str, int | None] | None:
    """`[::1]:22`, `127.0.0.53%lo:53`, `*:*`, `::ffff:10.1.2.3:80` -> (address, port)."""
    address, sep, port_text = text.rpartition(":")
    if not sep or not address:
        return None
    address = address.strip("[]").split("%", 1)[0]
    if address.startswith("::ffff:") and address.count(".") == 3:
        address = address[len("::ffff:") :]  # IPv4 client seen on an IPv6 socket
    if address == "*":
        address = "0.0.0.0"  # noqa: S104 - ss prints * for the IPv4 wildcard
    if port_text == "*":
        return address, None
    port = to_int(port_text)
    if port is None:
        port = _SERVICE_PORTS.get(port_text)
        if port is None:
            return None
    return address, port


def _row(proto: str, state: str, local: str, peer: str, process: str | None) -> SocketRow | None:
    local_end, peer_end = split_endpoint(local), split_endpoint(peer)
    if local_end is None or peer_end is None or local_end[1] is None:
        return None
    return SocketRow(
        proto=proto.rstrip("6"),
        state=state,
        local_address=local_end[0],
        local_port=local_end[1],
        peer_address=peer_end[0],
        peer_port=peer_end[1],
        process=process,
    )


def parse_ss(raw: bytes) -> tuple[list[SocketRow], list[str]]:
    rows: list[SocketRow] = []
    notes: list[str] = []
    for line in decode(raw).splitlines():
        tokens = line.split()
        if not tokens or tokens[0] == "Netid" or tokens[0] == "State":
            continue
        if tokens[0] in _PROTOCOLS:
            proto, rest = tokens[0], tokens[1:]
        elif tokens[0].isupper():  # a single protocol asked for: no Netid column
            proto, rest = "tcp", tokens
        else:
            continue  # unix, netlink, raw …: not asked for by -tu, present in `ss -a`
        if len(rest) < 5:
            notes.append(f"ss: skipped a line it could not read: {line[:60]!r}")
            continue
        match = _SS_PROCESS.search(line)
        row = _row(proto, rest[0], rest[3], rest[4], match.group(1) if match else None)
        if row is None:
            notes.append(f"ss: skipped a line it could not read: {line[:60]!r}")
            continue
        rows.append(row)
    return rows, notes


def parse_netstat(raw: bytes) -> tuple[list[SocketRow], list[str]]:
    rows: list[SocketRow] = []
    notes: list[str] = []
    for line in decode(raw).splitlines():
        tokens = line.split()
        if not tokens or tokens[0] not in _PROTOCOLS:
            continue
        if len(tokens) < 6:
            notes.append(f"netstat: skipped a line it could not read: {line[:60]!r}")
            continue
        has_state = len(tokens) >= 7 and tokens[5].isupper() and "/" not in tokens[5]
        state = tokens[5] if has_state else "UNCONN"
        owner = " ".join(tokens[6:] if has_state else tokens[5:])
        process = _program_name(owner.split("/", 1)[1]) if "/" in owner else None
        row = _row(tokens[0], state, tokens[3], tokens[4], process or None)
        if row is None:
            notes.append(f"netstat: skipped a line it could not read: {line[:60]!r}")
            continue
        rows.append(row)
    return rows, notes


def _program_name(program: str) -> str:
    """netstat prints the start of the command line, which daemons rewrite into a status title
    (`sshd: /usr/sbin`, `pgpool: watchd`, `postgres: checkpointer`): the name is before the `:`."""
    return program.split(":", 1)[0].strip()


def listeners(rows: list[SocketRow]) -> list[Listener]:
    """TCP in LISTEN, UDP bound with no peer; one per (proto, address, port)."""
    seen: dict[tuple[str, str, int], Listener] = {}
    for row in rows:
        listening = row.state == "LISTEN" or (row.proto == "udp" and row.peer_port is None)
        if not listening or row.state not in _STATES:
            continue
        proto = row.proto + ("6" if ":" in row.local_address else "")
        key = (proto, row.local_address, row.local_port)
        if key not in seen or (seen[key].process is None and row.process):
            seen[key] = Listener(proto, row.local_address, row.local_port, row.process)
    return list(seen.values())


def peers(rows: list[SocketRow], listening_ports: set[int]) -> list[Peer]:
    """Established TCP connections to or from another host, one per client/server pair."""
    seen: dict[tuple[object, ...], Peer] = {}
    for row in rows:
        if row.proto != "tcp" or row.state not in ("ESTAB", "ESTABLISHED"):
            continue
        if row.peer_port is None or _is_loopback(row.peer_address):
            continue
        inbound = row.local_port in listening_ports
        if inbound:  # clients differ by their ephemeral port: one peer per client address
            key: tuple[object, ...] = (True, row.local_port, row.peer_address, row.process)
        else:
            key = (False, row.peer_address, row.peer_port, row.process)
        seen.setdefault(
            key,
            Peer(
                local_address=row.local_address,
                local_port=row.local_port,
                remote_address=row.peer_address,
                remote_port=row.peer_port,
                process=row.process,
                inbound=inbound,
            ),
        )
    return list(seen.values())


def _is_loopback(address: str) -> bool:
    return address.startswith("127.") or address == "::1"
