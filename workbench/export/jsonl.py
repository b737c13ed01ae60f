"""The release's JSONL files from its tables: `segments.jsonl`, one nested record per segment
(with every annotator's parsed entry), and `spans.spacy.jsonl` for spaCy / Prodigy.

Records are encoded with orjson (sorted keys) a few thousand segments at a time, from the
rows of those segments taken out of the Arrow tables, and written out as they are made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from workbench.export.tables import ReleaseTables

_SORTED = orjson.OPT_SORT_KEYS
_LINE = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
_CHUNK = 2048

SPAN_KEYS = ("span_id", "label", "start", "end", "text", "support", "confidence", "adjudicated")
REL_KEYS = ("kind", "from_id", "to_id", "support", "confidence")


def run_ranges(column: pa.ChunkedArray | pa.Array) -> dict[str, tuple[int, int]]:
    """segment id → (first, end) rows of a column sorted by segment id."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(array) == 0:
        return {}
    runs = pc.run_end_encode(array)
    ends = runs.run_ends.to_numpy().tolist()
    return dict(zip(runs.values.to_pylist(), zip([0, *ends[:-1]], ends, strict=True), strict=True))


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


class _Grouped:
    """A table sorted by segment id, its rows taken a chunk of segments at a time (in the
    chunk's order) as Python lists, and each segment's share of them."""

    def __init__(self, table: pa.Table, columns: tuple[str, ...]) -> None:
        self.table, self.columns = table.select(list(columns)), columns
        self.ranges = run_ranges(table["segment_id"])

    def take(self, sids: list[str]) -> tuple[dict[str, list[Any]], list[tuple[int, int]]]:
        bounds = [self.ranges.get(s, (0, 0)) for s in sids]
        rows = np.concatenate([np.arange(a, b) for a, b in bounds] or [np.empty(0, int)])
        part = self.table.take(pa.array(rows, pa.int64()))
        out, at = [], 0
        for a, b in bounds:
            out.append((at, at + b - a))
            at += b - a
        return {c: part[c].to_pylist() for c in self.columns}, out


def write_jsonl(tables: ReleaseTables, fields: list[str], nested: Sink, spacy: Sink) -> None:
    """segments.jsonl into `nested`, spans.spacy.jsonl into `spacy`."""
    t = tables.tables
    seg = t["segments"]
    spans = t["spans"].append_column("attrs", tables.attrs)
    span_rows = _Grouped(spans, ("segment_id", *SPAN_KEYS, "attrs"))
    rel_rows = _Grouped(t["relations"], (*REL_KEYS, "segment_id"))
    att_rows = _Grouped(t["attributions"], ("segment_id", "source_id", "cue_id", "content_id"))
    anns = (
        t["annotations"].select(["segment_id", "annotator"]).append_column("entry", tables.entries)
    )
    ann_rows = _Grouped(anns, ("annotator", "entry", "segment_id"))
    maps: dict[str, Any] = {}
    prefixes: dict[str, bytes] = {}
    label_cols = [(f, f"{f}_confidence", f"{f}_support", f"{f}_adjudicated") for f in fields]
    seg_cols = ["segment_id", "article_id", "position", "start", "end", "text", "split"]
    for lo in range(0, seg.num_rows, _CHUNK):
        part = seg.slice(lo, _CHUNK)
        s = {c: part[c].to_pylist() for c in seg_cols + [c for cols in label_cols for c in cols]}
        sids = s["segment_id"]
        sp, r_sp = span_rows.take(sids)
        rl, r_rl = rel_rows.take(sids)
        at, r_at = att_rows.take(sids)
        an, r_an = ann_rows.take(sids)
        sp_list = list(zip(*(sp[k] for k in SPAN_KEYS), strict=True))
        attributes = [maps.get(a) or maps.setdefault(a, orjson.loads(a)) for a in sp["attrs"]]
        rel_list = list(zip(*(rl[k] for k in REL_KEYS), strict=True))
        lines, spacy_lines = [], []
        for k, sid in enumerate(sids):
            a, b = r_sp[k]
            c, d = r_rl[k]
            e, f_ = r_at[k]
            g, h = r_an[k]
            record = {
                "segment_id": sid,
                **{c_: s[c_][k] for c_ in seg_cols[1:]},
                "labels": {
                    f: {
                        "label": s[f][k],
                        "confidence": s[fc][k],
                        "support": s[fs][k],
                        "adjudicated": s[fa][k],
                    }
                    for f, fc, fs, fa in label_cols
                },
                "spans": [
                    {**dict(zip(SPAN_KEYS, sp_list[i], strict=True)), "attributes": attributes[i]}
                    for i in range(a, b)
                ],
                "relations": [dict(zip(REL_KEYS, rel_list[i], strict=True)) for i in range(c, d)],
                "attributions": [
                    {
                        "source": at["source_id"][i],
                        "cue": at["cue_id"][i],
                        "content": at["content_id"][i],
                    }
                    for i in range(e, f_)
                ],
            }
            entries = []
            for i in range(g, h):
                who = an["annotator"][i]
                prefix = prefixes.get(who) or prefixes.setdefault(who, _prefix(who))
                entries.append(prefix + an["entry"][i].encode()[1:])
            # "annotations" sorts first: the line is the record with the entries spliced in
            lines.append(
                b'{"annotations":['
                + b",".join(entries)
                + b"],"
                + orjson.dumps(record, option=_SORTED)[1:]
                + b"\n"
            )
            spacy_lines.append(
                orjson.dumps(
                    {
                        "text": s["text"][k],
                        "spans": [
                            {"start": sp["start"][i], "end": sp["end"][i], "label": sp["label"][i]}
                            for i in range(a, b)
                        ],
                        "meta": {
                            "segment_id": sid,
                            "article_id": s["article_id"][k],
                            "split": s["split"][k],
                        },
                    },
                    option=_LINE,
                )
            )
        nested.write(b"".join(lines))
        spacy.write(b"".join(spacy_lines))


def _prefix(annotator: str) -> bytes:
    """What goes before an entry's encoding (after its `{`) to make it `annotator`'s record:
    "annotator" sorts before every key of the entry."""
    return b'{"annotator":' + orjson.dumps(annotator) + b","


def nested_records(data: bytes) -> list[Mapping[str, Any]]:
    """segments.jsonl decoded (for tests and readers)."""
    return [orjson.loads(line) for line in data.splitlines()]
