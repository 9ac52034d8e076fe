"""Throw-away CA, server and client certificates for the TLS tests."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KeyAndCert = tuple[ec.EllipticCurvePrivateKey, x509.Certificate]


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _builder(
    subject: str, issuer: str, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )


def make_ca(cn: str) -> KeyAndCert:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(cn, cn, key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_leaf(ca: KeyAndCert, cn: str, server: bool) -> KeyAndCert:
    key = ec.generate_private_key(ec.SECP256R1())
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = _builder(cn, ca[1].subject.rfc4514_string()[3:], key.public_key()).add_extension(
        x509.ExtendedKeyUsage([usage]), critical=False
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return key, builder.sign(ca[0], hashes.SHA256())


def write_pair(directory: Path, stem: str, pair: KeyAndCert) -> tuple[Path, Path]:
    key_path, cert_path = directory / f"{stem}.key", directory / f"{stem}.crt"
    key_path.write_bytes(
        pair[0].private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(pair[1].public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def write_pki(directory: Path, server_cn: str, client_cn: str) -> dict[str, Path]:
    """A CA with a server and a client leaf, plus a client signed by a rogue CA.

    Keys are `<stem>.key` / `<stem>.crt` for stems server, client, rogue and ca.
    """
    ca, rogue_ca = make_ca("test-ca"), make_ca("rogue-ca")
    out: dict[str, Path] = {}
    for stem, pair in {
        "server": make_leaf(ca, server_cn, server=True),
        "client": make_leaf(ca, client_cn, server=False),
        "rogue": make_leaf(rogue_ca, client_cn, server=False),
        "ca": ca,
    }.items():
        out[f"{stem}.key"], out[f"{stem}.crt"] = write_pair(directory, stem, pair)
    return out
