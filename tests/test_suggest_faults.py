"""Faults seen on an unseen wire article (workbench-rules-7), each on sentences written for the
test: the addressee kept out of the Content, a number's comma kept inside the Source, and no
``official`` guessed for ordinary people."""

from __future__ import annotations

import pytest

from tests.test_suggest import _triples
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
