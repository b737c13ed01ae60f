"""annotations.repairs, warnings: what the annotation model repaired in a result (Label
Studio's quirks) and what it kept without using (unknown controls, relations that fit none)

Revision ID: 0013
Revises: 0012

Rows stored before stay NULL (nothing recorded). A new status value, 'superseded', marks an
annotator's earlier annotation of a task when they made a later one: only the latest counts.
Entries made under the old parser key are made again by the next reconcile or export.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.add_column(sa.Column("repairs", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("warnings", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.drop_column("warnings")
        batch.drop_column("repairs")
