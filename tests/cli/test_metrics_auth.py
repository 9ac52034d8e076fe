"""`metrics collect` against real agents that demand mutual TLS or basic auth."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import pytest

from tests.agent import certs
from tests.agent.conftest import run_agent
from tests.cli.runner import govcloud
from tests.cli.test_metrics import targets_file


@pytest.fixture
def store(db: Path) -> Path:
    assert govcloud("init").exit_code == 0
    return db


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    paths = certs.write_pki(tmp_path_factory.mktemp("pki"), "localhost", "govcloud")
    return {name: str(path) for name, path in paths.items()}


def _agent(tmp_path: Path, pki: dict[str, str], *, mtls: bool, users: bool) -> Iterator[str]:
    tls: dict[str, str] = {"cert_file": pki["server.crt"], "key_file": pki["server.key"]}
    if mtls:
        tls |= {"client_ca_file": pki["ca.crt"], "client_auth_type": "RequireAndVerifyClientCert"}
    config: dict[str, object] = {"tls_server_config": tls}
    if users:
        hashed = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=4)).decode()
        config["basic_auth_users"] = {"govcloud": hashed}
    path = tmp_path / "web.json"
    path.write_text(json.dumps(config))
    with run_agent("--web.config.file", str(path)) as agent:
        yield agent.url.replace("127.0.0.1", "localhost")


@pytest.fixture
def mtls_agent(tmp_path: Path, pki: dict[str, str]) -> Iterator[str]:
    yield from _agent(tmp_path, pki, mtls=True, users=False)


@pytest.fixture
def auth_agent(tmp_path: Path, pki: dict[str, str]) -> Iterator[str]:
    yield from _agent(tmp_path, pki, mtls=False, users=True)


def _collect(tmp_path: Path, url: str, *flags: str) -> list[dict[str, object]]:
    out = govcloud(
        "-o", "json", "metrics", "collect", "--targets", targets_file(tmp_path, url), *flags
    )
    rows: list[dict[str, object]] = out.json()
    return rows


def test_mutual_tls_needs_our_client_certificate(
    store: Path,
    tmp_path: Path,
    pki: dict[str, str],
    mtls_agent: str,
) -> None:
    ok = _collect(tmp_path, mtls_agent, "--ca-file", pki["ca.crt"],
                  "--cert-file", pki["client.crt"], "--key-file", pki["client.key"])  # fmt: skip
    assert ok[0]["status"] == "ok"
    rogue = _collect(tmp_path, mtls_agent, "--ca-file", pki["ca.crt"],
                     "--cert-file", pki["rogue.crt"], "--key-file", pki["rogue.key"])  # fmt: skip
    assert rogue[0]["status"] == "error"
    untrusted = _collect(tmp_path, mtls_agent)  # the system store does not know the fleet CA
    assert "TLS" in str(untrusted[0]["error"])


def test_basic_auth_with_a_password_file(
    store: Path,
    tmp_path: Path,
    pki: dict[str, str],
    auth_agent: str,
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    user = ("--ca-file", pki["ca.crt"], "--basic-auth-user", "govcloud")
    ok = _collect(tmp_path, auth_agent, *user, "--basic-auth-password-file", str(secret))
    assert ok[0]["status"] == "ok"
    secret.write_text("wrong\n")
    denied = _collect(tmp_path, auth_agent, *user, "--basic-auth-password-file", str(secret))
    assert denied[0]["error"] == "HTTP 401 Unauthorized"


def test_credentials_never_go_over_plain_http(store: Path, tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret")
    flags = ("--basic-auth-user", "u", "--basic-auth-password-file", str(secret))
    rows = _collect(tmp_path, "http://127.0.0.1:9/metrics", *flags)
    assert "https only" in str(rows[0]["error"])


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--cert-file", "/nonexistent.crt"), "cannot use the scrape TLS files"),
        (("--key-file", "k.pem"), "--key-file needs --cert-file"),
        (("--basic-auth-user", "u"), "needs --basic-auth-password-file"),
    ],
)
def test_bad_auth_options_are_usage_errors(
    store: Path,
    tmp_path: Path,
    flags: tuple[str, ...],
    message: str,
) -> None:
    out = govcloud("metrics", "collect", "--targets", targets_file(tmp_path, "http://h/"), *flags)
    assert out.exit_code == 2
    assert message in out.stderr
