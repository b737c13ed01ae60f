"""Stored entries: each annotation as the annotation model parsed it, beside its raw result
(`annotations.result_entry`; the parser's key in `entry_key`). Pull makes them; `refresh`
makes those a reader lacks under its schema (rows older than entries, or a schema whose
names, values or kinds changed). Reconcile and export call it before reading, so nothing
downstream parses Label Studio JSON itself.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from workbench.annotation import parse, parser_key
from workbench.schema import Schema
from workbench.store.models import Annotation, Segment, Task

_BATCH = 2000


def refresh(session: Session, dataset: str, schema: Schema) -> int:
    """Make the missing or stale entries of the dataset's valid annotations; how many. The
    status stays (decided at pull): an entry is made even where this schema's parse finds
    problems (its known layers)."""
    key = parser_key(schema)
    made = last = 0
    while True:
        rows = session.execute(
            select(Annotation.id, Annotation.result, Segment.text)
            .join(Task, Task.id == Annotation.task_id)
            .join(Segment, Segment.id == Task.segment_id)
            .where(
                Annotation.dataset == dataset,
                Annotation.id > last,
                Annotation.status.in_(("valid", "superseded")),
                or_(Annotation.entry_key.is_(None), Annotation.entry_key != key),
            )
            .order_by(Annotation.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return made
        session.execute(  # by primary key, in one executemany
            update(Annotation),
            [
                {
                    "id": i,
                    "result_entry": parse(schema, text, result).entry_json(),
                    "entry_key": key,
                }
                for i, result, text in rows
            ],
        )
        made += len(rows)
        last = rows[-1][0]
