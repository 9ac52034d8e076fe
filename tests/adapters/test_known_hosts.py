"""The managed known_hosts: OpenSSH's format as ssh-keygen writes it (hashed names, markers,
`[host]:port`), and the verification rules paramiko's parser would skip."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest

from govcloud.adapters.ssh import known_hosts as kh

KEYGEN = shutil.which("ssh-keygen")
needs_keygen = pytest.mark.skipif(KEYGEN is None, reason="ssh-keygen not installed")
A = base64.b64decode("AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
B = base64.b64decode("AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")


def line(host: str, blob: bytes, marker: str = "") -> str:
    head = f"{marker} " if marker else ""
    return f"{head}{host} ssh-ed25519 {base64.b64encode(blob).decode()}"


def _keygen(path: Path) -> str:
    assert KEYGEN
    subprocess.run([KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return " ".join(path.with_suffix(".pub").read_text().split()[:2])


@needs_keygen
def test_fingerprint_and_hashing_agree_with_ssh_keygen(tmp_path: Path) -> None:
    assert KEYGEN
    pub = _keygen(tmp_path / "k")
    printed = subprocess.run(
        [KEYGEN, "-l", "-E", "sha256", "-f", str(tmp_path / "k.pub")],
        check=True, capture_output=True, text=True,
    ).stdout.split()[1]  # fmt: skip
    assert kh.fingerprint(base64.b64decode(pub.split()[1])) == printed
    hosts = tmp_path / "known_hosts"
    hosts.write_text(f"[10.0.0.5]:2222 {pub}\nplain.example {pub}\n")
    subprocess.run([KEYGEN, "-q", "-H", "-f", str(hosts)], check=True, capture_output=True)
    entries = kh.parse(hosts.read_text())
    assert all(e.hosts.startswith("|1|") for e in entries)
    assert [kh.host_matches(e.hosts, "[10.0.0.5]:2222") for e in entries] == [True, False]
    assert not kh.host_matches(entries[0].hosts, "10.0.0.5")  # the port is part of the name
    ours = kh.hashed_host("[10.0.0.5]:2222")
    assert kh.host_matches(ours, "[10.0.0.5]:2222")
    assert not kh.host_matches(ours, "10.0.0.5")


def test_patterns_are_openssh_globs_not_fnmatch() -> None:
    assert kh.host_id("10.0.0.1", 22) == "10.0.0.1"
    assert kh.host_id("10.0.0.1", 2222) == "[10.0.0.1]:2222"
    assert kh.host_matches("[10.0.0.1]:2222", "[10.0.0.1]:2222")
    assert not kh.host_matches("[10.0.0.1]:2222", "1")  # brackets are literal
    assert kh.host_matches("10.0.0.*,!10.0.0.9", "10.0.0.8")
    assert not kh.host_matches("10.0.0.*,!10.0.0.9", "10.0.0.9")  # negation wins
    assert kh.host_matches("db?.Example.org", "DB1.example.ORG")
    assert not kh.host_matches("|1|bad|", "x")


def test_parse_skips_what_openssh_skips() -> None:
    text = "\n".join(
        [
            "# comment",
            "",
            line("a", A),
            "a ssh-ed25519 not-base64!",
            "lonely-field",
            line("a", A, "@unknown-marker"),
            line("*", B, "@revoked"),
            line("*.corp", B, "@cert-authority"),
        ]
    )
    entries = kh.parse(text)
    assert [(e.marker, e.hosts, e.line) for e in entries] == [
        (None, "a", 3),
        ("@revoked", "*", 7),
        ("@cert-authority", "*.corp", 8),
    ]


def test_verify_rules() -> None:
    entries = kh.parse(
        "\n".join([line("a,b", A), line("c", A), line("*.corp", B, "@cert-authority")])
    )
    kh.verify(entries, "a", "ssh-ed25519", A)  # trusted: returns
    with pytest.raises(kh.HostKeyRefused, match=r"^unknown host key SHA256:\S+ \(ssh-ed25519\)"):
        kh.verify(entries, "z", "ssh-ed25519", A)
    with pytest.raises(kh.HostKeyRefused) as changed:
        kh.verify(entries, "b", "ssh-ed25519", B)
    assert str(changed.value) == (
        f"host key changed (was {kh.fingerprint(A)}, now {kh.fingerprint(B)}): refused"
    )
    with pytest.raises(kh.HostKeyRefused, match="is a @cert-authority key, not a host key"):
        kh.verify(entries, "x.corp", "ssh-ed25519", B)
    with pytest.raises(kh.HostKeyRefused, match=r"ssh-ed25519 is not a certificate: refused"):
        kh.verify(entries, "x.corp", "ssh-ed25519-cert-v01@openssh.com", B)
    revoked = [*entries, *kh.parse(line("*", A, "@revoked"))]
    with pytest.raises(kh.HostKeyRefused, match="is marked @revoked: refused"):
        kh.verify(revoked, "a", "ssh-ed25519", A)
    assert kh.trusted_keys(revoked, "a") == []  # never handed to paramiko


def test_add_writes_a_private_hashed_file(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "known_hosts"
    kh.add(path, "[10.0.0.1]:2222", "ssh-ed25519", A)
    kh.add_lines(path, kh.parse(line("*", B, "@revoked")) * 2)  # duplicates written once
    assert path.stat().st_mode & 0o777 == 0o600
    entries = kh.load(path)
    assert [e.marker for e in entries] == [None, "@revoked"]
    assert entries[0].hosts.startswith("|1|")
    assert "10.0.0.1" not in path.read_text()
    kh.verify(entries, "[10.0.0.1]:2222", "ssh-ed25519", A)
    assert kh.load(tmp_path / "missing") == []
