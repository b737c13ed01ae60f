"""Consensus: majority vote and Dawid–Skene for categorical layers; aligned spans, their
attributes and relations for span layers.

The categorical ones take a `CategoricalData` (canonically ordered, so the result never
depends on the order of the input records) and return one `ConsensusLabel` per item, sorted by
item. A label of None means "undecided: send to adjudication" — because of a tie (then `tie`
is True) or because the winner lacks the required support or confidence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from types import MappingProxyType

import numpy as np

from workbench.reconcile.consensus import (
    ConsensusRelation,
    ConsensusSpan,
    SpanConsensus,
    _needed,
    _threshold,
)
from workbench.reconcile.records import Relation, Span

from .spans_v1 import DEFAULT_THRESHOLD, SpanCluster, _coverage, align_spans, jaccard

# --------------------------------------------------------------------------- spans


def _vote_attrs(members: tuple[Span, ...]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Strict-majority vote of the supporters on each attribute (ties: undecided)."""
    votes: dict[str, dict[str, int]] = {}
    for s in members:
        for key, value in s.attrs.items():
            per_key = votes.setdefault(key, {})
            per_key[value] = per_key.get(value, 0) + 1
    decided: dict[str, str] = {}
    undecided: list[str] = []
    for key in sorted(votes):
        counts = votes[key]
        top = max(counts.values())
        winners = [v for v, c in counts.items() if c == top]
        if len(winners) == 1 and 2 * top > len(members):
            decided[key] = winners[0]
        else:
            undecided.append(key)
    return decided, tuple(undecided)


def _consensus_span(cluster: SpanCluster, n_annotators: int) -> ConsensusSpan:
    members = cluster.members
    first = members[0]
    if all(s.start == first.start and s.end == first.end for s in members):
        medoid = first
    else:
        medoid = min(
            members,
            key=lambda s: (-sum(jaccard(s, o) for o in members), s.start, s.end, s.annotator),
        )
    attrs, undecided = _vote_attrs(members)
    return ConsensusSpan(
        id=f"{cluster.label}@{medoid.start}:{medoid.end}",
        item=cluster.item,
        label=cluster.label,
        start=medoid.start,
        end=medoid.end,
        attrs=MappingProxyType(attrs),
        support=cluster.annotators,
        confidence=len(members) / n_annotators if n_annotators else 0.0,
        n_annotators=n_annotators,
        exact=all(s.start == medoid.start and s.end == medoid.end for s in members),
        undecided_attrs=undecided,
        regions=tuple((s.annotator, s.region_id) for s in members),
    )


def span_consensus(
    spans: Iterable[Span],
    relations: Iterable[Relation] = (),
    *,
    min_support: int | float = 0.5,
    threshold: float = DEFAULT_THRESHOLD,
    coverage: Iterable[tuple[str, str]] | None = None,
) -> SpanConsensus:
    """Consensus spans and relations of a span layer.

    Spans are aligned (`align_spans`, Jaccard ≥ `threshold`, same label); a cluster is kept
    when its annotators reach `min_support` (count, or share of the item's annotators — see
    `majority_vote`; `coverage` as in `spans.span_f1_pairwise`). A relation is kept when both
    its ends fall in kept clusters and enough annotators drew it between those clusters (same
    `min_support`).
    """
    _threshold(min_support, np.ones(1))  # validates
    spans = list(spans)
    covered = _coverage(spans, coverage)
    kept: list[ConsensusSpan] = []
    dropped: list[ConsensusSpan] = []
    region_to_id: dict[tuple[str, str, str], str] = {}
    seen_ids: dict[str, Counter[str]] = defaultdict(Counter)
    for cluster in align_spans(spans, threshold):
        n = len(covered.get(cluster.item, ()))
        cs = _consensus_span(cluster, n)
        dup = seen_ids[cs.item][cs.id]
        seen_ids[cs.item][cs.id] += 1
        if dup:
            cs = cs._replace(id=f"{cs.id}~{dup}")
        if len(cs.support) >= _needed(min_support, n):
            kept.append(cs)
            for ann, region in cs.regions:
                region_to_id[(cs.item, ann, region)] = cs.id
        else:
            dropped.append(cs)
    drawn: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for r in relations:
        a = region_to_id.get((r.item, r.annotator, r.from_region))
        b = region_to_id.get((r.item, r.annotator, r.to_region))
        if a is not None and b is not None:
            drawn[(r.item, r.kind, a, b)].add(r.annotator)
    rel_kept: list[ConsensusRelation] = []
    rel_dropped: list[ConsensusRelation] = []
    for (item, kind, a, b), anns in sorted(drawn.items()):
        n = len(covered.get(item, ()))
        rel = ConsensusRelation(item, kind, a, b, tuple(sorted(anns)), len(anns) / n, n)
        (rel_kept if len(anns) >= _needed(min_support, n) else rel_dropped).append(rel)
    return SpanConsensus(kept, dropped, rel_kept, rel_dropped)
