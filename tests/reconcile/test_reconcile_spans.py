"""Span agreement, alignment, consensus and attribution triples on hand-computed cases."""

from __future__ import annotations

import itertools
import random

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.reconcile import (
    Relation,
    Span,
    align_spans,
    attribution_triples,
    jaccard,
    span_consensus,
    span_f1_pairwise,
    token_alpha,
    triple_f1_pairwise,
)

TEXT = "Alice said that the plan failed badly ."
#       0    5    10   15   20   25   30   35


def S(ann: str, label: str, start: int, end: int, rid: str, **attrs: str) -> Span:
    return Span("d1", ann, label, start, end, attrs, rid)


A = [S("A", "Source", 0, 5, "a1"), S("A", "Cue", 6, 10, "a2"), S("A", "Content", 16, 38, "a3")]
B = [S("B", "Source", 0, 5, "b1"), S("B", "Cue", 6, 15, "b2"), S("B", "Content", 20, 38, "b3")]


def rels(ann: str, content: str, source: str, cue: str) -> list[Relation]:
    return [
        Relation("d1", ann, "attributed_to", content, source),
        Relation("d1", ann, "cue_of", cue, content),
    ]


def test_jaccard() -> None:
    assert jaccard(A[1], B[1]) == pytest.approx(4 / 9)
    assert jaccard(A[2], B[2]) == pytest.approx(18 / 22)
    assert jaccard(A[0], A[1]) == 0.0


def test_exact_and_overlap_f1_differ() -> None:
    exact = {f.label: f for f in span_f1_pairwise(A + B, match="exact", n_boot=0)}
    overlap = {f.label: f for f in span_f1_pairwise(A + B, match="overlap", n_boot=0)}
    assert exact[None].tp == 1 and exact[None].f1.value == pytest.approx(2 / 6)
    assert overlap[None].tp == 2 and overlap[None].f1.value == pytest.approx(4 / 6)
    assert exact["Content"].f1.value == 0.0 and overlap["Content"].f1.value == 1.0
    assert exact["Source"].f1.value == 1.0
    assert overlap["Cue"].f1.value == 0.0  # 4/9 < 0.5
    loose = {f.label: f for f in span_f1_pairwise(A + B, threshold=0.4, n_boot=0)}
    assert loose["Cue"].f1.value == 1.0
    assert overlap[None].precision == pytest.approx(2 / 3) and overlap[None].n_items == 1


def test_f1_counts_covered_items_without_spans() -> None:
    spans = [*A, Span("d2", "A", "Source", 0, 3, {}, "x")]
    res = span_f1_pairwise(spans + B, coverage=[("d2", "B")], n_boot=0)
    micro = next(f for f in res if f.label is None)
    assert micro.n_items == 2 and micro.n_a == 4 and micro.tp == 2
    assert micro.f1.value == pytest.approx(4 / 7)


def test_one_to_one_matching() -> None:
    """Two of A's spans overlap B's single span: only one TP."""
    a = [S("A", "Source", 0, 10, "1"), S("A", "Source", 2, 10, "2")]
    b = [S("B", "Source", 0, 10, "3")]
    micro = next(f for f in span_f1_pairwise(a + b, n_boot=0) if f.label is None)
    assert micro.tp == 1 and micro.f1.value == pytest.approx(2 / 3)


def test_token_alpha_matches_krippendorff_on_token_matrix() -> None:
    # tokens: Alice said that the plan failed badly .  (8 tokens; "." at 38 is outside both)
    tok_a = ["Source", "Cue", "O", "Content", "Content", "Content", "Content", "O"]
    tok_b = ["Source", "Cue", "Cue", "O", "Content", "Content", "Content", "O"]
    vals = sorted(set(tok_a + tok_b))
    matrix = [[vals.index(v) for v in tok_a], [vals.index(v) for v in tok_b]]
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    res = token_alpha(A + B, {"d1": TEXT}, n_boot=100)
    assert res["all"].value == pytest.approx(expected)
    assert res["all"].n_items == 8
    cue = [[int(v == "Cue") for v in tok_a], [int(v == "Cue") for v in tok_b]]
    cue_expected = krippendorff.alpha(reliability_data=cue, level_of_measurement="nominal")
    assert res["Cue"].value == pytest.approx(cue_expected)
    chars = token_alpha(A + B, {"d1": TEXT}, unit="char", n_boot=0)
    assert chars["all"].n_items == len(TEXT.replace(" ", ""))


def test_attribution_triples_and_f1() -> None:
    ra, rb = rels("A", "a3", "a1", "a2"), rels("B", "b3", "b1", "b2")
    triples = attribution_triples(A + B, ra + rb)
    assert [(t.annotator, t.source, t.cue, t.content) for t in triples] == [
        ("A", A[0], A[1], A[2]),
        ("B", B[0], B[1], B[2]),
    ]
    strict = triple_f1_pairwise(A + B, ra + rb, n_boot=0)
    assert strict[0].tp == 0 and strict[0].f1.value == 0.0  # the cues overlap 4/9 only
    loose = triple_f1_pairwise(A + B, ra + rb, threshold=0.4, n_boot=0)
    assert loose[0].tp == 1 and loose[0].f1.value == 1.0
    no_cue = attribution_triples(A, [ra[0]])
    assert no_cue[0].cue is None and no_cue[0].source == A[0]


def _three_annotators() -> tuple[list[Span], list[Relation]]:
    a = [S("A", "Source", 0, 5, "a1", type="person"), A[1], A[2]]
    b = [S("B", "Source", 0, 5, "b1", type="org"), B[1], B[2]]
    c = [S("C", "Source", 0, 5, "c1", type="person"), S("C", "Cue", 6, 10, "c2")]
    relations = [
        *rels("A", "a3", "a1", "a2"),
        *rels("B", "b3", "b1", "b2"),
        Relation("d1", "C", "cue_of", "c2", "c1"),
    ]
    return a + b + c, relations


def test_alignment_clusters_one_span_per_annotator() -> None:
    spans, _ = _three_annotators()
    clusters = align_spans(spans)
    summary = [(c.label, c.annotators) for c in clusters]
    assert summary == [
        ("Source", ("A", "B", "C")),
        ("Cue", ("A", "C")),
        ("Cue", ("B",)),
        ("Content", ("A", "B")),
    ]


def test_span_consensus_support_attrs_relations() -> None:
    spans, relations = _three_annotators()
    res = span_consensus(spans, relations, min_support=0.5)
    kept = {s.id: s for s in res.spans}
    assert set(kept) == {"Source@0:5", "Cue@6:10", "Content@16:38"}
    src = kept["Source@0:5"]
    assert src.attrs == {"type": "person"} and src.support == ("A", "B", "C") and src.exact
    content = kept["Content@16:38"]
    assert content.support == ("A", "B") and not content.exact
    assert content.confidence == pytest.approx(2 / 3)
    assert [d.id for d in res.dropped] == ["Cue@6:15"]
    assert [(r.kind, r.from_id, r.to_id, r.support) for r in res.relations] == [
        ("attributed_to", "Content@16:38", "Source@0:5", ("A", "B"))
    ]
    # A's cue_of survives both ends but only A drew it; C's goes to a Source: different relation
    assert {(r.from_id, r.to_id, r.support) for r in res.dropped_relations} == {
        ("Cue@6:10", "Content@16:38", ("A",)),
        ("Cue@6:10", "Source@0:5", ("C",)),
    }
    unanimous = span_consensus(spans, relations, min_support=1.0)
    assert [s.id for s in unanimous.spans] == ["Source@0:5"]


def test_span_attribute_tie_is_undecided() -> None:
    spans = [S("A", "Source", 0, 5, "1", type="person"), S("B", "Source", 0, 5, "2", type="org")]
    (kept,) = span_consensus(spans).spans
    assert kept.attrs == {} and kept.undecided_attrs == ("type",)


def test_coverage_counts_silent_annotators() -> None:
    spans, relations = _three_annotators()
    res = span_consensus(spans, relations, min_support=0.75, coverage=[("d1", "D")])
    assert [s.id for s in res.spans] == ["Source@0:5"]
    assert res.spans[0].n_annotators == 4 and res.spans[0].confidence == 0.75


span_strategy = st.lists(
    st.tuples(
        st.sampled_from(["d1", "d2"]),
        st.sampled_from(["A", "B", "C"]),
        st.sampled_from(["Source", "Cue"]),
        st.integers(0, 30),
        st.integers(1, 10),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(rows=span_strategy, seed=st.integers(0, 2**32 - 1))
def test_span_results_do_not_depend_on_input_order(
    rows: list[tuple[str, str, str, int, int]], seed: int
) -> None:
    spans = [
        Span(item, ann, lab, start, start + length, {"k": str(start % 2)}, f"r{i}")
        for i, (item, ann, lab, start, length) in enumerate(rows)
    ]
    relations = [
        Relation(x.item, x.annotator, "rel", x.region_id, y.region_id)
        for x, y in itertools.pairwise(spans)
        if x.item == y.item and x.annotator == y.annotator
    ]
    s2, r2 = spans[:], relations[:]
    random.Random(seed).shuffle(s2)
    random.Random(seed + 1).shuffle(r2)
    assert span_consensus(spans, relations) == span_consensus(s2, r2)
    assert span_f1_pairwise(spans, n_boot=20) == span_f1_pairwise(s2, n_boot=20)
    texts = {"d1": "x " * 25, "d2": "y " * 25}
    t1, t2 = token_alpha(spans, texts, n_boot=20), token_alpha(s2, texts, n_boot=20)
    assert t1 == t2
    assert np.all([m.n_items >= 0 for m in t1.values()])
