"""Agreement on every layer of a schema, from the parsed annotations (pure): categorical fields
(alpha, ordinal too where the schema says ``ordered``; Fleiss' kappa; pairwise Cohen's kappa;
percent agreement; per-label alpha), spans (pairwise and pooled F1, exact and overlap; token
alpha) and attribution triples; and of a labels file's labels (`labels_agreement`). `to_dict`
names the figures plainly for ``--json`` (NaN → null)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.schema import Attribute, Schema

from ._bootstrap import DEFAULT_N_BOOT
from .answers import AnswerAgreement
from .categorical import CategoricalAgreement, categorical_agreement
from .extract import (
    ParsedAnnotations,
    attribute_data,
    attribute_field,
    field_data,
    relation_records,
    span_index,
)
from .gold import GoldAgreement
from .gwet import FLEISS_GWET_NAME as FLEISS_GWET
from .overlap import Overlap, overlap_of
from .records import CategoricalData, Label, Metric
from .relation_f1 import pairwise_relation_f1, pooled_relation_f1, relation_counts
from .spanindex import SpanIndex
from .spans import DEFAULT_THRESHOLD, PairF1, pairwise_f1, pooled_f1, token_alpha
from .triples import has_attributions, pairwise_triple_f1, pooled_triple_f1, triple_counts


@dataclass(frozen=True)
class FieldAgreement:
    """Agreement on one categorical field, plus the annotators' pooled coincidence matrix
    (``coincidence[i][j]``: ordered annotator pairs on one item saying category i and j)."""

    layer: str  # "segment", "attribute" or "labels" (from a file)
    field: str
    categories: tuple[str, ...]
    agreement: CategoricalAgreement
    coincidence: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class SpanAgreement:
    labels: tuple[str, ...]
    pooled_exact: Mapping[str, Metric]
    pooled_overlap: Mapping[str, Metric]
    token_alpha: Mapping[str, Metric]
    pairwise_exact: tuple[PairF1, ...]
    pairwise_overlap: tuple[PairF1, ...]


@dataclass(frozen=True)
class TripleAgreement:
    pooled: Metric
    pairwise: tuple[PairF1, ...]


@dataclass(frozen=True)
class RelationAgreement:
    """Relation F1 (`relation_f1`): pooled over pairs, key "all" and one per relation name;
    per pair, label None for all names."""

    names: tuple[str, ...]
    pooled: Mapping[str, Metric]
    pairwise: tuple[PairF1, ...]


@dataclass(frozen=True)
class LayerAgreement:
    """`n_items`: items annotated by ≥ 2 annotators, the items the figures are computed on
    (`overlap.single` more were annotated by one annotator only). `quarantined`: quarantined
    annotations left out, per annotator (None: not known, e.g. a labels file); `repaired`:
    annotations whose result pull repaired (None: not counted)."""

    source: str
    annotators: tuple[str, ...]
    n_items: int
    fields: tuple[FieldAgreement, ...]
    spans: SpanAgreement | None = None
    triples: TripleAgreement | None = None
    relations: RelationAgreement | None = None
    overlap: Overlap | None = None
    quarantined: Mapping[str, int] | None = None
    repaired: int | None = None
    gold: tuple[GoldAgreement, ...] = ()  # each annotator against the ground-truth annotations
    answers: tuple[AnswerAgreement, ...] = ()  # several choices, taxonomy levels, numbers


def coincidences(data: CategoricalData) -> tuple[tuple[int, ...], ...]:
    vc = data.value_counts()
    vc = vc[vc.sum(axis=1) >= 2]
    mat = vc.T @ vc - np.diag(vc.sum(axis=0))
    return tuple(tuple(int(x) for x in row) for row in mat.tolist())


def data_agreement(
    layer: str,
    data: CategoricalData,
    attribute: Attribute | None = None,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
) -> FieldAgreement:
    """All figures of one field's data; with a schema `attribute`, ordinal alpha over the
    values on its scale too when it is ``ordered``."""
    scale = attribute.ordinal_values if attribute is not None and attribute.ordered else None
    agr = categorical_agreement(data, ordinal=scale, n_boot=n_boot, seed=seed)
    return FieldAgreement(layer, data.field, data.categories, agr, coincidences(data))


def labels_agreement(
    labels: Sequence[Label], *, source: str, n_boot: int = DEFAULT_N_BOOT, seed: int = 0
) -> LayerAgreement:
    """Agreement of plain labels (e.g. read from a file): one entry per field."""
    fields = sorted({lab.field for lab in labels})
    overlap = overlap_of((lab.item, lab.annotator) for lab in labels)
    return LayerAgreement(
        source=source,
        annotators=tuple(overlap.annotated),
        n_items=overlap.shared,
        fields=tuple(
            data_agreement(
                "labels", CategoricalData.from_labels(labels, f), n_boot=n_boot, seed=seed
            )
            for f in fields
        ),
        overlap=overlap,
    )


def schema_agreement(
    schema: Schema,
    parsed: ParsedAnnotations,
    texts: Mapping[str, str],
    *,
    source: str,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    indexed: tuple[SpanIndex, list[Any]] | None = None,
) -> LayerAgreement:
    """Agreement on every layer of `schema` (layers nobody used are left out). `indexed`:
    `span_index(parsed, DEFAULT_THRESHOLD)`, when already built."""
    kw: dict[str, Any] = {"n_boot": n_boot, "seed": seed}
    segment = field_data(schema, parsed)
    fields = [
        data_agreement("segment", segment[attr.name], attr, **kw)
        for attr in schema.segment
        if attr.name in segment
    ]
    # one index of the span layer serves the clusters, every F1 and the triples
    index, span_attrs = indexed or span_index(parsed, DEFAULT_THRESHOLD)
    attributes = attribute_data(schema, index, None, span_attrs)
    for label in schema.labels:  # a question for any label's regions: per label, too
        for attr in schema.region_questions(label.name):
            name = attribute_field(label.name, attr.name)
            if name in attributes:
                fields.append(data_agreement("attribute", attributes[name], attr, **kw))
    spans = triples = relations = None
    if index.n:
        spans = SpanAgreement(
            labels=index.labels,
            pooled_exact=pooled_f1(index, "exact", **kw),
            pooled_overlap=pooled_f1(index, "overlap", **kw),
            token_alpha=token_alpha(index, texts, **kw),
            pairwise_exact=tuple(pairwise_f1(index, "exact", **kw)),
            pairwise_overlap=tuple(pairwise_f1(index, "overlap", **kw)),
        )
        records = relation_records(parsed) if parsed.relations else []
        if records:
            names, rel_counts = relation_counts(index, records)
            relations = RelationAgreement(
                names=names,
                pooled=pooled_relation_f1(index, names, rel_counts, **kw),
                pairwise=tuple(pairwise_relation_f1(index, names, rel_counts, **kw)),
            )
        # an attribution is a news-schema notion: other schemas' relations make no triple
        if records and has_attributions(schema):
            counts = triple_counts(index, records)
            triples = TripleAgreement(
                pooled=pooled_triple_f1(index, counts, **kw),
                pairwise=tuple(pairwise_triple_f1(index, counts, **kw)),
            )
    overlap = overlap_of(zip(parsed.segment_id, parsed.annotator, strict=True))
    return LayerAgreement(
        source=source,
        annotators=tuple(overlap.annotated),
        n_items=overlap.shared,
        fields=tuple(fields),
        spans=spans,
        triples=triples,
        relations=relations,
        overlap=overlap,
    )


# --------------------------------------------------------------------------- JSON


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 6)


def metric_dict(m: Metric) -> dict[str, Any]:
    return {
        "value": _num(m.value),
        "n_items": m.n_items,
        "ci_low": _num(m.ci_low),
        "ci_high": _num(m.ci_high),
    }


def _pair_dict(p: PairF1) -> dict[str, Any]:
    return {
        "annotators": [p.annotator_a, p.annotator_b],
        "label": p.label or "all",
        "tp": p.tp,
        "n_a": p.n_a,
        "n_b": p.n_b,
        **metric_dict(p.f1),
    }


def field_dict(f: FieldAgreement) -> dict[str, Any]:
    a = f.agreement
    out: dict[str, Any] = {
        "layer": f.layer,
        "field": f.field,
        "n_items": a.n_items,
        "n_annotators": a.n_annotators,
        "n_labels": a.n_labels,
        "categories": list(f.categories),
        "krippendorff_alpha": metric_dict(a.alpha),
    }
    if a.alpha_ordinal is not None:
        out["krippendorff_alpha_ordinal"] = metric_dict(a.alpha_ordinal)
    out["fleiss_kappa"] = {**metric_dict(a.fleiss_kappa), "raters_per_item": a.fleiss_raters}
    out["raters_per_item"] = list(a.raters_per_item)
    if a.fleiss_unequal is not None:
        out["fleiss_kappa_unequal"] = {**metric_dict(a.fleiss_unequal), "method": FLEISS_GWET}
    if a.gwet_ac1 is not None:
        out["gwet_ac1"] = metric_dict(a.gwet_ac1)
    out["percent_agreement"] = metric_dict(a.percent_agreement)
    for key, pm in (
        ("cohen_kappa", a.cohen_kappa),
        ("pairwise_percent_agreement", a.pairwise_agreement),
    ):
        out[key] = [
            {"annotators": [x, y], **metric_dict(m)} for (x, y), m in sorted(pm.pairs.items())
        ]
    out["per_label"] = {
        cat: {
            "krippendorff_alpha": metric_dict(m),
            "fleiss_kappa": metric_dict(a.fleiss_per_category[cat]),
        }
        for cat, m in a.per_category.items()
    }
    out["coincidence_matrix"] = [list(r) for r in f.coincidence]
    return out


def to_dict(report: LayerAgreement) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": report.source,
        "n_items": report.n_items,
        "annotators": list(report.annotators),
    }
    if report.overlap is not None:
        o = report.overlap
        out["n_items_annotated"] = o.items
        out["n_items_single_annotator"] = o.single
        out["annotators_without_overlap"] = list(o.isolated)
    if report.quarantined is not None:
        out["quarantined"] = sum(report.quarantined.values())
        out["quarantined_by_annotator"] = dict(report.quarantined)
    if report.repaired is not None:
        out["repaired"] = report.repaired
    out["fields"] = [field_dict(f) for f in report.fields]
    if report.spans is not None:
        s = report.spans
        out["spans"] = {
            "labels": list(s.labels),
            "span_f1_exact": {k: metric_dict(m) for k, m in s.pooled_exact.items()},
            "span_f1_overlap": {k: metric_dict(m) for k, m in s.pooled_overlap.items()},
            "token_alpha": {k: metric_dict(m) for k, m in s.token_alpha.items()},
            "pairwise_f1_exact": [_pair_dict(p) for p in s.pairwise_exact],
            "pairwise_f1_overlap": [_pair_dict(p) for p in s.pairwise_overlap],
        }
    if report.triples is not None:
        out["triples"] = {
            "triple_f1": metric_dict(report.triples.pooled),
            "pairwise_f1": [_pair_dict(p) for p in report.triples.pairwise],
        }
    if report.relations is not None:
        r = report.relations
        out["relations"] = {
            "names": list(r.names),
            "relation_f1": {k: metric_dict(m) for k, m in r.pooled.items()},
            "pairwise_f1": [_pair_dict(p) for p in r.pairwise],
        }
    if report.gold:
        out["gold"] = [dataclasses.asdict(g) for g in report.gold]
    if report.answers:
        out["answers"] = [
            {"field": a.field, "kind": a.kind, "measure": a.measure, **metric_dict(a.metric)}
            for a in report.answers
        ]
    return out
