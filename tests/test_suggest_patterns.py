"""The rules added in workbench-rules-6, each on sentences written for the test (not from any
evaluation set): (source, cue, content) of every Content, and what must not be suggested."""

from __future__ import annotations

import pytest

from tests.test_suggest import _triples
from workbench.suggest import suggest


def _labels(text: str, label: str) -> list[str]:
    return [s.text for s in suggest(text).by_label(label)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # an adverb between auxiliary and verb belongs to the cue
            "The senator has repeatedly warned that the bill would fail.",
            {("The senator", "has repeatedly warned", "the bill would fail")},
        ),
        (  # so does a negation
            "The mayor could not explain why the budget had doubled.",
            {("The mayor", "could not explain", "why the budget had doubled")},
        ),
        (  # initials do not end the sentence: the speaker keeps his name
            "“We will vote no,” said Rep. J.D. Hollis (R-Ariz.), the panel's chairman.",
            {("Rep. J.D. Hollis", "said", "We will vote no,")},
        ),
        (  # "wondered whether": a question reported, like "asked whether"
            "The governor has wondered aloud whether the plan can pass the Senate.",
            {("The governor", "has wondered", "whether the plan can pass the Senate")},
        ),
        (  # a time after the cue and then a new clause: the Content comes before the cue
            "The tax cuts will pay for themselves, administration officials said Friday "
            "afternoon, as the bill moved to the Senate.",
            {("administration officials", "said", "The tax cuts will pay for themselves")},
        ),
        (  # the addressee and a time stand between the cue and its clause
            "The minister told lawmakers this weekend he would not resign.",
            {("The minister", "told", "he would not resign")},
        ),
        (  # a dateline is no part of the Content
            "BOSTON ― The new contract is a mistake, union leaders said on Tuesday.",
            {("union leaders", "said", "The new contract is a mistake")},
        ),
        (  # a participle opens the sentence: the subject after the comma is its Source
            "Citing rising costs, the city council delayed the vote.",
            {("the city council", "Citing", "rising costs")},
        ),
        (
            "Insisting that the deal was fair, Smith told reporters he would not resign.",
            {
                ("Smith", "Insisting", "the deal was fair"),
                ("Smith", "told", "he would not resign"),
            },
        ),
        (  # "Adding, “Q”": the last named speaker's words
            "Mayor Lin said the plan had worked. Adding, “We will not stop here.”",
            {
                ("Mayor Lin", "said", "the plan had worked"),
                ("Mayor Lin", "Adding", "We will not stop here."),
            },
        ),
        (  # a quotation inside one Content is not the next cue's
            "Protesters said they wanted “a fair hearing,” but promised to stay calm.",
            {
                ("Protesters", "said", "they wanted “a fair hearing,”"),
                ("Protesters", "promised", "to stay calm"),
            },
        ),
        (  # "what X described as Y: …": the object went ahead; the colon ends it
            "The plan relies on what critics described as a reckless gamble: cutting taxes.",
            {("critics", "described", "a reckless gamble")},
        ),
        (  # a stance's named object may be one word
            "The Teamsters union endorsed Hernandez.",
            {("The Teamsters union", "endorsed", "Hernandez")},
        ),
        (  # a document is a Source; a noun phrase after noted/denied is the Content
            "The report also noted the sharp decline in exports.",
            {("The report", "noted", "the sharp decline in exports")},
        ),
        (
            "The ministry has denied any wrongdoing.",
            {("The ministry", "has denied", "any wrongdoing")},
        ),
        (  # told the people who …, “Q”
            "She told the volunteers who had gathered in the gym, “We can win this race.”",
            {("She", "told", "We can win this race.")},
        ),
        (  # "stated of X that …": the topic stands between cue and clause
            "The judge stated of the evidence that it was not enough to convict.",
            {("The judge", "stated", "it was not enough to convict")},
        ),
        (  # a poll "released Monday" shows; a named subject with a who-clause
            "A survey released Monday showed the governor leading by six points.",
            {("A survey released", "showed", "the governor leading by six points")},
        ),
        (
            "Lopez, who was speaking at a fundraiser, did not name her rival but told donors "
            "that the race was tight.",
            {("Lopez", "told", "the race was tight")},
        ),
        (  # "point to" is a stance phrase
            "Supporters point to the falling crime rate.",
            {("Supporters", "point to", "the falling crime rate")},
        ),
        (  # a noun right before the cue heads its subject; "hit" is a verb
            "Waiting times hit a record last year, a review of hospital records shows.",
            {
                (
                    "a review of hospital records",
                    "shows",
                    "Waiting times hit a record last year",
                )
            },
        ),
        (  # a circumstance between speaker and cue is no part of the Source
            "Perez in a radio interview said the deal was dead.",
            {("Perez", "said", "the deal was dead")},
        ),
        (  # a headline "Name: claim" (a colon is no Cue)
            "Garcia: Tax Plan Will Create Jobs.",
            {("Garcia", None, "Tax Plan Will Create Jobs")},
        ),
        (  # a paragraph that is only a quotation continues the previous speaker
            "“We will keep fighting for these families.”",
            {(None, None, "We will keep fighting for these families.")},
        ),
        (  # a clause in the present tense after "say": a noun phrase, a verb in -s, its object
            "Analysts say the company's new chief faces a difficult year.",
            {("Analysts", "say", "the company's new chief faces a difficult year")},
        ),
        (  # "said X is that …": not a that-clause of the cue
            "Ruiz said Monday his main concern is that costs will rise.",
            {("Ruiz", "said", "his main concern is that costs will rise")},
        ),
    ],
)
def test_rules_6_patterns(text: str, expected: set[tuple[str | None, str | None, str]]) -> None:
    assert _triples(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Adding to the confusion, the agency said nothing more.",  # no clause after "Adding"
        "If the court rejected the appeal, the company would close.",  # a supposition
        "Rising rents could point to a shortage of homes.",  # could/might/may: no stance
        "The group launched an effort to deny the company a permit.",  # a purpose
        "Aides released an outline of the plan and a timetable.",  # "outline of": a noun
        "Exclusive: Inside the Final Week of the Campaign.",  # a kicker, not a speaker
        "Stealth Over Health: The Clinic Was Closed All Week.",  # nor a phrase with "over"
    ],
)
def test_rules_6_non_attributions(text: str) -> None:
    assert _labels(text, "Cue") == [] and _labels(text, "Content") == []


def test_a_verb_phrase_is_no_document_source() -> None:
    text = "Mr. Reyes issued a statement Tuesday saying, “I regret nothing.”"
    assert "issued a statement" not in _labels(text, "Source")
