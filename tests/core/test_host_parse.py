"""Host-fact parsers on real command outputs (tests/data/host_outputs, sources in its README).

Expected values were read off the sample files, not produced by running the parsers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from govcloud.core.host_commands import COMMAND_KEYS, COMMANDS
from govcloud.core.host_facts import BlockDevice, Filesystem, Listener, Middleware, Peer
from govcloud.core.host_parse import CommandOutput, parse_all
from govcloud.core.host_parse.cpu_memory import parse_cpuinfo, parse_meminfo
from govcloud.core.host_parse.disks import parse_lsblk, parse_proc_partitions
from govcloud.core.host_parse.filesystems import parse_df
from govcloud.core.host_parse.middleware import parse_install_dirs, parse_packages, parse_ps
from govcloud.core.host_parse.os_info import parse_os
from govcloud.core.host_parse.sockets import listeners, parse_netstat, parse_ss, peers
from govcloud.core.host_parse.text import decode
from govcloud.core.host_parse.virtualization import parse_detect_virt, parse_dmi

DATA = Path(__file__).parents[1] / "data" / "host_outputs"
AT = datetime(2025, 1, 1, tzinfo=UTC)


def sample(system: str, key: str) -> bytes:
    return (DATA / system / f"{key}.txt").read_bytes()


def outputs_of(system: str) -> dict[str, CommandOutput]:
    return {p.stem: CommandOutput(0, p.read_bytes()) for p in (DATA / system).glob("*.txt")}


def test_commands_are_fixed_argv_tuples_that_only_read() -> None:
    assert len(COMMAND_KEYS) == len(COMMANDS)
    for command in COMMANDS:
        assert isinstance(command.argv, tuple)
        assert all(isinstance(a, str) for a in command.argv)
        assert command.argv[0] not in ("sh", "bash", "sudo", "su")
        assert not any(c in " ".join(command.argv) for c in ";|&`$(") or command.key in (
            "rpm_packages",
            "dpkg_packages",  # their format strings hold %{NAME} / ${Package}, never a shell
        )
    ps = next(c for c in COMMANDS if c.key == "ps")
    assert ps.argv == ("ps", "-e", "-o", "comm="), "process names only, never command lines"


def test_os_from_os_release_refined_by_release_file() -> None:
    centos7 = parse_os(sample("centos7", "os_release"), [sample("centos7", "centos_release")], None)
    assert (centos7.os_id, centos7.os_name) == ("centos", "CentOS Linux 7 (Core)")
    assert centos7.os_version == "7.1.1503"


def test_os_from_release_line_alone_on_el6() -> None:
    rhel6 = parse_os(None, [sample("rhel6", "redhat_release")], None)
    assert rhel6.os_id == "rhel"
    assert rhel6.os_name == "Red Hat Enterprise Linux Server release 6.5 (Santiago)"
    assert rhel6.os_version == "6.5"


def test_os_kylin_ubuntu_stream8_and_debian() -> None:
    kylin = parse_os(sample("kylin-v10", "os_release"), [], None)
    assert (kylin.os_id, kylin.os_name, kylin.os_version) == (
        "kylin",
        "Kylin Linux Advanced Server V10 (Tercel)",
        "V10",
    )
    ubuntu = parse_os(
        sample("ubuntu16.04", "os_release"), [], sample("ubuntu16.04", "debian_version")
    )
    assert (ubuntu.os_id, ubuntu.os_version) == ("ubuntu", "16.04")  # stretch/sid is not a version
    stream = parse_os(sample("centos-stream8", "os_release"), [], None)
    assert (stream.os_id, stream.os_name, stream.os_version) == ("centos", "CentOS Stream 8", "8")
    debian = parse_os(sample("debian12", "os_release"), [], sample("debian12", "debian_version"))
    assert (debian.os_id, debian.os_version) == ("debian", "12.11")


def test_cpuinfo_and_meminfo() -> None:
    assert parse_cpuinfo(sample("generic", "cpuinfo")) == (
        "Intel(R) Core(TM) i5-7360U CPU @ 2.30GHz",
        1,
    )
    assert parse_cpuinfo(sample("generic", "cpuinfo2")) == (
        "Intel(R) Core(TM) i5-8279U CPU @ 2.40GHz",
        2,
    )
    assert parse_cpuinfo(sample("debian12", "cpuinfo")) == ("AMD EPYC", 2)
    assert parse_meminfo(sample("generic", "meminfo")) == 3.81  # 3997272 kB
    assert parse_meminfo(sample("debian12", "meminfo")) == 23.54  # 24684084 kB


def test_cpuinfo_on_arm_names_the_vendor() -> None:
    kunpeng = b"processor\t: 0\nBogoMIPS\t: 200.00\nCPU implementer\t: 0x48\nCPU part\t: 0xd01\n"
    assert parse_cpuinfo(kunpeng + kunpeng.replace(b": 0\n", b": 1\n", 1)) == (
        "HiSilicon (Kunpeng)",
        2,
    )


def test_lsblk_pairs_and_proc_partitions() -> None:
    devices, notes = parse_lsblk(sample("debian12", "lsblk"))
    assert devices == [
        BlockDevice("zram0", 0.0, "other", False, None),
        BlockDevice("vda", 256.0, "disk", True, "/"),  # 274877906944 bytes
    ]
    assert notes == []
    from_proc, _ = parse_proc_partitions(sample("debian12", "proc_partitions"))
    assert from_proc == [BlockDevice("vda", 256.0, "disk")]  # 268435456 KiB
    el6 = b"major minor  #blocks  name\n\n   8        0   52428800 sda\n"
    el6 += b"   8        1     512000 sda1\n"
    el6 += b" 253        0   47185920 dm-0\n  11        0    1048575 sr0\n"
    kinds = [(d.name, d.kind) for d in parse_proc_partitions(el6)[0]]
    assert kinds == [("sda", "disk"), ("sda1", "part"), ("dm-0", "lvm"), ("sr0", "rom")]


def test_df_posix_with_type_skips_pseudo_filesystems() -> None:
    filesystems, notes = parse_df(sample("debian12", "df"))
    assert filesystems == [Filesystem("/", "/dev/vda", "ext4", 251.97, 26.53)]
    assert notes == []


def test_df_gbk_localised_header_and_chinese_mount_point() -> None:
    filesystems, notes = parse_df(sample("generic", "df_gbk"))
    assert [f.mountpoint for f in filesystems] == ["/", "/data/备份"]
    assert filesystems[1].size_gib == 100.0
    assert filesystems[1].used_gib == 50.0
    assert notes == []


def test_ss_centos7_all_sockets_without_numeric_ports() -> None:
    rows, _ = parse_ss(sample("centos7", "ss_plain"))
    found = {(x.proto, x.address, x.port) for x in listeners(rows)}
    assert found == {
        ("udp", "0.0.0.0", 68),
        ("udp", "127.0.0.1", 323),
        ("udp6", "::1", 323),
        ("tcp", "127.0.0.1", 25),
        ("tcp", "0.0.0.0", 22),
        ("tcp6", "::1", 25),
        ("tcp6", "::", 22),
    }
    assert peers(rows, {22, 25}) == []  # its two ESTAB rows are loopback ssh


def test_ss_ubuntu_process_names_and_interface_suffix() -> None:
    rows, notes = parse_ss(sample("ubuntu18.04", "ss_plain"))
    found = listeners(rows)
    assert Listener("tcp", "0.0.0.0", 3306, "mysqld") in found
    assert Listener("tcp", "0.0.0.0", 80, "/usr/sbin/apach") in found  # comm cut at 15 chars
    assert Listener("udp", "127.0.0.53", 53, "systemd-resolve") in found
    assert len(rows) == 73
    assert len(found) == 72
    assert notes == []


def test_netstat_centos7_listeners() -> None:
    rows, _ = parse_netstat(sample("centos7", "netstat"))
    assert listeners(rows) == [
        Listener("tcp", "127.0.0.1", 25, "master"),
        Listener("tcp", "0.0.0.0", 22, "sshd"),
        Listener("tcp6", "::1", 25, "master"),
        Listener("tcp6", "::", 22, "sshd"),
        Listener("udp", "0.0.0.0", 68, "dhclient"),
        Listener("udp", "127.0.0.1", 323, "chronyd"),
        Listener("udp6", "::1", 323, "chronyd"),
    ]


def test_ss_and_netstat_agree_on_the_same_debian_host() -> None:
    by_ss = {(x.proto, x.port, x.process) for x in listeners(parse_ss(sample("debian12", "ss"))[0])}
    by_netstat = {
        (x.proto, x.port, x.process)
        for x in listeners(parse_netstat(sample("debian12", "netstat"))[0])
    }
    assert ("tcp", 56759, "postgres") in by_ss
    assert by_ss == by_netstat


SS_ESTABLISHED = b"""\
tcp LISTEN 0 128 0.0.0.0:8080 0.0.0.0:* users:(("java",pid=901,fd=40))
tcp ESTAB 0 0 10.1.2.3:8080 10.1.9.7:51512 users:(("java",pid=901,fd=41))
tcp ESTAB 0 0 10.1.2.3:8080 10.1.9.7:51514 users:(("java",pid=901,fd=42))
tcp ESTAB 0 0 [::ffff:10.1.2.3]:8080 [::ffff:10.1.9.8]:40000 users:(("java",pid=901,fd=43))
tcp ESTAB 0 0 10.1.2.3:43120 10.1.4.4:3306 users:(("java",pid=901,fd=50))
tcp ESTAB 0 0 10.1.2.3:43122 10.1.4.4:3306 users:(("java",pid=901,fd=51))
tcp ESTAB 0 0 127.0.0.1:43124 127.0.0.1:6379
"""


def test_established_connections_become_peers() -> None:
    rows, _ = parse_ss(SS_ESTABLISHED)
    assert peers(rows, {8080}) == [
        Peer("10.1.2.3", 8080, "10.1.9.7", 51512, "java", inbound=True),
        Peer("10.1.2.3", 8080, "10.1.9.8", 40000, "java", inbound=True),
        Peer("10.1.2.3", 43120, "10.1.4.4", 3306, "java", inbound=False),
    ]


def test_virtualization() -> None:
    assert parse_detect_virt(sample("debian12", "detect_virt")) == "docker"
    assert parse_detect_virt(b"none\n") == "none"
    assert parse_detect_virt(b"microsoft\n") == "hyperv"
    assert parse_dmi(b"VMware Virtual Platform\n", b"VMware, Inc.\n") == "vmware"
    assert parse_dmi(b"OpenStack Nova\n", b"OpenStack Foundation\n") == "kvm"
    assert parse_dmi(b"PowerEdge R740\n", b"Dell Inc.\n") == "none"
    assert parse_dmi(None, None) is None


def test_packages_and_install_dirs() -> None:
    assert parse_packages(None, sample("debian12", "dpkg_packages")) == {
        "mariadb-server": "10.11.19",
        "postgresql": "15",
        "rabbitmq-server": "3.10.8",
    }
    rpm = b"package nginx is not installed\nhttpd 2.4.6\nmariadb-server 5.5.68\n"
    assert parse_packages(rpm, None) == {"httpd": "2.4.6", "mariadb-server": "5.5.68"}
    assert parse_install_dirs(sample("debian12", "install_dirs"))[:3] == [
        "bin",
        "cuda",
        "cuda-13.0",
    ]


def test_invalid_utf8_and_gbk_bytes_decode() -> None:
    assert decode(sample("generic", "hostname_gbk")) == "数据库服务器01\n"
    assert parse_ps(sample("generic", "ps_invalid_utf8")) >= {"nginx", "java", "mysqld"}


def test_parse_all_on_the_debian_host() -> None:
    facts = parse_all("app-01", "10.0.0.1", AT, outputs_of("debian12"))
    assert (facts.hostname, facts.os_id, facts.os_version) == ("vm", "debian", "12.11")
    assert (facts.kernel, facts.virtualization) == ("6.18.44-fc-v669", "docker")
    assert (facts.cpu_model, facts.cpu_count, facts.memory_gib) == ("AMD EPYC", 2, 23.54)
    assert facts.disk_size_gib == 256.0
    assert facts.disk_used_gib == 26.53
    assert facts.middleware == (Middleware("postgresql", "15", (56759,), False),)
    assert facts.notes == ()


def test_parse_all_on_an_el6_host_with_gbk_hostname_and_fallbacks() -> None:
    outputs = {
        "hostname": CommandOutput(0, sample("generic", "hostname_gbk")),
        "os_release": CommandOutput(1, b"", b"cat: /etc/os-release: No such file or directory\n"),
        "redhat_release": CommandOutput(0, sample("rhel6", "redhat_release")),
        "cpuinfo": CommandOutput(0, sample("generic", "cpuinfo2")),
        "meminfo": CommandOutput(0, sample("generic", "meminfo")),
        "lsblk": CommandOutput(127, b"", b"bash: lsblk: command not found\n"),
        "df": CommandOutput(0, sample("generic", "df_gbk")),
        "ss": CommandOutput(255, b"", b"ss: invalid option -- 'H'\n"),
        "netstat": CommandOutput(0, sample("centos7", "netstat")),
        "detect_virt": CommandOutput(127, b""),
        "product_name": CommandOutput(0, b"VMware Virtual Platform\n"),
        "sys_vendor": CommandOutput(0, b"VMware, Inc.\n"),
        "ps": CommandOutput(0, b"init\nsshd\njava\nora_pmon_ORCL\ntnslsnr\n"),
        "install_dirs": CommandOutput(2, b"/opt:\napache-tomcat-7.0.92\n", b"ls: /u01: No such\n"),
        "uname_r": CommandOutput(0, b"2.6.32-754.el6.x86_64\n"),
        "uname_m": CommandOutput(0, b"x86_64\n"),
    }
    facts = parse_all("db-01", "10.0.0.2", AT, outputs)
    assert facts.hostname == "数据库服务器01"
    assert (facts.os_id, facts.os_version, facts.virtualization) == ("rhel", "6.5", "vmware")
    assert facts.block_devices == ()
    assert facts.cpu_count == 2
    assert [x.port for x in facts.listeners if x.proto == "tcp"] == [25, 22]
    assert {m.name: m.licensed for m in facts.middleware} == {"tomcat": False, "oracle": True}
    assert next(m for m in facts.middleware if m.name == "tomcat").version == "7.0.92"
    assert "block devices: neither lsblk nor /proc/partitions answered" in facts.notes
