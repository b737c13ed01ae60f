"""One pass over a span layer that every span figure and the span consensus share: every
pair of same-label spans of two annotators in one item with its Jaccard index, computed once
by array arithmetic; matches, clusters and triples derive from it. Greedy choices (best
Jaccard first, ties by position) matter only where a span could be matched twice: only those
groups go through the Python greedy of the definitions in `spans`, so results are exactly the
definitions'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

import numpy as np

from ._bootstrap import FloatArray, IntArray
from .arrays import (
    BoolArray,
    _components,
    _firsts,
    _group_ends,
    _lexsort,
    _pairs_within,
    one_to_one,
)
from .records import factorize as _factorize

#: Separates an item from a cluster id in the items of per-region attributes.
ITEM_SEP = "/"
# a region key of `triple_positions`: contents come out in key order
K = TypeVar("K", bound=tuple[object, ...])


def _overlap(s0: IntArray, e0: IntArray, s1: IntArray, e1: IntArray) -> FloatArray:
    """`records.jaccard` of [s0, e0) and [s1, e1), element by element."""
    inter = np.minimum(e0, e1) - np.maximum(s0, s1)
    union = np.maximum(e0, e1) - np.minimum(s0, s1)
    out: FloatArray = np.where(inter > 0, inter / np.maximum(union, 1), 0.0)
    return out


def triple_positions(
    region: Mapping[K, int],
    relations: Iterable[tuple[K, K, bool]],
    position: Callable[[int], Any],
) -> list[tuple[int, int | None, int | None]]:
    """Attribution triples (content, source, cue) as span positions, the one definition of
    reconcile and the release: `region` maps a span's key to its position; `relations` are
    (from key, to key, is it content → source) of the two triple kinds. One triple per
    (source, cue) of a content, None where there is none; contents in key order."""
    sources: dict[K, list[int]] = defaultdict(list)
    cues: dict[K, list[int]] = defaultdict(list)
    for key_from, key_to, attributed in relations:
        at_from, at_to = region.get(key_from), region.get(key_to)
        if at_from is None or at_to is None:
            continue
        if attributed:
            sources[key_from].append(at_to)
        else:
            cues[key_to].append(at_from)

    def by_position(ks: list[int] | None) -> list[int | None]:
        if ks is None:
            return [None]
        return [*sorted(ks, key=position)] if len(ks) > 1 else [*ks]

    out: list[tuple[int, int | None, int | None]] = []
    for key in sorted(sources.keys() | cues.keys()):
        content = region[key]
        srcs, cs = by_position(sources.get(key)), by_position(cues.get(key))
        out.extend([(content, src, cue) for src in srcs for cue in cs])
    return out


class SpanIndex:
    """Spans of one layer in canonical order, with their cross-annotator same-label pairs.

    Span k of the index (its columns `item`, `ann`, `lab`, `start`, `end`, `region_ids`) is
    the k-th by (item, label, annotator, start, end, region id); `order[k]` is its position
    as given.
    """

    def __init__(
        self,
        item_of: Sequence[str],
        annotator_of: Sequence[str],
        span_of: Sequence[int],
        label: Sequence[str],
        start: Sequence[int],
        end: Sequence[int],
        region: Sequence[str],
        threshold: float = 0.5,
    ) -> None:
        """The index of spans as columns: span k is of annotation `span_of[k]` (of item
        `item_of[…]` by `annotator_of[…]`, which covers its item: an annotator who drew
        nothing in an item they annotated counts, as finding nothing)."""
        self.threshold = threshold
        self.items, a_item = _factorize(list(item_of))
        self.annotators, a_ann = _factorize(list(annotator_of))
        self.labels = tuple(sorted(set(label)))
        code_of = {x: k for k, x in enumerate(self.labels)}
        n = len(label)
        lab = np.fromiter(map(code_of.__getitem__, label), np.int64, n)
        start_, end_ = np.asarray(start, np.int64), np.asarray(end, np.int64)
        of = np.asarray(span_of, dtype=np.int64)
        # coverage rows: the distinct (item, annotator) codes of the annotations, sorted, and
        # each span's row
        self.n_ann = max(1, len(self.annotators))
        self.cov_key, cov_of = np.unique(
            np.concatenate((a_item[of], a_item)) * self.n_ann + np.concatenate((a_ann[of], a_ann)),
            return_inverse=True,
        )
        self.cov_item, self.cov_ann = self.cov_key // self.n_ann, self.cov_key % self.n_ann
        item, ann, cov_of = a_item[of], a_ann[of], cov_of.reshape(-1)[:n]
        order = _lexsort((end_, start_, ann, lab, item))
        # Equal (item, label, annotator, start, end): order those few runs by region id.
        g0, g1 = _group_ends([x[order] for x in (item, lab, ann, start_, end_)], n)
        for a in np.unique(g0[g1 - g0 > 1]).tolist():
            b = int(g1[a])
            order[a:b] = sorted(order[a:b].tolist(), key=region.__getitem__)
        self.order, self._region = order, region  # each span's position as given
        self.item, self.ann, self.lab = item[order], ann[order], lab[order]
        self.start, self.end = start_[order], end_[order]
        self.span_cov = cov_of[order]
        self.n = n
        # same-label pairs of different annotators with Jaccard >= threshold
        self.group_start, self.group_end = _group_ends([self.item, self.lab], n)
        i, j = _pairs_within(self.group_end, n)
        i, j = i[self.ann[i] != self.ann[j]], j[self.ann[i] != self.ann[j]]
        jac = self._jaccard(i, j)
        keep = jac >= self.threshold
        self.cand_i, self.cand_j, self.cand_jac = i[keep], j[keep], jac[keep]
        self._pair_counts: dict[bool, IntArray] = {}

    @cached_property
    def region_ids(self) -> list[str]:
        """Each span's region id."""
        return list(map(self._region.__getitem__, self.order.tolist()))

    def _jaccard(self, i: IntArray, j: IntArray) -> FloatArray:
        return _overlap(self.start[i], self.end[i], self.start[j], self.end[j])

    # ------------------------------------------------------------------ annotator pairs

    @cached_property
    def pair_rows(self) -> tuple[IntArray, IntArray, IntArray]:
        """Every co-annotated (item, a < b), sorted: the item, coverage rows ra and rb."""
        _, cov_end = _group_ends([self.cov_item], len(self.cov_item))
        ra, rb = _pairs_within(cov_end, len(self.cov_item))
        return self.cov_item[ra], ra, rb

    def rows_by_pair(self) -> list[tuple[str, str, IntArray]]:
        """(annotator a, annotator b, their pair rows) for every co-annotating pair, sorted."""
        _, ra, rb = self.pair_rows
        a_idx, b_idx = self.cov_ann[ra], self.cov_ann[rb]
        pair_code = a_idx * self.n_ann + b_idx
        order = np.argsort(pair_code, kind="stable")
        bounds = np.flatnonzero(np.diff(pair_code[order])) + 1
        return [
            (self.annotators[a_idx[rows[0]]], self.annotators[b_idx[rows[0]]], rows)
            for rows in (np.split(order, bounds) if len(order) else [])
        ]

    def _pair_of(self, item: IntArray, a: IntArray, b: IntArray) -> IntArray:
        """The pair row of each (item, a, b) (`pair_rows` are sorted by that key)."""
        it, ra, rb = self.pair_rows
        keys = (it * self.n_ann + self.cov_ann[ra]) * self.n_ann + self.cov_ann[rb]
        out: IntArray = np.searchsorted(keys, (item * self.n_ann + a) * self.n_ann + b)
        return out

    @cached_property
    def span_counts(self) -> IntArray:
        """(coverage rows, labels): spans of each label each annotator drew in each item."""
        out = np.zeros((len(self.cov_key), max(1, len(self.labels))), dtype=np.int64)
        np.add.at(out, (self.span_cov, self.lab), 1)
        return out

    def _matched(self, exact: bool) -> BoolArray:
        """Mask over the candidates: kept by the greedy one-to-one matching of their pair."""
        i, j, jac = self.cand_i, self.cand_j, self.cand_jac
        usable = (self.start[i] == self.start[j]) & (self.end[i] == self.end[j]) if exact else None
        if usable is not None:
            i, j, jac = i[usable], j[usable], jac[usable]
        pos = np.flatnonzero(usable) if usable is not None else np.arange(len(i))
        matched = np.zeros(len(self.cand_i), dtype=bool)
        if len(i) == 0:
            return matched
        # matched one-to-one within each (annotator pair of an item, label)
        pair = (
            self._pair_of(self.item[i], self.ann[i], self.ann[j]) * len(self.labels) + self.lab[i]
        )

        def key(k: int) -> tuple[object, ...]:
            return (-float(jac[k]), self._key(int(i[k])), self._key(int(j[k])))

        matched[pos[one_to_one(pair, i, j, key)]] = True
        return matched

    def pair_counts(self, exact: bool) -> IntArray:
        """(pair rows, labels, 3): TP, n_a, n_b of every co-annotated (item, a, b) (computed
        once per kind of match: the pooled and the pairwise figures share them)."""
        if exact not in self._pair_counts:
            self._pair_counts[exact] = self._count_pairs(exact)
        return self._pair_counts[exact]

    def _count_pairs(self, exact: bool) -> IntArray:
        _, ra, rb = self.pair_rows
        n_lab = max(1, len(self.labels))
        out = np.zeros((len(ra), n_lab, 3), dtype=np.int64)
        out[:, :, 1] = self.span_counts[ra]
        out[:, :, 2] = self.span_counts[rb]
        m = self._matched(exact)
        i, j = self.cand_i[m], self.cand_j[m]
        rows = self._pair_of(self.item[i], self.ann[i], self.ann[j])
        np.add.at(out[:, :, 0], (rows, self.lab[i]), 1)
        return out

    # ------------------------------------------------------------------ clusters

    @cached_property
    def cluster_members(self) -> tuple[IntArray, list[int]]:
        """The aligned clusters (see `spans`, *Alignment*) flattened: every cluster's members
        (span positions) in cluster order, and where each cluster starts (one more bound at
        the end). Clusters are sorted by (item, first member position, label); members by
        annotator then position."""
        n = self.n
        if n == 0:
            return np.zeros(0, dtype=np.int64), [0]
        g0 = self.group_start
        # Connected components of the candidate graph. A component of one span per annotator
        # whose spans all match pairwise is a cluster whatever order the greedy merges in (and
        # never merges with another: no candidate links them); that covers most groups.
        comp = _components(n, self.cand_i, self.cand_j)
        size = np.bincount(comp, minlength=n)
        edges = np.bincount(comp[self.cand_i], minlength=n)
        by_ann = _lexsort((self.ann, comp))
        c_sorted, a_sorted = comp[by_ann], self.ann[by_ann]
        new_ann = _firsts([c_sorted, a_sorted], n)
        n_anns = np.bincount(c_sorted, weights=new_ann, minlength=n).astype(np.int64)
        clean = (n_anns == size) & (edges == size * (size - 1) // 2)
        # a group with a component that is not clean: complete linkage in Python
        messy_heads = np.unique(g0[~clean[comp]])
        cluster_of = comp.copy()
        for h in messy_heads.tolist():
            e = int(self.group_end[h])
            for members in self._link(h, e):
                cluster_of[members] = members[0]
        # order clusters by (item, smallest member key, label); members by annotator, key
        first_of = np.full(n, n, dtype=np.int64)
        # smallest member by (start, end, annotator, position): position breaks region ties
        mkey = _lexsort((self.ann, self.end, self.start, cluster_of))  # stable: ties by position
        cl_sorted = cluster_of[mkey]
        is_first = _firsts([cl_sorted], n)
        firsts = mkey[is_first]
        first_of[cl_sorted[is_first]] = firsts
        cl_ids = cl_sorted[is_first]
        f = first_of[cl_ids]
        corder = _lexsort((f, self.ann[f], self.lab[f], self.end[f], self.start[f], self.item[f]))
        ordered = cl_ids[corder]
        # members: positions of each cluster in canonical order (annotator, start, end, region)
        by_cluster = np.argsort(cluster_of, kind="stable")
        lo = np.flatnonzero(np.r_[True, np.diff(cluster_of[by_cluster]) != 0])
        sizes = np.diff(np.append(lo, n))
        at = np.searchsorted(cluster_of[by_cluster[lo]], ordered)  # the clusters, in order
        sizes = sizes[at]
        ends = np.cumsum(sizes)
        flat = by_cluster[np.repeat(lo[at] - (ends - sizes), sizes) + np.arange(n)]
        return flat, [0, *ends.tolist()]

    @cached_property
    def cluster_offsets(self) -> tuple[IntArray, IntArray]:
        """Each cluster's start in `cluster_members`' flat array, and its size (arrays)."""
        bounds = np.array(self.cluster_members[1], dtype=np.int64)
        return bounds[:-1], np.diff(bounds)

    @cached_property
    def medoids(self) -> tuple[list[int], list[bool]]:
        """Per cluster: its medoid's position (the member with the highest summed Jaccard to
        the members, summed in member order; ties to the earliest start, end, annotator) and
        whether every member has its bounds."""
        flat, bounds = self.cluster_members
        if len(bounds) == 1:
            return [], []
        offs, sizes = self.cluster_offsets
        s, e = self.start[flat], self.end[flat]
        same = (np.minimum.reduceat(s, offs) == np.maximum.reduceat(s, offs)) & (
            np.minimum.reduceat(e, offs) == np.maximum.reduceat(e, offs)
        )
        medoid = flat[offs].copy()
        exact = same.copy()
        for m in np.unique(sizes[~same]).tolist():
            pick = np.flatnonzero(~same & (sizes == m))
            members = flat[offs[pick][:, None] + np.arange(m)]  # (clusters, m)
            ms, me = self.start[members], self.end[members]
            total = np.zeros(members.shape)
            for o in range(m):  # in member order, so the sums are bit for bit the definition's
                total += _overlap(ms, me, ms[:, o : o + 1], me[:, o : o + 1])
            row = np.repeat(np.arange(len(pick)), m)
            order = np.lexsort(
                (self.ann[members].ravel(), me.ravel(), ms.ravel(), -total.ravel(), row)
            )
            best = members.ravel()[order[::m]]
            medoid[pick] = best
            exact[pick] = ((ms == self.start[best][:, None]) & (me == self.end[best][:, None])).all(
                axis=1
            )
        return medoid.tolist(), exact.tolist()

    @cached_property
    def cluster_ids(self) -> list[str]:
        """Each cluster's stable id ``label@start:end`` (its medoid's bounds); the same id
        twice in an item gets ``~1``, ``~2``... in cluster order."""
        flat, bounds = self.cluster_members
        if len(bounds) == 1:
            return []
        first = flat[bounds[:-1]]
        medoid = np.array(self.medoids[0], dtype=np.int64)
        item, lab, start, end = (
            self.item[first],
            self.lab[first],
            self.start[medoid],
            self.end[medoid],
        )
        names = self.labels
        ids = [
            f"{names[x]}@{a}:{b}"
            for x, a, b in zip(lab.tolist(), start.tolist(), end.tolist(), strict=True)
        ]
        key = _lexsort((np.arange(len(first)), end, start, lab, item))
        run_start, _ = _group_ends([x[key] for x in (item, lab, start, end)], len(key))
        rank = np.arange(len(key)) - run_start  # > 0: the same id as the one before
        for c, r in zip(key[rank > 0].tolist(), rank[rank > 0].tolist(), strict=True):
            ids[c] = f"{ids[c]}~{r}"
        return ids

    @cached_property
    def cluster_items(self) -> list[str]:
        """Each cluster's item as per-region attributes name it: ``<item>/<cluster id>``."""
        flat, bounds = self.cluster_members
        items = map(self.items.__getitem__, self.item[flat[bounds[:-1]]].tolist())
        return list(map(f"{{}}{ITEM_SEP}{{}}".format, items, self.cluster_ids))

    @cached_property
    def cluster_item_rank(self) -> IntArray:
        """Each cluster's rank in the sorted order of `cluster_items`."""
        names = self.cluster_items
        rank = np.empty(len(names), dtype=np.int64)
        rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        return rank

    def _key(self, k: int) -> tuple[int, int, str, str, str]:
        """Span k's key (start, end, label, annotator, region id): greedy ties go by it."""
        start, end = int(self.start[k]), int(self.end[k])
        return (
            start,
            end,
            self.labels[self.lab[k]],
            self.annotators[self.ann[k]],
            self.region_ids[k],
        )

    def _link(self, a: int, b: int) -> list[list[int]]:
        """Complete-linkage clusters of group [a, b) (the definition in `spans`, *Alignment*)."""
        clusters: list[list[int]] = [[k] for k in range(a, b)]
        owner = {k: k - a for k in range(a, b)}
        ann, start, end = (col[a:b].tolist() for col in (self.ann, self.start, self.end))

        def overlap(u: int, v: int) -> float:  # `records.jaccard` of spans u and v
            (s0, e0), (s1, e1) = (start[u - a], end[u - a]), (start[v - a], end[v - a])
            inter = min(e0, e1) - max(s0, s1)
            return inter / (max(e0, e1) - min(s0, s1)) if inter > 0 else 0.0

        # candidates are sorted by their first span: the group's are one slice
        lo, hi = np.searchsorted(self.cand_i, [a, b])
        cands = sorted(
            (-jac, self._key(x), self._key(y), x, y)
            for x, y, jac in zip(
                self.cand_i[lo:hi].tolist(),
                self.cand_j[lo:hi].tolist(),
                self.cand_jac[lo:hi].tolist(),
                strict=True,
            )
        )
        thr = self.threshold
        for _, _, _, x, y in cands:
            cx, cy = owner[x], owner[y]
            if cx == cy:
                continue
            p, q = clusters[cx], clusters[cy]
            if {ann[k - a] for k in p} & {ann[k - a] for k in q}:
                continue
            if any(overlap(u, v) < thr for u in p for v in q):
                continue
            p.extend(q)
            clusters[cy] = []
            for k in q:
                owner[k] = cx
        return [sorted(c) for c in clusters if c]
