"""Stored entries: each annotation as the annotation model parsed it, beside its raw result
(`annotations.result_entry`; the parser's key in `entry_key`), with that parse's notes (its
`repairs` and `warnings`). Pull makes them; `refresh` makes those a reader lacks under its
schema (rows older than entries, a schema whose names, values or kinds changed, or a parser
that reads otherwise: `annotation.records.FORMAT`). Reconcile and export call it before
reading, so nothing downstream parses Label Studio JSON itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from workbench.annotation import Parsed, parse, parser_key
from workbench.schema import Schema
from workbench.store.models import Annotation, Segment, Task

_BATCH = 2000


def stored_columns(parsed: Parsed, key: str) -> dict[str, Any]:
    """What an annotation row keeps of a parse: its entry under the parser's `key` and the
    parse's notes, always together (a note of an older parse must not outlive its entry)."""
    return {
        "result_entry": parsed.entry_json(),
        "entry_key": key,
        "repairs": list(parsed.repairs) or None,
        "warnings": list(parsed.warnings) or None,
    }


def refresh(session: Session, dataset: str, schema: Schema) -> int:
    """Make the missing or stale entries of the dataset's valid annotations, and their notes
    with them (a note of the old parse must not outlive its entry); how many. The status
    stays (decided at pull, where the task's text in Label Studio is known too): an entry is
    made even where this schema's parse finds problems (its known layers)."""
    key = parser_key(schema)
    stale = (
        Annotation.dataset == dataset,
        Annotation.status.in_(("valid", "superseded")),
        or_(Annotation.entry_key.is_(None), Annotation.entry_key != key),
    )
    # Mostly none is stale: asked of the index ix_annotations_entry alone, that costs 0.02 s
    # at 10^5 segments × 3, where the query below reads every row (0.4 s).
    if session.scalar(select(Annotation.id).where(*stale).limit(1)) is None:
        return 0
    made = last = 0
    while True:
        rows = session.execute(
            select(Annotation.id, Annotation.result, Segment.text)
            .join(Task, Task.id == Annotation.task_id)
            .join(Segment, Segment.id == Task.segment_id)
            .where(*stale, Annotation.id > last)
            .order_by(Annotation.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return made
        session.execute(  # by primary key, in one executemany
            update(Annotation),
            [
                {"id": i, **stored_columns(parse(schema, text, result), key)}
                for i, result, text in rows
            ],
        )
        made += len(rows)
        last = rows[-1][0]
