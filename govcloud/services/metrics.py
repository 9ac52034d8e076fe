"""Metrics use cases: collect (scrape -> store), import (agent spool -> store), show (store or
Prometheus -> per-VM window statistics).

Scraping happens outside any transaction; each sweep's results land in one write transaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from govcloud.adapters import scrape, spool_reader
from govcloud.adapters.ssh.session import Passphrase, SshSession
from govcloud.adapters.store import metrics_repo, setting_repo
from govcloud.adapters.store.engine import Store
from govcloud.core import metrics_sweep as sweep
from govcloud.core import utilization
from govcloud.core.errors import UsageError
from govcloud.core.metrics_targets import (
    DEFAULT_PORT,
    ServerIndex,
    Target,
    merge_targets,
    parse_targets,
    targets_from_servers,
)
from govcloud.core.utilization import DAY_S, METRICS
from govcloud.services.settings import Settings
from govcloud.services.store import audited_write, opened


@dataclass(frozen=True)
class CollectOptions:
    targets_file: str | None = None
    port: int | None = None  # derive targets from the store's servers on this port
    concurrency: int = 64
    timeout_s: float = 5.0
    max_body_mib: int = 10
    retention_days: int = 400
    downsample_after_days: int | None = None  # older days are kept at one-hour resolution
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    basic_auth_user: str | None = None
    basic_auth_password_file: str | None = None  # a file, so the secret is not in `ps` output

    @property
    def from_servers(self) -> bool:
        return self.port is not None or self.targets_file is None


@dataclass(frozen=True)
class CollectRow:
    url: str
    name: str | None
    target: str
    server_id: str | None
    joined_by: str
    status: str  # ok | error
    points: int
    duration_ms: int | None
    error: str | None
    note: str | None


@dataclass(frozen=True)
class SweepReport:
    rows: list[CollectRow]
    failed: int
    chunks_written: int
    expired_chunks: int = 0

    def failure_message(self, noun: str = "targets") -> str:
        return f"{self.failed} of {len(self.rows)} {noun} failed"


def load_targets_file(path: str) -> list[Target]:
    """Read with the bounded reader of declared YAML (aliases, depth, size and tags refused)."""
    from govcloud.adapters.yaml_source import read_yaml_file

    if not path.strip() or "\0" in path:
        raise UsageError(f"not a targets file: {path!r}", hint="give the YAML list of targets")
    doc = read_yaml_file(Path(path))
    data = doc.data
    prefix: tuple[str | int, ...] = ()
    if isinstance(data, dict) and "targets" in data:
        prefix = ("targets",)
    items = data.get("targets") if prefix and isinstance(data, dict) else data
    lines: dict[int, int] = {}
    if isinstance(items, list):
        for i in range(len(items)):
            line = doc.line_of((*prefix, i))
            if line is not None:
                lines[i] = line
    return parse_targets(data, path, lines)


def _targets(conn: Connection, opts: CollectOptions) -> tuple[list[Target], ServerIndex]:
    servers = metrics_repo.server_refs(conn)
    declared = load_targets_file(opts.targets_file) if opts.targets_file else []
    if opts.from_servers and setting_repo.get(conn, setting_repo.SANDBOX_ADDRESSES):
        raise UsageError(
            "this store's servers were synced from the built-in sandbox: their addresses are "
            "made up and are never scraped",
            hint="pass --targets FILE naming agents you run (e.g. on 127.0.0.1), without --port",
        )
    derived = targets_from_servers(servers, opts.port or DEFAULT_PORT) if opts.from_servers else []
    targets = merge_targets(declared, derived)
    if not targets:
        raise UsageError(
            "no scrape targets",
            hint="pass --targets FILE, or run `govcloud sync` so servers with addresses exist",
        )
    return targets, ServerIndex(servers)


def scrape_auth(opts: CollectOptions) -> scrape.ScrapeAuth:
    """TLS and basic-auth settings for agents that require them; files are checked up front."""
    if opts.key_file and not opts.cert_file:
        raise UsageError("--key-file needs --cert-file", hint="give the client certificate too")
    password = None
    if opts.basic_auth_user is not None:
        if not opts.basic_auth_password_file:
            raise UsageError(
                "--basic-auth-user needs --basic-auth-password-file",
                hint="put the password in a file readable only by you",
            )
        try:
            text = Path(opts.basic_auth_password_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the basic-auth password file: {exc}") from None
        password = text.rstrip("\r\n")
    auth = scrape.ScrapeAuth(
        opts.ca_file, opts.cert_file, opts.key_file, opts.basic_auth_user, password
    )
    scrape.client_tls(auth)  # bad TLS files fail here, before the sweep
    return auth


def collect_once(settings: Settings, opts: CollectOptions) -> SweepReport:
    with opened(settings) as store:
        return _collect(store, opts)


def _collect(store: Store, opts: CollectOptions) -> SweepReport:
    with store.read() as conn:
        targets, index = _targets(conn, opts)
        previous = metrics_repo.read_states(conn, [t.url for t in targets])
    limits = scrape.ScrapeLimits(timeout_s=opts.timeout_s, max_body_bytes=opts.max_body_mib << 20)
    results = scrape.scrape_sweep(
        [t.url for t in targets], limits, opts.concurrency, scrape_auth(opts)
    )
    outcomes = sweep.assess(
        targets, {r.url: r for r in results}, previous, index, datetime.now(UTC)
    )
    with store.write() as conn:
        written, expired = _store_outcomes(conn, outcomes, opts)
    return _report(outcomes, written, expired)


def _store_outcomes(
    conn: Connection, outcomes: Sequence[sweep.Outcome], opts: CollectOptions
) -> tuple[int, int]:
    written = metrics_repo.write_points(conn, (p for o in outcomes for p in o.points))
    metrics_repo.save_states(conn, [o.state for o in outcomes])
    today = int(time.time() // DAY_S)
    expired = metrics_repo.expire(conn, today - opts.retention_days)
    if opts.downsample_after_days is not None:
        metrics_repo.downsample(conn, today - opts.downsample_after_days, 3600)
    return written, expired


def _report(outcomes: Sequence[sweep.Outcome], written: int, expired: int) -> SweepReport:
    rows = [
        CollectRow(
            url=o.state.url,
            name=o.state.name,
            target=o.state.target,
            server_id=o.state.server_id,
            joined_by=o.state.joined_by,
            status="ok" if o.ok else "error",
            points=len(o.points),
            duration_ms=o.state.last_duration_ms,
            error=o.state.last_error if not o.ok else None,
            note=o.note,
        )
        for o in outcomes
    ]
    return SweepReport(rows, sum(1 for o in outcomes if not o.ok), written, expired)


def collect_loop(
    settings: Settings,
    opts: CollectOptions,
    every_s: float,
    stop: threading.Event,
    on_report: Callable[[SweepReport], None],
) -> int:
    """Sweep every EVERY_S seconds (on a fixed schedule) until STOP is set; returns sweeps run."""
    sweeps = 0
    with opened(settings) as store:
        next_at = time.monotonic()
        while not stop.is_set():
            on_report(_collect(store, opts))
            sweeps += 1
            next_at += every_s
            # A sweep longer than the interval starts the next one at once, never two at a time.
            next_at = max(next_at, time.monotonic())
            stop.wait(next_at - time.monotonic())
    return sweeps


@dataclass(frozen=True)
class ImportReport:
    rows: list[CollectRow]
    files: int
    records: int
    torn_lines: list[str]
    rejected: list[str]
    chunks_written: int


def import_spool(settings: Settings, path: str) -> ImportReport:
    return _import_files(settings, spool_reader.spool_files(Path(path).expanduser()), path)


def _import_files(
    settings: Settings, files: list[Path], path: str, key: str | None = None
) -> ImportReport:
    """KEY, when given, is whose series these are (a declared legacy host's name: its agent
    reports a machine UUID that no server in the store carries, and `migrate plan` reads a
    legacy host's utilization under its name)."""
    report = spool_reader.SpoolReport()
    records = [
        (r.instance_uuid, r.hostname, r.raw) for r in spool_reader.read_records(files, report, key)
    ]
    with opened(settings) as store:
        with store.read() as conn:
            index = ServerIndex(metrics_repo.server_refs(conn))
            urls = sorted({sweep.spool_url(uuid) for uuid, _, _ in records})
            previous = metrics_repo.read_states(conn, urls)
        outcomes = sweep.spool_outcomes(records, previous, index, datetime.now(UTC))

        def change(conn: Connection) -> tuple[int, None, dict[str, object]]:
            written = metrics_repo.write_points(conn, (p for o in outcomes for p in o.points))
            metrics_repo.save_states(conn, [o.state for o in outcomes])
            after: dict[str, object] = {"files": report.files, "records": report.records}
            after["chunks"] = written
            return written, None, after

        written = audited_write(
            store, settings, object_type="metrics_spool", object_id=str(path), change=change
        )
    rows = _report(outcomes, written, 0).rows
    return ImportReport(
        rows, report.files, report.records, report.torn_lines, report.rejected, written
    )


def import_from_hosts(
    settings: Settings, hosts: Sequence[str], remote_dir: str, passphrase: Passphrase | None = None
) -> tuple[ImportReport, list[str]]:
    """Fetch each host's spool files over SFTP (listdir + get) into a private temporary
    directory and import them as `import_spool` does, one audited import per host. One bad
    host or file is an error line (and a `failed` trail record); the others go on."""
    import tempfile

    from govcloud.services import agent_deploy, trail

    merged: list[ImportReport] = []
    errors: list[str] = []
    with (
        opened(settings) as store,
        agent_deploy.connector(settings, store, hosts, passphrase) as (c, _),
    ):
        for host in hosts:
            with tempfile.TemporaryDirectory(prefix="govcloud-spool-") as tmp:
                files, problems = _fetch_spool(c, host, remote_dir, Path(tmp))
                if files:
                    merged.append(
                        _import_files(settings, files, f"{host}:{remote_dir}", key=host.lower())
                    )
            errors += problems
            if problems:
                record = trail.stamp(
                    settings,
                    event="metrics.fetch",
                    object_type="host",
                    object_id=host,
                    outcome="failed",
                    after={"spool_dir": remote_dir, "errors": problems[:20]},
                )
                trail.record_event(store, settings, record)  # fmt: skip
    report = ImportReport(
        [r for m in merged for r in m.rows],
        sum(m.files for m in merged),
        sum(m.records for m in merged),
        [w for m in merged for w in m.torn_lines],
        [w for m in merged for w in m.rejected],
        sum(m.chunks_written for m in merged),
    )
    return report, errors


def _fetch_spool(
    connect: Callable[[str], SshSession], host: str, remote_dir: str, into: Path
) -> tuple[list[Path], list[str]]:
    from govcloud.core.errors import GovcloudError

    try:
        session = connect(host)
    except GovcloudError as exc:
        return [], [exc.message]
    files: list[Path] = []
    problems: list[str] = []
    try:
        names = session.listdir(remote_dir)
        for name in (n for n in names if spool_reader.FILE_PATTERN.match(n)):
            try:
                session.get(f"{remote_dir.rstrip('/')}/{name}", into / name)
                files.append(into / name)
            except GovcloudError as exc:
                problems.append(exc.message)
        if not files and not problems:
            problems.append(f"host {host}: no spool files in {remote_dir}")
    except GovcloudError as exc:
        problems.append(exc.message)
    finally:
        session.close()
    return files, problems


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise UsageError(f"unknown metric {metric!r}", hint="metrics: " + ", ".join(METRICS))
    return metric


@dataclass(frozen=True)
class ShowOptions:
    metric: str = "cpu_pct"
    window_s: int = 14 * DAY_S
    vm: str | None = None
    tenant: str | None = None
    prometheus_url: str | None = None  # None: the embedded store
    prometheus_step_s: int = 300  # evaluation interval of the recording rules


@dataclass(frozen=True)
class UtilizationRow:
    target: str
    server_id: str | None
    name: str | None
    department: str | None
    metric: str
    window_days: float
    p50: float | None
    p90: float | None
    p95: float | None
    p99: float | None
    max: float | None
    avg: float | None
    points: int
    expected_points: int
    coverage_pct: float
    confidence: int
    source: str


@dataclass(frozen=True)
class _Subject:
    key: str
    server_id: str | None
    name: str | None
    department: str | None


def show(settings: Settings, opts: ShowOptions) -> list[UtilizationRow]:
    check_metric(opts.metric)
    now = time.time()
    with opened(settings) as store, store.read() as conn:
        subjects, scoped = _subjects(conn, opts)
        if opts.prometheus_url is None:
            stats = _embedded_stats(conn, opts, [s.key for s in subjects] if scoped else None, now)
            source = "embedded"
        else:
            stats = _prometheus_stats(conn, opts, now)
            source = "prometheus"
    by_key = {s.key: s for s in subjects}
    keys = list(by_key) if scoped else sorted(set(by_key) | set(stats))
    rows = []
    for key in keys:
        subject = by_key.get(key, _Subject(key, None, None, None))
        rows.append(_row(subject, opts, stats.get(key), source))
    return rows


def _row(
    s: _Subject, opts: ShowOptions, st: utilization.WindowStats | None, source: str
) -> UtilizationRow:
    expected = max(1, opts.window_s // utilization.STEP_S)
    st = st or utilization.stats_of((), opts.window_s, expected)
    return UtilizationRow(
        target=s.key,
        server_id=s.server_id,
        name=s.name,
        department=s.department,
        metric=opts.metric,
        window_days=round(opts.window_s / DAY_S, 2),
        p50=st.p50,
        p90=st.p90,
        p95=st.p95,
        p99=st.p99,
        max=st.max,
        avg=st.avg,
        points=st.points,
        expected_points=st.expected_points,
        coverage_pct=round(st.coverage_pct, 1),
        confidence=st.confidence_stars,
        source=source,
    )


def _subjects(conn: Connection, opts: ShowOptions) -> tuple[list[_Subject], bool]:
    """Whose rows to show, and whether that is a scope (VM, tenant) rather than everything."""
    from govcloud.adapters.store import observed_repo
    from govcloud.core.errors import NotFoundError
    from govcloud.core.listing import VmFilter
    from govcloud.services.views import resolve_filter

    states = metrics_repo.read_states(conn)
    if opts.vm:
        by_target = [s for s in states.values() if opts.vm in _names(s)]
        if by_target:
            s = by_target[0]
            return [_Subject(s.target, s.server_id, s.name, _department(conn, s))], True
        try:
            vm = observed_repo.get_server(conn, opts.vm)
        except NotFoundError:
            raise NotFoundError(
                f"no VM or metrics target {opts.vm!r}",
                hint="`govcloud metrics show` lists every target with data",
            ) from None
        return [_Subject(vm.server_id.lower(), vm.server_id, vm.name, vm.department)], True
    scope = resolve_filter(conn, VmFilter(tenant=opts.tenant, limit=None))
    views = observed_repo.list_servers(conn, scope)
    subjects = {
        v.server_id.lower(): _Subject(v.server_id.lower(), v.server_id, v.name, v.department)
        for v in views
    }
    if opts.tenant:
        return list(subjects.values()), True
    for s in states.values():
        subjects.setdefault(s.target, _Subject(s.target, s.server_id, s.name, None))
    return list(subjects.values()), False


def _department(conn: Connection, s: sweep.TargetState) -> str | None:
    """The department of the server a target joined to, as `--tenant` shows it."""
    from govcloud.adapters.store import observed_repo
    from govcloud.core.errors import NotFoundError

    if s.server_id is None:
        return None
    try:
        return observed_repo.get_server(conn, s.server_id).department
    except NotFoundError:  # the server was deleted since its last scrape
        return None


def _names(s: sweep.TargetState) -> set[str | None]:
    return {s.target, s.url, s.name, s.hostname, s.instance_uuid, s.server_id}


def _embedded_stats(
    conn: Connection, opts: ShowOptions, keys: list[str] | None, now: float
) -> dict[str, utilization.WindowStats]:
    end_ts, first_day, last_day = utilization.trailing_window(now, opts.window_s)
    series = metrics_repo.read_series(conn, opts.metric, first_day, last_day, keys)
    return {k: utilization.window_stats(s, end_ts, opts.window_s) for k, s in series.items()}


def _prometheus_stats(
    conn: Connection, opts: ShowOptions, now: float
) -> dict[str, utilization.WindowStats]:
    from govcloud.adapters import prometheus_api

    assert opts.prometheus_url is not None
    api = prometheus_api.PrometheusApi(opts.prometheus_url)
    found = prometheus_api.window_stats(
        api, opts.metric, opts.window_s, opts.prometheus_step_s, now
    )
    index = ServerIndex(metrics_repo.server_refs(conn))
    out: dict[str, utilization.WindowStats] = {}
    for item in found:
        target = Target(f"http://{item.instance}/metrics")
        out[index.join(target, item.instance_uuid).key] = item.stats
    return out
