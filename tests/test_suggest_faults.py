"""Faults seen on an unseen wire article (workbench-rules-7), each on sentences written for the
test: the addressee kept out of the Content, a number's comma kept inside the Source, and no
``official`` guessed for ordinary people."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_suggest import _triples
from workbench.cli import cli
from workbench.suggest import suggest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a common-noun addressee between the cue and its clause
            "Amina Yusuf told the news agency her daughter had been taken from the school.",
            {("Amina Yusuf", "told", "her daughter had been taken from the school")},
        ),
        (  # a named outlet with its common noun
            "Amina Yusuf told the Anadolu news agency her daughter had been taken.",
            {("Amina Yusuf", "told", "her daughter had been taken")},
        ),
        (  # a named addressee alone, as before
            "The farmer told Reuters the harvest had failed.",
            {("The farmer", "told", "the harvest had failed")},
        ),
    ],
)
def test_addressee_is_not_content(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _triples(text) == expected


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "More than 1,000 Nigerian citizens said they had not been paid.",
            "More than 1,000 Nigerian citizens",
        ),
        ("Some 2,500 residents said the water had run out.", "Some 2,500 residents"),
        ("Fewer than 300 workers said the plant was unsafe.", "Fewer than 300 workers"),
    ],
)
def test_number_with_comma_stays_in_source(text: str, source: str) -> None:
    assert [s.text for s in suggest(text).by_label("Source")] == [source]


def _types(text: str) -> list[tuple[str, str | None]]:
    return [(s.text, s.attrs.get("source_type")) for s in suggest(text).by_label("Source")]


def test_source_type_only_on_evidence() -> None:
    citizens = _types("More than 1,000 Nigerian citizens said they had not been paid.")
    assert citizens == [("More than 1,000 Nigerian citizens", "other")]
    mother = _types("Fatima Bello, a mother of three, said the water had run out.")
    assert mother == [("Fatima Bello", "other")]
    # a bare name: nothing says what kind of speaker this is, so no type is guessed
    assert _types("Amina Yusuf said the water had run out.") == [("Amina Yusuf", None)]
    assert _types("He said the water had run out.") == [("He", None)]
    # the evidence that is there is still used
    minister = _types("Finance Minister Ngozi Okonjo said the budget was ready.")
    assert minister == [("Finance Minister Ngozi Okonjo", "official")]
    poll = _types("The poll shows that most voters want change.")
    assert poll == [("The poll", "other")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # an attitude with a clause
            "The pollster is skeptical the governor can win back suburban voters.",
            {("The pollster", "is skeptical", "the governor can win back suburban voters")},
        ),
        (  # … with "that"
            "Her aides were adamant that she has no plans to run.",
            {("Her aides", "were adamant", "she has no plans to run")},
        ),
        (  # … with a preposition and a noun phrase
            "Senator Hale was also critical of the trade deal.",
            {("Senator Hale", "was also critical of", "the trade deal")},
        ),
        (  # "went after" is a stance
            "The mayor went after the governor over the budget cuts.",
            {("The mayor", "went after", "the governor over the budget cuts")},
        ),
        (  # "took a swipe at" is a stance too
            "The governor has taken a swipe at the senator's tax plan.",
            {("The governor", "has taken a swipe at", "the senator's tax plan")},
        ),
        (  # "agreed with X that": the clause after "that"
            "Most voters agreed with the senator that taxes were too high.",
            {("Most voters", "agreed", "taxes were too high")},
        ),
        (  # "admires X as Y" is a stance (PolNeAR dev)
            "The senator openly admires the governor as a careful manager.",
            {("The senator", "admires", "the governor as a careful manager")},
        ),
        (  # "mentioned" names what was said
            "The minister mentioned the new pipeline twice.",
            {("The minister", "mentioned", "the new pipeline twice")},
        ),
    ],
)
def test_words_added_from_polnear_train(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _triples(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Less than a third agreed, while 13 percent were unsure.",  # no content
        "The agency agreed to further expand the program.",  # an agreement, not a stance
        "The union was uncertain.",
    ],
)
def test_added_words_without_content_propose_nothing(text: str) -> None:
    assert [s for s in suggest(text).spans if s.label != "Target"] == []


def test_readable_output_says_when_the_type_is_left_unset(tmp_path: Path) -> None:
    text = tmp_path / "article.txt"
    text.write_text("Amina Yusuf said the water had run out in the camp.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["suggest", str(text)])
    assert result.exit_code == 0, result.output
    assert "Amina Yusuf (type unset) · said" in result.output
