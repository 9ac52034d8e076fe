"""Host discovery (issue 10 §1): trusting a legacy host's SSH key, sweeping the declared hosts
with the fixed read-only command set, and reading back what was learnt.

Trust is a security decision (security_admin): the key is fetched and added to the managed
known_hosts only when it matches the fingerprint the operator got out of band, or copied from
a known_hosts file the operator names; both are recorded in the trail (event host.trust), a
refused fingerprint too. A sweep gives each host a time budget and runs hosts on a bounded
thread pool: one host that hangs, refuses or returns garbage is that host's error, never the
sweep's; each result is stored as it arrives (event host.discover records the totals).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from govcloud.adapters.ssh import known_hosts
from govcloud.adapters.ssh.client import (
    DEFAULT_TIMEOUTS,
    SshError,
    fetch_host_key,
    host_key_types,
    open_session,
)
from govcloud.adapters.ssh.session import Passphrase, SshTarget, Timeouts
from govcloud.adapters.store import host_repo
from govcloud.adapters.store.engine import Store
from govcloud.core.errors import GovcloudError, NotFoundError, UsageError
from govcloud.core.host_facts import HostFacts
from govcloud.core.lookup import closest_hint
from govcloud.services.settings import Settings, default_config_path
from govcloud.services.store import opened

DEFAULT_HOST_TIMEOUT_S = 120.0
DEFAULT_COMMAND_TIMEOUT_S = 30.0
MAX_CONCURRENCY = 256


def known_hosts_path(settings: Settings) -> Path:
    """The managed file, beside the default config (like the audit key): one per operator."""
    return default_config_path().parent / "known_hosts"


# --- targets ----------------------------------------------------------------------------------


def _targets(conn: Connection) -> tuple[dict[str, SshTarget], dict[str, SshTarget]]:
    """Declared legacy hosts and jump hosts as SSH targets, by name."""
    jumps = {
        j.name: SshTarget(j.name, j.address, j.port, j.ssh_user, j.key_file)
        for j in host_repo.jump_hosts(conn)
    }
    legacy = {
        h.name: SshTarget(
            h.name,
            h.address,
            h.port,
            h.ssh_user,
            h.key_file,
            jumps.get(h.jump_host) if h.jump_host else None,
        )
        for h in host_repo.legacy_hosts(conn)
    }
    return legacy, jumps


def _resolve(legacy: dict[str, SshTarget], jumps: dict[str, SshTarget], name: str) -> SshTarget:
    found = legacy.get(name) or jumps.get(name)
    if found is None:
        raise NotFoundError(
            f"no legacy host or jump host {name!r}", hint=closest_hint(name, [*legacy, *jumps])
        )
    return found


# --- trust ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustResult:
    host: str
    host_id: str  # the known_hosts name: address or [address]:port
    key_type: str
    fingerprint: str
    lines_added: int
    already: bool  # the key was trusted before: nothing written


def _check_fingerprint(text: str) -> str:
    value = text.strip()
    body = value.removeprefix("SHA256:")
    if (
        not value.startswith("SHA256:")
        or len(body) != 43
        or not body.replace("+", "").replace("/", "").isalnum()
    ):
        raise UsageError(
            f"fingerprint {text!r} is not an OpenSSH SHA256 fingerprint",
            hint="give it as `ssh-keygen -lf` prints it: SHA256: and 43 base64 characters",
        )
    return value


def trust(
    settings: Settings,
    name: str,
    *,
    fingerprint: str | None = None,
    from_file: Path | None = None,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    passphrase: Passphrase | None = None,
) -> TrustResult:
    if (fingerprint is None) == (from_file is None):
        raise UsageError("give exactly one of --fingerprint and --from-known-hosts")
    wanted = _check_fingerprint(fingerprint) if fingerprint else None
    with opened(settings) as store:
        with store.read() as conn:
            target = _resolve(*_targets(conn), name)
        path = known_hosts_path(settings)
        hid = known_hosts.host_id(target.address, target.port)
        if from_file is not None:
            entries = _import_lines(from_file, hid, target.name)
        else:
            assert wanted is not None
            entries = _fetch_matching(
                settings, store, target, hid, wanted, path, timeouts, passphrase
            )
        existing = known_hosts.load(path)
        plain = [e for e in entries if e.marker is None]
        if plain and all(_already(existing, hid, e) for e in entries):
            e = plain[0]
            return TrustResult(target.name, hid, e.key_type, e.fingerprint, 0, True)
        before = path.read_bytes() if path.exists() else None
        if from_file is None:
            # a fingerprint the operator vouches for replaces what was trusted for this host
            _drop_host(path, existing, hid)
        known_hosts.add_lines(path, entries)
        shown = plain[0] if plain else entries[0]
        try:
            _record(settings, store, target, hid, "ok", {
                "host_id": hid,
                "key_type": shown.key_type,
                "fingerprint": shown.fingerprint,
                "lines": len(entries),
                "source": str(from_file) if from_file else "fingerprint",
            })  # fmt: skip
        except GovcloudError:
            _restore(path, before)  # not recorded: not trusted
            raise
    return TrustResult(target.name, hid, shown.key_type, shown.fingerprint, len(entries), False)


def _already(existing: Sequence[known_hosts.Entry], hid: str, entry: known_hosts.Entry) -> bool:
    mine = known_hosts.for_host(existing, hid)
    return any(e.marker == entry.marker and e.key == entry.key for e in mine)


def _drop_host(path: Path, existing: Sequence[known_hosts.Entry], hid: str) -> None:
    gone = {e.line for e in existing if e.marker is None and known_hosts.host_matches(e.hosts, hid)}
    if not gone:
        return
    from govcloud.adapters.files import write_private

    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    kept = [line for number, line in enumerate(lines, start=1) if number not in gone]
    write_private(path, "".join(f"{line}\n" for line in kept).encode())


def _restore(path: Path, before: bytes | None) -> None:
    from govcloud.adapters.files import write_private

    if before is None:
        path.unlink(missing_ok=True)
    else:
        write_private(path, before)


def _import_lines(source: Path, hid: str, name: str) -> list[known_hosts.Entry]:
    try:
        text = source.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    found = known_hosts.for_host(known_hosts.parse(text, str(source)), hid)
    if not any(e.marker is None for e in found):
        raise NotFoundError(
            f"{source} has no key for host {name} ({hid})",
            hint="a line must name the host as the ssh client did (`ssh-keygen -F` finds it)",
        )
    return found


def _fetch_matching(
    settings: Settings,
    store: Store,
    target: SshTarget,
    hid: str,
    wanted: str,
    path: Path,
    timeouts: Timeouts,
    passphrase: Passphrase | None,
) -> list[known_hosts.Entry]:
    """The host's key whose fingerprint is WANTED (each algorithm asked in turn: the operator
    may hold the fingerprint of any of the host's keys); refused loudly, and recorded, if none."""
    jump = open_session(target.jump, path, timeouts, passphrase=passphrase) if target.jump else None
    seen: list[str] = []
    try:
        for kind in (None, *host_key_types()):
            sock = jump.forward(target.address, target.port) if jump else None
            try:
                key_type, blob = fetch_host_key(
                    target.address, target.port, timeouts, key_type=kind, sock=sock
                )
            except SshError as exc:
                if kind is None:
                    raise SshError(f"host {target.name}: {exc.message}") from None
                continue  # the host has no key of that type
            got = known_hosts.fingerprint(blob)
            if got == wanted:
                return [known_hosts.Entry(None, known_hosts.hashed_host(hid), key_type, blob, 0)]
            if got not in seen:
                seen.append(got)
    finally:
        if jump is not None:
            jump.close()
    message = (
        f"host {target.name}: fingerprint mismatch: expected {wanted}, "
        f"the host presents {', '.join(seen)}: refused"
    )
    _record(settings, store, target, hid, "refused", {"expected": wanted, "presented": seen})
    raise GovcloudError(
        message, hint="do not trust this host until the fingerprint is confirmed out of band"
    )


def _record(
    settings: Settings,
    store: Store,
    target: SshTarget,
    hid: str,
    outcome: str,
    after: dict[str, object],
) -> None:
    from govcloud.services import trail

    record = trail.stamp(
        settings,
        event="host.trust",
        object_type="host",
        object_id=target.name,
        after=after,
        outcome=outcome,
    )
    trail.record_event(store, settings, record)


# --- discover ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Discovered:
    host: str
    address: str
    ok: bool
    error: str | None
    seconds: float
    facts: HostFacts | None = None


Progress = Callable[[Discovered], None]


def discover(
    settings: Settings,
    names: Sequence[str],
    *,
    every: bool = False,
    concurrency: int = 8,
    host_timeout_s: float = DEFAULT_HOST_TIMEOUT_S,
    command_timeout_s: float = DEFAULT_COMMAND_TIMEOUT_S,
    passphrase: Passphrase | None = None,
    progress: Progress | None = None,
    started: Callable[[int], None] | None = None,
) -> list[Discovered]:
    """Discover NAMES (or every declared legacy host), at most CONCURRENCY at a time, each
    within HOST_TIMEOUT_S; results in the order of the names."""
    if not names and not every:
        raise UsageError("name the hosts to discover, or give --all")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise UsageError(f"--concurrency must be 1..{MAX_CONCURRENCY}, not {concurrency}")
    if not 0 < host_timeout_s <= 3600:
        raise UsageError(f"--timeout must be more than 0 and at most 3600 s, not {host_timeout_s}")
    if not 0 < command_timeout_s <= 3600:
        raise UsageError(
            f"--command-timeout must be more than 0 and at most 3600 s, not {command_timeout_s}"
        )
    path = known_hosts_path(settings)
    locked = once_per_key(passphrase)
    with opened(settings) as store:
        with store.read() as conn:
            legacy, jumps = _targets(conn)
        chosen = list(legacy.values()) if every else [_legacy(legacy, jumps, n) for n in names]
        chosen = list({t.name: t for t in chosen}.values())
        if started:
            started(len(chosen))
        results: dict[str, Discovered] = {}
        with ThreadPoolExecutor(max_workers=min(concurrency, max(len(chosen), 1))) as pool:
            futures = {
                pool.submit(_discover_one, t, path, host_timeout_s, command_timeout_s, locked): t
                for t in chosen
            }
            for future in as_completed(futures):
                result = future.result()
                with store.write() as conn:
                    host_repo.save(
                        conn,
                        result.host,
                        result.address,
                        datetime.now(UTC),
                        result.facts,
                        result.error,
                    )
                results[result.host] = result
                if progress:
                    progress(result)
        ordered = [results[t.name] for t in chosen]
        from govcloud.services import trail

        failed = {r.host: r.error for r in ordered if not r.ok}
        trail.record_event(
            store,
            settings,
            trail.stamp(
                settings,
                event="host.discover",
                object_type="host",
                object_id="*" if every else ",".join(t.name for t in chosen)[:255],
                after={
                    "hosts": len(ordered),
                    "ok": len(ordered) - len(failed),
                    "failed": len(failed),
                    "errors": dict(list(failed.items())[:50]),
                },
                outcome="ok" if not failed else "partial",
            ),
        )
    return ordered


def _legacy(legacy: dict[str, SshTarget], jumps: dict[str, SshTarget], name: str) -> SshTarget:
    if name in jumps and name not in legacy:
        raise UsageError(f"{name} is a jump host: discovery runs on legacy hosts only")
    found = legacy.get(name)
    if found is None:
        raise NotFoundError(f"no legacy host {name!r}", hint=closest_hint(name, list(legacy)))
    return found


def once_per_key(passphrase: Passphrase | None) -> Passphrase | None:
    """Ask for each key file's passphrase once per sweep, one prompt at a time."""
    if passphrase is None:
        return None
    lock, known = threading.Lock(), dict[str, str | None]()

    def ask(path: str) -> str | None:
        with lock:
            if path not in known:
                known[path] = passphrase(path)
            return known[path]

    return ask


def _discover_one(
    target: SshTarget,
    path: Path,
    budget_s: float,
    command_s: float,
    passphrase: Passphrase | None,
) -> Discovered:
    """Connect and run the command set within BUDGET_S; every failure is this host's error.
    A command that outlives COMMAND_S fails the host there (a read-only command that hangs,
    e.g. `df` on a dead NFS mount, says the host needs a look, not more waiting)."""
    from govcloud.core.host_commands import COMMANDS
    from govcloud.core.host_parse import CommandOutput, parse_all

    begin = time.monotonic()
    deadline = begin + budget_s

    def failed(message: str) -> Discovered:
        return Discovered(target.name, target.address, False, message, time.monotonic() - begin)

    stage = min(10.0, budget_s)
    timeouts = Timeouts(
        connect_s=stage, banner_s=stage, auth_s=min(15.0, budget_s), command_s=command_s
    )
    try:
        session = open_session(target, path, timeouts, passphrase=passphrase)
    except GovcloudError as exc:
        return failed(exc.message)
    except Exception as exc:
        return failed(f"host {target.name}: {type(exc).__name__}: {exc}")
    outputs: dict[str, CommandOutput] = {}
    try:
        for command in COMMANDS:
            left = deadline - time.monotonic()
            if left <= 0:
                return failed(
                    f"host {target.name}: timed out after {budget_s:g} s "
                    f"(at `{' '.join(command.argv)}`)"
                )
            limit = min(command_s, left)
            result = session.run(command.argv, timeout_s=limit)
            if result.exit_status is None:
                shown = " ".join(command.argv)
                if limit < command_s:  # the host's budget ran out first
                    return failed(
                        f"host {target.name}: timed out after {budget_s:g} s (at `{shown}`)"
                    )
                return failed(f"host {target.name}: `{shown}` timed out after {limit:g} s")
            outputs[command.key] = CommandOutput(result.exit_status, result.stdout, result.stderr)
        collected = datetime.now(UTC)
        facts = parse_all(target.name, target.address, collected, outputs)
    except GovcloudError as exc:
        return failed(exc.message)
    except Exception as exc:
        return failed(f"host {target.name}: {type(exc).__name__}: {exc}")
    finally:
        session.close()
    return Discovered(target.name, target.address, True, None, time.monotonic() - begin, facts)


# --- read -------------------------------------------------------------------------------------


def statuses(settings: Settings) -> list[host_repo.HostStatus]:
    with opened(settings) as store, store.read() as conn:
        return host_repo.statuses(conn)


def status(settings: Settings, name: str) -> host_repo.HostStatus:
    rows = statuses(settings)
    for row in rows:
        if row.host == name:
            return row
    raise NotFoundError(f"no legacy host {name!r}", hint=closest_hint(name, [r.host for r in rows]))
