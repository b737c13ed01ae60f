"""What a release is made of, in memory: :class:`ReleaseData`, Arrow tables of fixed schemas.

`collect` fills it from the store; everything after that (splits, tables, card, diff) is a
pure function of it, so tests can build one directly (`frame`) without a store. Annotator
columns hold pseudonyms only: emails, Label Studio user ids and tokens never enter it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from workbench.annotation.clean import canonical_result
from workbench.schema import Schema

SPLITS: tuple[str, ...] = ("train", "dev", "test")
DEFAULT_RATIOS: tuple[float, float, float] = (0.8, 0.1, 0.1)

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


#: The tables of a `ReleaseData`. `attrs`: a span's attribute map as sorted JSON text;
#: `support`: sorted pseudonyms; labels' `status`: decided, adjudicated or undecided (released
#: empty: neither label nor support); annotations' `result`: the
#: cleaned canonical result text, `entry`: its stored parse (None: parse `result`), `row_id`:
#: its row in the store (None outside one). An article's `split_group` is its first
#: revision, so revisions of one article share a split.
SCHEMAS: dict[str, pa.Schema] = {
    n: schema_of(spec)
    for n, spec in {
        "articles": "article_id split_group title author outlet published source_path",
        "segments": "segment_id article_id position:i start:i end:i text",
        "labels": "segment_id field label support:l confidence:f n_annotators:i method status",
        "spans": "segment_id span_id label start:i end:i attrs support:l confidence:f "
        "n_annotators:i exact:b adjudicated:b",
        "relations": "segment_id kind from_id to_id support:l confidence:f",
        "annotations": "segment_id annotator annotation_id:i lead_time:f result entry row_id:i",
        "adjudications": "segment_id target kind decision adjudicator note",
    }.items()
}


@dataclass(frozen=True)
class ReleaseData:
    """Everything one release is built from: tables of exactly the `SCHEMAS` above."""

    dataset: str
    schema: Schema
    label_studio_url: str | None
    project_id: int | None
    articles: pa.Table
    segments: pa.Table
    labels: pa.Table
    spans: pa.Table
    relations: pa.Table
    annotations: pa.Table
    adjudications: pa.Table
    #: How consensus was reached (method, thresholds), as the reconcile step recorded it.
    reconcile_info: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        for name, schema in SCHEMAS.items():
            if not getattr(self, name).schema.equals(schema):
                raise ValueError(f"ReleaseData.{name} is not of schema {schema}")


def attrs_json(value: Any) -> str:
    """An attribute map as `attrs` holds it: sorted keys, values as text."""
    pairs = {str(k): str(v) for k, v in (value or {}).items()}
    return orjson.dumps(pairs, option=orjson.OPT_SORT_KEYS).decode()


def frame(name: str, rows: list[dict[str, Any]] | None = None) -> pa.Table:
    """A table of `name` from rows (dicts; missing keys are None), values normalised as the
    store gives them: attribute maps as JSON text, support sorted, results canonical."""
    rows = rows or []
    columns: dict[str, list[Any]] = {c: [r.get(c) for r in rows] for c in SCHEMAS[name].names}
    if "support" in columns:
        columns["support"] = [sorted(map(str, s or [])) for s in columns["support"]]
    if name == "spans":
        columns["attrs"] = [attrs_json(a) for a in columns["attrs"]]
    if name == "annotations":
        columns["result"] = [
            r if isinstance(r, str) else canonical_result(r) for r in columns["result"]
        ]
    return pa.table(columns, schema=SCHEMAS[name])


def decoded(column: pa.ChunkedArray, fn: Callable[[Any], Any], type_: pa.DataType) -> pa.Array:
    """`fn` of each value of a column, called once per distinct value (10^6 spans hold a few
    hundred attribute maps and a handful of annotator sets)."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    values = pa.array([fn(v) for v in encoded.dictionary.to_pylist()], type_)
    return values.take(encoded.indices)
