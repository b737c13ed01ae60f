"""The library functions behind the reconcile commands: one per command, each returns data
that the CLI only renders (`workbench agreement`, `reconcile`, `disagreements`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.config import Settings
from workbench.datasets import dataset_schema
from workbench.store import Store, ensure_dataset
from workbench.store import models as m

from ._bootstrap import DEFAULT_N_BOOT
from .answers import answer_agreement
from .consensus import ItemConsensus, dawid_skene, majority_vote
from .engine import METHOD_NAMES, Method
from .extract import records_of
from .gold import gold_agreement, gold_of
from .labels_file import read_labels
from .layers import LayerAgreement, labels_agreement, schema_agreement
from .load import load_consensus, load_released, load_texts, parse_released
from .records import CategoricalData
from .save import ReconcileReport
from .save import reconcile as reconcile_dataset


def agreement(
    settings: Settings,
    store: Store | None,
    *,
    dataset: str | None = None,
    labels_file: Path | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
) -> LayerAgreement:
    """Agreement on every layer of a dataset's annotations, or on the labels of a file.
    A dataset's report also counts the quarantined annotations left out and the annotations
    used whose result pull repaired."""
    if labels_file is not None:
        return labels_agreement(
            read_labels(labels_file), source=str(labels_file), n_boot=n_boot, seed=seed
        )
    assert store is not None
    name = dataset or settings.dataset
    schema = dataset_schema(settings, store, name)
    with store.session() as session:
        ensure_dataset(session, name)
        rel = load_released(session, name, schema)
        texts = load_texts(session, name)
        quarantined = quarantined_by_annotator(session, name)
        repaired = repaired_count(session, name)
    parsed = parse_released(schema, rel, range(len(rel.segment_id)))
    result = schema_agreement(
        schema, parsed, texts, source=f"dataset {name}", n_boot=n_boot, seed=seed
    )
    flags = zip(rel.segment_id, rel.annotator, rel.ls_annotation_id, rel.ground_truth, strict=True)
    gold = gold_of(flags)
    judged = [i for i, sid in enumerate(rel.segment_id) if sid in gold]  # compared with gold
    answers = answer_agreement(schema, parsed, n_boot=n_boot, seed=seed)
    return replace(
        result,
        gold=tuple(gold_agreement(records_of(schema, parse_released(schema, rel, judged)), gold)),
        answers=tuple(answers),
        quarantined=quarantined,
        repaired=repaired,
    )


def repaired_count(session: Session, dataset: str) -> int:
    """Annotations reconcile uses (`released`) whose result the annotation model repaired
    on pull (what `workbench problems --repaired` lists)."""
    query = (
        select(func.count())
        .select_from(m.Annotation)
        .where(m.Annotation.dataset == dataset, *m.released(), m.Annotation.repairs.is_not(None))
    )
    return int(session.scalar(query) or 0)


def quarantined_by_annotator(session: Session, dataset: str) -> dict[str, int]:
    """Current quarantined annotations of `dataset` per annotator pseudonym (what
    `workbench problems` lists; reconcile leaves them out)."""
    rows = session.execute(
        select(m.Annotator.pseudonym, func.count())
        .select_from(m.Annotation)
        .outerjoin(m.Annotator, m.Annotator.id == m.Annotation.annotator_id)
        .where(
            m.Annotation.dataset == dataset,
            m.Annotation.status == "quarantined",
            m.Annotation.is_current.is_(True),
            m.Annotation.deleted_at.is_(None),
        )
        .group_by(m.Annotator.pseudonym)
    ).all()
    return {who or "(unknown annotator)": int(n) for who, n in sorted(rows, key=str)}


@dataclass
class FileConsensus:
    source: str
    methods: list[str]
    min_support: str
    items: list[ItemConsensus] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return sum(c.label is not None for c in self.items)


def consensus_of_file(
    path: Path, methods: Sequence[Method], min_support: int | float
) -> FileConsensus:
    """The consensus label of every item and field of a labels file, by each method."""
    labels = read_labels(path)
    out = FileConsensus(str(path), [METHOD_NAMES[x] for x in methods], str(min_support))
    for name in sorted({lab.field for lab in labels}):
        data = CategoricalData.from_labels(labels, name)
        for method in methods:
            results = (
                majority_vote(data, min_support) if method == "vote" else dawid_skene(data).labels
            )
            for c in results:
                c.confidence = round(c.confidence, 6)
            out.items.extend(results)
    out.items.sort(key=lambda c: (c.field, c.item, c.method))
    return out


def reconcile(
    settings: Settings,
    store: Store | None,
    *,
    dataset: str | None = None,
    labels_file: Path | None = None,
    method: Method | None = None,
    min_support: int | float = 0.5,
) -> ReconcileReport | FileConsensus:
    """Update the dataset's consensus in the store (incremental), or — for a labels file —
    return the consensus of its items (by the given method, or by both)."""
    if labels_file is not None:
        methods: list[Method] = [method] if method else ["vote", "dawid-skene"]
        return consensus_of_file(labels_file, methods, min_support)
    assert store is not None
    name = dataset or settings.dataset
    schema = dataset_schema(settings, store, name)
    return reconcile_dataset(store, schema, name, method=method or "vote", min_support=min_support)


NONE = "—"


@dataclass(frozen=True)
class Disagreement:
    """One thing consensus could not settle, with every annotator's version."""

    segment_id: str
    layer: str  # segment | attribute | span | relation
    field: str  # sentiment, Source.source_type, Claim (a span label), attributed_to
    key: str  # the consensus span key ("" for segment-level fields)
    text: str  # the span's text, or the start of the segment
    reason: str
    versions: dict[str, str]


def _snippet(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def disagreements(
    settings: Settings, store: Store, *, dataset: str | None = None
) -> list[Disagreement]:
    """What the stored consensus left undecided (run `reconcile` first)."""
    name = dataset or settings.dataset
    schema = dataset_schema(settings, store, name)
    with store.session() as session:
        ensure_dataset(session, name)
        consensus = load_consensus(session, name)
        rel = load_released(session, name, schema)
        texts = load_texts(session, name)
    annotators: dict[str, list[str]] = defaultdict(list)
    for sid, annotator in zip(rel.segment_id, rel.annotator, strict=True):
        annotators[sid].append(annotator)
    out: list[Disagreement] = []
    for seg, cons in consensus.items():
        who = sorted(annotators.get(seg, []))
        span_text = {s.span_key: s.text for s in cons.spans}
        for lab in cons.labels:
            if lab.status != "undecided":
                continue
            given = {a: v for v, anns in lab.votes.items() for a in anns}
            voters = who if not lab.span_key else sorted(given)
            out.append(
                Disagreement(
                    seg,
                    "attribute" if lab.span_key else "segment",
                    lab.field,
                    lab.span_key,
                    span_text.get(lab.span_key, "") if lab.span_key else _snippet(texts[seg]),
                    _reason(lab.votes, lab.n_annotators),
                    {a: given.get(a, NONE) for a in voters},
                )
            )
        drawn = [
            ("span", sp.label, sp.span_key, sp.text, sp)
            for sp in cons.spans
            if sp.status == "undecided"
        ] + [
            ("relation", rel.kind, f"{rel.from_key} → {rel.to_key}", "", rel)
            for rel in cons.relations
            if rel.status == "undecided"
        ]
        for layer, name, key, text, row in drawn:
            out.append(
                Disagreement(
                    *(seg, layer, name, key, text),
                    f"drawn by {len(row.support)} of {row.n_annotators}",
                    {a: "drew it" if a in row.support else NONE for a in who},
                )
            )
    return out


def _reason(votes: Mapping[str, tuple[str, ...]], n: int) -> str:
    counts = sorted((len(a) for a in votes.values()), reverse=True)
    if len(counts) > 1 and counts[0] == counts[1]:
        return "tie " + "-".join(str(c) for c in counts)
    return f"best has {counts[0] if counts else 0} of {n}: below the minimum support"
