"""ReleaseData + splits → the release's tables and nested records (pure, deterministic).

Every table has a fixed Arrow schema (so an empty table still has the right types) and rows in
a canonical sort order, so one store state always gives the same bytes.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from workbench.export.model import ReleaseData
from workbench.reconcile import Relation, Span, attribution_triples
from workbench.schema import LABELS_NAME, Schema

#: Result item keys kept in raw annotations: everything else (e.g. free-text meta) is dropped,
#: so nothing a Label Studio export may carry about people can slip into a release.
RESULT_KEYS = (
    "id",
    "type",
    "from_name",
    "to_name",
    "value",
    "from_id",
    "to_id",
    "direction",
    "labels",
)

STR = pa.string()
INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()
STRS = pa.list_(pa.string())


@dataclass(frozen=True)
class ReleaseTables:
    """The data of a release: Arrow tables (→ Parquet) and nested segment records (→ JSONL)."""

    tables: dict[str, pa.Table]
    records: list[dict[str, Any]]
    spacy: list[dict[str, Any]]


# -- small helpers ------------------------------------------------------------------------------


def _none(value: Any) -> Any:
    """pandas' missing values (NaN, NaT, NA) → None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _none(v) for k, v in r.items()} for r in df.to_dict("records")]


def _int(value: Any) -> int | None:
    value = _none(value)
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    value = _none(value)
    return None if value is None else float(value)


def _names(value: Any) -> list[str]:
    value = _none(value)
    return sorted(str(v) for v in value) if value is not None else []


def _attrs(value: Any) -> dict[str, str]:
    value = _none(value)
    return {str(k): str(v) for k, v in sorted(dict(value).items())} if value else {}


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def clean_result(result: Any) -> list[dict[str, Any]]:
    """A Label Studio result list keeping only `RESULT_KEYS` of each item."""
    items = _none(result)
    if isinstance(items, str):
        items = json.loads(items)
    out = []
    for item in items or []:
        if isinstance(item, dict):
            out.append({k: item[k] for k in RESULT_KEYS if k in item})
    return out


def span_attribute_columns(schema: Schema) -> list[tuple[str, str, str]]:
    """(column, label, attribute) for every per-region attribute: the column is the Label
    Studio control name (``content_quote_type``), unique across labels by construction."""
    return [
        (attr.control_name, label.name, attr.name)
        for label in schema.labels
        for attr in label.attributes
    ]


def segment_fields(schema: Schema) -> list[str]:
    return [attr.name for attr in schema.segment]


# -- per-annotator parsing ----------------------------------------------------------------------


def parse_annotation(
    schema: Schema, result: list[dict[str, Any]]
) -> tuple[dict[str, str], list[dict[str, Any]], list[tuple[str, str, str]]]:
    """(segment choices, spans with attributes, relations (kind, from, to)) of one result."""
    controls = schema.controls
    choices: dict[str, str] = {}
    spans: dict[str, dict[str, Any]] = {}
    region_attrs: dict[str, dict[str, str]] = defaultdict(dict)
    relations: list[tuple[str, str, str]] = []
    for item in result:
        value = item.get("value") or {}
        if item.get("type") == "relation":
            for kind in item.get("labels") or []:
                relations.append((str(kind), str(item.get("from_id")), str(item.get("to_id"))))
        elif item.get("from_name") == LABELS_NAME and value.get("labels"):
            spans[str(item.get("id"))] = {
                "region_id": str(item.get("id")),
                "label": str(value["labels"][0]),
                "start": int(value["start"]),
                "end": int(value["end"]),
            }
        elif item.get("from_name") in controls and value.get("choices"):
            attr = controls[str(item["from_name"])]
            if attr.per_region:
                region_attrs[str(item.get("id"))][attr.name] = str(value["choices"][0])
            else:
                choices[attr.name] = str(value["choices"][0])
    out_spans = []
    for rid, span in spans.items():
        out_spans.append({**span, "attributes": dict(sorted(region_attrs.get(rid, {}).items()))})
    out_spans.sort(key=lambda s: (s["start"], s["end"], s["label"], s["region_id"]))
    return choices, out_spans, sorted(relations)


# -- the tables ---------------------------------------------------------------------------------


def build_tables(data: ReleaseData, splits: Mapping[str, str]) -> ReleaseTables:
    """All tables of a release. `splits` maps an article's split group to its split."""
    schema = data.schema
    fields = segment_fields(schema)
    attr_cols = span_attribute_columns(schema)

    group_of = {r["article_id"]: r["split_group"] for r in _rows(data.articles)}
    segs = sorted(
        _rows(data.segments), key=lambda r: (r["article_id"], r["position"], r["segment_id"])
    )
    text_of = {s["segment_id"]: s["text"] for s in segs}
    split_of = {
        s["segment_id"]: splits[group_of.get(s["article_id"], s["article_id"])] for s in segs
    }
    keep = set(text_of)

    labels: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in _rows(data.labels):
        if r["segment_id"] in keep:
            labels[r["segment_id"]][r["field"]] = r

    # Consensus spans
    span_rows: list[dict[str, Any]] = []
    for r in _rows(data.spans):
        sid = r["segment_id"]
        if sid not in keep:
            continue
        start, end = int(r["start"]), int(r["end"])
        attrs = _attrs(r["attrs"])
        row: dict[str, Any] = {
            "segment_id": sid,
            "span_id": str(r["span_id"]),
            "label": str(r["label"]),
            "start": start,
            "end": end,
            "text": text_of[sid][start:end],
            "split": split_of[sid],
        }
        for col, label, name in attr_cols:
            row[col] = attrs.get(name) if label == row["label"] else None
        support = _names(r["support"])
        row.update(
            support=support,
            n_support=len(support),
            n_annotators=_int(r["n_annotators"]),
            confidence=_float(r["confidence"]),
            exact=None if _none(r["exact"]) is None else bool(r["exact"]),
            adjudicated=bool(_none(r["adjudicated"]) or False),
            attributes=attrs,
        )
        span_rows.append(row)
    span_rows.sort(key=lambda s: (s["segment_id"], s["start"], s["end"], s["label"], s["span_id"]))

    rel_rows = sorted(
        (
            {
                "segment_id": r["segment_id"],
                "kind": str(r["kind"]),
                "from_id": str(r["from_id"]),
                "to_id": str(r["to_id"]),
                "support": _names(r["support"]),
                "confidence": _float(r["confidence"]),
            }
            for r in _rows(data.relations)
            if r["segment_id"] in keep
        ),
        key=lambda r: (r["segment_id"], r["kind"], r["from_id"], r["to_id"]),
    )

    attributions = _attributions(schema, span_rows, rel_rows, split_of)

    # Raw annotations, per annotator
    ann_rows: list[dict[str, Any]] = []
    for r in _rows(data.annotations):
        sid = r["segment_id"]
        if sid not in keep:
            continue
        result = clean_result(r["result"])
        choices, spans, rels = parse_annotation(schema, result)
        ann_rows.append(
            {
                "segment_id": sid,
                "annotator": str(r["annotator"]),
                "annotation_id": _int(r["annotation_id"]),
                "split": split_of[sid],
                **{f: choices.get(f) for f in fields},
                "n_spans": len(spans),
                "lead_time": _float(r["lead_time"]),
                "result": canonical_json(result),
                "_spans": spans,
                "_relations": rels,
                "_choices": choices,
            }
        )
    ann_rows.sort(key=lambda a: (a["segment_id"], a["annotator"], a["annotation_id"] or 0))

    adj_rows = sorted(
        (
            {
                "segment_id": r["segment_id"],
                "split": split_of[r["segment_id"]],
                "target": str(r["target"]),
                "kind": _none(r["kind"]),
                "decision": _none(r["decision"]),
                "adjudicator": _none(r["adjudicator"]),
                "note": _none(r["note"]),
            }
            for r in _rows(data.adjudications)
            if r["segment_id"] in keep
        ),
        key=lambda r: (r["segment_id"], r["target"], str(r["decision"])),
    )

    n_ann: dict[str, int] = defaultdict(int)
    for a in ann_rows:
        n_ann[a["segment_id"]] += 1
    seg_rows: list[dict[str, Any]] = []
    for s in segs:
        sid = s["segment_id"]
        row = {
            "segment_id": sid,
            "article_id": s["article_id"],
            "position": int(s["position"]),
            "start": int(s["start"]),
            "end": int(s["end"]),
            "text": s["text"],
            "split": split_of[sid],
            "n_annotations": n_ann[sid],
        }
        for f in fields:
            lab = labels[sid].get(f, {})
            row[f] = _none(lab.get("label"))
            row[f"{f}_confidence"] = _float(lab.get("confidence"))
            row[f"{f}_support"] = _names(lab.get("support"))
            row[f"{f}_adjudicated"] = bool(_none(lab.get("adjudicated")) or False)
        seg_rows.append(row)

    n_segments = Counter(s["article_id"] for s in segs)  # once: a count per article was quadratic
    art_rows = sorted(
        (
            {
                "article_id": a["article_id"],
                "split": splits[a["split_group"]],
                "title": a["title"],
                "author": a["author"],
                "outlet": a["outlet"],
                "published": a["published"],
                "source_path": a["source_path"],
                "n_segments": n_segments[a["article_id"]],
            }
            for a in _rows(data.articles)
        ),
        key=lambda a: a["article_id"],
    )

    seg_schema = pa.schema(
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
            for f in fields
            for c in (
                (f, STR),
                (f"{f}_confidence", FLOAT),
                (f"{f}_support", STRS),
                (f"{f}_adjudicated", BOOL),
            )
        ]
    )
    span_schema = pa.schema(
        [
            ("segment_id", STR),
            ("span_id", STR),
            ("label", STR),
            ("start", INT),
            ("end", INT),
            ("text", STR),
            ("split", STR),
        ]
        + [(col, STR) for col, _, _ in attr_cols]
        + [
            ("support", STRS),
            ("n_support", INT),
            ("n_annotators", INT),
            ("confidence", FLOAT),
            ("exact", BOOL),
            ("adjudicated", BOOL),
        ]
    )
    rel_schema = pa.schema(
        [
            ("segment_id", STR),
            ("kind", STR),
            ("from_id", STR),
            ("to_id", STR),
            ("support", STRS),
            ("confidence", FLOAT),
        ]
    )
    ann_schema = pa.schema(
        [("segment_id", STR), ("annotator", STR), ("annotation_id", INT), ("split", STR)]
        + [(f, STR) for f in fields]
        + [("n_spans", INT), ("lead_time", FLOAT), ("result", STR)]
    )
    adj_schema = pa.schema(
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
    art_schema = pa.schema(
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

    def table(rows: list[dict[str, Any]], schema_: pa.Schema) -> pa.Table:
        names = schema_.names
        return pa.Table.from_pylist([{k: r.get(k) for k in names} for r in rows], schema=schema_)

    tables = {
        "segments": table(seg_rows, seg_schema),
        "spans": table(span_rows, span_schema),
        "relations": table(rel_rows, rel_schema),
        "attributions": table(attributions, attribution_schema(schema)),
        "annotations": table(ann_rows, ann_schema),
        "adjudications": table(adj_rows, adj_schema),
        "articles": table(art_rows, art_schema),
    }
    records = _records(seg_rows, fields, span_rows, rel_rows, attributions, ann_rows)
    spans_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sp in span_rows:  # grouped once: a scan of every span per segment was quadratic
        spans_of[sp["segment_id"]].append(
            {"start": sp["start"], "end": sp["end"], "label": sp["label"]}
        )
    spacy = [
        {
            "text": s["text"],
            "spans": spans_of.get(s["segment_id"], []),
            "meta": {
                "segment_id": s["segment_id"],
                "article_id": s["article_id"],
                "split": s["split"],
            },
        }
        for s in seg_rows
    ]
    return ReleaseTables(tables, records, spacy)


# -- attribution triples ------------------------------------------------------------------------

_PARTS = ("source", "cue", "content")


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
    spans: list[dict[str, Any]],
    relations: list[dict[str, Any]],
    split_of: Mapping[str, str],
) -> list[dict[str, Any]]:
    """(source, cue, content) triples from the consensus spans and relations."""
    by_key = {(s["segment_id"], s["span_id"]): s for s in spans}
    records = [
        Span(
            s["segment_id"],
            "consensus",
            s["label"],
            s["start"],
            s["end"],
            s["attributes"],
            s["span_id"],
        )
        for s in spans
    ]
    rels = [
        Relation(r["segment_id"], "consensus", r["kind"], r["from_id"], r["to_id"])
        for r in relations
    ]
    out: list[dict[str, Any]] = []
    for t in attribution_triples(records, rels):
        row: dict[str, Any] = {"segment_id": t.item, "split": split_of[t.item]}
        for part, sp in (("content", t.content), ("source", t.source), ("cue", t.cue)):
            src = by_key.get((t.item, sp.region_id)) if sp is not None else None
            row[f"{part}_id"] = src["span_id"] if src else None
            row[f"{part}_start"] = src["start"] if src else None
            row[f"{part}_end"] = src["end"] if src else None
            row[f"{part}_text"] = src["text"] if src else None
            for name in _part_attrs(schema, part):
                row[f"{part}_{name}"] = src["attributes"].get(name) if src else None
        out.append(row)
    out.sort(
        key=lambda r: (
            r["segment_id"],
            r["content_start"],
            r["content_id"],
            r["source_id"] or "",
            r["cue_id"] or "",
        )
    )
    return out


# -- nested records -----------------------------------------------------------------------------


def _records(
    segs: list[dict[str, Any]],
    fields: list[str],
    spans: list[dict[str, Any]],
    relations: list[dict[str, Any]],
    attributions: list[dict[str, Any]],
    annotations: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    def group(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            out[r["segment_id"]].append(r)
        return out

    g_spans, g_rels, g_attr, g_ann = (
        group(spans),
        group(relations),
        group(attributions),
        group(annotations),
    )
    records = []
    for s in segs:
        sid = s["segment_id"]
        records.append(
            {
                "segment_id": sid,
                "article_id": s["article_id"],
                "position": s["position"],
                "start": s["start"],
                "end": s["end"],
                "text": s["text"],
                "split": s["split"],
                "labels": {
                    f: {
                        "label": s[f],
                        "confidence": s[f"{f}_confidence"],
                        "support": s[f"{f}_support"],
                        "adjudicated": s[f"{f}_adjudicated"],
                    }
                    for f in fields
                },
                "spans": [
                    {
                        k: sp[k]
                        for k in (
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
                    }
                    for sp in g_spans.get(sid, [])
                ],
                "relations": [
                    {k: r[k] for k in ("kind", "from_id", "to_id", "support", "confidence")}
                    for r in g_rels.get(sid, [])
                ],
                "attributions": [{p: a[f"{p}_id"] for p in _PARTS} for a in g_attr.get(sid, [])],
                "annotations": [
                    {
                        "annotator": a["annotator"],
                        "labels": a["_choices"],
                        "spans": a["_spans"],
                        "relations": [
                            {"kind": k, "from_id": f, "to_id": t} for k, f, t in a["_relations"]
                        ],
                    }
                    for a in g_ann.get(sid, [])
                ],
            }
        )
    return records
