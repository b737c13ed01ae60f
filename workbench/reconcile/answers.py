"""Agreement on the answers that are not one category (pure): several choices, taxonomy paths,
ratings and numbers. Free text and dates are stored and exported, not measured.

* **Several choices** (``Choices choice="multiple"``, a multiple Taxonomy): per label,
  Krippendorff's α of the binary "chose it or not" (nominal), and the mean pairwise Jaccard
  index of the annotators' sets (1 = the same set; two empty sets count as the same).
* **Taxonomy** (one path): α per level: the paths cut to their first k parts (level 1 is the
  top category), nominal.
* **Rating, Number**: interval α (and ordinal α for a rating: its steps are ordered).

Each figure comes with the percentile bootstrap interval over items that the other α's use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from workbench.schema import Attribute, Schema

from ._bootstrap import DEFAULT_N_BOOT
from .categorical import krippendorff_alpha
from .records import CategoricalData, Label, Metric


@dataclass(frozen=True)
class AnswerAgreement:
    """One figure of one question: `measure` names what (``alpha[Politics]``,
    ``alpha[level 2]``, ``jaccard``, ``alpha_interval``)."""

    field: str
    kind: str
    measure: str
    metric: Metric


def answer_agreement(
    schema: Schema,
    answers: Iterable[tuple[str, str, Mapping[str, Any]]],
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
) -> list[AnswerAgreement]:
    """Figures of the segment questions that are not one category, from (item, annotator,
    segment answers as the annotation model stores them)."""
    questions = [a for a in schema.segment if _measured(a)]
    if not questions:
        return []
    given: dict[str, dict[tuple[str, str], Any]] = defaultdict(dict)
    for item, annotator, values in answers:
        for attr in questions:
            if attr.name in values:
                given[attr.name][(item, annotator)] = values[attr.name]
    out: list[AnswerAgreement] = []
    for attr in questions:
        votes = given.get(attr.name)
        if not votes:
            continue
        if attr.multiple:
            out.extend(_several(attr, votes, n_boot, seed))
        elif attr.kind == "taxonomy":
            out.extend(_levels(attr, votes, n_boot, seed))
        else:
            out.extend(_numbers(attr, votes, n_boot, seed))
    return out


def _measured(attr: Attribute) -> bool:
    return attr.multiple or attr.kind in ("taxonomy", "rating", "number")


def _several(
    attr: Attribute, votes: Mapping[tuple[str, str], Any], n_boot: int, seed: int
) -> list[AnswerAgreement]:
    sets = {key: frozenset(v if isinstance(v, list) else [v]) for key, v in votes.items()}
    out = []
    for value in attr.values:
        if not any(value in s for s in sets.values()):
            continue
        labels = [
            Label(i, a, attr.name, "yes" if value in s else "no") for (i, a), s in sets.items()
        ]
        data = CategoricalData.from_labels(labels, attr.name, ("no", "yes"))
        out.append(
            AnswerAgreement(
                attr.name,
                attr.kind,
                f"alpha[{value}]",
                krippendorff_alpha(data, n_boot=n_boot, seed=seed),
            )
        )
    out.append(AnswerAgreement(attr.name, attr.kind, "jaccard", _jaccard(sets, n_boot, seed)))
    return out


def _jaccard(sets: Mapping[tuple[str, str], frozenset[str]], n_boot: int, seed: int) -> Metric:
    """Mean pairwise Jaccard per item, averaged over items with ≥ 2 annotators; the interval
    resamples items."""
    by_item: dict[str, list[frozenset[str]]] = defaultdict(list)
    for (item, _), s in sorted(sets.items()):
        by_item[item].append(s)
    scores = np.array(
        [
            np.mean([len(a & b) / len(a | b) if a | b else 1.0 for a, b in combinations(ss, 2)])
            for ss in by_item.values()
            if len(ss) >= 2
        ]
    )
    if not len(scores):
        return Metric("jaccard", float("nan"), 0, float("nan"), float("nan"))
    lo = hi = float("nan")
    if n_boot:
        rng = np.random.default_rng(seed)
        means = scores[rng.integers(0, len(scores), (n_boot, len(scores)))].mean(axis=1)
        lo, hi = (float(x) for x in np.percentile(means, [2.5, 97.5]))
    return Metric("jaccard", float(scores.mean()), len(scores), lo, hi)


def _levels(
    attr: Attribute, votes: Mapping[tuple[str, str], Any], n_boot: int, seed: int
) -> list[AnswerAgreement]:
    paths = {key: str(v).split("/") for key, v in votes.items()}
    depth = max(len(p) for p in paths.values())
    out = []
    for level in range(1, depth + 1):
        labels = [
            Label(i, a, attr.name, "/".join(p[:level]))
            for (i, a), p in paths.items()
            if len(p) >= level
        ]
        data = CategoricalData.from_labels(labels, attr.name)
        metric = krippendorff_alpha(data, n_boot=n_boot, seed=seed)
        out.append(AnswerAgreement(attr.name, attr.kind, f"alpha[level {level}]", metric))
    return out


def _numbers(
    attr: Attribute, votes: Mapping[tuple[str, str], Any], n_boot: int, seed: int
) -> list[AnswerAgreement]:
    labels = [Label(i, a, attr.name, f"{float(v):g}") for (i, a), v in votes.items()]
    data = CategoricalData.from_labels(labels, attr.name)  # categories sorted numerically
    out = [
        AnswerAgreement(
            attr.name,
            attr.kind,
            "alpha_interval",
            krippendorff_alpha(data, "interval", n_boot=n_boot, seed=seed),
        )
    ]
    if attr.kind == "rating":
        out.append(
            AnswerAgreement(
                attr.name,
                attr.kind,
                "alpha_ordinal",
                krippendorff_alpha(data, "ordinal", n_boot=n_boot, seed=seed),
            )
        )
    return out
