"""Host name, distribution, version and kernel from release files and uname.

/etc/os-release is the source where it exists; CentOS/RHEL 6 only have /etc/redhat-release
("CentOS release 6.10 (Final)"). The release line often carries the precise point release
(os-release says VERSION_ID="7", centos-release says 7.9.2009), so it refines the version when
both agree on the major.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govcloud.core.host_parse.text import decode, first_line

_RELEASE_LINE = re.compile(r"^(?P<name>.+?)\s+release\s+(?P<version>[\w.\-]+)", re.IGNORECASE)
_RELEASE_IDS = (  # first word(s) of a *-release line -> os-release style ID
    ("centos", "centos"),
    ("red hat", "rhel"),
    ("rocky", "rocky"),
    ("almalinux", "almalinux"),
    ("oracle", "ol"),
    ("kylin", "kylin"),
    ("neokylin", "neokylin"),
    ("uniontech", "uos"),
    ("openeuler", "openEuler"),
)


@dataclass(frozen=True)
class OsInfo:
    os_id: str | None = None
    os_name: str | None = None
    os_version: str | None = None


def parse_os_release(raw: bytes) -> dict[str, str]:
    """KEY=value lines (values optionally quoted); anything else is skipped."""
    values: dict[str, str] = {}
    for line in decode(raw).splitlines():
        key, sep, value = line.strip().partition("=")
        if not sep or not key.replace("_", "").isalnum():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return values


def parse_release_line(raw: bytes) -> OsInfo:
    """`CentOS Linux release 7.1.1503 (Core)` -> centos, the line, 7.1.1503."""
    line = first_line(raw)
    if line is None:
        return OsInfo()
    match = _RELEASE_LINE.match(line)
    if match is None:
        return OsInfo(os_name=line)
    lowered = line.lower()
    os_id = next((i for prefix, i in _RELEASE_IDS if lowered.startswith(prefix)), None)
    return OsInfo(os_id=os_id, os_name=line, os_version=match.group("version"))


def parse_os(
    os_release: bytes | None, release_lines: list[bytes], debian_version: bytes | None
) -> OsInfo:
    """Combine os-release with the distribution's own release file(s)."""
    fields = parse_os_release(os_release) if os_release else {}
    line = next((i for i in map(parse_release_line, release_lines) if i.os_name), OsInfo())
    os_id = fields.get("ID", "").lower() or line.os_id
    name = fields.get("PRETTY_NAME") or _joined(fields.get("NAME"), fields.get("VERSION"))
    version = fields.get("VERSION_ID") or line.os_version
    precise = line.os_version
    if debian_version and os_id == "debian":
        precise = first_line(debian_version)
    if version and precise and precise != version and precise.startswith(version + "."):
        version = precise
    return OsInfo(os_id=os_id or None, os_name=name or line.os_name, os_version=version)


def _joined(name: str | None, version: str | None) -> str | None:
    if name and version:
        return f"{name} {version}"
    return name
