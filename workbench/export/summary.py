"""Counts and label distributions of a release (Arrow aggregations, JSON-ready). Its
agreement figures are `workbench.reconcile.figures`."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from workbench.export.splits import SPLITS
from workbench.export.tables import span_attribute_columns
from workbench.reconcile.figures import segment_fields
from workbench.schema import Schema


def _count(column: pa.ChunkedArray) -> dict[Any, int]:
    """value → count of one column (None included), by Arrow."""
    return {e["values"]: int(e["counts"]) for e in pc.value_counts(column).to_pylist()}


def counts(t: dict[str, pa.Table]) -> dict[str, Any]:
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


def distributions(t: dict[str, pa.Table], schema: Schema) -> dict[str, Any]:
    """Consensus label counts: segment fields (None = undecided), span labels, attributes."""
    segs, spans = t["segments"], t["spans"]
    out: dict[str, Any] = {"segment": {}, "span_labels": {}, "span_attributes": {}}
    for f in segment_fields(schema):
        out["segment"][f] = _distribution(segs[f])
    out["span_labels"] = _distribution(spans["label"])
    for col, label, _ in span_attribute_columns(schema):
        # the one column filtered, not the whole table (10^6 spans, a copy per attribute)
        of_label = pc.filter(spans[col], pc.equal(spans["label"], label)) if label else spans[col]
        out["span_attributes"][col] = _distribution(of_label)
    return out
