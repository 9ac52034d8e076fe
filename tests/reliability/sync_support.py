"""What the sync reliability suites share: a store's integrity, its synced contents as a
comparable value, the audit chain's links, and a `govcloud` child process with its own store.

The contents leave out what differs between two honest runs of the same estate (timestamps,
run bookkeeping, the trail, usage history): two stores that synced the same cloud compare
equal, and a row duplicated, lost or left half-written makes them differ.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, create_engine, inspect, text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "inventory" / "example"
GOVCLOUD = str(Path(sys.executable).parent / "govcloud")

# bookkeeping and history: differ between two runs of the same estate by design
NOT_CONTENTS = frozenset(
    {"alembic_version", "sync_run", "audit_log", "audit_run", "finding", "pool_usage"}
)
NOT_CONTENT_PREFIXES = ("metric_",)
# moments of a run, not facts of the cloud
VOLATILE_COLUMNS = frozenset({"first_seen", "last_seen", "seen_at", "synced_at"})

Contents = dict[str, Counter[tuple[Any, ...]]]  # table -> the multiset of its rows


def engine(url: str) -> Engine:
    return create_engine(url)


def integrity(url: str) -> list[str]:
    """Problems the database itself finds: SQLite's integrity and foreign-key checks; on
    PostgreSQL the constraints are enforced as rows are written, and each one is re-checked
    here by an anti-join on every foreign key. Empty: intact."""
    eng = engine(url)
    problems: list[str] = []
    try:
        with eng.connect() as conn:
            if eng.dialect.name == "sqlite":
                rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
                problems += [r for r in rows if r != "ok"]
                problems += [
                    str(tuple(r)) for r in conn.exec_driver_sql("PRAGMA foreign_key_check")
                ]
                return problems
            insp = inspect(conn)
            for table in insp.get_table_names():
                for fk in insp.get_foreign_keys(table):
                    cols, ref_cols = fk["constrained_columns"], fk["referred_columns"]
                    on = " AND ".join(f"p.{r} = c.{c}" for c, r in zip(cols, ref_cols, strict=True))
                    not_null = " AND ".join(f"c.{c} IS NOT NULL" for c in cols)
                    sql = (
                        f"SELECT count(*) FROM {table} c LEFT JOIN {fk['referred_table']} p "
                        f"ON {on} WHERE {not_null} AND p.{ref_cols[0]} IS NULL"
                    )
                    orphans = conn.execute(text(sql)).scalar_one()
                    if orphans:
                        problems.append(f"{table}.{cols} -> {fk['referred_table']}: {orphans}")
    finally:
        eng.dispose()
    return problems


def contents(url: str) -> Contents:
    """Table -> the multiset of its rows (volatile columns and surrogate ids left out)."""
    eng = engine(url)
    out: dict[str, Counter[tuple[Any, ...]]] = {}
    try:
        with eng.connect() as conn:
            insp = inspect(conn)
            for table in sorted(insp.get_table_names()):
                if table in NOT_CONTENTS or table.startswith(NOT_CONTENT_PREFIXES):
                    continue
                cols = [
                    c["name"]
                    for c in insp.get_columns(table)
                    if c["name"] not in VOLATILE_COLUMNS and not _is_time(c["type"])
                    and c["name"] != "id"
                ]  # fmt: skip
                if not cols:
                    continue
                quoted = ", ".join(f'"{c}"' for c in cols)
                rows = conn.execute(text(f'SELECT {quoted} FROM "{table}"'))
                out[table] = Counter(tuple(_plain(v) for v in r) for r in rows)
    finally:
        eng.dispose()
    return out


def differences(
    got: dict[str, Counter[tuple[Any, ...]]], want: dict[str, Counter[tuple[Any, ...]]]
) -> list[str]:
    """Per table, how many rows one side has that the other lacks (a short, readable list)."""
    out = []
    for table in sorted(set(got) | set(want)):
        g, w = got.get(table, Counter()), want.get(table, Counter())
        extra, missing = g - w, w - g
        if extra or missing:
            sample = next(iter(extra or missing))
            out.append(
                f"{table}: {sum(extra.values())} extra, {sum(missing.values())} missing "
                f"(e.g. {sample!r:.160})"
            )
    return out


def _is_time(kind: Any) -> bool:
    return type(kind).__name__.upper() in {"DATETIME", "TIMESTAMP", "DATE"}


def _plain(value: Any) -> Any:
    """One spelling per value on SQLite and PostgreSQL: JSON as sorted text (SQLite hands it
    back as text, psycopg as objects), numbers as float, booleans as integers."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return float(value)
    return value


def server_count(url: str) -> int:
    eng = engine(url)
    try:
        with eng.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM server WHERE deleted_at IS NULL")
                ).scalar_one()
            )
    finally:
        eng.dispose()


def chain_breaks(url: str) -> list[str]:
    """The audit chain verified: through `core.audit_verify` once it exists, else by its links
    (each record's prev_hash is the previous record's hash, seq without gaps)."""
    eng = engine(url)
    try:
        with eng.connect() as conn:
            rows = conn.execute(
                text("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq")
            ).all()
    finally:
        eng.dispose()
    breaks, prev_seq, prev_hash = [], 0, None
    for seq, prev, digest in rows:
        if seq != prev_seq + 1 or prev != prev_hash:
            breaks.append(f"seq {seq}: follows seq {prev_seq} / hash {str(prev_hash)[:12]}")
        prev_seq, prev_hash = seq, digest
    return breaks


def audit_events(url: str, event: str) -> list[tuple[str, str, Any]]:
    """(object_id, outcome, after) of each trail record of EVENT, in order."""
    eng = engine(url)
    try:
        with eng.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT object_id, outcome, after FROM audit_log WHERE event = :e ORDER BY seq"
                ),
                {"e": event},
            ).all()
    finally:
        eng.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


def small_inventory(tmp: Path, departments: int) -> Path:
    """The example's pools with its first DEPARTMENTS departments: a smaller estate, the same
    shape (three pools in two regions)."""
    out = tmp / "inventory"
    out.mkdir()
    (out / "pools.yaml").write_bytes((EXAMPLE / "pools.yaml").read_bytes())
    doc = yaml.safe_load((EXAMPLE / "departments.yaml").read_text(encoding="utf-8"))
    doc["departments"] = doc["departments"][:departments]
    codes = {d["code"] for d in doc["departments"]}
    systems = yaml.safe_load((EXAMPLE / "systems.yaml").read_text(encoding="utf-8"))
    systems["systems"] = [s for s in systems["systems"] if s["department"] in codes]
    left = {s["code"] for s in systems["systems"]}
    hosts = yaml.safe_load((EXAMPLE / "hosts.yaml").read_text(encoding="utf-8"))
    hosts["legacy_hosts"] = [h for h in hosts["legacy_hosts"] if h.get("system", "") in left]
    for name, data in (("departments.yaml", doc), ("systems.yaml", systems), ("hosts.yaml", hosts)):
        (out / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


@dataclass(frozen=True)
class Cli:
    """`.venv/bin/govcloud` as a child process with a private store, config and state."""

    home: Path
    clouds_yaml: Path | None = None
    db: str | None = None

    @property
    def url(self) -> str:
        return self.db if self.db and "://" in self.db else f"sqlite:///{self.db_path}"

    @property
    def db_path(self) -> Path:
        return Path(self.db) if self.db and "://" not in self.db else self.home / "govcloud.db"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "GOVCLOUD_"))}
        env.update(
            GOVCLOUD_DB=self.db or str(self.db_path),
            XDG_CONFIG_HOME=str(self.home / "config"),
            XDG_DATA_HOME=str(self.home / "data"),
            XDG_STATE_HOME=str(self.home / "state"),
            LANG="en_US.UTF-8",
            PYTHONWARNINGS="ignore",
        )
        if self.clouds_yaml is not None:
            env["OS_CLIENT_CONFIG_FILE"] = str(self.clouds_yaml)
        return env

    def popen(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [GOVCLOUD, *args], env=self.env(), cwd=self.home, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs,
        )  # fmt: skip

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [GOVCLOUD, *args], env=self.env(), cwd=self.home, text=True,
            capture_output=True, timeout=timeout, check=False,
        )  # fmt: skip

    def ok(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        done = self.run(*args, timeout=timeout)
        assert done.returncode == 0, f"govcloud {' '.join(args)}: {done.stdout}{done.stderr}"
        return done
