"""What a release is made of, in memory: :class:`ReleaseData`, Arrow tables of fixed schemas.

`collect` fills it from the store; everything after that (splits, tables, card, diff) is a
pure function of it, so tests can build one directly (`frame`) without a store. Annotator
columns hold pseudonyms only: emails, Label Studio user ids and tokens never enter it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa

from workbench.results import canonical_result
from workbench.schema import Schema

SPLITS: tuple[str, ...] = ("train", "dev", "test")
DEFAULT_RATIOS: tuple[float, float, float] = (0.8, 0.1, 0.1)

STR, INT, FLOAT, BOOL = pa.string(), pa.int64(), pa.float64(), pa.bool_()
STRS = pa.list_(STR)


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema(list(fields))


_S = ("segment_id", STR)
#: The tables of a `ReleaseData`. `attrs`: a span's attribute map as sorted JSON text;
#: `support`: sorted pseudonyms; labels' `label` None = undecided; annotations' `result`: the
#: cleaned canonical result text, `entry`: its stored parse (None: parse `result`), `row_id`:
#: its row in the store (None outside one).
SCHEMAS: dict[str, pa.Schema] = {
    # split_group: the article's first revision, so revisions of one article share a split
    "articles": _schema(
        *((c, STR) for c in "article_id split_group title author outlet published".split()),
        ("source_path", STR),
    ),
    "segments": _schema(
        _S, ("article_id", STR), ("position", INT), ("start", INT), ("end", INT), ("text", STR)
    ),
    "labels": _schema(
        _S,
        ("field", STR),
        ("label", STR),
        ("support", STRS),
        ("confidence", FLOAT),
        ("n_annotators", INT),
        ("method", STR),
        ("adjudicated", BOOL),
    ),
    "spans": _schema(
        _S,
        ("span_id", STR),
        ("label", STR),
        ("start", INT),
        ("end", INT),
        ("attrs", STR),
        ("support", STRS),
        ("confidence", FLOAT),
        ("n_annotators", INT),
        ("exact", BOOL),
        ("adjudicated", BOOL),
    ),
    "relations": _schema(
        _S,
        ("kind", STR),
        ("from_id", STR),
        ("to_id", STR),
        ("support", STRS),
        ("confidence", FLOAT),
    ),
    "annotations": _schema(
        _S,
        ("annotator", STR),
        ("annotation_id", INT),
        ("lead_time", FLOAT),
        ("result", STR),
        ("entry", STR),
        ("row_id", INT),
    ),
    "adjudications": _schema(
        _S, *((c, STR) for c in ("target", "kind", "decision", "adjudicator", "note"))
    ),
}
COLUMNS: dict[str, tuple[str, ...]] = {n: tuple(s.names) for n, s in SCHEMAS.items()}


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
    return orjson.dumps({str(k): str(v) for k, v in (value or {}).items()}, option=SORTED).decode()


SORTED = orjson.OPT_SORT_KEYS


def frame(name: str, rows: list[dict[str, Any]] | None = None) -> pa.Table:
    """A table of `name` from rows (dicts; missing keys are None), values normalised as the
    store gives them: attribute maps as JSON text, support sorted, results canonical."""
    rows = rows or []
    columns: dict[str, list[Any]] = {c: [r.get(c) for r in rows] for c in COLUMNS[name]}
    if "support" in columns:
        columns["support"] = [sorted(map(str, s or [])) for s in columns["support"]]
    if name == "spans":
        columns["attrs"] = [attrs_json(a) for a in columns["attrs"]]
    if name == "annotations":
        columns["result"] = [
            r if isinstance(r, str) else canonical_result(r) for r in columns["result"]
        ]
    return pa.table(columns, schema=SCHEMAS[name])
