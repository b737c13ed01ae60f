"""annotators, annotations, predictions, pull state (pull)"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "annotators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("label_studio_url", sa.String(512), nullable=False),
        sa.Column("ls_user_id", sa.Integer, nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("pseudonym", sa.String(32), nullable=False, unique=True),
    )
    op.create_index(
        "ix_annotators_url_user", "annotators", ["label_studio_url", "ls_user_id"], unique=True
    )
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(64), sa.ForeignKey("datasets.name"), nullable=False),
        sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("ls_annotation_id", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("annotator_id", sa.Integer, sa.ForeignKey("annotators.id"), nullable=True),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("lead_time", sa.Float, nullable=True),
        sa.Column("was_cancelled", sa.Boolean, nullable=False),
        sa.Column("ground_truth", sa.Boolean, nullable=False),
        sa.Column("ls_created_at", TS, nullable=True),
        sa.Column("ls_updated_at", TS, nullable=True),
        sa.Column("schema_version", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problems", sa.JSON, nullable=True),
        sa.Column("deleted_at", TS, nullable=True),
        sa.Column("pulled_at", TS, nullable=False),
    )
    op.create_index("ix_annotations_task_id", "annotations", ["task_id"])
    op.create_index(
        "ix_annotations_ls_revision",
        "annotations",
        ["dataset", "ls_annotation_id", "revision"],
        unique=True,
    )
    op.create_index("ix_annotations_dataset_current", "annotations", ["dataset", "is_current"])
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(64), sa.ForeignKey("datasets.name"), nullable=False),
        sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("ls_prediction_id", sa.Integer, nullable=False),
        sa.Column("model_version", sa.String(256), nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("ls_updated_at", TS, nullable=True),
        sa.Column("deleted_at", TS, nullable=True),
    )
    op.create_index("ix_predictions_task_id", "predictions", ["task_id"])
    op.create_index(
        "ix_predictions_dataset_ls", "predictions", ["dataset", "ls_prediction_id"], unique=True
    )
    op.create_table(
        "pull_state",
        sa.Column("dataset", sa.String(64), sa.ForeignKey("datasets.name"), primary_key=True),
        sa.Column("cursor", sa.String(64), nullable=True),
        sa.Column("last_pull_at", TS, nullable=True),
        sa.Column("last_full_pull_at", TS, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("pull_state")
    op.drop_table("predictions")
    op.drop_table("annotations")
    op.drop_table("annotators")
