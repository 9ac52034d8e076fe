"""The unified-limits note: one question to Keystone per reader (one sync run), however many
services' quotas an incremental run reads side by side."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from govcloud.adapters.openstack.reader import OpenStackReader
from govcloud.core.sync import PoolScope


class _CountingKeystone:
    conn = None

    def __init__(self) -> None:
        self.asked = 0
        self._lock = threading.Lock()

    def get(self, service: str, path: str, *_: Any) -> dict[str, Any]:
        assert (service, path) == ("identity", "/registered_limits")
        with self._lock:
            self.asked += 1
        return {"registered_limits": [{"service_id": "?", "resource_name": "cores"}]}


def test_keystone_is_asked_once_for_every_service_read_side_by_side() -> None:
    api = _CountingKeystone()
    reader = OpenStackReader(api, PoolScope("p1", "c", "r"), metadata_key="system")  # type: ignore[arg-type]
    with ThreadPoolExecutor(3) as ex:
        got = list(ex.map(lambda svc: reader.quotas([], frozenset([svc])),
                          ["compute", "volume", "network"]))  # fmt: skip
    assert api.asked == 1
    assert all(g.notes and g.notes == got[0].notes for g in got)
