"""The one annotation model (`workbench.annotation`): what it parses, repairs and refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.annotation import Link, from_entry, parse, parser_key, to_result
from workbench.schema import Schema, load_schema, parse_schema
from workbench.schema.importer import import_config

ROOT = Path(__file__).resolve().parent.parent
NEWS = load_schema(ROOT / "schemas" / "news-v1.yaml")

TEXT = (
    "Foreign Minister Shah Mahmood Qureshi said Pakistan's ties with Russia were “an important"
    " milestone.” Critics disagreed."
)


def region(rid: str, label: str, start: int, end: int, stored: str | None = None) -> Any:
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": start,
            "end": end,
            "text": TEXT[start:end] if stored is None else stored,
            "labels": [label],
        },
    }


def answer(rid: str, control: str, value: str, start: int, end: int) -> Any:
    return {
        "id": rid,
        "from_name": control,
        "to_name": "text",
        "type": "choices",
        "value": {"start": start, "end": end, "choices": [value]},
    }


def sentiment(value: str = "neutral") -> Any:
    return {
        "id": "s",
        "from_name": "sentiment",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [value]},
    }


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def source(start: int, end: int, stored: str | None = None) -> list[Any]:
    return [
        region("src", "Source", start, end, stored),
        answer("src", "source_source_type", "official", start, end),
    ]


def test_offsets_off_by_whitespace_are_repaired_and_recorded() -> None:
    s, e = at("Foreign Minister Shah Mahmood Qureshi")
    # the stored text has a trailing space; the offsets cover the words exactly
    parsed = parse(NEWS, TEXT, [*source(s, e, stored=TEXT[s:e] + " "), sentiment()])
    assert parsed.valid and (parsed.regions[0].start, parsed.regions[0].end) == (s, e)
    assert "differs from the text only by surrounding whitespace" in parsed.repairs[0]
    # the offsets cover a space before the words (' deputy sheriff'): trimmed
    s2, e2 = at(" said")
    parsed = parse(NEWS, TEXT, [region("c", "Cue", s2, e2, stored="said"), sentiment()])
    assert parsed.valid and TEXT[parsed.regions[0].start : parsed.regions[0].end] == "said"
    assert f"offsets {s2}..{e2} → {s2 + 1}..{e2}" in parsed.repairs[0]


def test_offsets_a_few_characters_off_their_text_are_moved_to_it() -> None:
    s, e = at("said")
    parsed = parse(NEWS, TEXT, [region("c", "Cue", s + 2, e + 2, stored="said"), sentiment()])
    assert parsed.valid and (parsed.regions[0].start, parsed.regions[0].end) == (s, e)


def test_text_nowhere_near_is_a_problem() -> None:
    s, e = at("said")
    parsed = parse(NEWS, TEXT, [region("c", "Cue", s, e, stored="claimed"), sentiment()])
    assert not parsed.valid and "does not match" in parsed.problems[0]


def test_enclosing_quotes_and_possessives_are_left_to_the_tool() -> None:
    s, e = at("“an important milestone.”")
    p, q = at("Pakistan's")
    result = [
        region("con", "Content", s, e),
        answer("con", "content_quote_type", "direct", s, e),
        region("tgt", "Target", p, q),
        answer("tgt", "target_sentiment", "neutral", p, q),
        sentiment(),
    ]
    parsed = parse(NEWS, TEXT, result)
    assert parsed.valid
    spans = {r.label: TEXT[r.start : r.end] for r in parsed.regions}
    assert spans == {"Content": "an important milestone.", "Target": "Pakistan"}
    assert any(f"Content {s}..{e} → {s + 1}..{e - 1}" in r for r in parsed.repairs)
    assert any("possessive trimmed" in r for r in parsed.repairs)


def test_a_partial_quote_keeps_its_marks() -> None:
    text = "He said the deal was “historic” and would last."
    s = text.index("the deal")
    e = text.index(" and")
    result = [
        region("con", "Content", s, e, stored=text[s:e]),
        answer("con", "content_quote_type", "mixed", s, e),
        sentiment(),
    ]
    parsed = parse(NEWS, text, result)
    assert text[parsed.regions[0].start : parsed.regions[0].end] == "the deal was “historic”"
    assert parsed.repairs == ()


def test_entry_round_trips_and_to_result_parses_to_the_same() -> None:
    s, e = at("Foreign Minister Shah Mahmood Qureshi")
    c, d = at("an important milestone.")
    result = [
        *source(s, e),
        region("con", "Content", c, d),
        answer("con", "content_quote_type", "direct", c, d),
        {
            "type": "relation",
            "from_id": "src",
            "to_id": "con",
            "direction": "left",
            "labels": ["attributed_to"],
        },
        sentiment("positive"),
    ]
    parsed = parse(NEWS, TEXT, result)
    assert parsed.valid and parsed.links == (Link("attributed_to", "con", "src"),)
    again = from_entry(parsed.entry())
    assert again.entry() == parsed.entry()
    assert parse(NEWS, TEXT, to_result(NEWS, TEXT, parsed)).entry() == parsed.entry()


OTHER = parse_schema(
    """
id: other
title: other controls
view: {text: body, value: $body, labels: ner, multi_label: true, names: free,
       hotkeys: optional, layout: plain}
labels:
  - {name: PER}
  - {name: ORG}
regions:
  - {name: salience, kind: rating, max_value: 3, control: salience}
segment:
  - {name: topic, kind: taxonomy, choices: [{value: A, children: [{value: B}]}]}
  - {name: when, kind: datetime}
  - {name: score, kind: number, min_value: 0, max_value: 10}
  - {name: note, kind: textarea}
"""
)


def test_every_control_kind_is_parsed() -> None:
    text = "Acme hired Bo."
    result = [
        {
            "id": "r1",
            "from_name": "ner",
            "to_name": "body",
            "type": "labels",
            "value": {"start": 0, "end": 4, "text": "Acme", "labels": ["ORG", "PER"]},
        },
        {
            "id": "r1",
            "from_name": "salience",
            "to_name": "body",
            "type": "rating",
            "value": {"start": 0, "end": 4, "rating": 2},
        },
        {
            "id": "t",
            "from_name": "topic",
            "to_name": "body",
            "type": "taxonomy",
            "value": {"taxonomy": [["A", "B"]]},
        },
        {
            "id": "w",
            "from_name": "when",
            "to_name": "body",
            "type": "datetime",
            "value": {"datetime": "2024-05-01"},
        },
        {
            "id": "n",
            "from_name": "score",
            "to_name": "body",
            "type": "number",
            "value": {"number": 7.5},
        },
        {
            "id": "x",
            "from_name": "note",
            "to_name": "body",
            "type": "textarea",
            "value": {"text": ["first", "second"]},
        },
    ]
    parsed = parse(OTHER, text, result)
    assert parsed.valid, parsed.problems
    (r,) = parsed.regions
    assert r.labels == ("ORG", "PER") and r.answers == {"salience": 2}
    assert dict(parsed.answers) == {
        "topic": "A/B",
        "when": "2024-05-01",
        "score": 7.5,
        "note": ["first", "second"],
    }
    assert parse(OTHER, text, to_result(OTHER, text, parsed)).entry() == parsed.entry()
    bad = [{**result[1], "value": {"start": 0, "end": 4, "rating": 4}}, *result[:1]]
    assert any("off the salience scale" in p for p in parse(OTHER, text, bad).problems)


def test_parser_key_ignores_wording_but_not_structure() -> None:
    data = NEWS.to_dict()
    data["labels"][0]["description"] = "reworded"
    data["title"] = "another title"
    import json

    reworded = parse_schema(json.dumps(data))
    assert parser_key(reworded) == parser_key(NEWS)
    data["labels"][0]["name"] = "Speaker"
    data["relations"][0]["to"] = ["Speaker"]
    assert parser_key(parse_schema(json.dumps(data))) != parser_key(NEWS)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
items = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["a", "b", "c", 1, None]),
        "from_name": st.sampled_from(["label", "sentiment", "content_quote_type", "x"]),
        "to_name": st.sampled_from(["text", "other"]),
        "type": st.sampled_from(["labels", "choices", "relation", "taxonomy"]),
        "value": st.fixed_dictionaries(
            {},
            optional={
                "start": st.integers(-3, 130),
                "end": st.integers(-3, 130),
                "labels": st.lists(
                    st.sampled_from(["Source", "Cue", "Content", "Nope"]), max_size=2
                ),
                "choices": st.lists(st.sampled_from(["direct", "neutral", "zzz"]), max_size=2),
                "text": json_values,
            },
        ),
    },
    optional={
        "from_id": st.sampled_from(["a", "b", "c"]),
        "to_id": st.sampled_from(["a", "b", "c"]),
        "direction": st.sampled_from(["left", "right", "bi", "up"]),
        "labels": st.lists(st.sampled_from(["attributed_to", "cue_of", "x"]), max_size=2),
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(items, max_size=8) | json_values)
def test_never_raises_and_valid_regions_lie_in_the_text(result: Any) -> None:
    parsed = parse(NEWS, TEXT, result)
    if parsed.valid:
        ids = {r.id for r in parsed.regions}
        for r in parsed.regions:
            assert 0 <= r.start < r.end <= len(TEXT)
        for link in parsed.links:
            assert link.from_id in ids and link.to_id in ids
        assert from_entry(parsed.entry()).entry() == parsed.entry()


@pytest.mark.parametrize("schema", [NEWS, OTHER], ids=["news", "other"])
def test_schema_survives_its_stored_json(schema: Schema) -> None:
    import json

    again = parse_schema(json.dumps(schema.to_dict()))
    assert again.to_dict() == schema.to_dict() and again.version == schema.version


# -- Label Studio text quirks seen in real exports ----------------------------------------------

# The standard NER template (Label Studio's "Named Entity Recognition"), as teams use it.
NER = import_config(
    """<View>
  <Labels name="label" toName="text">
    <Label value="PER"/><Label value="ORG"/><Label value="LOC"/><Label value="MISC"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>""",
    schema_id="ner",
    title="ner",
).schema


def ner(text: str, start: int, end: int, stored: str, label: str = "LOC") -> Any:
    value = {"start": start, "end": end, "text": stored, "labels": [label]}
    return [{"id": "r1", "from_name": "label", "to_name": "text", "type": "labels", "value": value}]


def test_whitespace_collapsed_inside_the_stored_text_keeps_the_offsets() -> None:
    # Shaped like HumanSignal/label-studio#3078 and #5338: the editor stores a selection over
    # "Berlin,  Germany" (two spaces) as "Berlin, Germany"; its offsets are the text's own.
    text = "Text: Berlin,  Germany."
    parsed = parse(NER, text, ner(text, 6, 22, "Berlin, Germany"))
    assert parsed.valid, parsed.problems
    assert (parsed.regions[0].start, parsed.regions[0].end) == (6, 22)
    assert "whitespace collapsed" in parsed.repairs[0] and "text[6:22]" in parsed.repairs[0]
    # whitespace around it too (a line break in the text, a space in value.text): trimmed
    text = "Seen in\nNew   York  today"
    parsed = parse(NER, text, ner(text, 7, 20, "New York"))
    assert parsed.valid and text[parsed.regions[0].start : parsed.regions[0].end] == "New   York"
    # other characters differing is still no match
    parsed = parse(
        NER, "Text: Berlin,  Germany.", ner("Text: Berlin,  Germany.", 6, 22, "Berlin Germany")
    )
    assert not parsed.valid


def test_a_selection_snapped_to_whole_words_keeps_its_offsets() -> None:
    # Shaped like HumanSignal/label-studio#1931 (granularity="word"): the offsets cover the
    # whole words "simple text", value.text holds the characters the mouse went over.
    text = "Some simple text with explanations"
    parsed = parse(NER, text, ner(text, 5, 16, "ple tex", "ORG"))
    assert parsed.valid, parsed.problems
    assert text[parsed.regions[0].start : parsed.regions[0].end] == "simple text"
    assert "whole words" in parsed.repairs[0], parsed.repairs
    # a stored text that is a whole word inside the offsets is not a snap: the offsets move
    parsed = parse(NER, text, ner(text, 5, 16, "text", "ORG"))
    assert text[parsed.regions[0].start : parsed.regions[0].end] == "text"


def test_a_line_break_after_the_span_written_into_its_stored_text_keeps_the_offsets() -> None:
    # Shaped like a real dialogue export (one utterance a line): the editor stored the line
    # break that follows the selection in value.text, as a literal backslash-n.
    text = "AT: contact praha one two seven one two five\nPI: descending"
    s = text.index("one two seven")
    e = text.index("\n")
    parsed = parse(NER, text, ner(text, s, e, text[s:e] + "\\n", "MISC"))
    assert parsed.valid, parsed.problems
    assert (parsed.regions[0].start, parsed.regions[0].end) == (s, e)
    assert parsed.repairs
    # a text that really holds a backslash-n is matched as it is
    code = r"print('a\n')"
    parsed = parse(NER, code, ner(code, 6, 11, r"'a\n'", "MISC"))
    assert parsed.valid and not parsed.repairs


def test_a_region_whose_label_was_unselected_is_left_out_with_its_relations() -> None:
    # label-studio#1601: the editor keeps a region whose label was unselected and exports it
    # without `labels` (or with an empty list); the rest of the annotation is sound
    s, e = at("Foreign Minister Shah Mahmood Qureshi")
    c, d = at("said")
    bare = region("x", "Cue", c, d)
    del bare["value"]["labels"]
    empty = region("y", "Cue", c, d)
    empty["value"]["labels"] = []
    link = {"from_id": "x", "to_id": "src", "type": "relation", "direction": "right"}
    for unlabelled in (bare, empty):
        link["from_id"] = unlabelled["id"]
        parsed = parse(NEWS, TEXT, [*source(s, e), unlabelled, link, sentiment()])
        assert parsed.valid and [r.id for r in parsed.regions] == ["src"] and not parsed.links
        assert parsed.repairs == (
            f"result[2] (id {unlabelled['id']!r}): a region without a label left out, with its"
            " relations and answers",
        )
    # a label that is there but unknown is still a problem
    parsed = parse(NEWS, TEXT, [*source(s, e), region("z", "Quote", c, d), sentiment()])
    assert not parsed.valid and "unknown label 'Quote'" in parsed.problems[0]
