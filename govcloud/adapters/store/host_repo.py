"""Host discovery in the store: the declared legacy and jump hosts discovery connects to, and
the facts it learnt (`host_discovery`), read back as `HostFacts` for planning.

Facts are stored as JSON made from the frozen dataclasses; reading tolerates missing keys (a
field added later reads as unknown), so old rows never break a newer govcloud.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from govcloud.adapters.store import schema as t
from govcloud.adapters.store.schema_hosts import HostDiscoveryRow
from govcloud.core import host_facts as hf
from govcloud.core import models as m


@dataclass(frozen=True)
class HostStatus:
    """One declared host with its discovery state: a row of `host list`."""

    host: str
    address: str
    port: int
    user: str
    jump_host: str | None
    system: str | None
    status: str  # never | ok | failed
    error: str | None
    attempted_at: datetime | None
    collected_at: datetime | None
    facts: hf.HostFacts | None


def legacy_hosts(conn: Connection) -> list[m.LegacyHost]:
    h = t.LegacyHostRow
    return [
        m.LegacyHost(r.name, r.address, r.port, r.ssh_user, r.system_code, r.key_file, r.jump_host)
        for r in conn.execute(select(h).order_by(h.c.name))
    ]


def jump_hosts(conn: Connection) -> list[m.JumpHost]:
    j = t.JumpHostRow
    return [
        m.JumpHost(r.name, r.address, r.port, r.ssh_user, r.key_file)
        for r in conn.execute(select(j).order_by(j.c.name))
    ]


def save(
    conn: Connection,
    host: str,
    address: str,
    attempted_at: datetime,
    facts: hf.HostFacts | None,
    error: str | None,
) -> None:
    """Record one attempt: new facts on success; on failure the error, keeping older facts."""
    d = HostDiscoveryRow
    old = conn.execute(select(d.c.collected_at, d.c.facts).where(d.c.host == host)).first()
    conn.execute(delete(d).where(d.c.host == host))
    conn.execute(
        insert(d).values(
            host=host,
            address=address,
            status="ok" if facts is not None else "failed",
            error=error,
            attempted_at=attempted_at,
            collected_at=facts.collected_at if facts else (old.collected_at if old else None),
            facts=facts_to_json(facts) if facts else (old.facts if old else None),
        )
    )


def statuses(conn: Connection) -> list[HostStatus]:
    """Every declared legacy host with its discovery state, by name."""
    d = HostDiscoveryRow
    found = {r.host: r for r in conn.execute(select(d))}
    rows = []
    for h in legacy_hosts(conn):
        r = found.get(h.name)
        rows.append(
            HostStatus(
                host=h.name,
                address=h.address,
                port=h.port,
                user=h.ssh_user,
                jump_host=h.jump_host,
                system=h.system_code,
                status=r.status if r else "never",
                error=r.error if r else None,
                attempted_at=r.attempted_at if r else None,
                collected_at=r.collected_at if r else None,
                facts=facts_from_json(r.facts) if r and r.facts else None,
            )
        )
    return rows


def facts_by_host(conn: Connection) -> dict[str, hf.HostFacts]:
    """The last successfully discovered facts per host name (for migration planning)."""
    d = HostDiscoveryRow
    query = select(d.c.host, d.c.facts).where(d.c.facts.is_not(None)).order_by(d.c.host)
    return {r.host: facts_from_json(r.facts) for r in conn.execute(query)}


def facts_to_json(facts: hf.HostFacts) -> dict[str, Any]:
    data = asdict(facts)
    data["collected_at"] = facts.collected_at.isoformat()
    return data


def _build(cls: type[Any], raw: Mapping[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in raw.items() if k in names})


def facts_from_json(raw: Mapping[str, Any]) -> hf.HostFacts:
    def many(key: str, cls: type[Any], tuples: tuple[str, ...] = ()) -> tuple[Any, ...]:
        items = raw.get(key) or []
        return tuple(
            _build(cls, {k: tuple(v) if k in tuples else v for k, v in item.items()})
            for item in items
        )

    data = {k: v for k, v in raw.items() if k not in _NESTED}
    data["collected_at"] = datetime.fromisoformat(str(raw["collected_at"]))
    data["notes"] = tuple(raw.get("notes") or ())
    facts: hf.HostFacts = _build(hf.HostFacts, data)
    return hf.HostFacts(
        **{
            **{f.name: getattr(facts, f.name) for f in fields(hf.HostFacts)},
            "block_devices": many("block_devices", hf.BlockDevice),
            "filesystems": many("filesystems", hf.Filesystem),
            "listeners": many("listeners", hf.Listener),
            "peers": many("peers", hf.Peer),
            "middleware": many("middleware", hf.Middleware, ("ports",)),
        }
    )


_NESTED = ("block_devices", "filesystems", "listeners", "peers", "middleware", "notes")
