"""The table of host discovery (issue 10): what SSH discovery learnt about each legacy host.

One row per declared host name, replaced by each attempt: the facts (JSON, see
`core.host_facts.HostFacts`) of the last successful discovery stay when a later attempt fails,
so planning keeps what was known while `host list` shows the failure. Keyed by name, not by the
legacy_host row: `inventory load` may replace declared rows, discovery must outlive that.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, String, Table, Text

from govcloud.adapters.store.schema import metadata

HostDiscoveryRow = Table(
    "host_discovery",
    metadata,
    Column("host", String(64), primary_key=True),
    Column("address", String(255), nullable=False),
    Column("status", String(16), nullable=False),  # ok | failed
    Column("error", Text),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("collected_at", DateTime(timezone=True)),
    Column("facts", JSON),
)
