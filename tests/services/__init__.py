"""Real services (PostgreSQL, OpenSSH, Prometheus tools, an OpenStack lab) for the test suite."""
