"""govcloud: resource management for OpenStack-based government clouds (政务云).

As a library (docs/api.md)::

    import govcloud

    with govcloud.open("govcloud.db") as gc:
        gc.vms(tenant="卫健委")

Every command imports this package, so it imports nothing itself: `open` and the record types
are looked up on first use (PEP 562), keeping SQLAlchemy out of `govcloud --version`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from govcloud.adapters.store.findings_repo import RunRecord as RunRecord
    from govcloud.api import DepartmentDetail as DepartmentDetail
    from govcloud.api import Govcloud as Govcloud
    from govcloud.api import PoolDetail as PoolDetail
    from govcloud.api import VmDetail as VmDetail
    from govcloud.api import open as open
    from govcloud.core.capacity import PoolSummary as PoolSummary
    from govcloud.core.errors import GovcloudError as GovcloudError
    from govcloud.core.errors import NotFoundError as NotFoundError
    from govcloud.core.errors import PermissionDenied as PermissionDenied
    from govcloud.core.errors import StoreError as StoreError
    from govcloud.core.errors import UsageError as UsageError
    from govcloud.core.findings import Finding as Finding
    from govcloud.core.listing import VmView as VmView
    from govcloud.core.quota_check import PoolQuotaCheck as PoolQuotaCheck
    from govcloud.core.quota_check import QuotaView as QuotaView
    from govcloud.core.severity import Severity as Severity
    from govcloud.core.tenancy import TenantSummary as TenantSummary
    from govcloud.services.audit import AuditResult as AuditResult
    from govcloud.services.sync import SyncReport as SyncReport

# public name -> the module that defines it
_EXPORTS = {
    "open": "govcloud.api",
    "Govcloud": "govcloud.api",
    "PoolDetail": "govcloud.api",
    "DepartmentDetail": "govcloud.api",
    "VmDetail": "govcloud.api",
    "PoolSummary": "govcloud.core.capacity",
    "TenantSummary": "govcloud.core.tenancy",
    "VmView": "govcloud.core.listing",
    "QuotaView": "govcloud.core.quota_check",
    "PoolQuotaCheck": "govcloud.core.quota_check",
    "Finding": "govcloud.core.findings",
    "Severity": "govcloud.core.severity",
    "GovcloudError": "govcloud.core.errors",
    "NotFoundError": "govcloud.core.errors",
    "PermissionDenied": "govcloud.core.errors",
    "StoreError": "govcloud.core.errors",
    "UsageError": "govcloud.core.errors",
    "RunRecord": "govcloud.adapters.store.findings_repo",
    "AuditResult": "govcloud.services.audit",
    "SyncReport": "govcloud.services.sync",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'govcloud' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
