"""The table of host discovery (issue 10): what SSH discovery learnt about each legacy host.

One row per declared host name, replaced by each attempt: the facts (JSON, see
`core.host_facts.HostFacts`) of the last successful discovery stay when a later attempt fails,
so planning keeps what was known while `host list` shows the failure. Keyed by name, not by the
legacy_host row: `inventory load` may replace declared rows, discovery must outlive that.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govcloud.adapters.store.schema import Base


class HostDiscoveryRow(Base):
    __tablename__ = "host_discovery"
    host: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # ok | failed
    error: Mapped[str | None] = mapped_column(Text)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    collected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    facts: Mapped[dict[str, object] | None] = mapped_column(JSON)
