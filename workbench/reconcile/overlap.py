"""Who annotated which items, as far as agreement is concerned (pure).

Agreement needs an item annotated by at least two annotators. An item only one annotator did
is annotated but cannot be compared; an annotator whose items nobody else did has no pairwise
figure at all, and a report must say so rather than draw a row of empty cells.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations


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
    """The overlap of ``(item, annotator)`` pairs."""
    by_item: dict[str, set[str]] = defaultdict(set)
    for item, annotator in coverage:
        by_item[item].add(annotator)
    annotated: Counter[str] = Counter()
    alone: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    shared = 0
    for who in by_item.values():
        annotated.update(who)
        if len(who) == 1:
            alone.update(who)
            continue
        shared += 1
        pairs.update(combinations(sorted(who), 2))
    return Overlap(
        items=len(by_item),
        shared=shared,
        annotated=dict(sorted(annotated.items())),
        alone={a: alone.get(a, 0) for a in sorted(annotated)},
        pairs=dict(sorted(pairs.items())),
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


def counts_by(mapping: Mapping[str, int]) -> str:
    """``a: 2, b: 1`` (largest first), for sentences."""
    return ", ".join(
        f"{k}: {v}" for k, v in sorted(mapping.items(), key=lambda kv: (-kv[1], kv[0]))
    )
