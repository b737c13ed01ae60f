"""Who annotated which items (pure): agreement needs items annotated by two or more, and a
report must say which annotators share no item with anyone rather than draw empty cells."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from operator import itemgetter

import numpy as np
import pandas as pd

from .arrays import _group_ends, _pairs_within


@dataclass(frozen=True)
class Overlap:
    """`items`: items annotated by anyone; `shared`: by ≥ 2 annotators (what agreement is
    computed on). Per annotator, `annotated` items and, of those, `alone` (nobody else did
    them). `pairs[(a, b)]`, a < b: items both did (pairs without one are absent)."""

    items: int
    shared: int
    annotated: Mapping[str, int]
    alone: Mapping[str, int]
    pairs: Mapping[tuple[str, str], int]

    @property
    def single(self) -> int:
        """Items only one annotator did."""
        return self.items - self.shared

    @property
    def isolated(self) -> tuple[str, ...]:
        """Annotators who share no item with anyone (every item of theirs is theirs alone)."""
        return tuple(a for a, n in sorted(self.annotated.items()) if n and self.alone[a] == n)

    def missing_pairs(self, names: Sequence[str]) -> list[tuple[str, str]]:
        """Pairs of `names` (none of them isolated) that share no item."""
        return [(a, b) for a, b in combinations(sorted(names), 2) if (a, b) not in self.pairs]


def overlap_of(coverage: Iterable[tuple[str, str]]) -> Overlap:
    """The overlap of ``(item, annotator)`` pairs (duplicates count once), vectorised: it
    runs over every annotation of a dataset."""
    rows = list(coverage)
    # hash-coded, unsorted (sorting 10^5 item ids as strings costs more than all the rest);
    # annotators are few, so their codes are remapped to name order
    items, anns = pd.factorize(pd.Series(list(map(itemgetter(0), rows)), dtype=object))
    who, unsorted = pd.factorize(pd.Series(list(map(itemgetter(1), rows)), dtype=object))
    order = np.argsort(np.asarray(unsorted, dtype=str), kind="stable")
    names = np.asarray(unsorted, dtype=object)[order]
    who = np.argsort(order)[who] if len(who) else np.asarray(who, dtype=np.int64)
    n_a = len(names)
    key = np.unique(np.asarray(items, dtype=np.int64) * max(n_a, 1) + np.asarray(who))
    item, ann = key // max(n_a, 1), key % max(n_a, 1)
    per_item = np.bincount(item, minlength=len(anns))
    alone_rows = per_item[item] == 1
    annotated = np.bincount(ann, minlength=n_a)
    alone = np.bincount(ann[alone_rows], minlength=n_a)
    left, right = _pairs_within(_group_ends([item], len(item))[1], len(item))
    pair_codes, pair_counts = np.unique(ann[left] * n_a + ann[right], return_counts=True)
    label = [str(x) for x in names]
    return Overlap(
        items=len(anns),
        shared=int((per_item >= 2).sum()),
        annotated={label[i]: int(annotated[i]) for i in range(n_a)},
        alone={label[i]: int(alone[i]) for i in range(n_a)},
        pairs={
            (label[c // n_a], label[c % n_a]): int(k)
            for c, k in zip(pair_codes.tolist(), pair_counts.tolist(), strict=True)
        },
    )


def isolation_sentence(overlap: Overlap) -> str:
    """One sentence naming the annotators without any shared item, and why; "" if none."""
    names = overlap.isolated
    if not names:
        return ""
    told = ", ".join(f"{a} ({_items(overlap.annotated[a])})" for a in names)
    return (
        f"No agreement figure for {told}: nobody else annotated any of their items, so there "
        "is nothing to compare them with; they are left out of the pairwise charts."
    )


def pairs_sentence(missing: Sequence[tuple[str, str]], limit: int = 12) -> str:
    """One sentence naming annotator pairs without a shared item; "" if none."""
    if not missing:
        return ""
    shown = ", ".join(f"{a} · {b}" for a, b in missing[:limit])
    more = f" and {len(missing) - limit} more" if len(missing) > limit else ""
    return (
        f"Pairs with no item in common (blank cells, no figure): {shown}{more}. Each of them "
        "annotated different items, so the pair has nothing to compare."
    )


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"
