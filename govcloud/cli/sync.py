"""`govcloud sync`: OpenStack -> store."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govcloud.cli.render import Column as C
from govcloud.cli.state import state

if TYPE_CHECKING:
    from govcloud.services.sync import SyncReport

SYNC = (
    C("pool", "资源池", "Pool"),
    C("status", "状态", "Status"),
    C("servers", "云主机", "VMs", kind="int"),
    C("projects", "项目", "Projects", kind="int"),
    C("volumes", "云硬盘", "Volumes", kind="int", long=True),
    C("snapshots", "快照", "Snapshots", kind="int", long=True),
    C("added", "新增", "Added", kind="int"),
    C("changed", "变更", "Changed", kind="int"),
    C("removed", "删除", "Removed", kind="int"),
    C("duplicates", "重复", "Duplicates", kind="int", long=True),
    C("duration_s", "耗时", "Duration", "s", kind="float"),
    C("error", "错误", "Error"),
    C("notes", "备注", "Notes", long=True),
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
        float, typer.Option("--timeout", min=1, help="Seconds per API call.")
    ] = 30.0,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Parallel calls per pool (quotas).")
    ] = 8,
) -> None:
    """Pull projects, servers, flavors, quotas, volumes and Placement capacity into the store."""
    from govcloud.cli.render import render
    from govcloud.core.errors import CloudError
    from govcloud.services import sync as service

    st = state(ctx)
    opts = service.SyncOptions(tuple(pool or ()), clouds_yaml, timeout, workers)
    show_bar = st.settings.output != "json" and sys.stderr.isatty()
    with ProgressBar(show_bar) as bar:
        report: SyncReport = service.run(st.settings, opts, progress=bar.update)
    render(report.results, SYNC, st.render_options())
    if report.failed:
        if st.settings.output == "json":
            raise typer.Exit(1)  # the rows carry status and error; stdout stays one document
        retry = " ".join(f"--pool {r.pool}" for r in report.failed)
        raise CloudError(
            report.failure_message(),
            hint=f"the other pools were committed; retry with `govcloud sync {retry}`",
        )


class ProgressBar:
    """One line per pool on stderr while its listing runs; nothing when disabled."""

    def __init__(self, enabled: bool) -> None:
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
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

    def update(self, pool_code: str, stage: str, done: int) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(pool_code)
        if task is None:
            task = self._tasks[pool_code] = self._progress.add_task(
                "", total=None, pool=pool_code, stage=stage
            )
        self._progress.update(task, completed=done, stage=stage)
