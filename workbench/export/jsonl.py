"""The release's JSONL files from its tables: `segments.jsonl`, one nested record per segment
(with every annotator's parsed entry), and `spans.spacy.jsonl` for spaCy / Prodigy.

DuckDB writes the lines (`to_json`, keys in sorted order, as orjson's OPT_SORT_KEYS writes
them), a chunk of segments at a time; stored JSON texts (entries, attribute maps) are spliced
in as they are. The one byte DuckDB writes otherwise: the hex digits of a `\\u00XX` escape in
upper case, lowered here.
"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from workbench.export.collect import Collected
from workbench.export.tables import PER_FIELD
from workbench.export.write import HashingFile

_CHUNK = 16384  # segments a query
_UPPER_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*\\u00[01])([A-F])")


def _j(sql: str) -> str:
    """A value as JSON text (null for NULL)."""
    return f"coalesce(to_json({sql}), 'null')"


def _struct(**values: str) -> str:
    """A JSON object of `values` (SQL expressions) with its keys sorted."""
    pairs = (("'" + k.replace("'", "''") + "'", values[k]) for k in sorted(values))
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


def _buffers(array: pa.Array) -> tuple[npt.NDArray[np.int32], pa.Buffer | None]:
    """A string array's offsets (one more than its values) and its data buffer."""
    offsets = np.frombuffer(array.buffers()[1], np.int32)[array.offset :][: len(array) + 1]
    return offsets, array.buffers()[2]


def _lines(column: pa.ChunkedArray) -> bytes:
    """A column of lines as one text (the lines of an Arrow string array lie end to end)."""
    offsets, data = _buffers(column.combine_chunks())
    text = bytes(memoryview(data or b"")[offsets[0] : offsets[-1]])
    if b"\\u00" in text:
        text = _UPPER_ESCAPE.sub(lambda m: m[1] + m[2].lower(), text)
    return text


def grouped(con: duckdb.DuckDBPyConnection, table: pa.Table, json: str) -> pa.Table:
    """(segment_id, j) of a table sorted by segment: `json` of each row, the rows of a segment
    each after a comma. A segment's rows lie end to end in one string array, so its text is
    a slice of that array's data (no aggregate, no copy)."""
    con.register("x", table)
    rows = con.sql(f"SELECT segment_id, concat(',', {json}) AS j FROM x").to_arrow_table()
    con.unregister("x")
    if rows.num_rows == 0:
        return rows
    runs = pc.run_end_encode(rows["segment_id"].combine_chunks())
    offsets, data = _buffers(rows["j"].combine_chunks())
    bounds = offsets[np.concatenate([[0], runs.run_ends.to_numpy()]).astype(np.int64)]
    texts = pa.StringArray.from_buffers(len(runs.values), pa.py_buffer(bounds), data)
    return pa.table({"segment_id": runs.values, "j": texts})


def write_jsonl(
    release: Collected, fields: list[str], nested: HashingFile, spacy: HashingFile
) -> None:
    """segments.jsonl into `nested`, spans.spacy.jsonl into `spacy`."""
    t, seg = release.tables, release.tables["segments"]
    con = duckdb.connect()
    names = ("confidence", "label", "span_id", "start", "support", "text")
    span = _struct(**{c: c for c in names}, end='"end"')
    rel = _struct(**{c: c for c in ("kind", "from_id", "to_id", "support", "confidence")})
    att = _struct(content="content_id", cue="cue_id", source="source_id")
    # a segment's spans (nested, spaCy), relations, attributions and annotations (columns of
    # `part` beside the segment's own: named so no segment field is named like them)
    groups = {
        "_jsonl_p": (
            t["spans"].append_column("attrs", release.attrs),
            f"""'{{"adjudicated":', {_j("adjudicated")}, ',"attributes":', attrs, ',',
            substr(to_json({span}), 2)""",
        ),
        "_jsonl_q": (t["spans"], """to_json({'end': "end", 'label': label, 'start': start})"""),
        "_jsonl_r": (t["relations"], f"to_json({rel})"),
        "_jsonl_t": (t["attributions"], f"to_json({att})"),
        "_jsonl_a": (
            t["annotations"].append_column("entry", release.entries),
            f"""'{{"annotator":', {_j("annotator")}, ',', substr(entry, 2)""",
        ),
    }
    # each segment's row of each group (a slice of each group's texts: taken a chunk at a time)
    texts = {name: grouped(con, table, json) for name, (table, json) in groups.items()}
    at = {n: pc.index_in(seg["segment_id"], value_set=g["segment_id"]) for n, g in texts.items()}

    def columns(f: str) -> str:  # a segment field's columns as one object: label, confidence…
        q = f.replace('"', '""')
        return _struct(**{s.lstrip("_") or "label": f'"{q}{s}"' for s, _ in PER_FIELD})

    labels = _struct(**{f: columns(f) for f in fields})

    def each(name: str) -> str:
        return f"coalesce('[' || substr({name}, 2) || ']', '[]')"

    meta = _struct(**{c: c for c in ("article_id", "segment_id", "split")})
    query = f"""SELECT concat('{{"annotations":', {each("_jsonl_a")}, ',"article_id":',
        {_j("article_id")}, ',"attributions":', {each("_jsonl_t")}, ',"end":', {_j('"end"')},
        ',"labels":', {_j(labels) if fields else "'{}'"}, ',"position":', {_j("position")},
        ',"relations":', {each("_jsonl_r")}, ',"segment_id":', {_j("segment_id")},
        ',"spans":', {each("_jsonl_p")}, ',"split":', {_j("split")}, ',"start":', {_j("start")},
        ',"text":', {_j("text")}, '}}', chr(10)) AS nested,
        concat('{{"meta":', to_json({meta}), ',"spans":', {each("_jsonl_q")},
        ',"text":', {_j("text")}, '}}', chr(10)) AS spacy
    FROM part"""
    try:
        for lo in range(0, seg.num_rows, _CHUNK):
            part = seg.slice(lo, _CHUNK)
            for name, g in texts.items():
                part = part.append_column(name, g["j"].take(at[name].slice(lo, _CHUNK)))
            con.register("part", part)
            out = con.sql(query).to_arrow_table()  # in the rows' order: no ORDER BY, no join
            nested.write(_lines(out["nested"]))
            spacy.write(_lines(out["spacy"]))
    finally:
        con.close()
