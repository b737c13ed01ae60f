"""The release's JSONL files from its tables: `segments.jsonl`, one nested record per segment
(with every annotator's parsed entry), and `spans.spacy.jsonl` for spaCy / Prodigy.

Records are encoded with orjson (sorted keys) a few thousand segments at a time, from the
rows of those segments taken out of the Arrow tables, and written out as they are made.
"""

from __future__ import annotations

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
ATT_KEYS = ("source_id", "cue_id", "content_id")


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
    """A table sorted by segment id, its rows taken a chunk of segments at a time as dicts of
    `columns` (renamed by `names`), grouped by segment in the chunk's order."""

    def __init__(self, table: pa.Table, columns: tuple[str, ...], names: tuple[str, ...]) -> None:
        self.table, self.names = table.select(list(columns)), names
        self.ranges = run_ranges(table["segment_id"])

    def take(self, sids: list[str]) -> list[list[dict[str, Any]]]:
        bounds = [self.ranges.get(s, (0, 0)) for s in sids]
        rows = np.concatenate([np.arange(a, b) for a, b in bounds] or [np.empty(0, int)])
        part = self.table.take(pa.array(rows, pa.int64()))
        values = zip(*(c.to_pylist() for c in part.columns), strict=True)
        dicts = [dict(zip(self.names, v, strict=True)) for v in values]
        out, at = [], 0
        for a, b in bounds:
            out.append(dicts[at : at + b - a])
            at += b - a
        return out


def write_jsonl(tables: ReleaseTables, fields: list[str], nested: Sink, spacy: Sink) -> None:
    """segments.jsonl into `nested`, spans.spacy.jsonl into `spacy`."""
    t = tables.tables
    seg = t["segments"]
    spans = t["spans"].append_column("attributes", tables.attrs)
    span_rows = _Grouped(spans, (*SPAN_KEYS, "attributes"), (*SPAN_KEYS, "attributes"))
    rel_rows = _Grouped(t["relations"], REL_KEYS, REL_KEYS)
    att_rows = _Grouped(t["attributions"], ATT_KEYS, tuple(k[:-3] for k in ATT_KEYS))
    anns = t["annotations"].append_column("entry", tables.entries)
    ann_rows = _Grouped(anns, ("annotator", "entry"), ("annotator", "entry"))
    maps: dict[str, Any] = {}
    prefixes: dict[str, bytes] = {}
    label_cols = [(f, f"{f}_confidence", f"{f}_support", f"{f}_adjudicated") for f in fields]
    seg_cols = ["segment_id", "article_id", "position", "start", "end", "text", "split"]
    for lo in range(0, seg.num_rows, _CHUNK):
        part = seg.slice(lo, _CHUNK)
        s = {c: part[c].to_pylist() for c in seg_cols + [c for cols in label_cols for c in cols]}
        sids = s["segment_id"]
        groups = zip(
            *(g.take(sids) for g in (span_rows, rel_rows, att_rows, ann_rows)), strict=True
        )
        lines, spacy_lines = [], []
        for k, (sp, rel, att, ann) in enumerate(groups):
            for d in sp:  # one decoded (read-only) map per distinct text
                text = d["attributes"]
                d["attributes"] = maps.get(text) or maps.setdefault(text, orjson.loads(text))
            labels = {
                f: {
                    "label": s[f][k],
                    "confidence": s[c][k],
                    "support": s[u][k],
                    "adjudicated": s[a][k],
                }
                for f, c, u, a in label_cols
            }
            record = {c: s[c][k] for c in seg_cols}
            record.update(labels=labels, spans=sp, relations=rel, attributions=att)
            entries = []
            for e in ann:
                who = e["annotator"]
                prefix = prefixes.get(who) or prefixes.setdefault(who, _prefix(who))
                entries.append(prefix + e["entry"].encode()[1:])
            # "annotations" sorts first: the line is the record with the entries spliced in
            body = orjson.dumps(record, option=_SORTED)[1:]
            lines.append(b'{"annotations":[' + b",".join(entries) + b"]," + body + b"\n")
            meta = {"segment_id": sids[k], "article_id": s["article_id"][k], "split": s["split"][k]}
            spans_ = [{"start": d["start"], "end": d["end"], "label": d["label"]} for d in sp]
            doc = {"text": s["text"][k], "spans": spans_, "meta": meta}
            spacy_lines.append(orjson.dumps(doc, option=_LINE))
        nested.write(b"".join(lines))
        spacy.write(b"".join(spacy_lines))


def _prefix(annotator: str) -> bytes:
    """What goes before an entry's encoding (after its `{`) to make it `annotator`'s record:
    "annotator" sorts before every key of the entry."""
    return b'{"annotator":' + orjson.dumps(annotator) + b","
