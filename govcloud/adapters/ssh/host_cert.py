"""OpenSSH host certificates (PROTOCOL.certkeys), checked the way `ssh` checks them.

paramiko negotiates a `*-cert-v01@openssh.com` host key and verifies that the server holds the
certificate's key, but it checks nothing of the certificate itself (`PKey.load_certificate`
keeps the blob and skips its fields). Everything else happens here: the blob is parsed, and
`check` requires a host certificate (type 2) signed by a CA the managed known_hosts lists under
`@cert-authority` for this host, neither that CA nor the key marked `@revoked`, a principal
equal to the host's name or address, `now` inside the validity window and no critical option
(none is defined for host certificates, so any is refused, as OpenSSH does).

Parsing and the checks are pure; the CA's signature is checked with paramiko's key classes.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import paramiko

CERT_SUFFIX = "-cert-v01@openssh.com"
HOST_CERT = 2  # SSH2_CERT_TYPE_HOST; 1 is a user certificate
FOREVER = 2**64 - 1
# the public key fields that follow the nonce, per plain key type (all length-prefixed)
KEY_FIELDS = {"ssh-rsa": 2, "ssh-dss": 4, "ssh-ed25519": 1}
ECDSA_PREFIX = "ecdsa-sha2-"
WEAK_SIGNATURES = {"ssh-rsa"}  # RSA with SHA-1: OpenSSH >= 8.2 refuses it from CAs


class CertRefused(Exception):
    """The certificate does not make the host trusted; the message says why (one line)."""

    def __init__(self, reason: str, *, revoked: bool = False) -> None:
        super().__init__(reason)
        self.revoked = revoked  # revocation refuses outright; other reasons allow a plain key


@dataclass(frozen=True)
class HostCert:
    cert_type_name: str  # e.g. "ssh-ed25519-cert-v01@openssh.com"
    key_type: str  # the certified key's plain type, e.g. "ssh-ed25519"
    key: bytes  # the certified key as a plain public key blob
    serial: int
    cert_type: int
    key_id: str
    principals: tuple[str, ...]
    valid_after: int
    valid_before: int
    critical_options: tuple[str, ...]
    extensions: tuple[str, ...]
    ca_key: bytes  # the signature key blob
    signature: bytes
    signed: bytes  # the blob up to the signature: what the CA signed


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise CertRefused("host certificate is truncated")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def u64(self) -> int:
        value: int = struct.unpack(">Q", self.take(8))[0]
        return value

    def string(self) -> bytes:
        return self.take(self.u32())

    def raw_string(self) -> bytes:
        """One length-prefixed field with its length, as it stands in a key blob."""
        start = self.pos
        self.string()
        return self.data[start : self.pos]

    def text(self) -> str:
        return self.string().decode("utf-8", "replace")

    def names(self) -> tuple[str, ...]:
        inner = _Reader(self.string())
        out = []
        while inner.pos < len(inner.data):
            out.append(inner.text())
        return tuple(out)

    def options(self) -> tuple[str, ...]:
        """Names of a critical-options or extensions list (name, data pairs)."""
        inner = _Reader(self.string())
        out = []
        while inner.pos < len(inner.data):
            out.append(inner.text())
            inner.string()
        return tuple(out)


def _ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def parse(blob: bytes) -> HostCert:
    """The fields of an OpenSSH certificate BLOB; CertRefused if it is not one."""
    r = _Reader(blob)
    name = r.text()
    if not name.endswith(CERT_SUFFIX):
        raise CertRefused(f"host key of type {name} is not a certificate")
    plain = name[: -len(CERT_SUFFIX)]
    count = 2 if plain.startswith(ECDSA_PREFIX) else KEY_FIELDS.get(plain)
    if count is None:
        raise CertRefused(f"host certificate of unsupported type {name}")
    r.string()  # nonce
    key = _ssh_string(plain.encode()) + b"".join(r.raw_string() for _ in range(count))
    serial, cert_type, key_id = r.u64(), r.u32(), r.text()
    principals = r.names()
    valid_after, valid_before = r.u64(), r.u64()
    critical, extensions = r.options(), r.options()
    r.string()  # reserved
    ca_key = r.string()
    signed = blob[: r.pos]
    signature = r.string()
    if r.pos != len(blob):
        raise CertRefused("host certificate has trailing data")
    return HostCert(
        name, plain, key, serial, cert_type, key_id, principals, valid_after, valid_before,
        critical, extensions, ca_key, signature, signed,
    )  # fmt: skip


def check(
    cert: HostCert,
    *,
    names: Sequence[str],
    cas: Collection[bytes],
    revoked: Collection[bytes],
    now: datetime,
) -> None:
    """Return when CERT makes a host known as NAMES (its address, its name) trusted, given the
    CA keys listed for it (CAS) and the revoked keys (REVOKED); else raise CertRefused."""
    ca = fingerprint_of(cert.ca_key)
    if cert.key in revoked:
        raise CertRefused("host certificate's key is marked @revoked", revoked=True)
    if cert.ca_key in revoked:
        raise CertRefused(f"host certificate's CA {ca} is marked @revoked", revoked=True)
    if cert.cert_type != HOST_CERT:
        raise CertRefused(f"certificate {cert.key_id!r} is not a host certificate")
    if cert.ca_key not in cas:
        raise CertRefused(f"host certificate signed by {ca}, not a @cert-authority for this host")
    if not signed_by(cert):
        raise CertRefused(f"host certificate {cert.key_id!r} has a bad signature by {ca}")
    stamp = int(now.timestamp())
    if stamp < cert.valid_after:
        raise CertRefused(
            f"host certificate {cert.key_id!r} is valid from {_when(cert.valid_after)}"
        )
    if stamp >= cert.valid_before:
        raise CertRefused(f"host certificate {cert.key_id!r} expired {_when(cert.valid_before)}")
    wanted = {n.lower() for n in names}
    if not wanted & {p.lower() for p in cert.principals}:
        listed = ", ".join(cert.principals) or "none"
        raise CertRefused(
            f"host certificate {cert.key_id!r} names {listed}, not {' or '.join(names)}"
        )
    if cert.critical_options:
        opts = ", ".join(cert.critical_options)
        raise CertRefused(f"host certificate {cert.key_id!r} has critical options ({opts})")


def signed_by(cert: HostCert) -> bool:
    """Whether the certificate's signature verifies with its own CA key (which `check` has
    already compared with the listed CAs). A CA that is itself a certificate is refused."""
    try:
        ca_type = _Reader(cert.ca_key).text()
        if ca_type.endswith(CERT_SUFFIX):
            return False
        sig_type = _Reader(cert.signature).text()
        if sig_type in WEAK_SIGNATURES:
            return False
        ca = paramiko.PKey.from_type_string(ca_type, cert.ca_key)
        return bool(ca.verify_ssh_sig(cert.signed, paramiko.Message(cert.signature)))
    except (CertRefused, paramiko.SSHException, ValueError, TypeError, struct.error):
        return False


def fingerprint_of(blob: bytes) -> str:
    """known_hosts.fingerprint, repeated here because known_hosts imports this module."""
    digest = hashlib.sha256(blob).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def _when(stamp: int) -> str:
    if stamp >= FOREVER:
        return "forever"
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
