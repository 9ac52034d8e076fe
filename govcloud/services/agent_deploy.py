"""`govcloud agent deploy`: probe each host over SSH, plan (core/agent_deploy.py), carry it out.

Per host: probe (python3, systemd, what is installed and running), plan, then — unless dry
run — an `intent` audit record, the steps in order, one verify (a scrape through the session's
`direct-tcpip` forward to the agent's own listen address, or a spool file in spool mode) and the
outcome record. Nothing connects to a host's address except through its SSH session. One host's
failure is that host's rows and record; the others go on.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from govcloud.adapters.ssh.session import Passphrase, SshSession
from govcloud.core import agent_deploy as core
from govcloud.core.errors import GovcloudError, StoreError, UsageError
from govcloud.services.settings import Settings

EVENT = "agent.deploy"
VERIFY_ATTEMPTS = 20
VERIFY_PAUSE_S = 0.5  # the agent needs a moment to bind (or to write its first spool record)
MAX_SCRAPE_BYTES = 16 * 1024 * 1024
SPOOL_FILE = r"^spool-\d{8}T\d{6}Z\.jsonl$"

Connect = Callable[[str], SshSession]  # host name -> an open, verified session
Record = Callable[[str, str, dict[str, Any], int | None], int]  # host, outcome, after, ref


@runtime_checkable
class _Stream(Protocol):
    """What `SshSession.forward` returns (a paramiko Channel): enough of a socket to scrape."""

    def settimeout(self, timeout: float | None) -> None: ...
    def sendall(self, data: bytes) -> None: ...
    def recv(self, size: int) -> bytes: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class DeployRow:
    host: str
    step: int
    action: str
    detail: str
    status: str  # planned | done | ok | failed | not_run
    error: str | None = None


@dataclass(frozen=True)
class DeployReport:
    rows: list[DeployRow]
    hosts: int
    failed: list[str]  # host names

    def failure_message(self) -> str:
        return f"agent deploy failed on {len(self.failed)} of {self.hosts} hosts: " + ", ".join(
            self.failed[:10]
        )


@dataclass(frozen=True)
class Artifacts:
    """What every host gets: the zipapp (and its digest) and the two unit templates."""

    pyz: Path
    sha256: str
    templates: dict[str, str]


# --- artifacts --------------------------------------------------------------------------------


def packaging_dir() -> Path:
    """agent/packaging next to the installed `agent` package (units, zipapp builder)."""
    spec = importlib.util.find_spec("agent")
    if spec is None or spec.origin is None:
        raise UsageError("the govcloud-agent sources are not installed with govcloud")
    return Path(spec.origin).parent / "packaging"


def load_templates(folder: Path | None = None) -> dict[str, str]:
    folder = folder or packaging_dir()
    out = {}
    for variant, name in core.UNIT_FILES.items():
        try:
            out[variant] = (folder / name).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot read the unit template {folder / name}: {exc.strerror}"
            ) from None
    return out


@contextmanager
def artifacts(zipapp: Path | None) -> Iterator[Artifacts]:
    """ZIPAPP as given, or one built now from the agent sources (agent/packaging)."""
    templates = load_templates()
    if zipapp is not None:
        yield Artifacts(zipapp, _sha256(zipapp), templates)
        return
    with tempfile.TemporaryDirectory(prefix="govcloud-agent-") as tmp:
        out = Path(tmp) / core.PYZ_NAME
        builder = packaging_dir() / "build_zipapp.py"
        done = subprocess.run(
            [sys.executable, str(builder), "--output", str(out)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not out.is_file():
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise UsageError(f"building the agent zipapp failed: {last}", hint="pass --zipapp")
        yield Artifacts(out, _sha256(out), templates)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 16):
                digest.update(chunk)
    except OSError as exc:
        raise UsageError(f"cannot read the zipapp {path}: {exc.strerror}") from None
    return digest.hexdigest()


# --- one host ---------------------------------------------------------------------------------


def probe(
    session: SshSession, host: str, opts: core.DeployOptions, install_dir: str | None
) -> core.HostState:
    python = _result(session.run(("python3", "-c", core.PROBE_PYTHON)))
    info = core.parse_python(host, *python)
    version = None
    if opts.service == "systemd":
        version = core.parse_systemd_version(session.run(("systemctl", "--version")).stdout)
    where = core.layout(opts, info, version, install_dir)
    argv = (info.python, "-c", core.PROBE_FILES, where.pyz_path, core.UNIT_PATH,
            where.pid_path, opts.spool_dir or "", core.SYSTEM_USER)  # fmt: skip
    files = _result(session.run(argv))
    active = enabled = False
    if version is not None:
        active = _first_word(session, "is-active") == "active"
        enabled = _first_word(session, "is-enabled") == "enabled"
    return core.parse_files(host, info, version, files, active, enabled)


def _first_word(session: SshSession, verb: str) -> str:
    out = session.run(("systemctl", verb, core.UNIT_NAME)).stdout.split()
    return out[0].decode("ascii", "replace") if out else ""


def _result(r: Any) -> tuple[int | None, bytes, bytes]:
    return r.exit_status, r.stdout, r.stderr


def plan_host(
    session: SshSession,
    host: str,
    opts: core.DeployOptions,
    art: Artifacts,
    install_dir: str | None = None,
) -> tuple[core.HostState, core.DeployPlan]:
    state = probe(session, host, opts, install_dir)
    return state, core.plan(host, opts, state, art.sha256, art.templates, install_dir)


def run_plan(
    session: SshSession, host: str, opts: core.DeployOptions, art: Artifacts, plan: core.DeployPlan
) -> Iterator[tuple[core.Step, str | None]]:
    """Carry out PLAN's steps in order, yielding each with None (done) or its error; stops at
    the first failure (later steps depend on the earlier ones)."""
    for step in plan.steps:
        try:
            _execute(session, host, opts, art, plan, step)
        except GovcloudError as exc:
            yield step, exc.message
            return
        yield step, None


def _execute(
    session: SshSession,
    host: str,
    opts: core.DeployOptions,
    art: Artifacts,
    plan: core.DeployPlan,
    step: core.Step,
) -> None:
    if step.action == "copy_agent":
        _check(host, step, session.run(("mkdir", "-p", "--", plan.layout.install_dir)))
        session.put(art.pyz, plan.layout.pyz_path, 0o755)
    elif step.action == "write_unit":
        assert plan.unit_text is not None
        with tempfile.TemporaryDirectory(prefix="govcloud-unit-") as tmp:
            from govcloud.adapters.files import write_private

            local = Path(tmp) / core.UNIT_NAME
            write_private(local, plan.unit_text.encode())
            session.put(local, core.UNIT_PATH, 0o644)
    elif step.action == "verify":
        _verify(session, host, opts)
    else:
        _check(host, step, session.run(step.argv, timeout_s=60))


def _check(host: str, step: core.Step, result: Any) -> None:
    if result.exit_status == 0:
        return
    if result.exit_status is None:
        raise core.DeployError(f"{host}: {step.action} timed out")
    last = (result.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
    raise core.DeployError(f"{host}: {step.action} failed (exit {result.exit_status}): {last}")


def _verify(session: SshSession, host: str, opts: core.DeployOptions) -> None:
    import re

    problem = "not tried"
    for attempt in range(VERIFY_ATTEMPTS):
        if attempt:
            time.sleep(VERIFY_PAUSE_S)
        try:
            if opts.spool_dir:
                names = session.listdir(opts.spool_dir)
                found = [n for n in names if re.match(SPOOL_FILE, n)]
                problem = "" if found else f"no spool file in {opts.spool_dir}"
            else:
                problem = scrape(session, *core.scrape_address(opts)) or ""
        except GovcloudError as exc:
            problem = exc.message
        if not problem:
            return
    raise core.DeployError(f"{host}: verify failed: {problem}")


def scrape(session: SshSession, address: str, port: int, timeout_s: float = 10.0) -> str | None:
    """GET /metrics through the session's forward to ADDRESS:PORT as the host sees it; None
    when the answer is a 200 with samples, else what is wrong."""
    chan = session.forward(address, port)
    if not isinstance(chan, _Stream):
        raise core.DeployError(f"{session.target.name}: the SSH forward is not a stream")
    host = f"[{address}]" if ":" in address else address
    data = bytearray()
    try:
        chan.settimeout(timeout_s)
        chan.sendall(
            f"GET /metrics HTTP/1.0\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        while len(data) < MAX_SCRAPE_BYTES:
            chunk = chan.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        return f"scrape {host}:{port}: {exc.strerror or type(exc).__name__}"
    finally:
        chan.close()
    return core.check_scrape(bytes(data))


# --- many hosts -------------------------------------------------------------------------------


def deploy_hosts(
    hosts: Sequence[str],
    opts: core.DeployOptions,
    art: Artifacts,
    connect: Connect,
    record: Record | None,
    *,
    install_dir: str | None = None,
    concurrency: int = 8,
    listen: Mapping[str, str] | None = None,
) -> DeployReport:
    """Deploy to HOSTS (RECORD None: dry run, nothing changed or recorded); LISTEN: a listen
    address per host instead of OPTS' (the host's own address)."""
    core.check_options(opts)
    if install_dir is not None:
        core.check_install_dir(install_dir)
    lock = threading.Lock()

    def locked(host: str, outcome: str, after: dict[str, Any], ref: int | None) -> int:
        assert record is not None
        with lock:
            return record(host, outcome, after, ref)

    def one(host: str) -> list[DeployRow]:
        mine = replace(opts, listen_address=listen[host]) if listen else opts
        return _deploy_one(host, mine, art, connect, locked if record else None, install_dir)

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(hosts) or 1))) as pool:
        per_host = list(pool.map(one, hosts))
    rows = [r for rows in per_host for r in rows]
    failed = [rows[0].host for rows in per_host if any(r.status == "failed" for r in rows)]
    return DeployReport(rows, len(hosts), failed)


def _deploy_one(
    host: str,
    opts: core.DeployOptions,
    art: Artifacts,
    connect: Connect,
    record: Record | None,
    install_dir: str | None,
) -> list[DeployRow]:
    try:
        session = connect(host)
    except GovcloudError as exc:
        _record_failure(record, host, exc.message, None)
        return [DeployRow(host, 0, "connect", "open the SSH session", "failed", exc.message)]
    try:
        try:
            state, plan = plan_host(session, host, opts, art, install_dir)
        except GovcloudError as exc:
            _record_failure(record, host, exc.message, None)
            return [DeployRow(host, 0, "probe", "probe the host", "failed", exc.message)]
        if record is None:
            return [
                DeployRow(host, i, s.action, s.detail, "planned")
                for i, s in enumerate(plan.steps, 1)
            ]
        return _carry_out(session, host, opts, art, state, plan, record)
    finally:
        session.close()


def _carry_out(
    session: SshSession,
    host: str,
    opts: core.DeployOptions,
    art: Artifacts,
    state: core.HostState,
    plan: core.DeployPlan,
    record: Record,
) -> list[DeployRow]:
    summary = _summary(opts, art, plan)
    # the intent is committed before anything changes; if it cannot be, nothing is done
    try:
        intent = record(host, "intent", summary, None) if plan.changes else None
    except StoreError as exc:
        return [DeployRow(host, 0, "record", "audit intent", "failed", exc.message)]
    rows: list[DeployRow] = []
    results = dict.fromkeys(range(len(plan.steps)), "not_run")
    error: str | None = None
    for i, (step, problem) in enumerate(run_plan(session, host, opts, art, plan)):
        results[i] = "failed" if problem else ("ok" if step.action == "verify" else "done")
        error = error or problem
    for i, step in enumerate(plan.steps):
        rows.append(DeployRow(host, i + 1, step.action, step.detail, results[i], None))
    if error:
        last = max(i for i, s in results.items() if s == "failed")
        rows[last] = DeployRow(host, last + 1, plan.steps[last].action,
                               plan.steps[last].detail, "failed", error)  # fmt: skip
    after = {
        **summary,
        "done": [s.action for i, s in enumerate(plan.steps) if results[i] in ("done", "ok")],
    }
    if error:
        after["error"] = error
    try:
        record(host, "failed" if error else "ok", after, intent)
    except StoreError as exc:
        rows.append(DeployRow(host, 0, "record", "audit outcome", "failed", exc.message))
    return rows


def _summary(opts: core.DeployOptions, art: Artifacts, plan: core.DeployPlan) -> dict[str, Any]:
    out: dict[str, Any] = {
        "service": opts.service,
        "variant": plan.layout.variant,
        "pyz": plan.layout.pyz_path,
        "pyz_sha256": art.sha256,
        "steps": [s.action for s in plan.steps],
    }
    if opts.spool_dir:
        out["spool_dir"] = opts.spool_dir
    else:
        out["listen_address"] = opts.listen_address
    return out


def _record_failure(record: Record | None, host: str, error: str, ref: int | None) -> None:
    if record is None:
        return
    # the host's row says it failed already; nothing was changed on it
    with contextlib.suppress(StoreError):
        record(host, "failed", {"error": error}, ref)


def trail_recorder(settings: Settings, store: Any) -> Record:
    """RECORD for deploy_hosts: one audit record per call (event agent.deploy, object = host)."""
    from govcloud.services import trail

    def record(host: str, outcome: str, after: dict[str, Any], ref: int | None) -> int:
        stamped = trail.stamp(settings, event=EVENT, object_type="host", object_id=host,
                              after=after, outcome=outcome, ref=ref)  # fmt: skip
        return trail.record_event(store, settings, stamped).seq

    return record


# --- the command ------------------------------------------------------------------------------


def deploy(
    settings: Settings,
    hosts: Sequence[str],
    opts: core.DeployOptions,
    *,
    listen_on_host: bool = False,
    install_dir: str | None = None,
    zipapp: Path | None = None,
    dry_run: bool = False,
    concurrency: int = 8,
    passphrase: Passphrase | None = None,
) -> DeployReport:
    """`govcloud agent deploy`: HOSTS are declared legacy hosts (hosts.yaml), reached with their
    SSH user, key and jump host, trusted through `govcloud host trust` only."""
    from govcloud.services.store import opened

    core.check_options(opts)
    with (
        opened(settings) as store,
        connector(settings, store, hosts, passphrase) as (connect, addresses),
    ):
        per_host = None
        if listen_on_host:
            port = opts.listen[1]
            per_host = {h: _bracket(addresses[h]) + f":{port}" for h in hosts}
        with artifacts(zipapp) as art:
            record = None if dry_run else trail_recorder(settings, store)
            return deploy_hosts(hosts, opts, art, connect, record, install_dir=install_dir,
                                concurrency=concurrency, listen=per_host)  # fmt: skip


def _bracket(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@contextmanager
def connector(
    settings: Settings, store: Any, hosts: Sequence[str], passphrase: Passphrase | None = None
) -> Iterator[tuple[Connect, dict[str, str]]]:
    """CONNECT for declared HOSTS (their user, port, key file and jump host) and their
    addresses; an undeclared name is a usage error before any connection. PASSPHRASE is asked
    once per key file for encrypted keys (None: ssh-agent or unencrypted keys only)."""
    from govcloud.adapters.ssh.client import open_session
    from govcloud.adapters.ssh.session import SshTarget
    from govcloud.adapters.store import host_repo
    from govcloud.services.hosts import known_hosts_path, once_per_key

    with store.read() as conn:
        declared = {h.name: h for h in host_repo.legacy_hosts(conn)}
        jumps = {j.name: j for j in host_repo.jump_hosts(conn)}
    unknown = [h for h in hosts if h not in declared]
    unknown += [
        f"{h} (jump host {declared[h].jump_host})"
        for h in hosts
        if h in declared and declared[h].jump_host and declared[h].jump_host not in jumps
    ]
    if unknown:
        raise UsageError(
            "not declared in hosts.yaml: " + ", ".join(unknown[:10]),
            hint="add them to legacy_hosts and run `govcloud inventory load`",
        )
    known = known_hosts_path(settings)

    def target(name: str) -> SshTarget:
        h = declared[name]
        j = jumps.get(h.jump_host) if h.jump_host else None
        via = SshTarget(j.name, j.address, j.port, j.ssh_user, j.key_file) if j else None
        return SshTarget(h.name, h.address, h.port, h.ssh_user, h.key_file, via)

    ask = once_per_key(passphrase)

    def connect(name: str) -> SshSession:
        return open_session(target(name), known, passphrase=ask)

    yield connect, {h: declared[h].address for h in hosts}
