"""consensus, adjudication and incremental reconcile state (reconcile)"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"

TS = sa.DateTime(timezone=True)


def _common() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(64), sa.ForeignKey("datasets.name"), nullable=False),
        sa.Column("segment_id", sa.String(32), sa.ForeignKey("segments.id"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "consensus_labels",
        *_common(),
        sa.Column("field", sa.String(128), nullable=False),
        sa.Column("span_key", sa.String(128), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("label", sa.String(128), nullable=True),
        sa.Column("votes", sa.JSON, nullable=False),
        sa.Column("support", sa.JSON, nullable=False),
        sa.Column("n_annotators", sa.Integer, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(
        "ix_consensus_labels_key",
        "consensus_labels",
        ["dataset", "segment_id", "field", "span_key"],
        unique=True,
    )
    op.create_index("ix_consensus_labels_status", "consensus_labels", ["dataset", "status"])
    op.create_table(
        "consensus_spans",
        *_common(),
        sa.Column("span_key", sa.String(128), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("attrs", sa.JSON, nullable=False),
        sa.Column("support", sa.JSON, nullable=False),
        sa.Column("n_annotators", sa.Integer, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("exact", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("regions", sa.JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(
        "ix_consensus_spans_key",
        "consensus_spans",
        ["dataset", "segment_id", "span_key"],
        unique=True,
    )
    op.create_table(
        "consensus_relations",
        *_common(),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("from_key", sa.String(128), nullable=False),
        sa.Column("to_key", sa.String(128), nullable=False),
        sa.Column("support", sa.JSON, nullable=False),
        sa.Column("n_annotators", sa.Integer, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(
        "ix_consensus_relations_key",
        "consensus_relations",
        ["dataset", "segment_id", "kind", "from_key", "to_key"],
        unique=True,
    )
    op.create_table(
        "reconcile_state",
        sa.Column("dataset", sa.String(64), sa.ForeignKey("datasets.name"), primary_key=True),
        sa.Column("segment_id", sa.String(32), sa.ForeignKey("segments.id"), primary_key=True),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("output_hash", sa.String(64), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("min_support", sa.String(16), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "adjudication_projects",
        sa.Column("dataset", sa.String(64), sa.ForeignKey("datasets.name"), primary_key=True),
        sa.Column("label_studio_url", sa.String(512), nullable=False),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "adjudication_tasks",
        *_common(),
        sa.Column("ls_project_id", sa.Integer, nullable=False),
        sa.Column("ls_task_id", sa.Integer, nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("pushed_at", TS, nullable=False),
    )
    op.create_index(
        "ix_adjudication_tasks_key",
        "adjudication_tasks",
        ["dataset", "segment_id", "ls_project_id"],
        unique=True,
    )
    op.create_table(
        "adjudications",
        *_common(),
        sa.Column("field", sa.String(128), nullable=False),
        sa.Column("decision", sa.JSON, nullable=False),
        sa.Column("adjudicator_email", sa.String(320), nullable=True),
        sa.Column("adjudicator_ls_user_id", sa.Integer, nullable=True),
        sa.Column("decided_at", TS, nullable=False),
        sa.Column("ls_project_id", sa.Integer, nullable=False),
        sa.Column("ls_task_id", sa.Integer, nullable=False),
        sa.Column("ls_annotation_id", sa.Integer, nullable=False),
        sa.Column("pulled_at", TS, nullable=False),
    )
    op.create_index(
        "ix_adjudications_ls",
        "adjudications",
        ["dataset", "ls_project_id", "ls_annotation_id"],
        unique=True,
    )
    op.create_index("ix_adjudications_segment", "adjudications", ["dataset", "segment_id"])


def downgrade() -> None:
    for table in (
        "adjudications",
        "adjudication_tasks",
        "adjudication_projects",
        "reconcile_state",
        "consensus_relations",
        "consensus_spans",
        "consensus_labels",
    ):
        op.drop_table(table)
