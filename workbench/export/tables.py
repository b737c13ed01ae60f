"""ReleaseData + splits → the release's tables and JSONL files (pure, deterministic).

Every table has a fixed Arrow schema (so an empty table still has the right types) and rows in
a canonical sort order, so one store state always gives the same bytes.

Built column by column, and sorted by Arrow: at 10^5 segments (10^6 spans) a dict per row and
`Table.from_pylist` were most of an export's time and memory. The nested JSONL is encoded one
segment at a time from those columns, never held as a list of records.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import repeat
from typing import Any, Protocol

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.annotation import parse as parse_result
from workbench.annotation.clean import (
    Spans,
    canonical_bytes,
    canonical_json,
    clean_result,
    load_result,
)
from workbench.export.jsonl import (
    EncodedRecords,
    SegmentRecords,
    annotator_prefix,
    nested_jsonl,
    run_ranges,
    spacy_jsonl,
)
from workbench.export.model import Columns, Frame, ReleaseData
from workbench.export.write import FileData, StagingWriter, file_bytes
from workbench.reconcile.spanindex import triple_positions
from workbench.schema import Schema

STR = pa.string()
INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()
STRS = pa.list_(pa.string())

_SORTED = orjson.OPT_SORT_KEYS
_LINE = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


AnnotationRow = tuple[str, str, int | None, Any, Any, bool, str | bytes | None]
"""(segment id, annotator, annotation id, lead time, result, whether the result is the
store's canonical JSON text, its release entry as the store made it (or None: parse the
result)): one raw annotation, as `collect` reads it."""


@dataclass(frozen=True)
class ParsedAnnotations:
    """What agreement needs of the raw annotations, in table order, as plain columns: each
    annotation's segment, annotator and segment choices; and every span (by the position of
    its annotation). Gathered while the annotations are parsed once for the tables."""

    segment_id: list[str]
    annotator: list[str]
    labels: dict[str, list[str | None]]
    span_of: list[int]
    span_label: list[str]
    span_start: list[int]
    span_end: list[int]
    span_region: list[str]


@dataclass(frozen=True)
class ReleaseTables:
    """The data of a release: Arrow tables (→ Parquet), the nested segment records and the
    spaCy span file (JSONL bytes)."""

    #: (where the export's worker encoded annotations.parquet, its table here lacks the
    #: `result` column, which only that file needs)
    tables: dict[str, pa.Table]
    nested_jsonl: FileData
    spacy_jsonl: FileData
    #: the raw annotations' agreement inputs (None: parse `annotations.result` for them)
    parsed: ParsedAnnotations | None = None

    def records(self) -> list[dict[str, Any]]:
        """The nested segment records (segments.jsonl), decoded."""
        return [orjson.loads(line) for line in file_bytes(self.nested_jsonl).splitlines()]


# -- small helpers ------------------------------------------------------------------------------


def _col(df: Frame, name: str) -> list[Any]:
    """A frame column as a list, pandas' missing values as None."""
    if isinstance(df, Columns):
        return df[name]
    series = df[name]
    values: list[Any] = series.tolist()
    missing = pd.isna(series).to_numpy()
    if missing.any():
        values = [None if m else v for v, m in zip(values, missing.tolist(), strict=True)]
    return values


def _ints(values: Iterable[Any]) -> list[int | None]:
    return [None if v is None else int(v) for v in values]


def _floats(values: Iterable[Any]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def _names(value: Any) -> list[str]:
    return sorted(map(str, value)) if value is not None else []


class _Shared:
    """`_names` and `_attrs`, one shared (read-only) result per distinct input: 10^6 spans
    carry a few hundred distinct attribute maps and a handful of annotator sets, and a list
    or dict each was 200 MB at the export's peak."""

    def __init__(self) -> None:
        self._names: dict[Any, list[str]] = {}
        self._attrs: dict[Any, dict[str, str]] = {}

    def names(self, value: Any) -> list[str]:
        try:
            key = tuple(value) if value is not None else None
            out = self._names.get(key)
        except TypeError:  # unhashable names: made, not shared
            return _names(value)
        if out is None:
            out = self._names[key] = _names(value)
        return out

    def attrs(self, value: Any) -> dict[str, str]:
        if not value:
            return {}
        try:
            key = tuple(dict(value).items())
            out = self._attrs.get(key)
        except TypeError:
            return _attrs(value)
        if out is None:
            out = self._attrs[key] = _attrs(value)
        return out


def _attrs(value: Any) -> dict[str, str]:
    if not value:
        return {}
    return {str(k): str(v) for k, v in sorted(dict(value).items())}


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


_SPAN_COLUMNS = frozenset(
    [
        "segment_id",
        "span_id",
        "label",
        "start",
        "end",
        "text",
        "split",
        "support",
        "n_support",
        "n_annotators",
        "confidence",
        "exact",
        "adjudicated",
    ]
)


def segment_fields(schema: Schema) -> list[str]:
    """The segment questions with a column (and a consensus): the categorical ones; an answer
    of several choices is its sorted values as JSON text (`["a","b"]`). Free text, numbers
    and dates are in each annotator's entry of segments.jsonl, not aggregated."""
    return [attr.name for attr in schema.segment if attr.categorical]


# -- sorting and grouping -----------------------------------------------------------------------


def _order(columns: Mapping[str, Sequence[Any]], keys: Sequence[str]) -> list[int]:
    """Row positions sorted by `keys` (ascending; Arrow compares strings by UTF-8 bytes, which
    is code point order, as Python does). Stable, so equal keys keep their input order."""
    n = len(columns[keys[0]])
    if n < 2:
        return list(range(n))
    table = pa.table({k: columns[k] for k in keys})
    return pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]).to_pylist()  # type: ignore[no-any-return]


def _take(columns: dict[str, list[Any]], order: list[int]) -> dict[str, list[Any]]:
    if all(k == i for k, i in enumerate(order)):  # in order already (the store sorts)
        return columns
    return {k: [v[i] for i in order] for k, v in columns.items()}


_CHUNK = 8192


def _array(values: Any, type_: pa.DataType) -> pa.Array | pa.ChunkedArray:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    return pa.array(values, type=type_)


def _table(columns: Mapping[str, Any], schema: pa.Schema) -> pa.Table:
    return pa.table([_array(columns[f.name], f.type) for f in schema], schema=schema)


# -- the tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """The release's segments in table order (article, position, id), with their splits:
    what both the annotation and the consensus side need first."""

    seg: dict[str, list[Any]]
    split_of: dict[str, str]
    text_of: dict[str, str]
    splits: Mapping[str, str]  # split group → split


@dataclass(frozen=True)
class AnnotationPart:
    """The raw annotations' side of a release, from one parse of their results: the table
    of annotations.parquet, each annotation's entry of the nested records (in table order)
    and what agreement needs of them (None when handed over by the export's worker, which
    keeps them to compute agreement itself)."""

    table: pa.Table
    records: EncodedRecords
    parsed: ParsedAnnotations | None


@dataclass(frozen=True)
class ConsensusPart:
    """Everything of a release but the raw annotations: the other tables, each segment's
    nested record without its annotations, and the spaCy file."""

    tables: dict[str, pa.Table]
    records: EncodedRecords
    spacy_jsonl: bytearray


def build_tables(data: ReleaseData, splits: Mapping[str, str]) -> ReleaseTables:
    """All tables of a release. `splits` maps an article's split group to its split.

    The parts are independent after the layout (the export builds them in two processes)."""
    layout = segment_layout(data, splits)
    annotations = annotation_part(data.annotations, data.schema, layout.split_of)
    return join_parts(layout, consensus_part(data, layout), annotations)


def segment_layout(data: ReleaseData, splits: Mapping[str, str]) -> Layout:
    art_ids = _col(data.articles, "article_id")
    group_of = dict(zip(art_ids, _col(data.articles, "split_group"), strict=True))
    seg = {c: _col(data.segments, c) for c in ("segment_id", "article_id", "text")}
    seg["position"] = _ints(_col(data.segments, "position"))
    seg["start"] = _ints(_col(data.segments, "start"))
    seg["end"] = _ints(_col(data.segments, "end"))
    seg = _take(seg, _order(seg, ("article_id", "position", "segment_id")))
    seg_ids = seg["segment_id"]
    split_of = {
        sid: splits[group_of.get(aid, aid)]
        for sid, aid in zip(seg_ids, seg["article_id"], strict=True)
    }
    seg["split"] = [split_of[s] for s in seg_ids]
    return Layout(seg, split_of, dict(zip(seg_ids, seg["text"], strict=True)), splits)


def annotation_part(
    annotations: Frame, schema: Schema, split_of: Mapping[str, str] | None
) -> AnnotationPart:
    """Parse the raw annotations (`ReleaseData.annotations`, once) into their table, nested
    entries and agreement inputs. Without `split_of` every row is kept and the split column
    is left empty, for `with_splits`."""
    return ordered_annotation_part([ordered_annotations(annotations, split_of)], schema, split_of)


class ResultColumn(Protocol):
    """Where the `result` column of annotations.parquet goes as it is built, a chunk at a
    time (the export's worker writes it straight into the file it hands over)."""

    def add(self, chunk: pa.Array) -> None: ...

    def column(self) -> pa.ChunkedArray: ...


class HeldResults:
    """A `ResultColumn` kept in memory."""

    def __init__(self) -> None:
        self._chunks: list[pa.Array] = []

    def add(self, chunk: pa.Array) -> None:
        self._chunks.append(chunk)

    def column(self) -> pa.ChunkedArray:
        return pa.chunked_array(self._chunks, type=STR)


def ordered_annotation_part(
    chunks: Iterable[Iterable[AnnotationRow]],
    schema: Schema,
    split_of: Mapping[str, str] | None = None,
    results: ResultColumn | None = None,
) -> AnnotationPart:
    """`annotation_part` of annotation rows already in table order, a chunk at a time (the
    export's worker streams them from the store: held at once, their result texts were
    400 MB more at 10^5 segments)."""
    columns, records, parsed = _annotations(chunks, schema, split_of, results or HeldResults())
    return AnnotationPart(aligned(_table(columns, annotation_schema(schema))), records, parsed)


def aligned(table: pa.Table) -> pa.Table:
    """`table` with every column chunked alike (at the `result` column's chunks; slices, no
    copy). The Parquet writer cuts pages at chunk boundaries, so a file's bytes, and the
    release's hash, depend on the chunking: this makes it the same whether the table was
    built here or handed over by the export's worker (whose files keep these batches)."""
    return pa.Table.from_batches(table.to_batches(), schema=table.schema)


def with_splits(part: AnnotationPart, split_of: Mapping[str, str]) -> AnnotationPart:
    """`part` with its split column filled in."""
    table = part.table
    at = table.schema.get_field_index("split")
    splits = pa.array([split_of[s] for s in table["segment_id"].to_pylist()], type=STR)
    return replace(part, table=table.set_column(at, "split", splits))


def consensus_part(data: ReleaseData, layout: Layout) -> ConsensusPart:
    """The consensus side: its tables and files."""
    return consensus_files(consensus_columns(data, layout))


@dataclass(frozen=True)
class ConsensusColumns:
    """The consensus side's tables, and the columns its JSONL files are encoded from: once
    these are built, the export drops the release data they came from."""

    tables: dict[str, pa.Table]
    fields: list[str]
    seg: dict[str, list[Any]]
    spans: dict[str, list[Any]]
    relations: dict[str, list[Any]]
    attributions: dict[str, list[Any]]


def consensus_columns(data: ReleaseData, layout: Layout) -> ConsensusColumns:
    """The consensus side's tables and columns."""
    schema = data.schema
    fields = segment_fields(schema)
    seg, split_of = dict(layout.seg), layout.split_of
    seg_ids = seg["segment_id"]
    spans = _spans(data, layout.text_of, split_of, span_attribute_columns(schema))
    relations = _relations(data, split_of)
    attributions = _attributions(schema, spans, relations, split_of)
    adjudications = _adjudications(data, split_of)

    n_ann: dict[str, int] = {}
    for sid in _kept(data.annotations, split_of)[1]:
        n_ann[sid] = n_ann.get(sid, 0) + 1
    seg["n_annotations"] = [n_ann.get(s, 0) for s in seg_ids]
    _segment_labels(data, seg, fields)

    n_segments: dict[str, int] = {}
    for aid in seg["article_id"]:  # once: a count per article was quadratic
        n_segments[aid] = n_segments.get(aid, 0) + 1
    arts = {
        c: _col(data.articles, c)
        for c in ("article_id", "title", "author", "outlet", "published", "source_path")
    }
    arts["split"] = [layout.splits[g] for g in _col(data.articles, "split_group")]
    arts["n_segments"] = [n_segments.get(a, 0) for a in arts["article_id"]]
    arts = _take(arts, _order(arts, ("article_id",)))

    tables = {
        "segments": _table(seg, segment_schema(schema)),
        "spans": _table(spans, span_schema(schema)),
        "relations": _table(relations, REL_SCHEMA),
        "attributions": _table(attributions, attribution_schema(schema)),
        "adjudications": _table(adjudications, ADJ_SCHEMA),
        "articles": _table(arts, ART_SCHEMA),
    }
    return ConsensusColumns(tables, fields, seg, spans, relations, attributions)


def consensus_files(columns: ConsensusColumns) -> ConsensusPart:
    """The consensus side's nested records (without annotations) and spaCy file."""
    c = columns
    records = SegmentRecords(c.seg, c.fields, c.spans, c.relations, c.attributions).encode()
    return ConsensusPart(c.tables, records, spacy_jsonl(c.seg, c.spans))


def join_parts(
    layout: Layout,
    consensus: ConsensusPart,
    annotations: AnnotationPart,
    staging: StagingWriter | None = None,
) -> ReleaseTables:
    """The release's tables and files from its two parts; the nested JSONL is written to
    `staging` as it is built, when given (else held in memory)."""
    table = annotations.table
    ids, r_ann = layout.seg["segment_id"], run_ranges(table["segment_id"])
    nested: FileData
    if staging is None:
        nested = nested_jsonl(ids, consensus.records, r_ann, annotations.records)
    else:
        try:
            nested_jsonl(
                ids,
                consensus.records,
                r_ann,
                annotations.records,
                staging.buffer,
                staging.flush_if_full,
            )
        except BaseException:
            staging.abort()
            raise
        nested = staging.done()
    tables = {**consensus.tables, "annotations": table}
    return ReleaseTables(tables, nested, consensus.spacy_jsonl, annotations.parsed)


def segment_schema(schema: Schema) -> pa.Schema:
    return pa.schema(
        [
            ("segment_id", STR),
            ("article_id", STR),
            ("position", INT),
            ("start", INT),
            ("end", INT),
            ("text", STR),
            ("split", STR),
            ("n_annotations", INT),
        ]
        + [
            c
            for f in segment_fields(schema)
            for c in (
                (f, STR),
                (f"{f}_confidence", FLOAT),
                (f"{f}_support", STRS),
                (f"{f}_adjudicated", BOOL),
            )
        ]
    )


def span_schema(schema: Schema) -> pa.Schema:
    return pa.schema(
        [
            ("segment_id", STR),
            ("span_id", STR),
            ("label", STR),
            ("start", INT),
            ("end", INT),
            ("text", STR),
            ("split", STR),
        ]
        + [(col, STR) for col, _, _ in span_attribute_columns(schema)]
        + [
            ("support", STRS),
            ("n_support", INT),
            ("n_annotators", INT),
            ("confidence", FLOAT),
            ("exact", BOOL),
            ("adjudicated", BOOL),
        ]
    )


def annotation_schema(schema: Schema) -> pa.Schema:
    return pa.schema(
        [("segment_id", STR), ("annotator", STR), ("annotation_id", INT), ("split", STR)]
        + [(f, STR) for f in segment_fields(schema)]
        + [("n_spans", INT), ("lead_time", FLOAT), ("result", STR)]
    )


REL_SCHEMA = pa.schema(
    [
        ("segment_id", STR),
        ("kind", STR),
        ("from_id", STR),
        ("to_id", STR),
        ("support", STRS),
        ("confidence", FLOAT),
    ]
)
ADJ_SCHEMA = pa.schema(
    [
        ("segment_id", STR),
        ("split", STR),
        ("target", STR),
        ("kind", STR),
        ("decision", STR),
        ("adjudicator", STR),
        ("note", STR),
    ]
)
ART_SCHEMA = pa.schema(
    [
        ("article_id", STR),
        ("split", STR),
        ("title", STR),
        ("author", STR),
        ("outlet", STR),
        ("published", STR),
        ("source_path", STR),
        ("n_segments", INT),
    ]
)


def _kept(data_frame: Frame, keep: Container[str]) -> tuple[Frame, list[str]]:
    """The rows of segments in the release, and their segment ids."""
    sids = _col(data_frame, "segment_id")
    mask = [s in keep for s in sids]
    if all(mask):
        return data_frame, sids
    kept = data_frame.filter(mask) if isinstance(data_frame, Columns) else data_frame[mask]
    return kept, [s for s, m in zip(sids, mask, strict=True) if m]


def _segment_labels(data: ReleaseData, seg: dict[str, list[Any]], fields: list[str]) -> None:
    """The segment-level consensus columns (`field`, `_confidence`, `_support`,
    `_adjudicated`), added to `seg`."""
    index = {s: k for k, s in enumerate(seg["segment_id"])}
    n = len(index)
    for f in fields:
        seg[f] = [None] * n
        seg[f"{f}_confidence"] = [None] * n
        seg[f"{f}_support"] = [[] for _ in range(n)]
        seg[f"{f}_adjudicated"] = [False] * n
    wanted = set(fields)
    shared = _Shared()
    frame, sids = _kept(data.labels, index)
    columns = zip(
        sids,
        _col(frame, "field"),
        _col(frame, "label"),
        _col(frame, "confidence"),
        _col(frame, "support"),
        _col(frame, "adjudicated"),
        strict=True,
    )
    for sid, f, label, conf, support, adjudicated in columns:
        if f not in wanted:
            continue
        k = index[sid]
        seg[f][k] = label
        seg[f"{f}_confidence"][k] = None if conf is None else float(conf)
        seg[f"{f}_support"][k] = shared.names(support)
        seg[f"{f}_adjudicated"][k] = bool(adjudicated or False)


def _spans(
    data: ReleaseData,
    text_of: Mapping[str, str],
    split_of: Mapping[str, str],
    attr_cols: list[tuple[str, str, str]],
) -> dict[str, list[Any]]:
    """Consensus spans, by (segment, start, end, label, id); `attributes` holds each span's
    attribute map (for the JSONL and the attributions; not a Parquet column)."""
    frame, sids = _kept(data.spans, text_of)
    start, end = _ints(_col(frame, "start")), _ints(_col(frame, "end"))
    labels = [str(x) for x in _col(frame, "label")]
    shared = _Shared()
    attrs = [shared.attrs(a) for a in _col(frame, "attrs")]
    support = [shared.names(s) for s in _col(frame, "support")]
    cols: dict[str, list[Any]] = {
        "segment_id": sids,
        "span_id": [str(x) for x in _col(frame, "span_id")],
        "label": labels,
        "start": start,
        "end": end,
        "text": [text_of[s][a:b] for s, a, b in zip(sids, start, end, strict=True)],
        "split": [split_of[s] for s in sids],
    }
    for col, label, name in attr_cols:
        cols[col] = [
            a.get(name) if lab == label or not label else None
            for a, lab in zip(attrs, labels, strict=True)
        ]
    cols["support"] = support
    cols["n_support"] = [len(s) for s in support]
    cols["n_annotators"] = _ints(_col(frame, "n_annotators"))
    cols["confidence"] = _floats(_col(frame, "confidence"))
    cols["exact"] = [None if x is None else bool(x) for x in _col(frame, "exact")]
    cols["adjudicated"] = [bool(x or False) for x in _col(frame, "adjudicated")]
    cols["attributes"] = attrs
    return _take(cols, _order(cols, ("segment_id", "start", "end", "label", "span_id")))


def _relations(data: ReleaseData, split_of: Mapping[str, str]) -> dict[str, list[Any]]:
    frame, sids = _kept(data.relations, split_of)
    shared = _Shared()
    cols: dict[str, list[Any]] = {
        "segment_id": sids,
        "kind": [str(x) for x in _col(frame, "kind")],
        "from_id": [str(x) for x in _col(frame, "from_id")],
        "to_id": [str(x) for x in _col(frame, "to_id")],
        "support": [shared.names(s) for s in _col(frame, "support")],
        "confidence": _floats(_col(frame, "confidence")),
    }
    return _take(cols, _order(cols, ("segment_id", "kind", "from_id", "to_id")))


def annotation_rows(
    annotations: Frame, keep: Container[str] | None
) -> tuple[list[int], list[str], list[str], list[int | None], list[Any], Frame]:
    """The raw annotations of the kept segments (all, without `keep`) in table order
    (segment, annotator, annotation id): (order, segment ids, annotators, annotation ids,
    results, rows)."""
    if keep is None:
        frame, sids = annotations, _col(annotations, "segment_id")
    else:
        frame, sids = _kept(annotations, keep)
    annotators = [str(x) for x in _col(frame, "annotator")]
    ann_ids = _ints(_col(frame, "annotation_id"))
    order = _order(
        {
            "segment_id": sids,
            "annotator": annotators,
            "annotation_id": [0 if x is None else x for x in ann_ids],
        },
        ("segment_id", "annotator", "annotation_id"),
    )
    return order, sids, annotators, ann_ids, _col(frame, "result"), frame


class _ParsedColumns:
    """Builds `ParsedAnnotations` one parsed annotation at a time (in table order)."""

    def __init__(self, fields: Sequence[str]) -> None:
        self.labels: dict[str, list[str | None]] = {f: [] for f in fields}
        self._label_adds = [(f, self.labels[f].append) for f in fields]
        self.spans: tuple[list[Any], ...] = ([], [], [], [], [])  # of, label, start, end, region
        self.n = 0

    def add(self, choices: Mapping[str, Any], spans: Spans) -> None:
        for f, add in self._label_adds:
            value = choices.get(f)
            if isinstance(value, list):  # several choices: as the consensus column has them
                value = canonical_json(sorted(value))
            add(value if value is None or isinstance(value, str) else str(value))  # a rating
        of, label, start, end, region = self.spans
        of.extend([self.n] * len(spans))
        for sp in spans:
            label.append(sp["label"])
            start.append(sp["start"])
            end.append(sp["end"])
            region.append(sp["region_id"])
        self.n += 1

    def done(self, sids: Sequence[str], annotators: Sequence[str]) -> ParsedAnnotations:
        return ParsedAnnotations(list(sids), list(annotators), self.labels, *self.spans)


def entry_bytes(schema: Schema, entry: str | bytes | None, result: Any) -> bytes:
    """An annotation's stored entry (what pull parsed); for a row without one (a frame not
    read from a store), its result parsed as `workbench.annotation` does, offsets as given."""
    if entry is not None:
        return entry.encode() if isinstance(entry, str) else entry
    return parse_result(schema, None, load_result(result)).entry_json().encode()


def parsed_annotations(
    schema: Schema,
    sids: Sequence[str],
    annotators: Sequence[str],
    results: Iterable[Any],
    entries: Iterable[str | None] | None = None,
) -> ParsedAnnotations:
    """`ParsedAnnotations` of stored entries (or, where there is none, the results), in the
    order given."""
    out = _ParsedColumns(segment_fields(schema))
    for result, entry in zip(results, entries or repeat(None), strict=False):
        made = orjson.loads(entry_bytes(schema, entry, result))
        out.add(made["labels"], made["spans"])
    return out.done(sids, annotators)


def ordered_annotations(annotations: Frame, keep: Container[str] | None) -> list[AnnotationRow]:
    """The rows of `annotations` (of the kept segments; all without `keep`) in table order."""
    order, sids, annotators, ann_ids, results, frame = annotation_rows(annotations, keep)
    lead = _floats(_col(frame, "lead_time"))
    canonical = _col(frame, "canonical") if "canonical" in frame.columns else [False] * len(sids)
    entries = _col(frame, "entry") if "entry" in frame.columns else [None] * len(sids)
    return [
        (sids[i], annotators[i], ann_ids[i], lead[i], results[i], bool(canonical[i]), entries[i])
        for i in order
    ]


def _annotations(
    chunks: Iterable[Iterable[AnnotationRow]],
    schema: Schema,
    split_of: Mapping[str, str] | None,
    results: ResultColumn,
) -> tuple[dict[str, list[Any]], EncodedRecords, ParsedAnnotations]:
    """Raw annotations in table order (segment, annotator, annotation id): their columns,
    each one's entry of the nested records, encoded, and the columns agreement is computed
    from."""
    cols: dict[str, list[Any]] = {"segment_id": [], "annotator": [], "annotation_id": []}
    sids, names, ann_ids = cols["segment_id"], cols["annotator"], cols["annotation_id"]
    lead: list[float | None] = []
    # The result texts go into Arrow a chunk at a time: held as Python objects until the
    # end, they were as much memory again as the column itself.
    texts: list[Any] = []
    records, ends = bytearray(), [0]
    parsed = _ParsedColumns(segment_fields(schema))
    n_spans: list[int] = []
    prefixes: dict[str, bytes] = {}
    for chunk in chunks:
        for sid, annotator, ann_id, lead_time, result, canonical, entry in chunk:
            sids.append(sid)
            names.append(annotator)
            ann_ids.append(None if ann_id is None else int(ann_id))
            lead.append(None if lead_time is None else float(lead_time))
            # the store's canonical text is not cleaned and encoded again
            texts.append(result if canonical else canonical_bytes(clean_result(result)))
            encoded = entry_bytes(schema, entry, result)  # parsed once, at pull
            made = orjson.loads(encoded)
            choices, spans = made["labels"], made["spans"]
            prefix = prefixes.get(annotator)
            if prefix is None:
                prefix = prefixes[annotator] = annotator_prefix(annotator)
            records += prefix
            records += memoryview(encoded)[1:]
            if len(texts) == _CHUNK:
                results.add(pa.array(texts, type=STR))
                texts = []
            records += b","
            ends.append(len(records))
            parsed.add(choices, spans)
            n_spans.append(len(spans))
    n = len(sids)
    cols["split"] = [split_of[s] for s in sids] if split_of is not None else [None] * n
    cols.update(parsed.labels)
    cols["n_spans"] = n_spans
    cols["lead_time"] = lead
    results.add(pa.array(texts, type=STR))
    cols["result"] = results.column()
    done = parsed.done(sids, names)
    return cols, EncodedRecords(records, ends), done


def _adjudications(data: ReleaseData, split_of: Mapping[str, str]) -> dict[str, list[Any]]:
    frame, sids = _kept(data.adjudications, split_of)
    cols: dict[str, list[Any]] = {
        "segment_id": sids,
        "split": [split_of[s] for s in sids],
        "target": [str(x) for x in _col(frame, "target")],
        "kind": _col(frame, "kind"),
        "decision": _col(frame, "decision"),
        "adjudicator": _col(frame, "adjudicator"),
        "note": _col(frame, "note"),
    }
    cols["_decision"] = [str(x) for x in cols["decision"]]
    order = _order(cols, ("segment_id", "target", "_decision"))
    del cols["_decision"]
    return _take(cols, order)


# -- attribution triples ------------------------------------------------------------------------


def _part_label(schema: Schema, part: str) -> str | None:
    """The schema label of a triple part: Content/Source from `attributed_to`, Cue from `cue_of`."""
    try:
        if part == "content":
            return schema.relation("attributed_to").from_labels[0]
        if part == "source":
            return schema.relation("attributed_to").to_labels[0]
        return schema.relation("cue_of").from_labels[0]
    except KeyError:
        return None


def _part_attrs(schema: Schema, part: str) -> list[str]:
    label = _part_label(schema, part)
    if label is None or label not in schema.label_names:
        return []
    return [a.name for a in schema.label(label).attributes]


def attribution_schema(schema: Schema) -> pa.Schema:
    cols: list[tuple[str, pa.DataType]] = [("segment_id", STR), ("split", STR)]
    for part in ("content", "source", "cue"):
        cols += [
            (f"{part}_id", STR),
            (f"{part}_start", INT),
            (f"{part}_end", INT),
            (f"{part}_text", STR),
        ]
        cols += [(f"{part}_{name}", STR) for name in _part_attrs(schema, part)]
    return pa.schema(cols)


def _attributions(
    schema: Schema,
    spans: Mapping[str, list[Any]],
    relations: Mapping[str, list[Any]],
    split_of: Mapping[str, str],
) -> dict[str, list[Any]]:
    """(source, cue, content) triples from the consensus spans and relations, by the span
    index's definition (`triple_positions`), on columns rather than `Span` records."""
    keys = zip(spans["segment_id"], spans["span_id"], strict=True)
    region: dict[tuple[str, ...], int] = {key: k for k, key in enumerate(keys)}
    rels = zip(
        relations["segment_id"],
        relations["kind"],
        relations["from_id"],
        relations["to_id"],
        strict=True,
    )
    ends = (  # in any order: `triple_positions` does not depend on it
        ((sid, from_id), (sid, to_id), kind == "attributed_to")
        for sid, kind, from_id, to_id in rels
        if kind in ("attributed_to", "cue_of")
    )
    start, end, label, span_id = spans["start"], spans["end"], spans["label"], spans["span_id"]
    triples = triple_positions(region, ends, lambda k: (start[k], end[k], label[k], span_id[k]))

    parts = [(p, _part_attrs(schema, p)) for p in ("content", "source", "cue")]
    cols: dict[str, list[Any]] = {"segment_id": [], "split": []}
    for part, names in parts:
        for c in ("id", "start", "end", "text", *names):
            cols[f"{part}_{c}"] = []
    text, attributes = spans["text"], spans["attributes"]
    for content, src, cue in triples:
        sid = spans["segment_id"][content]
        cols["segment_id"].append(sid)
        cols["split"].append(split_of[sid])
        for (part, names), k in zip(parts, (content, src, cue), strict=True):
            cols[f"{part}_id"].append(None if k is None else span_id[k])
            cols[f"{part}_start"].append(None if k is None else start[k])
            cols[f"{part}_end"].append(None if k is None else end[k])
            cols[f"{part}_text"].append(None if k is None else text[k])
            for name in names:
                value = None if k is None else attributes[k].get(name)
                cols[f"{part}_{name}"].append(value)
    order_cols = {
        **cols,
        "_source": [x or "" for x in cols["source_id"]],
        "_cue": [x or "" for x in cols["cue_id"]],
    }
    if not cols["segment_id"]:
        return cols
    order = _order(order_cols, ("segment_id", "content_start", "content_id", "_source", "_cue"))
    return _take(cols, order)
