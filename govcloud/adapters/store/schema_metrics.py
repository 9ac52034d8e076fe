"""Tables of the embedded metrics store."""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from govcloud.adapters.store.schema import Base


class MetricChunkRow(Base):
    """One target's samples of one metric for one UTC day, packed as an array.

    Rightsizing reads "every VM, one metric, 14 days": a row per sample would be 4,032 rows per
    VM; a chunk per day is 14.
    """

    __tablename__ = "metric_chunk"
    target: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)  # days since 1970-01-01 UTC
    step_s: Mapped[int] = mapped_column(Integer)
    values: Mapped[bytes] = mapped_column(LargeBinary)
    sample_count: Mapped[int] = mapped_column(Integer)
