"""Requests, responses and the three error body styles of the APIs the sandbox imitates."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
# nova/api/openstack/wsgi.py Fault._fault_names; cinder uses the same table
_FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    base_url: str  # scheme://host:port as the client addressed us

    def arg(self, name: str) -> str | None:
        """The last value of a query parameter (as webob's GET[name])."""
        value = None
        for k, v in self.query:
            if k == name:
                value = v
        return value

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise ApiError(fault(400, "Malformed request body")) from None


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: Sequence[tuple[str, str]] = field(default_factory=tuple)
    content_type: str = "application/json"

    @property
    def reason(self) -> str:
        return _REASONS.get(self.status, "OK" if self.status < 300 else "Error")


class ApiError(Exception):
    """Raised inside a handler to answer with `response`."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_response(status: int, payload: Any, headers: Sequence[tuple[str, str]] = ()) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, tuple(headers))


def fault(status: int, message: str, headers: Sequence[tuple[str, str]] = ()) -> Response:
    """Nova/Cinder error body: `{"itemNotFound": {"code": 404, "message": ...}}`."""
    name = _FAULT_NAMES.get(status, "computeFault")
    return json_response(status, {name: {"code": status, "message": message}}, headers)


def identity_error(status: int, message: str, headers: Sequence[tuple[str, str]] = ()) -> Response:
    """Keystone (and keystonemiddleware) error body."""
    title = _REASONS.get(status, "Error")
    return json_response(
        status, {"error": {"code": status, "message": message, "title": title}}, headers
    )


def placement_error(status: int, detail: str, request_id: str) -> Response:
    title = _REASONS.get(status, "Error")
    error = {
        "status": status,
        "title": title,
        "detail": f"{title}\n\n{detail}  ",
        "request_id": request_id,
        "code": "placement.undefined_code",
    }
    return json_response(status, {"errors": [error]})


def unauthenticated(auth_url: str) -> Response:
    """What keystonemiddleware answers for a missing, invalid or expired token."""
    return identity_error(
        401,
        "The request you have made requires authentication.",
        [("WWW-Authenticate", f'Keystone uri="{auth_url}"')],
    )
