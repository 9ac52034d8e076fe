"""`govcloud host trust|discover|list|show` against real OpenSSH servers on 127.0.0.1 that the
tests start: trust by fingerprint or from a known_hosts file, refusals (unknown, changed,
revoked, wrong fingerprint), a jump host, a sweep with a hanging and a down host, and the facts
discovery reads from this very machine."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from govcloud.adapters.ssh import known_hosts
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud
from tests.services.sshd import SshServer, make_client_key, running_sshd, ssh_tools

pytestmark = pytest.mark.ssh


@dataclass(frozen=True)
class Estate:
    a: SshServer  # plain
    b: SshServer  # plain, several host key types
    hang: SshServer  # every command sleeps
    jump: SshServer  # allows direct-tcpip to a only
    down_port: int  # nothing listens
    key: Path
    keygen: Path


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    sshd, keygen = ssh_tools()
    key = make_client_key(keygen, tmp_path_factory.mktemp("key"))
    with (
        running_sshd(sshd, keygen, client_key=key) as a,
        running_sshd(sshd, keygen, client_key=key, host_key_types=("ed25519", "rsa")) as b,
        running_sshd(sshd, keygen, client_key=key, extra_config=["ForceCommand sleep 20"]) as hang,
        running_sshd(
            sshd, keygen, client_key=key, extra_config=[f"PermitOpen 127.0.0.1:{a.port}"]
        ) as jump,
    ):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            down = s.getsockname()[1]
        yield Estate(a, b, hang, jump, down, key, keygen)


def _inventory(tmp_path: Path, e: Estate) -> Path:
    folder = tmp_path / "inv"
    shutil.copytree(EXAMPLE, folder)
    u, k = e.a.user, e.key

    def host(name: str, port: int, jump: str | None = None) -> str:
        via = f"  jump_host: {jump}\n" if jump else ""
        return (
            f"- name: {name}\n  address: 127.0.0.1\n  port: {port}\n  ssh_user: {u}\n"
            f"  key_file: {k}\n{via}  system: bgt-oa\n"
        )

    (folder / "hosts.yaml").write_text(
        "jump_hosts:\n"
        f"- name: bastion\n  address: 127.0.0.1\n  port: {e.jump.port}\n"
        f"  ssh_user: {u}\n  key_file: {k}\n"
        "legacy_hosts:\n"
        + host("app-a", e.a.port)
        + host("app-b", e.b.port)
        + host("hangs", e.hang.port)
        + host("gone", e.down_port)
        + host("behind", e.a.port, "bastion")
    )
    return folder


@pytest.fixture
def estate_db(db: Path, tmp_path: Path, estate: Estate) -> Estate:
    result = govcloud("inventory", "load", str(_inventory(tmp_path, estate)))
    assert result.exit_code == 0, result.stderr
    return estate


def _fp(line: str) -> str:
    return known_hosts.fingerprint(known_hosts.parse(f"x {line}")[0].key)


def _managed(tmp_path: Path) -> Path:
    return tmp_path / "config" / "govcloud" / "known_hosts"


def _trail(event: str) -> list[dict[str, object]]:
    result = govcloud("-o", "json", "log", "show", "--event", event)
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, object]] = result.json()
    return rows


def test_unknown_host_key_refused_until_trusted_by_fingerprint(
    estate_db: Estate, tmp_path: Path
) -> None:
    e = estate_db
    refused = govcloud("host", "discover", "app-a")
    assert refused.exit_code == 1
    assert "host app-a: no host key pinned for" in refused.stdout + refused.stderr
    assert "not contacted" in refused.stdout + refused.stderr

    wrong = govcloud("host", "trust", "app-a", "--fingerprint", _fp(e.b.host_public_key_line))
    assert wrong.exit_code == 1
    assert "host app-a: fingerprint mismatch: expected" in wrong.stderr
    assert not _managed(tmp_path).exists()  # nothing trusted

    fp = _fp(e.a.host_public_key_line)
    ok = govcloud("host", "trust", "app-a", "--fingerprint", fp)
    assert ok.exit_code == 0, ok.stderr
    assert f"trusted host key {fp} (ssh-ed25519)" in ok.stdout
    assert _managed(tmp_path).stat().st_mode & 0o777 == 0o600
    assert _managed(tmp_path).read_text().startswith("|1|")  # hashed, like HashKnownHosts
    again = govcloud("host", "trust", "app-a", "--fingerprint", fp)
    assert "already trusted" in again.stdout
    outcomes = [(r["object_id"], r["outcome"]) for r in _trail("host.trust")]
    assert sorted(outcomes) == [("app-a", "ok"), ("app-a", "refused")]  # newest first

    found = govcloud("host", "discover", "app-a")
    assert found.exit_code == 0, found.stdout + found.stderr
    assert "1 host(s): 1 ok, 0 failed" in found.stdout


def test_discovered_facts_of_this_machine_are_plausible(estate_db: Estate) -> None:
    e = estate_db
    assert (
        govcloud("host", "trust", "app-a", "--fingerprint", _fp(e.a.host_public_key_line)).exit_code
        == 0
    )
    assert govcloud("host", "discover", "app-a").exit_code == 0
    shown = govcloud("-o", "json", "host", "show", "app-a")
    assert shown.exit_code == 0, shown.stderr
    facts = shown.json()
    assert facts["status"] == "ok"
    assert facts["error"] is None
    assert facts["cpu_count"] == os.cpu_count()
    mem_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )  # fmt: skip
    assert abs(facts["memory_gib"] - mem_kib / 2**20) < 0.1
    assert facts["hostname"] == socket.gethostname()
    assert facts["kernel"] == os.uname().release
    assert any(f["mountpoint"] == "/" for f in facts["filesystems"])
    assert any(lst["port"] == e.a.port for lst in facts["listeners"])  # its own sshd
    listed = govcloud("-o", "json", "host", "list").json()
    row = next(r for r in listed if r["host"] == "app-a")
    assert row["status"] == "ok"
    assert row["cpu_count"] == os.cpu_count()
    assert {r["status"] for r in listed if r["host"] != "app-a"} == {"never"}
    table = govcloud("--lang", "zh", "host", "show", "app-a")
    assert "文件系统" in table.stdout
    assert "监听端口" in table.stdout
    # the plan sizes the discovered host from its hardware; the others stay declared-only
    plan = govcloud("-o", "json", "migrate", "plan")
    assert plan.exit_code == 0, plan.stderr
    hosts = {h["host"]: h for h in plan.json()["hosts"]}
    app = hosts["app-a"]
    assert app["sizing"]["basis"] == "hardware"
    assert app["current_vcpus"] == os.cpu_count()
    assert abs(app["current_ram_gib"] - mem_kib / 2**20) < 0.1
    assert "no_facts" not in {r["code"] for r in app["risks"]}
    assert hosts["app-b"]["sizing"]["basis"] == "declared"
    assert "no_facts" in {r["code"] for r in hosts["app-b"]["risks"]}


def test_sweep_goes_on_past_hanging_down_and_untrusted_hosts(
    estate_db: Estate, tmp_path: Path
) -> None:
    e = estate_db
    for name, server in (("app-a", e.a), ("hangs", e.hang), ("bastion", e.jump)):
        trusted = govcloud("host", "trust", name, "--fingerprint", _fp(server.host_public_key_line))
        assert trusted.exit_code == 0, trusted.stderr
    result = govcloud(
        "-o", "json", "host", "discover", "--all", "--command-timeout", "2", "--concurrency", "5"
    )
    assert result.exit_code == 1
    rows = {r["host"]: r for r in result.json()}
    assert rows["app-a"]["ok"], rows
    assert rows["behind"]["ok"], rows  # through the bastion
    assert rows["hangs"]["error"] == "host hangs: `hostname` timed out after 2 s"
    # never trusted: refused without a packet sent (connection failures: test_ssh_client.py)
    assert rows["gone"]["error"] == (
        f"host gone: no host key pinned for [127.0.0.1]:{e.down_port}: not contacted"
    )
    assert "host app-b: no host key pinned for" in rows["app-b"]["error"]
    assert "discovered 5 host(s): 2 ok, 3 failed" in result.stderr
    listed = {r["host"]: r["status"] for r in govcloud("-o", "json", "host", "list").json()}
    assert listed == {
        "app-a": "ok",
        "behind": "ok",
        "hangs": "failed",
        "gone": "failed",
        "app-b": "failed",
    }
    (budget,) = govcloud("-o", "json", "host", "discover", "hangs", "--timeout", "1").json()
    assert budget["error"] == "host hangs: timed out after 1 s (at `hostname`)"
    record = _trail("host.discover")[-1]  # newest first: the sweep is the oldest
    assert record["outcome"] == "partial"
    assert {k: record["after"][k] for k in ("hosts", "ok", "failed")} == {
        "hosts": 5,
        "ok": 2,
        "failed": 3,
    }  # type: ignore[index]


def test_from_known_hosts_hashed_then_changed_then_revoked(
    estate_db: Estate, tmp_path: Path
) -> None:
    e = estate_db
    theirs = tmp_path / "their_known_hosts"
    rsa = next(line for line in e.b.host_key_lines if line.startswith("ssh-rsa"))
    theirs.write_text(f"# an operator's file\n[127.0.0.1]:{e.b.port} {rsa}\n")
    subprocess.run([str(e.keygen), "-q", "-H", "-f", str(theirs)], check=True, capture_output=True)
    imported = govcloud("host", "trust", "app-b", "--from-known-hosts", str(theirs))
    assert imported.exit_code == 0, imported.stderr
    assert _fp(rsa) in imported.stdout
    assert govcloud("host", "discover", "app-b").exit_code == 0  # the RSA key is negotiated

    # a reinstalled host: the managed file now holds another key for it
    managed = _managed(tmp_path)
    managed.write_text(f"[127.0.0.1]:{e.b.port} {e.a.host_public_key_line}\n")
    changed = govcloud("-o", "json", "host", "discover", "app-b")
    (row,) = changed.json()
    was, now = _fp(e.a.host_public_key_line), _fp(e.b.host_public_key_line)
    assert row["error"] == f"host app-b: host key changed (was {was}, now {now}): refused"

    # revoked: listed as trusted and as @revoked: refused
    key = e.b.host_public_key_line
    managed.write_text(f"[127.0.0.1]:{e.b.port} {key}\n@revoked * {key}\n")
    (row,) = govcloud("-o", "json", "host", "discover", "app-b").json()
    assert row["error"] == f"host app-b: host key {now} is marked @revoked: refused"

    missing = govcloud("host", "trust", "app-a", "--from-known-hosts", str(theirs))
    assert missing.exit_code == 1
    assert "has no key for host app-a" in missing.stderr


def test_bad_names_and_options(estate_db: Estate) -> None:
    typo = govcloud("host", "trust", "app-aa", "--fingerprint", "SHA256:" + "A" * 43)
    assert typo.exit_code == 1
    assert "did you mean 'app-a'" in typo.stderr
    assert govcloud("host", "trust", "app-a", "--fingerprint", "MD5:aa").exit_code == 2
    assert govcloud("host", "trust", "app-a").exit_code == 2
    assert govcloud("host", "discover").exit_code == 2
    assert govcloud("host", "discover", "bastion").exit_code == 2
    assert govcloud("host", "discover", "--all", "--concurrency", "0").exit_code == 2
    shell = govcloud("host", "show", "$(touch pwned)")
    assert shell.exit_code == 1
    assert not Path("pwned").exists()
