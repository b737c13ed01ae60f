"""The synthetic golden store: three articles, four annotators who disagree, relations,
several-choice and taxonomy answers, an adjudication, and the pull's quarantine, repairs,
cancellations and revisions (built with the helpers of `stores`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.export.stores import (
    ROOT,
    Ann,
    add_articles,
    adjudicate,
    choice,
    find,
    load_annotations,
    region,
    rel,
    segment_texts,
    taxonomy,
)
from workbench.schema import Schema, parse_schema
from workbench.store import Store


def team_schema() -> Schema:
    """news-v1 plus task-level questions of the other kinds: several choices, a taxonomy."""
    text = (ROOT / "schemas" / "news-v1.yaml").read_text(encoding="utf-8")
    text = text.replace("id: news-v1", "id: news-team", 1).replace("guidelines: news-v1.md\n", "")
    text += """
  - name: topics
    description: What the segment is about.
    multiple: true
    choices:
      - {value: politics, hotkey: q}
      - {value: economy, hotkey: r}
      - {value: security, hotkey: s}
  - name: category
    kind: taxonomy
    description: Where the segment belongs.
    choices:
      - {value: News, hotkey: y, children: [{value: Local, hotkey: g}, {value: World, hotkey: h}]}
      - {value: Opinion, hotkey: j}
"""
    return parse_schema(text)


ARTICLES = {
    "a1.txt": (
        "Khan to visit Moscow\n\nBy A. Writer\n\n"
        "According to Foreign Minister Shah Mahmood Qureshi, the visit will be an important "
        "milestone in bilateral relations.\n\n"
        "Analysts said the trip could strain ties with Washington.\n\n"
        "Markets were calm on Monday."
    ),
    "a2.txt": (
        "Ministry denies report\n\n"
        "The ministry denied the report on Tuesday, a spokesperson told reporters.\n\n"
        "“We have no such plans,” the spokesperson said."
    ),
    "a3.txt": (
        "Talks in Moscow\n\n"
        "Officials in Moscow called the talks constructive and promised more meetings.\n\n"
        "Critics said the talks achieved nothing."
    ),
}


def build_synthetic_store(store: Store, folder: Path) -> Schema:
    """Three articles, four annotators (user ids 11-14) who disagree on spans, attributes,
    relations, sentiment, topics and category; one segment adjudicated; one annotation
    quarantined (an offset past the text), one repaired (value.text with a trailing space and
    a relation drawn leftwards), one cancelled, one revised by a second pull."""
    schema = team_schema()
    add_articles(store, folder, ARTICLES)
    t = segment_texts(store)
    s1 = find(store, "According to")
    s2 = find(store, "Analysts said")
    s3 = find(store, "The ministry denied")
    s4 = find(store, "“We have no such plans")
    s5 = find(store, "Officials in Moscow")
    s6 = find(store, "Critics said")

    def full1(claim: str, src: str = "Foreign Minister Shah Mahmood Qureshi") -> list[Any]:
        x = t[s1]
        return [
            *region(x, "c", "Cue", "According to"),
            *region(x, "s", "Source", src, source_type="official"),
            *region(
                x,
                "q",
                "Content",
                "the visit will be an important milestone in bilateral relations",
                quote_type="indirect",
            ),
            *region(
                x,
                "k",
                "Claim",
                "the visit will be an important milestone",
                claim_type=claim,
                checkworthy="no",
            ),
            rel("q", "attributed_to", "s"),
            rel("c", "cue_of", "q"),
            choice("sentiment", "positive"),
            choice("topics", "politics"),
            taxonomy("News", "World"),
        ]

    x2, x3, x4, x5, x6 = t[s2], t[s3], t[s4], t[s5], t[s6]
    anns = [
        Ann(s1, 11, full1("prediction")),
        Ann(s1, 12, full1("prediction", "Shah Mahmood Qureshi")),
        Ann(
            s1,
            13,
            [
                *full1("opinion")[:-3],
                choice("sentiment", "neutral"),
                choice("topics", "politics", "security"),
                taxonomy("News"),
            ],
        ),
        Ann(
            s2,
            11,
            [
                *region(x2, "s", "Source", "Analysts", source_type="analyst"),
                *region(x2, "c", "Cue", "said"),
                *region(
                    x2,
                    "q",
                    "Content",
                    "the trip could strain ties with Washington",
                    quote_type="indirect",
                ),
                rel("q", "attributed_to", "s"),
                rel("c", "cue_of", "q"),
                choice("sentiment", "negative"),
                choice("topics", "politics", "economy"),
                taxonomy("News", "World"),
            ],
        ),
        # repaired: value.text runs past the offsets; the relation is drawn leftwards
        Ann(
            s2,
            12,
            [
                *region(x2, "s", "Source", "Analysts", trail=" ", source_type="unnamed"),
                *region(
                    x2,
                    "q",
                    "Content",
                    "the trip could strain ties with Washington",
                    quote_type="indirect",
                ),
                rel("s", "attributed_to", "q", "left"),
                choice("sentiment", "negative"),
                choice("topics", "politics"),
                taxonomy("News", "World"),
            ],
        ),
        Ann(
            s2,
            14,
            [
                *region(x2, "s", "Source", "Analysts", source_type="analyst"),
                choice("sentiment", "mixed"),
                choice("topics", "economy"),
                taxonomy("Opinion"),
            ],
        ),
        Ann(
            s3,
            11,
            [
                *region(x3, "s", "Source", "The ministry", source_type="official"),
                *region(x3, "c", "Cue", "denied"),
                choice("sentiment", "negative"),
                taxonomy("News", "Local"),
            ],
        ),
        Ann(
            s3,
            13,
            [
                *region(x3, "s", "Source", "a spokesperson", source_type="official"),
                *region(x3, "c", "Cue", "told"),
                choice("sentiment", "neutral"),
                taxonomy("News", "Local"),
            ],
        ),
        # quarantined: a span past the end of the text
        Ann(
            s3,
            14,
            [
                {
                    "id": "x",
                    "from_name": "label",
                    "to_name": "text",
                    "type": "labels",
                    "value": {"start": 4, "end": 4000, "labels": ["Cue"]},
                },
                choice("sentiment", "negative"),
            ],
        ),
        Ann(
            s4,
            12,
            [
                *region(x4, "q", "Content", "We have no such plans", quote_type="direct"),
                *region(x4, "s", "Source", "the spokesperson", source_type="official"),
                *region(x4, "c", "Cue", "said"),
                rel("q", "attributed_to", "s"),
                rel("c", "cue_of", "q"),
                choice("sentiment", "negative"),
            ],
        ),
        Ann(
            s4,
            13,
            [
                *region(x4, "q", "Content", "We have no such plans", quote_type="direct"),
                *region(x4, "s", "Source", "the spokesperson", source_type="official"),
                rel("q", "attributed_to", "s"),
                choice("sentiment", "positive"),
            ],
        ),
        Ann(
            s5,
            11,
            [
                *region(x5, "s", "Source", "Officials in Moscow", source_type="official"),
                *region(x5, "t", "Target", "Moscow", sentiment="positive"),
                choice("sentiment", "positive"),
                choice("topics", "politics"),
                taxonomy("News", "World"),
            ],
        ),
        Ann(
            s5,
            12,
            [
                *region(x5, "s", "Source", "Officials in Moscow", source_type="official"),
                choice("sentiment", "positive"),
                choice("topics", "politics"),
                taxonomy("News", "World"),
            ],
        ),
        Ann(s5, 14, [choice("sentiment", "positive")], was_cancelled=True),
        Ann(
            s6,
            13,
            [
                *region(x6, "s", "Source", "Critics", source_type="other"),
                *region(x6, "c", "Cue", "said"),
                choice("sentiment", "negative"),
                taxonomy("Opinion"),
            ],
        ),
        Ann(
            s6,
            14,
            [
                *region(x6, "s", "Source", "Critics", source_type="unnamed"),
                choice("sentiment", "mixed"),
                taxonomy("Opinion"),
            ],
        ),
    ]
    for n, a in enumerate(anns):
        a.id, a.lead_time = 100 + n, 5.0 + n
    load_annotations(store, folder, "team", schema, anns, "team-export-1.json")
    # A second export: annotator 14 revised their answer on s6 (a new revision of the same id).
    revised = next(a for a in anns if a.segment == s6 and a.user == 14)
    revised.result = [*revised.result[:-2], choice("sentiment", "negative"), taxonomy("Opinion")]
    revised.lead_time, revised.edited = 30.0, 2
    load_annotations(store, folder, "team", schema, anns, "team-export-2.json")
    # The split sentiment of s4 (one negative, one positive) goes to an adjudicator.
    adjudicate(store, "team", s4, [choice("sentiment", "negative")], user=13)
    return schema


def extend_synthetic_store(store: Store, folder: Path, schema: Schema) -> None:
    """A later state of the synthetic store: a new article, annotated by two annotators who
    agree, and annotator 12 changing their mind on s5's sentiment (a changed label)."""
    add_articles(
        store,
        folder,
        {"a4.txt": "Pipeline deal signed\n\nThe energy minister said the deal was signed."},
    )
    s7 = find(store, "The energy minister")
    x7 = segment_texts(store)[s7]
    spans = [
        *region(x7, "s", "Source", "The energy minister", source_type="official"),
        *region(x7, "c", "Cue", "said"),
        *region(x7, "q", "Content", "the deal was signed", quote_type="indirect"),
        rel("q", "attributed_to", "s"),
        rel("c", "cue_of", "q"),
        choice("sentiment", "neutral"),
        choice("topics", "economy"),
        taxonomy("News", "World"),
    ]
    s5 = find(store, "Officials in Moscow")
    x5 = segment_texts(store)[s5]
    anns = [
        Ann(s7, 11, spans, id=300),
        Ann(s7, 12, spans, id=301),
        Ann(
            s5,
            12,
            [
                *region(x5, "s", "Source", "Officials in Moscow", source_type="official"),
                choice("sentiment", "neutral"),
                choice("topics", "politics"),
                taxonomy("News", "World"),
            ],
            id=112,
            lead_time=17.0,
            edited=3,
        ),
        Ann(s5, 13, [choice("sentiment", "neutral")], id=302),
    ]
    load_annotations(store, folder, "team", schema, anns, "team-export-3.json")
