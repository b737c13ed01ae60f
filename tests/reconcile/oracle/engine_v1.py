"""Consensus of every layer of a schema, from records (pure).

* categorical fields — segment-level choices and per-region attributes of kept spans — by
  majority vote (`min_support`) or Dawid–Skene (fitted over every item of the field, so an
  annotator's reliability is learnt from the whole dataset);
* spans: aligned across annotators, kept when enough annotators drew them (`min_support`);
  the others are *undecided* (partial support) and go to adjudication;
* relations: kept when both ends were kept and enough annotators drew them.

An adjudicated segment (`decisions`: segment → the adjudicator's result) takes the decision
for every layer instead (status ``adjudicated``); the annotators' votes are still recorded, and
`support` names those who agreed with the decision.

Rows are plain frozen records sorted canonically, so the same annotations give the same rows
whatever order they came in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workbench.reconcile.categorical import CategoricalData
from workbench.reconcile.consensus import ConsensusLabel, dawid_skene, majority_vote
from workbench.reconcile.engine import (
    METHOD_NAMES,
    LabelRow,
    Method,
    RelationRow,
    SegmentConsensus,
    SpanRow,
    _round,
    adjudicated,
)
from workbench.reconcile.extract import Records, attribute_field
from workbench.reconcile.records import Label
from workbench.reconcile.spanindex import ITEM_SEP
from workbench.schema import Schema

from .consensus_v1 import span_consensus
from .extract_v1 import attribute_labels
from .spans_v1 import DEFAULT_THRESHOLD


def _votes(labels: Iterable[Label]) -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
    grouped: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for lab in labels:
        grouped[(lab.item, lab.field)][lab.value].append(lab.annotator)
    return {
        key: {v: tuple(sorted(a)) for v, a in sorted(vals.items())} for key, vals in grouped.items()
    }


def categorical_consensus(
    labels: Sequence[Label],
    method: Method,
    min_support: int | float,
    categories: Mapping[str, Sequence[str]] | None = None,
) -> list[ConsensusLabel]:
    """Consensus of every field in `labels` (one `ConsensusLabel` per item and field)."""
    out: list[ConsensusLabel] = []
    for name in sorted({lab.field for lab in labels}):
        cats = (categories or {}).get(name)
        data = CategoricalData.from_labels(labels, name, cats)
        if method == "vote":
            out.extend(majority_vote(data, min_support))
        else:
            out.extend(dawid_skene(data).labels)
    return out


def _split_item(item: str) -> tuple[str, str]:
    seg, _, key = item.partition(ITEM_SEP)
    return seg, key


def _label_rows(
    consensus: Iterable[ConsensusLabel], labels: Sequence[Label]
) -> dict[str, list[LabelRow]]:
    votes = _votes(labels)
    out: dict[str, list[LabelRow]] = defaultdict(list)
    for c in consensus:
        seg, key = _split_item(c.item)
        out[seg].append(
            LabelRow(
                segment_id=seg,
                field=c.field,
                span_key=key,
                method=c.method,
                label=c.label,
                votes=votes.get((c.item, c.field), {}),
                support=c.support,
                n_annotators=c.n_annotators,
                confidence=_round(c.confidence),
                status="decided" if c.label is not None else "undecided",
            )
        )
    return out


def reconcile_records(
    schema: Schema,
    records: Records,
    texts: Mapping[str, str],
    *,
    method: Method = "vote",
    min_support: int | float = 0.5,
    threshold: float = DEFAULT_THRESHOLD,
    decisions: Mapping[str, Sequence[Any]] | None = None,
) -> dict[str, SegmentConsensus]:
    """Consensus of every segment in `records` (see the module doc)."""
    sc = span_consensus(
        records.spans,
        records.relations,
        min_support=min_support,
        threshold=threshold,
        coverage=records.coverage,
    )
    attr_labels = attribute_labels(schema, sc.spans, records.spans)
    cats = {a.name: a.values for a in schema.segment}
    cats |= {attribute_field(str(a.label), a.name): a.values for a in schema.region_attributes}
    all_labels = [*records.labels, *attr_labels]
    rows = _label_rows(categorical_consensus(all_labels, method, min_support, cats), all_labels)
    out: dict[str, SegmentConsensus] = defaultdict(SegmentConsensus)
    for seg, _ in sorted(records.coverage):
        out[seg]  # every covered segment gets an entry, even with nothing in it
    for seg, label_rows in rows.items():
        out[seg].labels.extend(label_rows)
    attrs: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for label_rows in rows.values():
        for r in label_rows:
            if r.span_key and r.label is not None:
                attrs[(r.segment_id, r.span_key)][r.field.partition(".")[2]] = r.label
    for status, spans in (("decided", sc.spans), ("undecided", sc.dropped)):
        for cs in spans:
            text = texts.get(cs.item, "")
            out[cs.item].spans.append(
                SpanRow(
                    segment_id=cs.item,
                    span_key=cs.id,
                    label=cs.label,
                    start=cs.start,
                    end=cs.end,
                    text=text[cs.start : cs.end],
                    attrs=dict(sorted(attrs.get((cs.item, cs.id), {}).items())),
                    support=cs.support,
                    n_annotators=cs.n_annotators,
                    confidence=_round(cs.confidence),
                    exact=cs.exact,
                    status=status,
                    regions=cs.regions,
                )
            )
    for status, rels in (("decided", sc.relations), ("undecided", sc.dropped_relations)):
        for cr in rels:
            out[cr.item].relations.append(
                RelationRow(
                    cr.item,
                    cr.kind,
                    cr.from_id,
                    cr.to_id,
                    cr.support,
                    cr.n_annotators,
                    _round(cr.confidence),
                    status,
                )
            )
    for seg, result in (decisions or {}).items():
        if seg in out:
            out[seg] = adjudicated(schema, seg, result, records, texts, METHOD_NAMES[method])
    for seg_consensus in out.values():
        seg_consensus.sort()
    return dict(sorted(out.items()))
