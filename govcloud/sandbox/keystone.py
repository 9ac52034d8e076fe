"""Keystone v3 subset: version documents, tokens (password, application credential, token),
projects. Bodies follow the Identity API v3 reference."""

from __future__ import annotations

from typing import Any

from govcloud.sandbox.identity import DOMAIN, AppCredential, Identity, Token, User
from govcloud.sandbox.ids import name_uuid
from govcloud.sandbox.wire import ApiError, Request, Response, identity_error, json_response

_UPDATED = "2023-03-01T00:00:00Z"


def version_doc(identity: Identity) -> dict[str, Any]:
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": _UPDATED,
        "links": [{"rel": "self", "href": f"{identity.auth_url}/"}],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
        ],
    }


def handle(
    identity: Identity, req: Request, parts: list[str], *, unified_limits: bool = False
) -> Response:
    """`parts`: path segments after `/identity`. UNIFIED_LIMITS: the cloud keeps its quotas as
    Keystone limits (registered and per-project limits are listed)."""
    if not parts:
        return json_response(300, {"versions": {"values": [version_doc(identity)]}})
    if parts[0] != "v3":
        raise ApiError(identity_error(404, "The resource could not be found."))
    rest = parts[1:]
    if not rest:
        return json_response(200, {"version": version_doc(identity)})
    if rest == ["auth", "tokens"]:
        return _tokens(identity, req)
    token = _caller(identity, req)
    if rest == ["auth", "projects"]:
        return _project_list(identity, req, _user_projects(identity, token.user))
    if rest == ["auth", "catalog"] and req.method == "GET":
        links = {"self": f"{identity.auth_url}/auth/catalog"}
        return json_response(200, {"catalog": identity.catalog(token.project_id), "links": links})
    if rest[0] == "projects":
        return _projects(identity, req, token, rest[1:])
    if rest in (["registered_limits"], ["limits"]) and req.method == "GET":
        return _limits(identity, rest[0], unified_limits)
    if rest[0] == "users" and len(rest) == 3 and rest[2] == "projects":
        user = identity.user_by_id(rest[1])
        if user is None:
            raise ApiError(identity_error(404, f"Could not find user: {rest[1]}."))
        if user.id != token.user.id and not token.is_admin:
            raise ApiError(_forbidden("identity:list_user_projects"))
        return _project_list(identity, req, _user_projects(identity, user))
    raise ApiError(identity_error(404, "The resource could not be found."))


def _limits(identity: Identity, kind: str, in_use: bool) -> Response:
    """Unified limits: empty unless the cloud uses them (then compute cores and instances)."""
    items: list[dict[str, Any]] = []
    if in_use:
        compute = name_uuid("service", "compute")
        for resource, default in (("cores", 20), ("instances", 10)):
            item: dict[str, Any] = {
                "id": name_uuid(kind, resource), "service_id": compute, "region_id": None,
                "resource_name": resource, "description": None,
                "links": {"self": f"{identity.auth_url}/{kind}/{name_uuid(kind, resource)}"},
            }  # fmt: skip
            if kind == "limits":
                item.update(project_id=identity.admin_project_id, domain_id=None,
                            resource_limit=default * 2)  # fmt: skip
            else:
                item["default_limit"] = default
            items.append(item)
    links = {"self": f"{identity.auth_url}/{kind}", "previous": None, "next": None}
    return json_response(200, {kind: items, "links": links})


def _caller(identity: Identity, req: Request) -> Token:
    token = identity.validate(req.headers.get("x-auth-token"))
    if token is None:
        raise ApiError(
            identity_error(
                401,
                "The request you have made requires authentication.",
                [("WWW-Authenticate", f'Keystone uri="{identity.base_url}/identity"')],
            )
        )
    return token


def _forbidden(action: str) -> Response:
    return identity_error(403, f"You are not authorized to perform the requested action: {action}.")


def _tokens(identity: Identity, req: Request) -> Response:
    if req.method == "POST":
        token = _authenticate(identity, req.json())
        return json_response(201, identity.token_body(token), [("X-Subject-Token", token.id)])
    caller = _caller(identity, req)
    subject_id = req.headers.get("x-subject-token", "")
    subject = identity.validate(subject_id)
    if subject is None:
        raise ApiError(identity_error(404, f"Could not find token: {subject_id}."))
    if subject.user.id != caller.user.id and not caller.is_admin:
        raise ApiError(_forbidden("identity:validate_token"))
    if req.method == "DELETE":
        identity.revoke(subject.id)
        return Response(204)
    if req.method in ("GET", "HEAD"):
        body = identity.token_body(subject)
        if req.arg("nocatalog") is not None:
            body["token"].pop("catalog", None)  # type: ignore[attr-defined]
        return json_response(200, body, [("X-Subject-Token", subject.id)])
    raise ApiError(identity_error(405, "The method is not allowed for the requested URL."))


def _unauthorized() -> ApiError:
    return ApiError(identity_error(401, "The request you have made requires authentication."))


def _authenticate(identity: Identity, payload: Any) -> Token:
    try:
        auth = payload["auth"]
        methods = tuple(auth["identity"]["methods"])
        ident = auth["identity"]
    except (TypeError, KeyError):
        raise ApiError(
            identity_error(
                400, "Invalid input for field 'identity': 'methods' is a required property"
            )
        ) from None
    if "application_credential" in methods:
        ac = _application_credential(identity, ident.get("application_credential") or {})
        user = identity.user_by_id(ac.user_id)
        assert user is not None
        return identity.issue(user, ac.project_id, ("application_credential",), ac)
    if "password" in methods:
        user = _password_user(identity, (ident.get("password") or {}).get("user") or {})
    elif "token" in methods:
        old = identity.validate((ident.get("token") or {}).get("id"))
        if old is None:
            raise _unauthorized()
        user = old.user
    else:
        raise _unauthorized()
    project_id = _scope(identity, user, auth.get("scope"))
    return identity.issue(user, project_id, methods)


def _domain_ok(domain: Any) -> bool:
    if not isinstance(domain, dict):
        return False
    return domain.get("id") == DOMAIN["id"] or domain.get("name") == DOMAIN["name"]


def _password_user(identity: Identity, spec: Any) -> User:
    if not isinstance(spec, dict):
        raise _unauthorized()
    user = None
    if "id" in spec:
        user = identity.user_by_id(str(spec["id"]))
    elif "name" in spec and _domain_ok(spec.get("domain")):
        user = identity.users.get(str(spec["name"]))
    if user is None or spec.get("password") != user.password:
        raise _unauthorized()
    return user


def _application_credential(identity: Identity, spec: Any) -> AppCredential:
    ac = identity.app_credential
    if not isinstance(spec, dict) or spec.get("secret") != ac.secret:
        raise _unauthorized()
    by_id = spec.get("id") == ac.id
    owner = spec.get("user") or {}
    owner_ok = owner.get("id") == ac.user_id or (
        identity.users.get(str(owner.get("name"))) is not None
        and identity.users[str(owner.get("name"))].id == ac.user_id
    )
    if not (by_id or (spec.get("name") == ac.name and owner_ok)):
        raise _unauthorized()
    return ac


def _scope(identity: Identity, user: User, scope: Any) -> str:
    if not scope:
        return user.default_project_id
    project = scope.get("project") if isinstance(scope, dict) else None
    if not isinstance(project, dict):
        raise _unauthorized()  # domain and system scope are not offered
    if "id" in project:
        project_id = str(project["id"])
    else:
        if not _domain_ok(project.get("domain")):
            raise _unauthorized()
        names = {name: pid for pid, name in identity.project_names.items()}
        project_id = names.get(str(project.get("name")), "")
    if project_id not in user.roles:
        raise _unauthorized()
    return project_id


def _user_projects(identity: Identity, user: User) -> list[str]:
    return [pid for pid in identity.project_names if pid in user.roles]


def _project_body(identity: Identity, project_id: str) -> dict[str, Any]:
    return {
        "id": project_id,
        "name": identity.project_names[project_id],
        "domain_id": DOMAIN["id"],
        "description": "",
        "enabled": True,
        "parent_id": DOMAIN["id"],
        "is_domain": False,
        "tags": [],
        "options": {},
        "links": {"self": f"{identity.auth_url}/projects/{project_id}"},
    }


def _project_list(identity: Identity, req: Request, ids: list[str]) -> Response:
    name = req.arg("name")
    if name is not None:
        ids = [pid for pid in ids if identity.project_names[pid] == name]
    query = req.path + (f"?name={name}" if name is not None else "")
    links = {"self": f"{req.base_url}{query}", "previous": None, "next": None}
    projects = [_project_body(identity, pid) for pid in ids]
    return json_response(200, {"projects": projects, "links": links})


def _projects(identity: Identity, req: Request, token: Token, rest: list[str]) -> Response:
    if not rest:
        if not token.is_admin:
            raise ApiError(_forbidden("identity:list_projects"))
        return _project_list(identity, req, list(identity.project_names))
    project_id = rest[0]
    if project_id not in identity.project_names:
        raise ApiError(identity_error(404, f"Could not find project: {project_id}."))
    if not token.is_admin and project_id not in token.user.roles:
        raise ApiError(_forbidden("identity:get_project"))
    return json_response(200, {"project": _project_body(identity, project_id)})
