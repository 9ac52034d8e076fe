"""The inventory store: SQLAlchemy 2 tables, Alembic migrations, SQLite or PostgreSQL."""
