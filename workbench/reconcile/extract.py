"""Label Studio results → reconciliation records (pure: no DB, no network).

One annotation ``result`` (the format documented in `workbench.schema`) becomes:

* a `Label` per segment-level choice (field = the choice's name, e.g. ``sentiment``);
* a `Span` per region, its per-region choices in `attrs` keyed by attribute name;
* a `Relation` per relation, always from → to in the schema's direction (``left`` is flipped).

Per-region attributes are compared on *aligned* spans: `attribute_labels_of` turns the spans'
attrs into `Label`s whose item is ``<segment>/<consensus span id>`` and field
``<Label>.<attribute>`` (``Source.source_type``), so the categorical metrics and the consensus
methods work on them unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.gcpause import paused_gc
from workbench.schema import LABELS_NAME, Schema

from .records import Label, Relation, Span
from .spanindex import SpanIndex

#: Separates the segment id from the consensus span id in per-region attribute items.
ITEM_SEP = "/"


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


def attribute_labels_of(
    schema: Schema, index: SpanIndex, ids: Sequence[str], members: Sequence[tuple[int, ...]]
) -> list[Label]:
    """Per-region attribute values as `Label`s on aligned spans (item ``<segment>/<span id>``),
    for clusters built on `index`, given by their ids and their members' span positions
    (`SpanIndex.cluster_ids` / `clusters`, or `SpanConsensus.members`). Only attributes the
    schema defines for the cluster's label are kept."""
    fields = {
        lab.name: {a.name: attribute_field(lab.name, a.name) for a in lab.attributes}
        for lab in schema.labels
    }
    spans = index.spans
    out: list[Label] = []
    for cluster_id, positions in zip(ids, members, strict=True):
        head = spans[positions[0]]
        names = fields.get(head.label)
        if not names:
            continue
        item = f"{head.item}{ITEM_SEP}{cluster_id}"
        for k in positions:
            span = spans[k]
            for name, value in span.attrs.items():
                f = names.get(name)
                if f is not None:
                    out.append(Label(item, span.annotator, f, value))
    return out
