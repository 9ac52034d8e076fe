"""The declared-inventory contract: what `inventory/*.yaml` may say, validated strictly.

Files are read by an adapter into `SourceDoc`s (data plus a key-path -> line lookup); this module
checks each document against the schema, then cross-checks references across files, and turns
the result into frozen domain records. Unknown keys are errors, so a typo never passes silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Annotated, Any, Generic, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from govcloud.core import models as m
from govcloud.core.errors import Location, ValidationError
from govcloud.core.source_doc import KeyPath, SourceDoc

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
NonNegative = Annotated[StrictInt, Field(ge=0)]
Ratio = Annotated[float, Field(gt=0, le=64)]
T = TypeVar("T")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class CloudSpec(_Strict):
    name: Name
    regions: list[Name] = Field(min_length=1)


class RatiosSpec(_Strict):
    cpu: Ratio
    ram: Ratio
    disk: Ratio


class ReserveSpec(_Strict):
    vcpu: NonNegative = 0
    ram_gib: NonNegative = 0
    disk_gib: NonNegative = 0


class PhysicalSpec(_Strict):
    cpu_cores: NonNegative
    ram_gib: NonNegative
    disk_tib: NonNegative


class PoolSpec(_Strict):
    code: Code
    name_zh: Name
    name_en: Name
    cloud: Name
    region: Name
    availability_zone: Name | None = None
    aggregate: Name | None = None
    security_zone: m.SecurityZone
    mlps_level_max: Annotated[StrictInt, Field(ge=1, le=4)] = 3
    overcommit: RatiosSpec | None = None
    reserve: ReserveSpec = ReserveSpec()
    physical: PhysicalSpec | None = None
    # Cinder `volume_backend_name`s whose capacity this pool holds
    storage_backends: list[Name] = []


class QuotaSpec(_Strict):
    """Approved quota; RAM in GiB here because that is how staff approve it.

    The compute three are required; the rest is declared only where a bureau approves it (an
    undeclared resource is never planned, so a Neutron quota nobody approved stays as it is).
    Per-volume-type Cinder quotas use Cinder's wire names (`gigabytes_ssd: 1024`): they are
    extra keys, checked by `_check_quota_keys` so a misspelt key still names its line.
    """

    model_config = ConfigDict(extra="allow", frozen=True, strict=False)

    cores: NonNegative
    ram_gib: NonNegative
    instances: NonNegative
    volume_gib: NonNegative = 0
    volumes: NonNegative = 0
    snapshots: NonNegative | None = None
    backups: NonNegative | None = None
    backup_gib: NonNegative | None = None
    network: NonNegative | None = None
    subnet: NonNegative | None = None
    port: NonNegative | None = None
    router: NonNegative | None = None
    floatingip: NonNegative | None = None
    security_group: NonNegative | None = None
    security_group_rule: NonNegative | None = None


class ProjectSpec(_Strict):
    pool: Code
    project: Name
    project_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f-]{32,36}$")] | None = None
    quota: QuotaSpec


class DepartmentSpec(_Strict):
    code: Code
    name_zh: Name
    short_zh: Name | None = None
    name_en: Name
    projects: list[ProjectSpec] = []


class SystemSpec(_Strict):
    code: Code
    name_zh: Name
    name_en: Name
    department: Code
    mlps_level: Annotated[StrictInt, Field(ge=1, le=4)]
    environment: m.Environment


class JumpHostSpec(_Strict):
    name: Code
    address: Name
    port: Annotated[StrictInt, Field(ge=1, le=65535)] = 22
    ssh_user: Name
    key_file: Name | None = None


class LegacyHostSpec(_Strict):
    name: Code
    address: Name
    port: Annotated[StrictInt, Field(ge=1, le=65535)] = 22
    ssh_user: Name
    key_file: Name | None = None
    jump_host: Code | None = None
    system: Code | None = None


class PriceSpec(_Strict):
    """A unit price; RESOURCE is checked against m.PRICED_RESOURCES after parsing, so the error
    can list the valid names. VALID_TO is exclusive, as in CloudKitty's rating periods."""

    resource: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    pool: Code | None = None
    # Strict: a quoted "45" or `true` is a typo in a price list, not a number.
    yuan_per_month: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)]
    valid_from: date
    valid_to: date | None = None


class SettingsSpec(_Strict):
    system_metadata_key: Name = "business_system"


class InventoryFile(_Strict):
    """One YAML file: any subset of the sections, so large estates can split files freely."""

    clouds: list[CloudSpec] = []
    pools: list[PoolSpec] = []
    departments: list[DepartmentSpec] = []
    systems: list[SystemSpec] = []
    jump_hosts: list[JumpHostSpec] = []
    legacy_hosts: list[LegacyHostSpec] = []
    prices: list[PriceSpec] = []
    settings: SettingsSpec | None = None


@dataclass(frozen=True)
class _Item(Generic[T]):
    spec: T
    doc: SourceDoc
    path: KeyPath

    def at(self, key: str | None = None) -> Location:
        return self.doc.at(self.path + ((key,) if key else ()), key)


def parse_inventory(docs: Sequence[SourceDoc]) -> m.Inventory:
    """Validate every document, then the references between them; first error wins."""
    if not docs:
        raise ValidationError(
            "no inventory files found", hint="put *.yaml files with pools/departments/systems there"
        )
    files = [(doc, _validate_file(doc)) for doc in docs]
    clouds = _collect(files, "clouds")
    pools = _collect(files, "pools")
    departments = _collect(files, "departments")
    systems = _collect(files, "systems")
    jumps = _collect(files, "jump_hosts")
    hosts = _collect(files, "legacy_hosts")
    prices = _collect(files, "prices")
    settings = next((f.settings for _, f in files if f.settings), SettingsSpec())

    cloud_regions = {c.spec.name: set(c.spec.regions) for c in _unique(clouds, "name", "cloud")}
    pool_codes = {p.spec.code for p in _unique(pools, "code", "pool")}
    dept_codes = {d.spec.code for d in _unique(departments, "code", "department")}
    system_codes = {s.spec.code for s in _unique(systems, "code", "business system")}
    jump_names = {j.spec.name for j in _unique(jumps, "name", "jump host")}
    _unique(hosts, "name", "legacy host")

    for p in pools:
        _check_pool_cloud(p, cloud_regions)
    _check_backends(pools)
    for d in departments:
        _check_department(d, pool_codes)
    for s in systems:
        _require(s, "department", s.spec.department, dept_codes, "department")
    for h in hosts:
        if h.spec.system is not None:
            _require(h, "system", h.spec.system, system_codes, "business system")
        if h.spec.jump_host is not None:
            _require(h, "jump_host", h.spec.jump_host, jump_names, "jump host")
    _check_prices(prices, pool_codes)

    return m.Inventory(
        clouds=tuple(sorted(cloud_regions)),
        pools=tuple(_pool(p.spec) for p in pools),
        departments=tuple(_department(d.spec) for d in departments),
        systems=tuple(_system(s.spec) for s in systems),
        jump_hosts=tuple(_jump(j.spec) for j in jumps),
        legacy_hosts=tuple(_host(h.spec) for h in hosts),
        system_metadata_key=settings.system_metadata_key,
        prices=tuple(_price(p.spec) for p in prices),
    )


def _validate_file(doc: SourceDoc) -> InventoryFile:
    if doc.data is None:
        return InventoryFile()
    if not isinstance(doc.data, dict):
        raise ValidationError(
            "expected a mapping of sections at the top level",
            location=doc.at(()),
            hint="start the file with one of: " + ", ".join(InventoryFile.model_fields),
        )
    try:
        return InventoryFile.model_validate(doc.data)
    except pydantic.ValidationError as exc:
        raise _from_pydantic(exc, doc) from None


def _from_pydantic(exc: pydantic.ValidationError, doc: SourceDoc) -> ValidationError:
    # A misspelt key also makes the real key "missing": report the misspelling first.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc: KeyPath = tuple(err["loc"])
    key = ".".join(str(p) for p in loc) or None
    if err["type"] == "extra_forbidden":
        parent = InventoryFile if len(loc) == 1 else None
        allowed = ", ".join(parent.model_fields) if parent else None
        return ValidationError(
            f"unknown key {loc[-1]!r}",
            location=doc.at(loc, key),
            hint=f"allowed here: {allowed}"
            if allowed
            else "check the spelling in docs/inventory.md",
        )
    if err["type"] == "missing":
        return ValidationError(
            f"missing key {loc[-1]!r}",
            location=doc.at(loc[:-1], key),
            hint="see docs/inventory.md for the required keys of each section",
        )
    return ValidationError(
        f"{err['msg']} (got {_short(err.get('input'))})",
        location=doc.at(loc, key),
        hint="see docs/inventory.md for the schema of each section",
    )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _collect(files: list[tuple[SourceDoc, InventoryFile]], section: str) -> list[_Item[Any]]:
    return [
        _Item(spec, doc, (section, i))
        for doc, parsed in files
        for i, spec in enumerate(getattr(parsed, section))
    ]


def _unique(items: list[_Item[Any]], attr: str, what: str) -> Iterator[_Item[Any]]:
    seen: dict[str, _Item[Any]] = {}
    for item in items:
        value = getattr(item.spec, attr)
        if value in seen:
            first = seen[value].at(attr)
            raise ValidationError(
                f"duplicate {what} {attr} {value!r} (first declared at {first.file}:{first.line})",
                location=item.at(attr),
                hint=f"each {what} needs its own {attr}",
            )
        seen[value] = item
    return iter(list(seen.values()))


def _require(item: _Item[Any], key: str, value: str, known: set[str], what: str) -> None:
    if value not in known:
        raise ValidationError(
            f"unknown {what} {value!r}",
            location=item.at(key),
            hint=f"declare {what} {value!r} first, or fix the reference",
        )


def _check_pool_cloud(item: _Item[PoolSpec], clouds: dict[str, set[str]]) -> None:
    spec = item.spec
    if spec.cloud not in clouds:
        known = ", ".join(sorted(clouds)) or "none declared"
        raise ValidationError(
            f"pool {spec.code!r} refers to unknown cloud {spec.cloud!r}",
            location=item.at("cloud"),
            hint=f"declared clouds: {known}; add it under 'clouds:' (its clouds.yaml entry name)",
        )
    if spec.region not in clouds[spec.cloud]:
        raise ValidationError(
            f"pool {spec.code!r}: cloud {spec.cloud!r} has no region {spec.region!r}",
            location=item.at("region"),
            hint="regions of that cloud: " + ", ".join(sorted(clouds[spec.cloud])),
        )


def _check_department(item: _Item[DepartmentSpec], pool_codes: set[str]) -> None:
    seen: set[str] = set()
    for i, project in enumerate(item.spec.projects):
        sub = _Item(project, item.doc, (*item.path, "projects", i))
        _require(sub, "pool", project.pool, pool_codes, "pool")
        _check_quota_keys(_Item(project.quota, item.doc, (*sub.path, "quota")))
        if project.pool in seen:
            raise ValidationError(
                f"department {item.spec.code!r} declares two projects in pool {project.pool!r}",
                location=sub.at("pool"),
                hint="one OpenStack project per department and pool",
            )
        seen.add(project.pool)


# Cinder keeps these per volume type, under `<resource>_<type>` (os-quota-sets wire names)
PER_TYPE_KEYS = tuple(r.value for r in m.QuotaResource if r.per_type)
# a volume type name as it can stand in a quota key: no spaces, no separators Cinder's
# quota-set body or a URL would mangle
VOLUME_TYPE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,254}$")


def _check_quota_keys(item: _Item[QuotaSpec]) -> None:
    """Extra quota keys must be per-volume-type quotas with a whole, non-negative value."""
    for key, value in (item.spec.model_extra or {}).items():
        path = (*item.path, str(key))
        where = item.doc.at(path, ".".join(str(p) for p in path))
        resource, _, volume_type = str(key).partition("_")
        if resource not in PER_TYPE_KEYS or not volume_type:
            raise ValidationError(
                f"unknown quota key {key!r}",
                location=where,
                hint="quota keys: "
                + ", ".join(QuotaSpec.model_fields)
                + ", or <gigabytes|volumes|snapshots>_<volume type> (e.g. gigabytes_ssd)",
            )
        if not VOLUME_TYPE_NAME.match(volume_type):
            raise ValidationError(
                f"quota key {key!r}: {volume_type!r} is not a usable volume type name",
                location=where,
                hint="volume type names here are letters, digits and _ . : + - (no spaces), "
                "as `openstack volume type list` shows them",
            )
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidationError(
                f"quota {key!r} must be a whole number of 0 or more (got {_short(value)})",
                location=where,
                hint="see docs/inventory.md for the schema of each section",
            )


def _check_backends(items: list[_Item[PoolSpec]]) -> None:
    """A backend's capacity belongs to one pool: named twice in a region it would count twice."""
    owner: dict[tuple[str, str, str], _Item[PoolSpec]] = {}
    for item in items:
        spec = item.spec
        for i, name in enumerate(spec.storage_backends):
            key = (spec.cloud, spec.region, name)
            first = owner.get(key)
            if first is not None:
                where = first.at("storage_backends")
                what = (
                    "twice"
                    if first is item
                    else f"by pool {first.spec.code!r} too ({where.file}:{where.line})"
                )
                raise ValidationError(
                    f"storage backend {name!r} of region {spec.region!r} is declared {what}",
                    location=item.doc.at((*item.path, "storage_backends", i), "storage_backends"),
                    hint="each Cinder backend (volume_backend_name) belongs to one pool",
                )
            owner[key] = item


VOLUME_TYPE_PREFIX = "volume_gib:"


def _check_prices(items: list[_Item[PriceSpec]], pool_codes: set[str]) -> None:
    """Known resources and pools, sane periods, and at most one price per day and (resource,
    pool): a bill must never have to choose between two prices."""
    periods: dict[tuple[str, str | None], list[_Item[PriceSpec]]] = {}
    for item in items:
        spec = item.spec
        _check_price_resource(item)
        if spec.pool is not None:
            _require(item, "pool", spec.pool, pool_codes, "pool")
        if spec.valid_to is not None and spec.valid_to <= spec.valid_from:
            raise ValidationError(
                f"price of {spec.resource!r} ends ({spec.valid_to}) on or before it starts"
                f" ({spec.valid_from})",
                location=item.at("valid_to"),
                hint="valid_to is exclusive and must come after valid_from; omit it for open-ended",
            )
        periods.setdefault((spec.resource, spec.pool), []).append(item)
    for group in periods.values():
        group.sort(key=lambda i: i.spec.valid_from)
        for earlier, later in pairwise(group):
            end = earlier.spec.valid_to
            if end is None or end > later.spec.valid_from:
                _overlap(earlier, later)


def _check_price_resource(item: _Item[PriceSpec]) -> None:
    resource = item.spec.resource
    if resource in m.PRICED_RESOURCES:
        return
    volume_type = resource.removeprefix(VOLUME_TYPE_PREFIX)
    typed = resource.startswith(VOLUME_TYPE_PREFIX)
    if typed and volume_type and volume_type.strip() == volume_type:
        return
    raise ValidationError(
        f"unknown priced resource {resource!r}",
        location=item.at("resource"),
        hint="use one of: "
        + ", ".join(m.PRICED_RESOURCES)
        + f", or {VOLUME_TYPE_PREFIX}<volume type> (e.g. {VOLUME_TYPE_PREFIX}ssd)",
    )


def _overlap(earlier: _Item[PriceSpec], later: _Item[PriceSpec]) -> None:
    first = earlier.at("valid_from")
    spec = later.spec
    scope = f"pool {spec.pool!r}" if spec.pool else "every pool"
    start, end = earlier.spec.valid_from, earlier.spec.valid_to
    period = f"{start} until {end}" if end else f"open-ended from {start}"
    raise ValidationError(
        f"price of {spec.resource!r} for {scope} from {spec.valid_from} overlaps the one"
        f" declared at {first.file}:{first.line} ({period})",
        location=later.at("valid_from"),
        hint="end the earlier period with valid_to (exclusive) on or before this valid_from",
    )


def _price(s: PriceSpec) -> m.UnitPrice:
    return m.UnitPrice(s.resource, s.yuan_per_month, s.valid_from, s.valid_to, s.pool)


GIB_MIB = 1024


def _pool(s: PoolSpec) -> m.Pool:
    ratios = (
        m.Ratios(s.overcommit.cpu, s.overcommit.ram, s.overcommit.disk) if s.overcommit else None
    )
    physical = (
        m.PhysicalCapacity(
            s.physical.cpu_cores, s.physical.ram_gib * GIB_MIB, s.physical.disk_tib * 1024
        )
        if s.physical
        else None
    )
    return m.Pool(
        code=s.code,
        name_zh=s.name_zh,
        name_en=s.name_en,
        cloud=s.cloud,
        region=s.region,
        security_zone=s.security_zone.value,
        mlps_level_max=s.mlps_level_max,
        availability_zone=s.availability_zone,
        aggregate=s.aggregate,
        ratios=ratios,
        reserve=m.Reserve(s.reserve.vcpu, s.reserve.ram_gib * GIB_MIB, s.reserve.disk_gib),
        physical=physical,
        storage_backends=tuple(s.storage_backends),
    )


# inventory key -> resource, for the keys that do not carry the resource's own name
_QUOTA_KEYS = {"ram_gib": m.QuotaResource.RAM, "volume_gib": m.QuotaResource.GIGABYTES}
_QUOTA_KEYS["backup_gib"] = m.QuotaResource.BACKUP_GIGABYTES


def _quota(q: QuotaSpec) -> dict[m.QuotaResource, int]:
    out: dict[m.QuotaResource, int] = {}
    for key in QuotaSpec.model_fields:
        value = getattr(q, key)
        if value is not None:
            resource = _QUOTA_KEYS.get(key) or m.QuotaResource(key)
            out[resource] = value * GIB_MIB if resource is m.QuotaResource.RAM else value
    return out


def _type_quota(q: QuotaSpec) -> dict[str, int]:
    return {str(k): int(v) for k, v in sorted((q.model_extra or {}).items())}


def _department(s: DepartmentSpec) -> m.Department:
    return m.Department(
        code=s.code,
        name_zh=s.name_zh,
        short_zh=s.short_zh or s.name_zh,
        name_en=s.name_en,
        projects=tuple(
            m.ProjectBinding(
                s.code,
                p.pool,
                p.project,
                _quota(p.quota),
                p.project_id,
                approved_type_quota=_type_quota(p.quota),
            )
            for p in s.projects
        ),
    )


def _system(s: SystemSpec) -> m.BusinessSystem:
    return m.BusinessSystem(s.code, s.name_zh, s.name_en, s.department, s.mlps_level, s.environment)


def _jump(s: JumpHostSpec) -> m.JumpHost:
    return m.JumpHost(s.name, s.address, s.port, s.ssh_user, s.key_file)


def _host(s: LegacyHostSpec) -> m.LegacyHost:
    return m.LegacyHost(s.name, s.address, s.port, s.ssh_user, s.system, s.key_file, s.jump_host)
