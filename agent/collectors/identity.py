"""``govcloud_agent_info{instance_uuid,hostname,os,version} 1``: joins series to Nova servers."""

import re
from typing import Dict, List, Optional, Tuple

from agent import __version__
from agent.collectors.base import Collector, register
from agent.metrics import MetricFamily, gauge
from agent.options import CollectorOptions
from agent.system import System

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Placeholder UUIDs firmware writes when nobody set one; they would join every VM together.
_PLACEHOLDERS = {"00000000-0000-0000-0000-000000000000", "03000200-0400-0500-0006-000700080009"}


def normalise_uuid(raw: Optional[str]) -> Optional[str]:
    """A lower-cased canonical UUID, or None for missing/garbage/placeholder values."""
    if not raw:
        return None
    value = raw.strip().lower()
    if not _UUID.match(value) or value in _PLACEHOLDERS:
        return None
    return value


def resolve_instance_uuid(contents: List[Optional[str]], configured: str) -> str:
    """First valid UUID among the files' contents (DMI, then cloud-init), else ``configured``.

    Nova writes the server id into the SMBIOS product UUID; cloud-init's instance-id is the same id
    on OpenStack and, unlike the DMI file, readable without root.
    """
    for content in contents:
        found = normalise_uuid(content)
        if found:
            return found
    return configured.strip().lower()


def parse_os_release(text: Optional[str]) -> str:
    """``"<ID> <VERSION_ID>"`` from os-release, e.g. ``"kylin V10"``; ``"linux"`` if unknown."""
    values: Dict[str, str] = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip("\"'")
    return " ".join(v for v in (values.get("ID"), values.get("VERSION_ID")) if v) or "linux"


def info_family(instance_uuid: str, hostname: str, os_name: str, version: str) -> MetricFamily:
    family = gauge(
        "govcloud_agent_info",
        "Identity of this host; instance_uuid is the Nova server id when known.",
        labels=("hostname", "instance_uuid", "os", "version"),
    )
    family.add_metric((hostname, instance_uuid, os_name, version), 1.0)
    return family


@register
class IdentityCollector(Collector):
    name = "identity"
    help = "govcloud_agent_info with the instance UUID, hostname, OS and agent version."

    def __init__(self, options: CollectorOptions) -> None:
        super().__init__(options)
        self._labels: Optional[Tuple[str, str, str, str]] = None

    def labels(self, system: System) -> Tuple[str, str, str, str]:
        """(instance_uuid, hostname, os, version), resolved once: they do not change at runtime."""
        if self._labels is None:
            contents = [system.read_file(path) for path in self.options.uuid_files]
            self._labels = (
                resolve_instance_uuid(contents, self.options.instance_uuid),
                system.hostname(),
                parse_os_release(system.read_file(self.options.os_release_file)),
                __version__,
            )
        return self._labels

    def collect(self, system: System) -> List[MetricFamily]:
        instance_uuid, hostname, os_name, version = self.labels(system)
        return [info_family(instance_uuid, hostname, os_name, version)]
