"""The known_hosts file govcloud manages: the only source of trusted SSH host keys.

OpenSSH's format, read and written here: plain and hashed (`|1|salt|hash`) host fields,
`[host]:port` for other ports than 22, patterns with `*` `?` and `!` negation, and the marker
lines `@revoked` and `@cert-authority`, which paramiko's own parser skips. Because paramiko
would ignore a revocation, verification happens here: a key listed `@revoked` is refused even
when a plain line also lists it, and a `@cert-authority` key is never taken for a host key
itself (a host that presents the CA's key is not trusted through that line).

The user's own `~/.ssh/known_hosts` is never read implicitly: `govcloud host trust
--from-known-hosts FILE` imports a host's lines from a file the operator names.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from govcloud.adapters.files import write_private
from govcloud.core.errors import UsageError

REVOKED = "@revoked"
CERT_AUTHORITY = "@cert-authority"
CERT_SUFFIX = "-cert-v01@openssh.com"
MAX_BYTES = 16 * 1024 * 1024


class HostKeyRefused(Exception):
    """The presented host key is not trusted; the message says why (one line, fingerprints)."""


@dataclass(frozen=True)
class Entry:
    marker: str | None  # None | "@revoked" | "@cert-authority"
    hosts: str  # the host field as written: "a,b,[c]:2222" or "|1|salt|hash"
    key_type: str
    key: bytes  # the public key blob (decoded base64)
    line: int  # 1-based, in the file it came from

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)

    def text(self) -> str:
        blob = base64.b64encode(self.key).decode()
        head = f"{self.marker} " if self.marker else ""
        return f"{head}{self.hosts} {self.key_type} {blob}"


def fingerprint(blob: bytes) -> str:
    """OpenSSH's SHA256 fingerprint: `SHA256:` and unpadded base64 of the blob's digest."""
    digest = hashlib.sha256(blob).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def host_id(address: str, port: int) -> str:
    """The name a known_hosts line matches: `address`, or `[address]:port` off port 22."""
    return address if port == 22 else f"[{address}]:{port}"


def hashed_host(name: str, salt: bytes | None = None) -> str:
    """NAME hashed the way `ssh-keygen -H` does: |1|base64(salt)|base64(HMAC-SHA1(salt, name))."""
    salt = salt if salt is not None else os.urandom(20)
    mac = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(mac).decode()}"


def host_matches(field: str, name: str) -> bool:
    """Whether a known_hosts host field covers NAME (`host` or `[host]:port`)."""
    if field.startswith("|1|"):
        parts = field.split("|")
        if len(parts) != 4:
            return False
        try:
            salt, want = base64.b64decode(parts[2]), base64.b64decode(parts[3])
        except (binascii.Error, ValueError):
            return False
        got = hmac.new(salt, name.encode(), hashlib.sha1).digest()
        return hmac.compare_digest(got, want)
    matched = False
    for pattern in field.split(","):
        negated = pattern.startswith("!")
        pat = pattern[1:] if negated else pattern
        if _glob(pat).fullmatch(name.lower()):
            if negated:
                return False  # a negated match wins over any positive one (OpenSSH)
            matched = True
    return matched


def _glob(pattern: str) -> re.Pattern[str]:
    """OpenSSH's host pattern: `*` and `?` are wildcards, everything else (the brackets of
    `[host]:port` included) is literal; case-insensitive."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.lower())
    return re.compile("".join(parts))


def parse(text: str, source: str = "known_hosts") -> list[Entry]:
    """Every well-formed line of TEXT; comments, blanks and malformed lines are skipped (as
    OpenSSH does), so one bad line never hides the others."""
    entries: list[Entry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split()
        if not fields or fields[0].startswith("#"):
            continue
        marker = None
        if fields[0].startswith("@"):
            marker = fields[0]
            if marker not in (REVOKED, CERT_AUTHORITY):
                continue
            fields = fields[1:]
        if len(fields) < 3:
            continue
        try:
            blob = base64.b64decode(fields[2], validate=True)
        except (binascii.Error, ValueError):
            continue
        entries.append(Entry(marker, fields[0], fields[1], blob, number))
    return entries


def load(path: Path) -> list[Entry]:
    """The entries of the managed file; none if it does not exist yet."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"{path}: known_hosts is larger than {MAX_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    return parse(text, str(path))


def for_host(entries: Iterable[Entry], name: str) -> list[Entry]:
    return [e for e in entries if host_matches(e.hosts, name)]


def trusted_keys(entries: Sequence[Entry], name: str) -> list[Entry]:
    """Plain entries for NAME whose key is not revoked: what paramiko may compare against."""
    revoked = {e.key for e in entries if e.marker == REVOKED and host_matches(e.hosts, name)}
    return [
        e
        for e in for_host(entries, name)
        if e.marker is None and e.key not in revoked and not e.key_type.endswith(CERT_SUFFIX)
    ]


def verify(entries: Sequence[Entry], name: str, key_type: str, blob: bytes) -> None:
    """Return when the key BLOB of KEY_TYPE presented by NAME is trusted; else raise
    HostKeyRefused saying why (revoked, changed with both fingerprints, or unknown)."""
    now = fingerprint(blob)
    mine = for_host(entries, name)
    if any(e.marker == REVOKED and e.key == blob for e in mine):
        raise HostKeyRefused(f"host key {now} is marked @revoked: refused")
    if key_type.endswith(CERT_SUFFIX):
        # paramiko's client negotiates plain host keys only; a certificate here is refused
        # rather than taken on trust without checking its signature against a listed CA
        cas = [e for e in mine if e.marker == CERT_AUTHORITY]
        why = "no @cert-authority line matches" if not cas else "certificates are not verified"
        raise HostKeyRefused(f"host certificate {now} ({why}): refused")
    plain = trusted_keys(entries, name)
    if any(e.key == blob for e in plain):
        return
    if any(e.marker == CERT_AUTHORITY and e.key == blob for e in mine):
        raise HostKeyRefused(f"host key {now} is a @cert-authority key, not a host key: refused")
    same_type = [e for e in plain if e.key_type == key_type] or plain
    if same_type:
        was = ", ".join(sorted({e.fingerprint for e in same_type}))
        raise HostKeyRefused(f"host key changed (was {was}, now {now}): refused")
    raise HostKeyRefused(f"unknown host key {now} ({key_type}): refused")


def add(path: Path, name: str, key_type: str, blob: bytes, *, hashed: bool = True) -> Entry:
    """Append a trusted key for NAME to the managed file (0600, atomic); returns the entry.
    Hashed by default, like `HashKnownHosts yes`: the file does not list the estate."""
    return add_lines(path, [Entry(None, hashed_host(name) if hashed else name, key_type, blob, 0)])[
        0
    ]


def add_lines(path: Path, new: Sequence[Entry]) -> list[Entry]:
    """Append NEW entries (skipping exact duplicates) to the managed file, atomically."""
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = b""
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    have = {e.text() for e in parse(old.decode("utf-8", "replace"))}
    lines = []
    for entry in new:
        if entry.text() not in have:
            have.add(entry.text())
            lines.append(entry.text())
    if old and not old.endswith(b"\n"):
        old += b"\n"
    path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    write_private(path, old + "".join(f"{line}\n" for line in lines).encode())
    return list(new)
