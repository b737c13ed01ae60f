"""Chance-corrected agreement when items have different numbers of ratings (Gwet 2014).

Fleiss (1971) defines kappa for a fixed number n of ratings per item. Gwet (2014, *Handbook of
Inter-Rater Reliability*, 4th ed., ch. 2 and 5; the R package irrCAC, `fleiss.kappa.raw` and
`gwet.ac1.raw`) generalises it to a varying number r_i of ratings per item:

* percent agreement ``p_a`` is the mean, over the items with r_i ≥ 2, of
  ``Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1))``;
* the category shares ``π_k`` are the mean, over *every* rated item (r_i ≥ 1), of r_ik / r_i;
* Fleiss' kappa: chance agreement ``p_e = Σ_k π_k²``; Gwet's AC1: ``p_e = Σ_k π_k (1 − π_k) /
  (q − 1)`` over the q categories; either coefficient is ``(p_a − p_e) / (1 − p_e)``.

With the same n for every item this is exactly Fleiss' kappa of 1971. `chance_corrected` also
gives Gwet's variance estimator (the irrCAC standard error, no finite-population correction);
`fleiss_kappa_unequal` and `gwet_ac1` give the figure with the item bootstrap every other
metric here uses. Inputs are (items, categories) count tables; items with no rating are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from . import _bootstrap
from ._bootstrap import DEFAULT_N_BOOT, FloatArray
from .records import Metric

Coefficient = Literal["fleiss", "ac1"]

#: How the report names the generalisation it uses.
FLEISS_GWET_NAME = "Fleiss' kappa, Gwet (2014) generalisation for unequal ratings per item"


@dataclass(frozen=True)
class ChanceCorrected:
    """A chance-corrected coefficient with its parts, as irrCAC reports them."""

    name: str
    value: float
    pa: float  # percent agreement (items with ≥ 2 ratings)
    pe: float  # chance agreement
    se: float  # Gwet's standard error (NaN with fewer than 2 items)
    n_items: int  # rated items (≥ 1 rating): the chance term uses them all
    n_pairable: int  # items with ≥ 2 ratings: the agreement term uses these


def _table(counts: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(counts, dtype=np.float64)
    if arr.ndim != 2 or (arr < 0).any():
        raise ValueError("counts must be an (items, categories) table of counts ≥ 0")
    out: FloatArray = arr[arr.sum(axis=1) >= 1]
    return out


def _parts(table: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per item: its agreement (0 where r_i < 2), whether it is pairable, and r_ik / r_i."""
    r = table.sum(axis=1)
    pairable = (r >= 2).astype(np.float64)
    den = np.where(r >= 2, r * (r - 1.0), 1.0)
    agree = (table * (table - 1.0)).sum(axis=1) / den * pairable
    share = table / r[:, None]
    return agree, pairable, share


def _pe(pi: FloatArray, kind: Coefficient, q: int) -> FloatArray:
    if kind == "fleiss":
        out: FloatArray = (pi**2).sum(axis=-1)
    else:
        out = (pi * (1.0 - pi)).sum(axis=-1) / (q - 1)
    return out


def chance_corrected(counts: npt.ArrayLike, kind: Coefficient = "fleiss") -> ChanceCorrected:
    """Gwet's generalised Fleiss' kappa (``kind="fleiss"``) or AC1 (``"ac1"``) of a count
    table, with irrCAC's standard error. The table's columns are the q categories (include
    unused ones to count them, as irrCAC's `categ.labels` does)."""
    table = _table(counts)
    name = "fleiss_kappa_gwet" if kind == "fleiss" else "gwet_ac1"
    n, q = table.shape
    agree, pairable, share = _parts(table)
    n2 = int(pairable.sum())
    nan = float("nan")
    if n2 == 0 or q < 2:
        return ChanceCorrected(name, nan, nan, nan, nan, n, n2)
    pa = float(agree.sum() / n2)
    pi = share.mean(axis=0)
    pe = float(_pe(pi, kind, q))
    if pe >= 1.0:
        return ChanceCorrected(name, nan, pa, pe, nan, n, n2)
    value = (pa - pe) / (1.0 - pe)
    # Gwet's linearisation: each item's contribution, corrected for the estimated π_k.
    r = table.sum(axis=1)
    kappa_i = (n / n2) * (agree - pe * pairable) / (1.0 - pe)
    weight = pi if kind == "fleiss" else (1.0 - pi) / (q - 1)
    pe_i = (table @ weight) / r
    kappa_ix = kappa_i - 2.0 * (1.0 - value) * (pe_i - pe) / (1.0 - pe)
    se = float(np.sqrt(((kappa_ix - value) ** 2).sum() / (n * (n - 1.0)))) if n >= 2 else nan
    return ChanceCorrected(name, float(value), pa, pe, se, n, n2)


def coefficient_metric(
    name: str, counts: npt.ArrayLike, kind: Coefficient, n_boot: int, seed: int
) -> Metric:
    """`kind`'s coefficient of a count table, with a bootstrap interval over the rated items
    (`n_items` counts every item with ≥ 1 rating: single ratings enter the chance term)."""
    table = _table(counts)
    q = table.shape[1]
    if q < 2 or not (table.sum(axis=1) >= 2).any():
        nan = float("nan")
        return Metric(name, nan, int((table.sum(axis=1) >= 2).sum()), nan, nan)
    profiles, mult = _bootstrap.profiles(table.astype(np.int64))
    agree, pairable, share = _parts(profiles.astype(np.float64))

    def stat(weights: FloatArray) -> FloatArray:
        pa = (weights @ agree) / (weights @ pairable)
        pi = (weights @ share) / weights.sum(axis=1)[:, None]
        pe = _pe(pi, kind, q)
        out: FloatArray = (pa - pe) / (1.0 - pe)
        return out

    return _bootstrap.metric(name, mult, stat, n_boot=n_boot, seed=seed)


def fleiss_kappa_unequal(
    counts: npt.ArrayLike, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0
) -> Metric:
    """Gwet's generalised Fleiss' kappa with a bootstrap interval over the rated items."""
    return coefficient_metric("fleiss_kappa_gwet", counts, "fleiss", n_boot, seed)


def gwet_ac1(counts: npt.ArrayLike, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0) -> Metric:
    """Gwet's AC1 (unweighted) with a bootstrap interval over the rated items."""
    return coefficient_metric("gwet_ac1", counts, "ac1", n_boot, seed)
