"""Store-wide facts kept as key/value rows of the `setting` table."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from govcloud.adapters.store import schema as t

# the servers of the store were listed from govcloud's sandbox cloud: their addresses are
# made up (10.x from its fake Neutron) and belong to no machine, so nothing may connect to them
SANDBOX_ADDRESSES = "server_addresses_from_sandbox"


def get(conn: Connection, key: str) -> str | None:
    value = conn.execute(select(t.SettingRow.c.value).where(t.SettingRow.c.key == key)).scalar()
    return None if value is None else str(value)


def put(conn: Connection, key: str, value: str | None) -> None:
    """Set KEY to VALUE; None removes it."""
    conn.execute(delete(t.SettingRow).where(t.SettingRow.c.key == key))
    if value is not None:
        conn.execute(insert(t.SettingRow).values(key=key, value=value))
