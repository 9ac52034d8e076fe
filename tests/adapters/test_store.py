from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, create_engine, func, insert, select, text

from govcloud.adapters.store import audit_repo, declared_repo, observed_repo
from govcloud.adapters.store import schema as t
from govcloud.adapters.store.engine import (
    SCHEMA_HEAD,
    current_revision,
    head_revision,
    open_store,
    resolve_url,
)
from govcloud.core.audit_trail import chain_hash
from govcloud.core.errors import StoreError, UsageError
from govcloud.core.listing import VmFilter
from govcloud.core.models import Department, Inventory
from govcloud.services.inventory import read_inventory

EXAMPLE = Path(__file__).resolve().parents[2] / "inventory" / "example"


@pytest.fixture(scope="module")
def example() -> Inventory:
    return read_inventory(EXAMPLE)


def test_migrations_produce_exactly_the_models(store_url: str) -> None:
    store = open_store(store_url, create=True)
    with store.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.metadata)
    store.close()
    assert diff == []
    reopened = open_store(store_url)
    assert current_revision(reopened) == head_revision()
    reopened.close()


def test_schema_head_constant_matches_the_migrations() -> None:
    assert head_revision() == SCHEMA_HEAD


def test_outdated_store_asks_for_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    open_store(url, create=True).close()
    store = open_store(url)
    with store.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    store.close()
    with pytest.raises(StoreError, match="at schema 0001") as err:
        open_store(url)
    assert "govcloud init" in (err.value.hint or "")


def test_missing_store_is_an_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        open_store(f"sqlite:///{tmp_path / 'nope.db'}")
    assert "govcloud init" in (err.value.hint or "")
    assert not (tmp_path / "nope.db").exists()


def test_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}", create=True)


def test_sqlite_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = open_store(f"sqlite:///{path}", create=True)
    with store.read() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    store.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert (mode, timeout) == ("wal", 10_000)


def test_resolve_url_accepts_paths_and_urls(tmp_path: Path) -> None:
    assert resolve_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url(None).endswith("govcloud/govcloud.db")


def _count(store_url: str, table: Table) -> int:
    store = open_store(store_url)
    with store.read() as conn:
        n = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    store.close()
    return n


def test_load_is_idempotent_and_counts_changes(store_url: str, example: Inventory) -> None:
    store = open_store(store_url, create=True)
    with store.write() as conn:
        first = declared_repo.load_inventory(conn, example)
    with store.write() as conn:
        second = declared_repo.load_inventory(conn, example)
    store.close()
    assert first.counts["departments"].added == 88
    assert first.counts["systems"].added == 534
    assert second.counts["departments"].added == 0
    assert second.counts["departments"].unchanged == 88
    assert second.counts["projects"].changed == 0
    approved = sum(
        len(b.approved_quota) + len(b.approved_type_quota)
        for d in example.departments
        for b in d.projects
    )
    assert approved > 5 * first.counts["projects"].added  # network quotas are declared too
    assert _count(store_url, t.ApprovedQuotaRow) == approved


def test_reload_keeps_observed_rows_and_removes_undeclared(
    store_url: str, example: Inventory
) -> None:
    store = open_store(store_url, create=True)
    with store.write() as conn:
        declared_repo.load_inventory(conn, example)
        pool_id = conn.execute(select(t.PoolRow.c.id).where(t.PoolRow.c.code == "zw-prod")).scalar()
        conn.execute(
            insert(t.ProjectRow).values(pool_id=pool_id, project_id="p1", name="wjw-zw-prod")
        )
        conn.execute(
            insert(t.ServerRow).values(
                pool_id=pool_id, server_id="s1", name="his-app-1", project_id="p1",
                status="ACTIVE", flavor_name="c4m8", vcpus=4, ram_mib=8192, disk_gib=40,
            )
        )  # fmt: skip
        declared_repo.relink_projects(conn)
    smaller = replace(
        example,
        departments=tuple(d for d in example.departments if d.code != "bgt"),
        systems=tuple(s for s in example.systems if s.department_code != "bgt"),
    )
    with store.write() as conn:
        summary = declared_repo.load_inventory(conn, smaller)
    with store.read() as conn:
        servers = observed_repo.list_servers(conn, VmFilter(tenant="卫健委"))
    store.close()
    assert summary.counts["departments"].removed == 1
    assert [s.server_id for s in servers] == ["s1"]
    assert servers[0].department == "wjw"


def test_audit_records_form_a_hash_chain(store_url: str) -> None:
    from datetime import UTC, datetime

    from govcloud.core.audit_trail import AuditRecord, Signer

    store = open_store(store_url, create=True)
    rec = AuditRecord(datetime.now(UTC), "ops", "ops", "govcloud x", "pool", "p", None, {}, "ok")
    signer = Signer("sha256", b"k" * 32)
    with store.write() as conn:
        audit_repo.append(conn, rec, signer)
        audit_repo.append(conn, replace(rec, object_id="q"), signer)
    with store.read() as conn:
        rows = conn.execute(select(t.AuditLogRow).order_by(t.AuditLogRow.c.seq)).all()
    store.close()
    assert rows[0].prev_hash is None
    assert rows[1].prev_hash == rows[0].hash
    assert rows[1].hash == chain_hash("sha256", rows[0].hash, 2, replace(rec, object_id="q"))
    assert rows[1].hmac == signer.seal(2, rows[0].hash, replace(rec, object_id="q")).hmac


def test_a_failed_write_leaves_nothing(store_url: str, example: Inventory) -> None:
    store = open_store(store_url, create=True)

    def load_then_fail() -> None:
        with store.write() as conn:
            declared_repo.load_inventory(conn, example)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        load_then_fail()
    store.close()
    assert _count(store_url, t.DepartmentRow) == 0


def test_unreachable_postgres_is_a_store_error() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    with pytest.raises(StoreError) as err:
        open_store(url)
    assert "127.0.0.1" in err.value.message
    assert "\n" not in err.value.message


def test_sqlite_writers_take_the_lock_up_front(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}", create=True)
    with store.write() as conn:
        # BEGIN IMMEDIATE holds the RESERVED lock: a second writer must wait, not deadlock later.
        other = open_store(f"sqlite:///{tmp_path / 's.db'}")
        raw = other.engine.raw_connection()
        raw.execute("PRAGMA busy_timeout = 50")  # type: ignore[attr-defined]
        with pytest.raises(Exception, match="locked"):
            raw.execute("BEGIN IMMEDIATE")  # type: ignore[attr-defined]
        raw.close()
        other.close()
        conn.execute(text("SELECT 1"))
    store.close()


def test_upgrading_a_0003_store_keeps_its_rows(store_url: str) -> None:
    """0004 widens `quota` and `approved_quota` (SQLite rebuilds them) and adds a column to
    `pool` (a rebuild of `pool` would cascade to every observed row): nothing may be lost."""
    from alembic import command

    from govcloud.adapters.store.engine import _alembic_config

    engine = create_engine(store_url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0003")
        pool_id = conn.execute(
            insert(t.PoolRow)
            .values(
                code="p", name_zh="区", name_en="P", cloud="c", region="r", security_zone="gov",
                mlps_level_max=3,
            )
            .returning(t.PoolRow.c.id)
        ).scalar_one()  # fmt: skip
        dept_id = conn.execute(
            insert(t.DepartmentRow)
            .values(code="d", name_zh="局", short_zh="局", name_en="D")
            .returning(t.DepartmentRow.c.id)
        ).scalar_one()
        binding = conn.execute(
            insert(t.ProjectBindingRow)
            .values(department_id=dept_id, pool_id=pool_id, project_name="d-p")
            .returning(t.ProjectBindingRow.c.id)
        ).scalar_one()
        conn.execute(
            insert(t.ApprovedQuotaRow),
            [{"binding_id": binding, "resource": r, "limit": 10} for r in ("cores", "ram_mib")],
        )
        conn.execute(
            insert(t.ProjectRow).values(
                pool_id=pool_id, project_id="p1", name="d-p", department_id=dept_id
            )
        )
        conn.execute(
            insert(t.ServerRow).values(
                pool_id=pool_id, server_id="s1", name="vm", project_id="p1", status="ACTIVE",
                flavor_name="c4m8", vcpus=4, ram_mib=8192, disk_gib=40,
            )
        )  # fmt: skip
        conn.execute(
            insert(t.QuotaRow).values(
                pool_id=pool_id, project_id="p1", resource="cores", limit=20, in_use=4
            )
        )
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
    engine.dispose()

    store = open_store(store_url, create=True)  # upgrades to the head
    long_name = "gigabytes_" + "x" * 100  # wider than the 32 characters of 0003
    with store.write() as conn:
        conn.execute(
            insert(t.ApprovedQuotaRow).values(binding_id=binding, resource=long_name, limit=1)
        )
    with store.read() as conn:
        approved = conn.execute(select(t.ApprovedQuotaRow.c.resource, t.ApprovedQuotaRow.c.limit))
        quota = conn.execute(select(t.QuotaRow.c.resource, t.QuotaRow.c.limit, t.QuotaRow.c.in_use))
        assert sorted(approved) == [("cores", 10), (long_name, 1), ("ram_mib", 10)]
        assert quota.all() == [("cores", 20, 4)]
        assert conn.execute(select(t.ServerRow.c.server_id)).scalars().all() == ["s1"]
        assert conn.execute(select(t.ProjectRow.c.department_id)).scalar_one() == dept_id
        assert conn.execute(select(t.PoolRow.c.storage_backends)).scalar_one() is None
    assert current_revision(store) == SCHEMA_HEAD
    store.close()


def test_storage_backends_and_per_type_quotas_round_trip(
    store_url: str, example: Inventory
) -> None:
    store = open_store(store_url, create=True)
    with store.write() as conn:
        declared_repo.load_inventory(conn, example)
    with store.write() as conn:  # a reload finds nothing changed
        again = declared_repo.load_inventory(conn, example)
    with store.read() as conn:
        pools = declared_repo.read_pools(conn)
        departments = declared_repo.read_departments(conn)
    store.close()
    assert {p.code: p for p in pools} == {p.code: p for p in example.pools}
    assert any(p.storage_backends for p in pools)

    def bindings(depts: tuple[Department, ...] | list[Department]) -> dict[object, object]:
        return {
            (b.department_code, b.pool_code): (b.approved_quota, b.approved_type_quota)
            for d in depts
            for b in d.projects
        }

    assert bindings(departments) == bindings(example.departments)
    assert any(b.approved_type_quota for d in departments for b in d.projects)
    assert (again.counts["pools"].changed, again.counts["projects"].changed) == (0, 0)
