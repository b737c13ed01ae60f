"""Item bootstrap shared by every metric. Metrics are functions of per-item statistics
("profiles"); items with the same profile are interchangeable, so resampling N items is a
multinomial draw over the distinct profiles, and every replicate is evaluated at once as a
weighted sum: no loop per replicate, cost independent of the number of items."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .records import FloatArray as FloatArray
from .records import IntArray as IntArray
from .records import Metric

#: Statistic over weighted profiles: (B, G) weights -> (B,) values.
Statistic = Callable[[FloatArray], FloatArray]

DEFAULT_N_BOOT = 1000
DEFAULT_CONFIDENCE = 0.95


def profiles(stats: npt.NDArray[np.int64]) -> tuple[IntArray, IntArray]:
    """Distinct rows of an (items, k) integer matrix, sorted, with their multiplicities.

    Rows of small counts (the usual case) are packed into one integer each, first column most
    significant, so sorting the codes sorts the rows: `np.unique(axis=0)` sorts rows as
    structured records, ~30x slower, and this runs for every figure over every item.
    """
    n, k = stats.shape
    if n == 0:
        return stats.reshape(0, k).astype(np.int64), np.zeros(0, dtype=np.int64)
    stats = stats.astype(np.int64, copy=False)
    lo = stats.min(axis=0)
    spans = [int(x) for x in stats.max(axis=0) - lo + 1]
    space = 1
    for x in spans:
        space *= x
    if space >= 2**62:
        uniq, counts = np.unique(stats, axis=0, return_counts=True)
        return uniq.astype(np.int64), counts.astype(np.int64)
    radix = np.ones(k, dtype=np.int64)
    for c in range(k - 2, -1, -1):
        radix[c] = radix[c + 1] * spans[c + 1]
    codes = (stats - lo) @ radix
    if space <= max(4 * n, 1 << 16):
        tally = np.bincount(codes, minlength=space)
        uniq_codes = np.flatnonzero(tally)
        counts = tally[uniq_codes]
    else:
        uniq_codes, counts = np.unique(codes, return_counts=True)
    rows = (uniq_codes[:, None] // radix) % np.array(spans, dtype=np.int64) + lo
    return rows.astype(np.int64), counts.astype(np.int64)


def metric(
    name: str,
    multiplicity: IntArray,
    statistic: Statistic,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
    value: float | None = None,
) -> Metric:
    """Point estimate plus percentile bootstrap interval of `statistic` over the items.

    `multiplicity[g]` is the number of items with profile g. `value`, when given, is the point
    estimate computed elsewhere (e.g. by the `krippendorff` package); otherwise it is
    `statistic` at the observed multiplicities. Replicates where the statistic is undefined
    (NaN, e.g. no variation left in the resample) are left out of the percentiles.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be in (0, 1)")
    n_items = int(multiplicity.sum())
    if n_items == 0:
        return Metric(name, float("nan"), 0, float("nan"), float("nan"))
    with np.errstate(divide="ignore", invalid="ignore"):
        if value is None:
            value = float(statistic(multiplicity[np.newaxis, :].astype(np.float64))[0])
        low = high = float("nan")
        if n_boot > 0:
            rng = np.random.default_rng(seed)  # a Generator passes through as itself
            weights = rng.multinomial(n_items, multiplicity / n_items, size=n_boot)
            reps = statistic(weights.astype(np.float64))
            reps = reps[np.isfinite(reps)]
            if reps.size:
                tail = (1.0 - confidence) / 2.0 * 100.0
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    low, high = (float(x) for x in np.percentile(reps, [tail, 100.0 - tail]))
    return Metric(name, value, n_items, low, high)
