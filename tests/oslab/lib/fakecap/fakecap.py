"""A fake Cinder backend that reports a configured capacity.

The stock ``FakeLoggingVolumeDriver`` reports ``total_capacity_gb = infinite``, so the scheduler's
capacity filter and ``GET /scheduler-stats/get_pools`` say nothing real. This subclass reports,
per backend section of cinder.conf::

    volume_driver = fakecap.FakeCapacityDriver
    volume_backend_name = fast
    fake_total_capacity_gb = 2000
    fake_thin = false
    reserved_percentage = 10             (stock cinder option)
    max_over_subscription_ratio = 1.0    (stock cinder option)

Free capacity is the total: the fake stores no bytes, and cinder-volume adds the allocated
capacity it tracks itself. cinder-volume must run with this folder on PYTHONPATH.
"""

from typing import Any

from cinder.tests.fake_driver import FakeLoggingVolumeDriver
from oslo_config import cfg

OPTS = [
    cfg.IntOpt("fake_total_capacity_gb", default=1000, help="total capacity to report"),
    cfg.BoolOpt("fake_thin", default=False, help="thin (True) or thick (False) provisioning"),
]


class FakeCapacityDriver(FakeLoggingVolumeDriver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.configuration.append_config_values(OPTS)

    def _update_volume_stats(self) -> None:
        conf = self.configuration
        self.backend_name = conf.safe_get("volume_backend_name") or "fake"
        super()._update_volume_stats()
        thin = bool(conf.fake_thin)
        self._stats["pools"][0].update(
            {
                "total_capacity_gb": conf.fake_total_capacity_gb,
                "free_capacity_gb": conf.fake_total_capacity_gb,
                "reserved_percentage": int(conf.safe_get("reserved_percentage") or 0),
                "thin_provisioning_support": thin,
                "thick_provisioning_support": not thin,
                "max_over_subscription_ratio": float(
                    conf.safe_get("max_over_subscription_ratio") or 1.0
                ),
            }
        )
