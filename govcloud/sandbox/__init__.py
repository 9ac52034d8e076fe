"""An OpenStack-compatible API server (Keystone v3, Nova, Cinder, Placement subsets) seeded from
the declared inventory, with latency and fault injection. See docs/sandbox.md."""

from govcloud.sandbox.faults import Faults
from govcloud.sandbox.runtime import CloudEntry, Sandbox

__all__ = ["CloudEntry", "Faults", "Sandbox"]
