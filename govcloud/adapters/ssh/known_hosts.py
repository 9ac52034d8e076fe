"""The known_hosts file govcloud manages: the only source of trusted SSH host keys.

OpenSSH's format, read and written here: plain and hashed (`|1|salt|hash`) host fields,
`[host]:port` for other ports than 22, patterns with `*` `?` and `!` negation, and the marker
lines `@revoked` and `@cert-authority`, which paramiko's own parser skips. Because paramiko
would ignore both, verification happens here: a key listed `@revoked` is refused even when a
plain line also lists it; a host certificate is trusted when a `@cert-authority` line for the
host lists its CA and `host_cert.check` passes; a CA's key is never taken for a host key
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
from datetime import UTC, datetime
from pathlib import Path

from govcloud.adapters.files import write_private
from govcloud.adapters.ssh import host_cert
from govcloud.core.errors import UsageError

REVOKED = "@revoked"
CERT_AUTHORITY = "@cert-authority"
CERT_SUFFIX = host_cert.CERT_SUFFIX
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


def verify(
    entries: Sequence[Entry],
    name: str,
    key_type: str,
    blob: bytes,
    *,
    principals: Sequence[str] = (),
    now: datetime | None = None,
) -> None:
    """Return when the key BLOB of KEY_TYPE presented by NAME is trusted; else raise
    HostKeyRefused saying why (revoked, changed with both fingerprints, or unknown).

    A certificate (KEY_TYPE `*-cert-v01@openssh.com`, BLOB the whole certificate) is checked
    against the `@cert-authority` lines for NAME (host_cert.check; PRINCIPALS: the names it
    must carry, by default NAME's address). As in OpenSSH, a certificate that fails for
    another reason than revocation still leaves its key trusted if a plain line lists it."""
    presented = fingerprint(blob)
    mine = for_host(entries, name)
    if any(e.marker == REVOKED and e.key == blob for e in mine):
        raise HostKeyRefused(f"host key {presented} is marked @revoked: refused")
    if key_type.endswith(CERT_SUFFIX):
        _verify_cert(entries, name, blob, principals, now or datetime.now(UTC))
        return
    plain = trusted_keys(entries, name)
    if any(e.key == blob for e in plain):
        return
    if any(e.marker == CERT_AUTHORITY and e.key == blob for e in mine):
        raise HostKeyRefused(
            f"host key {presented} is a @cert-authority key, not a host key: refused"
        )
    same_type = [e for e in plain if e.key_type == key_type] or plain
    if same_type:
        was = ", ".join(sorted({e.fingerprint for e in same_type}))
        raise HostKeyRefused(f"host key changed (was {was}, now {presented}): refused")
    raise HostKeyRefused(f"unknown host key {presented} ({key_type}): refused")


def _verify_cert(
    entries: Sequence[Entry],
    name: str,
    blob: bytes,
    principals: Sequence[str],
    now: datetime,
) -> None:
    """Check the certificate BLOB against NAME's `@cert-authority` and `@revoked` lines."""
    mine = for_host(entries, name)
    try:
        cert = host_cert.parse(blob)
    except host_cert.CertRefused as exc:
        raise HostKeyRefused(f"{exc}: refused") from None
    try:
        host_cert.check(
            cert,
            names=principals or (address_of(name),),
            cas={e.key for e in mine if e.marker == CERT_AUTHORITY},
            revoked={e.key for e in mine if e.marker == REVOKED},
            now=now,
        )
        return
    except host_cert.CertRefused as exc:
        if exc.revoked:
            raise HostKeyRefused(f"{exc}: refused") from None
        reason = str(exc)
    try:
        verify(entries, name, cert.key_type, cert.key)  # OpenSSH's retry with the plain key
    except HostKeyRefused:
        raise HostKeyRefused(f"{reason}: refused") from None


def address_of(name: str) -> str:
    """The address in a host_id: `host` or `[host]:port` -> host."""
    if name.startswith("[") and "]:" in name:
        return name[1 : name.rindex("]:")]
    return name


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
