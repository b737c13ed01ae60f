"""annotations: a (dataset, status, entry_key) index, so that finding the stale entries of a
dataset reads the index, not every row's overflow pages (entry_key is stored after the large
result columns): 0.4 s → 0.02 s at 10^5 segments × 3 when none is stale
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"


def upgrade() -> None:
    op.create_index("ix_annotations_entry", "annotations", ["dataset", "status", "entry_key"])


def downgrade() -> None:
    op.drop_index("ix_annotations_entry", table_name="annotations")
