"""Fleiss' kappa (Fleiss 1971): every item needs the same number n of raters, so it is
computed on the items with the modal number of raters (among items with ≥ 2; a tie goes to the
larger n): `fleiss_raters`. Per-category κ_j (Fleiss 1971, eq. 13-14):
``κ_j = 1 − Σ_i n_ij (n − n_ij) / (N n (n − 1) p_j q_j)``, on the same items.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._bootstrap import DEFAULT_N_BOOT, IntArray
from .gwet import coefficient_metric
from .records import CategoricalData, Metric


def fleiss_raters(data: CategoricalData) -> int:
    """The number of raters per item Fleiss' kappa uses: the modal one among items with ≥ 2
    labels (the larger on a tie); 0 when no item has 2 labels."""
    n_i = np.bincount(data.item_idx, minlength=data.n_items)
    n_i = n_i[n_i >= 2]
    if n_i.size == 0:
        return 0
    values, counts = np.unique(n_i, return_counts=True)
    best = np.flatnonzero(counts == counts.max())
    return int(values[best[-1]])


def _fleiss_counts(data: CategoricalData) -> IntArray:
    n = fleiss_raters(data)
    vc = data.value_counts()
    return vc[vc.sum(axis=1) == n] if n else vc[:0]


def fleiss_kappa_from_counts(
    counts: npt.ArrayLike, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0
) -> Metric:
    """Fleiss' kappa of an (items, categories) count table with a constant row sum n ≥ 2:
    Gwet's generalisation (`gwet`), which is Fleiss' formula when n is the same for all."""
    arr = np.asarray(counts, dtype=np.int64)
    n_per = arr.sum(axis=1)
    if arr.ndim != 2 or (arr.size and (n_per != n_per[0]).any()):
        raise ValueError("Fleiss' kappa needs the same number of raters for every item")
    if arr.shape[0] and n_per[0] < 2:
        raise ValueError("Fleiss' kappa needs at least 2 raters per item")
    return coefficient_metric("fleiss_kappa", arr, "fleiss", n_boot, seed)


def fleiss_kappa(data: CategoricalData, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0) -> Metric:
    """Fleiss' kappa on the items with the modal number of raters (see `fleiss_raters`)."""
    return fleiss_kappa_from_counts(_fleiss_counts(data), n_boot=n_boot, seed=seed)


def fleiss_kappa_per_category(
    data: CategoricalData, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0
) -> dict[str, Metric]:
    """Fleiss' κ_j per category, on the same items as `fleiss_kappa`: the kappa of the
    category against all others (eq. 13-14 is that kappa of the two-column table)."""
    counts = _fleiss_counts(data)
    n = counts.sum(axis=1)
    return {
        cat: coefficient_metric(
            f"fleiss_kappa[{cat}]",
            np.stack([n - counts[:, j], counts[:, j]], axis=1),
            "fleiss",
            n_boot,
            seed,
        )
        for j, cat in enumerate(data.categories)
    }
