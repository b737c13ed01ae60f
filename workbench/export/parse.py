"""Label Studio results → what a release keeps of them (pure): per annotation the segment
choices, spans and relations. They live in `workbench.results` (pull makes each annotation's
entry with them, without the export's imports); this module names them for the export."""

from __future__ import annotations

from workbench.results import (
    RESULT_KEYS,
    Choices,
    Parsed,
    Relations,
    ResultParser,
    Spans,
    annotation_entry,
    canonical_bytes,
    canonical_json,
    clean_result,
    load_result,
    parse_annotation,
)

__all__ = [
    "RESULT_KEYS",
    "Choices",
    "Parsed",
    "Relations",
    "ResultParser",
    "Spans",
    "annotation_entry",
    "canonical_bytes",
    "canonical_json",
    "clean_result",
    "load_result",
    "parse_annotation",
]
