"""``govcloud-agent`` entry point: wire settings, collectors, HTTP server and spool together."""

import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import Dict, Optional, Sequence, Type

from agent.collectors import COLLECTORS, Collector
from agent.collectors.identity import IdentityCollector
from agent.config import Settings, load_settings, parse_listen_address
from agent.config_file import ConfigError
from agent.scrape import AgentCollector, build_registry, iter_samples
from agent.system import ProcSystem, System

log = logging.getLogger("govcloud_agent")


class Stop(Exception):
    """Raised in the main thread by SIGTERM/SIGINT to leave the serve loop."""


def resolve_backend(settings: Settings) -> str:
    """``proc`` or ``psutil``: ``auto`` picks psutil only where procfs has no ``stat`` file
    (Windows, the BSDs, AIX, Solaris), so Linux hosts never need psutil."""
    backend: str = settings["collector.backend"]
    if backend == "auto":
        has_proc = os.path.exists(os.path.join(settings["path.procfs"], "stat"))
        backend = "proc" if has_proc else "psutil"
    return backend


def collector_classes(backend: str) -> Dict[str, Type[Collector]]:
    if backend == "proc":
        return COLLECTORS
    try:
        from agent.collectors.portable import portable_collectors
    except ImportError as exc:
        raise ConfigError(
            f"--collector.backend psutil needs the psutil module ({exc}); install python3-psutil "
            "or 'pip install psutil', or use --collector.backend proc on Linux"
        ) from None
    return portable_collectors()


def build_agent(settings: Settings, system: System) -> AgentCollector:
    options = settings.collector_options()
    classes = collector_classes(resolve_backend(settings))
    return AgentCollector([classes[name](options) for name in settings.collectors], system)


def spool_loop(settings: Settings, agent: AgentCollector, stop: threading.Event) -> None:
    """Collect every interval and append one record; runs until ``stop`` is set."""
    from agent.spool import SpoolWriter, encode_record

    writer = SpoolWriter(settings["spool.dir"], settings["spool.max-bytes"])
    identity = IdentityCollector(settings.collector_options())
    instance_uuid, hostname, _, _ = identity.labels(agent.system)
    interval = settings["spool.interval"]
    while True:
        try:
            samples = iter_samples(agent.collect())
            writer.append(encode_record(agent.system.time(), instance_uuid, hostname, samples))
        except OSError as exc:  # full disk etc.: keep serving, try again next interval
            log.error("spool write failed: %s", exc)
        if stop.wait(interval):
            return


def _make_server(settings: Settings, agent: AgentCollector):  # type: ignore[no-untyped-def]
    from agent.server import AgentHTTPServer, MetricsApp
    from agent.webconfig import BasicAuth, TLSContextSource, load_web_config

    tls, auth = None, None
    if settings["web.config.file"]:
        web = load_web_config(settings["web.config.file"])
        tls = TLSContextSource(web.tls) if web.tls else None
        auth = BasicAuth(web.basic_auth_users) if web.basic_auth_users else None
    registry = build_registry(agent, settings.process_metrics)
    return AgentHTTPServer(
        parse_listen_address(settings["web.listen-address"]),
        MetricsApp(registry, auth),
        tls=tls,
        handshake_timeout_s=settings["web.handshake-timeout"],
        max_connections=settings["web.max-connections"],
        read_timeout_s=settings["web.read-timeout"],
    )


def _raise_stop(signum: int, frame: Optional[FrameType]) -> None:
    raise Stop


def run(settings: Settings) -> int:
    agent = build_agent(settings, ProcSystem(settings["path.procfs"], settings["path.rootfs"]))
    server = None if settings["web.disable"] else _make_server(settings, agent)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        if settings["spool.dir"] and server is None:
            spool_loop(settings, agent, stop)
        elif server is not None:
            if settings["spool.dir"]:
                threading.Thread(
                    target=spool_loop, args=(settings, agent, stop), name="spool", daemon=True
                ).start()
            host, port = server.server_address[:2]
            scheme = "https" if server.tls else "http"
            log.info(
                "listening on %s://%s",
                scheme,
                f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            )
            server.serve_until_stopped()
        else:
            raise ConfigError("nothing to do: --web.disable without --spool.dir")
    except Stop:
        log.info("stopping")
    finally:
        stop.set()
        if server is not None:
            server.server_close()
        agent.close()
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        settings = load_settings(argv)
        logging.basicConfig(
            level=settings["log.level"].upper(),
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s govcloud-agent: %(message)s",
        )
        return run(settings)
    except ConfigError as exc:
        print(f"govcloud-agent: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. address in use, permission denied on a low port
        print(f"govcloud-agent: error: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _zipapp_main() -> None:
    """Entry point of govcloud-agent.pyz (zipapp wants a callable that does not return a code)."""
    sys.exit(main())


if __name__ == "__main__":
    sys.exit(main())
