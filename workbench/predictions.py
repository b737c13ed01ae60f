"""Suggestions → Label Studio predictions, and suggestions for a whole text file.

A prediction uses exactly the result names of the generated view (see the docstring of
`workbench.schema`): spans ``from_name="label"``, ``to_name="text"``, ``type="labels"``; a
per-region attribute is a ``choices`` result named ``<label lower>_<attribute>`` sharing the
span's id; relations are ``{"type": "relation", "from_id", "to_id", "direction": "right",
"labels": [name]}``. Required attributes are filled with the rules' best guess (so accepting a
suggestion gives a valid annotation), except Target sentiment, which is left to the annotator
(see `workbench.suggest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.ingest import clean_article
from workbench.schema import LABELS_NAME, TEXT_NAME
from workbench.segment import segment_article
from workbench.sources import read_source
from workbench.suggest import RULES_VERSION, Suggestions, suggest

__all__ = [
    "MODEL_VERSION",
    "ParagraphSuggestions",
    "prediction",
    "suggest_file",
    "to_result",
]

#: The model version Label Studio shows for these predictions.
MODEL_VERSION = f"workbench-rules-{RULES_VERSION}"


def to_result(found: Suggestions) -> list[dict[str, Any]]:
    """Label Studio result items for the suggestions of one segment."""
    result: list[dict[str, Any]] = []
    for span in found.spans:
        value = {"start": span.start, "end": span.end, "text": span.text}
        result.append(
            {
                "id": span.id,
                "from_name": LABELS_NAME,
                "to_name": TEXT_NAME,
                "type": "labels",
                "value": {**value, "labels": [span.label]},
            }
        )
        for attr, choice in span.attributes:
            result.append(
                {
                    "id": span.id,
                    "from_name": f"{span.label.lower()}_{attr}",
                    "to_name": TEXT_NAME,
                    "type": "choices",
                    "value": {**value, "choices": [choice]},
                }
            )
    for rel in found.relations:
        result.append(
            {
                "type": "relation",
                "from_id": rel.from_id,
                "to_id": rel.to_id,
                "direction": "right",
                "labels": [rel.name],
            }
        )
    return result


def prediction(text: str, context: str = "") -> dict[str, Any] | None:
    """The prediction for one task (``None`` when there is nothing to suggest)."""
    found = suggest(text, context)
    if not found.spans:
        return None
    attributed = sum(1 for s in found.spans if s.label == "Content")
    # A rough confidence for sorting tasks in Label Studio: attributions, not only targets.
    score = 0.8 if attributed else 0.3
    return {"model_version": MODEL_VERSION, "score": score, "result": to_result(found)}


@dataclass(frozen=True)
class ParagraphSuggestions:
    position: int
    text: str
    suggestions: Suggestions


def suggest_file(path: Path) -> list[ParagraphSuggestions]:
    """Suggestions for every segment of a text file, cleaned and segmented as `ingest` and
    `segment` do, so the segments are the texts annotators would see."""
    source = read_source(path)
    cleaned = clean_article(source.raw, source.format)
    out: list[ParagraphSuggestions] = []
    previous = ""
    for seg in segment_article(path.stem, cleaned.text):
        out.append(ParagraphSuggestions(seg.position, seg.text, suggest(seg.text, previous)))
        previous = seg.text
    return out
