"""Agreement on relations, for any schema (a team's `<Relations>` as much as the news schema's):
two annotators' relations match when they have the same name and both ends match as aligned
spans do (same label, Jaccard >= the index's threshold); F1 pairs them one-to-one within an
(item, annotator pair, name), best summed Jaccard of the two ends first. Per relation name and
over all names, pooled over annotator pairs and per pair, like span F1."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._bootstrap import DEFAULT_CONFIDENCE, DEFAULT_N_BOOT, IntArray
from .arrays import _group_ends, _lexsort, _pairs_within, one_to_one
from .records import Metric, Relation
from .spanindex import SpanIndex
from .spans import PairF1, _pair_f1, _per_item, _pooled
from .triples import _part_scores, relation_ends


def relation_counts(
    index: SpanIndex, relations: Iterable[Relation]
) -> tuple[tuple[str, ...], IntArray]:
    """(the relation names drawn, sorted; (pair rows, names, 3): TP, n_a, n_b of relations of
    each name per co-annotated (item, a, b)). A relation counts when both its ends are spans
    of `index` (a relation to a region that is no span of the layer is left out)."""
    rels = list(relations)
    names = tuple(sorted({r.kind for r in rels}))
    _, ra, rb = index.pair_rows
    out = np.zeros((len(ra), max(1, len(names)), 3), dtype=np.int64)
    if not rels or not index.n:
        return names, out
    # each relation's coverage row (item, annotator), then its ends' span positions
    rows, region = relation_ends(index, rels)
    code = {name: k for k, name in enumerate(names)}
    kept = []
    for c, r in zip(rows, rels, strict=True):
        a, b = region.get((c, r.from_region)), region.get((c, r.to_region))
        if a is not None and b is not None:  # (an uncovered row, -1, has no spans)
            kept.append((c, code[r.kind], a, b))
    if not kept:
        return names, out
    cov, kind, frm, to = (np.array(col, dtype=np.int64) for col in zip(*kept, strict=True))
    n_of = np.zeros((len(index.cov_key), out.shape[1]), dtype=np.int64)
    np.add.at(n_of, (cov, kind), 1)
    out[:, :, 1], out[:, :, 2] = n_of[ra], n_of[rb]
    # candidates: relations of one name in one item by two annotators, both ends matching
    item, ann = index.cov_item[cov], index.cov_ann[cov]
    order = _lexsort((ann, kind, item))
    _, bounds = _group_ends([item[order], kind[order]], len(order))
    i, j = _pairs_within(bounds, len(order))
    x, y = order[i], order[j]
    differ = ann[x] != ann[y]
    x, y = x[differ], y[differ]
    x, y = np.where(ann[x] < ann[y], x, y), np.where(ann[x] < ann[y], y, x)  # (a < b)
    from_score, from_ok = _part_scores(index, frm[x], frm[y])
    to_score, to_ok = _part_scores(index, to[x], to[y])
    ok = from_ok & to_ok
    x, y, score = x[ok], y[ok], (from_score + to_score)[ok]
    if not len(x):
        return names, out
    pair = index._pair_of(item[x], ann[x], ann[y])
    group = pair * out.shape[1] + kind[x]

    def best(k: int) -> tuple[object, ...]:
        a, b = int(x[k]), int(y[k])
        return (-float(score[k]), index._key(int(frm[a])), index._key(int(to[a])),
                index._key(int(frm[b])), index._key(int(to[b])))  # fmt: skip

    match = one_to_one(group, x, y, best)
    np.add.at(out[:, :, 0], (pair[match], kind[x][match]), 1)
    return names, out


def pooled_relation_f1(
    index: SpanIndex,
    names: tuple[str, ...],
    counts: IntArray,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Metric]:
    """Relation F1 pooled over every annotator pair, key "all" and one per name (items where
    nobody drew a relation of that name are left out, as for spans)."""
    stacked = _per_item(index, counts)[:, : len(names)]
    out = {"all": _pooled("relation_f1", stacked.sum(axis=1), n_boot, seed, confidence)}
    for k, name in enumerate(names):
        out[name] = _pooled(f"relation_f1[{name}]", stacked[:, k], n_boot, seed, confidence)
    return out


def pairwise_relation_f1(
    index: SpanIndex,
    names: tuple[str, ...],
    counts: IntArray,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> list[PairF1]:
    """Relation F1 of every annotator pair over all names (label None) and per name."""
    out: list[PairF1] = []
    for a, b, rows in index.rows_by_pair():
        stacked = counts[rows][:, : len(names)]
        out.append(_pair_f1(a, b, None, "relation", stacked.sum(axis=1), n_boot, seed, confidence))
        for k, name in enumerate(names):
            out.append(_pair_f1(a, b, name, "relation", stacked[:, k], n_boot, seed, confidence))
    return out
