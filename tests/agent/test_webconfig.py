"""Web-config parsing and the basic-auth cache."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import bcrypt
import pytest

from agent.config_file import ConfigError
from agent.webconfig import BasicAuth, load_web_config, parse_web_config


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class CountingBcrypt:
    """bcrypt with a call counter, to prove the cache avoids repeated hashing."""

    def __init__(self) -> None:
        self.calls = 0

    def checkpw(self, password: bytes, hashed: bytes) -> bool:
        self.calls += 1
        return bool(bcrypt.checkpw(password, hashed))


@pytest.fixture
def auth() -> tuple[BasicAuth, CountingBcrypt]:
    hashed = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=4)).decode()
    checker = BasicAuth({"prometheus": hashed})
    counter = CountingBcrypt()
    checker._bcrypt = counter  # type: ignore[assignment]
    return checker, counter


def test_basic_auth_caches_verified_passwords(auth: tuple[BasicAuth, CountingBcrypt]) -> None:
    checker, counter = auth
    assert checker.check(basic("prometheus", "s3cret"))
    assert checker.check(basic("prometheus", "s3cret"))
    assert counter.calls == 1


def test_basic_auth_rejects_wrong_password_every_time(
    auth: tuple[BasicAuth, CountingBcrypt],
) -> None:
    checker, counter = auth
    assert checker.check(basic("prometheus", "s3cret"))
    assert not checker.check(basic("prometheus", "wrong"))
    assert not checker.check(basic("prometheus", "wrong"))
    assert counter.calls == 3  # failures are never cached
    assert not checker.check(basic("nobody", "s3cret"))
    assert not checker.check(None)
    assert not checker.check("Basic !!!notbase64")
    assert not checker.check("Bearer abc")


def test_2y_hashes_from_htpasswd_are_accepted() -> None:
    hashed = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode().replace("$2b$", "$2y$", 1)
    assert BasicAuth({"u": hashed}).check(basic("u", "pw"))


def test_missing_bcrypt_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bcrypt", None)
    with pytest.raises(ConfigError, match="bcrypt module"):
        BasicAuth({"u": "$2b$04$x"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tls_server_config": {"cert_file": "a"}}, "cert_file and key_file"),
        (
            {
                "tls_server_config": {
                    "cert_file": "a",
                    "key_file": "b",
                    "client_auth_type": "RequireAnyClientCert",
                }
            },
            "not supported",
        ),
        (
            {
                "tls_server_config": {
                    "cert_file": "a",
                    "key_file": "b",
                    "client_auth_type": "RequireAndVerifyClientCert",
                }
            },
            "client_ca_file",
        ),
        (
            {"tls_server_config": {"cert_file": "a", "key_file": "b", "cipher_suites": []}},
            "unsupported",
        ),
        ({"basic_auth_users": ["x"]}, "bcrypt hashes"),
        ({"tls_config": {}}, "unknown keys"),
    ],
)
def test_invalid_web_configs_are_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_web_config(data)


def test_relative_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    config = parse_web_config(
        {"tls_server_config": {"cert_file": "s.crt", "key_file": "/abs/s.key"}}, str(tmp_path)
    )
    assert config.tls is not None
    assert config.tls.cert_file == str(tmp_path / "s.crt")
    assert config.tls.key_file == "/abs/s.key"


def test_unreadable_tls_files_fail_at_load(tmp_path: Path) -> None:
    path = tmp_path / "web.json"
    path.write_text('{"tls_server_config": {"cert_file": "no.crt", "key_file": "no.key"}}')
    with pytest.raises(ConfigError, match="cannot load TLS files"):
        load_web_config(str(path))
