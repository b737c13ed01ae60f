"""consensus_labels: the (dataset, status) index dropped: nothing reads by it often enough to pay
for it, and its upkeep was a fifth of reconcile's writing of the consensus labels
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"


def upgrade() -> None:
    op.drop_index("ix_consensus_labels_status", table_name="consensus_labels")


def downgrade() -> None:
    op.create_index("ix_consensus_labels_status", "consensus_labels", ["dataset", "status"])
