"""Pure parsers from the outputs of `core/host_commands` to `HostFacts` (issue 10 §1).

One module per concern (os_info, cpu_memory, disks, filesystems, sockets, middleware,
virtualization); each takes bytes and never raises on what a host printed: a line it cannot
read is skipped and said in `notes`. `parse_all` picks, per concern, the best command that
answered (os-release before release files, `ss -H` before `ss` before `netstat`, lsblk before
/proc/partitions, systemd-detect-virt before DMI) and says in `notes` what was missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from govcloud.core.host_commands import COMMANDS
from govcloud.core.host_facts import HostFacts
from govcloud.core.host_parse import (
    cpu_memory,
    disks,
    filesystems,
    middleware,
    os_info,
    sockets,
    virtualization,
)
from govcloud.core.host_parse.text import first_line

_REQUIRED = {c.key for c in COMMANDS if not c.optional}


@dataclass(frozen=True)
class CommandOutput:
    exit_status: int | None  # None: no exit status (timed out, channel closed)
    stdout: bytes
    stderr: bytes = b""


def _answered(outputs: Mapping[str, CommandOutput], key: str) -> bytes | None:
    """The stdout of a command that ran and printed something, else None."""
    output = outputs.get(key)
    if output is None or output.exit_status is None or not output.stdout.strip():
        return None
    if output.exit_status != 0 and key != "detect_virt":  # detect_virt: exit 1 = "none"
        return None
    return output.stdout


def _failure_notes(outputs: Mapping[str, CommandOutput]) -> list[str]:
    notes: list[str] = []
    for key in sorted(_REQUIRED):
        output = outputs.get(key)
        if output is None:
            notes.append(f"{key}: not run")
        elif output.exit_status is None:
            notes.append(f"{key}: no exit status (timed out or cut off)")
        elif output.exit_status == 127:
            notes.append(f"{key}: command not found")
        elif output.exit_status != 0:
            notes.append(f"{key}: exit status {output.exit_status}")
    return notes


def parse_all(
    host: str, address: str, collected_at: datetime, outputs: Mapping[str, CommandOutput]
) -> HostFacts:
    notes = _failure_notes(outputs)

    def got(key: str) -> bytes | None:
        return _answered(outputs, key)

    release_lines = [
        b for k in ("centos_release", "redhat_release", "kylin_release") if (b := got(k))
    ]
    os = os_info.parse_os(got("os_release"), release_lines, got("debian_version"))
    if os.os_id is None and os.os_name is None:
        notes.append("os: no release file answered")
    hostname_raw = got("hostname") or got("uname_n")
    kernel_raw, arch_raw = got("uname_r"), got("uname_m")
    arch = first_line(arch_raw) if arch_raw else None
    if arch and arch != "x86_64":
        notes.append(f"architecture: {arch}")

    cpu_model, cpu_count = cpu_memory.parse_cpuinfo(got("cpuinfo") or b"")
    meminfo = got("meminfo")
    memory_gib = cpu_memory.parse_meminfo(meminfo) if meminfo else None

    if (lsblk := got("lsblk")) is not None:
        block_devices, found = disks.parse_lsblk(lsblk)
    elif (partitions := got("proc_partitions")) is not None:
        block_devices, found = disks.parse_proc_partitions(partitions)
        found.append("block devices: from /proc/partitions (no lsblk)")
    else:
        block_devices, found = [], ["block devices: neither lsblk nor /proc/partitions answered"]
    notes += found

    df = got("df")
    mounted, found = filesystems.parse_df(df) if df else ([], [])
    notes += found

    rows, found = _socket_rows(outputs)
    notes += found
    listening = sockets.listeners(rows)
    tcp_ports = {x.port for x in listening if x.proto.startswith("tcp")}
    connections = sockets.peers(rows, tcp_ports)

    virt = virtualization.parse_detect_virt(got("detect_virt") or b"")
    if virt is None:
        virt = virtualization.parse_dmi(got("product_name"), got("sys_vendor"))
    if virt is None:
        notes.append("virtualization: unknown (no systemd-detect-virt, no DMI)")

    found_middleware = middleware.recognise(
        middleware.parse_ps(got("ps") or b""),
        listening,
        middleware.parse_install_dirs(_any_stdout(outputs, "install_dirs")),
        middleware.parse_packages(_any_stdout(outputs, "rpm_packages"), got("dpkg_packages")),
    )
    return HostFacts(
        host=host,
        address=address,
        collected_at=collected_at,
        hostname=first_line(hostname_raw) if hostname_raw else None,
        os_id=os.os_id,
        os_name=os.os_name,
        os_version=os.os_version,
        kernel=first_line(kernel_raw) if kernel_raw else None,
        virtualization=virt,
        cpu_model=cpu_model,
        cpu_count=cpu_count,
        memory_gib=memory_gib,
        block_devices=tuple(block_devices),
        filesystems=tuple(mounted),
        listeners=tuple(listening),
        peers=tuple(connections),
        middleware=tuple(found_middleware),
        notes=tuple(notes),
    )


def _any_stdout(outputs: Mapping[str, CommandOutput], key: str) -> bytes:
    """stdout even on a non-zero exit: `ls` of three directories exits 2 when one is missing,
    `rpm -q` exits with the number of packages not installed; the rest is still an answer."""
    output = outputs.get(key)
    return output.stdout if output is not None and output.exit_status is not None else b""


def _socket_rows(
    outputs: Mapping[str, CommandOutput],
) -> tuple[list[sockets.SocketRow], list[str]]:
    for key in ("ss", "ss_plain"):
        raw = _answered(outputs, key)
        if raw is not None:
            return sockets.parse_ss(raw)
    raw = _answered(outputs, "netstat")
    if raw is not None:
        return sockets.parse_netstat(raw)
    return [], ["sockets: neither ss nor netstat answered"]
