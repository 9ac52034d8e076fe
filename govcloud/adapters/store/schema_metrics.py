"""Tables of the embedded metrics store.

`metric_chunk` holds one row per (target, metric, UTC day): the day's 288 five-minute slot means
as float32 and how many samples each slot folded in as uint16 (layout: core/metric_chunks.py).
Rightsizing reads "every VM, one metric, the last 14 days": 14 rows per VM instead of 4,032
(docs/benchmarks-metrics.md has the measurement), through the (metric, day) index.

`metric_target` remembers each target's last raw counters, so that `metrics collect` run once a
cron tick still computes rates, plus its health for `agent status`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govcloud.adapters.store.schema import Base


class MetricChunkRow(Base):
    """One target's samples of one metric for one UTC day, packed as an array."""

    __tablename__ = "metric_chunk"
    __table_args__ = (Index("ix_metric_chunk_metric_day", "metric", "day"),)
    target: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)  # days since 1970-01-01 UTC
    step_s: Mapped[int] = mapped_column(Integer)
    values: Mapped[bytes] = mapped_column(LargeBinary)
    sample_count: Mapped[int] = mapped_column(Integer)  # slots with data
    counts: Mapped[bytes | None] = mapped_column(LargeBinary)


class MetricTargetRow(Base):
    """A scrape target (or a spool source) and its previous raw scrape."""

    __tablename__ = "metric_target"
    __table_args__ = (Index("ix_metric_target_target", "target"),)
    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    target: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    instance_uuid: Mapped[str | None] = mapped_column(String(64))
    hostname: Mapped[str | None] = mapped_column(String(255))
    server_id: Mapped[str | None] = mapped_column(String(64))
    joined_by: Mapped[str] = mapped_column(String(16))
    raw_ts: Mapped[float | None] = mapped_column(Float)
    raw_counters: Mapped[dict[str, float] | None] = mapped_column(JSON)
    last_scrape_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_duration_ms: Mapped[int | None] = mapped_column(Integer)
