"""The workload list per wave: what a migration executor takes (one JSON document a wave).

Plain data with snake_case keys and a schema version, hosts in move order (dependencies
first, as the wave planner ordered them). Hosts no pool may take are listed apart in the wave,
so an executor never creates a VM where the plan says it must not go.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from govcloud.core.migration_models import HostPlan, MigrationPlan

SCHEMA = "govcloud.migration-workloads/1"


def wave_workloads(plan: MigrationPlan) -> Iterator[tuple[int, dict[str, Any]]]:
    """(wave number, document) for every wave of PLAN."""
    by_host = {h.host: h for h in plan.hosts}
    for wave in plan.waves:
        hosts = [by_host[n] for n in wave.hosts if n in by_host]
        ready = [h for h in hosts if h.pool is not None]
        blocked = [h for h in hosts if h.pool is None]
        yield (
            wave.number,
            {
                "schema": SCHEMA,
                "generated_at": plan.generated_at,
                "wave": wave.number,
                "reason": wave.reason,
                "workloads": [_workload(i, h) for i, h in enumerate(ready, start=1)],
                "not_placed": [
                    {"host": h.host, "address": h.address, "reason": h.placement_note}
                    for h in blocked
                ],
            },
        )


def _workload(order: int, h: HostPlan) -> dict[str, Any]:
    s = h.sizing
    return {
        "order": order,
        "host": h.host,
        "source_address": h.address,
        "system": h.system_code,
        "department": h.department_code,
        "environment": h.environment,
        "target_pool": h.pool,
        "flavor": s.flavor,
        "vcpus": s.vcpus,
        "ram_gib": s.ram_gib,
        "disks": [{"role": "root", "size_gib": s.root_gib}]
        + ([{"role": "data", "size_gib": s.data_gib}] if s.data_gib else []),
        "depends_on": list(h.depends_on),
        "sizing_basis": s.basis,
        "confidence": s.confidence,
        "risks": [r.code for r in h.risks],
    }
