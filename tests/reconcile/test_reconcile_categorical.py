"""Agreement metrics checked against published reference values."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.errors import ValidationError
from workbench.reconcile import (
    Label,
    categorical_agreement,
    categorical_data,
    cohen_kappa_pairwise,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    fleiss_raters,
    krippendorff_alpha,
    percent_agreement,
    percent_agreement_pairwise,
)
from workbench.reconcile._bootstrap import profiles
from workbench.reconcile.categorical import _alpha_statistic

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers ×
# 12 units, values 1..5, "." = missing. Published: nominal 0.743, ordinal 0.815, interval 0.849.
K2011 = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}


def k2011_labels() -> list[Label]:
    return [
        Label(f"unit{u + 1:02d}", coder, "f", v)
        for coder, row in K2011.items()
        for u, v in enumerate(row.split())
        if v != "."
    ]


@pytest.mark.parametrize(
    ("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_krippendorff_2011_worked_example(level: str, expected: float) -> None:
    data = categorical_data(k2011_labels())
    m = krippendorff_alpha(data, level, n_boot=200)  # type: ignore[arg-type]
    assert round(m.value, 3) == expected
    assert m.n_items == 11  # unit 12 has a single value: not pairable
    assert m.ci_low <= m.value <= m.ci_high


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_bootstrap_statistic_equals_point_estimate(level: str) -> None:
    """The vectorised replicate formula, at the observed counts, is the package's alpha."""
    data = categorical_data(k2011_labels())
    vc = data.value_counts()
    prof, mult = profiles(vc[vc.sum(axis=1) >= 2])
    stat = _alpha_statistic(prof, level, data.categories)  # type: ignore[arg-type]
    value = krippendorff_alpha(data, level, n_boot=0).value  # type: ignore[arg-type]
    assert stat(mult[None, :].astype(float))[0] == pytest.approx(value, abs=1e-12)


def test_ordinal_uses_given_category_order() -> None:
    words = {"1": "very low", "2": "low", "3": "mid", "4": "high", "5": "very high"}
    labels = [Label(x.item, x.annotator, x.field, words[x.value]) for x in k2011_labels()]
    data = categorical_data(labels, categories=list(words.values()))
    assert round(krippendorff_alpha(data, "ordinal", n_boot=0).value, 3) == 0.815
    assert round(krippendorff_alpha(data, "nominal", n_boot=0).value, 3) == 0.743


# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories.
# Published: P̄ = 0.378, P̄e = 0.213, κ = 0.210 (and p_j = .143 .200 .279 .150 .229).
FLEISS_WIKI = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def fleiss_wiki_labels() -> list[Label]:
    out = []
    for i, row in enumerate(FLEISS_WIKI):
        rater = 0
        for cat, n in enumerate(row, start=1):
            for _ in range(n):
                out.append(Label(f"s{i:02d}", f"r{rater:02d}", "dx", str(cat)))
                rater += 1
    return out


def test_fleiss_wikipedia_example() -> None:
    """Wikipedia's "Fleiss' kappa" example (used instead of Fleiss 1971's 30-subject table,
    which is harder to transcribe exactly): κ = 0.210."""
    m = fleiss_kappa_from_counts(FLEISS_WIKI, n_boot=300)
    assert round(m.value, 3) == 0.210
    assert m.n_items == 10
    assert m.ci_low <= m.value <= m.ci_high
    data = categorical_data(fleiss_wiki_labels())
    assert fleiss_raters(data) == 14
    assert fleiss_kappa(data, n_boot=0).value == pytest.approx(m.value, abs=1e-12)
    # the intermediate published figures
    counts = np.array(FLEISS_WIKI, dtype=float)
    p_j = counts.sum(axis=0) / counts.sum()
    assert np.round(p_j, 3).tolist() == [0.143, 0.2, 0.279, 0.15, 0.229]
    p_bar = (((counts**2).sum(axis=1) - 14) / (14 * 13)).mean()
    assert round(p_bar, 3) == 0.378
    assert round(float((p_j**2).sum()), 3) == 0.213


def test_fleiss_per_category_is_fleiss_1971_eq_13_14() -> None:
    """κ_j = 1 − Σ_i n_ij (n − n_ij) / (N n (n − 1) p_j q_j), computed here directly."""
    counts = np.array(FLEISS_WIKI, dtype=float)
    big_n, n = counts.shape[0], 14.0
    p_j = counts.sum(axis=0) / (big_n * n)
    expected = 1 - (counts * (n - counts)).sum(axis=0) / (big_n * n * (n - 1) * p_j * (1 - p_j))
    got = categorical_agreement(categorical_data(fleiss_wiki_labels()), n_boot=200)
    for j, cat in enumerate(["1", "2", "3", "4", "5"]):
        m = got.fleiss_per_category[cat]
        assert m.value == pytest.approx(expected[j], abs=1e-12) and m.n_items == 10
        assert m.ci_low <= m.value <= m.ci_high


def test_fleiss_uses_items_with_the_modal_number_of_raters() -> None:
    labels = fleiss_wiki_labels()
    # add two items rated by 3 raters, and one rated by 1: ignored (14 raters is modal).
    labels += [Label("x1", f"r{i:02d}", "dx", "1") for i in range(3)]
    labels += [Label("x2", f"r{i:02d}", "dx", str(i + 1)) for i in range(3)]
    labels += [Label("x3", "r00", "dx", "2")]
    m = fleiss_kappa(categorical_data(labels), n_boot=0)
    assert round(m.value, 3) == 0.210 and m.n_items == 10


def test_fleiss_modal_tie_goes_to_larger_n() -> None:
    labels = [Label("a", "r1", "f", "x"), Label("a", "r2", "f", "x")]
    labels += [Label("b", f"r{i}", "f", "x" if i < 2 else "y") for i in range(3)]
    assert fleiss_raters(categorical_data(labels)) == 3


def test_fleiss_rejects_unequal_rows() -> None:
    with pytest.raises(ValueError):
        fleiss_kappa_from_counts([[1, 1], [2, 1]])


def _cohen_labels(yy: int, yn: int, ny: int, nn: int) -> list[Label]:
    """2×2 table: yn = A said Yes, B said No."""
    out: list[Label] = []
    cells = [("Yes", "Yes", yy), ("Yes", "No", yn), ("No", "Yes", ny), ("No", "No", nn)]
    i = 0
    for a, b, n in cells:
        for _ in range(n):
            out += [Label(f"app{i:03d}", "A", "grant", a), Label(f"app{i:03d}", "B", "grant", b)]
            i += 1
    return out


@pytest.mark.parametrize(
    ("table", "p_o", "kappa"),
    [
        # Wikipedia "Cohen's kappa": 50 grant applications → p_o 0.7, p_e 0.5, κ 0.4
        ((20, 5, 10, 15), 0.7, 0.4),
        # same article, "same percentage, different numbers": κ 0.1304 and 0.2593
        ((45, 15, 25, 15), 0.6, 0.1304),
        ((25, 35, 5, 35), 0.6, 0.2593),
    ],
)
def test_cohen_kappa_wikipedia(table: tuple[int, int, int, int], p_o: float, kappa: float) -> None:
    data = categorical_data(_cohen_labels(*table))
    pair = cohen_kappa_pairwise(data, n_boot=200)
    m = pair.get("B", "A")
    assert m is not None
    assert round(m.value, 4) == kappa
    assert m.n_items == sum(table)
    agree = percent_agreement_pairwise(data, n_boot=0).get("A", "B")
    assert agree is not None and agree.value == pytest.approx(p_o)


def test_cohen_pairs_only_on_co_labelled_items() -> None:
    labels = [
        Label("1", "a", "f", "x"),
        Label("1", "b", "f", "x"),
        Label("2", "a", "f", "y"),
        Label("2", "b", "f", "y"),
        Label("3", "a", "f", "x"),
        Label("3", "c", "f", "y"),
        Label("4", "b", "f", "x"),
    ]
    pair = cohen_kappa_pairwise(categorical_data(labels), n_boot=0)
    assert set(pair.pairs) == {("a", "b"), ("a", "c")}
    ab = pair.get("a", "b")
    assert ab is not None and ab.n_items == 2 and ab.value == pytest.approx(1.0)
    assert pair.labelled == {"a": 3, "b": 3, "c": 1}
    assert pair.get("b", "c") is None and pair.get("c", "a").n_items == 1  # type: ignore[union-attr]


def test_percent_agreement_hand_computed() -> None:
    labels = [
        *(Label("i1", a, "f", "x") for a in "pqr"),  # 3/3 pairs agree
        Label("i2", "p", "f", "x"),
        Label("i2", "q", "f", "x"),
        Label("i2", "r", "f", "y"),  # 1/3
        Label("i3", "p", "f", "x"),
        Label("i3", "q", "f", "y"),  # 0/1
        Label("i4", "p", "f", "y"),  # single label: not counted
    ]
    m = percent_agreement(categorical_data(labels), n_boot=100)
    assert m.value == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert m.n_items == 3
    pq = percent_agreement_pairwise(categorical_data(labels), n_boot=0).get("p", "q")
    assert pq is not None and pq.value == pytest.approx(2 / 3) and pq.n_items == 3


def test_per_category_alpha_of_two_categories_is_alpha() -> None:
    """One-vs-rest binarisation of a binary field is the field itself."""
    data = categorical_data(_cohen_labels(20, 5, 10, 15))
    report = categorical_agreement(data, n_boot=50)
    for m in report.per_category.values():
        assert m.value == pytest.approx(report.alpha.value)


def test_report_and_bootstrap_are_seeded() -> None:
    data = categorical_data(k2011_labels())
    r1 = categorical_agreement(data, ordinal=data.categories, n_boot=100, seed=7)
    r2 = categorical_agreement(data, ordinal=data.categories, n_boot=100, seed=7)
    assert r1.alpha == r2.alpha and r1.per_category == r2.per_category
    assert r1.alpha_ordinal is not None and round(r1.alpha_ordinal.value, 3) == 0.815
    m = krippendorff_alpha(data, n_boot=0)
    assert np.isnan(m.ci_low) and np.isnan(m.ci_high)


def test_conflicting_duplicate_label_is_rejected() -> None:
    labels = [Label("1", "a", "f", "x"), Label("1", "a", "f", "y")]
    with pytest.raises(ValidationError):
        categorical_data(labels)
    same = categorical_data([Label("1", "a", "f", "x"), Label("1", "a", "f", "x")])
    assert len(same.code) == 1


def test_undefined_metrics_are_nan() -> None:
    data = categorical_data([Label("1", "a", "f", "x"), Label("2", "b", "f", "x")])
    assert np.isnan(krippendorff_alpha(data).value)
    assert fleiss_kappa(data).n_items == 0
