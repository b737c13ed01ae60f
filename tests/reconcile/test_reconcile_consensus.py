"""Majority vote, Dawid–Skene (against crowd-kit) and order-independence."""

from __future__ import annotations

import random

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from crowdkit.aggregation import DawidSkene
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.reconcile import (
    Label,
    categorical_agreement,
    categorical_data,
    dawid_skene,
    majority_vote,
)


def _labels(rows: dict[str, str]) -> list[Label]:
    """{item: "abc"} → annotator i gave the i-th character ("." = no label)."""
    return [
        Label(item, f"ann{i}", "f", v)
        for item, vals in rows.items()
        for i, v in enumerate(vals)
        if v != "."
    ]


def test_majority_vote_support_and_ties() -> None:
    data = categorical_data(
        _labels({"i1": "xxy", "i2": "xyz", "i3": "xy.", "i4": "x..", "i5": "yyy"})
    )
    out = {c.item: c for c in majority_vote(data)}
    assert out["i1"].label == "x" and out["i1"].support == ("ann0", "ann1")
    assert out["i1"].confidence == pytest.approx(2 / 3) and not out["i1"].tie
    assert out["i2"].label is None and out["i2"].tie and out["i2"].support == ()
    assert out["i3"].label is None and out["i3"].tie
    assert out["i4"].label == "x" and out["i4"].n_annotators == 1
    assert out["i5"].support == ("ann0", "ann1", "ann2") and out["i5"].confidence == 1.0


def test_majority_vote_min_support_count_and_share() -> None:
    data = categorical_data(_labels({"i1": "xxy", "i4": "x..", "i5": "yyy"}))
    by_count = {c.item: c.label for c in majority_vote(data, min_support=2)}
    assert by_count == {"i1": "x", "i4": None, "i5": "y"}
    unanimous = {c.item: c.label for c in majority_vote(data, min_support=1.0)}
    assert unanimous == {"i1": None, "i4": "x", "i5": "y"}
    two_thirds = {c.item: c.label for c in majority_vote(data, min_support=2 / 3)}
    assert two_thirds == {"i1": "x", "i4": "x", "i5": "y"}
    with pytest.raises(ValueError):
        majority_vote(data, min_support=0)
    with pytest.raises(TypeError):
        majority_vote(data, min_support=True)


def simulate(
    n_items: int, n_ann: int, k: int, per_item: int, seed: int
) -> tuple[list[Label], npt.NDArray[np.int64]]:
    """Noisy annotators with different (and differently structured) confusion matrices."""
    rng = np.random.default_rng(seed)
    prior = np.arange(1, k + 1) / np.arange(1, k + 1).sum()
    truth = rng.choice(k, size=n_items, p=prior)
    accuracy = np.linspace(0.4, 0.9, n_ann)
    labels = []
    for i in range(n_items):
        for a in rng.choice(n_ann, size=per_item, replace=False):
            if rng.random() < accuracy[a]:
                v = truth[i]
            elif a % 2:  # uniform confusion
                v = (truth[i] + 1 + rng.integers(0, k - 1)) % k
            else:  # systematic confusion with the next class
                v = (truth[i] + 1) % k
            labels.append(Label(f"t{i:05d}", f"w{a}", "f", f"c{v}"))
    return labels, truth


@pytest.mark.filterwarnings("ignore:The (inplace|copy) keyword")
def test_dawid_skene_matches_crowd_kit() -> None:
    labels, truth = simulate(500, 5, 3, 3, seed=11)
    ours = dawid_skene(categorical_data(labels))
    df = pd.DataFrame(
        {
            "task": [x.item for x in labels],
            "worker": [x.annotator for x in labels],
            "label": [x.value for x in labels],
        }
    )
    ck = DawidSkene(n_iter=100, tol=1e-5).fit(df)
    assert ck.probas_ is not None and ck.labels_ is not None
    probas = ck.probas_.reindex(index=list(ours.items), columns=list(ours.categories))
    top2 = np.sort(probas.to_numpy(), axis=1)[:, -2:]
    ck_tie = (top2[:, 1] - top2[:, 0]) < 1e-9
    ck_labels = ck.labels_.reindex(list(ours.items)).to_numpy()
    our_labels = np.array([c.label for c in ours.labels], dtype=object)
    differ = (our_labels != ck_labels) & ~ck_tie & ~np.array([c.tie for c in ours.labels])
    assert not differ.any()
    assert np.allclose(probas.to_numpy(), ours.posteriors, atol=1e-6)
    assert ours.converged and ours.n_iter == len(ck.loss_history_)
    # DS beats majority vote on this data (sanity, not a reference)
    mv = np.array([c.label for c in majority_vote(categorical_data(labels))], dtype=object)
    gold = np.array([f"c{t}" for t in truth], dtype=object)
    assert (our_labels == gold).mean() >= (mv == gold).mean()


def test_dawid_skene_support_and_confidence() -> None:
    labels, _ = simulate(200, 4, 3, 3, seed=3)
    res = dawid_skene(categorical_data(labels), min_confidence=0.99)
    by_item: dict[str, dict[str, str]] = {}
    for x in labels:
        by_item.setdefault(x.item, {})[x.annotator] = x.value
    for c in res.labels:
        assert 0.0 <= c.confidence <= 1.0
        if c.label is None:
            assert c.support == () and (c.tie or c.confidence < 0.99)
        else:
            given_ = by_item[c.item]
            assert c.support == tuple(sorted(a for a, v in given_.items() if v == c.label))
    assert np.allclose(res.confusion.sum(axis=2), 1.0)
    assert res.priors.sum() == pytest.approx(1.0)


label_sets = st.lists(
    st.tuples(
        st.integers(0, 14), st.integers(0, 4), st.sampled_from(["neg", "neu", "pos", "mixed"])
    ),
    min_size=1,
    max_size=60,
    unique_by=lambda t: (t[0], t[1]),
)


@settings(max_examples=40, deadline=None)
@given(rows=label_sets, seed=st.integers(0, 2**32 - 1))
def test_output_does_not_depend_on_input_order(rows: list[tuple[int, int, str]], seed: int) -> None:
    labels = [Label(f"item{i}", f"ann{a}", "stance", v) for i, a, v in rows]
    shuffled = labels[:]
    random.Random(seed).shuffle(shuffled)
    d1, d2 = categorical_data(labels), categorical_data(shuffled)
    assert majority_vote(d1) == majority_vote(d2)
    r1, r2 = dawid_skene(d1), dawid_skene(d2)
    assert r1.labels == r2.labels
    assert np.array_equal(r1.posteriors, r2.posteriors)
    a1 = categorical_agreement(d1, n_boot=30, seed=1)
    a2 = categorical_agreement(d2, n_boot=30, seed=1)
    assert a1 == a2


@settings(max_examples=25, deadline=None)
@given(rows=label_sets, seed=st.integers(0, 2**32 - 1))
def test_renaming_annotators_keeps_symmetric_results(
    rows: list[tuple[int, int, str]], seed: int
) -> None:
    """Annotator ids in another order: labels and symmetric metrics unchanged."""
    perm = list(range(5))
    random.Random(seed).shuffle(perm)
    labels = [Label(f"item{i}", f"ann{a}", "stance", v) for i, a, v in rows]
    renamed = [Label(f"item{i}", f"ann{perm[a]}", "stance", v) for i, a, v in rows]
    d1, d2 = categorical_data(labels), categorical_data(renamed)
    assert [c.label for c in majority_vote(d1)] == [c.label for c in majority_vote(d2)]
    a1 = categorical_agreement(d1, n_boot=0)
    a2 = categorical_agreement(d2, n_boot=0)
    for m1, m2 in ((a1.alpha, a2.alpha), (a1.fleiss_kappa, a2.fleiss_kappa)):
        assert m1.n_items == m2.n_items
        assert m1.value == pytest.approx(m2.value, nan_ok=True)
