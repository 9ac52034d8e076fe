"""node_exporter's web-config file: TLS / mutual TLS and bcrypt basic auth.

Only the subset with a safe Python equivalent is accepted; anything else is an error rather than
silently ignored, because a dropped ``client_auth_type`` would quietly disable mTLS.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import ssl
import threading
import time
from typing import Any, Dict, NamedTuple, Optional, Tuple

from agent.config_file import ConfigError, load_mapping

_CLIENT_AUTH = {
    "NoClientCert": ssl.CERT_NONE,
    "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL,
    "RequireAndVerifyClientCert": ssl.CERT_REQUIRED,
}
# min_version -> (ssl.TLSVersion member, the OP_NO_* options that mean the same on Python 3.6,
# which has no SSLContext.minimum_version).
_TLS_VERSIONS = {
    "TLS12": ("TLSv1_2", (ssl.OP_NO_TLSv1, ssl.OP_NO_TLSv1_1)),
    "TLS13": ("TLSv1_3", (ssl.OP_NO_TLSv1, ssl.OP_NO_TLSv1_1, ssl.OP_NO_TLSv1_2)),
}
_TLS_KEYS = {"cert_file", "key_file", "client_ca_file", "client_auth_type", "min_version"}
_TOP_KEYS = {"tls_server_config", "basic_auth_users"}
# node_exporter keys with no safe equivalent here: named, so the refusal says why.
_UNSUPPORTED_KEYS = {
    "http_server_config": "HTTP/2 and response headers are not configurable in govcloud-agent",
}
# What htpasswd -B and bcrypt.hashpw write: $2a$/$2b$/$2y$, a two-digit cost, 53 characters.
_BCRYPT = re.compile(r"\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}")


class TLSSettings(NamedTuple):
    cert_file: str
    key_file: str
    client_ca_file: str = ""
    client_auth_type: str = "NoClientCert"
    min_version: str = "TLS12"


class WebConfig(NamedTuple):
    tls: Optional[TLSSettings]
    basic_auth_users: Dict[str, str]


def parse_web_config(data: Dict[str, Any], base_dir: str = ".") -> WebConfig:
    """Validate a web-config mapping; relative file paths are relative to the file's directory."""
    for key in sorted(set(data) & set(_UNSUPPORTED_KEYS)):
        raise ConfigError(f"web config: {key} is not supported: {_UNSUPPORTED_KEYS[key]}")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"web config: unknown keys {sorted(unknown)}")
    # A key given but left empty would otherwise mean "no TLS" / "no auth": the opposite of what
    # writing it asked for, so it is refused rather than read as absent.
    for key, without in (("tls_server_config", "plain HTTP"), ("basic_auth_users", "no auth")):
        if key in data and not data[key]:
            raise ConfigError(
                f"web config: {key} is empty; fill it in, or remove the key for {without}"
            )
    users = data.get("basic_auth_users") or {}
    if not isinstance(users, dict) or not all(isinstance(v, str) for v in users.values()):
        raise ConfigError("web config: basic_auth_users must map user names to bcrypt hashes")
    for name, hashed in users.items():
        if not _BCRYPT.fullmatch(hashed):
            raise ConfigError(
                f"web config: basic_auth_users: the password of user {str(name)!r} is not a "
                "bcrypt hash (make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')"
            )
    tls_data = data.get("tls_server_config")
    return WebConfig(
        tls=_parse_tls(tls_data, base_dir) if tls_data is not None else None,
        basic_auth_users={str(k): v for k, v in users.items()},
    )


def _parse_tls(data: Any, base_dir: str) -> TLSSettings:
    if not isinstance(data, dict):
        raise ConfigError("web config: tls_server_config must be a mapping")
    unknown = set(data) - _TLS_KEYS
    if unknown:
        raise ConfigError(f"web config: unsupported tls_server_config keys {sorted(unknown)}")
    if not data.get("cert_file") or not data.get("key_file"):
        raise ConfigError("web config: tls_server_config needs cert_file and key_file")
    values = {k: str(v) for k, v in data.items()}
    for key in ("cert_file", "key_file", "client_ca_file"):
        value = values.get(key, "")
        if value and not os.path.isabs(value):
            values[key] = os.path.join(base_dir, value)
    settings = TLSSettings(**values)
    if settings.client_auth_type not in _CLIENT_AUTH:
        raise ConfigError(
            f"web config: client_auth_type {settings.client_auth_type!r} is not supported; "
            f"use one of {sorted(_CLIENT_AUTH)}"
        )
    if settings.client_auth_type != "NoClientCert" and not settings.client_ca_file:
        raise ConfigError("web config: client_auth_type needs client_ca_file")
    if settings.min_version not in _TLS_VERSIONS:
        raise ConfigError(f"web config: min_version must be one of {sorted(_TLS_VERSIONS)}")
    return settings


def load_web_config(path: str) -> WebConfig:
    config = parse_web_config(load_mapping(path), os.path.dirname(os.path.abspath(path)))
    if config.tls is not None:
        TLSContextSource(config.tls).context()  # fail at start-up, not at the first scrape
    if config.basic_auth_users:
        BasicAuth(config.basic_auth_users)
    return config


class TLSContextSource:
    """Builds the server SSLContext and rebuilds it when the certificate or key file changes,
    so certificate rotation does not need a restart (node_exporter also re-reads them)."""

    def __init__(self, settings: TLSSettings) -> None:
        self.settings = settings
        self._stamp: Tuple[int, ...] = ()
        self._context: Optional[ssl.SSLContext] = None
        self._lock = threading.Lock()
        self._checked = -1.0  # monotonic time of the last look at the files

    def _files_stamp(self) -> Tuple[int, ...]:
        paths = (self.settings.cert_file, self.settings.key_file, self.settings.client_ca_file)
        try:
            return tuple(os.stat(p).st_mtime_ns for p in paths if p)
        except OSError:
            return self._stamp  # keep serving with the old files during a non-atomic rotation

    def context(self) -> ssl.SSLContext:
        """The current context. One context serves all connections, so its session-ticket keys
        stay valid and reconnecting clients with a session cache resume without a full handshake;
        the files are looked at no more than once a second."""
        now = time.monotonic()
        if self._context is not None and now - self._checked < 1.0:
            return self._context
        stamp = self._files_stamp()
        with self._lock:
            self._checked = now
            if self._context is None or stamp != self._stamp:
                self._context = self._build()
                self._stamp = stamp
            return self._context

    def _build(self) -> ssl.SSLContext:
        s = self.settings
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        _set_minimum_version(ctx, s.min_version)
        try:
            ctx.load_cert_chain(s.cert_file, s.key_file)
            if s.client_ca_file:
                ctx.load_verify_locations(cafile=s.client_ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"web config: cannot load TLS files: {exc}") from exc
        ctx.verify_mode = _CLIENT_AUTH[s.client_auth_type]
        return ctx


def _set_minimum_version(ctx: ssl.SSLContext, name: str) -> None:
    member, no_older = _TLS_VERSIONS[name]
    if hasattr(ctx, "minimum_version"):  # Python 3.7+
        ctx.minimum_version = getattr(ssl.TLSVersion, member)  # novermin  (guarded above)
    else:
        for option in no_older:
            ctx.options |= option


class BasicAuth:
    """Checks ``Authorization: Basic`` against bcrypt hashes, caching successful checks.

    bcrypt is deliberately slow (~50-250 ms); doing it on every scrape would cost ~100x the whole
    exporter. A verified password is remembered as its SHA-256 and later compared in constant time;
    wrong passwords always pay the full bcrypt cost.
    """

    def __init__(self, users: Dict[str, str]) -> None:
        try:
            import bcrypt
        except ImportError:
            raise ConfigError(
                "basic_auth_users needs the Python bcrypt module (install python3-bcrypt)"
            ) from None
        self._bcrypt = bcrypt
        self._hashes = {name: hashed.encode() for name, hashed in users.items()}
        self._verified: Dict[str, bytes] = {}
        # Unknown users are checked against a dummy hash so timing does not reveal user names.
        self._dummy = next(iter(self._hashes.values()), b"")

    def check(self, header: Optional[str]) -> bool:
        credentials = _decode_basic(header)
        if credentials is None:
            return False
        user, password = credentials
        digest = hashlib.sha256(password).digest()
        cached = self._verified.get(user)
        if cached is not None and hmac.compare_digest(cached, digest):
            return True
        hashed = self._hashes.get(user)
        try:
            ok = self._bcrypt.checkpw(password, hashed or self._dummy) and hashed is not None
        except ValueError:  # malformed hash in the config
            ok = False
        if ok:
            self._verified[user] = digest
        return bool(ok)


def _decode_basic(header: Optional[str]) -> Optional[Tuple[str, bytes]]:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    user, sep, password = raw.partition(b":")
    if not sep:
        return None
    return user.decode("utf-8", "replace"), password
