"""Tables of the embedded metrics store.

`metric_chunk` holds one row per (target, metric, UTC day): the day's 288 five-minute slot means
as float32 and how many samples each slot folded in as uint16 (layout: core/metric_chunks.py).
Rightsizing reads "every VM, one metric, the last 14 days": 14 rows per VM instead of 4,032
(docs/benchmarks-metrics.md has the measurement), through the (metric, day) index.

`metric_target` remembers each target's last raw counters, so that `metrics collect` run once a
cron tick still computes rates, plus its health for `agent status`.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from govcloud.adapters.store.schema import metadata

# One target's samples of one metric for one UTC day, packed as an array.
MetricChunkRow = Table(
    "metric_chunk",
    metadata,
    Column("target", String(64), primary_key=True),
    Column("metric", String(64), primary_key=True),
    Column("day", Integer, primary_key=True),  # days since 1970-01-01 UTC
    Column("step_s", Integer, nullable=False),
    Column("values", LargeBinary, nullable=False),
    Column("sample_count", Integer, nullable=False),  # slots with data
    Column("counts", LargeBinary),
    Index("ix_metric_chunk_metric_day", "metric", "day"),
)


# A scrape target (or a spool source) and its previous raw scrape.
MetricTargetRow = Table(
    "metric_target",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("target", String(64), nullable=False),
    Column("name", String(255)),
    Column("instance_uuid", String(64)),
    Column("hostname", String(255)),
    Column("server_id", String(64)),
    Column("joined_by", String(16), nullable=False),
    Column("raw_ts", Float),
    Column("raw_counters", JSON),
    Column("last_scrape_at", DateTime(timezone=True)),
    Column("last_ok_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("last_duration_ms", Integer),
    Index("ix_metric_target_target", "target"),
)
