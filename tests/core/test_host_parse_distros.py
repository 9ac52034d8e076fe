"""Host-fact parsers on real outputs from more distributions (tests/data/host_outputs/README.md).

RHEL 8, UOS / UnionTech Server 20, Kylin V10 (Sword), CentOS 6, the pre-`pid=` iproute2 `ss`,
`lsblk -P -b` without a ROTA column, `df -P -T` from an old LVM host and `netstat` with rewritten
process titles. Expected values were read off the sample files, not produced by the parsers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from govcloud.core.host_facts import BlockDevice, Filesystem, Listener, Peer
from govcloud.core.host_parse import CommandOutput, parse_all
from govcloud.core.host_parse.disks import parse_lsblk
from govcloud.core.host_parse.filesystems import parse_df
from govcloud.core.host_parse.os_info import parse_os
from govcloud.core.host_parse.sockets import listeners, parse_netstat, parse_ss, peers

DATA = Path(__file__).parents[1] / "data" / "host_outputs"
AT = datetime(2025, 1, 1, tzinfo=UTC)


def sample(system: str, key: str) -> bytes:
    return (DATA / system / f"{key}.txt").read_bytes()


def test_rhel8_os_release_and_redhat_release() -> None:
    both = parse_os(sample("rhel8", "os_release"), [sample("rhel8", "redhat_release")], None)
    assert (both.os_id, both.os_name, both.os_version) == (
        "rhel",
        "Red Hat Enterprise Linux 8.10 (Ootpa)",
        "8.10",
    )
    alone = parse_os(None, [sample("rhel8", "redhat_release")], None)
    assert (alone.os_id, alone.os_version) == ("rhel", "8.10")
    assert alone.os_name == "Red Hat Enterprise Linux release 8.10 (Ootpa)"


def test_uos_server_20_both_editions() -> None:
    uelc = parse_os(
        sample("uos-server20-uelc20", "os_release"),
        [sample("uos-server20-uelc20", "redhat_release")],
        None,
    )
    assert (uelc.os_id, uelc.os_name, uelc.os_version) == ("uos", "UnionTech OS Server 20", "20")
    uel = parse_os(sample("uos-server20-uel20", "os_release"), [], None)
    assert (uel.os_id, uel.os_name, uel.os_version) == ("uos", "UOS Server 20", "20")  # ID unquoted
    line_only = parse_os(None, [sample("uos-server20-uelc20", "redhat_release")], None)
    assert (line_only.os_id, line_only.os_version) == ("uos", "20")


def test_kylin_v10_sword_os_release_and_kylin_release() -> None:
    kylin = parse_os(
        sample("kylin-v10-sword", "os_release"), [sample("kylin-v10-sword", "kylin_release")], None
    )
    assert (kylin.os_id, kylin.os_name, kylin.os_version) == (
        "kylin",
        "Kylin Linux Advanced Server V10 (Sword)",
        "V10",
    )
    line_only = parse_os(None, [sample("kylin-v10-sword", "kylin_release")], None)
    assert (line_only.os_id, line_only.os_version) == ("kylin", "V10")


def test_centos6_release_line() -> None:
    centos6 = parse_os(None, [sample("centos6", "redhat_release")], None)
    assert (centos6.os_id, centos6.os_name, centos6.os_version) == (
        "centos",
        "CentOS release 6.7 (Final)",
        "6.7",
    )


def test_ss_before_pid_form_with_bare_ipv6_wildcard() -> None:
    rows, notes = parse_ss(sample("rhel-old-iproute", "ss_plain"))
    assert len(rows) == 15
    assert notes == []
    assert listeners(rows) == [  # the UNCONN rows are labelled tcp by this ss: not listeners
        Listener("tcp", "0.0.0.0", 111, "rpcbind"),
        Listener("tcp", "0.0.0.0", 22, "sshd"),
        Listener("tcp", "127.0.0.1", 25, "master"),
        Listener("tcp6", "::", 111, "rpcbind"),
        Listener("tcp6", "::", 22, "sshd"),
        Listener("tcp6", "::1", 25, "master"),
    ]
    assert peers(rows, {111, 22, 25}) == [
        Peer("192.168.0.106", 22, "192.168.0.101", 59232, "sshd", inbound=True),
        Peer("192.168.0.106", 739, "192.168.0.105", 2049, None, inbound=False),  # NFS client
    ]


def test_netstat_keeps_the_name_of_a_rewritten_process_title() -> None:
    rows, notes = parse_netstat(sample("ubuntu18.04-pgpool", "netstat"))
    assert len(rows) == 25  # 8 tcp + 5 tcp6 + 6 udp, then 6 more; raw6 and unix are not rows
    assert notes == []
    found = listeners(rows)
    assert len(found) == 22  # 0.0.0.0:22, :::22 and udp 0.0.0.0:9694 appear twice
    assert Listener("tcp", "0.0.0.0", 22, "sshd") in found  # `600/sshd: /usr/sbin`
    assert Listener("tcp6", "::", 22, "sshd") in found
    assert Listener("tcp", "0.0.0.0", 9000, "pgpool") in found  # `1187/pgpool: watchd`
    assert Listener("udp", "0.0.0.0", 37300, "pgpool") in found  # no state column
    assert Listener("tcp", "0.0.0.0", 10050, "zabbix_agen") in found  # cut at 15 chars
    assert Listener("tcp", "192.168.68.116", 9102, "bareos-fd") in found
    assert Listener("udp", "192.168.71.131", 68, "systemd-network") in found


def test_lsblk_pairs_without_rota_column() -> None:
    devices, notes = parse_lsblk(sample("xcp-ng8", "lsblk"))
    assert notes == []
    assert devices == [
        BlockDevice("sdb", 60.0, "disk", None, None),  # 64424509440 bytes
        BlockDevice("sda", 60.0, "disk", None, None),
        BlockDevice("sda4", 0.5, "part", None, None),
        BlockDevice("sda2", 18.0, "part", None, None),
        BlockDevice("sda5", 4.0, "part", None, "/var/log"),
        BlockDevice("sda3", 18.5, "part", None, None),  # 19863158272 bytes
        BlockDevice(
            "XSLocalEXT--1fad55d2--4f07--8145--c78a--297b173e06b0"
            "-1fad55d2--4f07--8145--c78a--297b173e06b0",
            18.48,  # 19847446528 bytes
            "lvm",
            None,
            "/run/sr-mount/1fad55d2-4f07-8145-c78a-297b173e06b0",
        ),
        BlockDevice("sda1", 18.0, "part", None, "/"),
        BlockDevice("sda6", 1.0, "part", None, "[SWAP]"),
    ]


def test_df_posix_with_type_on_an_old_lvm_host() -> None:
    filesystems, notes = parse_df(sample("generic", "df_posix_type"))
    assert filesystems == [  # proc and sysfs (size 0, capacity `-`) are left out
        Filesystem("/", "/dev/mapper/VolGroup00-LogVol00", "ext3", 5.75, 1.09)
    ]  # 6030784 KiB, 1147932 KiB used
    assert notes == []


def test_parse_all_on_an_el6_shaped_host_falls_back_to_plain_ss() -> None:
    outputs = {
        "os_release": CommandOutput(1, b"", b"cat: /etc/os-release: No such file or directory\n"),
        "redhat_release": CommandOutput(0, sample("centos6", "redhat_release")),
        "lsblk": CommandOutput(0, sample("xcp-ng8", "lsblk")),
        "df": CommandOutput(0, sample("generic", "df_posix_type")),
        "ss": CommandOutput(255, b"", b"ss: invalid option -- 'H'\n"),
        "ss_plain": CommandOutput(0, sample("rhel-old-iproute", "ss_plain")),
        "netstat": CommandOutput(127, b"", b"bash: netstat: command not found\n"),
    }
    facts = parse_all("el6-01", "10.0.0.3", AT, outputs)
    assert (facts.os_id, facts.os_version) == ("centos", "6.7")
    assert [x.port for x in facts.listeners] == [111, 22, 25, 111, 22, 25]
    assert facts.peers[0] == Peer("192.168.0.106", 22, "192.168.0.101", 59232, "sshd", True)
    assert facts.disk_used_gib == 1.09
    assert [f.mountpoint for f in facts.filesystems] == ["/"]
    assert len(facts.block_devices) == 9
    assert "sockets: neither ss nor netstat answered" not in facts.notes
