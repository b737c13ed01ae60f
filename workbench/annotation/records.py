"""The annotation model's records: a parsed annotation, its stored entry, the parser's key."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from workbench.annotation.clean import canonical_json
from workbench.schema import Schema

#: Bump when `parse` or `Parsed.entry` changes its output: stored entries made under another
#: format (or another schema structure) are made again, never trusted.
FORMAT = 3

Value = str | int | float | list[str]


@dataclass(frozen=True, slots=True)
class Region:
    """A labelled span ``[start, end)`` of the task text, with its per-region answers."""

    id: str
    labels: tuple[str, ...]
    start: int
    end: int
    answers: Mapping[str, Value] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.labels[0]


@dataclass(frozen=True, slots=True, order=True)
class Link:
    """A relation from one region to another, in the schema's direction."""

    kind: str
    from_id: str
    to_id: str


@dataclass(frozen=True)
class Parsed:
    """One annotation result, parsed. `problems` empty: usable (`valid`)."""

    regions: tuple[Region, ...] = ()
    links: tuple[Link, ...] = ()
    answers: Mapping[str, Value] = field(default_factory=dict)
    other: tuple[Any, ...] = ()  # results of controls the schema does not know, verbatim
    repairs: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems

    def entry(self) -> dict[str, Any]:
        """What a release keeps of the annotation (its entry in ``segments.jsonl``; the form
        the store holds in ``annotations.result_entry``)."""
        spans = []
        for r in sorted(self.regions, key=lambda r: (r.start, r.end, r.label, r.id)):
            span: dict[str, Any] = {
                "region_id": r.id,
                "label": r.label,
                "start": r.start,
                "end": r.end,
                "attributes": dict(sorted(r.answers.items())),
            }
            if len(r.labels) > 1:
                span["labels"] = list(r.labels)
            spans.append(span)
        out: dict[str, Any] = {
            "labels": dict(self.answers),
            "spans": spans,
            "relations": [
                {"kind": k.kind, "from_id": k.from_id, "to_id": k.to_id} for k in sorted(self.links)
            ],
        }
        if self.other:
            out["other"] = list(self.other)
        return out

    def entry_json(self) -> str:
        return canonical_json(self.entry())  # orjson, or the standard library beyond 64 bits


def from_entry(entry: Mapping[str, Any]) -> Parsed:
    """The parsed annotation a stored entry holds (valid by construction)."""
    regions = tuple(
        Region(
            str(s["region_id"]),
            tuple(s.get("labels") or (s["label"],)),
            int(s["start"]),
            int(s["end"]),
            dict(s.get("attributes") or {}),
        )
        for s in entry.get("spans") or ()
    )
    links = tuple(
        Link(str(r["kind"]), str(r["from_id"]), str(r["to_id"]))
        for r in entry.get("relations") or ()
    )
    return Parsed(regions, links, dict(entry.get("labels") or {}), tuple(entry.get("other") or ()))


def parser_key(schema: Schema) -> str:
    """What a parse depends on, hashed: the format and the schema's structure (names, values,
    kinds; not descriptions, hotkeys or colours). An entry under another key is made again."""
    data = schema.to_dict()
    for drop in ("id", "title", "guidelines"):
        data.pop(drop, None)
    basis = orjson.dumps([FORMAT, _structure(data)], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(basis).hexdigest()[:16]


def _structure(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _structure(v)
            for k, v in value.items()
            if k not in ("description", "hotkey", "color")
        }
    if isinstance(value, list):
        return [_structure(v) for v in value]
    return value
