"""OpenStack over HTTP: the only package that imports openstacksdk and keystoneauth.

config.py   which clouds.yaml, and a Connection per pool (timeouts, no implicit ./clouds.yaml)
calls.py    GETs with retries, error translation and pagination with a loop guard
reader.py   `OpenStackReader`, the `core.sync.CloudReader` of one pool
"""
