"""The vectorised span machinery (`spanindex`) against the straightforward per-item definitions.

`oracle/` holds the first, loop-per-item implementation of span agreement, alignment and
consensus, which the hand-computed cases of `test_reconcile_spans.py` validated. The fast one
must give the same figures and the same consensus rows, exactly, on noisy synthetic
annotations (boundary jitter, label confusions, missed and spurious spans, duplicates) and on
random span layers that provoke every conflict the greedy matchings resolve.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import agreement_v1, consensus_v1, engine_v1, pooled_v1, spans_v1

from benchmarks import synth
from workbench.annotation import parse
from workbench.reconcile import Relation, Span
from workbench.reconcile.agreement import schema_agreement, to_dict
from workbench.reconcile.consensus import span_consensus
from workbench.reconcile.engine import reconcile_records
from workbench.reconcile.extract import AnnotationInput, Records, extract_all
from workbench.reconcile.pooled import span_f1_pooled, triple_f1_pooled
from workbench.reconcile.spanindex import SpanIndex
from workbench.reconcile.spans import (
    TOKEN_RE,
    _units,
    align_spans,
    attribution_triples,
    pairwise_f1,
    span_f1_pairwise,
    triple_f1_pairwise,
)
from workbench.schema import load_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = load_schema(ROOT / "schemas" / "news-v1.yaml")


@pytest.fixture(scope="module")
def noisy() -> tuple[Records, dict[str, str]]:
    items = synth.items(400, seed=5)
    inputs = [
        AnnotationInput(
            it.segment_id, f"annotator-{a + 1:02d}", parse(SCHEMA, it.text, result).entry()
        )
        for it in items
        for a, result in enumerate(it.results)
        if result is not None
    ]
    return extract_all(SCHEMA, inputs), {it.segment_id: it.text for it in items}


def test_agreement_report_is_the_definitions(noisy) -> None:  # type: ignore[no-untyped-def]
    records, texts = noisy
    fast = to_dict(schema_agreement(SCHEMA, records, texts, source="s", n_boot=200))
    slow = to_dict(agreement_v1.schema_agreement(SCHEMA, records, texts, source="s", n_boot=200))
    assert json.dumps(fast, sort_keys=True) == json.dumps(slow, sort_keys=True)
    assert fast["spans"]["span_f1_overlap"]["all"]["n_items"] > 300  # the data is not empty
    assert 0 < fast["triples"]["triple_f1"]["value"] < 1


@pytest.mark.parametrize("method", ["vote", "dawid-skene"])
def test_consensus_rows_are_the_definitions(noisy, method) -> None:  # type: ignore[no-untyped-def]
    records, texts = noisy
    fast = reconcile_records(SCHEMA, records, texts, method=method)
    slow = engine_v1.reconcile_records(SCHEMA, records, texts, method=method)
    assert same(fast, slow)
    assert sum(len(c.spans) for c in fast.values()) > 1000


def same(a: object, b: object) -> bool:
    """Equal field by field: the oracle's records are classes of the same names and fields
    but not the same classes (and NaN != NaN), so their reprs are compared."""
    return repr(a) == repr(b)


# ------------------------------------------------------------------ random span layers


@st.composite
def layers(draw: st.DrawFn) -> tuple[list[Span], list[Relation], list[tuple[str, str]]]:
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


@settings(max_examples=150, deadline=None)
@given(layers(), st.sampled_from([0.3, 0.5, 1.0]))
def test_random_layers(layer, threshold) -> None:  # type: ignore[no-untyped-def]
    spans, relations, coverage = layer
    kw = {"threshold": threshold, "coverage": coverage, "n_boot": 20}
    if not spans:  # the first implementation raised on an empty layer; now: nothing to match
        assert span_f1_pairwise(spans, **kw) == []
        assert span_f1_pooled(spans, **kw)["all"].n_items == 0
        return
    for match in ("exact", "overlap"):
        fast_pairs = span_f1_pairwise(spans, match=match, **kw)
        assert same(fast_pairs, spans_v1.span_f1_pairwise(spans, match=match, **kw))
        fast_pooled = span_f1_pooled(spans, match=match, **kw)
        assert same(fast_pooled, pooled_v1.span_f1_pooled(spans, match=match, **kw))
    fast_triples = triple_f1_pairwise(spans, relations, **kw)
    assert same(fast_triples, spans_v1.triple_f1_pairwise(spans, relations, **kw))
    fast_pooled_triples = triple_f1_pooled(spans, relations, **kw)
    assert same(fast_pooled_triples, pooled_v1.triple_f1_pooled(spans, relations, **kw))
    assert same(align_spans(spans, threshold), spans_v1.align_spans(spans, threshold))
    assert same(
        attribution_triples(spans, relations), spans_v1.attribution_triples(spans, relations)
    )
    for support in (1, 2, 0.5):
        fast = span_consensus(
            spans, relations, min_support=support, threshold=threshold, coverage=coverage
        )
        slow = consensus_v1.span_consensus(
            spans, relations, min_support=support, threshold=threshold, coverage=coverage
        )
        assert same(fast, slow)


@settings(max_examples=150, deadline=None)
@given(layers(), st.sampled_from([0.3, 0.5, 1.0]))
def test_index_from_columns_is_the_index_of_records(layer, threshold) -> None:  # type: ignore[no-untyped-def]
    """The export's agreement builds its index from columns, without `Span` records."""
    spans, _, coverage = layer
    row = {pair: k for k, pair in enumerate(coverage)}
    columns = SpanIndex.from_columns(
        [item for item, _ in coverage],
        [ann for _, ann in coverage],
        [row[(s.item, s.annotator)] for s in spans],
        [s.label for s in spans],
        [s.start for s in spans],
        [s.end for s in spans],
        [s.region_id for s in spans],
        threshold,
    )
    records = SpanIndex(spans, coverage, threshold)
    assert list(columns.spans) == records.spans
    assert same(columns.spans[1:3], records.spans[1:3])
    for match in ("exact", "overlap"):
        fast = pairwise_f1(columns, match, n_boot=20)  # type: ignore[arg-type]
        assert same(fast, pairwise_f1(records, match, n_boot=20))  # type: ignore[arg-type]
        slow = spans_v1.span_f1_pairwise(
            spans, match=match, threshold=threshold, coverage=coverage, n_boot=20
        )
        assert same(fast, slow)


@settings(max_examples=300, deadline=None)
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
