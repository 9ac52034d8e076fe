"""Minimal read-only Neutron stand-in: enough for nova with networks='none'.

Serves empty port/security-group/network lists so nova-api server show/list and
nova-compute delete (deallocate_for_instance -> list_ports) succeed.
"""

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

EMPTY = {
    "ports": "ports",
    "security-groups": "security_groups",
    "networks": "networks",
    "subnets": "subnets",
    "floatingips": "floatingips",
    "extensions": "extensions",
}


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    method = environ["REQUEST_METHOD"]
    m = re.match(r"^/v2\.0/([a-z-]+)(?:\.json)?/?$", path)
    body: dict[str, Any]
    if path in ("/", ""):
        host = environ.get("HTTP_HOST", "127.0.0.1")
        link = {"rel": "self", "href": f"http://{host}/v2.0/"}
        body, status = (
            {"versions": [{"id": "v2.0", "status": "CURRENT", "links": [link]}]},
            "200 OK",
        )
    elif m and m.group(1) in EMPTY and method == "GET":
        body, status = {EMPTY[m.group(1)]: []}, "200 OK"
    else:
        err = {"type": "NotFound", "message": f"stub: {method} {path}", "detail": ""}
        body, status = {"NeutronError": err}, "404 Not Found"
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]
