"""What changed between two releases (pure): segments added/removed, consensus labels changed,
spans added/removed/changed, splits changed (which should never happen)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: The tables a diff reads (a parent release's raw annotations, 400 MB in memory at 10^5
#: segments, are not read for it).
DIFFED = ("segments", "spans")
_SPAN_VOLATILE = {"support", "n_support", "n_annotators", "confidence", "exact", "adjudicated"}


def _label_fields(segments: pa.Table) -> list[str]:
    """Consensus label columns: every `<field>` that has a `<field>_confidence` beside it."""
    names = set(segments.column_names)
    return sorted(n for n in names if f"{n}_confidence" in names)


def _rows(table: pa.Table, columns: list[str]) -> dict[str, tuple[Any, ...]]:
    """segment id → the row's values of `columns` (tuples from Arrow columns)."""
    values = zip(*(table[c].to_pylist() for c in columns), strict=True)
    return dict(zip(table["segment_id"].to_pylist(), values, strict=True))


_SPAN_KEY = ["segment_id", "span_id"]


def _keys(table: pa.Table) -> list[tuple[str, str]]:
    """The (segment, span id) keys of a span table, sorted."""
    t = table.select(_SPAN_KEY)
    t = t.take(pc.sort_indices(t, sort_keys=[(k, "ascending") for k in _SPAN_KEY]))
    return list(zip(*(t[k].to_pylist() for k in _SPAN_KEY), strict=True))


def _span_changes(
    old: pa.Table | None, new: pa.Table
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """Spans (segment, span id) added, removed and changed (in a column that is not a
    volatile consensus figure), each sorted. By Arrow joins: rows as Python tuples were
    seconds at 10^6 spans."""
    if old is None:
        return _keys(new), [], []
    cols = sorted(c for c in new.column_names if c not in _SPAN_VOLATILE)
    old_cols = sorted(c for c in old.column_names if c not in _SPAN_VOLATILE)
    n, o = new.select(cols), old.select(old_cols)
    added = _keys(n.join(o.select(_SPAN_KEY), keys=_SPAN_KEY, join_type="left anti"))
    removed = _keys(o.join(n.select(_SPAN_KEY), keys=_SPAN_KEY, join_type="left anti"))
    both = n.join(o, keys=_SPAN_KEY, join_type="inner", left_suffix="@new", right_suffix="@old")
    if cols != old_cols:  # a span whose columns changed (a new attribute) has changed
        return added, removed, _keys(both)
    differs = pa.array(np.zeros(both.num_rows, dtype=bool))
    for c in cols:
        if c in _SPAN_KEY:
            continue
        a, b = both[f"{c}@new"], both[f"{c}@old"]
        same = pc.or_kleene(pc.equal(a, b), pc.and_(pc.is_null(a), pc.is_null(b)))
        differs = pc.or_(differs, pc.invert(pc.fill_null(same, False)))
    return added, removed, _keys(both.filter(differs))


_SUMMARY = "segments_added segments_removed segments_unchanged labels_changed spans_added"
_SUMMARY += " spans_removed spans_changed splits_changed"


def _summary(*counts: int) -> dict[str, int]:
    return dict(zip(_SUMMARY.split(), counts, strict=True))


def diff_tables(
    old: dict[str, pa.Table] | None, new: dict[str, pa.Table], *, parent: str | None, version: str
) -> dict[str, Any]:
    """A JSON-ready diff of `new` against `old` (None: the first release, all added)."""
    fields = _label_fields(new["segments"])
    old_fields = set(_label_fields(old["segments"])) if old else set()
    compared = [f for f in fields if f in old_fields]
    seg_cols = ["split", *compared]
    new_segs = _rows(new["segments"], seg_cols)
    old_segs = _rows(old["segments"], seg_cols) if old else {}
    added = sorted(set(new_segs) - set(old_segs))
    removed = sorted(set(old_segs) - set(new_segs))
    common = sorted(set(new_segs) & set(old_segs))

    changed, split_changed = [], []
    for sid in common:
        o, n = old_segs[sid], new_segs[sid]
        if o == n:
            continue
        for k, f in enumerate(compared, start=1):
            if o[k] != n[k]:
                changed.append({"segment_id": sid, "field": f, "old": o[k], "new": n[k]})
        if o[0] != n[0]:
            split_changed.append({"segment_id": sid, "old": o[0], "new": n[0]})

    spans = _span_changes(old["spans"] if old else None, new["spans"])
    # unchanged: in both versions with the same split, consensus labels and spans (a segment
    # whose label or spans changed is in both, not unchanged)
    touched = {c["segment_id"] for c in (*changed, *split_changed)}
    touched.update(sid for keys in spans for sid, _ in keys)
    unchanged = [sid for sid in common if sid not in touched]
    lists = (added, removed, unchanged, changed, *spans, split_changed)
    return {
        "parent": parent,
        "version": version,
        "summary": _summary(*(len(x) for x in lists)),
        "segments": {"added": added, "removed": removed},
        "labels_changed": changed,
        "spans": {
            name: [{"segment_id": s, "span_id": i} for s, i in keys]
            for name, keys in zip(("added", "removed", "changed"), spans, strict=True)
        },
        "splits_changed": split_changed,
    }


def first_release_diff(new: dict[str, pa.Table], *, version: str) -> dict[str, Any]:
    """The diff of a release without a parent: `diff_tables`'s summary (everything added),
    without the lists, which would name every segment and span of the release again (39 MB
    of diff.json at 10^5 segments, five times spans.parquet)."""
    return {
        "parent": None,
        "version": version,
        "summary": _summary(new["segments"].num_rows, 0, 0, 0, new["spans"].num_rows, 0, 0, 0),
        "note": "first release: every segment and span is new (the lists of a diff name "
        "what changed against a parent version)",
    }
