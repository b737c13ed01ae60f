"""Consensus of every layer of a schema, from records (pure).

* categorical fields — segment-level choices and per-region attributes of kept spans — by
  majority vote (`min_support`) or Dawid–Skene (fitted over every item of the field, so an
  annotator's reliability is learnt from the whole dataset);
* spans: aligned across annotators, kept when enough annotators drew them (`min_support`);
  the others are *undecided* (partial support) and go to adjudication;
* relations: kept when both ends were kept and enough annotators drew them.

An adjudicated segment (`decisions`: segment → the adjudicator's result) takes the decision
for every layer instead (status ``adjudicated``); the annotators' votes are still recorded, and
`support` names those who agreed with the decision.

Rows come as columns (`ConsensusRows`) sorted canonically, so the same annotations give the
same rows whatever order they came in.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from itertools import compress, repeat
from operator import attrgetter, getitem, itemgetter
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.annotation import parse as parse_result
from workbench.annotation.clean import canonical_json
from workbench.schema import Schema

from .consensus import _threshold, dawid_skene, majority_columns
from .extract import (
    ParsedAnnotations,
    attribute_data,
    attribute_field,
    field_data,
    parse_entries,
    records_of,
    relation_records,
    set_answers,
    span_index,
)
from .records import CategoricalData, jaccard
from .spanconsensus import ClusterTable, cluster_table, relation_consensus
from .spanindex import ITEM_SEP, SpanIndex
from .spans import DEFAULT_THRESHOLD

Method = Literal["vote", "dawid-skene"]
METHOD_NAMES: Mapping[str, str] = {"vote": "majority_vote", "dawid-skene": "dawid_skene"}
ADJUDICATOR = "adjudicator"


# The row records are slotted, not frozen: reconcile builds ~10^6 of them at 10^5 segments and
# a frozen dataclass's __init__ (object.__setattr__ per field) was a visible share of that.


@dataclass(slots=True)
class LabelRow:
    """Consensus of one categorical field of a segment (`span_key` "" ) or of a span."""

    segment_id: str
    field: str
    span_key: str
    method: str
    label: str | None
    votes: Mapping[str, tuple[str, ...]]  # value → annotators who gave it
    support: tuple[str, ...]
    n_annotators: int
    confidence: float
    status: str  # decided | undecided | adjudicated


@dataclass(slots=True)
class SpanRow:
    segment_id: str
    span_key: str
    label: str
    start: int
    end: int
    text: str
    attrs: Mapping[str, str]
    support: tuple[str, ...]
    n_annotators: int
    confidence: float
    exact: bool
    status: str  # decided | undecided (partial support) | adjudicated
    regions: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class RelationRow:
    segment_id: str
    kind: str
    from_key: str
    to_key: str
    support: tuple[str, ...]
    n_annotators: int
    confidence: float
    status: str


@dataclass
class SegmentConsensus:
    labels: list[LabelRow] = field(default_factory=list)
    spans: list[SpanRow] = field(default_factory=list)
    relations: list[RelationRow] = field(default_factory=list)

    def sort(self) -> None:
        """Rows in the store's order (`_TABLES`: one segment's rows, so its segment aside)."""
        for name, _, keys in _TABLES:
            getattr(self, name).sort(key=attrgetter(*keys[1:]))


_TABLES = (
    ("labels", LabelRow, ("segment_id", "span_key", "field")),
    ("spans", SpanRow, ("segment_id", "start", "end", "label", "span_key")),
    ("relations", RelationRow, ("segment_id", "kind", "from_key", "to_key")),
)


@dataclass
class ConsensusRows:
    """The consensus of `segments` (sorted: every one computed, with rows or not) as the
    store's three tables, column by column (`LabelRow`'s, `SpanRow`'s and `RelationRow`'s
    fields), rows in the store's order: by segment, then as `SegmentConsensus.sort`. No record
    per row: there are ~10^6 rows at 10^5 segments, and the garbage collector walked every
    record at each of its full passes."""

    segments: list[str]
    labels: list[list[Any]] = field(default_factory=lambda: [[] for _ in fields(LabelRow)])
    spans: list[list[Any]] = field(default_factory=lambda: [[] for _ in fields(SpanRow)])
    relations: list[list[Any]] = field(default_factory=lambda: [[] for _ in fields(RelationRow)])

    def replace(self, conses: Mapping[str, SegmentConsensus]) -> None:
        """The rows of the segments of `conses` replaced by theirs."""
        for name, _, _ in _TABLES:
            columns: list[list[Any]] = getattr(self, name)
            keep = [seg not in conses for seg in columns[0]]
            columns[:] = [list(compress(column, keep)) for column in columns]
            for cons in conses.values():
                _add(columns, getattr(cons, name))

    def sort(self) -> None:
        """Rows in the store's order (Arrow's sort: a Python sort of 10^6 keys was seconds)."""
        for name, kind, keys in _TABLES:
            columns: list[list[Any]] = getattr(self, name)
            if len(columns[0]) > 1:
                at = [[f.name for f in fields(kind)].index(key) for key in keys]
                table = pa.table([columns[k] for k in at], names=list(keys))
                order = pc.sort_indices(table, [(key, "ascending") for key in keys]).to_pylist()
                columns[:] = [list(map(column.__getitem__, order)) for column in columns]

    def only(self, segments: Container[str]) -> ConsensusRows:
        """The rows of `segments`."""
        out = ConsensusRows([seg for seg in self.segments if seg in segments])
        for name, _, _ in _TABLES:
            columns: list[list[Any]] = getattr(self, name)
            keep = list(map(segments.__contains__, columns[0]))
            setattr(out, name, [list(compress(column, keep)) for column in columns])
        return out

    def records(self) -> dict[str, SegmentConsensus]:
        """Every segment's rows as records (Dawid–Skene's output hash reads them)."""
        out = {seg: SegmentConsensus() for seg in self.segments}
        for name, kind, _ in _TABLES:
            for values in zip(*getattr(self, name), strict=True):
                getattr(out.setdefault(values[0], SegmentConsensus()), name).append(kind(*values))
        return out


def _round(x: float) -> float:
    # Stored and compared rounded: EM posteriors can differ in the last bits between runs of
    # different size, which must not count as a change.
    return round(float(x), 6)


def _rounded(values: Iterable[float]) -> dict[float, float]:
    """`_round` of each distinct value (confidences take few values: vote shares)."""
    return {x: _round(x) for x in set(values)}


def _votes_of(data: CategoricalData) -> list[dict[str, tuple[str, ...]]]:
    """The votes of every item of `data`, in item order: each value given (in name order) and
    who gave it (sorted). Items with the same votes share one dict (so never mutate a row's
    `votes`): at 10^5 segments there are ~5 x 10^5 items but a few hundred distinct votes."""
    cats, anns = data.categories, data.annotators
    k, n_a = len(cats), len(anns)
    if data.n_items == 0:
        return []
    by_name = sorted(range(k), key=cats.__getitem__)
    if k * n_a > 62:
        grouped: list[dict[int, list[str]]] = [defaultdict(list) for _ in range(data.n_items)]
        for i, a, c in zip(
            data.item_idx.tolist(), data.annotator_idx.tolist(), data.code.tolist(), strict=True
        ):
            grouped[i][c].append(anns[a])
        return [{cats[c]: tuple(g[c]) for c in by_name if c in g} for g in grouped]
    # one bit per (category, annotator): an item's votes are one int64 (rows are sorted by
    # item, and every item has a row)
    bits = np.left_shift(np.int64(1), data.code * n_a + data.annotator_idx)
    starts = np.flatnonzero(np.r_[True, data.item_idx[1:] != data.item_idx[:-1]])
    uniq, inverse = np.unique(np.bitwise_or.reduceat(bits, starts), return_inverse=True)
    every = (1 << n_a) - 1
    shared: list[dict[str, tuple[str, ...]]] = []
    for key in uniq.tolist():
        masks = {c: (key >> (c * n_a)) & every for c in by_name}
        shared.append(
            {
                cats[c]: tuple(anns[a] for a in range(n_a) if (m >> a) & 1)
                for c, m in masks.items()
                if m
            }
        )
    return [shared[i] for i in inverse.reshape(-1).tolist()]


def _label_rows(
    fields: Mapping[str, CategoricalData],
    method: Method,
    min_support: int | float,
    out: list[list[Any]],
) -> dict[str, dict[str, str]]:
    """Consensus rows of every field, added to `out` (`LabelRow`'s columns); returns the
    decided attributes of each span, by its item ``<segment>/<key>`` and attribute name (in
    name order: fields come sorted)."""
    attrs: dict[str, dict[str, str]] = defaultdict(dict)
    for name, data in fields.items():
        if method == "vote":
            labels, supports, confidence, n_ann, _ = majority_columns(data, min_support)
        else:
            fits = dawid_skene(data).labels
            if not fits:
                continue
            labels, supports, confidence, n_ann = (
                [getattr(c, name) for c in fits]
                for name in ("label", "support", "confidence", "n_annotators")
            )
        parts = list(map(str.partition, data.items, repeat(ITEM_SEP)))
        status = ["decided" if label is not None else "undecided" for label in labels]
        _extend(
            out,
            map(itemgetter(0), parts),
            repeat(data.field, len(parts)),
            map(itemgetter(2), parts),
            repeat(METHOD_NAMES[method], len(parts)),
            labels,
            _votes_of(data),
            supports,
            n_ann,
            map(_rounded(confidence).__getitem__, confidence),
            status,
        )
        attribute = name.partition(".")[2]
        if attribute:
            for item, label in zip(data.items, labels, strict=True):
                if label is not None:
                    attrs[item][attribute] = label
    return attrs


_NO_ATTRS: Mapping[str, str] = {}  # shared by the rows of spans without decided attributes


def _span_rows(
    index: SpanIndex,
    table: ClusterTable,
    texts: Mapping[str, str],
    attrs: Mapping[str, Mapping[str, str]],
    out: list[list[Any]],
) -> None:
    """A row per cluster, added to `out` (`SpanRow`'s columns)."""
    text_of = map(texts.get, table.items, repeat(""))
    _extend(
        out,
        table.items,
        table.ids,
        table.labels,
        table.start,
        table.end,
        map(getitem, text_of, map(slice, table.start, table.end)),
        map(attrs.get, index.cluster_items, repeat(_NO_ATTRS)),
        table.support,
        table.n_annotators,
        map(_rounded(table.confidence).__getitem__, table.confidence),
        table.exact,
        ["decided" if k else "undecided" for k in table.keep],
        table.regions(index),
    )


def _extend(out: list[list[Any]], *columns: Iterable[Any]) -> None:
    for column, values in zip(out, columns, strict=True):
        column.extend(values)


def _add(out: list[list[Any]], rows: Sequence[Any]) -> None:
    """Records (`LabelRow`, `SpanRow`, `RelationRow`) added to their columns `out`."""
    if rows:
        _extend(out, *(map(attrgetter(f.name), rows) for f in fields(rows[0])))


def set_rows(
    sets: Iterable[tuple[str, str, str, frozenset[str]]], min_support: int | float
) -> list[LabelRow]:
    """Consensus of answers of several choices: each value by its own vote (chosen by at least
    `min_support` of the item's annotators, a count or a share), the label the sorted list of
    the values kept, as canonical JSON. Support: the annotators who gave exactly that set;
    confidence: the mean, over the values anyone chose, of the share agreeing with the
    decision on it. An annotator who answered the question counts; one who did not, does not."""
    given: dict[tuple[str, str], dict[str, frozenset[str]]] = defaultdict(dict)
    for item, annotator, name, chosen in sets:
        given[(item, name)][annotator] = chosen
    out = []
    for (item, name), by in sorted(given.items()):
        n = len(by)
        need = float(_threshold(min_support, np.array([float(n)]))[0])
        counts = Counter(v for chosen in by.values() for v in chosen)
        kept = frozenset(v for v, c in counts.items() if c >= need)
        agree = [(c if v in kept else n - c) / n for v, c in counts.items()]
        votes: dict[str, list[str]] = defaultdict(list)
        for who, chosen in sorted(by.items()):
            votes[canonical_json(sorted(chosen))].append(who)
        label = canonical_json(sorted(kept))
        out.append(
            LabelRow(
                item,
                name,
                "",
                "majority_vote_per_value",
                label,
                {k: tuple(v) for k, v in sorted(votes.items())},
                tuple(votes.get(label, ())),
                n,
                round(float(np.mean(agree)) if agree else 1.0, 6),
                "decided",
            )
        )
    return out


def reconcile_records(
    schema: Schema,
    parsed: ParsedAnnotations,
    texts: Mapping[str, str],
    *,
    method: Method = "vote",
    min_support: int | float = 0.5,
    threshold: float = DEFAULT_THRESHOLD,
    decisions: Mapping[str, tuple[Sequence[Any], ParsedAnnotations]] | None = None,
    indexed: tuple[SpanIndex, list[Any]] | None = None,
) -> ConsensusRows:
    """Consensus of every segment of `parsed` (see the module doc). `decisions`: segment →
    the adjudicator's result and the segment's annotations; `indexed`: `span_index` of
    `parsed` at `threshold`, when built already."""
    index, span_attrs = indexed or span_index(parsed, threshold)
    table = cluster_table(index, min_support)
    attributes = attribute_data(schema, index, np.flatnonzero(table.keep), span_attrs)
    out = ConsensusRows(sorted(set(parsed.segment_id)))
    attrs = _label_rows(field_data(schema, parsed) | attributes, method, min_support, out.labels)
    _add(out.labels, set_rows(set_answers(schema, parsed), min_support))
    _span_rows(index, table, texts, attrs, out.spans)
    relations = relation_records(parsed)
    (*ends, support, confidence, n_ann), keep = relation_consensus(
        index, table, relations, min_support
    )
    status = ["decided" if k else "undecided" for k in keep]
    _extend(out.relations, *ends, support, n_ann, map(_round, confidence), status)
    if decisions:
        covered = set(out.segments)
        judged = {
            seg: adjudicated(schema, seg, result, mine, texts, METHOD_NAMES[method])
            for seg, (result, mine) in decisions.items()
            if seg in covered
        }
        out.replace(judged)
    out.sort()
    return out


def adjudicated(
    schema: Schema,
    seg: str,
    result: Sequence[Any],
    annotations: ParsedAnnotations,
    texts: Mapping[str, str],
    method: str,
    threshold: float = DEFAULT_THRESHOLD,
) -> SegmentConsensus:
    """A segment's consensus from the adjudicator's result (`annotations`: the segment's):
    every layer is the decision."""
    mine = records_of(schema, annotations)
    n = len(mine.coverage)
    parsed = parse_result(schema, texts.get(seg), result)  # the adjudicator's, as pulled
    decision = records_of(schema, parse_entries(schema, [seg], [ADJUDICATOR], [parsed.entry()]))
    out = SegmentConsensus()
    votes = {name: _votes_of(data)[0] for name, data in field_data(schema, annotations).items()}
    for lab in decision.labels:
        v = votes.get(lab.field, {})
        out.labels.append(
            LabelRow(
                seg,
                lab.field,
                "",
                method,
                lab.value,
                v,
                v.get(lab.value, ()),
                n,
                1.0,
                "adjudicated",
            )
        )
    text = texts.get(seg, "")
    key_of: dict[str, str] = {}
    for s in sorted(decision.spans, key=lambda s: (s.start, s.end, s.label)):
        key = f"{s.label}@{s.start}:{s.end}"
        again = key in key_of.values()  # the same span twice (e.g. after quote trimming)
        key_of[s.region_id] = key
        if again:  # one row
            continue
        # each annotator's best-matching span of the label: their support and attribute votes
        support_of: dict[str, Any] = {}
        for o in mine.spans:
            if o.label == s.label and (score := jaccard(o, s)) >= threshold:
                best = support_of.get(o.annotator)
                if best is None or score > jaccard(best, s):
                    support_of[o.annotator] = o
        support = tuple(sorted(support_of))
        out.spans.append(
            SpanRow(
                seg,
                key,
                s.label,
                s.start,
                s.end,
                text[s.start : s.end],
                dict(s.attrs),
                support,
                n,
                1.0,
                True,
                "adjudicated",
                (),
            )
        )
        for name, value in s.attrs.items():
            given: dict[str, list[str]] = defaultdict(list)
            for ann, o in sorted(support_of.items()):
                if name in o.attrs:
                    given[o.attrs[name]].append(ann)
            vv = {k: tuple(a) for k, a in sorted(given.items())}
            out.labels.append(
                LabelRow(
                    seg,
                    attribute_field(s.label, name),
                    key,
                    method,
                    value,
                    vv,
                    vv.get(value, ()),
                    len(support),
                    1.0,
                    "adjudicated",
                )
            )
    seen: set[tuple[str, str, str]] = set()
    for r in decision.relations:
        ends = (r.kind, key_of.get(r.from_region, ""), key_of.get(r.to_region, ""))
        if ends[1] and ends[2] and ends not in seen:
            seen.add(ends)
            out.relations.append(RelationRow(seg, *ends, (), n, 1.0, "adjudicated"))
    return out
