"""The real OpenStack lab (tests/oslab/up.sh), started once per pytest session.

The lab has two compute hosts, two Cinder backends and a real Neutron; up.sh also creates a
topology (tests/oslab/lib/topology.py -> topology.json) whose names and ids the OsLab fields
carry, so tests use them instead of constants.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.services.proc import find_binary, free_port_block

LAB_DIR = Path(__file__).resolve().parents[1] / "oslab"
UP, DOWN = LAB_DIR / "up.sh", LAB_DIR / "down.sh"
RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
PORTS = 10  # see up.sh: OSLAB_PORT_BASE .. +9
START_TIMEOUT = 1200  # cold start incl. the Python install is ~95 s here; leave room for PyPI
# an already running lab to use instead of starting one (not stopped at the end)
EXTERNAL_ENV = "GOVCLOUD_TEST_OSLAB_DIR"
KEEP_ENV = "GOVCLOUD_KEEP_OSLAB"  # =1: keep the run dir (logs) after the session


@dataclass(frozen=True)
class OsLab:
    clouds_yaml: Path
    auth_url: str
    run_dir: Path
    hosts: tuple[str, ...] = ()  # nova-compute hosts (= hypervisor / Placement provider names)
    az: str = ""  # availability zone of the agg-secure aggregate (its host: hosts[1])
    aggregates: dict[str, str] = field(default_factory=dict, compare=False)  # name -> id
    volume_types: dict[str, str] = field(default_factory=dict, compare=False)  # type -> backend
    network_id: str = ""  # shared tenant network (servers get fixed addresses)
    subnet_id: str = ""
    public_network_id: str = ""  # external network "public" (floating IPs)
    router_id: str = ""  # gateway on public, interface on subnet_id
    cloud: str = "oslab"
    username: str = "admin"
    password: str = "secret"
    project_name: str = "admin"
    user_domain_name: str = "Default"
    project_domain_name: str = "Default"
    region_name: str = "RegionOne"
    startup_seconds: float = field(default=0.0, compare=False)

    def auth(self, **overrides: str) -> dict[str, str]:
        """``auth=`` dict for ``openstack.connect(auth_type="password", auth=...)``."""
        auth = {
            "auth_url": self.auth_url,
            "username": self.username,
            "password": self.password,
            "project_name": self.project_name,
            "user_domain_name": self.user_domain_name,
            "project_domain_name": self.project_domain_name,
        }
        auth.update(overrides)
        return auth

    def connect(self, **auth_overrides: str) -> Any:
        """An ``openstack.connection.Connection`` as admin (or e.g. ``project_name=...``)."""
        import openstack

        with warnings.catch_warnings():
            # openstacksdk 4.22 warns on every connect (its empty influxdb config is truthy)
            warnings.filterwarnings("ignore", message="Support for InfluxDB requires")
            return openstack.connect(
                auth_type="password",
                auth=self.auth(**auth_overrides),
                region_name=self.region_name,
                identity_api_version="3",
                load_yaml_config=False,
                load_envvars=False,
            )


def missing_prerequisites() -> str | None:
    """Why the lab cannot start on this machine, or None."""
    if find_binary("mariadbd") is None:
        return "mariadbd not found (install mariadb-server: .ci/install-services.sh)"
    if not RABBITMQ_SERVER.exists():
        return f"{RABBITMQ_SERVER} not found (install rabbitmq-server: .ci/install-services.sh)"
    for tool in ("bash", "setsid", "flock", "python3"):
        if find_binary(tool) is None:
            return f"{tool} not found on PATH"
    return None


def _lab_env(run_dir: Path, port_base: int) -> dict[str, str]:
    env = {**os.environ, "OSLAB_DIR": str(run_dir), "OSLAB_PORT_BASE": str(port_base)}
    env.pop("OS_CLIENT_CONFIG_FILE", None)
    env.pop("OS_CLOUD", None)
    uv = Path(sys.executable).with_name("uv")  # reuse the project venv's uv if it has one
    if "OSLAB_UV" not in env and uv.exists():
        env["OSLAB_UV"] = str(uv)
    return env


def _lab_from(run_dir: Path, startup: float) -> OsLab:
    import yaml

    clouds_yaml = run_dir / "clouds.yaml"
    cfg = yaml.safe_load(clouds_yaml.read_text())["clouds"]["oslab"]
    topo = json.loads((run_dir / "topology.json").read_text())
    return OsLab(
        clouds_yaml=clouds_yaml,
        auth_url=cfg["auth"]["auth_url"],
        run_dir=run_dir,
        hosts=tuple(topo["hosts"]),
        az=topo["az"],
        aggregates=dict(topo["aggregates"]),
        volume_types=dict(topo["volume_types"]),
        network_id=topo["network_id"],
        subnet_id=topo["subnet_id"],
        public_network_id=topo["public_network_id"],
        router_id=topo["router_id"],
        startup_seconds=startup,
    )


def stop_lab(run_dir: Path, env: dict[str, str]) -> str | None:
    """Run down.sh; the error text if it failed."""
    res = subprocess.run(
        ["bash", str(DOWN)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    return None if res.returncode == 0 else (res.stderr or res.stdout).strip()


@contextlib.contextmanager
def running_lab() -> Iterator[OsLab]:
    """Start the lab in a fresh run dir (cached venv), yield it, stop it by its pid files."""
    external = os.environ.get(EXTERNAL_ENV)
    if external:
        yield _lab_from(Path(external), 0.0)
        return
    run_dir = Path(tempfile.mkdtemp(prefix="govcloud-oslab-"))
    env = _lab_env(run_dir, free_port_block(PORTS))
    keep = os.environ.get(KEEP_ENV) == "1"
    t0 = time.monotonic()
    try:
        # own session: a timeout/Ctrl-C kills up.sh and its helper jobs, not the daemons
        up = subprocess.Popen(
            ["bash", str(UP)], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            output, _ = up.communicate(timeout=START_TIMEOUT)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(up.pid, signal.SIGKILL)
            up.wait()
            keep = True
            raise
        if up.returncode != 0:
            keep = True
            raise RuntimeError(
                f"tests/oslab/up.sh failed (exit {up.returncode}); run dir kept: {run_dir}\n"
                + output
            )
        yield _lab_from(run_dir, time.monotonic() - t0)
    finally:
        # also after a failed/interrupted start: some daemons may already run
        error = stop_lab(run_dir, env)
        if error:
            keep = True
        if not keep:
            shutil.rmtree(run_dir, ignore_errors=True)
        if error:
            raise RuntimeError(f"tests/oslab/down.sh failed; run dir kept: {run_dir}\n{error}")
