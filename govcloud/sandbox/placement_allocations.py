"""Placement allocations: per resource provider and per consumer.

Allocations are what holds a hypervisor's capacity: each scheduled server (a host, so not
SHELVED_OFFLOADED and not an ERROR server that never got one) is a consumer holding its
flavor's VCPU, MEMORY_MB and DISK_GB on its host's provider. The servers of each host are
listed once per estate (`Estate.host_servers`), so a provider's allocations cost what that
host holds, not what the estate holds.

Bodies follow Placement's microversions: `consumer_generation` per consumer from 1.28 in a
provider's allocations; `project_id` and `user_id` from 1.12, `consumer_generation` from 1.28
and `consumer_type` from 1.38 in a consumer's (only when it has allocations).
"""

from __future__ import annotations

from typing import Any

from govcloud.sandbox.call import Call
from govcloud.sandbox.estate import NO_HOST, SbHost
from govcloud.sandbox.wire import Response, json_response

GENERATION = 1  # every provider's, as in `placement`: the sandbox's providers never change
CONSUMER_GENERATION = 1  # a server's allocations were written once, when it was scheduled
CONSUMER_TYPE = "INSTANCE"


def resources(call: Call, row: int) -> dict[str, int]:
    f = call.estate.flavors[call.estate.servers.flavor[row]]
    return {"DISK_GB": f.disk_gib, "MEMORY_MB": f.ram_mib, "VCPU": f.vcpus}


def for_provider(call: Call, index: int, host: SbHost) -> Response:
    """`GET /resource_providers/{uuid}/allocations` of the host at INDEX."""
    e = call.estate
    generation = call.version >= (1, 28)
    allocations: dict[str, Any] = {}
    for row in e.host_servers()[index]:
        consumer: dict[str, Any] = {"resources": resources(call, row)}
        if generation:
            consumer["consumer_generation"] = CONSUMER_GENERATION
        allocations[e.server_ids.of(row)] = consumer
    return json_response(
        200, {"allocations": allocations, "resource_provider_generation": GENERATION}
    )


def for_consumer(call: Call, consumer_uuid: str) -> Response:
    """`GET /allocations/{consumer_uuid}`: a server's allocation on its host; an unknown or
    unscheduled consumer has none (Placement answers 200 with nothing, not 404)."""
    e = call.estate
    row = e.server_row(call.region, consumer_uuid)
    if row is None or e.servers.host[row] == NO_HOST:
        return json_response(200, {"allocations": {}})
    host = e.hosts[e.servers.host[row]]
    body: dict[str, Any] = {
        "allocations": {
            host.provider_uuid: {"resources": resources(call, row), "generation": GENERATION}
        }
    }
    if call.version >= (1, 12):
        project = e.projects[e.servers.project[row]]
        body["project_id"] = project.id
        body["user_id"] = call.identity.project_user_ids.get(project.id, "")
    if call.version >= (1, 28):
        body["consumer_generation"] = CONSUMER_GENERATION
    if call.version >= (1, 38):
        body["consumer_type"] = CONSUMER_TYPE
    return json_response(200, body)
