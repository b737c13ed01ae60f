"""Array helpers of the span index: grouping, sorting and factorising columns of a span
layer without a Python loop per span."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ._bootstrap import IntArray

BoolArray = npt.NDArray[np.bool_]


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


def _pairs_within(bounds: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Every (i, j), i < j, of rows in the same group; `bounds[k]` is the end of row k's group.

    Row i pairs with rows i+1 .. bounds[i]-1, so the pairs come out sorted by (i, j).
    """
    idx = np.arange(n, dtype=np.int64)
    cnt = bounds - idx - 1
    first = np.repeat(idx, cnt)
    offset = np.arange(int(cnt.sum()), dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return first, first + 1 + offset


def _firsts(keys: Sequence[IntArray], n: int) -> BoolArray:
    """Mask over rows sorted by `keys`: the first row of each run of equal keys."""
    change = np.zeros(n, dtype=bool)
    change[:1] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    return change


def _group_ends(keys: Sequence[IntArray], n: int) -> tuple[IntArray, IntArray]:
    """(group start, group end) of every row of rows sorted by `keys` (consecutive equal)."""
    starts = np.flatnonzero(_firsts(keys, n))
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


def one_to_one(group: IntArray, x: IntArray, y: IntArray, key: Callable[[int], Any]) -> BoolArray:
    """Mask over candidates k, a match of `x[k]` and `y[k]` within `group[k]`: those kept by
    the greedy one-to-one matching of their group, best (smallest `key(k)`) first. Only the
    groups where an x or a y is in two candidates go through the greedy (in Python); every
    candidate of the others is kept."""
    width = int(max(x.max(), y.max())) + 1 if len(x) else 1
    conflict = _repeated(group * width + x) | _repeated(group * width + y)
    bad = np.isin(group, group[conflict])
    out: BoolArray = ~bad
    by_group: dict[int, list[int]] = defaultdict(list)
    for k in np.flatnonzero(bad).tolist():
        by_group[int(group[k])].append(k)
    for ks in by_group.values():
        for p in _greedy([(key(k), int(x[k]), int(y[k])) for k in ks]):
            out[ks[p]] = True
    return out


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
