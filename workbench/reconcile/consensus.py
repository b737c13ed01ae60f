"""Consensus of categorical layers: majority vote and Dawid–Skene (one `ItemConsensus` per
item of a `CategoricalData`, in item order; label None = undecided: a tie, or too little
support or confidence). Span layers: `spanconsensus`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import numpy.typing as npt

from ._bootstrap import FloatArray, IntArray
from .records import CategoricalData

_EPS = 1e-10  # as crowd-kit's DawidSkene: floor of probabilities before taking logs


@dataclass(slots=True)
class ItemConsensus:
    """The consensus of one item's field. `support`: the sorted annotators who gave `label`
    (empty when undecided); `confidence`: the winner's vote share (majority vote) or posterior
    (Dawid–Skene), for an undecided item that of the best candidate."""

    item: str
    field: str
    label: str | None
    support: tuple[str, ...]
    confidence: float
    n_annotators: int
    tie: bool
    method: str


def _named(masks: IntArray, names: Sequence[str]) -> list[tuple[str, ...]]:
    """Each annotator bitmask (bit a = `names[a]`, at most 62 names) as the tuple of its names;
    there are few distinct masks, each named once."""
    uniq, inverse = np.unique(masks, return_inverse=True)
    tuples = [tuple(names[a] for a in range(len(names)) if (m >> a) & 1) for m in uniq.tolist()]
    return [tuples[i] for i in inverse.reshape(-1).tolist()]


def _supports(
    data: CategoricalData, winner: IntArray, decided: npt.NDArray[np.bool_]
) -> list[tuple[str, ...]]:
    """Per item, the sorted annotators whose code is the item's decided winner."""
    agree = decided[data.item_idx] & (data.code == winner[data.item_idx])
    items = data.item_idx[agree]
    anns = data.annotator_idx[agree]
    names = data.annotators
    if len(names) <= 62:
        masks = np.zeros(data.n_items, dtype=np.int64)  # one bitmask per item
        np.bitwise_or.at(masks, items, np.left_shift(np.int64(1), anns))
        return _named(masks, names)
    grouped: list[list[str]] = [[] for _ in range(data.n_items)]
    for i, a in zip(items.tolist(), anns.tolist(), strict=True):
        grouped[i].append(names[a])
    return [tuple(g) for g in grouped]


def _threshold(min_support: int | float, n: FloatArray) -> FloatArray:
    """Votes needed per item: a count when `min_support` is an int, else a share of the
    item's annotators (1.0 = unanimity)."""
    if isinstance(min_support, bool):
        raise TypeError("min_support must be an int (count) or a float (share)")
    if isinstance(min_support, int):
        if min_support < 1:
            raise ValueError("min_support count must be ≥ 1")
        return np.full_like(n, float(min_support))
    if not 0.0 < min_support <= 1.0:
        raise ValueError("min_support share must be in (0, 1]")
    need: FloatArray = min_support * n - 1e-9
    return need


def majority_vote(data: CategoricalData, min_support: int | float = 0.5) -> list[ItemConsensus]:
    """Plurality label per item, kept when it has at least `min_support` votes.

    `min_support` is a count of annotators (int, e.g. 2) or a share of the item's annotators
    (float, e.g. 0.5 — the default — or 2/3; 1.0 means unanimity). A tie for first place is
    undecided (label None, `tie` True) whatever the support: deterministic, never broken by
    input order or category name.
    """
    labels, supports, confidence, n_annotators, tie = majority_columns(data, min_support)
    # positional construction over columns: keyword construction per item was most of the
    # time at 10^5 items
    name, method = repeat(data.field), repeat("majority_vote")
    return list(
        map(
            ItemConsensus, data.items, name, labels, supports, confidence, n_annotators, tie, method
        )
    )


def majority_columns(
    data: CategoricalData, min_support: int | float = 0.5
) -> tuple[list[str | None], list[tuple[str, ...]], list[float], list[int], list[bool]]:
    """`majority_vote` as columns in item order: label, support, confidence, n_annotators
    and tie (reconcile makes its rows from these directly)."""
    vc = data.value_counts().astype(np.float64)
    n = vc.sum(axis=1)
    top = vc.max(axis=1) if vc.size else np.zeros(data.n_items)
    winner = vc.argmax(axis=1) if vc.size else np.zeros(data.n_items, dtype=np.int64)
    tie = (vc == top[:, None]).sum(axis=1) > 1
    decided = ~tie & (top >= _threshold(min_support, n))
    supports = _supports(data, winner.astype(np.int64), decided)
    conf = np.divide(top, n, out=np.zeros_like(top), where=n > 0)
    cats = data.categories
    labels = [
        cats[w] if d else None for w, d in zip(winner.tolist(), decided.tolist(), strict=True)
    ]
    return labels, supports, conf.tolist(), n.astype(np.int64).tolist(), tie.tolist()


@dataclass(frozen=True, eq=False)
class DawidSkeneResult:
    """Dawid–Skene fit: labels and model. `posteriors[i, c]` = P(item i is c); `priors[c]`;
    `confusion[a, c, k]` = P(annotator a says k | truth c); axes as `data`'s."""

    labels: list[ItemConsensus]
    items: tuple[str, ...]
    annotators: tuple[str, ...]
    categories: tuple[str, ...]
    posteriors: FloatArray
    priors: FloatArray
    confusion: FloatArray
    n_iter: int
    converged: bool
    elbo: float


def _m_step(
    post_obs: FloatArray, cell: IntArray, used: FloatArray, n_ann: int, k: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Confusions from posteriors: (expected counts, err, log err), each (annotator * k +
    observed, true); err floored at `_EPS`, normalised per (annotator, true), 0 where unused."""
    counts: FloatArray = np.stack(
        [np.bincount(cell, weights=post_obs[:, c], minlength=n_ann * k) for c in range(k)],
        axis=1,
    )
    err = np.where(used[:, None] > 0, np.maximum(counts, _EPS), 0.0).reshape(n_ann, k, k)
    err = (err / err.sum(axis=1, keepdims=True)).reshape(n_ann * k, k)
    log_err = np.log(np.where(err > 0, err, 1.0))
    return counts, err, log_err


def _row_max(a: FloatArray) -> FloatArray:
    """Row maxima of a narrow (n, k) matrix: k vectorised passes, much faster than
    `a.max(axis=1)` for small k."""
    out: FloatArray = a[:, 0].copy()
    for c in range(1, a.shape[1]):
        np.maximum(out, a[:, c], out=out)
    return out


def dawid_skene(
    data: CategoricalData,
    *,
    max_iter: int = 100,
    tol: float = 1e-5,
    min_confidence: float = 0.0,
    tie_tol: float = 1e-9,
) -> DawidSkeneResult:
    """Dawid & Skene (1979) EM, one full confusion matrix per annotator, as crowd-kit's
    `DawidSkene` (initialised with vote shares; stops when the evidence lower bound per label
    improves by less than `tol`), so the labels agree with it up to exact ties. An item whose
    two best posteriors are within `tie_tol`, or whose best is below `min_confidence`, is
    undecided."""
    n_items, n_ann, k = data.n_items, len(data.annotators), len(data.categories)
    item, cell = data.item_idx, data.annotator_idx * k + data.code
    empty = np.zeros((n_items, k))
    if n_items == 0 or k == 0:
        return DawidSkeneResult(
            [],
            data.items,
            data.annotators,
            data.categories,
            empty,
            np.zeros(k),
            np.zeros((n_ann, k, k)),
            0,
            True,
            float("nan"),
        )
    starts = np.flatnonzero(np.concatenate(([True], item[1:] != item[:-1])))
    used = np.bincount(cell, minlength=n_ann * k).astype(np.float64)
    n_obs = float(len(cell))

    vc = data.value_counts().astype(np.float64)
    n_per_item = vc.sum(axis=1)
    post = vc / n_per_item[:, None]
    priors = post.mean(axis=0)
    _, err, log_err = _m_step(np.take(post, item, axis=0), cell, used, n_ann, k)
    ones = np.ones(k)
    loss = -np.inf
    n_iter, converged, elbo = 0, False, float("nan")
    for n_iter in range(1, max_iter + 1):  # noqa: B007
        # E-step: log P(true = c) + Σ log P(observed | true = c), normalised in log space.
        log_lik = np.add.reduceat(np.take(log_err, cell, axis=0), starts, axis=0)
        log_lik += np.log(np.maximum(priors, _EPS))
        log_lik -= _row_max(log_lik)[:, None]
        post = np.exp(log_lik)
        post /= (post @ ones)[:, None]
        # M-step
        priors = post.mean(axis=0)
        counts, err, log_err = _m_step(np.take(post, item, axis=0), cell, used, n_ann, k)
        # Evidence lower bound per label, as crowd-kit computes it:
        # E_post[log P(labels, truth)] + entropy(post), from the expected counts.
        joint = float((counts * log_err).sum())
        joint += float((n_per_item @ post) @ np.log(np.maximum(priors, _EPS)))
        clipped = np.maximum(post, _EPS)
        entropy = float(-(clipped * np.log(clipped)).sum())
        elbo = (joint + entropy) / n_obs
        if elbo - loss < tol:
            converged = True
            break
        loss = elbo

    order = np.argsort(-post, axis=1, kind="stable")
    best = order[:, 0]
    p_best = post[np.arange(n_items), best]
    p_second = post[np.arange(n_items), order[:, 1]] if k > 1 else np.zeros(n_items)
    tie = (p_best - p_second) <= tie_tol
    decided = ~tie & (p_best >= min_confidence)
    supports = _supports(data, best.astype(np.int64), decided)
    n_per = vc.sum(axis=1).astype(np.int64)
    cats = data.categories
    labels = list(
        map(
            ItemConsensus,
            data.items,
            repeat(data.field),
            [cats[b] if d else None for b, d in zip(best.tolist(), decided.tolist(), strict=True)],
            supports,
            p_best.tolist(),
            n_per.tolist(),
            tie.tolist(),
            repeat("dawid_skene"),
        )
    )
    confusion = err.reshape(n_ann, k, k).transpose(0, 2, 1).copy()
    return DawidSkeneResult(
        labels=labels,
        items=data.items,
        annotators=data.annotators,
        categories=cats,
        posteriors=post,
        priors=priors,
        confusion=confusion,
        n_iter=n_iter,
        converged=converged,
        elbo=elbo,
    )
