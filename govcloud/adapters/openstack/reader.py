"""`OpenStackReader`: one pool of one cloud as plain core records.

Nova is read at microversion 2.47, where each server embeds its flavor (no per-server flavor
lookups); capacity comes from Placement inventories and usages, never from hypervisor fields
(gone since 2.88). Quotas are read per project through a bounded thread pool.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Any

from govcloud.adapters.openstack.calls import Api, Listing, Missing, NoEndpoint, RetryPolicy
from govcloud.adapters.openstack.config import CloudTarget, connect
from govcloud.core.models import (
    CapacityRecord,
    Flavor,
    Project,
    QuotaResource,
    QuotaUsage,
    Server,
    Snapshot,
    Volume,
)
from govcloud.core.sync import (
    PoolScope,
    ServerPage,
    SnapshotHomes,
    in_scope,
    snapshot_in_scope,
    system_code_from,
    volume_in_scope,
)

NOVA_MICROVERSION = "2.47"  # flavor embedded in server details
AGGREGATE_MICROVERSION = "2.41"  # aggregates carry their uuid
PLACEMENT_MICROVERSION = "1.3"  # member_of filter
PAGE_SIZE = 1000  # Nova's and Cinder's default max_limit
_COMPUTE_QUOTAS = (QuotaResource.CORES, QuotaResource.RAM, QuotaResource.INSTANCES)
_VOLUME_QUOTAS = (QuotaResource.GIGABYTES, QuotaResource.VOLUMES)


class OpenStackReader:
    def __init__(
        self,
        api: Api,
        scope: PoolScope,
        *,
        metadata_key: str,
        workers: int = 8,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.api = api
        self.scope = scope
        self.metadata_key = metadata_key
        self.workers = max(1, workers)
        self.page_size = page_size
        # what other pools of the region hold, seen while listing: places their snapshots
        self._foreign_volumes: set[str] = set()
        self._foreign_owners: set[str] = set()

    @property
    def pool(self) -> str:
        return self.scope.pool_code

    def projects(self) -> list[Project]:
        items, _ = self.api.pages("identity", "/projects", "projects", {})
        return [
            Project(self.pool, str(p["id"]), str(p.get("name") or ""), bool(p.get("enabled", True)))
            for p in items
        ]

    def flavors(self) -> list[Flavor]:
        params = {"is_public": "None", "limit": self.page_size}
        items, _ = self.api.pages("compute", "/flavors/detail", "flavors", params)
        return [
            Flavor(self.pool, str(f["id"]), str(f.get("name") or ""), *_flavor_size(f))
            for f in items
        ]

    def servers(self, on_page: Callable[[int], None]) -> ServerPage:
        servers: list[Server] = []
        duplicates = 0
        for batch, so_far in self.server_pages(on_page):
            servers.extend(batch)
            duplicates = so_far
        return ServerPage(tuple(servers), duplicates)

    def server_pages(self, on_page: Callable[[int], None]) -> Iterator[tuple[list[Server], int]]:
        """Each page's in-scope servers as soon as it arrives, with the duplicates so far.

        Only the compact records outlive a page: at 100,000 servers the raw JSON would be a GiB.
        """
        self._foreign_owners = set()
        params: dict[str, Any] = {"all_tenants": 1, "limit": self.page_size}
        if self.scope.availability_zone:
            params["availability_zone"] = self.scope.availability_zone
        listing = Listing(
            self.api, "compute", "/servers/detail", "servers", params,
            microversion=NOVA_MICROVERSION, on_page=on_page,
        )  # fmt: skip
        for page in listing:
            batch = []
            for item in page:
                zone = _shared(item.get("OS-EXT-AZ:availability_zone") or None)
                host = _shared(item.get("OS-EXT-SRV-ATTR:host") or None)
                if in_scope(self.scope, zone, host, self._aggregate_hosts):
                    batch.append(self._server(item, zone, host))
                else:
                    self._foreign_owners.add(_shared(str(item.get("tenant_id") or "")))
            yield batch, listing.duplicates

    def _server(self, s: Mapping[str, Any], zone: str | None, host: str | None) -> Server:
        flavor = s.get("flavor") or {}
        if "vcpus" not in flavor:
            raise self.api.error(
                f"GET /servers/detail: server {s.get('id')} has no embedded flavor",
                hint=f"the compute API must honour microversion {NOVA_MICROVERSION}",
            )
        vcpus, ram_mib, disk_gib = _flavor_size(flavor)
        return Server(
            pool_code=self.pool,
            server_id=str(s["id"]),
            name=str(s.get("name") or ""),
            project_id=sys.intern(str(s.get("tenant_id") or "")),
            status=sys.intern(str(s.get("status") or "UNKNOWN")),
            flavor_name=sys.intern(str(flavor.get("original_name") or "")),
            vcpus=vcpus,
            ram_mib=ram_mib,
            disk_gib=disk_gib,
            created_at=_timestamp(s.get("created")),
            host=host,
            availability_zone=zone,
            addresses=_addresses(s.get("addresses")),
            system_code=_shared(system_code_from(s.get("metadata"), self.metadata_key)),
            updated_at=_timestamp(s.get("updated")),
        )

    def volumes(self, server_ids: frozenset[str]) -> list[Volume] | None:
        params = {"all_tenants": 1, "limit": self.page_size}
        listing = Listing(self.api, "block_storage", "/volumes/detail", "volumes", params)
        out = []
        self._foreign_volumes = set()
        try:
            for page in listing:  # converted page by page, as servers are
                for v in page:
                    attached = _attached_server(v)
                    zone = v.get("availability_zone")
                    if volume_in_scope(self.scope, zone, attached, server_ids):
                        out.append(_volume(self.pool, v, attached))
                    else:
                        self._foreign_volumes.add(str(v["id"]))
                        self._foreign_owners.add(
                            _shared(str(v.get("os-vol-tenant-attr:tenant_id") or ""))
                        )
        except NoEndpoint:
            return None
        return out

    def snapshots(self, here: SnapshotHomes, elsewhere: SnapshotHomes) -> list[Snapshot] | None:
        """The pool's snapshots; None when Cinder has no snapshot API (a 404 on the first page,
        never on a later one: a vanished marker is an error, not a missing API).

        Call after `servers` and `volumes`, which note what other pools of the region hold.
        """
        params = {"all_tenants": 1, "limit": self.page_size}
        pages = iter(Listing(self.api, "block_storage", "/snapshots/detail", "snapshots", params))
        try:
            first = next(pages)
        except (Missing, NoEndpoint):
            return None
        seen = SnapshotHomes(
            elsewhere.volumes | self._foreign_volumes, elsewhere.projects | self._foreign_owners
        )
        out = []
        for page in chain([first], pages):
            for s in page:
                snap = _snapshot(self.pool, s)
                if snapshot_in_scope(self.scope, snap.volume_id, snap.project_id, here, seen):
                    out.append(snap)
        return out

    def quotas(self, project_ids: Sequence[str], volume_service: bool) -> list[QuotaUsage]:
        def one(project_id: str) -> list[QuotaUsage]:
            body = self.api.get("compute", f"/os-quota-sets/{project_id}/detail")
            rows = _quota_rows(self.pool, project_id, body, _COMPUTE_QUOTAS)
            if volume_service:
                body = self.api.get(
                    "block_storage", f"/os-quota-sets/{project_id}", {"usage": "true"}
                )
                rows += _quota_rows(self.pool, project_id, body, _VOLUME_QUOTAS)
            return rows

        with ThreadPoolExecutor(self.workers, thread_name_prefix=f"quota-{self.pool}") as ex:
            return [q for rows in ex.map(one, project_ids) for q in rows]

    def capacity(self) -> list[CapacityRecord]:
        providers = self._providers()
        with ThreadPoolExecutor(self.workers, thread_name_prefix=f"rp-{self.pool}") as ex:
            reports = list(ex.map(self._provider_report, providers))
        return _sum_capacity(self.pool, reports)

    def _provider_report(self, uuid: str) -> tuple[dict[str, Any], dict[str, Any]]:
        inv = self.api.get("placement", f"/resource_providers/{uuid}/inventories")
        use = self.api.get("placement", f"/resource_providers/{uuid}/usages")
        return dict(inv.get("inventories") or {}), dict(use.get("usages") or {})

    def _providers(self) -> list[str]:
        scope = self.scope
        if scope.filtered:
            names = {scope.aggregate} if scope.aggregate else set()
            return sorted(self._members(names, {scope.availability_zone} - {None}))
        body = self.api.get("placement", "/resource_providers")
        every = {str(p["uuid"]) for p in body.get("resource_providers") or ()}
        taken = self._members(set(scope.excluded_aggregates), set(scope.excluded_zones))
        return sorted(every - taken)

    def _members(self, aggregates: set[str], zones: set[str | None]) -> set[str]:
        """Providers in the named Nova aggregates or in the aggregates that make the zones."""
        if not aggregates and not zones:
            return set()
        uuids = [
            a["uuid"]
            for a in self._aggregates
            if a.get("uuid")
            and (
                a.get("name") in aggregates
                or (a.get("metadata") or {}).get("availability_zone") in zones
            )
        ]
        if not uuids:
            return set()
        body = self.api.get(
            "placement", "/resource_providers", {"member_of": "in:" + ",".join(uuids)},
            microversion=PLACEMENT_MICROVERSION,
        )  # fmt: skip
        return {str(p["uuid"]) for p in body.get("resource_providers") or ()}

    @cached_property
    def _aggregates(self) -> list[dict[str, Any]]:
        body = self.api.get("compute", "/os-aggregates", microversion=AGGREGATE_MICROVERSION)
        return [a for a in body.get("aggregates") or () if isinstance(a, dict)]

    @cached_property
    def _aggregate_hosts(self) -> dict[str, frozenset[str]]:
        if not (self.scope.aggregate or self.scope.excluded_aggregates):
            return {}
        return {str(a.get("name")): frozenset(a.get("hosts") or ()) for a in self._aggregates}


def _shared(value: object) -> Any:
    """One string object per distinct host, zone, project...: 100,000 copies add up."""
    return sys.intern(value) if isinstance(value, str) else value


def _flavor_size(f: Mapping[str, Any]) -> tuple[int, int, int]:
    return int(f.get("vcpus") or 0), int(f.get("ram") or 0), int(f.get("disk") or 0)


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).astimezone(UTC)


def _addresses(value: object) -> tuple[str, ...]:
    if not isinstance(value, dict):
        return ()
    return tuple(
        str(a["addr"])
        for net in value.values()
        if isinstance(net, list)
        for a in net
        if isinstance(a, dict) and a.get("addr")
    )


def _attached_server(v: Mapping[str, Any]) -> str | None:
    for a in v.get("attachments") or ():
        if a.get("server_id"):
            return str(a["server_id"])
    return None


def _volume(pool: str, v: Mapping[str, Any], attached: str | None) -> Volume:
    return Volume(
        pool_code=pool,
        volume_id=str(v["id"]),
        name=str(v.get("name") or ""),
        project_id=sys.intern(str(v.get("os-vol-tenant-attr:tenant_id") or "")),
        size_gib=int(v.get("size") or 0),
        status=sys.intern(str(v.get("status") or "unknown")),
        volume_type=_shared(v.get("volume_type") or None),
        attached_server_id=attached,
        bootable=str(v.get("bootable")).lower() == "true",
        created_at=_timestamp(v.get("created_at")),
        updated_at=_timestamp(v.get("updated_at")),
    )


def _snapshot(pool: str, s: Mapping[str, Any]) -> Snapshot:
    return Snapshot(
        pool_code=pool,
        snapshot_id=str(s["id"]),
        name=str(s.get("name") or ""),
        project_id=sys.intern(str(s.get("os-extended-snapshot-attributes:project_id") or "")),
        volume_id=str(s["volume_id"]) if s.get("volume_id") else None,
        size_gib=int(s.get("size") or 0),
        status=sys.intern(str(s.get("status") or "unknown")),
        created_at=_timestamp(s.get("created_at")),
    )


def _quota_rows(
    pool: str, project_id: str, body: Mapping[str, Any], wanted: Iterable[QuotaResource]
) -> list[QuotaUsage]:
    quota_set = body.get("quota_set") or {}
    rows = []
    for res in wanted:
        entry = quota_set.get(res.value)
        if isinstance(entry, dict):
            rows.append(
                QuotaUsage(
                    pool,
                    project_id,
                    res,
                    int(entry.get("limit", -1)),
                    int(entry.get("in_use", 0)),
                    int(entry.get("reserved", 0) or 0),
                )
            )
    return rows


def _sum_capacity(
    pool: str, reports: Iterable[tuple[dict[str, Any], dict[str, Any]]]
) -> list[CapacityRecord]:
    """Σ per resource class; the ratio is weighted so Σ(total-reserved)·ratio stays exact."""
    sums: dict[str, list[float]] = {}  # total, reserved, usable x ratio, used, providers
    for inventories, usages in reports:
        for rc, inv in inventories.items():
            total, reserved = int(inv.get("total", 0)), int(inv.get("reserved", 0))
            ratio = float(inv.get("allocation_ratio", 1.0))
            acc = sums.setdefault(rc, [0.0, 0.0, 0.0, 0.0, 0.0])
            acc[0] += total
            acc[1] += reserved
            acc[2] += max(total - reserved, 0) * ratio
            acc[3] += int(usages.get(rc, 0))
            acc[4] += 1
    out = []
    for rc, (sum_total, sum_reserved, weighted, used, count) in sorted(sums.items()):
        usable = sum_total - sum_reserved
        effective = round(weighted / usable, 4) if usable > 0 else 1.0
        out.append(
            CapacityRecord(
                pool, rc, int(sum_total), int(sum_reserved), effective, int(used), int(count)
            )
        )
    return out


def open_reader(
    scope: PoolScope,
    clouds_yaml: Path,
    *,
    timeout_s: float,
    metadata_key: str,
    workers: int,
    policy: RetryPolicy | None = None,
    page_size: int = PAGE_SIZE,
) -> OpenStackReader:
    """A reader for one pool over its own Connection (its own token and HTTP pool)."""
    target = CloudTarget(scope.pool_code, scope.cloud, scope.region)
    conn = connect(target, clouds_yaml, timeout_s)
    api = Api(scope.pool_code, conn, policy or RetryPolicy())
    return OpenStackReader(
        api, scope, metadata_key=metadata_key, workers=workers, page_size=page_size
    )
