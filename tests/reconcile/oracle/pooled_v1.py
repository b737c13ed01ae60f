"""Span and triple F1 pooled over every annotator pair: one headline figure per label.

The pairwise F1s of `spans` describe each pair; a report also needs one number per label with
an interval. Pooling sums, per item, TP and span counts over all the pairs covering it
(``F1 = 2 ΣTP / Σ(n_a + n_b)``) and bootstraps over *items*, so the interval reflects the
variation of the texts, not of the pairs (pairs in one item are not independent).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

import numpy as np

from workbench.reconcile._bootstrap import DEFAULT_CONFIDENCE, DEFAULT_N_BOOT
from workbench.reconcile.pooled import ALL, _pooled
from workbench.reconcile.records import Metric, Relation, Span

from .spans_v1 import (
    DEFAULT_THRESHOLD,
    Match,
    Triple,
    _coverage,
    _group,
    _match_count,
    _triple_key,
    attribution_triples,
    triples_match,
)


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
    spans = list(spans)
    grouped = _group(spans)
    labels = sorted({s.label for s in spans})
    idx = {lab: i for i, lab in enumerate(labels)}
    rows: list[list[int]] = []
    for item, anns in _coverage(spans, coverage).items():
        if len(anns) < 2:
            continue
        row = [0] * (3 * len(labels))
        for a, b in combinations(anns, 2):
            sa, sb = grouped.get((item, a), []), grouped.get((item, b), [])
            for s in sa:
                row[3 * idx[s.label] + 1] += 1
            for s in sb:
                row[3 * idx[s.label] + 2] += 1
            for x, _ in _match_count(sa, sb, match, threshold):
                row[3 * idx[x.label]] += 1
        rows.append(row)
    stacked = np.array(rows, dtype=np.int64).reshape(-1, len(labels), 3)
    out = {ALL: _pooled(f"span_f1_{match}", stacked.sum(axis=1), n_boot, seed, confidence)}
    for lab in labels:
        out[lab] = _pooled(
            f"span_f1_{match}[{lab}]", stacked[:, idx[lab]], n_boot, seed, confidence
        )
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
    spans = list(spans)
    by_ia: dict[tuple[str, str], list[Triple]] = defaultdict(list)
    for t in attribution_triples(spans, relations):
        by_ia[(t.item, t.annotator)].append(t)
    rows: list[tuple[int, int, int]] = []
    for item, anns in _coverage(spans, coverage).items():
        if len(anns) < 2:
            continue
        tp = na = nb = 0
        for a, b in combinations(anns, 2):
            ta, tb = by_ia.get((item, a), []), by_ia.get((item, b), [])
            cands = []
            for i, x in enumerate(ta):
                for j, y in enumerate(tb):
                    sc = triples_match(x, y, threshold)
                    if sc is not None:
                        cands.append((-sc, str(_triple_key(x)), str(_triple_key(y)), i, j))
            cands.sort()
            used_a: set[int] = set()
            used_b: set[int] = set()
            for _, _, _, i, j in cands:
                if i not in used_a and j not in used_b:
                    used_a.add(i)
                    used_b.add(j)
            tp, na, nb = tp + len(used_a), na + len(ta), nb + len(tb)
        rows.append((tp, na, nb))
    return _pooled(
        "triple_f1", np.array(rows, dtype=np.int64).reshape(-1, 3), n_boot, seed, confidence
    )
