"""tasks.feedback: the message about annotators' problems last written into the task's data in
Label Studio (`workbench.feedback`), so that only changed messages are written again
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("feedback", sa.Text(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite ≥ 3.35): a batch copy of a parent table breaks the foreign
    # keys that point at it.
    op.drop_column("tasks", "feedback")
