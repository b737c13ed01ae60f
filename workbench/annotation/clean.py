"""A result as a release keeps it (pure): only `RESULT_KEYS` of each item, as canonical JSON.
Pull stores that text beside each result (`annotations.result_clean`), so an export reads it
instead of cleaning 10^5 results again."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

#: Result item keys kept in raw annotations: everything else (e.g. free-text meta) is dropped,
#: so nothing a Label Studio export may carry about people can slip into a release.
RESULT_KEYS = (
    *("id", "type", "from_name", "to_name", "value"),
    *("from_id", "to_id", "direction", "labels"),
)
_RESULT_KEYS = frozenset(RESULT_KEYS)
# Half of an emoji: Label Studio's editor can cut a selection inside one. Not encodable as UTF-8.
LONE_SURROGATE = re.compile("[\\ud800-\\udfff]")


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys (orjson; the standard library where orjson refuses,
    e.g. integers beyond 64 bits): equal values give equal text. A lone surrogate (Label
    Studio's region text cut inside an emoji) is kept as a ``\\udXXX`` escape: valid UTF-8."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if LONE_SURROGATE.search(text):
            text = json.dumps(value, sort_keys=True, separators=(",", ":"))
        return text


def load_result(result: Any) -> Any:
    """A stored result: its JSON text decoded (a decoded value is passed through)."""
    # pandas' NA by its type name: importing pandas here cost every command 2 s of start-up
    if (
        result is None
        or type(result).__name__ == "NAType"
        or (isinstance(result, float) and result != result)
    ):
        return None
    if isinstance(result, str | bytes | memoryview):
        try:
            return orjson.loads(result)
        except orjson.JSONDecodeError:
            return json.loads(bytes(result) if isinstance(result, memoryview) else result)
    return result


def clean_result(result: Any) -> list[dict[str, Any]]:
    """A Label Studio result list (or its JSON text) keeping only `RESULT_KEYS` of each item."""
    try:
        items = load_result(result)
    except ValueError:  # a broken source's text: its annotation is quarantined, kept verbatim
        return []
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.keys() <= _RESULT_KEYS:
            out.append(item)
        elif isinstance(item, dict):  # keep only the known keys, in their order
            out.append({k: item[k] for k in RESULT_KEYS if k in item})
    return out


def canonical_result(result: Any) -> str:
    """The canonical JSON of a result's cleaned form (what `annotations.result_clean` holds)."""
    return canonical_json(clean_result(result))
