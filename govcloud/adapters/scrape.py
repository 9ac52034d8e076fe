"""Scraping exporters over HTTP: many at once, each bounded in time, size and trust.

Every target gets a whole-request deadline (connect + headers + body: a server that trickles
one byte a second is cut at the deadline, not kept alive by each byte), a body limit counted
after decompression (a gzip bomb is cut as soon as its output passes the limit), a line limit
for the parser, and a concurrency bound over the sweep. Whatever a target does is that target's
error, never the sweep's.

A small HTTP/1.1 client on asyncio streams rather than urllib: urllib's timeout applies to each
socket operation, so it cannot enforce a deadline over a whole response.
"""

from __future__ import annotations

import asyncio
import base64
import re
import ssl
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from govcloud import __version__
from govcloud.core.errors import UsageError
from govcloud.core.metrics_sweep import Scrape
from govcloud.core.rates import USED_METRICS, RawScrape, Sample, reduce_samples

MIB = 1024 * 1024
_PIECE = 64 * 1024


@dataclass(frozen=True)
class ScrapeLimits:
    timeout_s: float = 5.0
    max_body_bytes: int = 10 * MIB  # after decompression
    max_lines: int = 200_000  # bounds the parser's memory whatever the body holds
    max_header_bytes: int = 64 * 1024
    parse_in_thread_bytes: int = MIB  # big bodies parse off the event loop


@dataclass(frozen=True)
class ScrapeAuth:
    """How govcloud proves itself to agents that ask (node_exporter web-config style)."""

    ca_file: str | None = None  # trust this CA instead of the system store
    cert_file: str | None = None  # client certificate for mutual TLS
    key_file: str | None = None
    username: str | None = None  # basic auth, sent over https only
    password: str | None = None


@dataclass(frozen=True)
class _Client:
    context: ssl.SSLContext
    authorization: str | None


def client_tls(auth: ScrapeAuth) -> ssl.SSLContext:
    """One TLS context for the whole sweep; a bad file is a usage error before any scrape."""
    try:
        context = ssl.create_default_context(cafile=auth.ca_file)
        if auth.cert_file:
            context.load_cert_chain(auth.cert_file, auth.key_file)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(
            f"cannot use the scrape TLS files: {_first_line(exc)}",
            hint="check --ca-file, --cert-file and --key-file (PEM)",
        ) from None
    return context


def _client(auth: ScrapeAuth | None) -> _Client:
    auth = auth or ScrapeAuth()
    header = None
    if auth.username is not None:
        token = base64.b64encode(f"{auth.username}:{auth.password or ''}".encode()).decode()
        header = f"Basic {token}"
    return _Client(client_tls(auth), header)


class ScrapeError(Exception):
    """A target's own failure: its message becomes that target's error."""


def scrape_sweep(
    urls: Sequence[str],
    limits: ScrapeLimits | None = None,
    concurrency: int = 64,
    auth: ScrapeAuth | None = None,
) -> list[Scrape]:
    """Scrape URLS concurrently (at most CONCURRENCY at a time); results in the same order."""
    client = _client(auth)
    return asyncio.run(scrape_all(urls, limits or ScrapeLimits(), concurrency, client))


async def scrape_all(
    urls: Sequence[str], limits: ScrapeLimits, concurrency: int, client: _Client | None = None
) -> list[Scrape]:
    gate = asyncio.Semaphore(max(1, concurrency))
    client = client or _client(None)

    async def one(url: str) -> Scrape:
        async with gate:
            return await scrape_one(url, limits, client)

    return list(await asyncio.gather(*(one(u) for u in urls)))


async def scrape_one(url: str, limits: ScrapeLimits, client: _Client | None = None) -> Scrape:
    started = time.monotonic()
    try:
        async with asyncio.timeout(limits.timeout_s):
            body = await fetch(url, limits, client or _client(None))
        ts = time.time()
        if len(body) > limits.parse_in_thread_bytes:
            raw = await asyncio.to_thread(parse_exposition, ts, body, limits)
        else:
            raw = parse_exposition(ts, body, limits)
        if not raw.counters and not raw.gauges:
            raise ScrapeError(
                "no utilization metrics in the response"
                + (" (empty body)" if not body.strip() else ": is this a govcloud-agent?")
            )
        return Scrape(url, raw, None, time.monotonic() - started)
    except TimeoutError:
        error = f"no complete response within {limits.timeout_s:g}s"
    except ScrapeError as exc:
        error = str(exc)
    except ssl.SSLError as exc:
        error = f"TLS: {exc.reason or exc}"
    except asyncio.IncompleteReadError:
        error = "connection closed mid-response"
    except (OSError, asyncio.LimitOverrunError, ValueError) as exc:
        error = _os_error_text(exc)
    return Scrape(url, None, error, time.monotonic() - started)


def _os_error_text(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, asyncio.LimitOverrunError | ValueError):
        return f"response header line over the limit ({exc})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


async def fetch(url: str, limits: ScrapeLimits, client: _Client) -> bytes:
    parts = urlsplit(url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    if client.authorization and not https:
        raise ScrapeError("basic auth is sent over https only; use an https:// target")
    context = client.context if https else None
    auth_line = f"Authorization: {client.authorization}\r\n" if client.authorization else ""
    reader, writer = await asyncio.open_connection(
        host, port, ssl=context, limit=limits.max_header_bytes
    )
    try:
        target = (parts.path or "/metrics") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.netloc.rsplit("@", 1)[-1]
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {host_header}\r\n"
            f"User-Agent: govcloud/{__version__}\r\n{auth_line}"
            "Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1\r\n"
            "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n".encode("ascii")
        )
        await writer.drain()
        headers = await _read_head(reader, limits)
        return await _read_body(reader, headers, limits)
    finally:
        writer.close()


async def _read_head(reader: asyncio.StreamReader, limits: ScrapeLimits) -> dict[str, str]:
    status = (await reader.readline()).decode("latin-1").split(None, 2)
    if len(status) < 2 or not status[0].startswith("HTTP/"):
        raise ScrapeError("not an HTTP response")
    if status[1] != "200":
        raise ScrapeError(
            f"HTTP {status[1]} {status[2].strip() if len(status) > 2 else ''}".strip()
        )
    headers: dict[str, str] = {}
    total = 0
    while True:
        line = await reader.readline()
        total += len(line)
        if total > limits.max_header_bytes:
            raise ScrapeError("response headers over the limit")
        if line in (b"\r\n", b"\n"):
            return headers
        if not line:
            raise ScrapeError("connection closed in the response headers")
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()


class _Body:
    """Collects the body, decompressing gzip on the fly, refusing to grow past the limit."""

    def __init__(self, encoding: str, limit: int) -> None:
        if encoding not in ("", "identity", "gzip"):
            raise ScrapeError(f"unsupported Content-Encoding {encoding!r}")
        self.limit = limit
        self.raw_bytes = 0
        self.parts: list[bytes] = []
        self.size = 0
        self.inflater = zlib.decompressobj(wbits=31) if encoding == "gzip" else None

    def feed(self, data: bytes) -> None:
        self.raw_bytes += len(data)
        if self.raw_bytes > self.limit:
            raise ScrapeError(f"body over the {self.limit // MIB} MiB limit")
        if self.inflater is None:
            self._keep(data)
            return
        try:
            while data:
                self._keep(self.inflater.decompress(data, self.limit - self.size + 1))
                data = self.inflater.unconsumed_tail
        except zlib.error as exc:
            raise ScrapeError(f"bad gzip body: {exc}") from None

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise ScrapeError(f"body over the {self.limit // MIB} MiB limit after decompression")
        self.parts.append(data)

    def value(self) -> bytes:
        if self.inflater is not None and not self.inflater.eof:
            raise ScrapeError("truncated gzip body")
        return b"".join(self.parts)


async def _read_body(
    reader: asyncio.StreamReader, headers: dict[str, str], limits: ScrapeLimits
) -> bytes:
    body = _Body(headers.get("content-encoding", "").lower(), limits.max_body_bytes)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size_line = await reader.readline()
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ScrapeError("bad chunked encoding") from None
            if size == 0:
                return body.value()
            await _copy(reader, size, body)
            await reader.readexactly(2)
    length = headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise ScrapeError(f"bad Content-Length {length!r}")
        if int(length) > limits.max_body_bytes:
            raise ScrapeError(f"body of {int(length):,} bytes over the limit")
        await _copy(reader, int(length), body)
        return body.value()
    while piece := await reader.read(_PIECE):
        body.feed(piece)
    return body.value()


async def _copy(reader: asyncio.StreamReader, size: int, body: _Body) -> None:
    while size > 0:
        piece = await reader.read(min(size, _PIECE))
        if not piece:
            raise ScrapeError("connection closed mid-body")
        body.feed(piece)
        size -= len(piece)


def parse_exposition(ts: float, body: bytes, limits: ScrapeLimits) -> RawScrape:
    """Parse with prometheus_client's parser; any failure of it is this target's error."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScrapeError(f"exposition is not UTF-8 (byte {exc.start})") from None
    lines = text.count("\n")
    if lines > limits.max_lines:
        raise ScrapeError(f"exposition has {lines:,} lines (limit {limits.max_lines:,})")
    wanted = _wanted_lines(text)

    def samples() -> Iterator[Sample]:
        for family in text_string_to_metric_families(wanted):
            for s in family.samples:
                yield s.name, s.labels, float(s.value)

    try:
        return reduce_samples(ts, samples())
    except Exception as exc:  # hostile input may trip any error inside the parser
        raise ScrapeError(f"malformed exposition: {_first_line(exc)}") from None


_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def _wanted_lines(text: str) -> str:
    """The lines of the series utilization uses, for the parser.

    prometheus_client's parser walks every character in Python (node_exporter's ~1,500 lines
    take tens of milliseconds): a sweep over 1,000 targets would spend most of its time parsing
    series it then drops. Lines of other series are only checked to start with a metric name;
    a malformed line of a series we use is still the parser's error, so this target's error.
    """
    keep = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) > 2 and parts[1] in ("HELP", "TYPE") and parts[2] in USED_METRICS:
                keep.append(line)
            continue
        match = _NAME.match(line)
        if match is None:
            raise ScrapeError(f"malformed exposition: line {number} does not start with a name")
        if match.group() in USED_METRICS:
            keep.append(line)
    keep.append("")
    return "\n".join(keep)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
