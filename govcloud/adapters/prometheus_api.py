"""Reading utilization from a Prometheus-compatible HTTP API (Prometheus, VictoriaMetrics, Thanos).

Statistics come from instant queries (`/api/v1/query`) of `*_over_time` functions over the
5-minute series that `playbooks/prometheus/govcloud-rules.yml` records, so a 14-day percentile
reads 4,032 points per instance instead of recomputing rates from raw counters. Instances are
mapped to instance UUIDs through `govcloud_agent_info`.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcloud.core.errors import GovcloudError, UsageError
from govcloud.core.utilization import WindowStats

# utilization.METRICS -> the series the shipped recording rules produce.
RECORDED = {
    "cpu_pct": "instance:govcloud_cpu_used:pct5m",
    "mem_used_pct": "instance:govcloud_mem_used:pct5m",
    "disk_used_pct": "instance:govcloud_disk_used:pct5m",
    "disk_read_bps": "instance:govcloud_disk_read:bps5m",
    "disk_write_bps": "instance:govcloud_disk_write:bps5m",
    "net_rx_bps": "instance:govcloud_net_rx:bps5m",
    "net_tx_bps": "instance:govcloud_net_tx:bps5m",
    "load1": "instance:govcloud_load1:avg5m",
}
INFO = "govcloud_agent_info"
MAX_RESPONSE_BYTES = 64 * 1024 * 1024

Labels = Mapping[str, str]


class PrometheusError(GovcloudError):
    code = "prometheus_error"


@dataclass(frozen=True)
class InstanceStats:
    job: str
    instance: str
    instance_uuid: str | None
    hostname: str | None
    stats: WindowStats


class PrometheusApi:
    def __init__(self, base_url: str, timeout_s: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(
                f"not a Prometheus URL: {base_url!r}", hint="e.g. http://prometheus.internal:9090"
            )
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def query(self, expr: str, at: float) -> list[tuple[Labels, float]]:
        """An instant query: the vector's (labels, value) pairs."""
        form = urllib.parse.urlencode({"query": expr, "time": f"{at:.3f}"}).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            f"{self.base_url}/api/v1/query",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        data = self._call(request)
        result = data.get("data", {}).get("result")
        if data.get("data", {}).get("resultType") != "vector" or not isinstance(result, list):
            raise PrometheusError(f"{self.base_url}: query {expr!r} did not return a vector")
        try:
            return [(dict(item["metric"]), float(item["value"][1])) for item in result]
        except (KeyError, IndexError, TypeError, ValueError):
            raise PrometheusError(f"{self.base_url}: malformed result for {expr!r}") from None

    def _call(self, request: urllib.request.Request) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 - scheme checked
                body = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            body = exc.read(64 * 1024)
            raise PrometheusError(
                f"{self.base_url}: HTTP {exc.code}: {_error_text(body)}",
                hint="check the query API is reachable and the recording rules are loaded",
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PrometheusError(
                f"{self.base_url}: {reason}", hint="check --source URL and that it is reachable"
            ) from None
        if len(body) > MAX_RESPONSE_BYTES:
            raise PrometheusError(f"{self.base_url}: response over {MAX_RESPONSE_BYTES} bytes")
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise PrometheusError(f"{self.base_url}: response is not JSON") from None
        if not isinstance(data, dict) or data.get("status") != "success":
            raise PrometheusError(f"{self.base_url}: {_error_text(body)}")
        return data


def _error_text(body: bytes) -> str:
    try:
        data = json.loads(body)
        return str(data.get("error") or data.get("status"))[:300]
    except (ValueError, AttributeError, RecursionError):
        return body[:200].decode("utf-8", "replace").strip() or "no body"


def window_stats(
    api: PrometheusApi, metric: str, window_s: int, step_s: int, at: float
) -> list[InstanceStats]:
    """Per (job, instance): percentiles, max, average and coverage of METRIC over the window.

    STEP_S is the recording rules' evaluation interval: coverage is points / (window / step).
    """
    series = f"{RECORDED[metric]}[{window_s}s]"
    queries = {
        "p50": f"quantile_over_time(0.5, {series})",
        "p90": f"quantile_over_time(0.9, {series})",
        "p95": f"quantile_over_time(0.95, {series})",
        "p99": f"quantile_over_time(0.99, {series})",
        "max": f"max_over_time({series})",
        "avg": f"avg_over_time({series})",
        "points": f"count_over_time({series})",
    }
    found: dict[tuple[str, str], dict[str, float]] = {}
    for name, expr in queries.items():
        for labels, value in api.query(expr, at):
            found.setdefault(_instance(labels), {})[name] = value
    info = {
        _instance(labels): labels
        for labels, _ in api.query(f"last_over_time({INFO}[{window_s}s])", at)
    }
    expected = max(1, window_s // step_s)
    out = []
    for key, v in sorted(found.items()):
        labels = info.get(key, {})
        out.append(
            InstanceStats(
                key[0],
                key[1],
                (labels.get("instance_uuid") or "").lower() or None,
                labels.get("hostname") or None,
                _stats(v, window_s, expected),
            )
        )
    return out


def _instance(labels: Labels) -> tuple[str, str]:
    return labels.get("job", ""), labels.get("instance", "")


def _stats(v: Mapping[str, float], window_s: int, expected: int) -> WindowStats:
    def get(name: str) -> float | None:
        value = v.get(name)
        return value if value is not None and math.isfinite(value) else None

    return WindowStats(
        window_s=window_s,
        points=int(v.get("points", 0)),
        expected_points=expected,
        p50=get("p50"),
        p90=get("p90"),
        p95=get("p95"),
        p99=get("p99"),
        max=get("max"),
        avg=get("avg"),
    )
