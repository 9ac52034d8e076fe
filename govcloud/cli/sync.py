"""`govcloud sync`: OpenStack -> store."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govcloud.cli.render import Column as C
from govcloud.cli.state import state

if TYPE_CHECKING:
    from govcloud.cli.render import RenderOptions
    from govcloud.services.sync import SyncReport

SYNC = (
    C("pool", "资源池", "Pool"),
    C("status", "状态", "Status", words="outcome"),
    C("servers", "云主机", "VMs", kind="int"),
    C("projects", "项目", "Projects", kind="int"),
    C("volumes", "云硬盘", "Volumes", kind="int", long=True),
    C("snapshots", "快照", "Snapshots", kind="int", long=True),
    C("added", "新增", "Added", kind="int"),
    C("changed", "变更", "Changed", kind="int"),
    C("removed", "删除", "Removed", kind="int"),
    C("duplicates", "重复", "Duplicates", kind="int", long=True),
    C("duration_s", "耗时", "Duration", "s", kind="float"),
    C("error", "错误", "Error", kind="sentence"),
    C("notes", "备注", "Notes", long=True, kind="sentence"),
    C("region", "区域", "Region", long=True),
    C("unassigned", "未归属", "Unassigned", kind="int"),  # of the pool's region
    C("mode", "方式", "Mode", kind="sentence"),  # full | incremental, of the pool's region
    C("why", "原因", "Why", long=True),
    C("calls", "API 调用", "API calls", kind="int", long=True),
)
# machine formats also list the region's unassigned objects on each of its pool rows
UNASSIGNED_OBJECTS = C("unassigned_objects", "未归属对象", "Unassigned objects")
UNASSIGNED = (
    C("region", "区域", "Region"),
    C("kind", "类型", "Kind"),
    C("object_id", "ID", "ID"),
    C("name", "名称", "Name"),
    C("project_id", "项目", "Project"),
    C("reason", "原因", "Reason"),
)


def sync(
    ctx: typer.Context,
    pool: Annotated[
        list[str] | None, typer.Option("--pool", help="Sync only this pool (repeatable).")
    ] = None,
    clouds_yaml: Annotated[
        str | None,
        typer.Option(
            "--clouds-yaml",
            help="clouds.yaml to use [config clouds_yaml, env OS_CLIENT_CONFIG_FILE]; "
            "never read from the current directory implicitly.",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=1,
            help="Seconds an API call may take, its retries included: a cloud that does not "
            "answer fails the pool after this long.",
        ),
    ] = 30.0,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Parallel calls per pool (quotas).")
    ] = 8,
    full: Annotated[
        bool,
        typer.Option("--full", help="List everything, even where an incremental sync would do."),
    ] = False,
    full_every: Annotated[
        float | None,
        typer.Option(
            "--full-every",
            min=0.01,
            help="Hours between full syncs; incremental ones in between "
            "[config sync_full_every_h, default 24].",
        ),
    ] = None,
) -> None:
    """Pull projects, servers, flavors, quotas, volumes, storage backends and volume types,
    ports, floating IPs, security groups and Placement capacity and allocations into the store.

    Each region is listed once and placed among its pools; what no pool takes is listed as
    unassigned (counted per region; `-v` lists them, as do the machine formats).

    A region synced before is synced incrementally (what changed since the cloud time of the
    last sync) unless --full, the last run failed, the last full listing is older than
    --full-every, or the change listing cannot be trusted; the output says which and why
    (`-v`: with the number of API calls)."""
    from govcloud.cli.render import render
    from govcloud.core.errors import CloudError
    from govcloud.services import sync as service

    st = state(ctx)
    show_bar = st.display.output != "json" and sys.stderr.isatty()
    with ProgressBar(show_bar, st.tr) as bar:
        opts = service.SyncOptions(
            tuple(pool or ()), clouds_yaml, timeout, workers, full=full, full_every_h=full_every,
            tell=bar.tell,
        )  # fmt: skip
        report: SyncReport = service.run(st.settings, opts, progress=bar.update)
    opts_out = st.render_options()
    machine = st.display.output != "table"
    if machine:
        rows = [
            {**asdict(r), "unassigned_objects": [asdict(u) for u in r.unassigned_objects]}
            for r in report.results
        ]
        render(rows, (*SYNC, UNASSIGNED_OBJECTS), opts_out)
    else:
        render(report.results, SYNC, opts_out)
    if not machine:
        _tell_modes(report, st.tr, calls=st.verbose > 0)
        _tell_unassigned(report, opts_out, st.tr, listed=st.verbose > 0)
    if report.failed:
        if st.display.output == "json":
            raise typer.Exit(1)  # the rows carry status and error; stdout stays one document
        retry = " ".join(f"--pool {r.pool}" for r in report.failed)
        others = (
            "the other pools were committed; " if len(report.failed) < len(report.results) else ""
        )
        raise CloudError(
            report.failure_message(), hint=f"{others}retry with `govcloud sync {retry}`"
        )


def _tell_modes(report: SyncReport, tr: Callable[[str], str], *, calls: bool) -> None:
    """Below the pool table: per region, full or incremental and why (CALLS: with the number
    of HTTP requests the region took); TR puts a line in the language of the tables."""
    lines = {}
    for r in report.results:
        if r.status != "ok" or r.region in lines:
            continue
        if calls and r.calls is not None:
            lines[r.region] = tr(f"{r.region}: {r.mode} ({r.why}), {r.calls} API calls")
        else:
            lines[r.region] = tr(f"{r.region}: {r.mode} ({r.why})")
    if lines:
        sys.stdout.write("\n" + "\n".join(lines[k] for k in sorted(lines)) + "\n")
    _tell_notes(report, tr)


def _tell_notes(report: SyncReport, tr: Callable[[str], str]) -> None:
    """Below the modes: what each region's sync skipped or could not trust (a service missing
    from the catalog, a backend of unknown capacity...), each note once per region."""
    seen: dict[str, list[str]] = {}
    for r in report.results:
        for note in (r.notes or "").split("; "):
            if note and note not in seen.setdefault(r.region, []):
                seen[r.region].append(note)
    lines = [tr(f"{region}: {note}") for region in sorted(seen) for note in seen[region]]
    if lines:
        sys.stdout.write("\n" + "\n".join(lines) + "\n")


def _tell_unassigned(
    report: SyncReport, opts: RenderOptions, tr: Callable[[str], str], *, listed: bool
) -> None:
    """Below the pool table: per region, how many objects no pool took, by kind and reason;
    with LISTED (`-v`), each object as a table."""
    from govcloud.cli.render import render
    from govcloud.core.partition import reason_group

    lines, rows = [], []
    for region, objects in sorted(report.unassigned().items()):
        counts: dict[tuple[str, str], int] = {}
        for u in objects:
            key = (u.kind, reason_group(u.reason))
            counts[key] = counts.get(key, 0) + 1
        lines += [
            tr(f"{region}: {n} {kind} in no pool: {why}")
            for (kind, why), n in sorted(counts.items())
        ]
        rows += [{"region": region, **asdict(u)} for u in objects]
    if not rows:
        return
    sys.stdout.write("\n" + "\n".join(lines) + "\n")
    if listed:
        sys.stdout.write("\n")
        render(rows, UNASSIGNED, replace(opts, columns=()))
    else:
        sys.stdout.write(tr("(`govcloud -v sync` lists them)") + "\n")


class ProgressBar:
    """One line per pool on stderr while its listing runs; nothing when disabled."""

    def __init__(self, enabled: bool, tr: Callable[[str], str]) -> None:
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._tr = tr  # what a call waits for, in the language of notes
        if enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.fields[pool]}", markup=False),
                TextColumn("{task.fields[stage]}", markup=False),
                TextColumn("{task.completed:,} servers"),
                TimeElapsedColumn(),
                console=Console(stderr=True, markup=False, highlight=False),
                transient=True,
            )

    def __enter__(self) -> ProgressBar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def tell(self, line: str) -> None:
        """A line on stderr (above the bar when there is one): what a slow call waits for."""
        line = self._tr(line)
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def update(self, pool_code: str, stage: str, done: int) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(pool_code)
        if task is None:
            task = self._tasks[pool_code] = self._progress.add_task(
                "", total=None, pool=pool_code, stage=stage
            )
        self._progress.update(task, completed=done, stage=stage)
