"""Span and triple F1 pooled over every annotator pair: one headline figure per label.

The pairwise F1s of `spans` describe each pair; a report also needs one number per label with
an interval. Pooling sums, per item, TP and span counts over all the pairs covering it
(``F1 = 2 ΣTP / Σ(n_a + n_b)``) and bootstraps over *items*, so the interval reflects the
variation of the texts, not of the pairs (pairs in one item are not independent).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from . import _bootstrap
from ._bootstrap import DEFAULT_CONFIDENCE, DEFAULT_N_BOOT, IntArray
from .records import Metric, Relation, Span
from .spanindex import SpanIndex
from .spans import DEFAULT_THRESHOLD, Match, _f1_stat

ALL = "all"


def span_f1_pooled(
    spans: Iterable[Span],
    *,
    match: Match = "overlap",
    threshold: float = DEFAULT_THRESHOLD,
    coverage: Iterable[tuple[str, str]] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Metric]:
    """Pooled pairwise F1: key ``"all"`` (micro over labels) and one key per label.

    `n_items` counts the items with ≥ 2 covering annotators.
    """
    return pooled_f1(SpanIndex(spans, coverage, threshold), match, n_boot, seed, confidence)


def _per_item(index: SpanIndex, counts: IntArray) -> IntArray:
    """Pair rows summed per item (items with a pair, i.e. ≥ 2 covering annotators)."""
    item = index.pair_rows[0]
    if len(item) == 0:
        return counts[:0]
    starts = np.flatnonzero(np.concatenate(([True], item[1:] != item[:-1])))
    out: IntArray = np.add.reduceat(counts, starts, axis=0)
    return out


def pooled_f1(
    index: SpanIndex,
    match: Match,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Metric]:
    """`span_f1_pooled` on a built index."""
    labels = index.labels
    stacked = _per_item(index, index.pair_counts(exact=match == "exact"))[:, : len(labels)]
    out = {ALL: _pooled(f"span_f1_{match}", stacked.sum(axis=1), n_boot, seed, confidence)}
    for k, lab in enumerate(labels):
        out[lab] = _pooled(f"span_f1_{match}[{lab}]", stacked[:, k], n_boot, seed, confidence)
    return out


def triple_f1_pooled(
    spans: Iterable[Span],
    relations: Iterable[Relation],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    coverage: Iterable[tuple[str, str]] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Metric:
    """Pooled pairwise F1 of attribution triples (matching as `spans.triple_f1_pairwise`)."""
    index = SpanIndex(spans, coverage, threshold)
    return pooled_triple_f1(index, index.triple_counts(relations), n_boot, seed, confidence)


def pooled_triple_f1(
    index: SpanIndex,
    counts: IntArray,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Metric:
    """`triple_f1_pooled` from `index.triple_counts`."""
    rows = _per_item(index, counts)
    return _pooled("triple_f1", rows, n_boot, seed, confidence)


def _pooled(name: str, rows: IntArray, n_boot: int, seed: int, confidence: float) -> Metric:
    # Items where nobody drew anything say nothing about span agreement: F1 is undefined
    # there (0/0), so they are left out of the figure and of its n_items.
    rows = rows[(rows[:, 1] + rows[:, 2]) > 0]
    profiles, mult = _bootstrap.profiles(rows.astype(np.int64))
    return _bootstrap.metric(
        name, mult, _f1_stat(profiles), n_boot=n_boot, seed=seed, confidence=confidence
    )
