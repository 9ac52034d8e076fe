"""Command-line flags and the optional ``--config.file`` (same keys as the flags); flags win."""

import argparse
import re
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from agent import __version__
from agent.collectors import COLLECTORS
from agent.config_file import ConfigError, load_mapping
from agent.options import (
    DEFAULT_DISK_EXCLUDE,
    DEFAULT_FSTYPE_EXCLUDE,
    DEFAULT_MOUNT_EXCLUDE,
    DEFAULT_NETDEV_EXCLUDE,
    DEFAULT_STAT_IN_WORKER,
    DEFAULT_UUID_FILES,
    CollectorOptions,
)

# 9109: free in the Prometheus default-port list next to node_exporter's 9100.
DEFAULT_LISTEN = "127.0.0.1:9109"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1024,
    "ki": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "mi": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": 1024**3,
    "gi": 1024**3,
    "t": 1000**4,
    "tb": 1000**4,
    "tib": 1024**4,
}


def parse_duration(value: Any) -> float:
    """Seconds from ``60``, ``"60s"``, ``"500ms"``, ``"1m"``, ``"1h"``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ConfigError(f"invalid duration {value!r} (e.g. 60s, 500ms, 5m)")
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}[match.group(2) or "s"]
    return float(match.group(1)) * scale


def parse_size(value: Any) -> int:
    """Bytes from ``1048576``, ``"50MiB"``, ``"10MB"``, ``"512KiB"``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.match(str(value))
    unit = (match.group(2) or "").lower() if match else None
    if not match or unit not in _SIZE_UNITS:
        raise ConfigError(f"invalid size {value!r} (e.g. 50MiB, 10MB, 1048576)")
    return int(float(match.group(1)) * _SIZE_UNITS[unit])


def parse_listen_address(value: str) -> Tuple[str, int]:
    """``"127.0.0.1:9109"`` / ``"[::1]:9109"`` -> (host, port); an empty host is refused so the
    agent never binds every interface unless ``0.0.0.0`` or ``[::]`` is written explicitly."""
    host, sep, port = value.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host:
        raise ConfigError(
            f"--web.listen-address {value!r} needs an explicit host, e.g. 127.0.0.1:9109; "
            "write 0.0.0.0:9109 or [::]:9109 to listen on all interfaces"
        )
    if not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"--web.listen-address {value!r}: invalid port")
    return host, int(port)


def _text(value: Any) -> str:
    return str(value)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("1", "true", "yes", "on"):
        return True
    if str(value).lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"invalid boolean {value!r}")


def _paths(value: Any) -> Tuple[str, ...]:
    items = value if isinstance(value, list) else str(value).split(",")
    return tuple(str(p).strip() for p in items if str(p).strip())


# key -> (converter, default, help). Keys are the flag names without dashes and the file keys.
OPTIONS: Dict[str, Tuple[Callable[[Any], Any], Any, str]] = {
    "web.listen-address": (_text, DEFAULT_LISTEN, "host:port to listen on (explicit host)"),
    "web.config.file": (_text, "", "node_exporter-style web config (TLS, basic auth)"),
    "web.disable": (_flag, False, "do not serve HTTP (spool-only hosts)"),
    "web.max-connections": (int, 64, "concurrent connections served"),
    "web.handshake-timeout": (parse_duration, 5.0, "TLS handshake deadline"),
    "web.read-timeout": (parse_duration, 5.0, "deadline for a client to send its request"),
    "collector.backend": (_text, "auto", "proc, psutil, or auto: psutil where there is no procfs"),
    "collector.filesystem.mount-points-exclude": (_text, DEFAULT_MOUNT_EXCLUDE, "regex"),
    "collector.filesystem.fs-types-exclude": (_text, DEFAULT_FSTYPE_EXCLUDE, "regex"),
    "collector.filesystem.stat-timeout": (parse_duration, 1.0, "statvfs deadline per scrape"),
    "collector.filesystem.stat-in-worker": (_text, DEFAULT_STAT_IN_WORKER, "fstype regex"),
    "collector.disk.device-exclude": (_text, DEFAULT_DISK_EXCLUDE, "regex"),
    "collector.network.device-exclude": (_text, DEFAULT_NETDEV_EXCLUDE, "regex"),
    "instance-uuid": (_text, "", "instance UUID if neither DMI nor cloud-init has one"),
    "identity.uuid-files": (_paths, DEFAULT_UUID_FILES, "comma-separated files tried in order"),
    "identity.os-release-file": (_text, "/etc/os-release", "os-release file"),
    "path.procfs": (_text, "/proc", "procfs mount point"),
    "path.rootfs": (_text, "/", "prefix for statvfs paths (agent in a container)"),
    "spool.dir": (_text, "", "append samples to rotating JSON Lines files here"),
    "spool.interval": (parse_duration, 60.0, "spool sampling interval"),
    "spool.max-bytes": (parse_size, 50 * 1024**2, "bound of the spool directory"),
    "log.level": (_text, "info", "debug, info, warning or error"),
}
EXTRA_COLLECTORS = {"process": "Python process/GC metrics of the agent itself."}
LOG_LEVELS = ("debug", "info", "warning", "error")
BACKENDS = ("auto", "proc", "psutil")
REGEX_KEYS = (
    "collector.filesystem.mount-points-exclude",
    "collector.filesystem.fs-types-exclude",
    "collector.filesystem.stat-in-worker",
    "collector.disk.device-exclude",
    "collector.network.device-exclude",
)
# Below this the spool loop is a busy loop (0s once wrote 6.5 MB/s at 100% CPU); the spool is for
# minute-scale history, a scrape is the tool for anything finer.
MIN_SPOOL_INTERVAL_S = 1.0


def check_values(values: Dict[str, Any]) -> None:
    """Refuse values that would start an agent which then serves nothing, spins or crashes."""
    if values["web.max-connections"] < 1:
        raise ConfigError(
            f"--web.max-connections must be at least 1, got {values['web.max-connections']} "
            "(it bounds the connections served at once; there is no unlimited setting)"
        )
    for key in ("web.handshake-timeout", "web.read-timeout"):
        if values[key] <= 0:
            raise ConfigError(f"--{key} must be more than 0s, e.g. 5s")
    if values["spool.interval"] < MIN_SPOOL_INTERVAL_S:
        raise ConfigError(
            f"--spool.interval must be at least {MIN_SPOOL_INTERVAL_S:g}s, "
            f"got {values['spool.interval']:g}s"
        )
    if values["log.level"].lower() not in LOG_LEVELS:
        raise ConfigError(
            f"--log.level {values['log.level']!r} is not a log level; use one of "
            + ", ".join(LOG_LEVELS)
        )
    if values["collector.backend"] not in BACKENDS:
        raise ConfigError(
            f"--collector.backend {values['collector.backend']!r} is not a backend; use one of "
            + ", ".join(BACKENDS)
        )
    for key in REGEX_KEYS:
        try:
            re.compile(values[key])
        except re.error as exc:
            raise ConfigError(f"--{key}: invalid regular expression: {exc}") from None


class Settings:
    """The merged settings; a plain class because dataclasses need Python 3.7."""

    __slots__ = ("collectors", "process_metrics", "values")

    def __init__(
        self, values: Dict[str, Any], collectors: Tuple[str, ...], process_metrics: bool
    ) -> None:
        self.values = values
        self.collectors = collectors
        self.process_metrics = process_metrics

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def collector_options(self) -> CollectorOptions:
        v = self.values
        return CollectorOptions(
            mount_exclude=v["collector.filesystem.mount-points-exclude"],
            fstype_exclude=v["collector.filesystem.fs-types-exclude"],
            disk_exclude=v["collector.disk.device-exclude"],
            netdev_exclude=v["collector.network.device-exclude"],
            stat_timeout_s=v["collector.filesystem.stat-timeout"],
            stat_in_worker=v["collector.filesystem.stat-in-worker"],
            instance_uuid=v["instance-uuid"],
            uuid_files=v["identity.uuid-files"],
            os_release_file=v["identity.os-release-file"],
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govcloud-agent", description="node_exporter-compatible utilization exporter."
    )
    parser.add_argument("--version", action="version", version=f"govcloud-agent {__version__}")
    parser.add_argument(
        "--config.file",
        dest="config.file",
        default=None,
        help="YAML or JSON file with the same keys as these flags",
    )
    for key, (_, default, text) in OPTIONS.items():
        if key == "web.disable":
            parser.add_argument(
                "--web.disable", dest=key, action="store_const", const=True, default=None, help=text
            )
            continue
        parser.add_argument(f"--{key}", dest=key, default=None, help=f"{text} (default {default})")
    every = {name: cls.help for name, cls in sorted(COLLECTORS.items())}
    every.update(EXTRA_COLLECTORS)
    for name, text in every.items():
        key = f"collector.{name}"
        parser.add_argument(
            f"--{key}",
            dest=key,
            action="store_const",
            const=True,
            default=None,
            help=f"enable: {text}",
        )
        parser.add_argument(
            f"--no-{key}",
            dest=key,
            action="store_const",
            const=False,
            default=None,
            help=argparse.SUPPRESS,
        )
    return parser


def load_settings(argv: Optional[Sequence[str]] = None) -> Settings:
    """Defaults, overlaid by the config file, overlaid by explicit flags."""
    args = vars(build_parser().parse_args(argv))
    explicit = {k: v for k, v in args.items() if v is not None and k != "config.file"}
    from_file = load_mapping(args["config.file"]) if args["config.file"] else {}
    known = set(OPTIONS) | {f"collector.{n}" for n in (*COLLECTORS, *EXTRA_COLLECTORS)}
    unknown = sorted(set(from_file) - known)
    if unknown:
        raise ConfigError(f"{args['config.file']}: unknown keys {unknown}")
    merged = {key: default for key, (_, default, _) in OPTIONS.items()}
    for key, raw in {**from_file, **explicit}.items():
        convert = OPTIONS[key][0] if key in OPTIONS else _flag
        try:
            merged[key] = convert(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{key}: {exc}") from None
    parse_listen_address(merged["web.listen-address"])
    check_values(merged)
    enabled = tuple(
        name
        for name, cls in COLLECTORS.items()
        if merged.get(f"collector.{name}", cls.default_enabled)
    )
    return Settings(merged, enabled, bool(merged.get("collector.process", False)))
