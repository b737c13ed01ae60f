"""Label Studio results → reconciliation records (pure: no DB, no network).

One annotation ``result`` (the format documented in `workbench.schema`) becomes:

* a `Label` per segment-level choice (field = the choice's name, e.g. ``sentiment``);
* a `Span` per region, its per-region choices in `attrs` keyed by attribute name;
* a `Relation` per relation, always from → to in the schema's direction (``left`` is flipped).

Per-region attributes are compared on *aligned* spans: `attribute_data` turns the spans'
attrs into categorical data whose items are ``<segment>/<consensus span id>``, one field
``<Label>.<attribute>`` (``Source.source_type``) each, so the categorical metrics and the
consensus methods work on them unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import attrgetter, is_not
from types import MappingProxyType
from typing import Any

import numpy as np

from workbench.errors import ValidationError
from workbench.gcpause import paused_gc
from workbench.schema import LABELS_NAME, Schema

from ._bootstrap import IntArray
from .categorical import CategoricalData
from .records import Label, Relation, Span
from .spanindex import SpanIndex


@dataclass(frozen=True)
class AnnotationInput:
    """One annotator's current annotation of one segment, as reconcile sees it."""

    segment_id: str
    annotator: str  # the pseudonym: reconcile never needs the person
    result: Sequence[Any]


@dataclass
class Records:
    """Everything extracted from a set of annotations, ready for the pure core.

    `coverage` lists every (segment, annotator) that annotated the segment, so an annotator who
    drew no span in it still counts (as finding nothing).
    """

    labels: list[Label] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    coverage: set[tuple[str, str]] = field(default_factory=set)

    def extend(self, other: Records) -> None:
        self.labels.extend(other.labels)
        self.spans.extend(other.spans)
        self.relations.extend(other.relations)
        self.coverage |= other.coverage


def attribute_field(label: str, attribute: str) -> str:
    return f"{label}.{attribute}"


def extract(schema: Schema, item: str, annotator: str, result: Sequence[Any]) -> Records:
    """Records of one (already validated) result; anything malformed is skipped, not fatal."""
    out = Records(coverage={(item, annotator)})
    controls = schema.controls
    regions: dict[str, dict[str, Any]] = {}
    attrs: dict[str, dict[str, str]] = {}
    for entry in result:
        if not isinstance(entry, dict):
            continue
        name = entry.get("from_name")
        value = entry.get("value") or {}
        if entry.get("type") == "relation":
            continue
        if name == LABELS_NAME:
            labels = value.get("labels") or []
            rid = entry.get("id")
            if isinstance(rid, str) and len(labels) == 1:
                regions[rid] = value
        elif isinstance(name, str) and name in controls:
            choices = value.get("choices") or []
            if len(choices) != 1:
                continue
            attr = controls[name]
            if attr.per_region:
                rid = entry.get("id")
                if isinstance(rid, str):
                    attrs.setdefault(rid, {})[attr.name] = str(choices[0])
            else:
                out.labels.append(Label(item, annotator, attr.name, str(choices[0])))
    for rid, value in regions.items():
        start, end = value.get("start"), value.get("end")
        if not (isinstance(start, int) and isinstance(end, int)) or end <= start or start < 0:
            continue
        out.spans.append(
            Span(item, annotator, str(value["labels"][0]), start, end, attrs.get(rid, {}), rid)
        )
    for entry in result:
        if not isinstance(entry, dict) or entry.get("type") != "relation":
            continue
        a, b, labels = entry.get("from_id"), entry.get("to_id"), entry.get("labels") or []
        if a not in regions or b not in regions or len(labels) != 1:
            continue
        if entry.get("direction") == "left":
            a, b = b, a
        out.relations.append(Relation(item, annotator, str(labels[0]), str(a), str(b)))
    return out


@paused_gc()
def extract_all(schema: Schema, annotations: Iterable[AnnotationInput]) -> Records:
    out = Records()
    for ann in annotations:
        out.extend(extract(schema, ann.segment_id, ann.annotator, ann.result))
    return out


def labels_by_field(labels: Iterable[Label]) -> dict[str, list[Label]]:
    """The labels of each field, fields in sorted order (each field's labels grouped once)."""
    out: dict[str, list[Label]] = {}
    for lab in labels:
        out.setdefault(lab.field, []).append(lab)
    return dict(sorted(out.items()))


def attribute_data(
    schema: Schema, index: SpanIndex, clusters: IntArray | None = None
) -> dict[str, CategoricalData]:
    """Per-region attribute values of aligned spans: one `CategoricalData` per field
    ``<Label>.<attribute>`` (sorted by field; fields nobody used are left out), its items
    ``<segment>/<cluster id>`` (`SpanIndex.cluster_items`) and its categories the schema's
    values, over the `clusters` of `index` given by position (default: all). Only
    attributes the schema defines for the cluster's label count. The same as
    `CategoricalData.from_labels` of one `Label` per member's attribute value, built on
    columns: that was ~10^6 tuples at 10^5 segments."""
    out: dict[str, CategoricalData] = {}
    flat, _ = index.cluster_members
    starts, sizes = index.cluster_offsets
    if clusters is not None:
        starts, sizes = starts[clusters], sizes[clusters]
    else:
        clusters = np.arange(len(sizes))
    ends = np.cumsum(sizes)
    members = flat[
        np.repeat(starts - (ends - sizes), sizes) + np.arange(int(ends[-1]) if len(ends) else 0)
    ]
    cluster = np.repeat(clusters, sizes)
    member_lab = index.lab[members]
    lab_code = {name: k for k, name in enumerate(index.labels)}
    spans, annotators = index.spans, index.annotators
    for lab in schema.labels:
        if not lab.attributes or lab.name not in lab_code:
            continue
        pick = np.flatnonzero(member_lab == lab_code[lab.name])
        pos, cl = members[pick], cluster[pick]
        # C-level maps throughout: these run over every attribute vote of a dataset
        attrs = list(map(attrgetter("attrs"), map(spans.__getitem__, pos.tolist())))
        for attr in lab.attributes:
            field_name = attribute_field(lab.name, attr.name)
            values = list(map(MappingProxyType.get, attrs, repeat(attr.name)))
            has_list = list(map(is_not, values, repeat(None)))
            has = np.array(has_list, dtype=bool)
            if not has.any():
                continue
            code_of = {c: i for i, c in enumerate(attr.values)}
            given: list[str] = list(compress(values, has_list))  # type: ignore[arg-type]
            code = np.fromiter(map(code_of.get, given, repeat(-1)), np.int64, len(given))
            if (code < 0).any():
                unknown = sorted({v for v in given if v not in code_of})
                raise ValidationError(f"{field_name}: values not in the categories: {unknown}")
            # items: the clusters with a value, in the sorted order of their names
            used, item_of = np.unique(cl[has], return_inverse=True)
            order = np.argsort(index.cluster_item_rank[used])
            position = np.empty(len(used), dtype=np.int64)
            position[order] = np.arange(len(used))
            used_anns, ann_idx = np.unique(index.ann[pos[has]], return_inverse=True)
            out[field_name] = CategoricalData.from_codes(
                field_name,
                tuple(map(index.cluster_items.__getitem__, used[order].tolist())),
                tuple(annotators[a] for a in used_anns.tolist()),
                attr.values,
                position[item_of.reshape(-1)],
                ann_idx.reshape(-1).astype(np.int64),
                code,
            )
    return dict(sorted(out.items()))
