"""datasets and tasks (push)"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("overlap", sa.Integer, nullable=False),
        sa.Column("label_studio_url", sa.String(512), nullable=True),
        sa.Column("project_id", sa.Integer, nullable=True),
        sa.Column("schema_id", sa.String(64), nullable=True),
        sa.Column("schema_version", sa.String(32), nullable=True),
        sa.Column("schema_json", sa.JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(64), sa.ForeignKey("datasets.name"), nullable=False),
        sa.Column("segment_id", sa.String(32), sa.ForeignKey("segments.id"), nullable=False),
        sa.Column("ls_task_id", sa.Integer, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("schema_version", sa.String(32), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_tasks_dataset_segment", "tasks", ["dataset", "segment_id"], unique=True)
    op.create_index("ix_tasks_dataset_ls_task", "tasks", ["dataset", "ls_task_id"], unique=True)
    op.create_index("ix_tasks_dataset_state", "tasks", ["dataset", "state"])


def downgrade() -> None:
    op.drop_table("tasks")
    op.drop_table("datasets")
