"""The seeded estate: deterministic, scaled, and carrying the problems govcloud must find."""

from __future__ import annotations

import pytest

from govcloud.core.models import Inventory
from govcloud.sandbox.estate import NO_SYSTEM, SERVER_STATUSES
from govcloud.sandbox.quotas import compute_usage
from govcloud.sandbox.seeding import build_estate


def test_same_seed_same_estate_other_seed_other_estate(inventory: Inventory) -> None:
    a, b, c = (build_estate(inventory, seed=s) for s in (1, 1, 2))
    assert a.servers.flavor == b.servers.flavor
    assert a.server_ids.of(3) == b.server_ids.of(3)
    assert a.compute_quota == b.compute_quota
    assert a.servers.flavor != c.servers.flavor


@pytest.mark.parametrize("size", [0, 1, 250, 5000])
def test_size_is_exact(inventory: Inventory, size: int) -> None:
    assert len(build_estate(inventory, size=size).servers) == size


def test_size_out_of_range(inventory: Inventory) -> None:
    with pytest.raises(ValueError, match="size"):
        build_estate(inventory, size=100_001)


def test_projects_regions_and_unapproved(inventory: Inventory) -> None:
    e = build_estate(inventory)
    bindings = [b for d in inventory.departments for b in d.projects]
    declared = [p for p in e.projects if p.department_code]
    assert [p.name for p in declared] == [b.project_name for b in bindings]
    assert len({p.id for p in e.projects}) == len(e.projects)
    assert e.regions == tuple(dict.fromkeys(p.region for p in inventory.pools))
    unapproved = [p for p in e.projects if p.department_code is None]
    assert unapproved
    assert all(len(e.project_servers[e.project_by_id[p.id]]) > 0 for p in unapproved)


def test_servers_fill_part_of_quota_with_a_status_mix(inventory: Inventory) -> None:
    e = build_estate(inventory)
    statuses = {SERVER_STATUSES[s] for s in e.servers.status}
    assert statuses == {"ACTIVE", "SHUTOFF", "ERROR", "SHELVED_OFFLOADED"}
    for p in e.projects:
        if not p.department_code:
            continue
        used = compute_usage(e, p.region, p.id)
        quota = e.compute_quota[(p.region, p.id)]
        assert used["instances"] <= quota["instances"]
        assert used["cores"] <= quota["cores"]


def test_some_quotas_drift_from_the_approved_values(inventory: Inventory) -> None:
    e = build_estate(inventory)
    drifted = 0
    for d in inventory.departments:
        for b in d.projects:
            project_id = next(p.id for p in e.projects if p.name == b.project_name)
            region = next(p.region for p in inventory.pools if p.code == b.pool_code)
            actual = {
                **e.compute_quota[(region, project_id)],
                **e.volume_quota[(region, project_id)],
                **e.network_quota.get((region, project_id), {}),
            }
            drifted += any(actual[r.value] != v for r, v in b.approved_quota.items())
    assert 0 < drifted < sum(len(d.projects) for d in inventory.departments) / 3


def test_systems_odd_names_and_ratio_override(inventory: Inventory) -> None:
    e = build_estate(inventory)
    declared = {s.code for s in inventory.systems}
    codes = [e.system_codes[s] if s != NO_SYSTEM else None for s in e.servers.system]
    assert any(c in declared for c in codes)
    assert None in codes
    assert any(c is not None and c not in declared for c in codes)
    names = {e.server_name(r) for r in range(len(e.servers))}
    assert "[bold]x[/bold]" in names
    assert any("\x1b[2J" in n for n in names)
    pools = {p.code: p for p in inventory.pools}
    differs = [h for h in e.hosts if pools[h.pool_code].ratios.cpu != h.cpu_ratio]  # type: ignore[union-attr]
    assert differs
    assert {h.pool_code for h in differs} != set(pools)
