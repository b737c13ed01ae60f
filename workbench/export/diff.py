"""What changed between two releases (pure): segments added/removed, consensus labels changed,
spans added/removed/changed, splits changed (which should never happen)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

#: Columns of segments.parquet that are not consensus labels.
_SEGMENT_BASE = {
    "segment_id",
    "article_id",
    "position",
    "start",
    "end",
    "text",
    "split",
    "n_annotations",
}
_SPAN_VOLATILE = {"support", "n_support", "n_annotators", "confidence", "exact", "adjudicated"}


def _label_fields(segments: pa.Table) -> list[str]:
    """Consensus label columns: every `<field>` that has a `<field>_confidence` beside it."""
    names = set(segments.column_names) - _SEGMENT_BASE
    return sorted(n for n in names if f"{n}_confidence" in names)


def _rows(table: pa.Table, key: list[str], columns: list[str]) -> dict[Any, tuple[Any, ...]]:
    """key → the row's values of `columns` (tuples from Arrow columns: a dict per row was most
    of the diff's time at 10^6 spans)."""
    data = [table[c].to_pylist() for c in columns]
    keys = [table[c].to_pylist() for c in key]
    ids = keys[0] if len(keys) == 1 else list(zip(*keys, strict=True))
    return dict(zip(ids, zip(*data, strict=True), strict=True)) if data else dict.fromkeys(ids, ())


def diff_tables(
    old: dict[str, pa.Table] | None,
    new: dict[str, pa.Table],
    *,
    parent: str | None,
    version: str,
) -> dict[str, Any]:
    """A JSON-ready diff of `new` against `old` (None: the first release, all added)."""
    fields = _label_fields(new["segments"])
    old_fields = set(_label_fields(old["segments"])) if old else set()
    compared = [f for f in fields if f in old_fields]
    seg_cols = ["split", *compared]
    new_segs = _rows(new["segments"], ["segment_id"], seg_cols)
    old_segs = _rows(old["segments"], ["segment_id"], seg_cols) if old else {}
    added = sorted(set(new_segs) - set(old_segs))
    removed = sorted(set(old_segs) - set(new_segs))
    common = sorted(set(new_segs) & set(old_segs))

    changed = []
    split_changed = []
    for sid in common:
        o, n = old_segs[sid], new_segs[sid]
        if o == n:
            continue
        for k, f in enumerate(compared, start=1):
            if o[k] != n[k]:
                changed.append({"segment_id": sid, "field": f, "old": o[k], "new": n[k]})
        if o[0] != n[0]:
            split_changed.append({"segment_id": sid, "old": o[0], "new": n[0]})

    def span_map(t: pa.Table | None) -> dict[Any, tuple[Any, ...]]:
        if t is None:
            return {}
        cols = sorted(c for c in t.column_names if c not in _SPAN_VOLATILE)
        names = tuple(cols)  # a span whose columns changed (a new attribute) has changed
        return {k: (names, v) for k, v in _rows(t, ["segment_id", "span_id"], cols).items()}

    new_spans = span_map(new["spans"])
    old_spans = span_map(old["spans"] if old else None)
    spans_added = sorted(set(new_spans) - set(old_spans))
    spans_removed = sorted(set(old_spans) - set(new_spans))
    spans_changed = sorted(
        k for k in set(new_spans) & set(old_spans) if new_spans[k] != old_spans[k]
    )

    def ids(keys: list[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"segment_id": s, "span_id": i} for s, i in keys]

    return {
        "parent": parent,
        "version": version,
        "summary": {
            "segments_added": len(added),
            "segments_removed": len(removed),
            "segments_unchanged": len(common),
            "labels_changed": len(changed),
            "spans_added": len(spans_added),
            "spans_removed": len(spans_removed),
            "spans_changed": len(spans_changed),
            "splits_changed": len(split_changed),
        },
        "segments": {"added": added, "removed": removed},
        "labels_changed": changed,
        "spans": {
            "added": ids(spans_added),
            "removed": ids(spans_removed),
            "changed": ids(spans_changed),
        },
        "splits_changed": split_changed,
    }
