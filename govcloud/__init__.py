"""govcloud: resource management for OpenStack-based government clouds (政务云)."""

__version__ = "0.1.0"
