"""Agreement of each annotator pair on the items both labelled: Cohen's kappa and percent
agreement, one `Metric` per pair."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from . import _bootstrap
from ._bootstrap import DEFAULT_N_BOOT, FloatArray, IntArray
from .arrays import _group_ends, _pairs_within
from .records import CategoricalData, Metric


@dataclass(frozen=True)
class PairwiseMetrics:
    """One `Metric` per annotator pair ``(a, b)``, a < b, on the items both labelled (pairs
    without a common item are absent); `labelled`: how many items each annotator labelled."""

    name: str
    annotators: tuple[str, ...]
    pairs: Mapping[tuple[str, str], Metric]
    labelled: Mapping[str, int]

    def get(self, a: str, b: str) -> Metric | None:
        return self.pairs.get((a, b) if a < b else (b, a))


def _pair_table(data: CategoricalData) -> IntArray:
    """Rows (annotator a, annotator b, code a, code b), a < b, for every item both labelled
    (the rows of `data` are sorted by item, then annotator)."""
    n = len(data.item_idx)
    left, right = _pairs_within(_group_ends([data.item_idx], n)[1], n)
    ann, code = data.annotator_idx, data.code
    return np.stack([ann[left], ann[right], code[left], code[right]], axis=1).astype(np.int64)


def _pairwise(
    data: CategoricalData, name: str, chance: bool, n_boot: int, seed: int
) -> PairwiseMetrics:
    k = len(data.categories)
    anns = data.annotators
    n_a = len(anns)
    table = _pair_table(data)
    pairs: dict[tuple[str, str], Metric] = {}
    if len(table):
        full = ((table[:, 0] * n_a + table[:, 1]) * k + table[:, 2]) * k + table[:, 3]
        uniq, cnt = np.unique(full, return_counts=True)
        pair_of, cell = uniq // (k * k), uniq % (k * k)
        starts = np.flatnonzero(np.diff(pair_of, prepend=-1))
        stops = np.append(starts[1:], len(uniq))
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            a, b = divmod(int(pair_of[start]), n_a)
            stat = _pair_stat(cell[start:stop].astype(np.int64), k, chance)
            pairs[(anns[a], anns[b])] = _bootstrap.metric(
                name, cnt[start:stop].astype(np.int64), stat, n_boot=n_boot, seed=seed
            )
    labelled = np.bincount(data.annotator_idx, minlength=n_a)
    return PairwiseMetrics(
        name=name,
        annotators=anns,
        pairs=pairs,
        labelled={a: int(labelled[i]) for i, a in enumerate(anns)},
    )


def _pair_stat(cells: IntArray, k: int, chance: bool) -> _bootstrap.Statistic:
    """Observed agreement p_o of a pair's (code a, code b) cells; with `chance`, Cohen's
    ``(p_o − p_e) / (1 − p_e)``, p_e from each annotator's own category shares."""
    ca, cb = cells // k, cells % k
    same = (ca == cb).astype(np.float64)
    one_a = (ca[:, None] == np.arange(k)[None, :]).astype(np.float64)
    one_b = (cb[:, None] == np.arange(k)[None, :]).astype(np.float64)

    def stat(weights: FloatArray) -> FloatArray:
        n = weights.sum(axis=1)
        p_o: FloatArray = (weights @ same) / n
        if not chance:
            return p_o
        p_e = ((weights @ one_a) * (weights @ one_b)).sum(axis=1) / (n * n)
        out: FloatArray = (p_o - p_e) / (1.0 - p_e)
        return out

    return stat


def cohen_kappa_pairwise(
    data: CategoricalData, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0
) -> PairwiseMetrics:
    """Cohen's kappa for every annotator pair, on the items both labelled."""
    return _pairwise(data, "cohen_kappa", True, n_boot, seed)


def percent_agreement_pairwise(
    data: CategoricalData, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0
) -> PairwiseMetrics:
    """Share of co-labelled items on which each annotator pair agrees."""
    return _pairwise(data, "percent_agreement", False, n_boot, seed)
