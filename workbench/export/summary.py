"""Counts, label distributions and agreement of a release (pure, JSON-ready).

Agreement is recomputed from the raw annotations in the release with `workbench.reconcile`
(seeded bootstrap), so the figures in the manifest and card are exactly reproducible from the
release's own `annotations.parquet`. Counts and distributions are Arrow aggregations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from workbench.export.model import SPLITS, ReleaseData
from workbench.export.tables import (
    ParsedAnnotations,
    ReleaseTables,
    annotation_rows,
    parsed_annotations,
    segment_fields,
    span_attribute_columns,
)
from workbench.reconcile import (
    Label,
    Metric,
    categorical_agreement,
    categorical_data,
)
from workbench.reconcile.spanindex import SpanIndex
from workbench.reconcile.spans import pairwise_f1
from workbench.schema import Schema

N_BOOT = 1000
SEED = 0


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 4)


def metric_dict(m: Metric) -> dict[str, Any]:
    return {
        "value": _num(m.value),
        "ci_low": _num(m.ci_low),
        "ci_high": _num(m.ci_high),
        "n_items": m.n_items,
    }


def _count(column: pa.ChunkedArray) -> dict[Any, int]:
    """value → count of one column (None included), by Arrow."""
    out: dict[Any, int] = {}
    for entry in pc.value_counts(column).to_pylist():
        out[entry["values"]] = out.get(entry["values"], 0) + int(entry["counts"])
    return out


def counts(tables: ReleaseTables, schema: Schema) -> dict[str, Any]:
    t = tables.tables
    arts, segs, anns = t["articles"], t["segments"], t["annotations"]
    with_segments = arts.filter(pc.greater(arts["n_segments"], 0))
    art_splits = _count(with_segments["split"])
    seg_splits = _count(segs["split"])
    split_counts = {
        name: {"articles": art_splits.get(name, 0), "segments": seg_splits.get(name, 0)}
        for name in SPLITS
    }
    return {
        "articles": with_segments.num_rows,
        "segments": segs.num_rows,
        "annotations": anns.num_rows,
        "annotators": len(_count(anns["annotator"])),
        "spans": t["spans"].num_rows,
        "relations": t["relations"].num_rows,
        "attributions": t["attributions"].num_rows,
        "adjudications": t["adjudications"].num_rows,
        "splits": split_counts,
    }


def _distribution(column: pa.ChunkedArray) -> dict[str, int]:
    c = _count(column)
    return dict(sorted((k if k is not None else "(undecided)", n) for k, n in c.items()))


def distributions(tables: ReleaseTables, schema: Schema) -> dict[str, Any]:
    """Consensus label counts: segment fields (None = undecided), span labels, attributes."""
    segs = tables.tables["segments"]
    spans = tables.tables["spans"]
    out: dict[str, Any] = {"segment": {}, "span_labels": {}, "span_attributes": {}}
    for f in segment_fields(schema):
        out["segment"][f] = _distribution(segs[f])
    out["span_labels"] = _distribution(spans["label"])
    for col, label, _ in span_attribute_columns(schema):
        # the one column filtered, not the whole table (10^6 spans, a copy per attribute)
        of_label = pc.filter(spans[col], pc.equal(spans["label"], label)) if label else spans[col]
        out["span_attributes"][col] = _distribution(of_label)
    return out


def agreement(tables: ReleaseTables, schema: Schema) -> dict[str, Any]:
    """Inter-annotator agreement on the raw annotations of the release's tables, with 95 %
    bootstrap intervals."""
    parsed = tables.parsed
    if parsed is None:
        anns = tables.tables["annotations"]
        parsed = parsed_annotations(
            schema,
            anns["segment_id"].to_pylist(),
            anns["annotator"].to_pylist(),
            anns["result"].to_pylist(),
        )
    return parsed_agreement(parsed, schema)


def release_agreement(data: ReleaseData, schema: Schema) -> dict[str, Any]:
    """`agreement` of the release that `data` makes, straight from `data` (the same annotations,
    so the same figures)."""
    keep = set(data.segments["segment_id"])
    order, sids, annotators, _, results, frame = annotation_rows(data.annotations, keep)
    entries = list(frame["entry"]) if "entry" in frame.columns else [None] * len(sids)
    parsed = parsed_annotations(
        schema,
        [sids[i] for i in order],
        [annotators[i] for i in order],
        (results[i] for i in order),
        (entries[i] for i in order),
    )
    return parsed_agreement(parsed, schema)


def parsed_agreement(parsed: ParsedAnnotations, schema: Schema) -> dict[str, Any]:
    """`agreement` from the annotations' parsed columns (what the export's worker runs)."""
    sids, annotators = parsed.segment_id, parsed.annotator
    out: dict[str, Any] = {"segment": {}, "spans": {}}
    fields = set(segment_fields(schema))
    for attr in schema.segment:
        if attr.name not in fields or attr.multiple:
            continue  # several choices: per-value figures in `workbench agreement`
        chosen = parsed.labels.get(attr.name, [])
        labels = [
            Label(sid, a, attr.name, v)
            for sid, a, v in zip(sids, annotators, chosen, strict=True)
            if v is not None
        ]
        if not labels:
            continue
        data = categorical_data(labels, attr.name, attr.values)
        ag = categorical_agreement(data, n_boot=N_BOOT, seed=SEED)
        out["segment"][attr.name] = {
            "krippendorff_alpha": metric_dict(ag.alpha),
            "fleiss_kappa": metric_dict(ag.fleiss_kappa),
            "percent_agreement": metric_dict(ag.percent_agreement),
            "n_annotators": ag.n_annotators,
        }
    # Pairwise span F1 (overlap match), over the segments both annotators of a pair labelled.
    if parsed.span_of:
        index = SpanIndex.from_columns(
            sids,
            annotators,
            parsed.span_of,
            parsed.span_label,
            parsed.span_start,
            parsed.span_end,
            parsed.span_region,
        )
        pairs = pairwise_f1(index, "overlap", n_boot=N_BOOT, seed=SEED)
        by_label: dict[str, list[dict[str, Any]]] = {}
        for p in pairs:
            key = p.label or "(all labels)"
            by_label.setdefault(key, []).append(
                {"pair": [p.annotator_a, p.annotator_b], "f1": metric_dict(p.f1)}
            )
        for key, rows in sorted(by_label.items()):
            values = [r["f1"]["value"] for r in rows if r["f1"]["value"] is not None]
            out["spans"][key] = {
                "mean_pairwise_f1": round(sum(values) / len(values), 4) if values else None,
                "pairs": rows,
            }
    return out


def headline_agreement(figures: Mapping[str, Any]) -> dict[str, float | None]:
    """The headline of `parsed_agreement`'s figures: α per segment field, mean span F1."""
    headline: dict[str, float | None] = {
        f"alpha[{f}]": ag["krippendorff_alpha"]["value"]
        for f, ag in figures.get("segment", {}).items()
    }
    spans = figures.get("spans", {}).get("(all labels)")
    if spans:
        headline["span_f1"] = spans["mean_pairwise_f1"]
    return headline


def headline_text(headline: Mapping[str, float | None]) -> str:
    """``alpha[sentiment] 0.62, span_f1 0.71`` (`headline_agreement`, for a terminal)."""
    return ", ".join(f"{k} {'-' if v is None else f'{v:.2f}'}" for k, v in headline.items())
