"""GET calls to OpenStack services: retries, error translation, pagination with a loop guard.

Only idempotent GETs are retried: on connection failures, timeouts, 5xx and 429, with full-jitter
exponential backoff. 403 is never retried; on a 401 keystoneauth re-authenticates once, and a
401 to the fresh token is retried like a 5xx (tokens revoked under a running sync), since wrong
credentials already fail in the token request. Every error names the pool and the
call, e.g. "pool zw-prod: GET /servers/detail: 503 after 4 tries".

A call's budget (`--timeout`) covers all its tries and the waits between them: a cloud that
never answers fails the pool after that long, not after tries x timeout. A call still waiting
after a few seconds is told once (what it waits for, and when it gives up): a sync whose
stderr is no terminal is never silent for minutes.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from govcloud.core.errors import CloudError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_ERROR_TEXT_MAX = 200
STALL_AFTER_S = 5.0  # a call waiting this long is told (once)
MIN_TRY_S = 1.0  # a retry needs at least this much of the call's budget left


@contextmanager
def quiet_sdk() -> Iterator[None]:
    """openstacksdk 4.x warns about its own internal arguments on raw calls; not ours to fix,
    and a warning on stderr would break the empty-stderr promise of `-o json`."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning, module="openstack")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="openstack")
        yield


@dataclass(frozen=True)
class RetryPolicy:
    tries: int = 4
    base_s: float = 0.5
    cap_s: float = 8.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay_s(self, attempt: int, retry_after: str | None = None) -> float:
        """Full jitter; a server's Retry-After (seconds) is honoured up to the cap."""
        if retry_after and retry_after.strip().isdigit():
            return min(self.cap_s, float(retry_after.strip()))
        return self.rng.uniform(0, min(self.cap_s, self.base_s * 2**attempt))


class NoEndpoint(Exception):
    """The service is not in this cloud's catalog (e.g. a cloud without Cinder)."""


class BadRequest(CloudError):
    """400: the service refuses the query (e.g. a filter this cloud does not accept)."""


class Missing(CloudError):
    """404: the path does not exist here (e.g. a Cinder without snapshots). Still a
    `CloudError`, so callers that do not expect it fail as before."""


class StallWatch:
    """Tells, once per call, a call that has waited longer than AFTER_S for an answer.

    One watcher thread for all the calls in flight, alive only while there are some."""

    def __init__(self, tell: Callable[[str], None], after_s: float = STALL_AFTER_S) -> None:
        self._tell, self._after_s = tell, after_s
        self._lock = threading.Lock()
        self._calls: dict[int, tuple[float, Callable[[float], str]]] = {}
        self._next = 0
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()

    @contextmanager
    def watching(self, describe: Callable[[float], str]) -> Iterator[None]:
        """DESCRIBE(seconds waited) -> the line to tell while the block still runs."""
        with self._lock:
            key = self._next = self._next + 1
            self._calls[key] = (time.monotonic(), describe)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="stall", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._calls.pop(key, None)

    def _run(self) -> None:
        while True:
            self._wake.wait(min(1.0, self._after_s / 2))
            now, due = time.monotonic(), []
            with self._lock:
                if not self._calls:
                    self._thread = None
                    return
                for key, (t0, describe) in list(self._calls.items()):
                    if now - t0 >= self._after_s:
                        due.append(describe(now - t0))
                        del self._calls[key]  # told once
            for line in due:
                self._tell(line)


@dataclass
class Api:
    """GETs against one pool's Connection.

    It counts the HTTP requests it sends (retries included: what the cloud had to answer) and
    keeps the cloud's own time from the responses' `Date` headers, the first and the newest:
    an incremental sync's watermark is the cloud's time, never the local clock's.
    """

    pool_code: str
    conn: Any
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    budget_s: float | None = None  # one call: all its tries and waits (None: tries alone bound it)
    watch: StallWatch | None = None
    requests: int = 0
    first_date: datetime | None = None
    last_date: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def get(
        self,
        service: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        microversion: str | None = None,
        on_headers: Callable[[Mapping[str, str]], None] | None = None,
    ) -> dict[str, Any]:
        call = f"GET {path}"
        last, last_retry_after = "", None
        start, tried = time.monotonic(), 0
        for attempt in range(self.policy.tries):
            if attempt:
                delay = self.policy.delay_s(attempt - 1, last_retry_after)
                if self._left(start, delay) < MIN_TRY_S:
                    break  # the call's budget is spent: say so now rather than overrun it
                self.sleep(delay)
            last_retry_after = None
            tried += 1
            try:
                with self._watching(service, call, start):
                    resp = self._send(service, path, params, microversion, self._left(start))
                    if resp.status_code == 401:
                        # keystoneauth re-authenticates once, but not when a parallel request is
                        # already doing so (its invalidate() then returns False): one more try
                        # picks up the fresh token; wrong credentials fail in the token request
                        resp = self._send(service, path, params, microversion, self._left(start))
            except _Retry as exc:
                last = exc.reason
                continue
            if resp.status_code in RETRY_STATUSES:
                last = f"{resp.status_code}"
                last_retry_after = resp.headers.get("Retry-After")
                continue
            if resp.status_code == 401:
                # the fresh token was revoked too (a Keystone revoking tokens under a running
                # sync, or a parallel call's re-authentication): wrong credentials would have
                # failed in the token request itself, so another try is worth it
                last = "401 Unauthorized after re-authenticating"
                continue
            if on_headers is not None:
                on_headers(getattr(resp, "headers", None) or {})
            return self._body(call, resp)
        spent = "" if tried == self.policy.tries else f" in {time.monotonic() - start:.0f} s"
        hint = "--timeout bounds each call, its retries included" if spent else None
        if last.startswith("401"):
            hint = "the token was rejected after each re-authentication: check the credentials"
        tries = "1 try" if tried == 1 else f"{tried} tries"
        raise self.error(f"{call}: {last} after {tries}{spent}", hint=hint)

    def authenticate(self) -> None:
        """Get the token within the call budget. keystoneauth's version discovery may try two
        URLs and then the token request, each with the full HTTP timeout: against a Keystone
        that accepts connections and never answers that was 2-3 x --timeout of silence. Here
        the wait is bounded as a whole; an error keystoneauth raises is left to the first call,
        which retries and translates it as usual."""
        if self.budget_s is None:
            return
        done, start = threading.Event(), time.monotonic()

        def work() -> None:
            # an error here is met again, retried and translated by the first GET
            with contextlib.suppress(Exception), quiet_sdk():
                self.conn.session.get_token()
            done.set()

        whom = self._awaited("identity")
        threading.Thread(target=work, name=f"auth-{self.pool_code}", daemon=True).start()
        with self._watching("identity", "authenticate", start):
            answered = done.wait(self.budget_s)
        if not answered:
            raise self.error(
                f"authenticate: no answer from {whom} in {self.budget_s:.0f} s",
                hint="--timeout bounds the wait for Keystone as a whole; check auth_url",
            )

    def _left(self, start: float, wait_s: float = 0.0) -> float:
        """Seconds of the call's budget left after waiting WAIT_S (no budget: unbounded)."""
        if self.budget_s is None:
            return float("inf")
        return self.budget_s - (time.monotonic() - start) - wait_s

    @contextmanager
    def _watching(self, service: str, call: str, start: float) -> Iterator[None]:
        if self.watch is None:
            yield
            return

        def describe(waited: float) -> str:
            whom = self._awaited(service)
            limit = f", gives up after {self.budget_s:.0f} s" if self.budget_s else ""
            return (
                f"pool {self.pool_code}: {call}: waiting for {whom}: "
                f"no answer after {time.monotonic() - start:.0f} s{limit}"
            )

        with self.watch.watching(describe):
            yield

    def _awaited(self, service: str) -> str:
        """What a call waits for: Keystone (and where) while there is no token yet, else the
        service."""
        auth = getattr(getattr(self.conn, "session", None), "auth", None)
        if auth is not None and getattr(auth, "auth_ref", None) is None:
            return f"Keystone at {getattr(auth, 'auth_url', '?')} (authenticating)"
        return {"identity": "Keystone"}.get(service, f"the {service} service")

    def _send(
        self,
        service: str,
        path: str,
        params: Mapping[str, Any] | None,
        mv: str | None,
        left_s: float = float("inf"),
    ) -> Any:
        from keystoneauth1 import exceptions as ksa
        from openstack.exceptions import ServiceDisabledException

        try:
            adapter = getattr(self.conn, service)
            kwargs: dict[str, Any] = {"params": dict(params or {}), "raise_exc": False}
            if mv:
                kwargs["microversion"] = mv
            if left_s != float("inf"):
                kwargs["timeout"] = max(left_s, MIN_TRY_S)
            with self._lock:
                self.requests += 1
            with quiet_sdk():
                resp = adapter.get(path, connect_retries=0, **kwargs)
            self._saw_date((getattr(resp, "headers", None) or {}).get("Date"))
            return resp
        except (ksa.EndpointNotFound, ServiceDisabledException):  # not in the catalog
            raise NoEndpoint(service) from None
        except ksa.SSLError as exc:
            raise self.error(
                f"GET {path}: TLS error: {_short(exc)}",
                hint="set cacert (or verify) for this cloud in clouds.yaml",
            ) from None
        except ksa.Unauthorized:
            raise self.error(
                "authenticate (POST /v3/auth/tokens): 401 Unauthorized",
                hint="check user name, password and project in clouds.yaml (wrong or expired?)",
            ) from None
        except ksa.HttpError as exc:  # from the auth plugin: the token request failed
            if exc.http_status in RETRY_STATUSES:
                raise _Retry(f"authenticate: {exc.http_status}") from None
            raise self.error(
                f"authenticate: {exc.http_status} {_short(exc)}",
                hint="check the auth section of clouds.yaml",
            ) from None
        except (ksa.ConnectTimeout, ksa.ConnectFailure, ksa.RetriableConnectionFailure) as exc:
            raise _Retry(_connect_reason(exc)) from None
        except AssertionError as exc:
            if not _raised_in(exc, "keystoneauth1"):
                raise
            # keystoneauth's get_access reads the token outside the lock a parallel call's
            # invalidate() clears it under: the token was being replaced, try again
            raise _Retry("token being replaced (re-authentication race)") from None
        except ksa.DiscoveryFailure as exc:  # version discovery of auth_url wraps its cause
            text = str(exc)
            if "SSL" in text:
                raise self.error(
                    f"GET {path}: TLS error reaching Keystone: {_tail(text)}",
                    hint="set cacert (or verify) for this cloud in clouds.yaml",
                ) from None
            if "Unable to establish connection" in text or "timed out" in text:
                raise _Retry(f"Keystone {_connect_reason(exc)}") from None
            raise self.error(
                f"GET {path}: {_short(exc)}", hint="check auth_url in clouds.yaml"
            ) from None
        except (ksa.CatalogException, ksa.AuthorizationFailure) as exc:
            raise self.error(f"GET {path}: {_short(exc)}") from None
        except ksa.ClientException as exc:
            raise self.error(f"GET {path}: {type(exc).__name__}: {_short(exc)}") from None

    def _saw_date(self, value: object) -> None:
        if not isinstance(value, str) or not value:
            return
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return  # a malformed Date proves nothing about the cloud's clock
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        with self._lock:
            if self.first_date is None:
                self.first_date = moment
            if self.last_date is None or moment > self.last_date:
                self.last_date = moment

    def _body(self, call: str, resp: Any) -> dict[str, Any]:
        status = resp.status_code
        if status == 401:
            raise self.error(
                f"{call}: 401 Unauthorized after re-authenticating",
                hint="the token was rejected twice: check the credentials in clouds.yaml",
            )
        if status == 403:
            raise self.error(
                f"{call}: 403 Forbidden: {_error_text(resp)}",
                hint="sync needs an admin (or reader with all-projects) role on this cloud",
            )
        if status == 406:
            raise self.error(
                f"{call}: 406 Not Acceptable: {_error_text(resp)}",
                hint="the service is older than the microversion govcloud needs",
            )
        if status == 404:
            raise Missing(f"pool {self.pool_code}: {call}: 404 {_error_text(resp)}")
        if status == 400:
            raise BadRequest(f"pool {self.pool_code}: {call}: 400 {_error_text(resp)}")
        if status >= 400:
            raise self.error(f"{call}: {status} {_error_text(resp)}")
        try:
            body = resp.json()
        except ValueError:
            raise self.error(f"{call}: {status} but the body is not JSON") from None
        if not isinstance(body, dict):
            raise self.error(f"{call}: unexpected body (a JSON object was expected)")
        return body

    def error(self, message: str, hint: str | None = None) -> CloudError:
        return CloudError(f"pool {self.pool_code}: {message}", hint=hint)

    def pages(
        self,
        service: str,
        path: str,
        key: str,
        params: Mapping[str, Any],
        *,
        microversion: str | None = None,
        on_page: Callable[[int], None] | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """All items of a marker-paginated listing, and how many duplicates were dropped."""
        listing = Listing(self, service, path, key, params, microversion, on_page)
        items = [item for page in listing for item in page]
        return items, listing.duplicates


@dataclass
class Listing:
    """A marker-paginated listing, fetched one page per step of the iteration.

    Each step yields the page's new items, so a caller can turn them into compact records and
    let the raw JSON go before the next page arrives (100,000 raw servers would take a GiB).
    A next marker seen before (pagination that does not advance, or loops) and a page made only
    of items already seen are errors: the listing would never complete honestly.
    """

    api: Api
    service: str
    path: str
    key: str
    params: Mapping[str, Any]
    microversion: str | None = None
    on_page: Callable[[int], None] | None = None
    duplicates: int = 0
    listed: int = 0
    on_headers: Callable[[Mapping[str, str]], None] | None = None

    def __iter__(self) -> Iterator[list[dict[str, Any]]]:
        seen: set[str] = set()
        markers: set[str] = set()
        marker: str | None = None
        while True:
            query = {**self.params, **({"marker": marker} if marker else {})}
            hook = {"on_headers": self.on_headers} if self.on_headers else {}
            body = self.api.get(self.service, self.path, query, self.microversion, **hook)
            page = self._page(body)
            fresh = self._fresh(page, seen)
            if page and not fresh:
                raise self.api.error(
                    f"GET {self.path}: page after marker {marker!r} repeats items already listed",
                    hint="the API's pagination loops; nothing was written for this pool",
                )
            self.listed += len(fresh)
            if self.on_page:
                self.on_page(self.listed)
            nxt = next_marker(body, self.key, page)
            del body, page  # the caller's records are all that is kept of this page
            yield fresh
            if nxt is None:
                return
            if nxt in markers or nxt == marker:
                raise self.api.error(
                    f"GET {self.path}: pagination marker {nxt!r} does not advance",
                    hint="the API's next link repeats; nothing was written for this pool",
                )
            markers.add(nxt)
            marker = nxt

    def _page(self, body: dict[str, Any]) -> list[Any]:
        page = body.get(self.key)
        if not isinstance(page, list):
            raise self.api.error(f"GET {self.path}: response has no {self.key!r} list")
        if body.get("truncated") is True:  # Keystone's list_limit cut the list short
            raise self.api.error(
                f"GET {self.path}: the list is truncated by the server's list_limit",
                hint="raise [DEFAULT] list_limit in the service's configuration",
            )
        return page

    def _fresh(self, page: list[Any], seen: set[str]) -> list[dict[str, Any]]:
        fresh = []
        for item in page:
            item_id = str(item.get("id")) if isinstance(item, dict) else ""
            if not item_id or item_id in seen:
                self.duplicates += 1
                continue
            seen.add(item_id)
            fresh.append(item)
        return fresh


class _Retry(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def next_marker(body: Mapping[str, Any], key: str, page: list[Any]) -> str | None:
    """The marker of the `next` link (Nova/Cinder `<key>_links`, Keystone `links.next`)."""
    href: str | None = None
    links = body.get(f"{key}_links")
    if isinstance(links, list):
        for link in links:
            if isinstance(link, dict) and link.get("rel") == "next":
                href = link.get("href")
    elif isinstance(body.get("links"), dict):
        href = body["links"].get("next")
    if not href:
        return None
    marker = parse_qs(urlsplit(href).query).get("marker")
    if marker:
        return marker[-1]
    last = page[-1] if page else None
    return str(last["id"]) if isinstance(last, dict) and "id" in last else None


def _raised_in(exc: BaseException, package: str) -> bool:
    """Whether EXC was raised by code of PACKAGE (its innermost frame)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and f"/{package}/" in tb.tb_frame.f_code.co_filename


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:_ERROR_TEXT_MAX]


def _tail(text: str) -> str:
    """The innermost reason of a wrapped urllib3 error, e.g. 'WRONG_VERSION_NUMBER'."""
    return text.rsplit(":", 1)[-1].strip(" )'\"")[:_ERROR_TEXT_MAX] or "handshake failed"


def _connect_reason(exc: BaseException) -> str:
    text = str(exc)
    for needle, reason in (
        ("timed out", "timed out"),
        ("Timeout", "timed out"),
        ("refused", "connection refused"),
        ("reset", "connection reset"),
        ("Name or service not known", "host name does not resolve"),
    ):
        if needle in text:
            return reason
    return f"cannot connect ({type(exc).__name__})"


def _error_text(resp: Any) -> str:
    """The message of an OpenStack error body: {"itemNotFound": {"message": ...}} and kin."""
    try:
        body = resp.json()
    except ValueError:
        return (resp.reason or "").strip()[:_ERROR_TEXT_MAX]
    if isinstance(body, dict):
        if isinstance(body.get("errors"), list) and body["errors"]:
            first = body["errors"][0]
            if isinstance(first, dict):
                return str(first.get("detail") or first.get("title") or "")[:_ERROR_TEXT_MAX]
        for value in body.values():
            if isinstance(value, dict) and "message" in value:
                return str(value["message"])[:_ERROR_TEXT_MAX]
    return (resp.reason or "").strip()[:_ERROR_TEXT_MAX]
