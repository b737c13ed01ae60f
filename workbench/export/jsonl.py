"""The release's JSONL files from its table columns (pure): `segments.jsonl`, one nested record
per segment, and `spans.spacy.jsonl` for spaCy / Prodigy. Records are encoded (orjson, sorted
keys) one segment at a time as they are built: 10^5 segments of nested dicts held at once
were gigabytes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

_SORTED = orjson.OPT_SORT_KEYS
_LINE = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def _ranges(sorted_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
    """segment id → (first, end) positions in a column sorted by segment id."""
    out: dict[str, tuple[int, int]] = {}
    n = len(sorted_ids)
    i = 0
    while i < n:
        sid = sorted_ids[i]
        j = i + 1
        while j < n and sorted_ids[j] == sid:
            j += 1
        out[sid] = (i, j)
        i = j
    return out


def run_ranges(column: pa.ChunkedArray | pa.Array) -> dict[str, tuple[int, int]]:
    """`_ranges` of an Arrow column (run-end encoded: no Python string per row)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(array) == 0:
        return {}
    runs = pc.run_end_encode(array)
    ends = runs.run_ends.to_numpy().tolist()
    spans = zip([0, *ends[:-1]], ends, strict=True)
    return dict(zip(runs.values.to_pylist(), spans, strict=True))


@dataclass(frozen=True)
class EncodedRecords:
    """Encoded JSON values one after the other in one buffer, each followed by a comma:
    3 × 10^5 bytes objects cost twice their size. `data` is any buffer (a bytearray, or an
    Arrow buffer handed over by the export's worker)."""

    data: Any  # bytes-like
    ends: Sequence[int]  # ends[k]: the end of entry k-1, its comma included (ends[0] = 0)


def annotator_prefix(annotator: str) -> bytes:
    """What goes before an entry's encoding (after its `{`) to make it `annotator`'s record:
    "annotator" sorts before every key of the entry."""
    return b'{"annotator":' + orjson.dumps(annotator) + b","


class SegmentRecords:
    """Each segment's nested record without its annotations, encoded (in `seg` order): the
    consensus side of segments.jsonl, built while the annotations are parsed elsewhere.
    `encode` makes the records of a range of segments, so that two processes can share the
    work (the export's helper takes the last ones)."""

    SPAN_KEYS = (
        "span_id",
        "label",
        "start",
        "end",
        "text",
        "attributes",
        "support",
        "confidence",
        "adjudicated",
    )
    REL_KEYS = ("kind", "from_id", "to_id", "support", "confidence")

    def __init__(
        self,
        seg: Mapping[str, list[Any]],
        fields: list[str],
        spans: Mapping[str, list[Any]],
        relations: Mapping[str, list[Any]],
        attributions: Mapping[str, list[Any]],
    ) -> None:
        self.seg, self.spans = seg, spans
        self.n = len(seg["segment_id"])
        # Rows as tuples, made into dicts one segment at a time: 10^6 span dicts at once were
        # 600 MB more at the export's peak.
        self._span_rows = list(zip(*(spans[k] for k in self.SPAN_KEYS), strict=True))
        self._rel_rows = list(zip(*(relations[k] for k in self.REL_KEYS), strict=True))
        self._attr_recs = [
            {"source": s, "cue": c, "content": t}
            for s, c, t in zip(
                attributions["source_id"],
                attributions["cue_id"],
                attributions["content_id"],
                strict=True,
            )
        ]
        self._r_span = _ranges(spans["segment_id"])
        self._r_rel = _ranges(relations["segment_id"])
        self._r_attr = _ranges(attributions["segment_id"])
        self._label_cols = [
            (f, seg[f], seg[f"{f}_confidence"], seg[f"{f}_support"], seg[f"{f}_adjudicated"])
            for f in fields
        ]

    def encode(self, lo: int = 0, hi: int | None = None) -> EncodedRecords:
        """The records of segments `lo` to `hi` (by default to the last)."""
        seg, span_keys, rel_keys = self.seg, self.SPAN_KEYS, self.REL_KEYS
        span_rows, rel_rows, attr_recs = self._span_rows, self._rel_rows, self._attr_recs
        r_span, r_rel, r_attr = self._r_span, self._r_rel, self._r_attr
        label_cols = self._label_cols
        ids, article, position = seg["segment_id"], seg["article_id"], seg["position"]
        starts, ends_, texts, splits = seg["start"], seg["end"], seg["text"], seg["split"]
        none = (0, 0)
        out, ends = bytearray(), [0]  # one buffer: a bytes object per record cost twice its size
        dumps = orjson.dumps
        for k in range(lo, self.n if hi is None else hi):
            sid = ids[k]
            a, b = r_span.get(sid, none)
            c, d = r_rel.get(sid, none)
            e, f_ = r_attr.get(sid, none)
            record = {
                "segment_id": sid,
                "article_id": article[k],
                "position": position[k],
                "start": starts[k],
                "end": ends_[k],
                "text": texts[k],
                "split": splits[k],
                "labels": {
                    f: {
                        "label": lab[k],
                        "confidence": conf[k],
                        "support": sup[k],
                        "adjudicated": adj[k],
                    }
                    for f, lab, conf, sup, adj in label_cols
                },
                "spans": [dict(zip(span_keys, row, strict=True)) for row in span_rows[a:b]],
                "relations": [dict(zip(rel_keys, row, strict=True)) for row in rel_rows[c:d]],
                "attributions": attr_recs[e:f_],
            }
            out += dumps(record, option=_SORTED)
            out += b","
            ends.append(len(out))
        return EncodedRecords(out, ends)


def write_nested(
    records: SegmentRecords,
    lo: int,
    hi: int,
    r_ann: Mapping[str, tuple[int, int]],
    annotation_records: EncodedRecords,
    out: bytearray,
    after_line: Callable[[], object] | None = None,
    chunk: int = 2048,
) -> None:
    """segments.jsonl of segments `lo` to `hi` (`nested_jsonl` of their `records`; `r_ann`:
    each segment's range of `annotation_records`), appended to `out` a few thousand segments
    at a time: their records are never all held at once."""
    ids = records.seg["segment_id"]
    for start in range(lo, hi, chunk):
        end = min(start + chunk, hi)
        nested_jsonl(
            ids[start:end],
            records.encode(start, end),
            r_ann,
            annotation_records,
            out,
            after_line,
        )


def nested_jsonl(
    segment_ids: Sequence[str],
    records: EncodedRecords,
    r_ann: Mapping[str, tuple[int, int]],
    annotation_records: EncodedRecords,
    out: bytearray | None = None,
    after_line: Callable[[], object] | None = None,
) -> bytearray:
    """segments.jsonl: each segment's record (`SegmentRecords.encode`, in the order of
    `segment_ids`) with the entries of its annotations spliced in (`r_ann`: each segment's
    range of `annotation_records`, `run_ranges` of their segment column). `annotations`
    sorts first among the record's keys, so the line is ``{"annotations":[…],`` and then the
    record without its opening brace: the same bytes as encoding the whole record at once.

    Appended to `out` (a new buffer by default); `after_line` is called after each line (the
    export writes the buffer out there, now and then)."""
    none = (0, 0)
    entries, entry_ends = memoryview(annotation_records.data), annotation_records.ends
    out = bytearray() if out is None else out
    data, ends = memoryview(records.data), records.ends
    if len(ends) - 1 != len(segment_ids):
        raise ValueError(f"{len(ends) - 1} records for {len(segment_ids)} segments")
    for k, sid in enumerate(segment_ids):
        g, h = r_ann.get(sid, none)
        out += b'{"annotations":['
        if h > g:
            out += entries[entry_ends[g] : entry_ends[h] - 1]
        out += b"],"
        out += data[ends[k] + 1 : ends[k + 1] - 1]
        out += b"\n"
        if after_line is not None:
            after_line()
    return out


def spacy_jsonl(seg: Mapping[str, list[Any]], spans: Mapping[str, list[Any]]) -> bytearray:
    """spans.spacy.jsonl: text, character spans and meta per segment (spaCy / Prodigy)."""
    starts, ends, labels = spans["start"], spans["end"], spans["label"]
    ranges = _ranges(spans["segment_id"])
    out = bytearray()
    for sid, aid, split, text in zip(
        seg["segment_id"], seg["article_id"], seg["split"], seg["text"], strict=True
    ):
        a, b = ranges.get(sid, (0, 0))
        record = {
            "text": text,
            # made per segment: 10^6 of them at once were 100 MB at the export's peak
            "spans": [
                {"start": starts[k], "end": ends[k], "label": labels[k]} for k in range(a, b)
            ],
            "meta": {"segment_id": sid, "article_id": aid, "split": split},
        }
        out += orjson.dumps(record, option=_LINE)
    return out
