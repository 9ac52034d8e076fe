"""`OpenStackReader`: one region of one cloud as plain core records, listed once for all the
region's pools (`core.sync.collect_region` places them).

Nova is read at microversion 2.47, where each server embeds its flavor (no per-server flavor
lookups); capacity comes from Placement inventories and usages, never from hypervisor fields
(gone since 2.88), and what projects hold from Placement allocations. Quotas are read per
project through a bounded thread pool; Cinder's storage side and Neutron live in their own
modules.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from govcloud.adapters.openstack import cinder_read, neutron_read, unified_limits
from govcloud.adapters.openstack.calls import (
    Api,
    BadRequest,
    Listing,
    Missing,
    NoEndpoint,
    RetryPolicy,
    StallWatch,
)
from govcloud.adapters.openstack.config import CloudTarget, connect
from govcloud.adapters.openstack.fields import shared as _shared
from govcloud.adapters.openstack.fields import timestamp as _timestamp
from govcloud.core import address_capacity
from govcloud.core.errors import CloudError
from govcloud.core.incremental import Untrusted
from govcloud.core.models import (
    CapacityRecord,
    Flavor,
    FloatingIp,
    Port,
    Project,
    ProjectAllocation,
    QuotaResource,
    QuotaUsage,
    SecurityGroup,
    Server,
    Snapshot,
    StorageBackend,
    TypeQuotaUsage,
    Volume,
    VolumeType,
)
from govcloud.core.quota_check import unified_note
from govcloud.core.sync import (
    ChangedServers,
    PoolScope,
    QuotaListing,
    ServerPage,
    VolumePage,
    system_code_from,
)

NOVA_MICROVERSION = "2.47"  # flavor embedded in server details
AGGREGATE_MICROVERSION = "2.41"  # aggregates carry their uuid
PLACEMENT_MICROVERSION = "1.3"  # member_of filter
USAGES_MICROVERSION = "1.9"  # GET /usages?project_id=
CONSUMER_MICROVERSION = "1.12"  # GET /allocations/{consumer} names its project
CINDER_TIME_FILTER = (3, 60)  # `updated_at=gte:<time>` on volume lists
CINDER_SUMMARY = "3.12"  # GET /volumes/summary
PAGE_SIZE = 1000  # Nova's and Cinder's default max_limit
PORT_FILTER_CHUNK = 50  # server ids per `GET /ports?device_id=...`
_COMPUTE_QUOTAS = (QuotaResource.CORES, QuotaResource.RAM, QuotaResource.INSTANCES)
_VOLUME_QUOTAS = tuple(r for r in QuotaResource if r.service == "volume")
UNPLACED = ""  # the pool code of records not yet placed in a pool


class OpenStackReader:
    """The region of SCOPE (all its pools: `scope.region_scopes`)."""

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
        self._provider_cache: dict[str, list[str]] = {}
        # provider -> its allocations, as `allocations` read them: `capacity` sums them instead
        # of asking for the provider's usages (Placement's usages are that very sum)
        self._held: dict[str, dict[str, dict[str, Any]]] = {}
        # the unified-limits note, once a reader (None: not asked yet)
        self._unified: tuple[str, ...] | None = None
        self._unified_lock = threading.Lock()

    @property
    def scopes(self) -> tuple[PoolScope, ...]:
        return self.scope.region_scopes

    def projects(self) -> list[Project]:
        items, _ = self.api.pages("identity", "/projects", "projects", {})
        return [
            Project(UNPLACED, str(p["id"]), str(p.get("name") or ""), bool(p.get("enabled", True)))
            for p in items
        ]

    def flavors(self) -> list[Flavor]:
        params = {"is_public": "None", "limit": self.page_size}
        items, _ = self.api.pages("compute", "/flavors/detail", "flavors", params)
        return [
            Flavor(UNPLACED, str(f["id"]), str(f.get("name") or ""), *_flavor_size(f))
            for f in items
        ]

    def aggregate_hosts(self) -> dict[str, frozenset[str]]:
        return {str(a.get("name")): frozenset(a.get("hosts") or ()) for a in self._aggregates}

    def servers(self, on_page: Callable[[int], None]) -> ServerPage:
        servers: list[Server] = []
        duplicates = 0
        for batch, so_far in self.server_pages(on_page):
            servers.extend(batch)
            duplicates = so_far
        return ServerPage(tuple(servers), duplicates)

    def server_pages(self, on_page: Callable[[int], None]) -> Iterator[tuple[list[Server], int]]:
        """Each page's servers as soon as it arrives, with the duplicates so far.

        Only the compact records outlive a page: at 100,000 servers the raw JSON would be a GiB.
        """
        params: dict[str, Any] = {"all_tenants": 1, "limit": self.page_size}
        listing = Listing(
            self.api, "compute", "/servers/detail", "servers", params,
            microversion=NOVA_MICROVERSION, on_page=on_page,
        )  # fmt: skip
        for page in listing:
            yield [self._server(item) for item in page], listing.duplicates

    def _server(self, s: Mapping[str, Any]) -> Server:
        flavor = s.get("flavor") or {}
        if "vcpus" not in flavor:
            raise self.api.error(
                f"GET /servers/detail: server {s.get('id')} has no embedded flavor",
                hint=f"the compute API must honour microversion {NOVA_MICROVERSION}",
            )
        vcpus, ram_mib, disk_gib = _flavor_size(flavor)
        return Server(
            pool_code=UNPLACED,
            server_id=str(s["id"]),
            name=str(s.get("name") or ""),
            project_id=sys.intern(str(s.get("tenant_id") or "")),
            status=sys.intern(str(s.get("status") or "UNKNOWN")),
            flavor_name=sys.intern(str(flavor.get("original_name") or "")),
            vcpus=vcpus,
            ram_mib=ram_mib,
            disk_gib=disk_gib,
            created_at=_timestamp(s.get("created")),
            host=_shared(s.get("OS-EXT-SRV-ATTR:host") or None),
            availability_zone=_shared(s.get("OS-EXT-AZ:availability_zone") or None),
            addresses=_addresses(s.get("addresses")),
            system_code=_shared(system_code_from(s.get("metadata"), self.metadata_key)),
            updated_at=_timestamp(s.get("updated")),
        )

    # --- changes since a watermark (incremental sync) ------------------------------------------

    @property
    def calls(self) -> int:
        return self.api.requests

    def clock(self) -> tuple[datetime | None, datetime | None]:
        return self.api.first_date, self.api.last_date

    def changed_servers(self, since: datetime, on_page: Callable[[int], None]) -> ChangedServers:
        """Nova's `changes-since`: servers changed after SINCE, deleted ones with status
        DELETED (their records are not needed: only their ids)."""
        params: dict[str, Any] = {
            "all_tenants": 1, "limit": self.page_size, "changes-since": _nova_time(since),
        }  # fmt: skip
        listing = Listing(
            self.api, "compute", "/servers/detail", "servers", params,
            microversion=NOVA_MICROVERSION, on_page=on_page,
        )  # fmt: skip
        servers: list[Server] = []
        deleted: set[str] = set()
        try:
            for page in listing:
                for item in page:
                    if str(item.get("status") or "").upper() == "DELETED":
                        deleted.add(str(item["id"]))
                    else:
                        servers.append(self._server(item))
        except BadRequest as exc:
            raise Untrusted(f"the compute API refuses changes-since ({exc.message})") from None
        return ChangedServers(tuple(servers), frozenset(deleted), listing.duplicates)

    def changed_volumes(self, since: datetime) -> VolumePage | None:
        """Volumes updated after SINCE (`updated_at=gte:`, Cinder 3.60). Cinder has no
        `changes-since` (an administrator's unknown filter matches nothing), and below 3.60 it
        drops the time filter silently: None unless the answer names 3.60 or later."""
        version: list[str] = []

        def saw(headers: Mapping[str, str]) -> None:
            version.append(str(headers.get("OpenStack-API-Version") or ""))

        params = {
            "all_tenants": 1, "limit": self.page_size,
            "updated_at": "gte:" + since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        }  # fmt: skip
        mv = "{}.{}".format(*CINDER_TIME_FILTER)
        try:
            page = self._volume_pages(params, mv, saw)
        except BadRequest:
            return None
        if page is None or not version or _volume_version(version[0]) < CINDER_TIME_FILTER:
            return None
        return page

    def volume_count(self) -> int | None:
        try:
            body = self.api.get(
                "block_storage", "/volumes/summary", {"all_tenants": 1}, CINDER_SUMMARY
            )
        except (CloudError, NoEndpoint):  # no summary here: the caller lists the ids
            return None
        count = (body.get("volume-summary") or {}).get("total_count")
        return count if isinstance(count, int) and not isinstance(count, bool) else None

    def volume_ids(self) -> frozenset[str]:
        params = {"all_tenants": 1, "limit": self.page_size}
        items, _ = self.api.pages("block_storage", "/volumes", "volumes", params)
        return frozenset(str(v["id"]) for v in items)

    def ports_of(self, server_ids: Collection[str]) -> list[Port] | None:
        return neutron_read.ports_of(self.api, UNPLACED, server_ids, PORT_FILTER_CHUNK)

    def project_usages(self, project_ids: Sequence[str]) -> dict[str, tuple[int, int, int]] | None:
        """`GET /usages?project_id=` (Placement 1.9) per project, in the thread pool."""

        def one(project_id: str) -> tuple[int, int, int]:
            body = self.api.get(
                "placement", "/usages", {"project_id": project_id}, USAGES_MICROVERSION
            )
            use = body.get("usages") or {}
            return int(use.get("VCPU", 0)), int(use.get("MEMORY_MB", 0)), int(use.get("DISK_GB", 0))

        try:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="usage") as ex:
                return dict(zip(project_ids, ex.map(one, project_ids), strict=True))
        except (Missing, NoEndpoint):
            return None

    # --- whole listings ---------------------------------------------------------------------------

    def volumes(self) -> VolumePage | None:
        params = {"all_tenants": 1, "limit": self.page_size}
        return self._volume_pages(params, None, None)

    def _volume_pages(
        self,
        params: Mapping[str, Any],
        microversion: str | None,
        on_headers: Callable[[Mapping[str, str]], None] | None,
    ) -> VolumePage | None:
        listing = Listing(
            self.api, "block_storage", "/volumes/detail", "volumes", params,
            microversion=microversion, on_headers=on_headers,
        )  # fmt: skip
        out = []
        zones: dict[str, str | None] = {}
        try:
            for page in listing:  # converted page by page, as servers are
                for v in page:
                    volume = _volume(UNPLACED, v, _attached_server(v))
                    out.append(volume)
                    zones[volume.volume_id] = _shared(v.get("availability_zone") or None)
        except NoEndpoint:
            return None
        return VolumePage(tuple(out), zones)

    def snapshots(self) -> list[Snapshot] | None:
        """Every snapshot of the region; None when Cinder has no snapshot API (a 404 on the
        first page, never on a later one: a vanished marker is an error, not a missing API)."""
        params = {"all_tenants": 1, "limit": self.page_size}
        pages = iter(Listing(self.api, "block_storage", "/snapshots/detail", "snapshots", params))
        try:
            first = next(pages)
        except (Missing, NoEndpoint):
            return None
        out = [_snapshot(UNPLACED, s) for s in first]
        for page in pages:
            out.extend(_snapshot(UNPLACED, s) for s in page)
        return out

    def backends(self) -> list[StorageBackend] | None:
        return cinder_read.backends(self.api, UNPLACED)

    def volume_types(self) -> list[VolumeType] | None:
        return cinder_read.volume_types(self.api, UNPLACED)

    def ports(self) -> list[Port] | None:
        return neutron_read.ports(self.api, UNPLACED, self.page_size)

    def floating_ips(self) -> list[FloatingIp] | None:
        return neutron_read.floating_ips(self.api, UNPLACED, self.page_size)

    def security_groups(self) -> list[SecurityGroup] | None:
        return neutron_read.security_groups(self.api, UNPLACED, self.page_size)

    def quotas(self, project_ids: Sequence[str], services: frozenset[str]) -> QuotaListing:
        def one(
            project_id: str,
        ) -> tuple[list[QuotaUsage], list[TypeQuotaUsage], bool]:
            body = self.api.get("compute", f"/os-quota-sets/{project_id}/detail")
            rows = _quota_rows(UNPLACED, project_id, body, _COMPUTE_QUOTAS)
            per_type: list[TypeQuotaUsage] = []
            if "volume" in services:
                body = self.api.get(
                    "block_storage", f"/os-quota-sets/{project_id}", {"usage": "true"}
                )
                rows += _quota_rows(UNPLACED, project_id, body, _VOLUME_QUOTAS)
                per_type = cinder_read.type_quotas(
                    UNPLACED, project_id, body.get("quota_set") or {}
                )
            network_ok = True
            if "network" in services:
                network = neutron_read.quota_details(self.api, UNPLACED, project_id)
                network_ok = network is not None
                rows += network or []
            return rows, per_type, network_ok

        with ThreadPoolExecutor(self.workers, thread_name_prefix="quota") as ex:
            unified = ex.submit(self._unified_note)  # beside the projects' quotas
            results = list(ex.map(one, project_ids))
        skipped = frozenset() if all(ok for *_, ok in results) else frozenset({"network"})
        notes: tuple[str, ...] = (
            ("the network service has no quota details (404): network quotas not synced",)
            if skipped
            else ()
        )
        notes += unified.result()
        return QuotaListing(
            quotas=tuple(q for rows, _, _ in results for q in rows),
            type_quotas=tuple(q for _, per_type, _ in results for q in per_type),
            skipped=skipped,
            notes=notes,
        )

    def _unified_note(self) -> tuple[str, ...]:
        """A note naming the quota services whose limits Keystone keeps (unified limits): the
        store keeps it with the sync run, and `quota show|check` repeat it. A Keystone that
        will not say (403) is taken as one without unified limits. Asked once per reader
        (one sync run), however many services' quotas are read, side by side."""
        with self._unified_lock:
            if self._unified is None:
                try:
                    unified = unified_limits.detect(self.api, self.api.conn)
                except CloudError:
                    self._unified = ()
                else:
                    self._unified = (unified_note(unified.services),) if unified.in_use else ()
            return self._unified

    def capacity(self, scope: PoolScope) -> list[CapacityRecord]:
        """Placement's resource classes summed over the scope's providers; on the pool that
        holds the region's public addresses, their count too (PUBLIC_IPV4), unless the
        region has no network service."""
        providers = self._providers(scope)
        with ThreadPoolExecutor(self.workers, thread_name_prefix=f"rp-{scope.pool_code}") as ex:
            reports = list(ex.map(self._provider_report, providers))
        out = _sum_capacity(scope.pool_code, reports)
        if scope.pool_code == address_capacity.holder(
            [(s.pool_code, s.filtered) for s in self.scopes]
        ):
            public = neutron_read.public_addresses(self.api, self.page_size)
            if public is not None:
                out.append(address_capacity.record(scope.pool_code, public))
        return out

    def allocations(
        self, scope: PoolScope, consumers: Mapping[str, str]
    ) -> list[ProjectAllocation] | None:
        """Σ per project of what its consumers hold in the scope's providers (Placement's
        `usages?project_id=` cannot be limited to a set of providers: the providers' own
        allocations can). A consumer that is not a listed server (a migration) is looked up."""
        providers = self._providers(scope)
        if not providers:
            return []
        try:
            first = self._provider_allocations(providers[0])
        except Missing:
            return None
        with ThreadPoolExecutor(self.workers, thread_name_prefix=f"al-{scope.pool_code}") as ex:
            held = [first, *ex.map(self._provider_allocations, providers[1:])]
        strangers = sorted({c for h in held for c in h if c not in consumers})
        with ThreadPoolExecutor(self.workers, thread_name_prefix=f"co-{scope.pool_code}") as ex:
            owner = dict(zip(strangers, ex.map(self._consumer_project, strangers), strict=True))
        sums: dict[str, list[int]] = {}
        for allocations in held:
            for consumer, resources in allocations.items():
                project = consumers.get(consumer) or owner.get(consumer) or ""
                acc = sums.setdefault(project, [0, 0, 0])
                acc[0] += int(resources.get("VCPU", 0))
                acc[1] += int(resources.get("MEMORY_MB", 0))
                acc[2] += int(resources.get("DISK_GB", 0))
        return [
            ProjectAllocation(scope.pool_code, project, *acc)
            for project, acc in sorted(sums.items())
        ]

    def _provider_allocations(self, uuid: str) -> dict[str, dict[str, Any]]:
        body = self.api.get("placement", f"/resource_providers/{uuid}/allocations")
        held = {
            str(consumer): dict(entry.get("resources") or {})
            for consumer, entry in (body.get("allocations") or {}).items()
            if isinstance(entry, dict)
        }
        self._held[uuid] = held
        return held

    def _consumer_project(self, consumer: str) -> str:
        body = self.api.get(
            "placement", f"/allocations/{consumer}", microversion=CONSUMER_MICROVERSION
        )
        return str(body.get("project_id") or "")

    def _provider_report(self, uuid: str) -> tuple[dict[str, Any], dict[str, Any]]:
        inv = self.api.get("placement", f"/resource_providers/{uuid}/inventories")
        held = self._held.get(uuid)
        if held is None:
            use = self.api.get("placement", f"/resource_providers/{uuid}/usages")
            return dict(inv.get("inventories") or {}), dict(use.get("usages") or {})
        usages: dict[str, int] = {}
        for resources in held.values():
            for rc, amount in resources.items():
                usages[rc] = usages.get(rc, 0) + int(amount)
        return dict(inv.get("inventories") or {}), usages

    def _providers(self, scope: PoolScope) -> list[str]:
        cached = self._provider_cache.get(scope.pool_code)
        if cached is not None:
            return cached
        if scope.filtered:
            names = {scope.aggregate} if scope.aggregate else set()
            found = sorted(self._members(names, {scope.availability_zone} - {None}))
        else:
            body = self.api.get("placement", "/resource_providers")
            every = {str(p["uuid"]) for p in body.get("resource_providers") or ()}
            taken = self._members(set(scope.excluded_aggregates), set(scope.excluded_zones))
            found = sorted(every - taken)
        self._provider_cache[scope.pool_code] = found
        return found

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


def _nova_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _volume_version(header: str) -> tuple[int, int]:
    """(3, 60) of `volume 3.60`; (0, 0) when absent or unreadable."""
    text = header.split()[-1] if header.split() else ""
    major, _, minor = text.partition(".")
    return (int(major), int(minor)) if major.isdigit() and minor.isdigit() else (0, 0)


def _flavor_size(f: Mapping[str, Any]) -> tuple[int, int, int]:
    return int(f.get("vcpus") or 0), int(f.get("ram") or 0), int(f.get("disk") or 0)


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
    tell: Callable[[str], None] | None = None,
) -> OpenStackReader:
    """A reader for SCOPE's region over its own Connection (its own token and HTTP pool).
    TIMEOUT_S bounds each call, its retries included; TELL gets a line for a call that
    waits long (see `calls.StallWatch`)."""
    target = CloudTarget(scope.pool_code, scope.cloud, scope.region)
    conn = connect(target, clouds_yaml, timeout_s)
    watch = StallWatch(tell) if tell is not None else None
    api = Api(scope.pool_code, conn, policy or RetryPolicy(), budget_s=timeout_s, watch=watch)
    api.authenticate()
    return OpenStackReader(
        api, scope, metadata_key=metadata_key, workers=workers, page_size=page_size
    )
