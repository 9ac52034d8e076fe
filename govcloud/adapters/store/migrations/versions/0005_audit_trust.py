"""audit trail trust: event, source host, tool version, intent reference and seal algorithm;
the database refuses UPDATE and DELETE on the trail (DELETE only below a recorded prune anchor)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs: recreating audit_log would rewrite the chain's rows.
    op.add_column("audit_log", sa.Column("event", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("source_host", sa.String(length=255), nullable=True))
    op.add_column("audit_log", sa.Column("tool_version", sa.String(length=32), nullable=True))
    op.add_column(
        "audit_log",
        sa.Column("ref", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    )
    op.add_column("audit_log", sa.Column("alg", sa.String(length=16), nullable=True))
    op.create_table(
        "audit_prune",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "through_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("hash", sa.String(length=128), nullable=False),
        sa.Column("hmac", sa.String(length=128), nullable=False),
        sa.Column("alg", sa.String(length=16), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_prune")),
    )
    statements = _POSTGRES if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        op.execute(statement)


# Append-only: the only DELETE allowed is of rows at or below the newest prune anchor (which
# `govcloud log prune` inserts, after recording the prune in the chain, in one transaction).
_PRUNED = "COALESCE((SELECT MAX(through_seq) FROM audit_prune), 0)"
_SQLITE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    f"WHEN OLD.seq > {_PRUNED} "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (prune with govcloud log prune)'); END",
    "CREATE TRIGGER audit_prune_no_update BEFORE UPDATE ON audit_prune "
    "BEGIN SELECT RAISE(ABORT, 'audit_prune is append-only'); END",
    "CREATE TRIGGER audit_prune_no_delete BEFORE DELETE ON audit_prune "
    "BEGIN SELECT RAISE(ABORT, 'audit_prune is append-only'); END",
)
_POSTGRES = (
    f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND OLD.seq <= {_PRUNED} THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE PROCEDURE audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE PROCEDURE audit_append_only()",
    "CREATE TRIGGER audit_prune_append_only BEFORE UPDATE OR DELETE ON audit_prune "
    "FOR EACH ROW EXECUTE PROCEDURE audit_append_only()",
    "CREATE TRIGGER audit_prune_no_truncate BEFORE TRUNCATE ON audit_prune "
    "FOR EACH STATEMENT EXECUTE PROCEDURE audit_append_only()",
)
_DROP_SQLITE = (
    "DROP TRIGGER IF EXISTS audit_log_no_update",
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
    "DROP TRIGGER IF EXISTS audit_prune_no_update",
    "DROP TRIGGER IF EXISTS audit_prune_no_delete",
)
_DROP_POSTGRES = (
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_append_only()",
)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _DROP_POSTGRES if postgres else _DROP_SQLITE:
        op.execute(statement)
    op.drop_table("audit_prune")  # its own triggers go with it
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
    for column in ("alg", "ref", "tool_version", "source_host", "event"):
        with op.batch_alter_table("audit_log", schema=None) as batch_op:
            batch_op.drop_column(column)
