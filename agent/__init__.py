"""govcloud-agent: a small node_exporter-compatible utilization exporter.

It is installed alone on tenant VMs and legacy servers, so nothing here may import ``govcloud``.
"""

__version__ = "0.1.0"
