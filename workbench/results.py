"""Label Studio result lists as a release keeps them (pure): only `RESULT_KEYS` of each item,
as canonical JSON (sorted keys, compact). The store keeps that text beside each annotation's
result (`annotations.result_clean`, computed when the row is inserted: revisions are never
updated), so an export reads it instead of cleaning 10^5 results again."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson
import pandas as pd

from workbench.schema import LABELS_NAME, Schema

#: Result item keys kept in raw annotations: everything else (e.g. free-text meta) is dropped,
#: so nothing a Label Studio export may carry about people can slip into a release.
RESULT_KEYS = (
    "id",
    "type",
    "from_name",
    "to_name",
    "value",
    "from_id",
    "to_id",
    "direction",
    "labels",
)
_RESULT_KEYS = frozenset(RESULT_KEYS)
_SORTED = orjson.OPT_SORT_KEYS


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys (orjson; the standard library where orjson refuses,
    e.g. integers beyond 64 bits): equal values give equal text."""
    return canonical_bytes(value).decode()


def canonical_bytes(value: Any) -> bytes:
    """`canonical_json`, UTF-8 encoded."""
    try:
        return orjson.dumps(value, option=_SORTED)
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return text.encode("utf-8", "surrogatepass")


def load_result(result: Any) -> Any:
    """A stored result: its JSON text decoded (a decoded value is passed through)."""
    if result is None or result is pd.NA or (isinstance(result, float) and result != result):
        return None
    if isinstance(result, str | bytes | memoryview):
        try:
            return orjson.loads(result)
        except orjson.JSONDecodeError:
            return json.loads(bytes(result) if isinstance(result, memoryview) else result)
    return result


def clean_result(result: Any) -> list[dict[str, Any]]:
    """A Label Studio result list (or its JSON text) keeping only `RESULT_KEYS` of each item."""
    out = []
    for item in load_result(result) or []:
        if isinstance(item, dict):
            out.append(item if item.keys() <= _RESULT_KEYS else _clean_item(item))
    return out


def _clean_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in RESULT_KEYS if k in item}


def canonical_result(result: Any) -> str:
    """The canonical JSON of a result's cleaned form (what `annotations.result_clean` holds)."""
    return canonical_json(clean_result(result))


# -- parsed: what a release keeps of a result ----------------------------------------------

Choices = dict[str, str]
Spans = list[dict[str, Any]]
Relations = list[tuple[str, str, str]]
Parsed = tuple[Choices, Spans, Relations]

_FORMAT = 1  # bump when `ResultParser.parse` or the entry encoding changes its output


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
        basis = [_FORMAT, LABELS_NAME, sorted(self.region.items()), sorted(self.segment.items())]
        #: What a parse depends on, hashed: a stored entry made under another key (another
        #: schema, or another version of this parser) is parsed again, not trusted.
        self.key = hashlib.sha256(orjson.dumps(basis)).hexdigest()[:16]

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


def annotation_entry(choices: Choices, spans: Spans, relations: Relations) -> bytes:
    """One annotation's entry in a segment's nested record (segments.jsonl), encoded, without
    its annotator (`workbench.export.jsonl.annotation_record` adds it)."""
    entry = {
        "labels": choices,
        "spans": spans,
        "relations": [{"kind": k, "from_id": f, "to_id": t} for k, f, t in relations],
    }
    return orjson.dumps(entry, option=_SORTED)


class EntryMaker:
    """`result → entry text` under one schema, as pull stores it beside each annotation
    (`annotations.result_entry`, with `key`, the parser's): an export uses the entries of its
    own key instead of parsing 10^5 results again (3 s of its worker)."""

    def __init__(self, schema: Schema) -> None:
        self._parse = ResultParser(schema)
        self.key = self._parse.key

    def __call__(self, result: Any) -> str | None:
        """The entry of a valid result; None where it cannot be made (the export then parses
        that result itself, as for a row stored before entries existed)."""
        try:
            _, choices, spans, relations = self._parse(result)
            return annotation_entry(choices, spans, relations).decode()
        except (TypeError, ValueError, KeyError, orjson.JSONEncodeError):
            return None
