"""articles and segments"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("source_path", sa.String(1024), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("previous_id", sa.String(32), sa.ForeignKey("articles.id"), nullable=True),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("subtitle", sa.Text, nullable=True),
        sa.Column("author", sa.Text, nullable=True),
        sa.Column("outlet", sa.Text, nullable=True),
        sa.Column("published", sa.String(32), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_articles_source_path", "articles", ["source_path"])
    op.create_index(
        "ix_articles_source_revision", "articles", ["source_path", "revision"], unique=True
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sentences", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_segments_article_id", "segments", ["article_id"])
    op.create_index("ix_segments_article_unit", "segments", ["article_id", "unit", "position"])


def downgrade() -> None:
    op.drop_table("segments")
    op.drop_table("articles")
