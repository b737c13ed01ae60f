"""What annotators read about their problems (`workbench.feedback.plain`): every message the
annotation model writes for an annotator's mistake, produced by the real parser, becomes a
sentence in the view's words that says what to do — no `result[…]`, ids or offsets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbench.annotation.parse import parse
from workbench.feedback import plain
from workbench.schema import load_schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = load_schema(ROOT / "schemas" / "news-v1.yaml")
TEXT = "The minister said the plan will work."
LINKS = "link a Cue to its Content, or a Content to its Source"


def span(rid: str, label: str, start: int, end: int, text: str = TEXT) -> dict[str, Any]:
    value = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


SENTIMENT = {
    "from_name": "sentiment",
    "to_name": "text",
    "type": "choices",
    "value": {"choices": ["neutral"]},
}
SOURCE_TYPE = {
    "id": "s",
    "from_name": "source_type",
    "to_name": "text",
    "type": "choices",
    "value": {"start": 0, "end": 12, "text": TEXT[0:12], "choices": ["official"]},
}


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (
            [span("s", "Source", 0, 12), SENTIMENT],
            "A Source you marked has no answer to “Source type”: click the Source and answer it.",
        ),
        ([span("q", "Cue", 13, 17)], "“Segment sentiment” is not answered: answer it."),
        (
            [span("q", "Cue", 60, 64), SENTIMENT],
            "A region no longer fits the text (it may have changed since you opened the task):"
            " delete the region and mark it again.",
        ),
        (
            [{**SENTIMENT, "value": {"choices": ["furious"]}}],
            "“furious” is not an answer to “Sentiment”: choose one of negative, neutral,"
            " positive, mixed.",
        ),
        (
            [
                span("s", "Source", 0, 12),
                SOURCE_TYPE,
                span("q", "Cue", 13, 17),
                {"type": "relation", "from_id": "s", "to_id": "q", "direction": "right"},
                SENTIMENT,
            ],
            f"Your link from a Source to a Cue fits no relation type, so it was left out: {LINKS}.",
        ),
        (
            [
                span("q", "Cue", 13, 17),
                {"type": "relation", "from_id": "q", "to_id": "gone", "direction": "right"},
                SENTIMENT,
            ],
            "A link does not join two regions (one end is missing): delete the link.",
        ),
    ],
)
def test_each_problem_reads_as_something_to_do(result: list[Any], expected: str) -> None:
    parsed = parse(SCHEMA, TEXT, result)
    found = [*parsed.problems, *parsed.warnings]
    assert found, parsed
    worded = [plain(p, LINKS) for p in found]
    assert expected in worded, (found, worded)
    assert not any("result[" in w or "'" in w.replace("’", "") for w in worded), worded


def test_an_unknown_problem_still_says_what_to_do() -> None:
    said = plain("result must be a list, got str")
    assert said.startswith("Part of this annotation could not be read: open the task")
