"""The rules added in workbench-rules-9, each on sentences written for the test (not from any
evaluation set): (source, cue, content) of every Content, and what must not be suggested."""

from __future__ import annotations

import pytest

from tests.test_suggest import _triples
from workbench.suggest import suggest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a question closes the quotation: the speaker clause after it is still its cue
            "“How long must families wait?” Mayor Ortiz said. “The money is there.”",
            {
                ("Mayor Ortiz", "said", "How long must families wait?"),
                ("Mayor Ortiz", None, "The money is there."),  # the paragraph's speaker
            },
        ),
        (  # the party tag is no part of the Source
            "“We have the votes,” Sen. Dana Whitfield (D-Ore.) said in a statement.",
            {("Sen. Dana Whitfield", "said", "We have the votes,")},
        ),
        (  # a progressive is a finite verb, and "warn" takes an addressee before its clause
            "Union leaders are warning members that the strike could last a month.",
            {("Union leaders", "are warning", "the strike could last a month")},
        ),
        (  # "warned that …": the whole clause, its "because" included
            "The agency has warned that lines will be longer because of staff cuts.",
            {("The agency", "has warned", "lines will be longer because of staff cuts")},
        ),
        (  # "says of X, “Q”": the topic stands between the cue and the quotation
            "The retired judge says of the reform, “It will clog every court in the state.”",
            {("The retired judge", "says", "It will clog every court in the state.")},
        ),
        (  # an attitude's subject leaves out "had been"; its content leaves out "of"
            "Ms. Alvarez had been skeptical of mergers that have failed before.",
            {("Ms. Alvarez", "skeptical", "mergers that have failed before")},
        ),
        (  # inflections the lexicon lacked
            "The council is demanding that the company repair the bridge.",
            {("The council", "is demanding", "the company repair the bridge")},
        ),
        (
            "She notes that the survey was taken before the storm.",
            {("She", "notes", "the survey was taken before the storm")},
        ),
        (  # CMS copy that opens with a curly mark and closes with a straight one
            '“Audits should not be optional," Rep. Mara Quinn said, adding that the rules were '
            'applied "like a lottery."',
            {
                ("Rep. Mara Quinn", "said", "Audits should not be optional,"),
                ("Rep. Mara Quinn", "adding", 'the rules were applied "like a lottery."'),
            },
        ),
        (  # a name and appositions between the quotation and its cue: the name is the Source
            "“The fees are a tax by another name,” Ellen Park, the treasurer of Dane County, one "
            "of the towns suing the state, said at a forum this week.",
            {("Ellen Park", "said", "The fees are a tax by another name,")},
        ),
        (  # where a stance was voiced is no part of its Content
            "The governor attacked the ruling in a series of late-night tweets.",
            {("The governor", "attacked", "the ruling")},
        ),
        (  # "say it underscores …": a clause in the present tense opened by "it"
            "Analysts say it underscores the bank's appetite for risk.",
            {("Analysts", "say", "it underscores the bank's appetite for risk")},
        ),
        (  # "told X on Thursday how …": the addressee and the time stand before the clause
            "Coach Ray Dunn told Sports Radio host Al Kerr on Thursday how surprised he was.",
            {("Coach Ray Dunn", "told", "how surprised he was")},
        ),
        (  # a contracted auxiliary belongs to the cue, and its pronoun is the Source
            "He’s claiming that the count was rigged.",
            {("He", "’s claiming", "the count was rigged")},
        ),
        (  # "…, and some speculated": a coordinated clause, not "C, X said"
            "Ruiz noted that the mayor looked tired, and some speculated about her health.",
            {("Ruiz", "noted", "the mayor looked tired")},
        ),
        (  # a stance's progressive: what it is about
            "The ministry is defending its decision to close the border.",
            {("The ministry", "is defending", "its decision to close the border")},
        ),
    ],
)
def test_rules_9_patterns(text: str, expected: set[tuple[str | None, str | None, str]]) -> None:
    assert _triples(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Defending its record, the ministry published the figures.",  # a circumstance
        "Critics mocked by the campaign stayed silent.",  # a passive participle, no cue
        "He sat for an interview on Mr. Lane's show, “Tonight.”",  # a possessive's noun
        # an infinitive is no speaker clause: "…, would need a majority to confirm"
        "The stakes are high: the winner, if elected, would need a majority to confirm judges.",
    ],
)
def test_rules_9_non_attributions(text: str) -> None:
    assert [s.text for s in suggest(text).by_label("Cue")] == []


def test_a_place_after_to_is_no_infinitive() -> None:
    """ "telling reporters during a visit to Scotland … that …": "to Scotland" is a place."""
    text = "The mayor praised the plan, telling reporters on a visit to Leeds that it would work."
    assert ("The mayor", "telling", "it would work") in _triples(text)


def test_a_warning_to_act_is_no_that_clause() -> None:
    """ "warned X to V further steps that …": the relative clause is not what was warned."""
    text = "The envoy warned the rebels to halt further attacks that would end the truce."
    assert "would end the truce" not in [s.text for s in suggest(text).by_label("Content")]
