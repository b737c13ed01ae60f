"""articles.removed: the paragraphs ingest left out of the body, each with its reason

A JSON list of {"text", "reason"} in reading order; NULL for articles ingested before it was
recorded (`workbench articles --removed` says so). The raw text was always kept beside it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("removed", sa.JSON(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite ≥ 3.35): a batch copy of a parent table breaks the foreign
    # keys that point at it.
    op.drop_column("articles", "removed")
