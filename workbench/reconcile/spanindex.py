"""One pass over a span layer that every span figure and the span consensus share.

Agreement needs, per item and annotator pair, one-to-one matches (exact and by overlap) and
attribution-triple matches; consensus and per-region attribute agreement need the aligned
clusters. All of these start from the same thing: every pair of same-label spans of two
different annotators in one item, with its Jaccard index. `SpanIndex` computes those pairs
once, with array arithmetic over the whole layer, and derives the rest from them.

Greedy choices (best Jaccard first, ties by position) only matter where a span could be
matched twice: a pair group or cluster group without such a conflict is decided by array
operations, and only the conflicting ones go through the Python greedy of the definitions in
`spans` — so the results are those definitions', exactly (tests compare them with the
straightforward per-item implementation on noisy synthetic data).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from operator import attrgetter, itemgetter
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from ._bootstrap import FloatArray, IntArray
from .records import NO_ATTRS, Relation, Span

BoolArray = npt.NDArray[np.bool_]

TRIPLE_KINDS = ("attributed_to", "cue_of")
#: Separates an item from a cluster id in the items of per-region attributes.
ITEM_SEP = "/"
# a region key of `triple_positions`: contents come out in key order
K = TypeVar("K", bound=tuple[object, ...])


def _span_key(s: Span) -> tuple[int, int, str, str, str]:
    return (s.start, s.end, s.label, s.annotator, s.region_id)


def _lexsort(keys: Sequence[IntArray]) -> IntArray:
    """`np.lexsort(keys)` (last key primary) for non-negative integer keys, as one stable
    argsort of the keys packed into an int64 when their ranges fit: 5-10x faster at 10^6."""
    if not keys or len(keys[0]) == 0:
        return np.zeros(0, dtype=np.int64)
    bits = [max(1, int(k.max()).bit_length()) for k in keys]
    if sum(bits) > 62 or any(int(k.min()) < 0 for k in keys):
        out: IntArray = np.lexsort(keys)
        return out
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    shift = 0
    for k, b in zip(keys, bits, strict=True):
        packed |= k.astype(np.int64) << shift
        shift += b
    order: IntArray = np.argsort(packed, kind="stable")
    return order


def _factorize(values: list[str]) -> tuple[tuple[str, ...], IntArray]:
    """The sorted distinct `values` and each value's index among them.

    Only the first of each run of equal values is looked up: spans come grouped by item and
    annotator, and a dict lookup per span was much of the index's construction at 10^6.
    """
    col = np.array(values, dtype=object)
    head = np.ones(len(col), dtype=bool)
    head[1:] = col[1:] != col[:-1]
    at = np.flatnonzero(head)
    firsts = col[at].tolist()
    names = tuple(sorted(set(firsts)))
    code_of = {x: k for k, x in enumerate(names)}
    codes = np.fromiter(map(code_of.__getitem__, firsts), np.int64, len(firsts))
    out: IntArray = np.repeat(codes, np.diff(np.append(at, len(col))))
    return names, out


def _pairs_within(bounds: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Every (i, j), i < j, of rows in the same group; `bounds[k]` is the end of row k's group.

    Row i pairs with rows i+1 .. bounds[i]-1, so the pairs come out sorted by (i, j).
    """
    idx = np.arange(n, dtype=np.int64)
    cnt = bounds - idx - 1
    first = np.repeat(idx, cnt)
    offset = np.arange(int(cnt.sum()), dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return first, first + 1 + offset


def _group_ends(keys: Sequence[IntArray], n: int) -> tuple[IntArray, IntArray]:
    """(group start, group end) of every row of rows sorted by `keys` (consecutive equal)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    starts = np.flatnonzero(change)
    sizes = np.diff(np.append(starts, n))
    return np.repeat(starts, sizes), np.repeat(starts + sizes, sizes)


def runs(values: Sequence[Any], bounds: Sequence[int]) -> list[tuple[Any, ...]]:
    """`values` cut at `bounds` (as `SpanIndex.cluster_members` gives them) into tuples."""
    return list(map(tuple, map(values.__getitem__, map(slice, bounds[:-1], bounds[1:]))))


def _greedy(cands: Iterable[tuple[object, int, int]]) -> list[int]:
    """Positions of the accepted candidates (sort key, x, y) of a greedy one-to-one matching."""
    used_x: set[int] = set()
    used_y: set[int] = set()
    out: list[int] = []
    for pos, (_, x, y) in sorted(enumerate(cands), key=lambda c: c[1][0]):  # type: ignore[arg-type,return-value]
        if x in used_x or y in used_y:
            continue
        used_x.add(x)
        used_y.add(y)
        out.append(pos)
    return out


def triple_positions(
    region: Mapping[K, int],
    relations: Iterable[tuple[K, K, bool]],
    position: Callable[[int], Any],
) -> list[tuple[int, int | None, int | None]]:
    """Attribution triples (content, source, cue) as span positions: the one definition both
    the span index and the release's attribution table use.

    `region` maps a span's key to its position; `relations` are the (from key, to key, is it
    content → source) of every relation of the two triple kinds (else cue → content), in any
    order. Every span at the content end of one whose both ends exist gives one triple per
    (source, cue) combination, None where there is none; sources and cues of one content in
    `position` order, contents in key order.
    """
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


class _ColumnSpans(Sequence[Span]):
    """`Span` records of `SpanIndex.from_columns`, made when indexed (in `order`)."""

    def __init__(
        self,
        item_of: Sequence[str],
        annotator_of: Sequence[str],
        span_of: Sequence[int],
        label: Sequence[str],
        start: Sequence[int],
        end: Sequence[int],
        region: Sequence[str],
        order: Sequence[int] | None = None,
    ) -> None:
        self._cols = (item_of, annotator_of, span_of, label, start, end, region)
        self._order = order

    def reordered(self, order: IntArray) -> _ColumnSpans:
        return _ColumnSpans(*self._cols, order=order.tolist())

    def __len__(self) -> int:
        return len(self._cols[2])

    def _at(self, k: int) -> Span:
        item_of, annotator_of, span_of, label, start, end, region = self._cols
        if self._order is not None:
            k = self._order[k]
        a = span_of[k]
        return Span(item_of[a], annotator_of[a], label[k], start[k], end[k], NO_ATTRS, region[k])

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self._at(x) for x in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        return self._at(k)


class SpanIndex:
    """Spans of one layer in canonical order, with their cross-annotator same-label pairs.

    `spans[k]` are sorted by (item, label, annotator, start, end, region id). Coverage is that
    of the span functions: the (item, annotator) pairs of the spans plus `coverage`.
    """

    def __init__(
        self,
        spans: Iterable[Span],
        coverage: Iterable[tuple[str, str]] | None = None,
        threshold: float = 0.5,
    ) -> None:
        spans = list(spans)
        n = len(spans)
        cov = list(coverage) if coverage is not None else []
        # columns by C-level map/attrgetter: a generator per field cost seconds at 10^6 spans;
        # coverage pairs ride along in the item and annotator columns (rows n and after)
        items, item = _factorize([*map(attrgetter("item"), spans), *map(itemgetter(0), cov)])
        annotators, ann = _factorize(
            [*map(attrgetter("annotator"), spans), *map(itemgetter(1), cov)]
        )
        labels, lab = _factorize(list(map(attrgetter("label"), spans)))
        start = np.fromiter(map(attrgetter("start"), spans), np.int64, n)
        end = np.fromiter(map(attrgetter("end"), spans), np.int64, n)
        region_of = lambda k: spans[k].region_id  # noqa: E731
        self._setup(
            spans, region_of, threshold, (items, annotators, labels), (item, ann, lab), start, end
        )

    @classmethod
    def from_columns(
        cls,
        item_of: Sequence[str],
        annotator_of: Sequence[str],
        span_of: Sequence[int],
        label: Sequence[str],
        start: Sequence[int],
        end: Sequence[int],
        region: Sequence[str],
        threshold: float = 0.5,
    ) -> SpanIndex:
        """The index of spans given as columns, without attributes: span k belongs to
        annotation `span_of[k]`, of item `item_of[…]` by `annotator_of[…]`, and every
        annotation covers its item. Its `Span` records are made only when asked for (the
        pairwise F1 asks for a few): 10^6 of them were seconds of an export."""
        self = cls.__new__(cls)
        items, a_item = _factorize(list(item_of))
        annotators, a_ann = _factorize(list(annotator_of))
        of = np.asarray(span_of, dtype=np.int64)
        item = np.concatenate((a_item[of], a_item))
        ann = np.concatenate((a_ann[of], a_ann))
        labels = tuple(sorted(set(label)))
        code_of = {x: k for k, x in enumerate(labels)}
        n = len(label)
        lab = np.fromiter(map(code_of.__getitem__, label), np.int64, n)
        self._setup(
            _ColumnSpans(item_of, annotator_of, span_of, label, start, end, region),
            region.__getitem__,
            threshold,
            (items, annotators, labels),
            (item, ann, lab),
            np.asarray(start, np.int64),
            np.asarray(end, np.int64),
        )
        return self

    def _setup(
        self,
        spans: Sequence[Span],
        region_of: Callable[[int], str],
        threshold: float,
        names: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
        codes: tuple[IntArray, IntArray, IntArray],
        start: IntArray,
        end: IntArray,
    ) -> None:
        """The index of spans `spans` (`region_of(k)`: span k's region id), from the sorted
        distinct (items, annotators, labels) and each span's codes into them; the item and
        annotator codes go on past the spans with the coverage rows."""
        self.threshold = threshold
        self.items, self.annotators, self.labels = names
        item, ann, lab = codes
        n = len(lab)
        # coverage rows: the distinct (item, annotator) codes, sorted, and each span's row
        self.n_ann = max(1, len(self.annotators))
        self.cov_key, cov_of = np.unique(item * self.n_ann + ann, return_inverse=True)
        self.cov_item, self.cov_ann = self.cov_key // self.n_ann, self.cov_key % self.n_ann
        item, ann, cov_of = item[:n], ann[:n], cov_of.reshape(-1)[:n]
        order = _lexsort((end, start, ann, lab, item))
        # Equal (item, label, annotator, start, end): order those few runs by region id.
        g0, g1 = _group_ends([x[order] for x in (item, lab, ann, start, end)], n)
        for a in np.unique(g0[g1 - g0 > 1]).tolist():
            b = int(g1[a])
            order[a:b] = sorted(order[a:b].tolist(), key=region_of)
        self.spans: Sequence[Span] = (
            spans.reordered(order)
            if isinstance(spans, _ColumnSpans)
            else [spans[k] for k in order.tolist()]
        )
        self.item, self.ann, self.lab = item[order], ann[order], lab[order]
        self.start, self.end = start[order], end[order]
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

    def _jaccard(self, i: IntArray, j: IntArray) -> FloatArray:
        s0, e0, s1, e1 = self.start[i], self.end[i], self.start[j], self.end[j]
        inter = np.minimum(e0, e1) - np.maximum(s0, s1)
        union = np.maximum(e0, e1) - np.minimum(s0, s1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out: FloatArray = np.where(inter > 0, inter / np.maximum(union, 1), 0.0)
        return out

    # ------------------------------------------------------------------ annotator pairs

    @cached_property
    def pair_rows(self) -> tuple[IntArray, IntArray, IntArray]:
        """Every co-annotated (item, a, b), a < b, as coverage row indices (ra, rb) and the
        item; sorted by (item, a, b)."""
        _, cov_end = _group_ends([self.cov_item], len(self.cov_item))
        ra, rb = _pairs_within(cov_end, len(self.cov_item))
        return self.cov_item[ra], ra, rb

    @cached_property
    def _pair_key(self) -> IntArray:
        it, ra, rb = self.pair_rows
        key: IntArray = (it * self.n_ann + self.cov_ann[ra]) * self.n_ann + self.cov_ann[rb]
        return key

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
        out: IntArray = np.searchsorted(self._pair_key, (item * self.n_ann + a) * self.n_ann + b)
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
        # A span in two candidates of one annotator pair is a conflict: greedy decides there.
        x_key = i * self.n_ann + self.ann[j]
        y_key = j * self.n_ann + self.ann[i]
        conflict = _repeated(x_key) | _repeated(y_key)
        pair = (
            self._pair_of(self.item[i], self.ann[i], self.ann[j]) * len(self.labels) + self.lab[i]
        )
        bad_pairs = np.unique(pair[conflict])
        in_bad = np.isin(pair, bad_pairs)
        matched[pos[~in_bad]] = True
        if bad_pairs.size:
            by_pair: dict[int, list[int]] = defaultdict(list)
            for k in np.flatnonzero(in_bad).tolist():
                by_pair[int(pair[k])].append(k)
            spans = self.spans
            for ks in by_pair.values():
                cands = [
                    ((-float(jac[k]), _span_key(spans[i[k]]), _span_key(spans[j[k]])), i[k], j[k])
                    for k in ks
                ]
                for p in _greedy(cands):
                    matched[pos[ks[p]]] = True
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
    def clusters(self) -> list[tuple[int, ...]]:
        """Aligned clusters as tuples of span positions (see `spans.align_spans`), sorted by
        (item, first member position, label); members sorted by annotator then position."""
        flat, bounds = self.cluster_members
        return runs(flat.tolist(), bounds)

    @cached_property
    def cluster_members(self) -> tuple[IntArray, list[int]]:
        """`clusters` flattened: every cluster's members in cluster order, and where each
        cluster starts (one more bound at the end). Array code reads this, not the tuples."""
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
        new_ann = np.ones(n, dtype=bool)
        if n > 1:
            new_ann[1:] = (c_sorted[1:] != c_sorted[:-1]) | (a_sorted[1:] != a_sorted[:-1])
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
        is_first = np.ones(n, dtype=bool)
        if n > 1:
            is_first[1:] = cl_sorted[1:] != cl_sorted[:-1]
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
        """Per cluster: the position of its medoid and whether every member has its bounds.

        The medoid is the member with the highest summed Jaccard to the members (itself
        included, summed in member order as `consensus` defines it), ties to the earliest
        start, then end, then annotator; clusters whose members all share their bounds take
        the first member without computing anything.
        """
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
                so, eo = ms[:, o : o + 1], me[:, o : o + 1]
                inter = np.minimum(me, eo) - np.maximum(ms, so)
                union = np.maximum(me, eo) - np.minimum(ms, so)
                total += np.where(inter > 0, inter / np.maximum(union, 1), 0.0)
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
        k_item, k_lab, k_s, k_e = item[key], lab[key], start[key], end[key]
        same = np.zeros(len(key), dtype=bool)
        same[1:] = (
            (k_item[1:] == k_item[:-1])
            & (k_lab[1:] == k_lab[:-1])
            & (k_s[1:] == k_s[:-1])
            & (k_e[1:] == k_e[:-1])
        )
        if same.any():
            run_start = np.maximum.accumulate(np.where(~same, np.arange(len(key)), 0))
            rank = np.arange(len(key)) - run_start
            for c, r in zip(key[same].tolist(), rank[same].tolist(), strict=True):
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

    def _link(self, a: int, b: int) -> list[list[int]]:
        """Complete-linkage clusters of group [a, b) (the definition of `spans.align_spans`)."""
        spans = self.spans
        group = list(range(a, b))
        clusters: list[list[int]] = [[k] for k in group]
        owner = {k: p for p, k in enumerate(group)}
        # candidates are sorted by their first span: the group's are one slice
        lo, hi = np.searchsorted(self.cand_i, [a, b])
        cands = sorted(
            (-jac, _span_key(spans[x]), _span_key(spans[y]), x, y)
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
            if {spans[k].annotator for k in p} & {spans[k].annotator for k in q}:
                continue
            if any(_jac(spans[u], spans[v]) < thr for u in p for v in q):
                continue
            p.extend(q)
            clusters[cy] = []
            for k in q:
                owner[k] = cx
        return [sorted(c) for c in clusters if c]

    # ------------------------------------------------------------------ triples

    def triples(
        self, relations: Iterable[Relation], kinds: tuple[str, str] = TRIPLE_KINDS
    ) -> list[tuple[int, int | None, int | None]]:
        """Attribution triples (content, source, cue) as span positions, sorted as
        `spans.attribution_triples` sorts them (item, annotator, content region); `kinds` are
        the names of the (content → source, cue → content) relations."""
        rels = [r for r in relations if r.kind in kinds]
        # Keys (coverage row, region id), which order as (item, annotator, region id) do, but
        # hash and compare faster than three strings; and only for spans whose region id ends
        # a relation (ids are nearly unique): a key per span of the layer was most of the time.
        item_of = {x: k for k, x in enumerate(self.items)}
        ann_of = {x: k for k, x in enumerate(self.annotators)}
        item = np.fromiter((item_of.get(r.item, -1) for r in rels), np.int64, len(rels))
        ann = np.fromiter((ann_of.get(r.annotator, -1) for r in rels), np.int64, len(rels))
        key = item * self.n_ann + ann
        row = np.searchsorted(self.cov_key, key)
        found = (item >= 0) & (ann >= 0) & (row < len(self.cov_key))
        found[found] = self.cov_key[row[found]] == key[found]
        rows = np.where(found, row, -1).tolist()
        from_ids = [r.from_region for r in rels]
        to_ids = [r.to_region for r in rels]
        ids = {*from_ids, *to_ids}
        spans, span_rows = self.spans, self.span_cov.tolist()
        region: dict[tuple[int, str], int] = {
            (span_rows[k], rid): k
            for k, rid in enumerate(map(attrgetter("region_id"), spans))
            if rid in ids
        }
        attributed_to = kinds[0]
        ends = (
            ((c, a), (c, b), r.kind == attributed_to)
            for c, a, b, r in zip(rows, from_ids, to_ids, rels, strict=True)
        )
        return triple_positions(region, ends, lambda k: _span_key(spans[k]))

    def triple_counts(
        self, relations: Iterable[Relation], kinds: tuple[str, str] = TRIPLE_KINDS
    ) -> IntArray:
        """(pair rows, 3): TP, n_a, n_b of attribution triples per co-annotated (item, a, b)."""
        triples = self.triples(relations, kinds)
        _, ra, rb = self.pair_rows
        out = np.zeros((len(ra), 3), dtype=np.int64)
        n_t = len(triples)
        content = np.fromiter((c for c, _, _ in triples), np.int64, n_t)
        source = np.fromiter((-1 if x is None else x for _, x, _ in triples), np.int64, n_t)
        cue = np.fromiter((-1 if x is None else x for _, _, x in triples), np.int64, n_t)
        n_tri = np.bincount(self.span_cov[content], minlength=len(self.cov_key))
        out[:, 1], out[:, 2] = n_tri[ra], n_tri[rb]
        # candidates: every (triple of x, triple of y) of a matching content pair (x, y), by
        # array arithmetic: a Python loop over them cost ~1 s at 10^5 segments
        per = np.bincount(content, minlength=self.n)
        by_content = np.argsort(content, kind="stable")
        first = np.cumsum(per) - per
        both = (per[self.cand_i] > 0) & (per[self.cand_j] > 0)
        ci, cj = self.cand_i[both], self.cand_j[both]
        nx, ny = per[ci], per[cj]
        k = np.repeat(np.arange(len(ci)), nx * ny)
        r = np.arange(len(k)) - (np.cumsum(nx * ny) - nx * ny)[k]
        a = by_content[first[ci][k] + r // ny[k]]
        b = by_content[first[cj][k] + r % ny[k]]
        # `spans.triples_match`: summed Jaccard of (source, cue, content), every part matching
        score: FloatArray = np.zeros(len(k))
        ok: BoolArray = np.ones(len(k), dtype=bool)
        for part in (source, cue, content):
            part_score, part_ok = self._part_scores(part[a], part[b])
            score, ok = score + part_score, ok & part_ok
        row = self._pair_of(self.item[ci], self.ann[ci], self.ann[cj])[k][ok]
        a, b, score = a[ok], b[ok], score[ok]
        # a triple in two candidates of one pair row is a conflict: greedy decides there
        conflict = _repeated(row * n_t + a) | _repeated(row * n_t + b)
        bad = np.isin(row, row[conflict])
        out[:, 0] = np.bincount(row[~bad], minlength=len(ra))
        by_row: dict[int, list[tuple[tuple[object, ...], int, int]]] = defaultdict(list)
        spans = self.spans
        for rw, sc, x, y in zip(
            row[bad].tolist(), score[bad].tolist(), a[bad].tolist(), b[bad].tolist(), strict=True
        ):
            tx, ty = str(_triple_key(triples[x], spans)), str(_triple_key(triples[y], spans))
            by_row[rw].append(((-sc, tx, ty, x, y), x, y))
        for rw, keyed in by_row.items():
            out[rw, 0] = len(_greedy(keyed))
        return out

    def _part_scores(self, x: IntArray, y: IntArray) -> tuple[FloatArray, BoolArray]:
        """Per pair of parts (span positions, -1 for none): the Jaccard of the two spans, 1
        for none and none; and whether they match (same label, Jaccard >= threshold; none
        matches none only)."""
        present = (x >= 0) & (y >= 0)
        xs, ys = np.where(present, x, 0), np.where(present, y, 0)
        jac = self._jaccard(xs, ys)
        same = (self.lab[xs] == self.lab[ys]) & (jac >= self.threshold)
        ok: BoolArray = np.where(present, same, (x < 0) & (y < 0))
        score: FloatArray = np.where(present, jac, 1.0)
        return score, ok


def _components(n: int, i: IntArray, j: IntArray) -> IntArray:
    """Connected components of the graph on n nodes with edges (i, j): each node's label is
    the smallest node of its component (min-label propagation with pointer jumping)."""
    label: IntArray = np.arange(n, dtype=np.int64)
    while len(i):
        low = np.minimum(label[i], label[j])
        new = label.copy()
        np.minimum.at(new, i, low)
        np.minimum.at(new, j, low)
        new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    return label


def _repeated(keys: IntArray) -> BoolArray:
    """Mask: the key occurs more than once."""
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    out: BoolArray = counts[inverse.reshape(-1)] > 1
    return out


def _jac(a: Span, b: Span) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    if inter <= 0:
        return 0.0
    return inter / (max(a.end, b.end) - min(a.start, b.start))


def _triple_key(t: tuple[int, int | None, int | None], spans: Sequence[Span]) -> tuple[object, ...]:
    return tuple(_span_key(spans[p]) if p is not None else () for p in t)
