"""ix_annotations_release: a partial index of the annotations a release reads"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"

_annotations = sa.table(
    "annotations",
    sa.column("is_current", sa.Boolean),
    sa.column("deleted_at", sa.DateTime),
    sa.column("status", sa.String),
    sa.column("was_cancelled", sa.Boolean),
)


def upgrade() -> None:
    # as `workbench.store.models.released` had it when this revision was written
    c = _annotations.c
    where = sa.and_(
        c.is_current.is_(True),
        c.deleted_at.is_(None),
        c.status == sa.literal_column("'valid'"),
        c.was_cancelled.is_(False),
    )
    op.create_index(
        "ix_annotations_release",
        "annotations",
        ["dataset", "is_current", "task_id"],
        sqlite_where=where,
        postgresql_where=where,
    )


def downgrade() -> None:
    op.drop_index("ix_annotations_release", table_name="annotations")
