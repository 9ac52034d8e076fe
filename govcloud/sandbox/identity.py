"""Keystone's state: users, application credentials, tokens, the service catalog."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from govcloud.sandbox.estate import Estate
from govcloud.sandbox.ids import name_uuid

DOMAIN = {"id": "default", "name": "Default"}
ADMIN_PROJECT = "admin"
ROLE_IDS = {r: name_uuid("role", r) for r in ("admin", "member", "reader")}


@dataclass(frozen=True)
class User:
    id: str
    name: str
    password: str
    default_project_id: str
    # project id -> role names
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class AppCredential:
    id: str
    name: str
    secret: str
    user_id: str
    project_id: str


@dataclass(frozen=True)
class Token:
    id: str
    user: User
    project_id: str
    project_name: str
    roles: tuple[str, ...]
    methods: tuple[str, ...]
    issued_at: float
    expires_at: float
    audit_id: str
    app_credential: AppCredential | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


def iso(ts: float) -> str:
    """Keystone's timestamp format: microseconds and a Z."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Identity:
    def __init__(self, estate: Estate, base_url: str, token_ttl_s: float) -> None:
        self.estate = estate
        self.base_url = base_url
        self.auth_url = f"{base_url}/identity/v3"
        self.token_ttl_s = token_ttl_s
        self.admin_project_id = name_uuid("project", ADMIN_PROJECT)
        # project id -> (name, department code or None); the admin project has no resources
        self.project_names = {self.admin_project_id: ADMIN_PROJECT}
        self.project_names.update({p.id: p.name for p in estate.projects})
        self.admin_password = secrets.token_urlsafe(16)
        self.member_password = secrets.token_urlsafe(16)
        self.users = self._users()
        # who "created" a project's servers and volumes: its department's user
        self.project_user_ids = {
            pid: user.id
            for user in self.users.values()
            if user.name != "admin"
            for pid in user.roles
        }
        self.project_user_ids.update(
            {p.id: self.users["admin"].id for p in estate.projects if not p.department_code}
        )
        admin = self.users["admin"]
        self.app_credential = AppCredential(
            name_uuid("app-credential", "govcloud-sync"),
            "govcloud-sync",
            secrets.token_urlsafe(24),
            admin.id,
            self.admin_project_id,
        )
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()
        # whether Neutron is left out of the catalog (a fault setting; the App installs it)
        self.hide_network: Callable[[], bool] = lambda: False

    def _users(self) -> dict[str, User]:
        admin = User(
            name_uuid("user", "admin"),
            "admin",
            self.admin_password,
            self.admin_project_id,
            {self.admin_project_id: ("admin", "member", "reader")},
        )
        users = {"admin": admin}
        by_dept: dict[str, dict[str, tuple[str, ...]]] = {}
        for p in self.estate.projects:
            if p.department_code:
                by_dept.setdefault(p.department_code, {})[p.id] = ("member", "reader")
        for dept, roles in by_dept.items():
            name = f"{dept}-ops"
            users[name] = User(
                name_uuid("user", name), name, self.member_password, next(iter(roles)), roles
            )
        return users

    def user_by_id(self, user_id: str) -> User | None:
        return next((u for u in self.users.values() if u.id == user_id), None)

    def issue(
        self,
        user: User,
        project_id: str,
        methods: tuple[str, ...],
        app_credential: AppCredential | None = None,
    ) -> Token:
        now = time.time()
        token = Token(
            id=secrets.token_hex(32),
            user=user,
            project_id=project_id,
            project_name=self.project_names[project_id],
            roles=user.roles[project_id],
            methods=methods,
            issued_at=now,
            expires_at=now + self.token_ttl_s,
            audit_id=secrets.token_urlsafe(16)[:22],
            app_credential=app_credential,
        )
        with self._lock:
            self._tokens[token.id] = token
        return token

    def validate(self, token_id: str | None) -> Token | None:
        if not token_id:
            return None
        with self._lock:
            token = self._tokens.get(token_id)
            if token is not None and token.expires_at <= time.time():
                del self._tokens[token_id]
                token = None
        return token

    def revoke(self, token_id: str) -> bool:
        with self._lock:
            return self._tokens.pop(token_id, None) is not None

    def expire_all(self) -> None:
        with self._lock:
            self._tokens.clear()

    def catalog(self, project_id: str) -> list[dict[str, object]]:
        # type, name, path under /r/<region> ("" for the region-less Keystone)
        services = [
            ("identity", "keystone", None),
            ("compute", "nova", "compute/v2.1"),
            ("volumev3", "cinderv3", f"volume/v3/{project_id}"),
            ("block-storage", "cinder", f"volume/v3/{project_id}"),
            ("placement", "placement", "placement"),
            ("network", "neutron", "network"),
        ]
        if self.hide_network():
            services = services[:-1]
        return [
            {
                "id": name_uuid("service", stype),
                "type": stype,
                "name": sname,
                "endpoints": [
                    {
                        "id": name_uuid("endpoint", stype, region, interface),
                        "interface": interface,
                        "region_id": region,
                        "region": region,
                        "url": self._endpoint(region, path),
                    }
                    for region in self.estate.regions
                    for interface in ("public", "internal", "admin")
                ],
            }
            for stype, sname, path in services
        ]

    def _endpoint(self, region: str, path: str | None) -> str:
        return f"{self.base_url}/identity" if path is None else f"{self.base_url}/r/{region}/{path}"

    def token_body(self, token: Token) -> dict[str, object]:
        body: dict[str, object] = {
            "methods": list(token.methods),
            "user": {
                "domain": DOMAIN,
                "id": token.user.id,
                "name": token.user.name,
                "password_expires_at": None,
            },
            "audit_ids": [token.audit_id],
            "expires_at": iso(token.expires_at),
            "issued_at": iso(token.issued_at),
            "project": {"domain": DOMAIN, "id": token.project_id, "name": token.project_name},
            "is_domain": False,
            "roles": [{"id": ROLE_IDS[r], "name": r} for r in token.roles],
            "catalog": self.catalog(token.project_id),
        }
        if token.app_credential is not None:
            ac = token.app_credential
            body["application_credential"] = {"id": ac.id, "name": ac.name, "restricted": True}
        return {"token": body}
