"""The pure deploy plan: systemd variants, idempotence, refusals (no host needed)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from govcloud.core import agent_deploy as core

TEMPLATES = {
    core.HARDENED: "[Service]\nEnvironment=GOVCLOUD_AGENT_ARGS=-x\nExecStart=/o\nDynamicUser=1\n",
    core.SYSTEMD_219: "[Service]\nExecStart=/old\nUser=govcloud-agent\n",
}
ROOT = core.PythonInfo(0, "/root", "/usr/bin/python3", (3, 6))
SHA = "a" * 64


def fresh(version: int) -> core.HostState:
    return core.HostState(ROOT, version, True, None, None, False, None, None, None)


def actions(p: core.DeployPlan) -> list[str]:
    return [s.action for s in p.steps]


@pytest.mark.parametrize(
    ("version", "variant", "first"),
    [(252, core.HARDENED, []), (219, core.SYSTEMD_219, ["create_user", "make_spool_dir"])],
)
def test_first_deploy_then_nothing_but_verify(version: int, variant: str, first: list[str]) -> None:
    opts = core.DeployOptions("systemd", "127.0.0.1:9109", f"{core.STATE_DIR}/spool")
    p = core.plan("h", opts, fresh(version), SHA, TEMPLATES)
    assert p.layout.variant == variant
    assert actions(p) == [
        "copy_agent",
        *first,
        "write_unit",
        "daemon_reload",
        "enable_now",
        "verify",
    ]
    assert p.unit_text is not None
    assert "--spool.dir=/var/lib/govcloud-agent/spool" in p.unit_text
    done = replace(fresh(version), pyz_sha256=SHA, unit_text=p.unit_text, system_user=True,
                   spool_owner=core.SYSTEM_USER, active=True, enabled=True)  # fmt: skip
    assert actions(core.plan("h", opts, done, SHA, TEMPLATES)) == ["verify"]
    newer = core.plan("h", opts, done, "b" * 64, TEMPLATES)
    assert actions(newer) == ["copy_agent", "restart", "verify"]


def test_refusals() -> None:
    opts = core.DeployOptions("systemd", "127.0.0.1:9109")
    user = replace(fresh(252), python=replace(ROOT, uid=1000))
    with pytest.raises(core.DeployError, match="needs root"):
        core.plan("h", opts, user, SHA, TEMPLATES)
    with pytest.raises(core.DeployError, match="systemd is not running"):
        core.plan("h", opts, replace(fresh(252), systemd_booted=False), SHA, TEMPLATES)
    with pytest.raises(core.DeployError, match=r"3\.6 or later"):
        core.parse_python(
            "h", 0, b'{"uid":0,"home":"/","python":"/usr/bin/python3","version":[3,4]}', b""
        )
    with pytest.raises(core.DeployError, match="python3 not found"):
        core.parse_python("h", 127, b"", b"")
    with pytest.raises(core.DeployError, match="unexpected file probe output"):
        core.parse_files("h", ROOT, None, (0, b"\xff garbage", b""))


@pytest.mark.parametrize("bad", ["9109", "host:0", "a b:80", "$(x):80", "127.0.0.1:99999"])
def test_listen_address_must_be_plain_host_port(bad: str) -> None:
    with pytest.raises(core.UsageError):
        core.check_options(core.DeployOptions("none", bad))


def test_spool_under_state_dir_for_units_and_plain_paths() -> None:
    with pytest.raises(core.UsageError, match="must lie under"):
        core.check_options(core.DeployOptions("systemd", "127.0.0.1:1", "/srv/spool"))
    with pytest.raises(core.UsageError, match="absolute path"):
        core.check_options(core.DeployOptions("none", "127.0.0.1:1", "/srv/$HOME"))


def test_systemd_version_and_scrape_check() -> None:
    assert core.parse_systemd_version(b"systemd 219\n+PAM +AUDIT") == 219
    assert core.parse_systemd_version(b"systemd 252 (252.38-1~deb12u1)\n") == 252
    assert core.parse_systemd_version(b"") is None
    assert core.check_scrape(b"HTTP/1.0 200 OK\r\n\r\n# HELP x\nx 1\n") is None
    assert core.check_scrape(b"HTTP/1.0 200 OK\r\n\r\n# HELP x\n") == "HTTP 200 without samples"
    assert core.check_scrape(b"HTTP/1.0 401 Unauthorized\r\n\r\n") is not None
    assert core.check_scrape(b"") == "no HTTP response"
