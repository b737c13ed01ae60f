"""Agreement on answers that are not one category: several choices, taxonomy levels, ratings
and numbers (`workbench.reconcile.answers`)."""

from __future__ import annotations

import math

from workbench.reconcile.answers import answer_agreement
from workbench.reconcile.extract import parse_entries
from workbench.schema import parse_schema

SCHEMA = parse_schema(
    """
id: team
title: answers
view: {names: free, hotkeys: optional, layout: plain}
labels: []
segment:
  - {name: topics, multiple: true, choices: [{value: a}, {value: b}, {value: c}]}
  - name: category
    kind: taxonomy
    choices:
      - {value: News, children: [{value: Local}, {value: World}]}
      - {value: Opinion}
  - {name: quality, kind: rating, max_value: 5}
  - {name: count, kind: number}
"""
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers ×
# 12 units, values 1..5. Published: ordinal 0.815, interval 0.849.
K2011 = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}


def figures(answers: list[tuple[str, str, dict[str, object]]]) -> dict[tuple[str, str], float]:
    parsed = parse_entries(
        SCHEMA, *zip(*((i, a, {"labels": v}) for i, a, v in answers), strict=True)
    )
    return {
        (f.field, f.measure): f.metric.value for f in answer_agreement(SCHEMA, parsed, n_boot=0)
    }


def test_ratings_and_numbers_get_the_published_interval_and_ordinal_alpha() -> None:
    answers = [
        (f"u{u}", coder, {"quality": int(v), "count": float(v) * 10})
        for coder, row in K2011.items()
        for u, v in enumerate(row.split())
        if v != "."
    ]
    got = figures(answers)
    assert round(got[("quality", "alpha_interval")], 3) == 0.849
    assert round(got[("quality", "alpha_ordinal")], 3) == 0.815
    # interval alpha does not change when every value is scaled
    assert round(got[("count", "alpha_interval")], 3) == 0.849


def test_several_choices_per_label_alpha_and_jaccard() -> None:
    answers = [
        ("i1", "x", {"topics": ["a", "b"]}),
        ("i1", "y", {"topics": ["a"]}),
        ("i2", "x", {"topics": ["c"]}),
        ("i2", "y", {"topics": ["c"]}),
    ]
    got = figures(answers)
    # Jaccard: i1 {a,b} vs {a} = 1/2, i2 = 1 → mean 0.75
    assert got[("topics", "jaccard")] == 0.75
    # "a": both chose it on i1, neither on i2 → perfect; "b": one of two on i1 only
    assert got[("topics", "alpha[a]")] == 1.0
    assert got[("topics", "alpha[b]")] < 0.5
    # the binary alpha of "b" is nominal alpha of yes/no: units (yes,no) and (no,no):
    # D_o = 2·1·1/(4·1) ... computed by hand: o(yes,no)=2 over n=4 → D_o = 0.5; n_yes=1,
    # n_no=3 → D_e = 2·1·3/(4·3) = 0.5 → alpha = 0
    assert math.isclose(got[("topics", "alpha[b]")], 0.0, abs_tol=1e-12)


def test_taxonomy_agreement_per_level() -> None:
    answers = [
        ("i1", "x", {"category": "News/Local"}),
        ("i1", "y", {"category": "News/World"}),
        ("i2", "x", {"category": "Opinion"}),
        ("i2", "y", {"category": "Opinion"}),
    ]
    got = figures(answers)
    assert got[("category", "alpha[level 1]")] == 1.0  # News / News, Opinion / Opinion
    assert got[("category", "alpha[level 2]")] < got[("category", "alpha[level 1]")]
