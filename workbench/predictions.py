"""Suggestions → Label Studio predictions (written by the annotation model under the project's
schema, in the view's own names), and suggestions for a whole text file. Required attributes
carry the rules' best guess, so accepting one gives a valid annotation; Target sentiment is
left to the annotator (`workbench.suggest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.annotation import Link, Parsed, Region
from workbench.annotation import to_result as annotation_result
from workbench.ingest import clean_article
from workbench.schema import Schema
from workbench.segment import segment_article
from workbench.sources import read_source
from workbench.suggest import RULES_VERSION, Suggestions, suggest

#: The model version Label Studio shows for these predictions.
MODEL_VERSION = f"workbench-rules-{RULES_VERSION}"


def to_result(schema: Schema, text: str, found: Suggestions) -> list[dict[str, Any]]:
    """The result items of one segment's suggestions under `schema`; what it has no label,
    question or relation for is left out (a team's view gets only what it can show)."""
    labels = {label.name for label in schema.labels}
    regions = tuple(
        Region(s.id, (s.label,), s.start, s.end, dict(s.attributes))
        for s in found.spans
        if s.label in labels
    )
    kept = {r.id for r in regions}
    kinds = {r.name for r in schema.relations}
    links = tuple(
        Link(r.name, r.from_id, r.to_id)
        for r in found.relations
        if r.name in kinds and r.from_id in kept and r.to_id in kept
    )
    return annotation_result(schema, text, Parsed(regions=regions, links=links))


def prediction(schema: Schema, text: str, context: str = "") -> dict[str, Any] | None:
    """The prediction for one task (``None`` when there is nothing to suggest)."""
    found = suggest(text, context)
    result = to_result(schema, text, found)
    if not result:
        return None
    attributed = sum(1 for s in found.spans if s.label == "Content")
    # A rough confidence for sorting tasks in Label Studio: attributions, not only targets.
    score = 0.8 if attributed else 0.3
    return {"model_version": MODEL_VERSION, "score": score, "result": result}


@dataclass(frozen=True)
class ParagraphSuggestions:
    position: int
    text: str
    suggestions: Suggestions


def suggest_file(path: Path) -> list[ParagraphSuggestions]:
    """Suggestions for each segment of a text file, cleaned and segmented as `ingest` and
    `segment` do: the texts annotators would see."""
    source = read_source(path)
    cleaned = clean_article(source.raw, source.format)
    out: list[ParagraphSuggestions] = []
    previous = ""
    for seg in segment_article(path.stem, cleaned.text):
        out.append(ParagraphSuggestions(seg.position, seg.text, suggest(seg.text, previous)))
        previous = seg.text
    return out
