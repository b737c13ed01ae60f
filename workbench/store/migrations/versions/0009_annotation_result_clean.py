"""annotations.result_clean: each result cleaned, as canonical JSON (what a release holds)"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.annotation.clean import canonical_result

revision = "0009"
down_revision = "0008"

_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.add_column(sa.Column("result_clean", sa.Text(), nullable=True))
    # Backfill the rows already there, a batch at a time (by id, so memory stays flat).
    bind = op.get_bind()
    table = sa.table(
        "annotations",
        sa.column("id", sa.Integer),
        sa.column("result", sa.Text),
        sa.column("result_clean", sa.Text),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, sa.cast(table.c.result, sa.Text))
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(result_clean=sa.bindparam("clean")),
            [{"row_id": i, "clean": canonical_result(text)} for i, text in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.drop_column("result_clean")
