"""Middleware recognised from process names, listening ports, install directories and packages.

Process names (`ps -e -o comm=`, at most 15 characters) name most servers directly: nginx,
mysqld, postgres, redis-server, dmserver (达梦), kingbase (人大金仓), ora_pmon_<SID>. A Java
application server is only `java`: which one is told by the install directories under /opt,
/usr/local and /u01 (apache-tomcat-8.5.50, weblogic, IBM) and by its ports (8005/8080 Tomcat,
7001 WebLogic, 9060/9080 WebSphere), never by reading its command line. Versions come from the
package manager (rpm / dpkg) or the install directory name, when either says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govcloud.core.host_facts import Listener, Middleware
from govcloud.core.host_parse.text import decode


@dataclass(frozen=True)
class Rule:
    name: str
    processes: tuple[str, ...]  # exact comm names; a trailing * matches a prefix
    ports: tuple[int, ...] = ()  # its well-known ports (to name listeners without -p)
    packages: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()  # install directory name prefixes, lower case
    licensed: bool = False
    java: bool = False  # the process is `java`: dirs or ports must also say which


RULES: tuple[Rule, ...] = (
    Rule("nginx", ("nginx",), (80, 443), ("nginx",), ("nginx",)),
    Rule("httpd", ("httpd", "apache2", "/usr/sbin/apach*"), (80, 443), ("httpd", "apache2")),
    Rule("weblogic", ("java",), (7001, 7002), (), ("weblogic", "wlserver", "bea"), True, True),
    Rule("websphere", ("java",), (9060, 9080, 9043), (), ("ibm", "websphere"), True, True),
    Rule(
        "tomcat",
        ("java",),
        (8005, 8009, 8080),
        ("tomcat", "tomcat9"),
        ("apache-tomcat", "tomcat"),
        java=True,
    ),
    Rule("kafka", ("java",), (9092,), (), ("kafka",), java=True),
    Rule("zookeeper", ("java",), (2181,), (), ("zookeeper",), java=True),
    Rule("elasticsearch", ("java",), (9200, 9300), (), ("elasticsearch",), java=True),
    Rule("mariadb", ("mariadbd",), (3306,), ("mariadb-server",)),
    Rule("mysql", ("mysqld",), (3306,), ("mysql-server", "mysql-community-server"), ("mysql",)),
    Rule("postgresql", ("postgres", "postmaster"), (5432,), ("postgresql-server", "postgresql")),
    Rule("oracle", ("ora_pmon_*", "tnslsnr"), (1521,), (), ("oracle", "app"), True),
    Rule("redis", ("redis-server",), (6379,), ("redis", "redis-server"), ("redis",)),
    Rule("dm", ("dmserver", "dmap"), (5236,), (), ("dmdbms", "dm8"), True),
    Rule("kingbase", ("kingbase",), (54321,), (), ("kingbase",), True),
    Rule("mongodb", ("mongod",), (27017,), ("mongodb-org-server",), ("mongodb",)),
    Rule("rabbitmq", ("beam.smp",), (5672, 25672), ("rabbitmq-server",), ("rabbitmq",)),
    Rule("memcached", ("memcached",), (11211,)),
    Rule("haproxy", ("haproxy",)),
)
_VERSION_IN_DIR = re.compile(r"(\d+(?:\.\d+)+)")


def parse_ps(raw: bytes) -> set[str]:
    return {line.strip() for line in decode(raw).splitlines() if line.strip()}


def parse_install_dirs(raw: bytes) -> list[str]:
    """`ls -1 /opt /usr/local /u01` -> the entry names (the `/opt:` headers dropped)."""
    lines = (line.strip() for line in decode(raw).splitlines())
    return [line for line in lines if line and not line.endswith(":")]


def parse_packages(rpm: bytes | None, dpkg: bytes | None) -> dict[str, str]:
    """Installed package -> upstream version ("1:10.11.19-0+deb12u1" -> "10.11.19")."""
    versions: dict[str, str] = {}
    for line in decode(rpm or b"").splitlines():
        parts = line.split()
        if len(parts) == 2 and "not installed" not in line and parts[1][:1].isdigit():
            versions[parts[0]] = parts[1]
    for line in decode(dpkg or b"").splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and fields[0].endswith(" installed") and fields[2]:
            upstream = fields[2].split(":", 1)[-1]
            versions[fields[1]] = re.split(r"[-+~]", upstream, maxsplit=1)[0]
    return versions


def _matches(rule: Rule, process: str) -> bool:
    return any(
        process.startswith(p[:-1]) if p.endswith("*") else process == p for p in rule.processes
    )


def recognise(
    processes: set[str],
    listening: list[Listener],
    install_dirs: list[str],
    packages: dict[str, str],
) -> list[Middleware]:
    found: list[Middleware] = []
    dirs = [d.lower() for d in install_dirs]
    java_claimed = False
    for rule in RULES:
        running = any(_matches(rule, p) for p in processes)
        own = sorted({x.port for x in listening if x.process and _matches(rule, x.process)})
        known = sorted({x.port for x in listening if x.port in rule.ports})
        named_dir = next((d for d in dirs if d.startswith(rule.dirs)), None) if rule.dirs else None
        if not running:
            continue
        if rule.java:
            java_ports = sorted({x.port for x in listening if x.process in (None, "java")})
            own = [p for p in java_ports if p in rule.ports]
            if not own and named_dir is None:
                continue
            java_claimed = True
        ports = tuple(own or known)
        version = next((packages[p] for p in rule.packages if p in packages), None)
        if version is None and named_dir is not None:
            match = _VERSION_IN_DIR.search(named_dir)
            version = match.group(1) if match else None
        name = rule.name
        if name == "mysql" and "mariadb-server" in packages:  # CentOS 7 MariaDB runs as mysqld
            name, version = "mariadb", packages["mariadb-server"]
        found.append(Middleware(name, version, ports, rule.licensed))
    if "java" in processes and not java_claimed:
        ports = tuple(sorted({x.port for x in listening if x.process == "java"}))
        found.append(Middleware("java", None, ports, False))
    return found
