"""No secret leaves govcloud: the main flows run with known secrets, then everything is grepped.

Secrets: the sandbox's admin and member passwords and application-credential secret (random,
so they appear nowhere unless copied), the Keystone tokens it issued, a wrong password that is
a fixed sentinel (a failing flow), and a basic-auth password for an agent. Flows run as real
`govcloud` processes at -vv (one sync also with keystoneauth's and openstacksdk's HTTP debugging
on): init, inventory load, sync (admin and application credential), quota plan and a dry-run
apply, log export and verify, metrics collect with basic auth, a report, and a sync that fails
authentication. Grepped: stdout and stderr, every file under the test's folders (store,
WAL, reports, plan, config, audit key folder, head files), the store dumped as SQL text, and
/proc/<pid>/cmdline of each process while it runs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt
import pytest
import yaml

from govcloud.sandbox import Sandbox
from govcloud.services.inventory import read_inventory
from tests.agent import certs
from tests.agent.conftest import run_agent
from tests.cli.conftest import EXAMPLE

GOVCLOUD = Path(sys.executable).parent / "govcloud"
WRONG_PASSWORD = "SENTINEL-wrong-password-7f3a9c"
AGENT_PASSWORD = "SENTINEL-agent-password-41d2"
# govcloud with HTTP debugging on, as an operator chasing a problem would turn it on: every
# request keystoneauth and openstacksdk make is logged (after govcloud set its own levels)
HTTP_DEBUG = """
import logging, sys
import govcloud.adapters.openstack.config
from govcloud.cli.main import main
for name in ("keystoneauth", "keystoneauth.session", "openstack", "urllib3"):
    logging.getLogger(name).setLevel(logging.DEBUG)
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
main(sys.argv[1:])
"""


@dataclass
class Run:
    home: Path
    env: dict[str, str]
    secrets: set[str] = field(default_factory=set)
    outputs: list[str] = field(default_factory=list)
    cmdlines: list[str] = field(default_factory=list)

    def govcloud(
        self, *args: str, ok: bool = True, http_debug: bool = False
    ) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-c", HTTP_DEBUG] if http_debug else [str(GOVCLOUD)]
        proc = subprocess.Popen(
            [*argv, "-vv", *args], env=self.env, cwd=self.home, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        self.cmdlines.append(_cmdline(proc.pid))
        out, err = proc.communicate(timeout=300)
        self.outputs += [out, err]
        assert (proc.returncode == 0) == ok, f"{args}: {proc.returncode}\n{err[-2000:]}"
        return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _cmdline(pid: int) -> str:
    """The process's arguments once it runs govcloud (before the exec it is still ours)."""
    deadline = time.monotonic() + 10
    text = ""
    while time.monotonic() < deadline:
        try:
            text = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            break
        if "govcloud" in text:
            break
        time.sleep(0.01)
    return text


@pytest.fixture(scope="module")
def flows(tmp_path_factory: pytest.TempPathFactory) -> Run:
    home = tmp_path_factory.mktemp("secrets")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "GOVCLOUD_DB": str(home / "store" / "govcloud.db"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "OS_CLIENT_CONFIG_FILE": str(home / "clouds.yaml"),
    }
    (home / "store").mkdir()
    run = Run(home, env)
    with Sandbox.start(read_inventory(Path(EXAMPLE)), size=60) as sb:
        ident = sb.identity
        run.secrets |= {ident.admin_password, ident.member_password, ident.app_credential.secret}
        sb.write_clouds_yaml(home / "clouds.yaml")
        run.govcloud("init")
        run.govcloud("inventory", "load", EXAMPLE)
        run.govcloud("sync", "--full")
        debug = run.govcloud("sync", "--full", http_debug=True)
        assert "REQ: curl" in debug.stderr  # the HTTP requests were logged
        assert "X-Auth-Token: {SHA256}" in debug.stderr  # tokens only as keystoneauth's digest
        _use_application_credential(home / "clouds.yaml")
        run.govcloud("sync", "--full")
        run.govcloud("quota", "plan", "--file", str(home / "plan.json"))
        run.govcloud("quota", "apply", str(home / "plan.json"))  # dry run: no --yes
        run.govcloud("report", "capacity", "-f", "html,json,csv", "--output-dir", "reports")
        run.govcloud("log", "export", "--format", "jsonl", "--output-file", "trail.jsonl")
        run.govcloud("log", "export", "--format", "syslog", "--output-file", "trail.log")
        run.govcloud("log", "verify")
        _collect_with_basic_auth(run, tmp_path_factory.mktemp("pki"))
        _break_password(home / "clouds.yaml")
        failed = run.govcloud("sync", "--full", ok=False)
        assert "401" in failed.stderr or "auth" in failed.stderr.lower()
        run.secrets |= set(ident._tokens)  # every token Keystone issued in these flows
    return run


def _use_application_credential(clouds_yaml: Path) -> None:
    doc = yaml.safe_load(clouds_yaml.read_text())
    doc["clouds"]["govcloud-sandbox-zwy"] = doc["clouds"]["govcloud-sandbox-zwy-appcred"]
    clouds_yaml.write_text(yaml.safe_dump(doc))


def _break_password(clouds_yaml: Path) -> None:
    doc = yaml.safe_load(clouds_yaml.read_text())
    entry = doc["clouds"]["govcloud-sandbox-zwy-member"]
    entry["auth"]["password"] = WRONG_PASSWORD
    entry["regions"] = doc["clouds"]["govcloud-sandbox-zwy-appcred"]["regions"]
    doc["clouds"]["govcloud-sandbox-zwy"] = entry
    clouds_yaml.write_text(yaml.safe_dump(doc))


def _collect_with_basic_auth(run: Run, pki_dir: Path) -> None:
    pki = {name: str(path) for name, path in certs.write_pki(pki_dir, "localhost", "x").items()}
    hashed = bcrypt.hashpw(AGENT_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    web = pki_dir / "web.json"
    web.write_text(
        json.dumps(
            {
                "tls_server_config": {
                    "cert_file": pki["server.crt"],
                    "key_file": pki["server.key"],
                },
                "basic_auth_users": {"govcloud": hashed},
            }
        )
    )
    secret = run.home / "agent.pw"
    secret.write_text(AGENT_PASSWORD + "\n")
    secret.chmod(0o600)
    run.secrets.add(AGENT_PASSWORD)
    with run_agent("--web.config.file", str(web)) as agent:
        url = agent.url.replace("127.0.0.1", "localhost")
        targets = run.home / "targets.yaml"
        targets.write_text(f"- url: {url}\n  name: t0\n")
        run.govcloud(
            "metrics", "collect", "--targets", str(targets), "--ca-file", pki["ca.crt"],
            "--basic-auth-user", "govcloud", "--basic-auth-password-file", str(secret),
        )  # fmt: skip
        secret.write_text(WRONG_PASSWORD + "\n")  # refused: reported, never echoed
        run.govcloud(
            "metrics", "collect", "--targets", str(targets), "--ca-file", pki["ca.crt"],
            "--basic-auth-user", "govcloud", "--basic-auth-password-file", str(secret), ok=False,
        )  # fmt: skip


# files that hold a secret on purpose: the credentials the test itself handed to govcloud
_INPUTS = ("clouds.yaml", "agent.pw")


def _leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s and s in text)


def test_the_flows_ran_with_secrets(flows: Run) -> None:
    assert len(flows.secrets) >= 6  # passwords, app credential, agent password, tokens
    assert any("DEBUG" in out for out in flows.outputs)  # -vv really logged at debug
    written = (flows.home / "clouds.yaml").read_text()
    assert _leaks(written, flows.secrets)  # the grep finds a secret where one is


def test_no_secret_on_stdout_or_stderr(flows: Run) -> None:
    for text in flows.outputs:
        assert _leaks(text, flows.secrets | {WRONG_PASSWORD}) == []


def test_no_secret_in_any_file_govcloud_wrote(flows: Run) -> None:
    checked = 0
    for path in sorted(flows.home.rglob("*")):
        if not path.is_file() or path.name in _INPUTS or path.name.startswith("targets"):
            continue
        data = path.read_bytes().decode("utf-8", "replace")
        assert _leaks(data, flows.secrets | {WRONG_PASSWORD}) == [], path
        checked += 1
    assert checked >= 5  # store, reports, plan, config, key


def test_no_secret_in_the_store_dumped_as_text(flows: Run) -> None:
    with sqlite3.connect(flows.env["GOVCLOUD_DB"]) as con:
        dump = "\n".join(con.iterdump())
    assert "audit_log" in dump
    assert _leaks(dump, flows.secrets | {WRONG_PASSWORD}) == []


def test_no_secret_in_process_arguments(flows: Run) -> None:
    assert all("govcloud" in c for c in flows.cmdlines)
    for line in flows.cmdlines:
        assert _leaks(line, flows.secrets | {WRONG_PASSWORD}) == []
