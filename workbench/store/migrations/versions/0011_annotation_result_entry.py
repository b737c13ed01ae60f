"""annotations.result_entry, entry_key: each annotation's entry of a release's nested records

No backfill here (the entries depend on each dataset's schema): the next pull of a dataset
fills them in (`workbench.pull`), and until then an export parses those results itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.add_column(sa.Column("result_entry", sa.Text(), nullable=True))
        batch.add_column(sa.Column("entry_key", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.drop_column("entry_key")
        batch.drop_column("result_entry")
