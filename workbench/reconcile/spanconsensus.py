"""Consensus of span layers: spans aligned across annotators (`SpanIndex` clusters), kept
when enough annotators drew them, and the relations between kept spans (their attributes:
`extract.attribute_data`, voted on as categorical fields by `engine`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np

from ._bootstrap import IntArray
from .arrays import runs
from .consensus import _named, _threshold
from .records import Relation
from .spanindex import SpanIndex


def _run_names(who: IntArray, offs: IntArray, names: Sequence[str]) -> list[tuple[str, ...]]:
    """The names of the annotators `who` of each run (runs start at `offs`, annotators come
    sorted within one): as `_named` bitmasks when they fit, so runs share their tuples."""
    if len(names) <= 62:
        return _named(np.bitwise_or.reduceat(np.left_shift(np.int64(1), who), offs), names)
    return runs(list(map(names.__getitem__, who.tolist())), [*offs.tolist(), len(who)])


#: The columns of `relation_consensus`: a relation between two kept consensus spans, with the
#: annotators who drew it.
RELATION_COLUMNS = ("item", "kind", "from_id", "to_id", "support", "confidence", "n_annotators")


@dataclass(frozen=True, eq=False)
class ClusterTable:
    """Every aligned cluster of a `SpanIndex` as columns, in `SpanIndex.cluster_members` order, with
    what span consensus decides about it: its id, bounds (the medoid's), supporters and
    whether it is kept. Reconcile builds its rows straight from these columns; there are
    ~5 x 10^5 clusters at 10^5 segments, and a record per cluster on the way was seconds."""

    ids: list[str]
    items: list[str]
    labels: list[str]
    start: list[int]
    end: list[int]
    support: list[tuple[str, ...]]
    confidence: list[float]
    n_annotators: list[int]
    exact: list[bool]
    keep: list[bool]

    def regions(self, index: SpanIndex) -> list[tuple[tuple[str, str], ...]]:
        """Each cluster's supporters' (annotator, region id)."""
        flat, bounds = index.cluster_members
        members = flat.tolist()
        annotators = map(index.annotators.__getitem__, index.ann[flat].tolist())
        regions = map(index.region_ids.__getitem__, members)
        return runs(list(zip(annotators, regions, strict=True)), bounds)


def cluster_table(index: SpanIndex, min_support: int | float = 0.5) -> ClusterTable:
    """The clusters of `index` and their consensus: a cluster is kept when its annotators
    reach `min_support` (a count, or a share of the item's annotators: see
    `consensus.majority_vote`)."""
    _threshold(min_support, np.ones(1))  # validates
    flat, bounds = index.cluster_members
    if len(bounds) == 1:
        return ClusterTable([], [], [], [], [], [], [], [], [], [])
    offs, sizes = index.cluster_offsets
    first = flat[offs]
    per_item = np.bincount(index.cov_item, minlength=len(index.items))
    n_cov = per_item[index.item[first]]
    medoid_list, exact_list = index.medoids
    medoid = np.array(medoid_list, dtype=np.int64)
    support = _run_names(index.ann[flat], offs, index.annotators)
    return ClusterTable(
        ids=index.cluster_ids,
        items=list(map(index.items.__getitem__, index.item[first].tolist())),
        labels=list(map(index.labels.__getitem__, index.lab[first].tolist())),
        start=index.start[medoid].tolist(),
        end=index.end[medoid].tolist(),
        support=support,
        confidence=np.divide(sizes, n_cov, out=np.zeros(len(sizes)), where=n_cov > 0).tolist(),
        n_annotators=n_cov.tolist(),
        exact=exact_list,
        keep=(sizes >= _threshold(min_support, n_cov.astype(np.float64))).tolist(),
    )


def relation_consensus(
    index: SpanIndex,
    table: ClusterTable,
    relations: Iterable[Relation],
    min_support: int | float = 0.5,
) -> tuple[list[list[Any]], list[bool]]:
    """Relations between the kept clusters of `table`, unsorted, as columns
    (`RELATION_COLUMNS`), and whether each is kept: when enough annotators drew it between
    those clusters (the same `min_support`). Ends are matched to spans
    on integer keys, (item, annotator, region) codes: dicts keyed by tuples of every span and
    relation, and a record per relation, were seconds at 10^5 segments."""
    relations = list(relations)  # into columns (`zip(*relations)` is an iterator per row)
    items, whos, kinds, froms, tos = (list(map(itemgetter(k), relations)) for k in range(5))
    none: tuple[list[list[Any]], list[bool]] = ([[] for _ in RELATION_COLUMNS], [])
    if not items or not table.ids:
        return none
    # the region ids that relations name, as codes (a span named by none matches none)
    code_of = {region: k for k, region in enumerate(dict.fromkeys([*froms, *tos]))}
    n, n_rel, n_codes = index.n, len(items), len(code_of)
    span_code = np.fromiter(map(code_of.get, index.region_ids, repeat(-1)), np.int64, n)
    # a span's key, among the named spans of kept clusters: ties to the last, as a dict would
    flat, _ = index.cluster_members
    cluster = np.zeros(n, dtype=np.int64)
    cluster[flat] = np.repeat(np.arange(len(table.ids)), index.cluster_offsets[1])
    kept = np.flatnonzero(np.array(table.keep, dtype=bool)[cluster] & (span_code >= 0))
    if not len(kept):
        return none
    span_key = (index.item[kept] * index.n_ann + index.ann[kept]) * n_codes + span_code[kept]
    order = np.argsort(span_key, kind="stable")
    last = np.r_[span_key[order][1:] != span_key[order][:-1], True]
    keys, at = span_key[order][last], kept[order][last]
    item_code = {x: k for k, x in enumerate(index.items)}
    ann_code = {x: k for k, x in enumerate(index.annotators)}
    r_item = np.fromiter(map(item_code.get, items, repeat(-1)), np.int64, n_rel)
    r_ann = np.fromiter(map(ann_code.get, whos, repeat(-1)), np.int64, n_rel)
    ends = []
    for given in (froms, tos):
        end_code = np.fromiter(map(code_of.__getitem__, given), np.int64, n_rel)
        key = (r_item * index.n_ann + r_ann) * n_codes + end_code
        pos = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
        found = (r_item >= 0) & (r_ann >= 0) & (keys[pos] == key)
        ends.append(np.where(found, cluster[at[pos]], -1))
    kind_code = {kind: k for k, kind in enumerate(dict.fromkeys(kinds))}
    kind_names, kind = list(kind_code), np.fromiter(map(kind_code.get, kinds), np.int64, n_rel)
    # one row per (a, b, kind, annotator) drawn: annotators sorted by name within a group
    use = np.flatnonzero((ends[0] >= 0) & (ends[1] >= 0))
    if not len(use):
        return none
    n_cl, n_kind = len(table.ids), len(kind_names)
    group = (ends[0][use] * n_cl + ends[1][use]) * n_kind + kind[use]
    drawn = np.unique(group * index.n_ann + r_ann[use])
    group, who = drawn // index.n_ann, drawn % index.n_ann
    bounds = [0, *(np.flatnonzero(np.diff(group)) + 1).tolist(), len(group)]
    supports = _run_names(who, np.array(bounds[:-1], dtype=np.int64), index.annotators)
    heads = group[bounds[:-1]]
    a, b, k = heads // n_kind // n_cl, heads // n_kind % n_cl, heads % n_kind
    item_n = np.bincount(index.cov_item, minlength=len(index.items))
    n_of = item_n[index.item[flat[index.cluster_offsets[0]]][a]].astype(np.float64)
    sizes, ids, names = np.diff(bounds), table.ids, table.items
    columns: list[list[Any]] = [
        list(map(names.__getitem__, a.tolist())),
        list(map(kind_names.__getitem__, k.tolist())),
        list(map(ids.__getitem__, a.tolist())),
        list(map(ids.__getitem__, b.tolist())),
        supports,
        (sizes / n_of).tolist(),
        n_of.astype(np.int64).tolist(),
    ]
    return columns, (sizes >= _threshold(min_support, n_of)).tolist()
