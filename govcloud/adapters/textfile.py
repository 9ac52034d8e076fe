"""Findings as a node_exporter textfile-collector file, so existing Prometheus alerting sees them.

node_exporter reads `*.prom` files from its `--collector.textfile.directory` at every scrape, so
the file is written under a temporary name (not ending in .prom) in the same directory, flushed,
and renamed over the old one: a scrape sees the previous file or the new one, never half of it.

The one file govcloud writes readable by others (0644): node_exporter runs as its own user and
must read it, and govcloud cannot give the file node_exporter's group. It holds only counts per
check, pool and department, which Prometheus serves to its readers anyway; no secret, no name
of a VM or person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from govcloud.adapters.files import write_private
from govcloud.core.errors import UsageError
from govcloud.core.findings import Finding, reclaim_total

SHARED_WITH_NODE_EXPORTER = 0o644
MIB = 1024 * 1024
GIB = 1024 * MIB


def escape_label(value: str) -> str:
    """Label values per the text exposition format: backslash, double quote and newline."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: str | None) -> str:
    body = ",".join(f'{k}="{escape_label(v or "")}"' for k, v in labels.items())
    return "{" + body + "}"


def _family(name: str, help_text: str, samples: Iterable[tuple[str, float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    lines += [f"{name}{labels} {_number(value)}" for labels, value in samples]
    return lines


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render_textfile(findings: Sequence[Finding], *, run_ts: float, success: bool) -> str:
    counts: dict[tuple[str, str, str, str], int] = {}
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        key = (f.check, f.severity.value, f.pool or "", f.department or "")
        counts[key] = counts.get(key, 0) + 1
        groups.setdefault((f.pool or "", f.department or ""), []).append(f)
    reclaim = {k: reclaim_total(v) for k, v in sorted(groups.items())}
    lines = _family(
        "govcloud_audit_findings",
        "Findings of the last govcloud audit run by check, severity, pool and department.",
        (
            (_labels(check=c, severity=s, pool=p, department=d), n)
            for (c, s, p, d), n in sorted(counts.items())
        ),
    )
    per_group = [(_labels(pool=p, department=d), r) for (p, d), r in reclaim.items()]
    lines += _family(
        "govcloud_audit_reclaimable_vcpus",
        "vCPUs the last audit found reclaimable (each subject counted once).",
        ((labels, r.vcpus) for labels, r in per_group),
    )
    lines += _family(
        "govcloud_audit_reclaimable_ram_bytes",
        "RAM the last audit found reclaimable, in bytes.",
        ((labels, r.ram_mib * MIB) for labels, r in per_group),
    )
    lines += _family(
        "govcloud_audit_reclaimable_volume_bytes",
        "Volume capacity the last audit found reclaimable, in bytes.",
        ((labels, r.volume_gib * GIB) for labels, r in per_group),
    )
    lines += _family(
        "govcloud_audit_last_run_timestamp_seconds",
        "When the last audit run finished (Unix time).",
        [("", run_ts)],
    )
    lines += _family(
        "govcloud_audit_run_success",
        "1 if the last audit run completed every check, else 0.",
        [("", 1 if success else 0)],
    )
    return "\n".join(lines) + "\n"


def write_textfile(
    path: Path, findings: Sequence[Finding], *, run_ts: float, success: bool
) -> Path:
    if path.suffix != ".prom":
        raise UsageError(
            f"{path}: the textfile collector only reads *.prom files", hint="name it audit.prom"
        )
    if not path.parent.is_dir():
        raise UsageError(
            f"directory {path.parent} does not exist",
            hint="point it at node_exporter's --collector.textfile.directory",
        )
    text = render_textfile(findings, run_ts=run_ts, success=success)
    write_private(path, text.encode("utf-8"), mode=SHARED_WITH_NODE_EXPORTER)
    return path
