"""Label Studio task / annotation / prediction JSON → typed records (pure; never raises).

Takes *arbitrary* JSON (an API answer, a hand-edited export): what cannot be read at all comes
back as a reason string (skipped and reported); an annotation's result is kept verbatim and
parsed by the annotation model (`parse_record`). ``completed_by`` may be a user id or an object
with ``id`` and ``email``; a task's ``predictions`` full objects or bare ids (ignored).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workbench.annotation.parse import parse
from workbench.annotation.records import Parsed
from workbench.schema import Schema

#: Label Studio's Data Manager parses Datetime filter values with exactly this format.
CURSOR_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True)
class AnnotationRecord:
    ls_id: int
    user_id: int | None
    email: str | None
    result: Any  # verbatim; a list unless the source was broken (then `problems` says so)
    was_cancelled: bool
    ground_truth: bool
    lead_time: float | None
    created_at: datetime | None
    updated_at: datetime | None
    problems: tuple[str, ...] = ()  # found while reading, before any schema check


@dataclass(frozen=True)
class PredictionRecord:
    ls_id: int
    model_version: str | None
    score: float | None
    result: Any
    updated_at: datetime | None


@dataclass(frozen=True)
class TaskRecord:
    ls_id: int
    updated_at: datetime | None
    data: Mapping[str, Any]
    annotations: tuple[AnnotationRecord, ...]
    predictions: tuple[PredictionRecord, ...]
    skipped: tuple[str, ...] = ()  # annotations/predictions that could not be read at all

    @property
    def text(self) -> str | None:
        return task_text(self.data)

    @property
    def segment_id(self) -> str | None:
        value = self.data.get("segment_id")
        return value if isinstance(value, str) and value else None


# -- scalars ------------------------------------------------------------------------------------


def parse_id(value: object) -> int | None:
    """A positive integer id (ints, or strings of digits as some exports write them)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:  # BIGINT
        return value
    return None


def parse_time(value: object) -> datetime | None:
    """An ISO timestamp as an aware UTC datetime; None for anything else."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return as_utc(parsed)  # Label Studio runs on UTC and writes naive times as UTC


def as_utc(value: datetime | None) -> datetime | None:
    """The store gives naive datetimes on SQLite and aware ones on PostgreSQL: compare as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_cursor(value: datetime) -> str:
    return (as_utc(value) or value).strftime(CURSOR_FORMAT)


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _flag(value: object) -> bool:
    # Only a real JSON true counts: "false" (a string) must not become True.
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value == 1)


def _str(value: object, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def task_text(data: Mapping[str, Any]) -> str | None:
    """The text a task was labelled on: data ``text``, else its first string field."""
    first = next((v for v in data.values() if isinstance(v, str)), None)
    return data["text"] if isinstance(data.get("text"), str) else first


# -- records ------------------------------------------------------------------------------------


def _object_id(raw: object, what: str) -> int | str:
    """The id of a JSON object, or why it is not one with a valid id."""
    if not isinstance(raw, Mapping):
        return f"{what} is not an object ({type(raw).__name__})"
    # Label Studio < 1.0 numbered tasks from 0 (its tasks.json order)
    first = what == "task" and type(raw.get("id")) is int and raw["id"] == 0  # not False, 0.0
    ls_id = 0 if first else parse_id(raw.get("id"))
    return f"{what} without a valid id ({_clip(raw.get('id'))})" if ls_id is None else ls_id


def parse_annotation(raw: object) -> AnnotationRecord | str:
    """One annotation object → a record, or why it cannot be stored at all (no usable id)."""
    ls_id = _object_id(raw, "annotation")
    if isinstance(ls_id, str):
        return ls_id
    assert isinstance(raw, Mapping)
    user_id, email = completed_by(raw.get("completed_by"))
    result = raw.get("result")
    problems: list[str] = []
    if result is None:
        result = []  # Label Studio sends null for an empty skip
    elif not isinstance(result, list):
        problems.append(f"result must be a list, got {type(result).__name__}")
    if not _json_safe(result):
        problems.append("result is not plain JSON")
        result = []
    return AnnotationRecord(
        ls_id=ls_id,
        user_id=user_id,
        email=email,
        result=result,
        was_cancelled=_flag(raw.get("was_cancelled")),
        ground_truth=_flag(raw.get("ground_truth")),
        lead_time=_float(raw.get("lead_time")),
        created_at=parse_time(raw.get("created_at")),
        updated_at=parse_time(raw.get("updated_at")),
        problems=tuple(problems),
    )


def completed_by(value: object) -> tuple[int | None, str | None]:
    """(user id, email) of an annotation's annotator, whichever shape Label Studio used."""
    if isinstance(value, Mapping):
        email = _str(value.get("email"), 320)
        return parse_id(value.get("id")), email.strip().lower() if email else None
    return parse_id(value), None


def parse_prediction(raw: object) -> PredictionRecord | str | None:
    """A prediction object → a record; None for a bare id (nothing to store); else a reason."""
    if parse_id(raw) is not None:
        return None
    ls_id = _object_id(raw, "prediction")
    if isinstance(ls_id, str):
        return ls_id
    assert isinstance(raw, Mapping)
    result = raw.get("result")
    if not isinstance(result, list) or not _json_safe(result):
        result = []
    return PredictionRecord(
        ls_id=ls_id,
        model_version=_str(raw.get("model_version"), 256),
        score=_float(raw.get("score")),
        result=result,
        updated_at=parse_time(raw.get("updated_at")),
    )


def parse_task(raw: object) -> TaskRecord | str:
    """One task object (``/api/tasks`` item or export entry) → a record, or why not."""
    ls_id = _object_id(raw, "task")
    if isinstance(ls_id, str):
        return ls_id
    assert isinstance(raw, Mapping)
    data = {} if raw.get("data") is None else raw["data"]
    if not isinstance(data, Mapping):
        return f"task {ls_id}: data is not an object"
    skipped: list[str] = []
    annotations: list[AnnotationRecord] = []
    raw_annotations = [] if raw.get("annotations") is None else raw["annotations"]
    # Label Studio < 1.0 exported annotations as "completions", some without an id: such a
    # completion gets the id that version gave it (task id × 1000 + its place, from 1)
    if raw.get("annotations") is None and isinstance(raw.get("completions"), list):
        raw_annotations = [
            {**c, "id": ls_id * 1000 + i} if isinstance(c, dict) and "id" not in c else c
            for i, c in enumerate(raw["completions"], 1)
        ]
    if not isinstance(raw_annotations, list):
        skipped.append(f"task {ls_id}: annotations is not a list")
        raw_annotations = []
    seen: set[int] = set()
    for item in raw_annotations:
        parsed = parse_annotation(item)
        if isinstance(parsed, str):
            skipped.append(f"task {ls_id}: {parsed}")
        elif parsed.ls_id in seen:
            skipped.append(f"task {ls_id}: annotation {parsed.ls_id} listed twice")
        else:
            seen.add(parsed.ls_id)
            annotations.append(parsed)
    predictions: list[PredictionRecord] = []
    raw_predictions = raw.get("predictions")
    for item in raw_predictions if isinstance(raw_predictions, list) else []:
        prediction = parse_prediction(item)
        if isinstance(prediction, str):
            skipped.append(f"task {ls_id}: {prediction}")
        elif prediction is not None and all(p.ls_id != prediction.ls_id for p in predictions):
            predictions.append(prediction)
    return TaskRecord(
        ls_id=ls_id,
        updated_at=parse_time(raw.get("updated_at")),
        data=dict(data),
        annotations=tuple(annotations),
        predictions=tuple(predictions),
        skipped=tuple(skipped),
    )


# -- validation ---------------------------------------------------------------------------------


def parse_record(schema: Schema, text: str, record: AnnotationRecord) -> Parsed:
    """The annotation parsed; `problems` empty when usable. An empty skip is a valid skip
    (a "missing required answer" would be noise); a skip with regions is checked as usual."""
    if record.problems:
        return Parsed(problems=record.problems)
    if record.was_cancelled and not record.result:
        return Parsed()
    return parse(schema, text, record.result)


def _json_safe(value: Any, depth: int = 0) -> bool:
    """Plain JSON (what the store's JSON column can hold), not absurdly deep."""
    if depth > 64:
        return False
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_json_safe(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v, depth + 1) for k, v in value.items())
    return False


def _clip(value: object, limit: int = 40) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
