"""Opening the store: URL resolution, SQLite hardening, Alembic upgrades.

SQLite (the default) gets WAL, a busy timeout, foreign keys, mode 0600 and `BEGIN IMMEDIATE` for
writers, so that a collector and an operator can share one file; PostgreSQL is used by URL.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError, SQLAlchemyError

from govcloud.core.errors import StoreError, UsageError

BUSY_TIMEOUT_MS = 10_000
FULL_BELOW_BYTES = 1 << 20  # less free space than this on the store's disk: "full"
SCHEMA_HEAD = "0007"  # newest Alembic revision in migrations/versions
_MIGRATIONS = Path(__file__).with_name("migrations")


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "govcloud" / "govcloud.db"


def resolve_url(db: str | None) -> str:
    """A SQLAlchemy URL from `--db`/GOVCLOUD_DB: a URL, a plain file path, or the XDG default."""
    if db is None:
        return f"sqlite:///{default_db_path()}"
    if not db.strip():
        raise UsageError(
            "--db is empty", hint="give a store file or URL, or leave --db out for the default"
        )
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().absolute()}"


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


class Store:
    """An engine plus the two ways to use it: read, and write in one immediate transaction."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.is_sqlite = engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._guard(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: all of it lands, or none of it."""
        with self._guard(), self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except DatabaseError as exc:
            # IntegrityError and friends are bugs and stay loud; a damaged file or an
            # unreachable server (OperationalError, plain DatabaseError) is the user's to fix.
            if type(exc) not in (DatabaseError, OperationalError):
                raise
            full = self._disk_full(exc)
            raise StoreError(
                f"store {describe(self.url)}: "
                + (f"no space left on {full}" if full else _first_line(exc.orig)),
                hint=f"free space on {full}, then run the command again (nothing was written)"
                if full
                else "check --db / GOVCLOUD_DB and that the database server is reachable",
            ) from None

    def _disk_full(self, exc: DatabaseError) -> str | None:
        """The folder of a SQLite store whose disk is full, when that is why EXC happened
        (SQLite says "disk I/O error" when it cannot even create its -shm file)."""
        path = sqlite_path(self.url) if self.is_sqlite else None
        text = str(exc.orig).lower()
        if path is None or not ("full" in text or "disk i/o" in text):
            return None
        try:
            free = shutil.disk_usage(path.parent).free
        except OSError:
            return None
        return str(path.parent) if free < FULL_BELOW_BYTES else None

    def close(self) -> None:
        self.engine.dispose()


def _first_line(exc: object) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def open_store(url: str, *, create: bool = False) -> Store:
    """Open the store at URL; with `create`, make it and bring its schema to the latest revision.

    Without `create` a missing or outdated store is an error with a hint, never a silent change.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(
            f"not a database URL: {url!r}",
            hint="use a file path, sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
        ) from None
    path = sqlite_path(url)
    if path is not None:
        _prepare_sqlite_file(path, create=create)
    try:
        engine = create_engine(url, **_engine_options(parsed.get_backend_name()))
    except (ArgumentError, ImportError) as exc:
        raise UsageError(f"cannot use database URL {describe(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        _harden_sqlite(engine)
    store = Store(engine, url)
    try:
        if create:
            upgrade(store)
        else:
            _require_current(store)
    except BaseException:
        store.close()
        raise
    return store


def _engine_options(backend: str) -> dict[str, Any]:
    if backend == "postgresql":
        return {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
    return {}


SQLITE_MAGIC = b"SQLite format 3\x00"
KNOWN_REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
)  # migrations/versions, oldest first


def _prepare_sqlite_file(path: Path, *, create: bool) -> None:
    """Make sure PATH is a govcloud store (or, with `create`, may become one) before touching it.

    Opening runs PRAGMAs that rewrite the header and add -wal/-shm files, so a file given by
    mistake (a PNG, a text file, a half-copied store) must be recognised first and left as it was.
    An existing store keeps its mode bits except that group/other access is taken away.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot use store path {str(path)!r}: {exc}") from None
    if st is None:
        _create_sqlite_file(path, create=create)
        return
    if not path.is_file():
        raise UsageError(f"store {path} is not a regular file", hint="point --db at a file")
    kind = _sqlite_kind(path, st.st_size)
    if kind == "empty" and not create:
        raise StoreError(
            f"store {path} is an empty file, not a govcloud store",
            hint="run `govcloud init` to make it one, or check --db / GOVCLOUD_DB",
        )
    if kind == "foreign":
        raise StoreError(
            f"{path} is not a govcloud store (a SQLite database with other tables)",
            hint="check --db / GOVCLOUD_DB; govcloud never writes into another database",
        )
    if kind == "store" and st.st_mode & 0o077:
        os.chmod(path, st.st_mode & 0o700)


def _create_sqlite_file(path: Path, *, create: bool) -> None:
    if not create:
        raise StoreError(
            f"no store at {path}", hint="run `govcloud init` (or `govcloud inventory load DIR`)"
        )
    if not path.parent.exists():
        if path.parent == default_db_path().parent:
            path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        else:
            raise UsageError(
                f"directory {path.parent} does not exist",
                hint="create it first, or point --db at an existing directory",
            )
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _sqlite_kind(path: Path, size: int) -> str:
    """empty | blank (SQLite, no tables) | store (a govcloud store) | foreign; or StoreError.

    Read with the standard sqlite3 module read-only; `immutable` when no -wal file exists, so
    that the check itself creates no -shm/-wal files (without a -wal the main file is complete).
    """
    import sqlite3
    from urllib.parse import quote

    if size == 0:
        return "empty"
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as exc:
        raise StoreError(f"cannot read store {path}: {exc.strerror}") from None
    if not header.startswith(SQLITE_MAGIC) or len(header) < 100:
        raise StoreError(
            f"{path} is not a govcloud store (not a SQLite database)",
            hint="check --db / GOVCLOUD_DB",
        )
    wal = Path(f"{path}-wal").exists()
    uri = f"file:{quote(str(path))}?mode=ro" + ("" if wal else "&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                return "blank" if not tables else "foreign"
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(
            f"{path} is not a readable govcloud store: {_first_line(exc)}",
            hint="a truncated or damaged copy? restore it from a backup",
        ) from None
    if not revision or revision[0] not in KNOWN_REVISIONS:
        found = revision[0] if revision else None
        raise StoreError(
            f"{path} is not a govcloud store this version knows (schema {found!r})",
            hint=f"this govcloud knows schemas {KNOWN_REVISIONS[0]}..{KNOWN_REVISIONS[-1]}",
        )
    return "store"


def _harden_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so writers can ask for IMMEDIATE.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if mode == 'IMMEDIATE' else 'DEFERRED'}")


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def upgrade(store: Store) -> None:
    from alembic import command

    try:
        with store.write() as conn:
            command.upgrade(_alembic_config(conn), "head")
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate store {describe(store.url)}: {exc}") from None


def current_revision(store: Store) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with store.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def _require_current(store: Store) -> None:
    with store.read() as conn:
        has_tables = inspect(conn).has_table("alembic_version")
    if not has_tables:
        raise StoreError(
            f"store {describe(store.url)} is not initialised",
            hint="run `govcloud init` (or `govcloud inventory load DIR`)",
        )
    # The newest revision is a constant (a test pins it to Alembic's head), so read-only
    # commands never pay for importing Alembic and scanning its scripts.
    with store.read() as conn:
        current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    head = SCHEMA_HEAD
    if current != head:
        raise StoreError(
            f"store {describe(store.url)} is at schema {current}, this govcloud needs {head}",
            hint="run `govcloud init` to upgrade it",
        )
