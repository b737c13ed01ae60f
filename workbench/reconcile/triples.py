"""Attribution triples: for each Content region, (source, cue, content) with the Source it is
`attributed_to` and the Cue that is `cue_of` it (None when absent; one triple per combination
when several). Two triples match when each part matches by overlap (None matches None); their
F1 pairs triples one-to-one, best summed Jaccard first."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from workbench.schema import Schema

from ._bootstrap import DEFAULT_CONFIDENCE, DEFAULT_N_BOOT, FloatArray, IntArray
from .arrays import BoolArray, one_to_one
from .records import Metric, Relation
from .spanindex import SpanIndex, triple_positions
from .spans import PairF1, _pair_f1, _per_item, _pooled

TRIPLE_KINDS = ("attributed_to", "cue_of")


def has_attributions(schema: Schema) -> bool:
    """Whether `schema` makes attribution triples: it has both relations of `TRIPLE_KINDS` (a
    news-schema notion; a team schema with only a `cue_of` of its own makes none)."""
    return set(TRIPLE_KINDS) <= set(schema.relation_names)


def triple_spans(
    index: SpanIndex, relations: Iterable[Relation], kinds: tuple[str, str] = TRIPLE_KINDS
) -> list[tuple[int, int | None, int | None]]:
    """Attribution triples (content, source, cue) as span positions (see the module doc),
    sorted by (item, annotator, content region); `kinds` are the names of the (content →
    source, cue → content) relations."""
    rels = [r for r in relations if r.kind in kinds]
    rows, region = relation_ends(index, rels)
    attributed_to = kinds[0]
    ends = (
        ((c, r.from_region), (c, r.to_region), r.kind == attributed_to)
        for c, r in zip(rows, rels, strict=True)
    )
    return triple_positions(region, ends, index._key)


def relation_ends(
    index: SpanIndex, rels: list[Relation]
) -> tuple[list[int], dict[tuple[int, str], int]]:
    """Each relation's coverage row (its (item, annotator) in `index`; -1 when not covered),
    and the span position of each (coverage row, region id) a relation ends at: look an end
    up as ``region.get((row, end_region))`` (None: no span of the layer)."""
    # Keys (coverage row, region id), which order as (item, annotator, region id) do, but
    # hash and compare faster than three strings; and only for spans whose region id ends
    # a relation (ids are nearly unique): a key per span of the layer was most of the time.
    item_of = {x: k for k, x in enumerate(index.items)}
    ann_of = {x: k for k, x in enumerate(index.annotators)}
    item = np.fromiter((item_of.get(r.item, -1) for r in rels), np.int64, len(rels))
    ann = np.fromiter((ann_of.get(r.annotator, -1) for r in rels), np.int64, len(rels))
    key = item * index.n_ann + ann
    row = np.searchsorted(index.cov_key, key)
    found = (item >= 0) & (ann >= 0) & (row < len(index.cov_key))
    found[found] = index.cov_key[row[found]] == key[found]
    ids = {r.from_region for r in rels} | {r.to_region for r in rels}
    span_rows = index.span_cov.tolist()
    region: dict[tuple[int, str], int] = {
        (span_rows[k], rid): k for k, rid in enumerate(index.region_ids) if rid in ids
    }
    return np.where(found, row, -1).tolist(), region


def triple_counts(
    index: SpanIndex, relations: Iterable[Relation], kinds: tuple[str, str] = TRIPLE_KINDS
) -> IntArray:
    """(pair rows, 3): TP, n_a, n_b of attribution triples per co-annotated (item, a, b)."""
    triples = triple_spans(index, relations, kinds)
    _, ra, rb = index.pair_rows
    out = np.zeros((len(ra), 3), dtype=np.int64)
    n_t = len(triples)
    content = np.fromiter((c for c, _, _ in triples), np.int64, n_t)
    source = np.fromiter((-1 if x is None else x for _, x, _ in triples), np.int64, n_t)
    cue = np.fromiter((-1 if x is None else x for _, _, x in triples), np.int64, n_t)
    n_tri = np.bincount(index.span_cov[content], minlength=len(index.cov_key))
    out[:, 1], out[:, 2] = n_tri[ra], n_tri[rb]
    # candidates: every (triple of x, triple of y) of a matching content pair (x, y), by
    # array arithmetic: a Python loop over them cost ~1 s at 10^5 segments
    per = np.bincount(content, minlength=index.n)
    by_content = np.argsort(content, kind="stable")
    first = np.cumsum(per) - per
    both = (per[index.cand_i] > 0) & (per[index.cand_j] > 0)
    ci, cj = index.cand_i[both], index.cand_j[both]
    nx, ny = per[ci], per[cj]
    k = np.repeat(np.arange(len(ci)), nx * ny)
    r = np.arange(len(k)) - (np.cumsum(nx * ny) - nx * ny)[k]
    a = by_content[first[ci][k] + r // ny[k]]
    b = by_content[first[cj][k] + r % ny[k]]
    # `spans.triples_match`: summed Jaccard of (source, cue, content), every part matching
    score: FloatArray = np.zeros(len(k))
    ok: BoolArray = np.ones(len(k), dtype=bool)
    for part in (source, cue, content):
        part_score, part_ok = _part_scores(index, part[a], part[b])
        score, ok = score + part_score, ok & part_ok
    row = index._pair_of(index.item[ci], index.ann[ci], index.ann[cj])[k][ok]
    a, b, score = a[ok], b[ok], score[ok]
    # matched one-to-one within each pair row

    def key(k: int) -> tuple[object, ...]:
        x, y = int(a[k]), int(b[k])
        tx, ty = str(_triple_key(triples[x], index)), str(_triple_key(triples[y], index))
        return (-float(score[k]), tx, ty, x, y)

    out[:, 0] = np.bincount(row[one_to_one(row, a, b, key)], minlength=len(ra))
    return out


def _part_scores(index: SpanIndex, x: IntArray, y: IntArray) -> tuple[FloatArray, BoolArray]:
    """Per pair of parts (span positions, -1 for none): the Jaccard of the two spans, 1
    for none and none; and whether they match (same label, Jaccard >= threshold; none
    matches none only)."""
    present = (x >= 0) & (y >= 0)
    xs, ys = np.where(present, x, 0), np.where(present, y, 0)
    jac = index._jaccard(xs, ys)
    same = (index.lab[xs] == index.lab[ys]) & (jac >= index.threshold)
    ok: BoolArray = np.where(present, same, (x < 0) & (y < 0))
    score: FloatArray = np.where(present, jac, 1.0)
    return score, ok


def _triple_key(t: tuple[int, int | None, int | None], index: SpanIndex) -> tuple[object, ...]:
    return tuple(index._key(p) if p is not None else () for p in t)


def pairwise_triple_f1(
    index: SpanIndex,
    counts: IntArray,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> list[PairF1]:
    """Pairwise F1 over attribution triples (greedy one-to-one, best total Jaccard first),
    from `triple_counts`."""
    return [
        _pair_f1(a, b, "triple", "overlap", counts[rows], n_boot, seed, confidence)
        for a, b, rows in index.rows_by_pair()
    ]


def pooled_triple_f1(
    index: SpanIndex,
    counts: IntArray,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Metric:
    """F1 over attribution triples pooled over every annotator pair, from `triple_counts`."""
    rows = _per_item(index, counts)
    return _pooled("triple_f1", rows, n_boot, seed, confidence)
