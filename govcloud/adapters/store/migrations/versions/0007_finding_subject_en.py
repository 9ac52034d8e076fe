"""finding subject in English: the subject built from declared names, for `--lang en`

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Findings stored before this revision keep NULL: their one name is shown in both languages.
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_name_en", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_column("subject_name_en")
