"""releases and persisted splits (export)"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(64), sa.ForeignKey("datasets.name"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("parent_version", sa.Integer, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("data_sha256", sa.String(64), nullable=False),
        sa.Column("manifest", sa.JSON, nullable=False),
    )
    op.create_index("ix_releases_dataset_version", "releases", ["dataset", "version"], unique=True)
    op.create_table(
        "splits",
        sa.Column("dataset", sa.String(64), sa.ForeignKey("datasets.name"), primary_key=True),
        sa.Column("article_id", sa.String(32), primary_key=True),
        sa.Column("split", sa.String(8), nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("splits")
    op.drop_index("ix_releases_dataset_version", table_name="releases")
    op.drop_table("releases")
