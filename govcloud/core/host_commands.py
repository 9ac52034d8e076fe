"""The fixed, read-only command set discovery runs on a legacy server (issue 10 §1).

Every command is an argv tuple sent as-is: nothing is ever built from inventory values or remote
output, and no shell string exists, so a hostile host name or path cannot become a command. Each
command only reads: release files, /proc, /sys, the block-device and mount tables, the socket
table, process *names* (never command lines: they carry passwords and tokens) and the names of
the conventional install directories. None needs root; without root `ss -p` / `netstat -p` only
name the caller's own processes, which the parsers tolerate.

Old systems lack some commands or options (CentOS 6: no /etc/os-release, no `ss -H`, no
systemd-detect-virt), so the set holds fallbacks side by side and discovery runs all of them;
`core/host_parse` picks the best output that answered. `optional` commands may fail (missing
file, exit 127) without a note: their absence is normal somewhere in the fleet.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HostCommand:
    key: str  # the output's name in `parse_all(outputs=…)` and in stored fixtures
    argv: tuple[str, ...]
    optional: bool = False


# Directories listed by name only (`ls -1`, no -R): Java application servers and the domestic
# databases are rarely packaged, and their install directory names (apache-tomcat-8.5.50,
# weblogic, dmdbms, Kingbase) are what tells one `java` process from another without reading its
# command line.
INSTALL_DIRS: tuple[str, ...] = ("/opt", "/usr/local", "/u01")

# Packages whose version names the middleware version; queried by exact name, never a wildcard list.
MIDDLEWARE_PACKAGES: tuple[str, ...] = (
    "nginx",
    "httpd",
    "apache2",
    "tomcat",
    "tomcat9",
    "mysql-server",
    "mysql-community-server",
    "mariadb-server",
    "postgresql-server",
    "postgresql",
    "redis",
    "redis-server",
    "mongodb-org-server",
    "rabbitmq-server",
)

_LSBLK_COLUMNS = "NAME,SIZE,TYPE,ROTA,MOUNTPOINT"

COMMANDS: tuple[HostCommand, ...] = (
    HostCommand("hostname", ("hostname",)),
    HostCommand("uname_n", ("uname", "-n"), optional=True),  # minimal images without hostname(1)
    HostCommand("os_release", ("cat", "/etc/os-release"), optional=True),
    HostCommand("redhat_release", ("cat", "/etc/redhat-release"), optional=True),
    HostCommand("centos_release", ("cat", "/etc/centos-release"), optional=True),
    HostCommand("kylin_release", ("cat", "/etc/kylin-release"), optional=True),
    HostCommand("debian_version", ("cat", "/etc/debian_version"), optional=True),
    HostCommand("uname_r", ("uname", "-r")),
    HostCommand("uname_m", ("uname", "-m")),
    HostCommand("cpuinfo", ("cat", "/proc/cpuinfo")),
    HostCommand("meminfo", ("cat", "/proc/meminfo")),
    # -P (key="value" pairs) exists in the oldest lsblk we meet; -J does not.
    HostCommand(
        "lsblk", ("lsblk", "-b", "-P", "-o", "NAME,SIZE,TYPE,ROTA,MOUNTPOINT"), optional=True
    ),
    HostCommand("proc_partitions", ("cat", "/proc/partitions"), optional=True),
    # -P: one line per filesystem, POSIX columns, whatever the locale or device name length.
    HostCommand("df", ("df", "-P", "-k", "-T")),
    HostCommand("ss", ("ss", "-H", "-tunap"), optional=True),
    HostCommand("ss_plain", ("ss", "-tunap"), optional=True),  # iproute2 without -H (CentOS 6)
    HostCommand("netstat", ("netstat", "-tunap"), optional=True),  # no iproute2 ss at all
    HostCommand(
        "detect_virt", ("systemd-detect-virt",), optional=True
    ),  # exit 1 + "none": physical
    HostCommand("product_name", ("cat", "/sys/class/dmi/id/product_name"), optional=True),
    HostCommand("sys_vendor", ("cat", "/sys/class/dmi/id/sys_vendor"), optional=True),
    HostCommand("ps", ("ps", "-e", "-o", "comm=")),  # names only, never arguments
    HostCommand("install_dirs", ("ls", "-1", *INSTALL_DIRS), optional=True),
    HostCommand(
        "rpm_packages",
        ("rpm", "-q", "--queryformat", "%{NAME} %{VERSION}\\n", *MIDDLEWARE_PACKAGES),
        optional=True,
    ),
    HostCommand(
        "dpkg_packages",
        ("dpkg-query", "-W", "-f", "${Status}\\t${Package}\\t${Version}\\n", *MIDDLEWARE_PACKAGES),
        optional=True,
    ),
)

COMMAND_KEYS: frozenset[str] = frozenset(c.key for c in COMMANDS)
