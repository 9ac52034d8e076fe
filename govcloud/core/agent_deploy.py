"""Deploying govcloud-agent over SSH: what a host has, what it should have, the steps between.

Pure: the service probes the host (two fixed Python snippets and `systemctl`, all argv lists),
this module turns the answers into a `HostState`, compares it with what is wanted and returns
the steps. A step is planned only when something differs, so a second deploy plans nothing but
the verify (idempotent), and `--dry-run` shows exactly the plan a real run would carry out.

Layout: root installs to /opt/govcloud-agent and a systemd unit (the hardened one on systemd
>= 235, the variant for CentOS 7's systemd 219 below that); any other user, only with
`service="none"`, installs under ~/.local/share/govcloud-agent and runs the agent detached
with a PID file (no systemd: containers, tests, hosts whose owners forbid a unit).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from govcloud.core.errors import GovcloudError, UsageError

UNIT_NAME = "govcloud-agent.service"
UNIT_PATH = "/etc/systemd/system/govcloud-agent.service"
ROOT_DIR = "/opt/govcloud-agent"
USER_DIR = ".local/share/govcloud-agent"  # under the login user's home
PYZ_NAME = "govcloud-agent.pyz"
PID_NAME = "govcloud-agent.pid"
LOG_NAME = "govcloud-agent.log"
STATE_DIR = "/var/lib/govcloud-agent"  # StateDirectory= of the hardened unit
SYSTEM_USER = "govcloud-agent"  # the fixed user of the systemd 219 variant
HARDENED_MIN_SYSTEMD = 235  # DynamicUser= with StateDirectory=
MIN_PYTHON = (3, 6)
SERVICES = ("systemd", "none")
HARDENED, SYSTEMD_219 = "hardened", "systemd219"
UNIT_FILES = {HARDENED: "govcloud-agent.service", SYSTEMD_219: "govcloud-agent-systemd219.service"}

# Values that end up in a unit's ExecStart= or an argv: plain characters only, so systemd's
# quoting, specifiers (%) and variables ($) can never be reached through them.
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/-]*$")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[0-9A-Za-z.:-]+)$")

# Fixed snippets run with the host's python3 (>= 3.6: no f-strings needed, none used). Paths
# are passed as argv, never spliced into the code.
PROBE_PYTHON = (
    "import json, os, sys; print(json.dumps({'uid': os.getuid(), "
    "'home': os.path.expanduser('~'), 'python': sys.executable, "
    "'version': list(sys.version_info[:2])}))"
)
PROBE_FILES = """
import hashlib, json, os, pwd, sys
pyz, unit, pidf, spool, user = sys.argv[1:6]
def text(p):
    try:
        with open(p, 'rb') as f:
            return f.read(1048576).decode('utf-8', 'replace')
    except OSError:
        return None
def sha(p):
    try:
        h = hashlib.sha256()
        with open(p, 'rb') as f:
            for b in iter(lambda: f.read(65536), b''):
                h.update(b)
        return h.hexdigest()
    except OSError:
        return None
pid, argv = None, None
t = text(pidf)
if t and t.strip().isdigit():
    pid = int(t.strip())
    c = text('/proc/%d/cmdline' % pid)
    if c:
        argv = c.rstrip('\\0').split('\\0')
try:
    pwd.getpwnam(user)
    has_user = True
except KeyError:
    has_user = False
try:
    owner = pwd.getpwuid(os.stat(spool).st_uid).pw_name if spool else None
except (OSError, KeyError):
    owner = None
print(json.dumps({'pyz_sha256': sha(pyz), 'unit_text': text(unit), 'pid': pid, 'argv': argv,
    'user': has_user, 'spool_owner': owner, 'booted': os.path.isdir('/run/systemd/system')}))
"""
# Start the agent detached from the SSH session: double fork, new session, output to a log, the
# PID file written by the process that then execs the agent (so it holds the agent's PID). The
# parent returns once the exec happened: the close-on-exec pipe reaches EOF.
LAUNCHER = """
import os, sys
pid_path, log_path, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
r, w = os.pipe()
if os.fork():
    os.close(w)
    msg = os.read(r, 4096)
    if msg:
        sys.stderr.write(msg.decode('utf-8', 'replace') + '\\n')
        sys.exit(1)
    sys.exit(0)
os.close(r)
os.setsid()
if os.fork():
    os._exit(0)
try:
    os.umask(0o077)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    with open(pid_path + '.tmp', 'w') as f:
        f.write('%d\\n' % os.getpid())
    os.rename(pid_path + '.tmp', pid_path)
    os.execv(argv[0], argv)
except OSError as exc:
    os.write(w, str(exc).encode())
    os._exit(127)
"""
# SIGTERM one PID and wait (10 s at most) until it is gone; exit 1 if it is still there.
STOPPER = """
import os, signal, sys, time
pid = int(sys.argv[1])
try:
    os.kill(pid, signal.SIGTERM)
except OSError:
    sys.exit(0)
for _ in range(100):
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
"""


class DeployError(GovcloudError):
    """One host cannot be deployed as asked (the others go on)."""

    code = "deploy_error"


@dataclass(frozen=True)
class DeployOptions:
    service: str  # systemd | none
    listen_address: str  # host:port, explicit; ignored with spool_dir (the web server is off)
    spool_dir: str | None = None  # spool mode for isolated hosts: no HTTP, files to fetch

    @property
    def listen(self) -> tuple[str, int]:
        return split_listen_address(self.listen_address)


@dataclass(frozen=True)
class PythonInfo:
    uid: int
    home: str
    python: str
    version: tuple[int, int]


@dataclass(frozen=True)
class Layout:
    install_dir: str
    pyz_path: str
    pid_path: str
    log_path: str
    variant: str | None  # HARDENED | SYSTEMD_219 | None (service none)


@dataclass(frozen=True)
class HostState:
    python: PythonInfo
    systemd_version: int | None
    systemd_booted: bool
    pyz_sha256: str | None
    unit_text: str | None
    system_user: bool
    spool_owner: str | None
    pid: int | None
    running_argv: tuple[str, ...] | None  # /proc/PID/cmdline of the PID file's process
    active: bool = False
    enabled: bool = False


@dataclass(frozen=True)
class Step:
    action: str  # copy_agent write_unit create_user make_spool_dir daemon_reload enable_now
    #              restart enable stop start verify
    detail: str
    argv: tuple[str, ...] = ()  # the remote command, for steps that are one


@dataclass(frozen=True)
class DeployPlan:
    layout: Layout
    agent_argv: tuple[str, ...]  # python, pyz, agent options: what runs on the host
    unit_text: str | None  # the unit wanted (systemd), else None
    steps: tuple[Step, ...]

    @property
    def changes(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.action != "verify")


# --- options --------------------------------------------------------------------------------


def split_listen_address(value: str) -> tuple[str, int]:
    """HOST:PORT with an explicit host ([v6]:port for IPv6), as the agent wants it."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(
            f"listen address {value!r} is not HOST:PORT", hint="e.g. 127.0.0.1:9109 or [::1]:9109"
        )
    if not _HOST.match(host):
        raise UsageError(f"listen address {value!r}: invalid host")
    return host.strip("[]"), int(port)


def check_options(opts: DeployOptions) -> None:
    if opts.service not in SERVICES:
        raise UsageError(f"unknown --service {opts.service!r}", hint="systemd | none")
    opts.listen  # noqa: B018  (validates)
    if opts.spool_dir is None:
        return
    if not _SAFE_PATH.match(opts.spool_dir) or "/../" in f"{opts.spool_dir}/":
        raise UsageError(
            f"--spool {opts.spool_dir!r} must be an absolute path of letters, digits, . _ - /",
            hint=f"e.g. {STATE_DIR}/spool",
        )
    if opts.service == "systemd" and not opts.spool_dir.startswith(STATE_DIR + "/"):
        raise UsageError(
            f"--spool {opts.spool_dir}: with a systemd unit the spool must lie under {STATE_DIR}",
            hint=f"the unprivileged agent may write only there; e.g. --spool {STATE_DIR}/spool",
        )


def agent_args(opts: DeployOptions) -> tuple[str, ...]:
    if opts.spool_dir:
        return ("--web.disable", f"--spool.dir={opts.spool_dir}")
    return (f"--web.listen-address={opts.listen_address}",)


def scrape_address(opts: DeployOptions) -> tuple[str, int]:
    """Where the verify scrape goes, as seen from the host (through the SSH forward)."""
    host, port = opts.listen
    wildcard = {"0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104  (the agent binds these)
    return wildcard.get(host, host), port


# --- probe answers ----------------------------------------------------------------------------


def parse_python(host: str, exit_status: int | None, stdout: bytes, stderr: bytes) -> PythonInfo:
    if exit_status == 127:
        raise DeployError(f"{host}: python3 not found", hint="install python3 (>= 3.6) there")
    data = _json(host, "python3 probe", exit_status, stdout, stderr)
    try:
        version = (int(data["version"][0]), int(data["version"][1]))
        info = PythonInfo(int(data["uid"]), str(data["home"]), str(data["python"]), version)
    except (KeyError, IndexError, TypeError, ValueError):
        raise DeployError(f"{host}: unexpected python3 probe output") from None
    if info.version < MIN_PYTHON:
        raise DeployError(
            f"{host}: python3 is {version[0]}.{version[1]}; the agent needs 3.6 or later",
            hint="install a newer python3 from the distribution",
        )
    if not _SAFE_PATH.match(info.python) or not _SAFE_PATH.match(info.home or "/"):
        raise DeployError(f"{host}: python3 or home path has unexpected characters")
    return info


def parse_systemd_version(stdout: bytes) -> int | None:
    """`systemctl --version` first line: "systemd 219" or "systemd 252 (252.22-1~deb12u1)"."""
    match = re.match(rb"\s*systemd (\d+)", stdout)
    return int(match.group(1)) if match else None


def parse_files(
    host: str,
    python: PythonInfo,
    systemd_version: int | None,
    result: tuple[int | None, bytes, bytes],
    active: bool = False,
    enabled: bool = False,
) -> HostState:
    data = _json(host, "file probe", *result)
    argv = data.get("argv")
    pid = data.get("pid")
    return HostState(
        python=python,
        systemd_version=systemd_version,
        systemd_booted=data.get("booted") is True,
        pyz_sha256=_str_or_none(data.get("pyz_sha256")),
        unit_text=_str_or_none(data.get("unit_text")),
        system_user=data.get("user") is True,
        spool_owner=_str_or_none(data.get("spool_owner")),
        pid=pid if isinstance(pid, int) and pid > 0 else None,
        running_argv=tuple(str(a) for a in argv) if isinstance(argv, list) else None,
        active=active,
        enabled=enabled,
    )


def _json(
    host: str, what: str, exit_status: int | None, stdout: bytes, stderr: bytes
) -> dict[str, Any]:
    if exit_status is None:
        raise DeployError(f"{host}: {what} timed out")
    if exit_status != 0:
        first = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise DeployError(f"{host}: {what} failed (exit {exit_status}): {first[0][:200]}")
    try:
        data = json.loads(stdout)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise DeployError(f"{host}: unexpected {what} output")
    return data


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


# --- the plan ---------------------------------------------------------------------------------


def check_install_dir(path: str) -> None:
    if not _SAFE_PATH.match(path) or "/../" in f"{path}/" or path.rstrip("/") == "":
        raise UsageError(
            f"--install-dir {path!r} must be an absolute path of letters, digits, . _ - /",
            hint=f"e.g. {ROOT_DIR}",
        )


def layout(
    opts: DeployOptions,
    python: PythonInfo,
    systemd_version: int | None,
    install_dir: str | None = None,
) -> Layout:
    """Where things go: INSTALL_DIR if given, else /opt/govcloud-agent for root and
    ~/.local/share/govcloud-agent for anyone else."""
    base = ROOT_DIR if python.uid == 0 else f"{python.home.rstrip('/')}/{USER_DIR}"
    base = install_dir.rstrip("/") if install_dir else base
    variant = None
    if opts.service == "systemd":
        newer = systemd_version is not None and systemd_version >= HARDENED_MIN_SYSTEMD
        variant = HARDENED if newer else SYSTEMD_219
    return Layout(
        install_dir=base,
        pyz_path=f"{base}/{PYZ_NAME}",
        pid_path=f"{base}/{PID_NAME}",
        log_path=f"{base}/{LOG_NAME}",
        variant=variant,
    )


def render_unit(template: str, exec_start: Sequence[str]) -> str:
    """The unit file with its ExecStart= replaced: the host's python3, the zipapp and the
    deploy's options. Values were checked to be plain (no quoting, % or $ to worry about);
    $GOVCLOUD_AGENT_ARGS stays last so an EnvironmentFile can add options (e.g. TLS)."""
    line = "ExecStart=" + " ".join(exec_start) + " $GOVCLOUD_AGENT_ARGS"
    out, replaced = [], False
    for raw in template.splitlines():
        if raw.startswith("ExecStart="):
            out.append(line)
            replaced = True
        elif raw.startswith("Environment=GOVCLOUD_AGENT_ARGS="):
            out.append("Environment=GOVCLOUD_AGENT_ARGS=")
        else:
            out.append(raw)
    if not replaced:
        raise UsageError("the unit template has no ExecStart= line")
    return "\n".join(out) + "\n"


def plan(
    host: str,
    opts: DeployOptions,
    state: HostState,
    local_sha256: str,
    templates: Mapping[str, str],
    install_dir: str | None = None,
) -> DeployPlan:
    """The steps that bring HOST to the wanted state; raises DeployError when it cannot be."""
    where = layout(opts, state.python, state.systemd_version, install_dir)
    argv = (state.python.python, where.pyz_path, *agent_args(opts))
    copy = state.pyz_sha256 != local_sha256
    steps: list[Step] = []
    if copy:
        steps.append(Step("copy_agent", f"copy {PYZ_NAME} (sha256 {local_sha256[:12]}) to "
                          f"{where.pyz_path}, mode 0755"))  # fmt: skip
    unit = None
    if opts.service == "systemd":
        _check_systemd(host, state)
        assert where.variant is not None
        unit = render_unit(templates[where.variant], argv)
        steps += _systemd_steps(opts, state, where, unit, changed=copy)
    else:
        steps += _detached_steps(state, where, argv, changed=copy)
    steps.append(_verify(opts))
    return DeployPlan(where, argv, unit, tuple(steps))


def _check_systemd(host: str, state: HostState) -> None:
    if state.python.uid != 0:
        raise DeployError(
            f"{host}: installing a systemd unit needs root; the SSH user is uid {state.python.uid}",
            hint="log in as root (sudo is not used), or deploy with --service none",
        )
    if state.systemd_version is None or not state.systemd_booted:
        raise DeployError(
            f"{host}: systemd is not running there",
            hint="deploy with --service none (the agent runs detached with a PID file)",
        )


def _systemd_steps(
    opts: DeployOptions, state: HostState, where: Layout, unit: str, *, changed: bool
) -> list[Step]:
    steps: list[Step] = []
    old = where.variant == SYSTEMD_219
    if old and not state.system_user:
        steps.append(Step("create_user", f"create the system user {SYSTEM_USER}", (
            "useradd", "--system", "--no-create-home", "--home-dir", STATE_DIR,
            "--shell", "/sbin/nologin", SYSTEM_USER,
        )))  # fmt: skip
    if old and opts.spool_dir and state.spool_owner != SYSTEM_USER:
        steps.append(Step("make_spool_dir", f"create {opts.spool_dir} owned by {SYSTEM_USER}", (
            "install", "-d", "-o", SYSTEM_USER, "-g", SYSTEM_USER, "-m", "0750", opts.spool_dir,
        )))  # fmt: skip
    if state.unit_text != unit:
        label = "hardened" if where.variant == HARDENED else "systemd 219 variant"
        steps.append(Step("write_unit", f"install the unit ({label}) at {UNIT_PATH}"))
        steps.append(Step("daemon_reload", "reload systemd", ("systemctl", "daemon-reload")))
        changed = True
    if changed and state.active:
        steps.append(Step("restart", f"restart {UNIT_NAME}", ("systemctl", "restart", UNIT_NAME)))
        if not state.enabled:
            steps.append(Step("enable", f"enable {UNIT_NAME}", ("systemctl", "enable", UNIT_NAME)))
    elif changed or not (state.active and state.enabled):
        steps.append(Step("enable_now", f"enable and start {UNIT_NAME}",
                          ("systemctl", "enable", "--now", UNIT_NAME)))  # fmt: skip
    return steps


def _detached_steps(
    state: HostState, where: Layout, argv: tuple[str, ...], *, changed: bool
) -> list[Step]:
    ours = state.pid is not None and state.running_argv is not None
    ours = ours and where.pyz_path in (state.running_argv or ())
    if ours and not changed and state.running_argv == argv:
        return []
    steps: list[Step] = []
    if ours:
        steps.append(Step("stop", f"stop the running agent (PID {state.pid})",
                          (state.python.python, "-c", STOPPER, str(state.pid))))  # fmt: skip
    launch = (state.python.python, "-c", LAUNCHER, where.pid_path, where.log_path, *argv)
    steps.append(Step("start", f"start the agent detached (PID file {where.pid_path})", launch))
    return steps


def _verify(opts: DeployOptions) -> Step:
    if opts.spool_dir:
        return Step("verify", f"a spool file appears in {opts.spool_dir}")
    host, port = scrape_address(opts)
    return Step("verify", f"scrape http://{host}:{port}/metrics through the SSH session")


def check_scrape(response: bytes) -> str | None:
    """None when RESPONSE is an HTTP 200 with at least one sample line, else what is wrong."""
    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep:
        return "no HTTP response" if not response else "incomplete HTTP response"
    status = head.split(b"\r\n", 1)[0].decode("latin-1", "replace")
    parts = status.split(" ", 2)
    if len(parts) < 2 or parts[1] != "200":
        return f"HTTP status {status[:80]!r}"
    samples = [ln for ln in body.splitlines() if ln.strip() and not ln.startswith(b"#")]
    return None if samples else "HTTP 200 without samples"
