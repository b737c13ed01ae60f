"""The one reader of stored annotation entries (pure): `parse_entries` turns them into columns
(`ParsedAnnotations`), which agreement, consensus and the release's figures all read. From
the columns: each categorical question's data (`field_data`), the span index (`span_index`:
a span per region and label), per-region attributes of *aligned* spans as categorical data
(`attribute_data`: items ``<segment>/<cluster id>``, one field ``<Label>.<attribute>`` each,
so the categorical metrics and consensus work on them unchanged), and, for the few places
that compare annotations one by one, records (`records_of`).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import attrgetter, is_not, methodcaller
from types import MappingProxyType
from typing import Any

import numpy as np
import orjson

from workbench.errors import ValidationError
from workbench.schema import Schema

from ._bootstrap import IntArray
from .records import NO_ATTRS, CategoricalData, Label, Relation, Span
from .spanindex import SpanIndex


@dataclass
class ParsedAnnotations:
    """The annotations' stored entries as columns, in table order: each one's segment,
    annotator and answers to the `fields` (as given, None when none); every span (by the
    position of its annotation) with its attributes; the further labels of spans of several
    (span position, labels); every relation between two regions of its annotation. Agreement,
    consensus and the release's figures all read these (each entry is parsed once)."""

    fields: Sequence[str]
    segment_id: list[str] = field(default_factory=list)
    annotator: list[str] = field(default_factory=list)
    labels: dict[str, list[Any]] = field(default_factory=dict)
    # integers in arrays, not lists: the garbage collector walks every long list at each of
    # its full passes, while reconcile makes millions of objects
    span_of: array[int] = field(default_factory=lambda: array("q"))
    span_label: list[str] = field(default_factory=list)
    span_start: array[int] = field(default_factory=lambda: array("q"))
    span_end: array[int] = field(default_factory=lambda: array("q"))
    span_region: list[str] = field(default_factory=list)
    span_attrs: list[Mapping[str, Any] | None] = field(default_factory=list)
    more_labels: list[tuple[int, list[str]]] = field(default_factory=list)
    relations: list[tuple[int, str, str, str]] = field(default_factory=list)  # of, kind, from, to

    def __post_init__(self) -> None:
        self.labels = {f: self.labels.get(f, []) for f in self.fields}

    def add(self, sid: str, annotator: str, entry: Mapping[str, Any]) -> None:
        """One annotation's stored entry (`labels`, `spans`, `relations`)."""
        k = len(self.segment_id)
        self.segment_id.append(sid)
        self.annotator.append(annotator)
        choices = entry.get("labels") or {}
        for f in self.fields:
            self.labels[f].append(choices.get(f))
        spans = entry.get("spans") or ()
        for sp in spans:
            if "labels" in sp and len(sp["labels"]) > 1:
                self.more_labels.append((len(self.span_of), sp["labels"][1:]))
            self.span_of.append(k)
            self.span_label.append(sp["label"])
            self.span_start.append(sp["start"])
            self.span_end.append(sp["end"])
            self.span_region.append(sp["region_id"])
            self.span_attrs.append(sp.get("attributes"))
        relations = entry.get("relations")
        if relations:
            regions = {sp["region_id"] for sp in spans}
            self.relations.extend(
                (k, r["kind"], r["from_id"], r["to_id"])
                for r in relations
                if r["from_id"] in regions and r["to_id"] in regions
            )


def parse_entries(
    schema: Schema, sids: Iterable[str], annotators: Iterable[str], entries: Iterable[Any]
) -> ParsedAnnotations:
    """`ParsedAnnotations` of stored entries (JSON texts or decoded), in the order given,
    with the answers to every segment question."""
    out = ParsedAnnotations([attr.name for attr in schema.segment])
    for sid, who, entry in zip(sids, annotators, entries, strict=True):
        out.add(sid, who, orjson.loads(entry) if isinstance(entry, str | bytes) else entry)
    return out


@dataclass
class Records:
    """Annotations as records (`records_of`): a `Label` per answer to a question of one
    category, a `Span` per region and label (its answers in `attrs`), a `Relation` per
    relation. `coverage` lists every (segment, annotator) that annotated the segment, so an
    annotator who drew no span in it still counts (as finding nothing)."""

    labels: list[Label] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    coverage: set[tuple[str, str]] = field(default_factory=set)


def records_of(schema: Schema, parsed: ParsedAnnotations) -> Records:
    """The records of `parsed`, spans in the order of their annotations' entries (a region
    with several labels is a span per label, in a row: the first keeps the region's id).
    Answers that are not one category are stored and exported, not reconciled."""
    sids, anns = parsed.segment_id, parsed.annotator
    out = Records(coverage=set(zip(sids, anns, strict=True)))
    for name in [a.name for a in schema.segment if a.categorical and not a.multiple]:
        for k, value in enumerate(parsed.labels[name]):
            if value is not None and type(value) is not list:
                out.labels.append(Label(sids[k], anns[k], name, str(value)))
    more = dict(parsed.more_labels)
    for k, of in enumerate(parsed.span_of):
        given, rid = parsed.span_attrs[k], parsed.span_region[k]
        # sorted (the order adjudicated rows store them in) and frozen: a region's spans share them
        attrs = (
            MappingProxyType({a: str(v) for a, v in sorted(given.items()) if type(v) is not list})
            if given
            else NO_ATTRS
        )
        start, end = parsed.span_start[k], parsed.span_end[k]
        for j, label in enumerate((parsed.span_label[k], *more.get(k, ()))):
            span_id = rid if j == 0 else f"{rid}#{label}"
            out.spans.append(Span(sids[of], anns[of], label, start, end, attrs, span_id))
    out.relations = relation_records(parsed)
    return out


def attribute_field(label: str, attribute: str) -> str:
    return f"{label}.{attribute}"


def span_index(
    parsed: ParsedAnnotations, threshold: float, first_labels: bool = False
) -> tuple[SpanIndex, list[Any]]:
    """The span index of `parsed` as `records_of` makes its spans (one per label of a region:
    the first keeps its id; with `first_labels`, as the release's figures count them, only
    that one), and each span's attributes in the order the index was given."""
    of, label, start, end = parsed.span_of, parsed.span_label, parsed.span_start, parsed.span_end
    region, attrs = parsed.span_region, parsed.span_attrs
    if parsed.more_labels and not first_labels:
        extra = [(k, lab) for k, more in parsed.more_labels for lab in more]
        ks = [k for k, _ in extra]
        of, label = of + array("q", [of[k] for k in ks]), label + [lab for _, lab in extra]
        start, end = (
            start + array("q", [start[k] for k in ks]),
            end + array("q", [end[k] for k in ks]),
        )
        region = region + [f"{region[k]}#{lab}" for k, lab in extra]
        attrs = attrs + [attrs[k] for k in ks]
    bad = np.flatnonzero((np.asarray(start) < 0) | (np.asarray(end) <= np.asarray(start)))
    if len(bad):
        k = int(bad[0])
        item = parsed.segment_id[of[k]]
        raise ValueError(f"span [{start[k]}, {end[k]}) of {item!r} is empty or negative")
    index = SpanIndex(parsed.segment_id, parsed.annotator, of, label, start, end, region, threshold)
    return index, attrs


def field_data(schema: Schema, parsed: ParsedAnnotations) -> dict[str, CategoricalData]:
    """The data of each segment question of one category that anyone answered, by name."""
    out = {}
    sids, anns = parsed.segment_id, parsed.annotator
    for attr in sorted(schema.segment, key=attrgetter("name")):
        column = parsed.labels.get(attr.name) if attr.categorical and not attr.multiple else None
        given = [k for k, v in enumerate(column or ()) if v is not None and type(v) is not list]
        if column is not None and given:
            values = [str(column[k]) for k in given]
            items, who = [sids[k] for k in given], [anns[k] for k in given]
            out[attr.name] = CategoricalData.from_columns(
                attr.name, items, who, values, attr.values
            )
    return out


def set_answers(schema: Schema, parsed: ParsedAnnotations) -> list[tuple[Any, ...]]:
    """The answers of `parsed` to questions of several choices: (segment, annotator,
    question, the set chosen)."""
    out = []
    sids, anns = parsed.segment_id, parsed.annotator
    several = [a.name for a in schema.segment if a.categorical and a.multiple]
    for name in several:
        for sid, who, value in zip(sids, anns, parsed.labels[name], strict=True):
            if value is not None:
                chosen = value if isinstance(value, list) else [value]
                out.append((sid, who, name, frozenset(map(str, chosen))))
    return out


def relation_records(parsed: ParsedAnnotations) -> list[Relation]:
    """The relations of `parsed`, in the schema's direction."""
    sids, anns = parsed.segment_id, parsed.annotator
    return [
        Relation(sids[k], anns[k], str(kind), str(a), str(b)) for k, kind, a, b in parsed.relations
    ]


def attribute_data(
    schema: Schema,
    index: SpanIndex,
    clusters: IntArray | None,
    attrs: Sequence[Mapping[str, Any] | None],
) -> dict[str, CategoricalData]:
    """Per-region attribute values of aligned spans: one `CategoricalData` per field
    ``<Label>.<attribute>`` (sorted by field; fields nobody used are left out), its items
    ``<segment>/<cluster id>`` (`SpanIndex.cluster_items`) and its categories the schema's
    values, over the `clusters` of `index` given by position (default: all). Only
    attributes the schema defines for the cluster's label count. The same as
    `CategoricalData.from_labels` of one `Label` per member's attribute value, built on
    columns: that was ~10^6 tuples at 10^5 segments. `attrs`: each span's attributes in the
    order the index was given them, as stored (`span_index`)."""
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
    annotators = index.annotators
    for lab in schema.labels:
        questions = schema.region_questions(lab.name)  # its own, and those for any label
        if not questions or lab.name not in lab_code:
            continue
        pick = np.flatnonzero(member_lab == lab_code[lab.name])
        pos, cl = members[pick], cluster[pick]
        given_attrs = [attrs[k] or NO_ATTRS for k in index.order[pos].tolist()]
        for attr in questions:
            if not attr.categorical or attr.multiple:
                continue  # stored and exported, not reconciled
            field_name = attribute_field(lab.name, attr.name)
            # C-level maps: these run over every attribute vote of a dataset
            values = list(map(methodcaller("get", attr.name), given_attrs))
            if not all(type(v) is str for v in values if v is not None):  # as `extract` has them
                values = [None if v is None or isinstance(v, list) else str(v) for v in values]
            has_list = list(map(is_not, values, repeat(None)))
            has = np.array(has_list, dtype=bool)
            if not has.any():
                continue
            code_of = {c: i for i, c in enumerate(attr.values)}
            given: list[str] = list(compress(values, has_list))
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
