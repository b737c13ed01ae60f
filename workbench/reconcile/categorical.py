"""Agreement on one categorical field over items × annotators (missing labels allowed).

Figures (each a `Metric` with a 95 % percentile bootstrap interval over items):

* `krippendorff_alpha` — nominal, ordinal or interval; the point estimate is computed by the
  `krippendorff` package, the bootstrap replicates by the same coincidence-matrix formulas,
  vectorised. Only *pairable* items (≥ 2 labels) count and are resampled.
* `fleiss_kappa` — Fleiss (1971) assumes every item has the same number n of raters. With
  unequal numbers we use **only the items with the modal number of raters** (among items with
  ≥ 2 raters; a tie between modes goes to the larger n). `fleiss_raters` tells which n that is.
  `categorical_agreement` then also gives Gwet's (2014) generalisation over every item
  (`workbench.reconcile.gwet`), which is what the report shows as Fleiss' kappa in that case.
* `fleiss_kappa_per_category` — Fleiss' per-category kappa κ_j (Fleiss 1971, eq. 13-14):
  ``κ_j = 1 − Σ_i n_ij (n − n_ij) / (N n (n − 1) p_j q_j)``, on the same items as `fleiss_kappa`.
* `alpha_per_category` — per-label agreement as **one-vs-rest nominal alpha**: each label is
  binarised (label / not label) and nominal alpha computed over all pairable items. Unlike κ_j it
  uses every item, whatever its number of raters. This is the per-label figure we report.
* `cohen_kappa_pairwise` — Cohen's kappa for each annotator pair on the items both labelled.
* `percent_agreement` — mean over items with ≥ 2 labels of the share of agreeing annotator pairs
  in the item (Σ_c n_c (n_c − 1) / (n (n − 1))); `percent_agreement_pairwise` — per annotator
  pair, the share of co-labelled items on which they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import krippendorff
import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import ValidationError
from . import _bootstrap
from ._bootstrap import DEFAULT_CONFIDENCE, DEFAULT_N_BOOT, FloatArray, IntArray
from .gwet import fleiss_kappa_unequal, gwet_ac1
from .records import Label, Metric

Level = Literal["nominal", "ordinal", "interval"]


def _category_order(values: Iterable[str]) -> tuple[str, ...]:
    """Sorted categories: numerically when every value is a number, else as strings."""
    uniq = sorted(set(values))
    try:
        return tuple(sorted(uniq, key=lambda v: (float(v), v)))
    except ValueError:
        return tuple(uniq)


def _factorize(values: list[str]) -> tuple[IntArray, tuple[str, ...]]:
    """Codes into the sorted distinct values (hash-based: fast on 10⁵-10⁶ strings)."""
    if not values:
        return np.zeros(0, dtype=np.int64), ()
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=True)
    return np.asarray(codes, dtype=np.int64), tuple(str(u) for u in uniques)


@dataclass(frozen=True, eq=False)
class CategoricalData:
    """Labels of one field in long form, canonically ordered.

    `items`, `annotators` are sorted; `categories` are sorted (numerically when all values are
    numbers) unless given. The three index arrays hold one row per (item, annotator) label,
    sorted by item then annotator, so nothing downstream depends on the input order.
    """

    field: str
    items: tuple[str, ...]
    annotators: tuple[str, ...]
    categories: tuple[str, ...]
    item_idx: IntArray
    annotator_idx: IntArray
    code: IntArray

    @classmethod
    def from_labels(
        cls,
        labels: Iterable[Label],
        field: str | None = None,
        categories: Sequence[str] | None = None,
    ) -> CategoricalData:
        """Collect the labels of `field` (or of the only field present when None).

        `categories` fixes the category order (needed for ordinal alpha on non-numeric values)
        and may include categories nobody used. Two different values by one annotator for one
        item raise `ValidationError`; exact duplicates are dropped.
        """
        rows = [lab for lab in labels if field is None or lab.field == field]
        # columns by C-level maps: these run over every attribute vote of a dataset
        values = [lab.value for lab in rows]
        fields = {lab.field for lab in rows}
        if field is None:
            if len(fields) > 1:
                raise ValueError(f"labels of several fields {sorted(fields)}: pass field=")
            field = next(iter(fields), "")
        if categories is None:
            cats = _category_order(values)
        else:
            cats = tuple(categories)
            if len(set(cats)) != len(cats):
                raise ValueError("categories has duplicates")
            unknown = set(values) - set(cats)
            if unknown:
                raise ValidationError(f"{field}: values not in the categories: {sorted(unknown)}")
        item_idx, items = _factorize([r.item for r in rows])
        ann_idx, anns = _factorize([r.annotator for r in rows])
        code_of = {c: i for i, c in enumerate(cats)}
        code = np.array(list(map(code_of.__getitem__, values)), dtype=np.int64).reshape(-1)
        return cls.from_codes(field, items, anns, cats, item_idx, ann_idx, code)

    @classmethod
    def from_codes(
        cls,
        field: str,
        items: tuple[str, ...],
        annotators: tuple[str, ...],
        categories: tuple[str, ...],
        item_idx: IntArray,
        annotator_idx: IntArray,
        code: IntArray,
    ) -> CategoricalData:
        """From label rows already coded into sorted `items` and `annotators` and into
        `categories` (any row order): sorted canonically, exact duplicates dropped, two values
        for one (item, annotator) a `ValidationError`."""
        order = np.lexsort((code, annotator_idx, item_idx))
        item_idx, ann_idx, code = item_idx[order], annotator_idx[order], code[order]
        if len(order) > 1:
            same_cell = (item_idx[1:] == item_idx[:-1]) & (ann_idx[1:] == ann_idx[:-1])
            if same_cell.any():
                clash = same_cell & (code[1:] != code[:-1])
                if clash.any():
                    k = int(np.flatnonzero(clash)[0])
                    raise ValidationError(
                        f"{field}: annotator {annotators[ann_idx[k]]!r} gave item"
                        f" {items[item_idx[k]]!r} two values"
                        f" ({categories[code[k]]!r}, {categories[code[k + 1]]!r})"
                    )
                keep = np.concatenate(([True], ~same_cell))
                item_idx, ann_idx, code = item_idx[keep], ann_idx[keep], code[keep]
        return cls(
            field=field,
            items=items,
            annotators=annotators,
            categories=categories,
            item_idx=item_idx,
            annotator_idx=ann_idx,
            code=code,
        )

    def restricted(self, categories: Sequence[str]) -> CategoricalData:
        """The labels whose value is one of `categories`, coded in that order; items and
        annotators left without a label drop out (as `from_labels` of those labels would)."""
        recode = np.full(len(self.categories) + 1, -1, dtype=np.int64)
        position = {c: i for i, c in enumerate(categories)}
        for j, cat in enumerate(self.categories):
            recode[j] = position.get(cat, -1)
        new_code = recode[self.code]
        keep = new_code >= 0
        used_items, item_idx = np.unique(self.item_idx[keep], return_inverse=True)
        used_anns, ann_idx = np.unique(self.annotator_idx[keep], return_inverse=True)
        return CategoricalData(
            field=self.field,
            items=tuple(self.items[i] for i in used_items.tolist()),
            annotators=tuple(self.annotators[a] for a in used_anns.tolist()),
            categories=tuple(categories),
            item_idx=item_idx.reshape(-1).astype(np.int64),
            annotator_idx=ann_idx.reshape(-1).astype(np.int64),
            code=new_code[keep],
        )

    @property
    def n_items(self) -> int:
        return len(self.items)

    def value_counts(self) -> IntArray:
        """(items, categories) matrix: how many annotators gave each item each category."""
        k = len(self.categories)
        flat = np.bincount(self.item_idx * k + self.code, minlength=self.n_items * k)
        return flat.reshape(self.n_items, k).astype(np.int64)

    def to_frame(self) -> pd.DataFrame:
        """Wide (items × annotators) frame of category names, None where missing."""
        wide = np.full((self.n_items, len(self.annotators)), None, dtype=object)
        wide[self.item_idx, self.annotator_idx] = np.array(self.categories, dtype=object)[self.code]
        return pd.DataFrame(wide, index=list(self.items), columns=list(self.annotators))


def categorical_data(
    labels: Iterable[Label], field: str | None = None, categories: Sequence[str] | None = None
) -> CategoricalData:
    """Shorthand for `CategoricalData.from_labels`."""
    return CategoricalData.from_labels(labels, field, categories)


# --------------------------------------------------------------------------- alpha


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
    name: str,
    counts: IntArray,
    level: Level,
    categories: Sequence[str],
    n_boot: int,
    seed: int | np.random.Generator,
    confidence: float,
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
        name, profiles, mult, level, categories, n_boot, seed, confidence, value
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
    data: CategoricalData,
    level: Level = "nominal",
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Metric:
    """Krippendorff's alpha over the items with ≥ 2 labels.

    Ordinal uses the order of `data.categories`; interval needs numeric categories.
    """
    return _alpha_from_counts(
        f"alpha_{level}",
        data.value_counts(),
        level,
        data.categories,
        n_boot,
        seed,
        confidence,
    )


def alpha_per_category(
    data: CategoricalData,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Metric]:
    """One-vs-rest nominal alpha for each category (category vs any other value)."""
    vc = data.value_counts()
    total = vc.sum(axis=1)
    out: dict[str, Metric] = {}
    for j, cat in enumerate(data.categories):
        binary = np.stack([total - vc[:, j], vc[:, j]], axis=1)
        out[cat] = _alpha_from_counts(
            f"alpha_nominal[{cat}]",
            binary,
            "nominal",
            ("other", cat),
            n_boot,
            seed,
            confidence,
        )
    return out


# --------------------------------------------------------------------------- Fleiss


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


def _fleiss_counts(data: CategoricalData) -> tuple[int, IntArray]:
    n = fleiss_raters(data)
    vc = data.value_counts()
    return n, vc[vc.sum(axis=1) == n] if n else vc[:0]


def fleiss_kappa_from_counts(
    counts: npt.ArrayLike,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Metric:
    """Fleiss' kappa of an (items, categories) count table with a constant row sum n ≥ 2."""
    arr = np.asarray(counts, dtype=np.int64)
    n_per = arr.sum(axis=1)
    if arr.ndim != 2 or (arr.size and (n_per != n_per[0]).any()):
        raise ValueError("Fleiss' kappa needs the same number of raters for every item")
    if arr.shape[0] == 0:
        return Metric("fleiss_kappa", float("nan"), 0, float("nan"), float("nan"))
    n = float(n_per[0])
    if n < 2:
        raise ValueError("Fleiss' kappa needs at least 2 raters per item")
    profiles, mult = _bootstrap.profiles(arr)
    pf = profiles.astype(np.float64)
    p_i = ((pf**2).sum(axis=1) - n) / (n * (n - 1.0))

    def stat(weights: FloatArray) -> FloatArray:
        n_items = weights.sum(axis=1)
        p_j = (weights @ pf) / (n_items * n)[:, None]
        p_bar = (weights @ p_i) / n_items
        p_e = (p_j**2).sum(axis=1)
        out: FloatArray = (p_bar - p_e) / (1.0 - p_e)
        return out

    return _bootstrap.metric(
        "fleiss_kappa", mult, stat, n_boot=n_boot, seed=seed, confidence=confidence
    )


def fleiss_kappa_per_category_from_counts(
    counts: npt.ArrayLike,
    categories: Sequence[str],
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Metric]:
    """Fleiss' κ_j for each category of a constant-n count table."""
    arr = np.asarray(counts, dtype=np.int64)
    out: dict[str, Metric] = {}
    if arr.shape[0] == 0:
        nan = float("nan")
        return {c: Metric(f"fleiss_kappa[{c}]", nan, 0, nan, nan) for c in categories}
    n = float(arr.sum(axis=1)[0])
    profiles, mult = _bootstrap.profiles(arr)
    pf = profiles.astype(np.float64)
    disagree = pf * (n - pf)
    for j, cat in enumerate(categories):

        def stat(weights: FloatArray, j: int = j) -> FloatArray:
            n_items = weights.sum(axis=1)
            p_j = (weights @ pf[:, j]) / (n_items * n)
            num = weights @ disagree[:, j]
            out_: FloatArray = 1.0 - num / (n_items * n * (n - 1.0) * p_j * (1.0 - p_j))
            return out_

        out[cat] = _bootstrap.metric(
            f"fleiss_kappa[{cat}]", mult, stat, n_boot=n_boot, seed=seed, confidence=confidence
        )
    return out


def fleiss_kappa(
    data: CategoricalData,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Metric:
    """Fleiss' kappa on the items with the modal number of raters (see `fleiss_raters`)."""
    _, counts = _fleiss_counts(data)
    return fleiss_kappa_from_counts(counts, n_boot=n_boot, seed=seed, confidence=confidence)


def fleiss_kappa_per_category(
    data: CategoricalData,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Metric]:
    """Fleiss' κ_j per category, on the same items as `fleiss_kappa`."""
    _, counts = _fleiss_counts(data)
    return fleiss_kappa_per_category_from_counts(
        counts, data.categories, n_boot=n_boot, seed=seed, confidence=confidence
    )


# --------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class PairwiseMetrics:
    """One `Metric` per annotator pair ``(a, b)``, a < b, on the items both labelled.

    Pairs that never labelled the same item are absent. `labelled` is how many items each
    annotator labelled.
    """

    name: str
    annotators: tuple[str, ...]
    pairs: Mapping[tuple[str, str], Metric]
    labelled: Mapping[str, int]

    def get(self, a: str, b: str) -> Metric | None:
        return self.pairs.get((a, b) if a < b else (b, a))

    def value_matrix(self) -> pd.DataFrame:
        """Symmetric annotator × annotator values; NaN on the diagonal and for pairs without
        a common item."""
        names = list(self.annotators)
        mat = pd.DataFrame(np.nan, index=names, columns=names, dtype=np.float64)
        for (a, b), m in self.pairs.items():
            mat.loc[a, b] = mat.loc[b, a] = m.value
        return mat

    def n_matrix(self) -> pd.DataFrame:
        """Items per pair; the diagonal holds how many items each annotator labelled."""
        names = list(self.annotators)
        mat = pd.DataFrame(0, index=names, columns=names, dtype=np.int64)
        for (a, b), m in self.pairs.items():
            mat.loc[a, b] = mat.loc[b, a] = m.n_items
        for a in names:
            mat.loc[a, a] = self.labelled.get(a, 0)
        return mat


StatFactory = Callable[[IntArray, int], _bootstrap.Statistic]


def _pair_table(data: CategoricalData) -> IntArray:
    """Rows (annotator a, annotator b, code a, code b), a < b, for every item both labelled.

    Rows are sorted by (item, annotator), so within-item pairs are rows d apart for
    d = 1 .. max raters − 1: linear in the number of labels, no per-item loop.
    """
    item, ann, code = data.item_idx, data.annotator_idx, data.code
    n_i = np.bincount(item, minlength=data.n_items)
    max_n = int(n_i.max()) if n_i.size else 0
    parts: list[IntArray] = [np.zeros((0, 4), dtype=np.int64)]
    for d in range(1, max_n):
        left = np.flatnonzero(item[d:] == item[:-d])
        right = left + d
        parts.append(np.stack([ann[left], ann[right], code[left], code[right]], axis=1))
    return np.concatenate(parts).astype(np.int64)


def _pairwise(
    data: CategoricalData,
    name: str,
    make_stat: StatFactory,
    n_boot: int,
    seed: int | np.random.Generator,
    confidence: float,
) -> PairwiseMetrics:
    k = len(data.categories)
    kk = k * k
    anns = data.annotators
    n_a = len(anns)
    table = _pair_table(data)
    pairs: dict[tuple[str, str], Metric] = {}
    if len(table):
        full = ((table[:, 0] * n_a + table[:, 1]) * k + table[:, 2]) * k + table[:, 3]
        uniq, cnt = np.unique(full, return_counts=True)
        pair_of, cell = uniq // kk, uniq % kk
        bounds = np.flatnonzero(np.diff(pair_of)) + 1
        starts = np.concatenate(([0], bounds))
        stops = np.concatenate((bounds, [len(uniq)]))
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            a, b = divmod(int(pair_of[start]), n_a)
            cells = cell[start:stop].astype(np.int64)
            pairs[(anns[a], anns[b])] = _bootstrap.metric(
                name,
                cnt[start:stop].astype(np.int64),
                make_stat(cells, k),
                n_boot=n_boot,
                seed=seed,
                confidence=confidence,
            )
    labelled = np.bincount(data.annotator_idx, minlength=n_a)
    return PairwiseMetrics(
        name=name,
        annotators=anns,
        pairs=pairs,
        labelled={a: int(labelled[i]) for i, a in enumerate(anns)},
    )


def _cohen_stat(cells: IntArray, k: int) -> _bootstrap.Statistic:
    ca, cb = cells // k, cells % k
    same = (ca == cb).astype(np.float64)
    one_a = (ca[:, None] == np.arange(k)[None, :]).astype(np.float64)
    one_b = (cb[:, None] == np.arange(k)[None, :]).astype(np.float64)

    def stat(weights: FloatArray) -> FloatArray:
        n = weights.sum(axis=1)
        p_o = (weights @ same) / n
        p_e = ((weights @ one_a) * (weights @ one_b)).sum(axis=1) / (n * n)
        out: FloatArray = (p_o - p_e) / (1.0 - p_e)
        return out

    return stat


def _agreement_stat(cells: IntArray, k: int) -> _bootstrap.Statistic:
    same = (cells // k == cells % k).astype(np.float64)

    def stat(weights: FloatArray) -> FloatArray:
        out: FloatArray = (weights @ same) / weights.sum(axis=1)
        return out

    return stat


def cohen_kappa_pairwise(
    data: CategoricalData,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> PairwiseMetrics:
    """Cohen's kappa for every annotator pair, on the items both labelled."""
    return _pairwise(data, "cohen_kappa", _cohen_stat, n_boot, seed, confidence)


def percent_agreement_pairwise(
    data: CategoricalData,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> PairwiseMetrics:
    """Share of co-labelled items on which each annotator pair agrees."""
    return _pairwise(data, "percent_agreement", _agreement_stat, n_boot, seed, confidence)


def percent_agreement(
    data: CategoricalData,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Metric:
    """Mean over items with ≥ 2 labels of the share of agreeing annotator pairs in the item."""
    vc = data.value_counts()
    m = vc.sum(axis=1)
    vc = vc[m >= 2]
    profiles, mult = _bootstrap.profiles(vc)
    pf = profiles.astype(np.float64)
    n = pf.sum(axis=1)
    agree = (pf * (pf - 1.0)).sum(axis=1) / (n * (n - 1.0)) if len(pf) else np.zeros(0)

    def stat(weights: FloatArray) -> FloatArray:
        out: FloatArray = (weights @ agree) / weights.sum(axis=1)
        return out

    return _bootstrap.metric(
        "percent_agreement", mult, stat, n_boot=n_boot, seed=seed, confidence=confidence
    )


# --------------------------------------------------------------------------- report


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
    ordinal: bool = False,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> CategoricalAgreement:
    """All figures of `data` (ordinal alpha too when `ordinal`, in `data.categories` order)."""
    counts = data.value_counts()
    n_i = counts.sum(axis=1)
    spread = (int(n_i.min()), int(n_i.max())) if n_i.size else (0, 0)
    return CategoricalAgreement(
        field=data.field,
        n_items=data.n_items,
        n_annotators=len(data.annotators),
        n_labels=len(data.code),
        alpha=krippendorff_alpha(data, "nominal", n_boot=n_boot, seed=seed, confidence=confidence),
        alpha_ordinal=krippendorff_alpha(
            data, "ordinal", n_boot=n_boot, seed=seed, confidence=confidence
        )
        if ordinal
        else None,
        fleiss_kappa=fleiss_kappa(data, n_boot=n_boot, seed=seed, confidence=confidence),
        fleiss_raters=fleiss_raters(data),
        percent_agreement=percent_agreement(data, n_boot=n_boot, seed=seed, confidence=confidence),
        cohen_kappa=cohen_kappa_pairwise(data, n_boot=n_boot, seed=seed, confidence=confidence),
        pairwise_agreement=percent_agreement_pairwise(
            data, n_boot=n_boot, seed=seed, confidence=confidence
        ),
        per_category=alpha_per_category(data, n_boot=n_boot, seed=seed, confidence=confidence),
        fleiss_per_category=fleiss_kappa_per_category(
            data, n_boot=n_boot, seed=seed, confidence=confidence
        ),
        raters_per_item=spread,
        fleiss_unequal=fleiss_kappa_unequal(counts, n_boot=n_boot, seed=seed, confidence=confidence)
        if spread[0] != spread[1]
        else None,
        gwet_ac1=gwet_ac1(counts, n_boot=n_boot, seed=seed, confidence=confidence),
    )
