"""Agreement on the answers that are not one category (pure): several choices, taxonomy paths,
ratings and numbers. Free text and dates are stored and exported, not measured.

* **Several choices** (``Choices choice="multiple"``, a multiple Taxonomy): per label,
  Krippendorff's α of the binary "chose it or not" (nominal), and the mean pairwise Jaccard
  index of the annotators' sets (1 = the same set; two empty sets count as the same).
* **Taxonomy** (one path): α per level: the paths cut to their first k parts (level 1 is the
  top category), nominal.
* **Rating, Number**: interval α (and ordinal α for a rating: its steps are ordered).

Each figure comes with the percentile bootstrap interval over items that every figure uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from workbench.schema import Attribute, Schema

from . import _bootstrap
from ._bootstrap import DEFAULT_N_BOOT, FloatArray
from .categorical import Level, krippendorff_alpha
from .extract import ParsedAnnotations
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
    schema: Schema, parsed: ParsedAnnotations, *, n_boot: int = DEFAULT_N_BOOT, seed: int = 0
) -> list[AnswerAgreement]:
    """Figures of the segment questions that are not one category, from the annotations'
    answers (`parse_entries`)."""
    sids, annotators = parsed.segment_id, parsed.annotator
    out: list[AnswerAgreement] = []
    for attr in schema.segment:
        column = parsed.labels.get(attr.name) if _measured(attr) else None
        votes = {
            (sids[k], annotators[k]): value
            for k, value in enumerate(column or ())
            if value is not None
        }
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


def _alpha(
    attr: Attribute,
    measure: str,
    labels: list[Label],
    n_boot: int,
    seed: int,
    categories: tuple[str, ...] | None = None,
    level: Level = "nominal",
) -> AnswerAgreement:
    data = CategoricalData.from_labels(labels, attr.name, categories)
    metric = krippendorff_alpha(data, level, n_boot=n_boot, seed=seed)
    return AnswerAgreement(attr.name, attr.kind, measure, metric)


def _several(
    attr: Attribute, votes: Mapping[tuple[str, str], Any], n_boot: int, seed: int
) -> list[AnswerAgreement]:
    sets = {key: frozenset(v if isinstance(v, list) else [v]) for key, v in votes.items()}
    out = [
        _alpha(
            attr,
            f"alpha[{value}]",
            [Label(i, a, attr.name, "yes" if value in s else "no") for (i, a), s in sets.items()],
            n_boot,
            seed,
            ("no", "yes"),
        )
        for value in attr.values
        if any(value in s for s in sets.values())
    ]
    out.append(AnswerAgreement(attr.name, attr.kind, "jaccard", _jaccard(sets, n_boot, seed)))
    return out


def _jaccard(sets: Mapping[tuple[str, str], frozenset[str]], n_boot: int, seed: int) -> Metric:
    """Mean over items with ≥ 2 annotators of their mean pairwise Jaccard index."""
    by_item: dict[str, list[frozenset[str]]] = defaultdict(list)
    for (item, _), s in sorted(sets.items()):
        by_item[item].append(s)
    scores = [
        np.mean([len(a & b) / len(a | b) if a | b else 1.0 for a, b in combinations(ss, 2)])
        for ss in by_item.values()
        if len(ss) >= 2
    ]
    values, mult = np.unique(np.array(scores, dtype=np.float64), return_counts=True)

    def stat(weights: FloatArray) -> FloatArray:
        out: FloatArray = (weights @ values) / weights.sum(axis=1)
        return out

    return _bootstrap.metric("jaccard", mult, stat, n_boot=n_boot, seed=seed)


def _levels(
    attr: Attribute, votes: Mapping[tuple[str, str], Any], n_boot: int, seed: int
) -> list[AnswerAgreement]:
    paths = {key: str(v).split("/") for key, v in votes.items()}
    return [
        _alpha(
            attr,
            f"alpha[level {level}]",
            [
                Label(i, a, attr.name, "/".join(p[:level]))
                for (i, a), p in paths.items()
                if len(p) >= level
            ],
            n_boot,
            seed,
        )
        for level in range(1, max(len(p) for p in paths.values()) + 1)
    ]


def _numbers(
    attr: Attribute, votes: Mapping[tuple[str, str], Any], n_boot: int, seed: int
) -> list[AnswerAgreement]:
    # categories sorted numerically; a rating's steps are ordered, so it gets ordinal α too
    labels = [Label(i, a, attr.name, f"{float(v):g}") for (i, a), v in votes.items()]
    levels: list[Level] = ["interval", "ordinal"] if attr.kind == "rating" else ["interval"]
    return [_alpha(attr, f"alpha_{lv}", labels, n_boot, seed, level=lv) for lv in levels]
