"""Host certificates: real OpenSSH servers on 127.0.0.1 presenting a host key signed with
`ssh-keygen -s`, trusted through `@cert-authority` lines of the managed known_hosts only when
the CA is listed (and not revoked), the certificate names 127.0.0.1 and is valid now."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from govcloud.adapters.ssh import host_cert, known_hosts
from govcloud.adapters.ssh.client import SshError, open_session
from govcloud.adapters.ssh.session import SshTarget, Timeouts
from tests.services.sshd import SshServer, make_client_key, running_sshd, ssh_tools

pytestmark = pytest.mark.ssh
FAST = Timeouts(connect_s=5, banner_s=5, auth_s=5, command_s=10)
CERT = "ssh-ed25519-cert-v01@openssh.com"


@pytest.fixture(scope="module")
def tools() -> tuple[Path, Path]:
    return ssh_tools()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("certs")


def keygen(tools: tuple[Path, Path], *args: str) -> None:
    subprocess.run([str(tools[1]), "-q", *args], check=True, capture_output=True, timeout=60)


def new_key(tools: tuple[Path, Path], path: Path) -> str:
    """A new ed25519 key pair at PATH; its public line ("ssh-ed25519 AAAA…")."""
    keygen(tools, "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path))
    return " ".join(path.with_suffix(".pub").read_text().split()[:2])


def signed_host_key(
    tools: tuple[Path, Path], folder: Path, name: str, ca: Path, *, principal: str, validity: str
) -> Path:
    """A host key signed by CA as a host certificate (`<key>-cert.pub` beside it)."""
    key = folder / name
    new_key(tools, key)
    keygen(tools, "-s", str(ca), "-I", name, "-h", "-n", principal, "-V", validity, f"{key}.pub")
    return key


@pytest.fixture(scope="module")
def ca(tools: tuple[Path, Path], folder: Path) -> str:
    """The CA that signs the test servers' host keys: its public line."""
    return new_key(tools, folder / "ca")


@pytest.fixture(scope="module")
def client_key(tools: tuple[Path, Path], folder: Path) -> Path:
    return make_client_key(tools[1], folder)


def certified_server(
    tools: tuple[Path, Path], folder: Path, client_key: Path, name: str, **cert: str
) -> Iterator[SshServer]:
    key = signed_host_key(tools, folder, name, folder / "ca", **cert)
    config = [f"HostKey {key}", f"HostCertificate {key}-cert.pub"]
    # the generated host key is ECDSA: the certified ed25519 key is the server's only one
    with running_sshd(
        *tools, host_key_types=("ecdsa",), client_key=client_key, extra_config=config
    ) as s:
        yield s


@pytest.fixture(scope="module")
def server(
    tools: tuple[Path, Path], folder: Path, client_key: Path, ca: str
) -> Iterator[SshServer]:
    yield from certified_server(
        tools, folder, client_key, "valid", principal="127.0.0.1", validity="-5m:+1h"
    )


@pytest.fixture(scope="module")
def expired(
    tools: tuple[Path, Path], folder: Path, client_key: Path, ca: str
) -> Iterator[SshServer]:
    yield from certified_server(
        tools, folder, client_key, "expired", principal="127.0.0.1", validity="-2h:-1h"
    )


@pytest.fixture(scope="module")
def misnamed(
    tools: tuple[Path, Path], folder: Path, client_key: Path, ca: str
) -> Iterator[SshServer]:
    yield from certified_server(
        tools, folder, client_key, "misnamed", principal="db-01.example", validity="-5m:+1h"
    )


def target(s: SshServer) -> SshTarget:
    return SshTarget(f"h{s.port}", s.host, s.port, s.user, str(s.client_key_path), None)


def managed(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def refusal(s: SshServer, kh: Path) -> str:
    with pytest.raises(SshError) as err:
        open_session(target(s), kh, FAST).close()
    assert "\n" not in err.value.message
    return err.value.message


def test_certificate_from_a_listed_ca_is_accepted_without_a_plain_line(
    server: SshServer, ca: str, tmp_path: Path
) -> None:
    kh = managed(tmp_path / "kh", f"@cert-authority [127.0.0.1]:* {ca}")
    session = open_session(target(server), kh, FAST)
    try:
        assert session.run(["true"]).exit_status == 0
    finally:
        session.close()


def test_the_ca_line_must_match_the_host_and_port_form(
    server: SshServer, ca: str, tmp_path: Path
) -> None:
    # `127.0.0.1` covers port 22 only: this server is `[127.0.0.1]:port`, so the file says
    # nothing about it and it is not even contacted
    kh = managed(tmp_path / "kh", f"@cert-authority 127.0.0.1 {ca}")
    assert refusal(server, kh).endswith(
        f"no host key pinned for [127.0.0.1]:{server.port}: not contacted"
    )


def test_certificate_from_another_ca_is_refused(
    server: SshServer, tools: tuple[Path, Path], ca: str, tmp_path: Path
) -> None:
    other = new_key(tools, tmp_path / "other-ca")
    kh = managed(tmp_path / "kh", f"@cert-authority * {other}")
    ca_fp = known_hosts.fingerprint(base64.b64decode(ca.split()[1]))
    assert refusal(server, kh) == (
        f"host h{server.port}: host certificate signed by {ca_fp}, "
        "not a @cert-authority for this host: refused"
    )


def test_revoked_ca_is_refused_even_when_listed(server: SshServer, ca: str, tmp_path: Path) -> None:
    kh = managed(tmp_path / "kh", f"@cert-authority * {ca}", f"@revoked * {ca}")
    assert refusal(server, kh) == (
        f"host h{server.port}: host certificate's CA {_fp(ca)} is marked @revoked: refused"
    )


def test_expired_certificate_is_refused(expired: SshServer, ca: str, tmp_path: Path) -> None:
    kh = managed(tmp_path / "kh", f"@cert-authority * {ca}")
    message = refusal(expired, kh)
    assert message.startswith(f"host h{expired.port}: host certificate 'expired' expired 20")


def test_certificate_for_another_host_is_refused(
    misnamed: SshServer, ca: str, tmp_path: Path
) -> None:
    kh = managed(tmp_path / "kh", f"@cert-authority * {ca}")
    assert refusal(misnamed, kh) == (
        f"host h{misnamed.port}: host certificate 'misnamed' names db-01.example, "
        f"not 127.0.0.1 or h{misnamed.port}: refused"
    )


def test_a_failed_certificate_falls_back_to_a_listed_plain_key(
    expired: SshServer, folder: Path, ca: str, tmp_path: Path
) -> None:
    """OpenSSH's rule: a certificate that fails (not revoked) leaves its plain key to decide."""
    plain = " ".join((folder / "expired.pub").read_text().split()[:2])
    kh = managed(tmp_path / "kh", f"@cert-authority * {ca}", f"[127.0.0.1]:{expired.port} {plain}")
    open_session(target(expired), kh, FAST).close()


def test_parse_reads_what_ssh_keygen_wrote(folder: Path, server: SshServer, ca: str) -> None:
    kind, blob = (folder / "valid-cert.pub").read_text().split()[:2]
    cert = host_cert.parse(base64.b64decode(blob))
    assert (kind, cert.key_type, cert.cert_type, cert.key_id) == (CERT, "ssh-ed25519", 2, "valid")
    assert cert.principals == ("127.0.0.1",)
    assert cert.critical_options == ()
    assert cert.ca_key == base64.b64decode(ca.split()[1])
    assert cert.key == base64.b64decode((folder / "valid.pub").read_text().split()[1])
    assert cert.valid_before - cert.valid_after == 65 * 60
    assert host_cert.signed_by(cert)
    tampered = host_cert.parse(base64.b64decode(blob).replace(b"valid", b"vaLid"))
    assert not host_cert.signed_by(tampered)


def test_check_window_type_and_truncation(
    tools: tuple[Path, Path], folder: Path, server: SshServer, ca: str, tmp_path: Path
) -> None:
    blob = base64.b64decode((folder / "valid-cert.pub").read_text().split()[1])
    cert = host_cert.parse(blob)
    listed = {cert.ca_key}
    now = datetime.fromtimestamp(cert.valid_after, UTC)
    host_cert.check(cert, names=["127.0.0.1"], cas=listed, revoked=set(), now=now)
    early, late = now - timedelta(seconds=1), now + timedelta(hours=2)
    for when, words in ((early, "is valid from"), (late, "expired")):
        with pytest.raises(host_cert.CertRefused, match=words):
            host_cert.check(cert, names=["127.0.0.1"], cas=listed, revoked=set(), now=when)
    with pytest.raises(host_cert.CertRefused, match="key is marked @revoked") as err:
        host_cert.check(cert, names=["127.0.0.1"], cas=listed, revoked={cert.key}, now=now)
    assert err.value.revoked
    # a user certificate (no -h) from the same CA is not a host certificate
    user = tmp_path / "user"
    new_key(tools, user)
    keygen(tools, "-s", str(folder / "ca"), "-I", "u", "-n", "127.0.0.1", f"{user}.pub")
    user_blob = (tmp_path / "user-cert.pub").read_text().split()[1]
    user_cert = host_cert.parse(base64.b64decode(user_blob))
    with pytest.raises(host_cert.CertRefused, match="'u' is not a host certificate"):
        host_cert.check(user_cert, names=["127.0.0.1"], cas=listed, revoked=set(), now=now)
    with pytest.raises(host_cert.CertRefused, match="truncated"):
        host_cert.parse(blob[:-10])
    with pytest.raises(host_cert.CertRefused, match="not a certificate"):
        host_cert.parse(cert.key)


def _fp(line: str) -> str:
    return known_hosts.fingerprint(base64.b64decode(line.split()[1]))
