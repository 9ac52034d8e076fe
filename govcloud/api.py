"""The library under the CLI: open a store, read the estate, run a sync or an audit.

    import govcloud

    with govcloud.open("govcloud.db") as gc:
        for pool in gc.pools():
            print(pool.code, pool.vcpus_headroom)

Each call is one CLI command (the docstrings name it): the same service function, the same role
check (三权分立), the same typed records (frozen dataclasses) the command renders, and for the
calls that change something the same audit-trail record, with the operator resolved as the
CLI resolves it (GOVCLOUD_OPERATOR, the config's `operator`, else the OS user). The trail's
`command` names the call (`govcloud.api sync(full=True)`), not the Python process's argv.

Each call opens the store for its own transaction and closes it, as a command does: a notebook
kept open all day holds no connection and no SQLite lock between calls. Errors are the CLI's
(govcloud/core/errors.py): NotFoundError for an unknown pool, department, system or VM (with the
closest matches in `.hint`), UsageError for a bad argument, StoreError, CloudError.

Nothing here imports SQLAlchemy or the services at `import govcloud` time: each call imports
what it needs, so `govcloud --version` and every command stay fast.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from govcloud.core.errors import UsageError

if TYPE_CHECKING:
    from govcloud.adapters.store.findings_repo import RunRecord
    from govcloud.core.address_capacity import PublicAddresses
    from govcloud.core.capacity import PoolSummary
    from govcloud.core.findings import Finding
    from govcloud.core.listing import VmView
    from govcloud.core.quota_check import PoolQuotaCheck, QuotaView
    from govcloud.core.severity import Severity
    from govcloud.core.storage_capacity import StorageCapacity
    from govcloud.core.tenancy import TenantSummary
    from govcloud.core.usage_summary import DepartmentUtilization, VmUtilization
    from govcloud.services.audit import AuditResult
    from govcloud.services.inventory import InventoryStats
    from govcloud.services.settings import Settings
    from govcloud.services.sync import SyncReport
    from govcloud.services.views import ProjectQuotaView

__all__ = ["DepartmentDetail", "Govcloud", "PoolDetail", "VmDetail", "open"]


@dataclass(frozen=True)
class PoolDetail:
    """What `pool show` shows: the pool's figures, its storage per volume type and its
    region's public addresses."""

    pool: PoolSummary
    storage: list[StorageCapacity]
    public_addresses: PublicAddresses


@dataclass(frozen=True)
class DepartmentDetail:
    """What `tenant show` shows: the department's figures and its approved quotas."""

    department: TenantSummary
    quotas: list[ProjectQuotaView]
    utilization: DepartmentUtilization | None = None  # None: no metrics for its servers


@dataclass(frozen=True)
class VmDetail:
    """What `vm show` shows: the server and its attached volumes (one mapping each)."""

    vm: VmView
    volumes: list[dict[str, Any]]
    utilization: VmUtilization | None = None  # P95 CPU / memory over 14 days; None: no data


def open(
    db: str | os.PathLike[str] | None = None, *, config: str | os.PathLike[str] | None = None
) -> Govcloud:
    """A handle on the store DB: a SQLAlchemy URL (`sqlite:///PATH`,
    `postgresql+psycopg://USER@HOST/DB`), a file path, or None for the configured store
    (GOVCLOUD_DB, the config file's `db`, else the default file). CONFIG is a config file other
    than the default one. Nothing is opened yet: each call opens the store for itself."""
    from govcloud.services.settings import resolve

    path = None if db is None else os.fspath(db)
    return Govcloud(resolve(db=path, config=None if config is None else os.fspath(config)))


class Govcloud:
    """One store, as the CLI with `--db` would use it. Use as a context manager or `close()`
    it; a closed handle refuses every call."""

    def __init__(self, settings: Settings, *, roles_checked: bool = False) -> None:
        self._settings = settings
        self._closed = False
        self._roles_checked = roles_checked  # the CLI checks each command's role before it runs

    def __repr__(self) -> str:
        state = " (closed)" if self._closed else ""
        return f"<govcloud {self.store}{state}>"

    @property
    def store(self) -> str:
        """The store's URL, without its password."""
        from govcloud.adapters.store.engine import describe, resolve_url

        return describe(resolve_url(self._settings.db))

    @property
    def settings(self) -> Settings:
        return self._settings

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> Govcloud:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- reads -------------------------------------------------------------------------------

    def pools(self) -> list[PoolSummary]:
        """`pool list`: every declared pool's capacity, allocation, quota and headroom."""
        from govcloud.services import views

        return views.pool_summaries(self._use("pool list"))

    def pool(self, ref: str) -> PoolDetail:
        """`pool show REF`: one pool by code or name (any case)."""
        from govcloud.services import views

        settings = self._use("pool show")
        summary, storage = views.pool_summary(settings, ref)
        return PoolDetail(summary, storage, views.public_addresses(settings, summary.code))

    def departments(self) -> list[TenantSummary]:
        """`tenant list`: every department's quota and use."""
        from govcloud.services import views

        return views.tenant_summaries(self._use("tenant list"))

    def department(self, ref: str) -> DepartmentDetail:
        """`tenant show REF`: one department by code, short or full name (any case)."""
        from govcloud.services import views

        settings = self._use("tenant show")
        summary, quotas = views.tenant_summary(settings, ref)
        return DepartmentDetail(summary, quotas, views.tenant_utilization(settings, summary.code))

    def vms(
        self,
        *,
        tenant: str | None = None,
        pool: str | None = None,
        system: str | None = None,
        status: str | None = None,
        flavor: str | None = None,
        sort: str | None = None,
        limit: int | None = None,
    ) -> list[VmView]:
        """`vm list`: servers by department, pool, business system (codes or names), Nova
        status and flavor; SORT as `--sort` (`vcpus,name`, `-ram_gib` descending)."""
        from govcloud.core.listing import VmFilter, parse_sort
        from govcloud.services import views

        if limit is not None and limit < 0:
            raise UsageError(f"limit must be 0 or more, not {limit}")
        keys, descending = parse_sort(sort)
        flt = VmFilter(tenant, pool, system, status, flavor, keys, descending, limit)
        return views.servers(self._use("vm list"), flt)

    def vm(self, ref: str) -> VmDetail:
        """`vm show REF`: one server by id, id prefix or exact name."""
        from govcloud.services import views

        settings = self._use("vm show")
        view, volumes = views.server(settings, ref)
        return VmDetail(view, volumes, views.server_utilization(settings, view.server_id))

    def quotas(
        self, *, tenant: str | None = None, pool: str | None = None, resource: str | None = None
    ) -> list[QuotaView]:
        """`quota show`: approved quota beside the cloud's limit and usage, per department,
        project, pool and resource (`cores`, `ram`, `gigabytes_ssd`, ...)."""
        from govcloud.services import quota

        return quota.show(self._use("quota show"), tenant, pool, resource)

    def quota_check(self, *, pool: str | None = None) -> list[PoolQuotaCheck]:
        """`quota check`: per pool and resource, the sum of quotas and of allocations against
        capacity x ratio - reserve, with a severity."""
        from govcloud.services import quota

        return quota.check(self._use("quota check"), pool)

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """`audit list`: the newest stored audit runs first."""
        from govcloud.services import audit

        return audit.list_runs(self._use("audit list"), limit)

    def findings(
        self,
        run: int | None = None,
        *,
        severity: str | Severity | None = None,
        check: str | None = None,
        tenant: str | None = None,
        pool: str | None = None,
    ) -> list[Finding]:
        """`audit show [RUN]`: the findings of a stored run (default: the newest), at or above
        SEVERITY (`high` or 高), of one CHECK, department or pool."""
        from govcloud.core.severity import parse_severity
        from govcloud.services import audit

        view = audit.show_run(
            self._use("audit show"),
            run,
            tenant=tenant,
            pool=pool,
            severity=parse_severity(severity) if severity else None,
            check=check,
        )
        return view.findings

    def validate_inventory(self, directory: str | os.PathLike[str]) -> list[InventoryStats]:
        """`inventory validate DIR`: parse the declared YAML; counts per kind, or a
        ValidationError naming file and line. Touches no store."""
        from govcloud.services import inventory

        self._use("inventory validate")
        return inventory.validate(_folder(directory))

    # --- changes (each leaves an audit-trail record) ----------------------------------------

    def load_inventory(
        self, directory: str | os.PathLike[str], *, prune: bool = False
    ) -> list[InventoryStats]:
        """`inventory load DIR`: the declared YAML into the store (created if missing), all or
        nothing. Removing what the folder no longer declares needs PRUNE."""
        from govcloud.services import inventory

        folder = _folder(directory)
        settings = self._use("inventory load", _call("load_inventory", str(folder), prune=prune))
        return inventory.load(settings, folder, prune=prune)

    def sync(
        self,
        pool: str | Sequence[str] | None = None,
        *,
        full: bool = False,
        clouds_yaml: str | os.PathLike[str] | None = None,
        timeout_s: float = 30.0,
    ) -> SyncReport:
        """`sync`: OpenStack into the store, every pool (or POOL, one code or several).
        Never raises for a pool that failed: see `report.failed` and
        `report.failure_message()`; the other pools are committed."""
        from govcloud.services import sync

        pools = (pool,) if isinstance(pool, str) else tuple(pool or ())
        cloud_file = None if clouds_yaml is None else os.fspath(clouds_yaml)
        settings = self._use("sync", _call("sync", *pools, full=full))
        opts = sync.SyncOptions(pools, cloud_file, timeout_s, full=full)
        return sync.run(settings, opts)

    def audit(
        self,
        checks: Sequence[str] = (),
        *,
        window: str | None = None,
        fail_on: str | Severity | None = None,
        playbook: str | os.PathLike[str] | None = None,
    ) -> AuditResult:
        """`audit run`: run the checks (all, CHECKS, or a playbook's audit step) over data read
        once, store the run and its findings. The result carries the findings, the counts, the
        diff against the previous run and `over_threshold` (the findings at or above
        FAIL_ON, which a cron job turns into its exit status)."""
        from govcloud.core.severity import parse_severity
        from govcloud.services import audit

        book = None if playbook is None else os.fspath(playbook)
        settings = self._use("audit run", _call("audit", *checks, window=window, playbook=book))
        threshold = parse_severity(fail_on) if fail_on else None
        configs, window_s, threshold = audit.plan_checks(
            settings, list(checks), window, threshold, book
        )
        return audit.run_audit(settings, configs, window_s, playbook=book, fail_on=threshold)

    # -----------------------------------------------------------------------------------------

    def _use(self, command: str, call: str | None = None) -> Settings:
        """The settings for one call of COMMAND, once the caller's roles allow it; CALL is
        what the audit trail records as the command (reads record only denials)."""
        if self._closed:
            raise UsageError("this govcloud handle is closed", hint="call govcloud.open() again")
        if self._roles_checked:
            return self._settings
        from govcloud.services import roles

        settings = dataclasses.replace(self._settings, command=call or f"govcloud.api: {command}")
        roles.check(settings, command)
        return settings


def _call(name: str, *args: object, **options: object) -> str:
    """`govcloud.api sync('zw-prod', full=True)`: the call as the trail records it (options
    left at their default, False or None, are not shown)."""
    shown = [repr(a) for a in args]
    shown += [f"{k}={v!r}" for k, v in options.items() if v not in (None, False)]
    return f"govcloud.api {name.replace(' ', '_')}({', '.join(shown)})"


def _folder(directory: str | os.PathLike[str]) -> Path:
    """A folder argument; empty is refused rather than read as the current folder."""
    text = os.fspath(directory)
    if not text.strip():
        raise UsageError("the inventory folder is empty", hint="give the folder of the YAML files")
    return Path(text)
