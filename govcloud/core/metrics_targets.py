"""Scrape targets: declared in a targets file or derived from the store's servers, and joined to
servers by instance UUID (what `govcloud_agent_info` reports) or, failing that, by IP address.

The key under which a target's samples are stored is, in order of preference: the instance UUID
the targets file declares, the server the target was derived from, the UUID the agent reports,
and only for anonymous exporters a digest of the URL, so samples stay put when a target is later
joined to a VM.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from govcloud.core import models as m
from govcloud.core.errors import Location, ValidationError

DEFAULT_PORT = 9109
_KEYS = {"url", "instance_uuid", "name", "labels"}


@dataclass(frozen=True)
class Target:
    url: str
    instance_uuid: str | None = None  # declared, or the server's id for store-derived targets
    name: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    server_id: str | None = None  # set when derived from a server

    @property
    def host(self) -> str:
        try:
            return urlsplit(self.url).hostname or ""
        except ValueError:  # not a URL (an unclosed IPv6 bracket): joins by uuid only
            return ""


@dataclass(frozen=True)
class ServerRef:
    """What joining needs to know about a server of the store."""

    server_id: str
    name: str
    addresses: tuple[str, ...] = ()
    # the Neutron ports' fixed addresses where stored: targets are derived from these first
    fixed_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Joined:
    key: str  # the store key of the target's samples
    server: ServerRef | None
    joined_by: str  # uuid | ip | none


def check_url(url: object, where: Location) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValidationError("target needs a url", location=where, hint="url: http://HOST:PORT/")
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # e.g. an unclosed [ of an IPv6 address
        raise ValidationError(
            f"target url {url!r} is not a URL: {exc}",
            location=where,
            hint="an IPv6 host is written in brackets: http://[::1]:9109/metrics",
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"target url {url!r} is not http(s)://HOST[:PORT]/PATH",
            location=where,
            hint="e.g. http://10.0.0.5:9109/metrics",
        )
    try:
        parts.port  # noqa: B018 - raises on an out-of-range port
    except ValueError:
        raise ValidationError(f"target url {url!r} has a bad port", location=where) from None
    path = parts.path or "/metrics"
    return parts._replace(path=path, fragment="").geturl()


def parse_targets(data: object, file: str, lines: Mapping[int, int] | None = None) -> list[Target]:
    """The loaded YAML of a targets file: a list of {url, instance_uuid?, name?, labels?}.

    LINES maps item index -> line number for messages, when the loader knows them.
    """
    if isinstance(data, dict) and "targets" in data:
        data = data["targets"]
    if not isinstance(data, list):
        raise ValidationError(
            "targets file must be a list of {url, instance_uuid?, name?, labels?}",
            location=Location(file, 1),
        )
    out: list[Target] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(data):
        where = Location(file, (lines or {}).get(i), f"[{i}]")
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            raise ValidationError("each target must be a mapping with a url", location=where)
        unknown = sorted(set(item) - _KEYS)
        if unknown:
            raise ValidationError(
                f"unknown key {unknown[0]!r}", location=where, hint="keys: " + ", ".join(_KEYS)
            )
        target = _target(item, where)
        if target.url in seen:
            raise ValidationError(f"target {target.url} listed twice", location=where)
        seen[target.url] = i
        out.append(target)
    return out


def _target(item: Mapping[str, object], where: Location) -> Target:
    url = check_url(item.get("url"), where)
    labels = item.get("labels") or {}
    if not isinstance(labels, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float) for k, v in labels.items()
    ):
        raise ValidationError("labels must map names to text", location=where)
    uuid, name = item.get("instance_uuid"), item.get("name")
    for key, value in (("instance_uuid", uuid), ("name", name)):
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"{key} must be text", location=where)
    return Target(
        url,
        str(uuid).lower() if uuid else None,
        str(name) if name else None,
        {str(k): str(v) for k, v in labels.items()},
    )


def targets_from_servers(servers: Iterable[ServerRef], port: int = DEFAULT_PORT) -> list[Target]:
    """One target per server with an address: its first IPv4 address (else the first one),
    among its ports' fixed addresses when known, else among Nova's."""
    out: list[Target] = []
    for server in servers:
        address = _preferred_address(server.fixed_addresses or server.addresses)
        if address is None:
            continue
        host = f"[{address}]" if ":" in address else address
        out.append(
            Target(
                f"http://{host}:{port}/metrics",
                instance_uuid=server.server_id.lower(),
                name=server.name,
                server_id=server.server_id,
            )
        )
    return out


def with_port_addresses(servers: Iterable[ServerRef], ports: Iterable[m.Port]) -> list[ServerRef]:
    """SERVERS with `fixed_addresses` from their Neutron ports where the store holds ports for
    them (first in `addresses` too); the others keep only what the server row says.

    A server's stored addresses mix fixed and floating ones; the ports are the truth, and a
    collector inside the cloud reaches a VM on its fixed address, so derived targets use those.
    The other addresses stay for joining a declared target by IP. Ports are read in port id
    order so the derived target is stable between runs; a port owned by something other than
    a VM (a router, DHCP) never lends its address.
    """
    fixed: dict[str, list[str]] = {}
    for port in sorted(ports, key=lambda p: p.port_id):
        if not port.device_id or not _vm_owned(port):
            continue
        addresses = fixed.setdefault(port.device_id.lower(), [])
        addresses.extend(a for a in port.fixed_ips if a not in addresses)
    out = []
    for server in servers:
        found = tuple(fixed.get(server.server_id.lower(), ()))
        if found:
            every = tuple(dict.fromkeys([*found, *server.addresses]))
            server = ServerRef(server.server_id, server.name, every, found)
        out.append(server)
    return out


def _vm_owned(port: m.Port) -> bool:
    owner = port.device_owner or ""
    return owner == "" or owner.startswith("compute:")


def _preferred_address(addresses: Sequence[str]) -> str | None:
    parsed = []
    for text in addresses:
        try:
            parsed.append(ipaddress.ip_address(text.strip()))
        except ValueError:
            continue
    parsed.sort(key=lambda a: a.version)
    return str(parsed[0]) if parsed else None


def merge_targets(declared: Sequence[Target], derived: Sequence[Target]) -> list[Target]:
    """Declared targets win over store-derived ones for the same URL or the same instance."""
    urls = {t.url for t in declared}
    uuids = {t.instance_uuid for t in declared if t.instance_uuid}
    extra = [t for t in derived if t.url not in urls and t.instance_uuid not in uuids]
    return [*declared, *extra]


class ServerIndex:
    def __init__(self, servers: Iterable[ServerRef]) -> None:
        self.by_id: dict[str, ServerRef] = {}
        self.by_ip: dict[str, list[ServerRef]] = {}
        for s in servers:
            self.by_id[s.server_id.lower()] = s
            for address in s.addresses:
                self.by_ip.setdefault(address.strip().lower(), []).append(s)

    def join(self, target: Target, reported_uuid: str | None) -> Joined:
        uuid = target.instance_uuid or (reported_uuid.lower() if reported_uuid else None)
        if uuid and uuid in self.by_id:
            return Joined(uuid, self.by_id[uuid], "uuid")
        by_ip = self.by_ip.get(target.host.strip("[]").lower(), [])
        if len(by_ip) == 1:  # the same fixed IP in two pools cannot tell us which one
            return Joined(by_ip[0].server_id.lower(), by_ip[0], "ip")
        return Joined(uuid or url_key(target.url), None, "none")


def url_key(url: str) -> str:
    return "url-" + hashlib.sha256(url.encode()).hexdigest()[:40]


def duplicate_keys(keys: Mapping[str, str]) -> dict[str, list[str]]:
    """URL -> key pairs -> {url: [other urls sharing its key]} for keys claimed more than once."""
    by_key: dict[str, list[str]] = {}
    for url, key in keys.items():
        by_key.setdefault(key, []).append(url)
    return {
        url: [u for u in urls if u != url]
        for urls in by_key.values()
        if len(urls) > 1
        for url in urls
    }
