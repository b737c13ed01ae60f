"""Counts, label distributions and agreement of a release (pure, JSON-ready).

Agreement is recomputed from the raw annotations in the release with `workbench.reconcile`
(seeded bootstrap), so the figures in the manifest and card are exactly reproducible from the
release's own `annotations.parquet`.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from tests.export.oracle.tables_v1 import (
    ReleaseTables,
    parse_annotation,
    segment_fields,
    span_attribute_columns,
)
from workbench.export.model import SPLITS
from workbench.reconcile import (
    Label,
    Metric,
    Span,
    categorical_agreement,
    categorical_data,
    span_f1_pairwise,
)
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


def counts(tables: ReleaseTables, schema: Schema) -> dict[str, Any]:
    segs = tables.tables["segments"].to_pylist()
    arts = tables.tables["articles"].to_pylist()
    anns = tables.tables["annotations"].to_pylist()
    spans = tables.tables["spans"].to_pylist()
    split_counts = {
        name: {
            "articles": sum(1 for a in arts if a["split"] == name and a["n_segments"]),
            "segments": sum(1 for s in segs if s["split"] == name),
        }
        for name in SPLITS
    }
    return {
        "articles": sum(1 for a in arts if a["n_segments"]),
        "segments": len(segs),
        "annotations": len(anns),
        "annotators": len({a["annotator"] for a in anns}),
        "spans": len(spans),
        "relations": tables.tables["relations"].num_rows,
        "attributions": tables.tables["attributions"].num_rows,
        "adjudications": tables.tables["adjudications"].num_rows,
        "splits": split_counts,
    }


def distributions(tables: ReleaseTables, schema: Schema) -> dict[str, Any]:
    """Consensus label counts: segment fields (None = undecided), span labels, attributes."""
    segs = tables.tables["segments"].to_pylist()
    spans = tables.tables["spans"].to_pylist()
    out: dict[str, Any] = {"segment": {}, "span_labels": {}, "span_attributes": {}}
    for f in segment_fields(schema):
        c = Counter(s[f] if s[f] is not None else "(undecided)" for s in segs)
        out["segment"][f] = dict(sorted(c.items()))
    out["span_labels"] = dict(sorted(Counter(s["label"] for s in spans).items()))
    for col, label, _ in span_attribute_columns(schema):
        c = Counter(
            s[col] if s[col] is not None else "(undecided)" for s in spans if s["label"] == label
        )
        out["span_attributes"][col] = dict(sorted(c.items()))
    return out


def agreement(tables: ReleaseTables, schema: Schema) -> dict[str, Any]:
    """Inter-annotator agreement on the raw annotations, with 95 % bootstrap intervals."""
    anns = tables.tables["annotations"].to_pylist()
    out: dict[str, Any] = {"segment": {}, "spans": {}}
    for attr in schema.segment:
        labels = [
            Label(a["segment_id"], a["annotator"], attr.name, a[attr.name])
            for a in anns
            if a[attr.name] is not None
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
    spans: list[Span] = []
    coverage: list[tuple[str, str]] = []
    for a in anns:
        coverage.append((a["segment_id"], a["annotator"]))
        _, parsed, _ = parse_annotation(schema, _loads(a["result"]))
        for sp in parsed:
            spans.append(
                Span(
                    a["segment_id"],
                    a["annotator"],
                    sp["label"],
                    sp["start"],
                    sp["end"],
                    sp["attributes"],
                    sp["region_id"],
                )
            )
    if spans:
        pairs = span_f1_pairwise(spans, coverage=coverage, n_boot=N_BOOT, seed=SEED)
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


def _loads(text: str) -> list[dict[str, Any]]:
    value = json.loads(text)
    return value if isinstance(value, list) else []
