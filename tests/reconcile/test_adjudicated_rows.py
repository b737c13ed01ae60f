"""An adjudicator's decision as consensus rows (`engine.adjudicated`), on the quirks a real
adjudication project produced: the same span drawn twice (once with its quotation marks, which
pull trims), and annotators who drew several spans of the decided label."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.annotation import parse
from workbench.reconcile.engine import adjudicated
from workbench.reconcile.extract import parse_entries
from workbench.schema import load_schema

SCHEMA = load_schema(Path(__file__).resolve().parents[2] / "schemas" / "news-v1.yaml")
TEXT = 'Officials said "the plan works" on Monday. Critics think the plan fails.'
QUOTE = TEXT.index('"the plan works"')
FAILS = TEXT.index("the plan fails")


def content(rid: str, start: int, end: int, quote_type: str) -> list[dict[str, Any]]:
    value = {"start": start, "end": end, "text": TEXT[start:end]}
    return [
        {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
         "value": {**value, "labels": ["Content"]}},
        {"id": rid, "from_name": "content_quote_type", "to_name": "text", "type": "choices",
         "value": {**value, "choices": [quote_type]}},
    ]  # fmt: skip


def cue(rid: str, word: str) -> list[dict[str, Any]]:
    start = TEXT.index(word)
    value = {"start": start, "end": start + len(word), "text": word, "labels": ["Cue"]}
    return [{"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}]


def link(a: str, b: str) -> dict[str, Any]:
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "right", "labels": []}


def test_a_span_decided_twice_is_one_row_and_votes_come_from_the_matching_span() -> None:
    inner = (QUOTE + 1, QUOTE + len('"the plan works"') - 1)
    # annotator-01: the quotation (direct), then another Content later in the text (indirect)
    ann1 = [*content("a", *inner, "direct"), *content("b", FAILS, FAILS + 14, "indirect")]
    ann2 = content("c", *inner, "direct")
    entries = [parse(SCHEMA, TEXT, r).entry() for r in (ann1, ann2)]
    both = parse_entries(SCHEMA, ["s1", "s1"], ["annotator-01", "annotator-02"], entries)
    # the adjudicator drew the quotation twice: with its quotation marks and without
    decision = [
        *content("x", QUOTE, QUOTE + len('"the plan works"'), "direct"),
        *content("y", *inner, "direct"),
        *cue("k", "said"),
        link("k", "x"),
        link("k", "y"),
    ]
    rows = adjudicated(SCHEMA, "s1", decision, both, {"s1": TEXT}, "vote")
    keys = [s.span_key for s in rows.spans]
    assert len(keys) == len(set(keys)) == 2  # one Content, one Cue
    assert len(rows.relations) == 1
    votes = {r.field: r for r in rows.labels if r.field == "Content.quote_type"}
    # each supporting annotator's vote is from their span that matched, not their last one
    assert votes["Content.quote_type"].votes == {"direct": ("annotator-01", "annotator-02")}
