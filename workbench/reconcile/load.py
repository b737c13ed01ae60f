"""Read what reconcile works on from the store: the released annotations (current, valid,
live, not cancelled, the latest of each annotator on a task: `models.released`), the
adjudicators' decisions, segment texts, and the consensus rows reconcile stored."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.annotation import parser_key
from workbench.entries import refresh as refresh_entries
from workbench.schema import Schema
from workbench.store import models as m

from .engine import LabelRow, RelationRow, SegmentConsensus, SpanRow
from .extract import ParsedAnnotations, parse_entries

UNKNOWN = "unknown"  # the export's name of an annotator the store lacks (`export.collect`)


def released_query(dataset: str, schema: Schema) -> Any:
    """The SELECT of the dataset's released annotations with their entry under this schema's
    parser key: (store row id, segment id, pseudonym, Label Studio id, revision, entry text,
    segment live, ground truth). Every reader of them uses it."""
    return (
        select(
            m.Annotation.id,
            m.Task.segment_id,
            m.Annotator.pseudonym,
            m.Annotation.ls_annotation_id,
            m.Annotation.revision,
            m.Annotation.result_entry,
            m.Segment.retired_at.is_(None),
            m.Annotation.ground_truth,
        )
        .join(m.Task, m.Task.id == m.Annotation.task_id)
        .join(m.Segment, m.Segment.id == m.Task.segment_id)
        .outerjoin(m.Annotator, m.Annotator.id == m.Annotation.annotator_id)
        .where(
            m.Annotation.dataset == dataset,
            m.Annotation.entry_key == parser_key(schema),
            *m.released(),
        )
    )


def load_decisions(session: Session, dataset: str) -> dict[str, m.Adjudication]:
    """The newest adjudication of each segment."""
    rows = session.scalars(
        select(m.Adjudication)
        .where(m.Adjudication.dataset == dataset)
        .order_by(m.Adjudication.decided_at, m.Adjudication.ls_annotation_id)
    ).all()
    return {row.segment_id: row for row in rows}


def driver_rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """The rows of `query` as the driver's plain tuples, for the reads of a row per
    annotation or segment: a SQLAlchemy `Row` each was most of such a read. No type's result
    processing: for text and numbers (SQLite gives booleans as 0 and 1, JSON as text)."""
    result = session.connection().execute(query)
    rows = list(result.cursor.fetchall())
    result.close()
    return rows


def load_texts(session: Session, dataset: str) -> dict[str, str]:
    """The text of every segment the dataset has a task of (one scan: chunked IN queries of
    10^5 ids took seconds)."""
    query = select(m.Segment.id, m.Segment.text).join(m.Task, m.Task.segment_id == m.Segment.id)
    return dict(driver_rows(session, query.where(m.Task.dataset == dataset)))


@dataclass
class Released:
    """The released annotations of a dataset as columns, in the export's order (segment,
    annotator, Label Studio id), their entries left as JSON text (as pull stored them:
    `workbench.annotation.Parsed.entry`). Entries made under another parser key are not
    there: `workbench.entries.refresh` makes them again first."""

    row_id: list[int] = field(default_factory=list)
    segment_id: list[str] = field(default_factory=list)
    annotator: list[str] = field(default_factory=list)  # reconcile's name (`unknown-<id>`)
    name: list[str] = field(default_factory=list)  # the export's (`UNKNOWN`)
    ls_annotation_id: list[int] = field(default_factory=list)
    revision: list[int] = field(default_factory=list)
    entry: list[str] = field(default_factory=list)
    live: list[bool] = field(default_factory=list)  # its segment is not retired: released
    ground_truth: list[bool] = field(default_factory=list)  # Label Studio's flag: the gold set


def load_released(
    session: Session, dataset: str, schema: Schema, *, refresh: bool = True
) -> Released:
    """The dataset's released annotations, their entries made under `schema` first (entries
    of another parser key are not read: `refresh=False` for a caller that just made them)."""
    if refresh:
        refresh_entries(session, dataset, schema)
    rows = driver_rows(session, released_query(dataset, schema))
    if not rows:
        return Released()
    # the export's order (`export.collect.annotation_chunks`), so its agreement figures come
    # out of the same columns in the same order
    rows.sort(key=lambda r: (r[1], r[2] or UNKNOWN, r[3] or 0))
    row_id, sid, pseudonym, ls_id, revision, entry, live, gold = map(list, zip(*rows, strict=True))
    return Released(
        row_id,
        sid,
        [who or f"unknown-{i}" for who, i in zip(pseudonym, ls_id, strict=True)],
        [who or UNKNOWN for who in pseudonym],
        ls_id,
        revision,
        [text or "{}" for text in entry],
        list(map(bool, live)),
        list(map(bool, gold)),
    )


def parse_released(
    schema: Schema, rel: Released, rows: Iterable[int], names: Sequence[str] | None = None
) -> ParsedAnnotations:
    """The entries of `rel`'s `rows` as columns, annotators as `names` gives them (default:
    reconcile's names)."""
    rows = list(rows)
    who = rel.annotator if names is None else names
    return parse_entries(
        schema,
        (rel.segment_id[i] for i in rows),
        (who[i] for i in rows),
        (rel.entry[i] for i in rows),
    )


# each consensus table's `ConsensusRows` attribute and row type
TABLES: dict[Any, tuple[str, Any]] = {
    m.ConsensusLabel: ("labels", LabelRow),
    m.ConsensusSpan: ("spans", SpanRow),
    m.ConsensusRelation: ("relations", RelationRow),
}

# a row record's values from the store's JSON columns (lists where the records hold tuples)
_DECODE: dict[str, Callable[[Any], Any]] = {
    "votes": lambda votes: {value: tuple(who) for value, who in votes.items()},
    "support": tuple,
    "attrs": dict,
    "regions": lambda regions: tuple((str(a), str(r)) for a, r in regions),
}


def load_consensus(session: Session, dataset: str) -> dict[str, SegmentConsensus]:
    """The stored consensus rows, as the engine's records, per segment (sorted)."""
    out: dict[str, SegmentConsensus] = defaultdict(SegmentConsensus)
    for model, (attr, kind) in TABLES.items():
        decode = [(f.name, _DECODE.get(f.name)) for f in fields(kind)]
        for row in session.scalars(select(model).where(model.dataset == dataset)):
            values = [getattr(row, n) if d is None else d(getattr(row, n)) for n, d in decode]
            getattr(out[row.segment_id], attr).append(kind(*values))
    for cons in out.values():
        cons.sort()
    return dict(sorted(out.items()))
