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


def diff_tables(
    old: dict[str, pa.Table] | None,
    new: dict[str, pa.Table],
    *,
    parent: str | None,
    version: str,
) -> dict[str, Any]:
    """A JSON-ready diff of `new` against `old` (None: the first release, all added)."""
    new_segs = {r["segment_id"]: r for r in new["segments"].to_pylist()}
    old_segs = {r["segment_id"]: r for r in old["segments"].to_pylist()} if old else {}
    added = sorted(set(new_segs) - set(old_segs))
    removed = sorted(set(old_segs) - set(new_segs))
    common = sorted(set(new_segs) & set(old_segs))

    fields = _label_fields(new["segments"])
    old_fields = set(_label_fields(old["segments"])) if old else set()
    changed = [
        {"segment_id": sid, "field": f, "old": old_segs[sid].get(f), "new": new_segs[sid][f]}
        for sid in common
        for f in fields
        if f in old_fields and old_segs[sid].get(f) != new_segs[sid][f]
    ]
    split_changed = [
        {"segment_id": sid, "old": old_segs[sid]["split"], "new": new_segs[sid]["split"]}
        for sid in common
        if old_segs[sid]["split"] != new_segs[sid]["split"]
    ]

    def span_map(t: pa.Table | None) -> dict[tuple[str, str], dict[str, Any]]:
        if t is None:
            return {}
        return {
            (r["segment_id"], r["span_id"]): {k: v for k, v in r.items() if k not in _SPAN_VOLATILE}
            for r in t.to_pylist()
        }

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
