"""Pure microversion negotiation (`OpenStack-API-Version: <service> X.Y`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Version = tuple[int, int]


class VersionNotAcceptable(ValueError):
    """A version outside the supported range: the API answers 406."""


class VersionMalformed(ValueError):
    """A version string that does not parse: the API answers 400."""


@dataclass(frozen=True)
class VersionRange:
    service: str  # "compute", "volume", "placement"
    minimum: Version
    maximum: Version
    legacy_header: str | None = None  # e.g. X-OpenStack-Nova-API-Version

    def text(self, v: Version) -> str:
        return f"{v[0]}.{v[1]}"


def parse(text: str) -> Version:
    major, sep, minor = text.strip().partition(".")
    if not sep or not major.isdigit() or not minor.isdigit():
        raise VersionMalformed(f"Invalid API version request string {text.strip()!r}")
    return int(major), int(minor)


def requested(headers: Mapping[str, str], rng: VersionRange) -> str | None:
    """The requested version text for this service, if the client sent one."""
    value = headers.get("openstack-api-version")
    if value:
        for item in value.split(","):
            service, _, version = item.strip().partition(" ")
            if service.lower() == rng.service and version.strip():
                return version.strip()
    if rng.legacy_header:
        legacy = headers.get(rng.legacy_header.lower())
        if legacy:
            return legacy.strip()
    return None


def negotiate(headers: Mapping[str, str], rng: VersionRange) -> Version:
    """The version to serve: the minimum when none asked, the maximum for `latest`."""
    text = requested(headers, rng)
    if text is None:
        return rng.minimum
    if text.lower() == "latest":
        return rng.maximum
    version = parse(text)
    if not rng.minimum <= version <= rng.maximum:
        raise VersionNotAcceptable(
            f"Version {text} is not supported by the API. Minimum is "
            f"{rng.text(rng.minimum)} and maximum is {rng.text(rng.maximum)}."
        )
    return version


def response_headers(rng: VersionRange, version: Version) -> list[tuple[str, str]]:
    headers = [("OpenStack-API-Version", f"{rng.service} {rng.text(version)}")]
    vary = ["OpenStack-API-Version"]
    if rng.legacy_header:
        headers.append((rng.legacy_header, rng.text(version)))
        vary.append(rng.legacy_header)
    headers.append(("Vary", ", ".join(vary)))
    return headers
