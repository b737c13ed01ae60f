"""Agreement on one categorical field over items × annotators (missing labels allowed), each
figure a `Metric` with a percentile bootstrap interval over items. Alpha's point estimate is the
`krippendorff` package's, its replicates the same coincidence formulas (Krippendorff 2011);
the per-label figure is one-vs-rest alpha over every pairable item, as Fleiss' κ_j needs equal
raters per item (`fleiss`). `categorical_agreement` adds Fleiss' kappa (`fleiss`; Gwet's
generalisation for unequal raters: `gwet`) and the pairwise figures (`pairwise`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import krippendorff
import numpy as np
import numpy.typing as npt

from . import _bootstrap
from ._bootstrap import DEFAULT_CONFIDENCE, DEFAULT_N_BOOT, FloatArray, IntArray
from .fleiss import fleiss_kappa, fleiss_kappa_per_category, fleiss_raters
from .gwet import _parts, fleiss_kappa_unequal, gwet_ac1
from .pairwise import PairwiseMetrics, cohen_kappa_pairwise, percent_agreement_pairwise
from .records import CategoricalData, Metric

Level = Literal["nominal", "ordinal", "interval"]


def _distance(level: Level, categories: Sequence[str], n_v: FloatArray) -> FloatArray:
    """(B, K, K) distance matrices; `n_v` is (B, K) pairable values per category."""
    b, k = n_v.shape
    if level == "nominal":
        return np.broadcast_to(1.0 - np.eye(k), (b, k, k))
    if level == "interval":
        try:
            vals = np.array([float(c) for c in categories])
        except ValueError as exc:
            raise ValueError("interval alpha needs numeric categories") from exc
        return np.broadcast_to((vals[:, None] - vals[None, :]) ** 2, (b, k, k))
    if level == "ordinal":
        idx = np.arange(k)
        lo = np.minimum(idx[:, None], idx[None, :])
        hi = np.maximum(idx[:, None], idx[None, :])
        cum = np.cumsum(n_v, axis=1)
        between = cum[:, hi] - cum[:, lo] + n_v[:, lo]
        d: FloatArray = (between - (n_v[:, lo] + n_v[:, hi]) / 2.0) ** 2
        return d
    raise ValueError(f"unknown level of measurement {level!r}")


def _alpha_statistic(
    profiles: IntArray, level: Level, categories: Sequence[str]
) -> _bootstrap.Statistic:
    """Alpha over weighted value-count profiles (Krippendorff 2011, coincidence matrices)."""
    g, k = profiles.shape
    m_u = profiles.sum(axis=1).astype(np.float64)
    outer = profiles[:, :, None] * profiles[:, None, :] - profiles[:, :, None] * np.eye(k)[None]
    contrib = (outer / (m_u - 1.0)[:, None, None]).reshape(g, k * k)

    def stat(weights: FloatArray) -> FloatArray:
        o = (weights @ contrib).reshape(-1, k, k)
        n_v = o.sum(axis=1)
        n = n_v.sum(axis=1)
        e = (n_v[:, :, None] * n_v[:, None, :] - n_v[:, :, None] * np.eye(k)[None]) / (n - 1.0)[
            :, None, None
        ]
        d = _distance(level, categories, n_v)
        out: FloatArray = 1.0 - (o * d).sum(axis=(1, 2)) / (e * d).sum(axis=(1, 2))
        return out

    return stat


def _alpha_from_counts(
    name: str, counts: IntArray, level: Level, categories: Sequence[str], n_boot: int, seed: int
) -> Metric:
    """Alpha of a (units, values) count table: point estimate by the `krippendorff` package."""
    counts = counts[counts.sum(axis=1) >= 2]
    profiles, mult = _bootstrap.profiles(counts)
    value = float("nan")
    if len(categories) >= 2 and len(counts):
        domain: npt.ArrayLike = (
            [float(c) for c in categories] if level == "interval" else np.arange(len(categories))
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            value = float(
                krippendorff.alpha(
                    value_counts=counts, value_domain=domain, level_of_measurement=level
                )
            )
    return _alpha_from_profiles(
        name, profiles, mult, level, categories, n_boot, seed, DEFAULT_CONFIDENCE, value
    )


def _alpha_from_profiles(
    name: str,
    profiles: IntArray,
    mult: IntArray,
    level: Level,
    categories: Sequence[str],
    n_boot: int,
    seed: int | np.random.Generator,
    confidence: float,
    value: float | None = None,
) -> Metric:
    """Alpha from distinct value-count rows and their multiplicities (rows with < 2 values are
    dropped). Without `value`, the point estimate is the same formulas at the observed counts."""
    keep = profiles.sum(axis=1) >= 2
    profiles, mult = profiles[keep], mult[keep]
    if len(categories) < 2:
        nan = float("nan")
        return Metric(name, nan, int(mult.sum()), nan, nan)
    stat = _alpha_statistic(profiles, level, categories)
    return _bootstrap.metric(
        name, mult, stat, n_boot=n_boot, seed=seed, confidence=confidence, value=value
    )


def krippendorff_alpha(
    data: CategoricalData, level: Level = "nominal", *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0
) -> Metric:
    """Krippendorff's alpha over the items with ≥ 2 labels; ordinal uses the order of
    `data.categories`, interval needs numeric categories."""
    counts = data.value_counts()
    return _alpha_from_counts(f"alpha_{level}", counts, level, data.categories, n_boot, seed)


def alpha_per_category(
    data: CategoricalData, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0
) -> dict[str, Metric]:
    """One-vs-rest nominal alpha for each category (category vs any other value)."""
    vc = data.value_counts()
    total = vc.sum(axis=1)
    return {
        cat: _alpha_from_counts(
            f"alpha_nominal[{cat}]",
            np.stack([total - vc[:, j], vc[:, j]], axis=1),
            "nominal",
            ("other", cat),
            n_boot,
            seed,
        )
        for j, cat in enumerate(data.categories)
    }


def percent_agreement(
    data: CategoricalData, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0
) -> Metric:
    """Mean over items with ≥ 2 labels of the share of agreeing annotator pairs in the item."""
    vc = data.value_counts()
    profiles, mult = _bootstrap.profiles(vc[vc.sum(axis=1) >= 2])
    agree = _parts(profiles.astype(np.float64))[0]  # Gwet's p_a of each item

    def stat(weights: FloatArray) -> FloatArray:
        out: FloatArray = (weights @ agree) / weights.sum(axis=1)
        return out

    return _bootstrap.metric("percent_agreement", mult, stat, n_boot=n_boot, seed=seed)


@dataclass(frozen=True)
class CategoricalAgreement:
    """Every agreement figure of one categorical field."""

    field: str
    n_items: int
    n_annotators: int
    n_labels: int
    alpha: Metric
    alpha_ordinal: Metric | None
    fleiss_kappa: Metric
    fleiss_raters: int
    percent_agreement: Metric
    cohen_kappa: PairwiseMetrics
    pairwise_agreement: PairwiseMetrics
    per_category: Mapping[str, Metric]
    fleiss_per_category: Mapping[str, Metric]
    # fewest and most labels an item has (items with ≥ 1 label; (0, 0) without any)
    raters_per_item: tuple[int, int] = (0, 0)
    # Gwet's generalised Fleiss' kappa over every item, only when `raters_per_item` varies
    fleiss_unequal: Metric | None = None
    gwet_ac1: Metric | None = None


def categorical_agreement(
    data: CategoricalData,
    *,
    ordinal: Sequence[str] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
) -> CategoricalAgreement:
    """All figures of `data`; with `ordinal` (the values of an ordered scale, in order),
    ordinal alpha over the labels on that scale too."""
    counts = data.value_counts()
    n_i = counts.sum(axis=1)
    spread = (int(n_i.min()), int(n_i.max())) if n_i.size else (0, 0)
    kw = {"n_boot": n_boot, "seed": seed}
    return CategoricalAgreement(
        field=data.field,
        n_items=data.n_items,
        n_annotators=len(data.annotators),
        n_labels=len(data.code),
        alpha=krippendorff_alpha(data, "nominal", **kw),
        alpha_ordinal=None
        if ordinal is None
        else krippendorff_alpha(data.restricted(ordinal), "ordinal", **kw),
        fleiss_kappa=fleiss_kappa(data, **kw),
        fleiss_raters=fleiss_raters(data),
        percent_agreement=percent_agreement(data, **kw),
        cohen_kappa=cohen_kappa_pairwise(data, **kw),
        pairwise_agreement=percent_agreement_pairwise(data, **kw),
        per_category=alpha_per_category(data, **kw),
        fleiss_per_category=fleiss_kappa_per_category(data, **kw),
        raters_per_item=spread,
        fleiss_unequal=fleiss_kappa_unequal(counts, **kw) if spread[0] != spread[1] else None,
        gwet_ac1=gwet_ac1(counts, **kw),
    )
