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
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import orjson
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from workbench.annotation import parser_key
from workbench.entries import refresh as refresh_entries
from workbench.errors import ConfigError, InputError
from workbench.gcpause import paused_gc
from workbench.schema import Schema
from workbench.store import Store
from workbench.store import models as m

from .engine import (
    METHOD_NAMES,
    LabelRow,
    Method,
    RelationRow,
    SegmentConsensus,
    SpanRow,
    reconcile_records,
)
from .extract import AnnotationInput, Records, extract_all
from .spans import DEFAULT_THRESHOLD


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


def _sha(value: Any) -> str:
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


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
    key = parser_key(schema)
    refresh_entries(session, dataset, schema)
    rows = session.execute(
        select(
            m.Task.segment_id,
            m.Annotator.pseudonym,
            m.Annotation.ls_annotation_id,
            m.Annotation.revision,
            m.Annotation.result_entry,
            m.Annotation.ground_truth,
        )
        .join(m.Task, m.Task.id == m.Annotation.task_id)
        .outerjoin(m.Annotator, m.Annotator.id == m.Annotation.annotator_id)
        .where(m.Annotation.dataset == dataset, m.Annotation.entry_key == key, *m.released())
    ).all()
    out: list[StoredAnnotation] = []
    for segment_id, pseudonym, ls_id, revision, text, gold in rows:
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
    # the release's agreement figures (`workbench.export.agreement`), stored for the export
    agreement: dict[str, Any] = field(default_factory=dict)


def input_hash(
    annotations: Sequence[StoredAnnotation],
    decision: m.Adjudication | None,
    params: Mapping[str, Any],
) -> str:
    return _sha(
        {
            "params": params,
            "annotations": sorted(
                [a.annotator, a.ls_annotation_id, a.revision, a.entry_sha or _sha(dict(a.entry))]
                for a in annotations
            ),
            "decision": None
            if decision is None
            else [decision.ls_annotation_id, _sha(decision.decision)],
        }
    )


_ROW_FIELDS = {
    kind: tuple(f.name for f in fields(kind)) for kind in (LabelRow, SpanRow, RelationRow)
}


def _row(r: LabelRow | SpanRow | RelationRow) -> dict[str, Any]:
    # what `dataclasses.asdict` gives for these flat rows (so the hashes stay the same),
    # without its recursive deep copy, which dominated at 10^6 rows
    return {name: getattr(r, name) for name in _ROW_FIELDS[type(r)]}


def output_hash(seg: SegmentConsensus) -> str:
    return _sha(
        {
            "labels": [_row(r) for r in seg.labels],
            "spans": [_row(r) for r in seg.spans],
            "relations": [_row(r) for r in seg.relations],
        }
    )


@paused_gc()
def reconcile(
    store: Store,
    schema: Schema,
    dataset: str,
    *,
    method: Method = "vote",
    min_support: int | float = 0.5,
    threshold: float = DEFAULT_THRESHOLD,
) -> ReconcileReport:
    """Bring the dataset's consensus tables up to date with its annotations (incremental)."""
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
    # Agreement is dataset-wide (bootstrap intervals over every item): recomputed whenever
    # any released annotation changed, and kept for the export, which then need not.
    from workbench.export import agreement  # the export's parse: one, not two

    fingerprint, report.agreement = agreement.compute(store, dataset, schema)
    with store.session() as session:  # consensus and figures: one transaction
        annotations = load_annotations(session, dataset, schema)
        decisions = load_decisions(session, dataset)
        by_seg: dict[str, list[StoredAnnotation]] = defaultdict(list)
        for a in annotations:
            by_seg[a.segment_id].append(a)
        hashes = {seg: input_hash(anns, decisions.get(seg), params) for seg, anns in by_seg.items()}
        state = {
            row.segment_id: row
            for row in session.scalars(
                select(m.ReconcileState).where(m.ReconcileState.dataset == dataset)
            )
        }
        changed = sorted(s for s, h in hashes.items() if s not in state or state[s].input_hash != h)
        gone = sorted(set(state) - set(hashes))
        # Majority vote is per item: only changed segments need computing. Dawid–Skene is
        # fitted over every item, so it always sees the whole dataset.
        scope = sorted(hashes) if method == "dawid-skene" else changed
        texts = load_texts(session, scope)
        records = records_of(schema, (a for s in scope for a in by_seg[s]))
        result_decisions = {s: decisions[s].decision for s in scope if s in decisions}
        computed = reconcile_records(
            schema,
            records,
            texts,
            method=method,
            min_support=min_support,
            threshold=threshold,
            decisions=result_decisions,
        )
        to_write: dict[str, tuple[SegmentConsensus, str]] = {}
        changed_set = set(changed)  # membership below runs once per segment in scope
        for seg in scope:
            cons = computed.get(seg, SegmentConsensus())
            out_hash = output_hash(cons)
            if seg in changed_set:
                to_write[seg] = (cons, out_hash)
            elif state[seg].output_hash != out_hash:
                to_write[seg] = (cons, out_hash)
                report.refit_changed += 1
        _delete_rows(session, dataset, [*to_write, *gone])
        for seg in gone:
            session.delete(state[seg])
        _insert_rows(session, dataset, [to_write[seg][0] for seg in sorted(to_write)])
        now = m.utcnow()
        new_states = []
        for seg, (_, out_hash) in sorted(to_write.items()):
            values = {
                "input_hash": hashes[seg],
                "output_hash": out_hash,
                "method": METHOD_NAMES[method],
                "min_support": str(min_support),
                "updated_at": now,
            }
            if seg in state:
                for key, value in values.items():
                    setattr(state[seg], key, value)
            else:
                new_states.append({"dataset": dataset, "segment_id": seg, **values})
        _bulk_insert(session, m.ReconcileState, new_states)
        report.segments = len(hashes)
        report.recomputed = len(changed)
        report.unchanged = len(hashes) - len(changed)
        report.removed = len(gone)
        report.changed_segments = sorted(to_write)
        _count(session, dataset, report)
        agreement.save(session, dataset, fingerprint, report.agreement)
    return report


def _delete_rows(session: Session, dataset: str, segments: Sequence[str]) -> None:
    for i in range(0, len(segments), 500):
        chunk = list(segments[i : i + 500])
        for table in (m.ConsensusLabel, m.ConsensusSpan, m.ConsensusRelation):
            session.execute(
                delete(table).where(table.dataset == dataset, table.segment_id.in_(chunk))
            )


def _bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Core executemany in chunks: per-object ORM bookkeeping dominated at 100k segments."""
    for i in range(0, len(rows), 5000):
        session.execute(insert(table), rows[i : i + 5000])


def _insert_rows(session: Session, dataset: str, conses: Sequence[SegmentConsensus]) -> None:
    labels = [
        {
            "dataset": dataset,
            "segment_id": lab.segment_id,
            "field": lab.field,
            "span_key": lab.span_key,
            "method": lab.method,
            "label": lab.label,
            "votes": {k: list(v) for k, v in lab.votes.items()},
            "support": list(lab.support),
            "n_annotators": lab.n_annotators,
            "confidence": lab.confidence,
            "status": lab.status,
        }
        for cons in conses
        for lab in cons.labels
    ]
    spans = [
        {
            "dataset": dataset,
            "segment_id": sp.segment_id,
            "span_key": sp.span_key,
            "label": sp.label,
            "start": sp.start,
            "end": sp.end,
            "text": sp.text,
            "attrs": dict(sp.attrs),
            "support": list(sp.support),
            "n_annotators": sp.n_annotators,
            "confidence": sp.confidence,
            "exact": sp.exact,
            "status": sp.status,
            "regions": [list(r) for r in sp.regions],
        }
        for cons in conses
        for sp in cons.spans
    ]
    relations = [
        {
            "dataset": dataset,
            "segment_id": rel.segment_id,
            "kind": rel.kind,
            "from_key": rel.from_key,
            "to_key": rel.to_key,
            "support": list(rel.support),
            "n_annotators": rel.n_annotators,
            "confidence": rel.confidence,
            "status": rel.status,
        }
        for cons in conses
        for rel in cons.relations
    ]
    _bulk_insert(session, m.ConsensusLabel, labels)
    _bulk_insert(session, m.ConsensusSpan, spans)
    _bulk_insert(session, m.ConsensusRelation, relations)


def _count(session: Session, dataset: str, report: ReconcileReport) -> None:
    for status in session.scalars(
        select(m.ConsensusLabel.status).where(m.ConsensusLabel.dataset == dataset)
    ):
        if status == "decided":
            report.labels_decided += 1
        elif status == "undecided":
            report.labels_undecided += 1
        else:
            report.labels_adjudicated += 1
    for status in session.scalars(
        select(m.ConsensusSpan.status).where(m.ConsensusSpan.dataset == dataset)
    ):
        if status == "undecided":
            report.spans_undecided += 1
        else:
            report.spans_decided += 1
    report.relations_decided = len(
        session.scalars(
            select(m.ConsensusRelation.id).where(
                m.ConsensusRelation.dataset == dataset, m.ConsensusRelation.status != "undecided"
            )
        ).all()
    )


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
