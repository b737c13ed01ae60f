"""Reconcile against the store: annotations in, consensus rows out (the I/O around the core).

Input: the dataset's current, valid, non-deleted, non-cancelled annotations (the newest one per
segment and annotator), and the adjudicators' decisions.

Incremental and deterministic
-----------------------------
Each segment's *input hash* covers its annotation revisions (annotator, Label Studio id,
revision, content), its adjudication and the method parameters. `reconcile` recomputes the
segments whose hash changed and leaves the others alone. Everything is sorted canonically
before computing, so the rows depend on the annotations only, never on their order.

Dawid–Skene is global: an annotator's confusion matrix is learnt from every item, so a change
in one segment can move the posterior of another. With ``dawid-skene`` the model is therefore
refitted on the whole dataset at every run (it is vectorised: cheap), but rows are *rewritten*
only for segments whose inputs changed or whose result moved (compared by an output hash of the
rounded rows). Either way the store ends up exactly as a full recompute would leave it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workbench.annotation import parser_key
from workbench.entries import refresh as refresh_entries
from workbench.errors import ConfigError, InputError
from workbench.schema import Schema
from workbench.store import Store
from workbench.store import models as m

from . import figures
from .engine import (
    METHOD_NAMES,
    LabelRow,
    Method,
    RelationRow,
    SegmentConsensus,
    SpanRow,
    reconcile_records,
)
from .extract import AnnotationInput, Records, extract, extract_all
from .spans import DEFAULT_THRESHOLD

UNKNOWN = "unknown"  # the export's name of an annotator the store lacks (`export.collect`)


def parse_min_support(text: str) -> int | float:
    """``2`` → a count of annotators; ``0.5`` / ``2/3`` → a share of the item's annotators."""
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            value: int | float = int(num) / int(den)
        elif "." in text:
            value = float(text)
        else:
            value = int(text)
    except (ValueError, ZeroDivisionError):
        raise ConfigError(
            f"--min-support {text!r}: give a count (2) or a share (0.5, 2/3)"
        ) from None
    if (isinstance(value, int) and value < 1) or (isinstance(value, float) and not 0 < value <= 1):
        raise ConfigError(f"--min-support {text!r}: a count ≥ 1 or a share in (0, 1]")
    return value


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class StoredAnnotation:
    segment_id: str
    annotator: str
    ls_annotation_id: int
    revision: int
    entry: Mapping[str, Any]  # as pull parsed it (`workbench.annotation.Parsed.entry`)
    entry_sha: str = ""  # sha256 of the entry as stored (the input hash uses it)
    ground_truth: bool = False  # Label Studio's ground-truth flag: the gold set


def _hash(value: Any) -> str:
    """sha256 of `value` as compact JSON, keys sorted (orjson: `json.dumps` with
    `sort_keys` and `separators=(",", ":")` was seconds at 10^5 segments)."""
    data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=dict)
    return hashlib.sha256(data).hexdigest()


def ensure_dataset(session: Session, dataset: str) -> m.Dataset:
    row = session.get(m.Dataset, dataset)
    if row is None:
        known = session.scalars(select(m.Dataset.name).order_by(m.Dataset.name)).all()
        hint = f" (known: {', '.join(known)})" if known else " (push one first)"
        raise InputError(f"no dataset {dataset!r} in the store{hint}")
    return row


def load_annotations(session: Session, dataset: str, schema: Schema) -> list[StoredAnnotation]:
    """The released annotations (current, valid, live, not cancelled, the latest of each
    annotator on a task: `models.released`), as pull parsed them. Entries made under another
    parser key are made again first (`workbench.entries.refresh`)."""
    refresh_entries(session, dataset, schema)
    rows = session.execute(released_query(dataset, schema)).all()
    out: list[StoredAnnotation] = []
    for _, segment_id, pseudonym, ls_id, revision, text, _, gold in rows:
        text = text or "{}"
        out.append(
            StoredAnnotation(
                segment_id,
                pseudonym or f"unknown-{ls_id}",
                ls_id,
                revision,
                orjson.loads(text),
                hashlib.sha256(text.encode("utf-8")).hexdigest(),
                bool(gold),
            )
        )
    out.sort(key=lambda a: (a.segment_id, a.annotator, a.ls_annotation_id))
    return out


def load_decisions(session: Session, dataset: str) -> dict[str, m.Adjudication]:
    """The newest adjudication of each segment."""
    rows = session.scalars(
        select(m.Adjudication)
        .where(m.Adjudication.dataset == dataset)
        .order_by(m.Adjudication.decided_at, m.Adjudication.ls_annotation_id)
    ).all()
    return {row.segment_id: row for row in rows}


def load_texts(session: Session, segment_ids: Iterable[str]) -> dict[str, str]:
    ids = sorted(set(segment_ids))
    out: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        query = select(m.Segment.id, m.Segment.text).where(m.Segment.id.in_(chunk))
        out.update((sid, text) for sid, text in session.execute(query))
    return out


def records_of(schema: Schema, annotations: Iterable[StoredAnnotation]) -> Records:
    return extract_all(
        schema, (AnnotationInput(a.segment_id, a.annotator, a.entry) for a in annotations)
    )


# --------------------------------------------------------------------------- reconcile


@dataclass
class ReconcileReport:
    dataset: str
    method: str
    min_support: str
    segments: int = 0
    recomputed: int = 0
    unchanged: int = 0
    refit_changed: int = 0  # unchanged inputs whose Dawid–Skene result moved
    removed: int = 0
    labels_decided: int = 0
    labels_undecided: int = 0
    labels_adjudicated: int = 0
    spans_decided: int = 0
    spans_undecided: int = 0
    relations_decided: int = 0
    changed_segments: list[str] = field(default_factory=list)
    # the release's agreement figures (`workbench.reconcile.figures`), stored for the export
    agreement: dict[str, Any] = field(default_factory=dict)


def output_hash(seg: SegmentConsensus) -> str:
    """What a segment's consensus rows hold, hashed (orjson encodes the row dataclasses)."""
    return _hash(seg)


@dataclass
class Released:
    """The released annotations of a dataset as columns, in the export's table order
    (segment, annotator, Label Studio id): what reconcile computes from, read once."""

    row_id: list[int] = field(default_factory=list)
    segment_id: list[str] = field(default_factory=list)
    annotator: list[str] = field(default_factory=list)  # reconcile's name (`unknown-<id>`)
    name: list[str] = field(default_factory=list)  # the export's (`UNKNOWN`)
    ls_annotation_id: list[int] = field(default_factory=list)
    revision: list[int] = field(default_factory=list)
    entry: list[str] = field(default_factory=list)  # the stored entry (JSON text)
    live: list[bool] = field(default_factory=list)  # its segment is not retired: released


def released_query(dataset: str, schema: Schema) -> Any:
    """The SELECT of the dataset's released annotations (`models.released`) with their entry
    under this schema's parser key: (store row id, segment id, pseudonym, Label Studio id,
    revision, entry text, segment live, ground truth). Every reader of them uses it."""
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


def load_released(session: Session, dataset: str, schema: Schema) -> Released:
    """The dataset's released annotations (`load_annotations`' rows, plus the store row id
    and whether the segment is live), their entries left as text."""
    rows = list(session.connection().execute(released_query(dataset, schema)).all())
    # the export's order (`export.collect.annotation_chunks`), so its agreement figures come
    # out of the same columns in the same order
    rows.sort(key=lambda r: (r[1], r[2] or UNKNOWN, r[3] or 0))  # the export's names
    out = Released()
    for row_id, sid, pseudonym, ls_id, revision, entry, live, _ in rows:
        out.row_id.append(row_id)
        out.segment_id.append(sid)
        out.annotator.append(pseudonym or f"unknown-{ls_id}")
        out.name.append(pseudonym or UNKNOWN)
        out.ls_annotation_id.append(ls_id)
        out.revision.append(revision)
        out.entry.append(entry or "{}")
        out.live.append(bool(live))
    return out


def load_segment_texts(session: Session, dataset: str) -> dict[str, str]:
    """The text of every segment the dataset has a task of."""
    query = select(m.Segment.id, m.Segment.text).join(m.Task, m.Task.segment_id == m.Segment.id)
    rows = session.connection().execute(query.where(m.Task.dataset == dataset))
    return {sid: text for sid, text in rows}


def _parse(
    schema: Schema, rel: Released, segments: Container[str]
) -> tuple[Records, figures.ParsedAnnotations]:
    """The entries of `rel` parsed once: the records of those of `segments` (consensus), and
    the agreement columns of the live ones (the release's figures)."""
    records = Records()
    columns = figures.ParsedAnnotations(figures.segment_fields(schema))
    loads = orjson.loads
    for i, text in enumerate(rel.entry):
        entry = loads(text)
        sid, who = rel.segment_id[i], rel.annotator[i]
        if sid in segments:
            records.extend(extract(schema, sid, who, entry))
        if rel.live[i]:
            columns.add(sid, rel.name[i], entry)
    return records, columns


def input_hashes(
    rel: Released, decisions: Mapping[str, m.Adjudication], params: Mapping[str, Any]
) -> dict[str, str]:
    """`input_hash` of every segment of `rel` (the same digests, from the entry texts)."""
    members: dict[str, list[list[Any]]] = defaultdict(list)
    for sid, who, ls_id, revision, text in zip(
        rel.segment_id, rel.annotator, rel.ls_annotation_id, rel.revision, rel.entry, strict=True
    ):
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        members[sid].append([who, ls_id, revision, sha])
    out = {}
    for sid, anns in members.items():
        decision = decisions.get(sid)
        basis = {
            "params": params,
            "annotations": sorted(anns),
            "decision": None
            if decision is None
            else [decision.ls_annotation_id, _hash(decision.decision)],
        }
        out[sid] = _hash(basis)
    return out


def reconcile(
    store: Store,
    schema: Schema,
    dataset: str,
    *,
    method: Method = "vote",
    min_support: int | float = 0.5,
    threshold: float = DEFAULT_THRESHOLD,
) -> ReconcileReport:
    """Bring the dataset's consensus tables up to date with its annotations (incremental),
    and its release's agreement figures (`workbench.reconcile.figures`, stored for the export).
    The annotations are read and parsed once; consensus and figures are written in one
    transaction."""
    params = {
        "method": method,
        "min_support": min_support,
        "threshold": threshold,
        "schema": schema.version,
    }
    report = ReconcileReport(dataset, METHOD_NAMES[method], str(min_support))
    with store.session() as session:  # a cache: entries stale under this schema made again
        ensure_dataset(session, dataset)
        refresh_entries(session, dataset, schema)
    with store.session() as session:  # consensus and figures: one transaction
        rel = load_released(session, dataset, schema)
        decisions = load_decisions(session, dataset)
        hashes = input_hashes(rel, decisions, params)
        state = {
            sid: (in_hash, out_hash)
            for sid, in_hash, out_hash in session.connection().execute(
                select(
                    m.ReconcileState.segment_id,
                    m.ReconcileState.input_hash,
                    m.ReconcileState.output_hash,
                ).where(m.ReconcileState.dataset == dataset)
            )
        }
        changed = sorted(s for s, h in hashes.items() if s not in state or state[s][0] != h)
        gone = sorted(set(state) - set(hashes))
        # Majority vote is per item: only changed segments need computing. Dawid–Skene is
        # fitted over every item, so it always sees the whole dataset.
        scope = sorted(hashes) if method == "dawid-skene" else changed
        texts = load_segment_texts(session, dataset) if scope else {}
        records, columns = _parse(schema, rel, set(scope))
        # Agreement is dataset-wide (bootstrap intervals over every item): recomputed only
        # when the release's annotations changed since the stored figures.
        live = [i for i, x in enumerate(rel.live) if x]
        fingerprint = figures.fingerprint([rel.row_id[i] for i in live], columns.annotator, schema)
        stored = session.get(m.AgreementFigures, dataset)
        if stored is not None and stored.fingerprint == fingerprint:
            report.agreement = dict(stored.figures)
        else:
            report.agreement = figures.parsed_agreement(columns, schema)
        del columns
        computed = reconcile_records(
            schema,
            records,
            texts,
            method=method,
            min_support=min_support,
            threshold=threshold,
            decisions={s: decisions[s].decision for s in scope if s in decisions},
        )
        del records
        to_write: dict[str, tuple[SegmentConsensus, str]] = {}
        changed_set = set(changed)
        for seg in scope:
            cons = computed.get(seg, SegmentConsensus())
            out_hash = output_hash(cons)
            if seg in changed_set:
                to_write[seg] = (cons, out_hash)
            elif state[seg][1] != out_hash:
                to_write[seg] = (cons, out_hash)
                report.refit_changed += 1
        everything = len(to_write) + len(gone) >= len(state)
        _delete_rows(session, dataset, [*to_write, *gone], everything)
        when = _when(session, m.utcnow())
        _insert_rows(session, dataset, [to_write[seg][0] for seg in sorted(to_write)], when)
        states = [
            (dataset, seg, hashes[seg], out_hash, METHOD_NAMES[method], str(min_support), when)
            for seg, (_, out_hash) in sorted(to_write.items())
        ]
        _bulk_insert(session, m.ReconcileState, _STATE_COLUMNS, states)
        report.segments = len(hashes)
        report.recomputed = len(changed)
        report.unchanged = len(hashes) - len(changed)
        report.removed = len(gone)
        report.changed_segments = sorted(to_write)
        _count(session, dataset, report)
        figures.save(session, dataset, fingerprint, report.agreement)
    return report


_CONSENSUS = (m.ConsensusLabel, m.ConsensusSpan, m.ConsensusRelation, m.ReconcileState)


def _delete_rows(session: Session, dataset: str, segments: Sequence[str], everything: bool) -> None:
    """The consensus rows and states of `segments` (`everything`: all of the dataset's)."""
    for model in _CONSENSUS:
        table: Any = model.__table__
        if everything:
            session.execute(delete(table).where(table.c.dataset == dataset))
            continue
        for i in range(0, len(segments), 500):
            chunk = list(segments[i : i + 500])
            session.execute(
                delete(table).where(table.c.dataset == dataset, table.c.segment_id.in_(chunk))
            )


def _bulk_insert(
    session: Session, model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """The driver's executemany of plain tuples, through the session's connection (in its
    transaction). SQLAlchemy's per-row parameter processing (a JSON encoder call per JSON
    value, a dict per row) was most of the write at 10^6 rows: JSON columns come encoded
    (`_json`), dates in the driver's form (`_when`)."""
    if not rows:
        return
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(model.__tablename__)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    for i in range(0, len(rows), 50_000):
        conn.exec_driver_sql(sql, rows[i : i + 50_000])


def _json(value: Any) -> str:
    return orjson.dumps(value, default=dict).decode()


def _when(session: Session, when: datetime) -> Any:
    """`when` as the store's DateTime columns send it to the driver (a string on SQLite)."""
    dialect = session.connection().dialect
    process = m.ReconcileState.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
    return process(when) if process is not None else when


_LABEL_COLUMNS = [
    "dataset",
    "segment_id",
    "field",
    "span_key",
    "method",
    "label",
    "votes",
    "support",
    "n_annotators",
    "confidence",
    "status",
    "updated_at",
]
_SPAN_COLUMNS = [
    "dataset",
    "segment_id",
    "span_key",
    "label",
    "start",
    "end",
    "text",
    "attrs",
    "support",
    "n_annotators",
    "confidence",
    "exact",
    "status",
    "regions",
    "updated_at",
]
_RELATION_COLUMNS = [
    "dataset",
    "segment_id",
    "kind",
    "from_key",
    "to_key",
    "support",
    "n_annotators",
    "confidence",
    "status",
    "updated_at",
]
_STATE_COLUMNS = [
    "dataset",
    "segment_id",
    "input_hash",
    "output_hash",
    "method",
    "min_support",
    "updated_at",
]


def _insert_rows(
    session: Session, dataset: str, conses: Sequence[SegmentConsensus], when: Any
) -> None:
    labels = [
        (
            dataset,
            lab.segment_id,
            lab.field,
            lab.span_key,
            lab.method,
            lab.label,
            _json(lab.votes),
            _json(lab.support),
            lab.n_annotators,
            lab.confidence,
            lab.status,
            when,
        )
        for cons in conses
        for lab in cons.labels
    ]
    _bulk_insert(session, m.ConsensusLabel, _LABEL_COLUMNS, labels)
    del labels
    spans = [
        (
            dataset,
            sp.segment_id,
            sp.span_key,
            sp.label,
            sp.start,
            sp.end,
            sp.text,
            _json(sp.attrs),
            _json(sp.support),
            sp.n_annotators,
            sp.confidence,
            sp.exact,
            sp.status,
            _json(sp.regions),
            when,
        )
        for cons in conses
        for sp in cons.spans
    ]
    _bulk_insert(session, m.ConsensusSpan, _SPAN_COLUMNS, spans)
    del spans
    relations = [
        (
            dataset,
            rel.segment_id,
            rel.kind,
            rel.from_key,
            rel.to_key,
            _json(rel.support),
            rel.n_annotators,
            rel.confidence,
            rel.status,
            when,
        )
        for cons in conses
        for rel in cons.relations
    ]
    _bulk_insert(session, m.ConsensusRelation, _RELATION_COLUMNS, relations)


def _count(session: Session, dataset: str, report: ReconcileReport) -> None:
    def by_status(model: Any) -> dict[str, int]:
        query = (
            select(model.status, func.count())
            .where(model.dataset == dataset)
            .group_by(model.status)
        )
        return {status: int(n) for status, n in session.execute(query)}

    labels = by_status(m.ConsensusLabel)
    report.labels_decided = labels.get("decided", 0)
    report.labels_undecided = labels.get("undecided", 0)
    report.labels_adjudicated = (
        sum(labels.values()) - report.labels_decided - report.labels_undecided
    )
    spans = by_status(m.ConsensusSpan)
    report.spans_undecided = spans.get("undecided", 0)
    report.spans_decided = sum(spans.values()) - report.spans_undecided
    relations = by_status(m.ConsensusRelation)
    report.relations_decided = sum(relations.values()) - relations.get("undecided", 0)


# --------------------------------------------------------------------------- reading back


def load_consensus(session: Session, dataset: str) -> dict[str, SegmentConsensus]:
    """The stored consensus rows, as the engine's records, per segment (sorted)."""
    out: dict[str, SegmentConsensus] = defaultdict(SegmentConsensus)
    for lab in session.scalars(select(m.ConsensusLabel).where(m.ConsensusLabel.dataset == dataset)):
        out[lab.segment_id].labels.append(
            LabelRow(
                lab.segment_id,
                lab.field,
                lab.span_key,
                lab.method,
                lab.label,
                {k: tuple(v) for k, v in lab.votes.items()},
                tuple(lab.support),
                lab.n_annotators,
                lab.confidence,
                lab.status,
            )
        )
    for sp in session.scalars(select(m.ConsensusSpan).where(m.ConsensusSpan.dataset == dataset)):
        out[sp.segment_id].spans.append(
            SpanRow(
                sp.segment_id,
                sp.span_key,
                sp.label,
                sp.start,
                sp.end,
                sp.text,
                dict(sp.attrs),
                tuple(sp.support),
                sp.n_annotators,
                sp.confidence,
                sp.exact,
                sp.status,
                tuple((str(a), str(r)) for a, r in sp.regions),
            )
        )
    for rel in session.scalars(
        select(m.ConsensusRelation).where(m.ConsensusRelation.dataset == dataset)
    ):
        out[rel.segment_id].relations.append(
            RelationRow(
                rel.segment_id,
                rel.kind,
                rel.from_key,
                rel.to_key,
                tuple(rel.support),
                rel.n_annotators,
                rel.confidence,
                rel.status,
            )
        )
    for cons in out.values():
        cons.sort()
    return dict(sorted(out.items()))
