"""The release's Arrow tables from the store's rows (as `collect` reads them), in DuckDB SQL.

Every table has a fixed Arrow schema (an empty table still has the right types) and rows in
a canonical sort order (DuckDB compares strings byte by byte, as Python does), so one store
state always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from workbench.reconcile.figures import label_text, segment_fields
from workbench.reconcile.spanindex import triple_positions
from workbench.reconcile.triples import TRIPLE_KINDS, has_attributions
from workbench.schema import Schema

#: The rows of a chunk of the annotations table (the Parquet writer cuts pages at chunk
#: boundaries, so a file's bytes depend on them): 8192, as in every release so far.
ANNOTATION_CHUNK = 8192
STR, INT, FLOAT, BOOL = pa.string(), pa.int64(), pa.float64(), pa.bool_()
STRS = pa.list_(STR)
_TYPES = {"s": STR, "i": INT, "f": FLOAT, "b": BOOL, "l": STRS}


def schema_of(spec: str) -> pa.Schema:
    """A schema from ``name:type`` words (s str, the default; i int; f float; b bool; l a
    list of str)."""
    return pa.schema(
        [(n, _TYPES[t or "s"]) for n, _, t in (w.partition(":") for w in spec.split())]
    )


def decoded(column: pa.ChunkedArray, fn: Callable[[Any], Any], type_: pa.DataType) -> pa.Array:
    """`fn` of each value of a column, called once per distinct value (10^6 spans hold a few
    hundred attribute maps and a handful of annotator sets)."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    values = pa.array([fn(v) for v in encoded.dictionary.to_pylist()], type_)
    return values.take(encoded.indices)


def span_attribute_columns(schema: Schema) -> list[tuple[str, str, str]]:
    """(column, label, attribute) for every per-region attribute: the column is the Label
    Studio control name (``content_quote_type``), unique across labels by construction; the
    label is "" for a question asked of any label's regions (`regions:`)."""
    cols = [
        (attr.control_name, label.name, attr.name)
        for label in schema.labels
        for attr in label.attributes
    ] + [(attr.control_name, "", attr.name) for attr in schema.regions]
    # an imported control may be named like a column of the table (`confidence`, `text`)
    return [(f"attr_{c}" if c in _SPAN_COLUMNS else c, lab, name) for c, lab, name in cols]


_SPAN_BASE = "segment_id span_id label start:i end:i text split"
_SPAN_TAIL = "support:l n_support:i n_annotators:i confidence:f exact:b adjudicated:b"
_SPAN_COLUMNS = frozenset(w.partition(":")[0] for w in f"{_SPAN_BASE} {_SPAN_TAIL}".split())
#: A segment field's columns: the suffixes of its name, their types.
PER_FIELD = (("", STR), ("_confidence", FLOAT), ("_support", STRS), ("_adjudicated", BOOL))


_PARTS = ("content", "source", "cue")


def _part_attrs(schema: Schema, part: str) -> list[str]:
    """The attributes of a triple part's label: Content/Source from `attributed_to`, Cue from
    `cue_of`."""
    try:
        relation = schema.relation("cue_of" if part == "cue" else "attributed_to")
    except KeyError:
        return []
    labels = relation.to_labels if part == "source" else relation.from_labels
    label = labels[0] if labels else None  # an imported relation may join any two labels
    return [a.name for a in schema.label(label).attributes] if label in schema.label_names else []


def attribution_schema(schema: Schema) -> pa.Schema:
    cols = [*schema_of("segment_id split")]
    for part in _PARTS:
        cols += schema_of(f"{part}_id {part}_start:i {part}_end:i {part}_text")
        cols += [pa.field(f"{part}_{name}", STR) for name in _part_attrs(schema, part)]
    return pa.schema(cols)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql(con: duckdb.DuckDBPyConnection, query: str, schema: pa.Schema) -> pa.Table:
    return con.sql(query).to_arrow_table().cast(schema).combine_chunks()


def _attribute(attrs: pa.ChunkedArray, name: str) -> pa.Array:
    """Attribute `name` of each span's map (JSON text)."""
    return decoded(attrs, lambda text: orjson.loads(text).get(name), STR)


def build_tables(
    schema: Schema, source: dict[str, pa.Table]
) -> tuple[dict[str, pa.Table], pa.ChunkedArray, pa.ChunkedArray]:
    """All tables of a release from `collect`'s tables of the store's rows (`source`), each
    span's attribute map and each annotation's entry (`Collected`)."""
    con = duckdb.connect()
    for name, table in source.items():
        con.register(name, table.drop_columns(["result"]) if name == "annotations" else table)
    # the release's segments: live, annotated (a view: no second copy of their texts)
    con.execute(
        """CREATE TEMP VIEW seg AS SELECT s.*, a.split
        FROM segments s JOIN articles a USING (article_id)
        WHERE s.segment_id IN (SELECT segment_id FROM annotations)"""
    )
    fields = segment_fields(schema)
    labels = source["labels"]
    joins, cols = [], []
    for i, f in enumerate(fields):
        con.register(f"l{i}", labels.filter(pc.equal(labels["field"], f)))
        joins.append(f"LEFT JOIN l{i} USING (segment_id)")
        kept = f"l{i}.status IN ('decided', 'adjudicated')"  # an undecided label is released empty
        cols += [
            f"CASE WHEN {kept} THEN l{i}.label END AS {_q(f)}",
            f"l{i}.confidence AS {_q(f + '_confidence')}",
            f"CASE WHEN {kept} THEN l{i}.support ELSE []::VARCHAR[] END AS {_q(f + '_support')}",
            f"coalesce(l{i}.status = 'adjudicated', false) AS {_q(f + '_adjudicated')}",
        ]
    base = "segment_id article_id position:i start:i end:i text split n_annotations:i"
    per_field = [(f + s, t) for f in fields for s, t in PER_FIELD]
    segments = _sql(
        con,
        f"""SELECT seg.segment_id, article_id, position, start, "end", text, split,
        (SELECT count(*) FROM annotations a WHERE a.segment_id = seg.segment_id) AS n_annotations
        {"".join(", " + c for c in cols)} FROM seg {" ".join(joins)}
        ORDER BY article_id, position, segment_id""",
        pa.schema([*schema_of(base), *per_field]),
    )

    attr_cols = span_attribute_columns(schema)
    spans = _sql(
        con,
        """SELECT p.segment_id, span_id, label, p.start, p."end",
        substring(seg.text, p.start + 1, p."end" - p.start) AS text, split, support,
        len(support) AS n_support, n_annotators, confidence, exact, adjudicated, attrs
        FROM spans p JOIN seg USING (segment_id)
        ORDER BY p.segment_id, p.start, p."end", label, span_id""",
        pa.schema([*schema_of(_SPAN_BASE), *schema_of(_SPAN_TAIL), ("attrs", STR)]),
    )
    at = len(_SPAN_BASE.split())
    for col, label, name in reversed(attr_cols):
        values = _attribute(spans["attrs"], name)
        if label:
            values = pc.if_else(pc.equal(spans["label"], label), values, pa.scalar(None, STR))
        spans = spans.add_column(at, col, values)
    attrs = spans["attrs"]
    spans = spans.drop_columns(["attrs"])

    relations = _sql(
        con,
        """SELECT segment_id, kind, from_id, to_id, support, confidence FROM relations
        WHERE segment_id IN (SELECT segment_id FROM seg)
        ORDER BY segment_id, kind, from_id, to_id""",
        schema_of("segment_id kind from_id to_id support:l confidence:f"),
    )
    adjudications = _sql(
        con,
        """SELECT segment_id, split, target,
        CASE WHEN target = '*' THEN 'segment' ELSE 'field' END AS kind, decision, adjudicator,
        NULL AS note FROM adjudications JOIN seg USING (segment_id)
        ORDER BY segment_id, target, decision""",
        schema_of("segment_id split target kind decision adjudicator note"),
    )
    articles = _sql(
        con,
        """SELECT article_id, split, title, author, outlet, published, source_path,
        (SELECT count(*) FROM seg WHERE seg.article_id = a.article_id) AS n_segments
        FROM articles a ORDER BY article_id""",
        schema_of("article_id split title author outlet published source_path n_segments:i"),
    )
    annotations, entries = _annotations(con, source["annotations"], schema)
    con.close()
    tables = {
        "segments": segments,
        "spans": spans,
        "relations": relations,
        "attributions": _attributions(schema, spans, attrs, relations),
        "annotations": annotations,
        "adjudications": adjudications,
        "articles": articles,
    }
    return tables, attrs, entries


def _annotations(
    con: duckdb.DuckDBPyConnection, ann: pa.Table, schema: Schema
) -> tuple[pa.Table, pa.ChunkedArray]:
    """annotations.parquet's table, in (segment, annotator, annotation id) order as `collect`
    reads it, and each row's entry. Each annotator's segment answers and span count come
    from their entry."""
    seg = con.sql("SELECT segment_id, split FROM seg").to_arrow_table()
    at = pc.index_in(ann["segment_id"], value_set=seg["segment_id"].combine_chunks())
    # DuckDB reads each entry's answers and span count; the answers, a handful of distinct
    # objects, are decoded once each
    con.register("entries", ann.select(["entry"]))
    made = con.sql(
        """SELECT json_extract(entry, '$.labels')::VARCHAR AS labels,
        coalesce(json_array_length(entry, '$.spans'), 0) AS n_spans FROM entries"""
    ).to_arrow_table()

    def answer(field: str) -> pa.Array:
        return decoded(made["labels"], lambda t: label_text(_json_object(t).get(field)), STR)

    fields = segment_fields(schema)
    columns: dict[str, Any] = {
        "segment_id": ann["segment_id"],
        "annotator": ann["annotator"],
        "annotation_id": ann["annotation_id"],
        "split": seg["split"].take(at),
        **{f: answer(f) for f in fields},
        "n_spans": made["n_spans"].cast(INT),
        "lead_time": ann["lead_time"],
        "result": ann["result"],
    }
    head = schema_of("segment_id annotator annotation_id:i split")
    tail = schema_of("n_spans:i lead_time:f result")
    out = pa.table(columns, schema=pa.schema([*head, *[(f, STR) for f in fields], *tail]))
    # chunked as read (`collect`), or as cut here: the same chunks either way
    out = pa.Table.from_batches(out.to_batches(max_chunksize=ANNOTATION_CHUNK), out.schema)
    return out, ann["entry"]


def _json_object(text: str | None) -> dict[str, Any]:
    return orjson.loads(text or "null") or {}


def _attributions(
    schema: Schema, spans: pa.Table, attrs: pa.ChunkedArray, relations: pa.Table
) -> pa.Table:
    """(content, source, cue) triples from the consensus spans and relations, by the span
    index's definition (`triple_positions`), sorted; none when the schema makes no triples."""
    if not has_attributions(schema):
        return attribution_schema(schema).empty_table()
    rel = relations.filter(pc.is_in(relations["kind"], value_set=pa.array(TRIPLE_KINDS)))
    columns = (rel[c].to_pylist() for c in ("segment_id", "kind", "from_id", "to_id"))
    ends = [((s, a), (s, b), k == "attributed_to") for s, k, a, b in zip(*columns, strict=True)]
    wanted = {key for a, b, _ in ends for key in (a, b)}
    sp_sid, sp_id = spans["segment_id"].to_pylist(), spans["span_id"].to_pylist()
    region = {key: k for k, key in enumerate(zip(sp_sid, sp_id, strict=True)) if key in wanted}
    del sp_sid, sp_id
    # a span's row is its position: the table is in (segment, start, end, label, id) order
    triples = triple_positions(region, ends, lambda k: k)
    out = attribution_schema(schema)
    if not triples:
        return out.empty_table()
    at = [pa.array([t[i] for t in triples], INT) for i in range(3)]
    cols: dict[str, Any] = {"segment_id": spans["segment_id"].take(at[0])}
    cols["split"] = spans["split"].take(at[0])
    for part, positions in zip(_PARTS, at, strict=True):
        for c in ("id", "start", "end", "text"):
            cols[f"{part}_{c}"] = spans["span_id" if c == "id" else c].take(positions)
        for name in _part_attrs(schema, part):
            cols[f"{part}_{name}"] = _attribute(attrs.take(positions), name)
    table = pa.table([cols[n] for n in out.names], schema=out)
    keys = table.select(["segment_id", "content_start", "content_id"])
    keys = keys.append_column("s", pc.fill_null(table["source_id"], "")).append_column(
        "c", pc.fill_null(table["cue_id"], "")
    )
    return table.take(pc.sort_indices(keys, [(c, "ascending") for c in keys.column_names]))
