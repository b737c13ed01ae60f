"""Label Studio results → what a release keeps of them (pure): per annotation the segment
choices, spans and relations (the cleaned result and its canonical JSON: `workbench.results`)."""

from __future__ import annotations

from typing import Any

from workbench.results import (
    RESULT_KEYS,
    canonical_bytes,
    canonical_json,
    clean_result,
    load_result,
)
from workbench.schema import LABELS_NAME, Schema

__all__ = ["RESULT_KEYS", "canonical_bytes", "canonical_json", "clean_result", "load_result"]

Choices = dict[str, str]
Spans = list[dict[str, Any]]
Relations = list[tuple[str, str, str]]
Parsed = tuple[Choices, Spans, Relations]


def parse_annotation(
    schema: Schema, result: list[dict[str, Any]]
) -> tuple[Choices, Spans, Relations]:
    """(segment choices, spans with attributes, relations (kind, from, to)) of one result."""
    return ResultParser(schema).parse(result)


class ResultParser:
    """`clean_result` and `parse_annotation` with the schema look-ups done once."""

    def __init__(self, schema: Schema) -> None:
        self.region = {n: a.name for n, a in schema.controls.items() if a.per_region}
        self.segment = {n: a.name for n, a in schema.controls.items() if not a.per_region}

    def __call__(self, raw: Any) -> tuple[list[dict[str, Any]], Choices, Spans, Relations]:
        """(cleaned result, choices, spans, relations) of a stored result or its JSON text."""
        result = clean_result(raw)
        return (result, *self.parse(result))

    def parse(self, result: list[dict[str, Any]]) -> Parsed:
        choices: Choices = {}
        spans: dict[str, dict[str, Any]] = {}
        region_attrs: dict[str, dict[str, str]] = {}
        relations: Relations = []
        region, segment = self.region, self.segment
        for item in result:
            value = item.get("value") or {}
            name = item.get("from_name")
            if item.get("type") == "relation":
                for kind in item.get("labels") or []:
                    relations.append((str(kind), str(item.get("from_id")), str(item.get("to_id"))))
            elif name == LABELS_NAME and value.get("labels"):
                rid = str(item.get("id"))
                spans[rid] = {
                    "region_id": rid,
                    "label": str(value["labels"][0]),
                    "start": int(value["start"]),
                    "end": int(value["end"]),
                }
            elif value.get("choices") and (name in region or name in segment):
                if name in region:
                    rid = str(item.get("id"))
                    region_attrs.setdefault(rid, {})[region[name]] = str(value["choices"][0])
                else:
                    choices[segment[name]] = str(value["choices"][0])
        out: Spans = []
        for rid, span in spans.items():
            attrs = region_attrs.get(rid)
            span["attributes"] = dict(sorted(attrs.items())) if attrs else {}
            out.append(span)
        if len(out) > 1:
            out.sort(key=lambda s: (s["start"], s["end"], s["label"], s["region_id"]))
        if len(relations) > 1:
            relations.sort()
        return choices, out, relations
