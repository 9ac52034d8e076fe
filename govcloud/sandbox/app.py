"""Routing of one request to Keystone, Nova, Cinder, Placement or the admin endpoint.

URL layout (one port for everything; regions are path prefixes so one process is many regions):
    /identity[/v3/...]                      Keystone
    /r/<region>/compute[/v2.1/...]          Nova
    /r/<region>/volume[/v3/<project>/...]   Cinder
    /r/<region>/placement[/...]             Placement
    /r/<region>/network[/v2.0/...]          Neutron
    /_sandbox/faults                        GET/PUT the fault settings (tests)
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import replace
from urllib.parse import unquote

from govcloud.sandbox import cinder, keystone, neutron, nova, placement
from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import Estate
from govcloud.sandbox.faults import Faults, FaultState, ResetConnection
from govcloud.sandbox.identity import Identity, Token
from govcloud.sandbox.microversion import (
    VersionMalformed,
    VersionNotAcceptable,
    negotiate,
    response_headers,
)
from govcloud.sandbox.wire import (
    ApiError,
    Request,
    Response,
    fault,
    json_response,
    placement_error,
    unauthenticated,
)

log = logging.getLogger(__name__)
_SERVICES = {"compute": nova.VERSIONS, "volume": cinder.VERSIONS, "placement": placement.VERSIONS}


class App:
    def __init__(self, estate: Estate, identity: Identity, faults: FaultState) -> None:
        self.estate, self.identity, self.faults = estate, identity, faults
        identity.hide_network = lambda: self.faults.faults.no_network

    def dispatch(self, req: Request) -> Response:
        latency_ms = self.faults.faults.latency_ms
        if latency_ms:
            time.sleep(latency_ms / 1000)
        request_id = f"req-{uuid.uuid4()}"
        try:
            resp = self._route(req)
        except ApiError as exc:
            resp = exc.response
        except ResetConnection:
            raise  # the server resets the connection mid-response
        except Exception:  # a sandbox bug must look like a cloud's 500, not kill the thread
            log.exception("sandbox error on %s %s", req.method, req.path)
            resp = fault(500, "Unexpected API Error. Please report this at the sandbox.")
        put_delay_ms = self.faults.faults.put_delay_ms
        if put_delay_ms and req.method == "PUT" and "quota" in req.path and resp.status < 400:
            time.sleep(put_delay_ms / 1000)  # the change is made; only the answer is late
        extra = (("x-openstack-request-id", request_id),)
        return replace(resp, headers=(*resp.headers, *extra))

    def _route(self, req: Request) -> Response:
        parts = [unquote(p) for p in req.path.split("/") if p]
        if parts[:1] == ["identity"]:
            unified = self.faults.faults.unified_limits
            return keystone.handle(self.identity, req, parts[1:], unified_limits=unified)
        if parts[:1] == ["_sandbox"]:
            return self._admin(req, parts[1:])
        if len(parts) < 3 or parts[0] != "r" or parts[1] not in self.estate.regions:
            raise ApiError(fault(404, "The resource could not be found."))
        region, service, rest = parts[1], parts[2], parts[3:]
        root_url = f"{req.base_url}/r/{region}/{service}"
        if service == "compute":
            found = nova.versions(root_url, rest)
            if found is not None:
                return found
            if rest[0] != "v2.1":
                raise ApiError(fault(404, "The resource could not be found."))
            return self._api(req, region, service, root_url, rest[1:])
        if service == "volume":
            if rest in ([], ["v3"]):
                return cinder.versions(root_url)
            if rest[0] != "v3":
                raise ApiError(fault(404, "The resource could not be found."))
            return self._api(req, region, service, root_url, rest[1:])
        if service == "placement":
            if not rest:
                return placement.versions()
            return self._api(req, region, service, root_url, rest)
        if service == "network" and not self.faults.faults.no_network:
            if not rest:
                return neutron.versions(root_url)
            if rest[0] != "v2.0":
                raise ApiError(neutron.not_found())
            return self._network(req, region, root_url, rest[1:])
        raise ApiError(fault(404, "The resource could not be found."))

    def _api(
        self, req: Request, region: str, service: str, root_url: str, parts: list[str]
    ) -> Response:
        rng = _SERVICES[service]
        token = self._authenticate(req, service)
        try:
            version = negotiate(req.headers, rng)
        except VersionNotAcceptable as exc:
            return self._version_error(req, service, 406, str(exc))
        except VersionMalformed as exc:
            return self._version_error(req, service, 400, str(exc))
        faults = self.faults.faults
        call = Call(
            req, token, self.estate, self.identity, region, version, root_url, faults.paging,
            faults.no_snapshots, faults.odd_capacity,
        )  # fmt: skip
        try:
            if service == "compute":
                resp = nova.handle(call, parts)
            elif service == "volume":
                if not parts:
                    raise ApiError(fault(404, "The resource could not be found."))
                resp = cinder.handle(call, parts[0], parts[1:])
            else:
                resp = placement.handle(call, parts)
        except ApiError as exc:
            resp = exc.response
        return replace(resp, headers=(*resp.headers, *response_headers(rng, version)))

    def _network(self, req: Request, region: str, root_url: str, parts: list[str]) -> Response:
        """Neutron has no microversions: no negotiation, its own error bodies."""
        token = self._authenticate(req, "network")
        faults = self.faults.faults
        call = Call(
            req, token, self.estate, self.identity, region, (2, 0), root_url, faults.paging,
            neutron_changed_since=faults.neutron_changed_since,
        )  # fmt: skip
        try:
            return neutron.handle(call, parts)
        except ApiError as exc:
            return exc.response

    def _authenticate(self, req: Request, service: str) -> Token:
        token = self.identity.validate(req.headers.get("x-auth-token"))
        if token is None:
            raise ApiError(unauthenticated(f"{req.base_url}/identity"))
        expire, fail = self.faults.on_api_request()
        if expire:
            self.identity.expire_all()
            raise ApiError(unauthenticated(f"{req.base_url}/identity"))
        transport = self.faults.on_transport()
        if transport == "reset":
            raise ResetConnection()
        if transport == "hang":
            time.sleep(self.faults.faults.hang_ms / 1000)
        if fail:
            if service == "placement":
                raise ApiError(placement_error(503, "Injected failure.", ""))
            raise ApiError(fault(503, "Injected failure: the service is unavailable."))
        return token

    def _version_error(self, req: Request, service: str, status: int, message: str) -> Response:
        if service == "placement":
            text = req.headers.get("openstack-api-version", "")
            detail = f"Unacceptable version header: {text.partition(' ')[2]}"
            return placement_error(status, detail if status == 406 else message, "")
        return fault(status, message)

    def _admin(self, req: Request, parts: list[str]) -> Response:
        if parts != ["faults"]:
            raise ApiError(fault(404, "The resource could not be found."))
        if req.method in ("PUT", "POST"):
            try:
                payload = json.loads(req.body or b"{}")
                self.faults.set(Faults.from_dict(payload, self.faults.faults))
            except (ValueError, TypeError) as exc:
                raise ApiError(fault(400, str(exc))) from None
        return json_response(200, {"faults": self.faults.faults.to_dict()})
