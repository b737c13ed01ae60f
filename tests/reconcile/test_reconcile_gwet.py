"""Gwet's generalisation of Fleiss' kappa (and AC1) for items with different numbers of
ratings, against the values Gwet published with the irrCAC R package.

Data and values are copied from the package's own sources (github.com/kgwet/irrCAC):
`inst/extdata/cac.raw4raters.csv` (12 subjects, 4 raters, categories 1-5, missing ratings;
no rater rated every subject) and `inst/extdata` / README output of `distrib.6raters`
(15 subjects, 6 raters each, 5 categories). The README prints, for cac.raw4raters,

    pa.coeff.raw      pa 0.8181818                                 coeff 0.8181818
    gwet.ac1.raw      pa 0.8181818  pe 0.1903212  coeff 0.77544  se 0.14295
    fleiss.kappa.raw  pa 0.8181818  pe 0.2387153  coeff 0.76117  se 0.15302
    krippen.alpha.raw pa 0.805      pe 0.24       coeff 0.74342

and for distrib.6raters `fleiss.kappa.dist` 0.4139265 (se 0.08119291, pe 0.2340741) and
`gwet.ac1.dist` 0.4448007 (se 0.08418757, pe 0.1914815).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from workbench.reconcile import (
    Label,
    categorical_agreement,
    categorical_data,
    fleiss_kappa_from_counts,
    krippendorff_alpha,
    percent_agreement,
)
from workbench.reconcile.gwet import chance_corrected, fleiss_kappa_unequal, gwet_ac1

# cac.raw4raters: one row per subject, Rater1..Rater4, "" = missing (NA)
RAW4 = """\
1,1,,1
2,2,3,2
3,3,3,3
3,3,3,3
2,2,2,2
1,2,3,4
4,4,4,4
1,1,2,1
2,2,2,2
,5,5,5
,,1,1
,,3,
"""

DISTRIB6 = [
    [0, 0, 0, 6, 0],
    [0, 3, 0, 0, 3],
    [0, 1, 4, 0, 1],
    [0, 0, 0, 0, 6],
    [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0],
    [0, 0, 4, 0, 2],
    [2, 0, 3, 1, 0],
    [2, 0, 0, 4, 0],
    [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0],
    [1, 1, 0, 4, 0],
    [0, 3, 3, 0, 0],
    [1, 0, 0, 5, 0],
    [0, 2, 0, 3, 1],
]


def raw4_labels() -> list[Label]:
    return [
        Label(f"s{i + 1:02d}", f"Rater{j + 1}", "rating", v)
        for i, row in enumerate(RAW4.splitlines())
        for j, v in enumerate(row.split(","))
        if v
    ]


def raw4_counts() -> npt.NDArray[np.int64]:
    return categorical_data(raw4_labels(), categories=list("12345")).value_counts()


def test_fleiss_kappa_generalised_is_irrcac() -> None:
    c = chance_corrected(raw4_counts(), "fleiss")
    assert round(c.value, 5) == 0.76117
    assert round(c.se, 5) == 0.15302
    assert round(c.pa, 7) == 0.8181818
    assert round(c.pe, 7) == 0.2387153
    assert (c.n_items, c.n_pairable) == (12, 11)  # subject 12 has one rating


def test_gwet_ac1_is_irrcac() -> None:
    c = chance_corrected(raw4_counts(), "ac1")
    assert round(c.value, 5) == 0.77544
    assert round(c.se, 5) == 0.14295
    assert round(c.pe, 7) == 0.1903212


def test_the_other_published_figures_on_the_same_data() -> None:
    """Our percent agreement and Krippendorff's alpha agree with irrCAC's on these data."""
    data = categorical_data(raw4_labels(), categories=list("12345"))
    assert round(percent_agreement(data, n_boot=0).value, 7) == 0.8181818
    assert round(krippendorff_alpha(data, n_boot=0).value, 5) == 0.74342


def test_fixed_raters_reduce_to_fleiss_1971() -> None:
    """With 6 ratings on every subject the generalisation is Fleiss' kappa (irrCAC's
    `fleiss.kappa.dist` and `gwet.ac1.dist` on distrib.6raters), and so is ours."""
    k = chance_corrected(DISTRIB6, "fleiss")
    assert round(k.value, 7) == 0.4139265
    assert round(k.se, 8) == 0.08119291
    assert round(k.pe, 7) == 0.2340741
    assert fleiss_kappa_from_counts(DISTRIB6, n_boot=0).value == pytest.approx(k.value, abs=1e-12)
    a = chance_corrected(DISTRIB6, "ac1")
    assert round(a.value, 7) == 0.4448007
    assert round(a.se, 8) == 0.08418757
    assert round(a.pe, 7) == 0.1914815


def test_bootstrap_versions_share_the_point_estimate() -> None:
    counts = raw4_counts()
    m = fleiss_kappa_unequal(counts, n_boot=500, seed=1)
    assert round(m.value, 5) == 0.76117
    assert m.n_items == 12
    assert m.ci_low < m.value <= m.ci_high <= 1.0
    assert round(gwet_ac1(counts, n_boot=0).value, 5) == 0.77544


def test_categorical_agreement_names_the_generalisation_only_when_needed() -> None:
    unequal = categorical_agreement(
        categorical_data(raw4_labels(), categories=list("12345")), n_boot=0
    )
    assert unequal.raters_per_item == (1, 4)
    assert unequal.fleiss_unequal is not None and unequal.gwet_ac1 is not None
    assert round(unequal.fleiss_unequal.value, 5) == 0.76117
    assert round(unequal.gwet_ac1.value, 5) == 0.77544
    # the classic figure is kept, on the items with the modal number of ratings (4)
    assert unequal.fleiss_raters == 4 and unequal.fleiss_kappa.n_items == 8
    labels = [
        Label(f"s{i}", f"r{j}", "f", str(k))
        for i, row in enumerate(DISTRIB6)
        for j, k in enumerate(k for k, n in enumerate(row) for _ in range(n))
    ]
    fixed = categorical_agreement(categorical_data(labels), n_boot=0)
    assert fixed.raters_per_item == (6, 6)
    assert fixed.fleiss_unequal is None
    assert round(fixed.fleiss_kappa.value, 7) == 0.4139265


def test_degenerate_tables() -> None:
    assert np.isnan(chance_corrected([[1, 0], [0, 1]]).value)  # nobody rated twice
    assert np.isnan(chance_corrected([[2, 0], [3, 0]]).value)  # no variation: p_e = 1
    with pytest.raises(ValueError):
        chance_corrected([1, 2, 3])
    assert fleiss_kappa_unequal(np.zeros((0, 3))).n_items == 0
