"""annotations.repairs, warnings: what the annotation model repaired in a result (Label
Studio's quirks) and what it kept without using (unknown controls, relations that fit none)

Rows stored before stay NULL (nothing recorded). A new status value, 'superseded', marks an
annotator's earlier annotation of a task when they made a later one: only the latest counts.
Entries made under the old parser key are made again by the next reconcile or export.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.add_column(sa.Column("repairs", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("warnings", sa.JSON(), nullable=True))
    # The one rule for an annotator's several annotations of a task, applied to what is
    # stored: all but the latest (highest Label Studio id) are superseded.
    op.execute(
        """
        UPDATE annotations SET status = 'superseded'
        WHERE status = 'valid' AND is_current AND deleted_at IS NULL AND NOT was_cancelled
          AND annotator_id IS NOT NULL
          AND EXISTS (
            SELECT 1 FROM annotations AS later
            WHERE later.dataset = annotations.dataset
              AND later.task_id = annotations.task_id
              AND later.annotator_id = annotations.annotator_id
              AND later.is_current AND later.deleted_at IS NULL AND NOT later.was_cancelled
              AND later.status IN ('valid', 'superseded')
              AND later.ls_annotation_id > annotations.ls_annotation_id
          )
        """
    )


def downgrade() -> None:
    op.execute("UPDATE annotations SET status = 'valid' WHERE status = 'superseded'")
    with op.batch_alter_table("annotations") as batch:
        batch.drop_column("warnings")
        batch.drop_column("repairs")
