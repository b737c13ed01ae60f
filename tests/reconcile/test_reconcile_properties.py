"""Invariants of span agreement and consensus on random span layers (they replace the frozen
copy of the first implementation that the fast one used to be compared with).

Each property follows from a definition: pairwise F1 is symmetric in the two annotators and
pooled F1 is ``2 ΣTP / Σ(n_a + n_b)`` over the pairs (Hripcsak & Rothschild 2005: F1 between
two raters is their positive specific agreement); annotators who agree get F1, percent
agreement and α of 1.0, and a consensus (vote, Dawid–Skene) that is what they gave; every kept
cluster reaches `min_support`; a result never depends on the input order or on the
annotators' names.
"""

from __future__ import annotations

import math
import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from spanlayer import consensus, index_of, parsed_of, triple_f1

from workbench.reconcile import (
    Label,
    Relation,
    Span,
    categorical_data,
    dawid_skene,
    krippendorff_alpha,
    majority_vote,
    pairwise_f1,
    percent_agreement,
    pooled_f1,
)
from workbench.reconcile.extract import relation_records, span_index
from workbench.reconcile.spans import TOKEN_RE, _units
from workbench.reconcile.triples import pooled_triple_f1, triple_counts


def span_f1_pairwise(spans, match, coverage, threshold, n_boot):  # type: ignore[no-untyped-def]
    return pairwise_f1(index_of(spans, coverage, threshold), match, n_boot=n_boot)


def span_f1_pooled(spans, match, coverage, threshold, n_boot):  # type: ignore[no-untyped-def]
    return pooled_f1(index_of(spans, coverage, threshold), match, n_boot=n_boot)


def triple_f1_pooled(spans, relations, coverage, threshold, n_boot):  # type: ignore[no-untyped-def]
    parsed = parsed_of(spans, relations, coverage)
    index = span_index(parsed, threshold)[0]
    return pooled_triple_f1(index, triple_counts(index, relation_records(parsed)), n_boot=n_boot)


Layer = tuple[list[Span], list[Relation], list[tuple[str, str]]]
EXAMPLES = settings(max_examples=60, deadline=None, derandomize=True)


@st.composite
def layers(draw: st.DrawFn) -> Layer:
    """A few items, 2-4 annotators, spans on a short text with many ties and duplicates."""
    rng = random.Random(draw(st.integers(0, 10**6)))
    spans: list[Span] = []
    relations: list[Relation] = []
    coverage: list[tuple[str, str]] = []
    for item in ("d1", "d2", "d3")[: rng.randint(1, 3)]:
        for ann in ("A", "B", "C", "D")[: rng.randint(2, 4)]:
            coverage.append((item, ann))
            mine: list[Span] = []
            for k in range(rng.randint(0, 6)):
                start = rng.choice((0, 0, 2, 4, 5, 10))
                end = start + rng.choice((1, 3, 5, 5, 8))
                label = rng.choice(("Source", "Cue", "Content", "Content"))
                mine.append(Span(item, ann, label, start, end, {}, f"{ann}{k}"))
            if mine and rng.random() < 0.3:
                mine.append(Span(item, ann, mine[0].label, mine[0].start, mine[0].end, {}, "dup"))
            spans.extend(mine)
            contents = [s for s in mine if s.label == "Content"]
            for c in contents:
                for s in mine:
                    if s.label == "Source" and rng.random() < 0.5:
                        relations.append(
                            Relation(item, ann, "attributed_to", c.region_id, s.region_id)
                        )
                    if s.label == "Cue" and rng.random() < 0.5:
                        relations.append(Relation(item, ann, "cue_of", s.region_id, c.region_id))
    return spans, relations, coverage


def renamed(layer: Layer, names: dict[str, str]) -> Layer:
    spans, relations, coverage = layer
    return (
        [Span(s.item, names[s.annotator], s.label, s.start, s.end, s.attrs, s.region_id)
         for s in spans],
        [Relation(r.item, names[r.annotator], r.kind, r.from_region, r.to_region)
         for r in relations],
        [(item, names[a]) for item, a in coverage],
    )  # fmt: skip


REVERSED = {"A": "D", "B": "C", "C": "B", "D": "A"}  # flips the order of every pair


def same_number(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


@EXAMPLES
@given(layers(), st.sampled_from([0.3, 0.5, 1.0]), st.sampled_from(["exact", "overlap"]))
def test_pairwise_f1_is_symmetric_and_pools_to_its_definition(
    layer: Layer, threshold: float, match: str
) -> None:
    spans, relations, coverage = layer
    kw = {"threshold": threshold, "n_boot": 0}
    before = span_f1_pairwise(spans, match=match, coverage=coverage, **kw)  # type: ignore[arg-type]
    other = renamed(layer, REVERSED)
    after = {
        (p.annotator_a, p.annotator_b, p.label): p
        for p in span_f1_pairwise(other[0], match=match, coverage=other[2], **kw)  # type: ignore[arg-type]
    }
    assert len(after) == len(before)
    for p in before:
        q = after[(REVERSED[p.annotator_b], REVERSED[p.annotator_a], p.label)]
        assert (q.tp, q.n_a, q.n_b) == (p.tp, p.n_b, p.n_a)
        assert same_number(q.precision, p.recall) and same_number(q.recall, p.precision)
        assert same_number(q.f1.value, p.f1.value)
    pooled = span_f1_pooled(spans, match=match, coverage=coverage, **kw)  # type: ignore[arg-type]
    assert same_number(
        pooled["all"].value,
        span_f1_pooled(other[0], match=match, coverage=other[2], **kw)["all"].value,  # type: ignore[arg-type]
    )
    micro = [p for p in before if p.label is None]
    denominator = sum(p.n_a + p.n_b for p in micro)
    if denominator:
        assert math.isclose(pooled["all"].value, 2 * sum(p.tp for p in micro) / denominator)
    triples = triple_f1(spans, relations, coverage, threshold)
    swapped = triple_f1(other[0], other[1], other[2], threshold)
    assert sorted(str(p.f1.value) for p in triples) == sorted(str(p.f1.value) for p in swapped)
    assert same_number(
        triple_f1_pooled(spans, relations, coverage=coverage, **kw).value,
        triple_f1_pooled(other[0], other[1], coverage=other[2], **kw).value,
    )


@EXAMPLES
@given(layers(), st.sampled_from([0.3, 0.5, 1.0]), st.integers(2, 4))
def test_annotators_who_agree_get_f1_one_and_their_layer_as_consensus(
    layer: Layer, threshold: float, n: int
) -> None:
    """Every annotator draws annotator A's layer (without A's duplicate regions)."""
    spans, relations, _ = layer
    first: dict[tuple[str, str, int, int], Span] = {}
    for s in spans:
        if s.annotator == "A":
            first.setdefault((s.item, s.label, s.start, s.end), s)
    kept = {(s.item, s.region_id) for s in first.values()}
    names = ["A", "B", "C", "D"][:n]
    items = sorted({item for item, _, _, _ in first} | {"d1"})
    copies = [
        Span(s.item, a, s.label, s.start, s.end, {}, s.region_id)
        for a in names
        for s in first.values()
    ]
    links = [
        Relation(r.item, a, r.kind, r.from_region, r.to_region)
        for a in names
        for r in relations
        if r.annotator == "A" and (r.item, r.from_region) in kept and (r.item, r.to_region) in kept
    ]
    coverage = [(item, a) for item in items for a in names]
    for match in ("exact", "overlap"):
        pairs = span_f1_pairwise(
            copies, match=match, threshold=threshold, coverage=coverage, n_boot=0
        )
        assert all(p.f1.value == 1.0 for p in pairs if p.n_a + p.n_b)
    if links:
        triples = triple_f1(copies, links, coverage, threshold, n_boot=1000)
        assert all(p.f1.value == 1.0 for p in triples if p.n_a + p.n_b)
    for support in (1.0, 0.5, n):
        got = consensus(copies, links, coverage, min_support=support, threshold=threshold)
        spans = [(item, c) for item, cons in got.items() for c in cons.spans]
        assert sorted((item, c.label, c.start, c.end) for item, c in spans) == sorted(first)
        assert all(
            c.support == tuple(names) and c.exact and c.status == "decided" for _, c in spans
        )
        rels = [r for cons in got.values() for r in cons.relations]
        assert all(r.status == "decided" for r in rels)
        want = {(r.item, r.kind, r.from_region, r.to_region) for r in links}
        assert len(rels) == len(want)


@EXAMPLES
@given(layers(), st.sampled_from([0.3, 0.5, 1.0]), st.sampled_from([1, 2, 0.5, 2 / 3, 1.0]))
def test_consensus_reaches_min_support_whatever_the_order_and_names(
    layer: Layer, threshold: float, support: float
) -> None:
    spans, relations, coverage = layer
    got = consensus(spans, relations, coverage, min_support=support, threshold=threshold)
    covering = {item: {a for i, a in coverage if i == item} for item, _ in coverage}
    for item, cons in got.items():
        n = len(covering[item])
        need = support if isinstance(support, int) else support * n - 1e-9
        for c in [*cons.spans, *cons.relations]:
            assert c.n_annotators == n
            assert (len(c.support) >= need) == (c.status == "decided")
            assert len(set(c.support)) == len(c.support) and set(c.support) <= covering[item]
        ids = {c.span_key for c in cons.spans if c.status == "decided"}
        assert all(r.from_key in ids and r.to_key in ids for r in cons.relations)
    rng = random.Random(len(spans))
    shuffled = [spans[:], relations[:], coverage[:]]
    for x in shuffled:
        rng.shuffle(x)
    again = consensus(*shuffled, min_support=support, threshold=threshold)  # type: ignore[arg-type]
    assert repr(again) == repr(got)
    other = renamed(layer, {"A": "w", "B": "x", "C": "y", "D": "z"})  # same order
    named = consensus(*other, min_support=support, threshold=threshold)
    assert [(c.span_key, len(c.support)) for cons in named.values() for c in cons.spans] == [
        (c.span_key, len(c.support)) for cons in got.values() for c in cons.spans
    ]


@EXAMPLES
@given(
    st.lists(
        st.lists(st.sampled_from(["neg", "neu", "pos"]), min_size=1, max_size=5),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
)
def test_vote_consensus_is_the_unanimous_label_and_never_a_minority(
    items: list[list[str]], unanimous: bool
) -> None:
    if unanimous:
        items = [[votes[0]] * len(votes) for votes in items]
    labels = [
        Label(f"i{i}", f"a{k}", "sentiment", value)
        for i, votes in enumerate(items)
        for k, value in enumerate(votes)
    ]
    data = categorical_data(labels, "sentiment")
    if unanimous:  # agreement is perfect, and Dawid–Skene finds the same labels as the vote
        if any(len(votes) > 1 for votes in items):
            assert percent_agreement(data, n_boot=0).value == 1.0
        if len({votes[0] for votes in items if len(votes) > 1}) > 1:
            assert krippendorff_alpha(data, n_boot=0).value == 1.0
        fitted = {row.item: row.label for row in dawid_skene(data).labels}
        assert fitted == {f"i{i}": votes[0] for i, votes in enumerate(items)}
    for row in majority_vote(data, min_support=0.5):
        votes = items[int(row.item[1:])]
        if len(set(votes)) == 1:
            assert row.label == votes[0] and len(row.support) == len(votes)
            assert row.confidence == 1.0
        if row.label is not None:
            assert all(votes.count(row.label) > votes.count(v) for v in set(votes) - {row.label})
            assert len(row.support) == votes.count(row.label) >= len(votes) / 2


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab_ 1\n\t.,“”’—-éßИ漢٣\u00a0\u2003😀")) | st.characters(),
        max_size=60,
    ),
    st.sampled_from(["token", "char"]),
)
def test_units_are_the_regex_matches(text: str, unit: str) -> None:
    starts, ends = _units(text, unit)  # type: ignore[arg-type]
    pattern = TOKEN_RE if unit == "token" else re.compile(r"\S")
    want = [(m.start(), m.end()) for m in pattern.finditer(text)]
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == want
