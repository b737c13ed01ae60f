"""workbench.annotation.tasks: Label Studio JSON → records, validation; never crashes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.annotation.tasks import (
    AnnotationRecord,
    format_cursor,
    parse_annotation,
    parse_record,
    parse_task,
    parse_time,
    task_text,
)
from workbench.schema import Schema, load_schema

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "news-v1.yaml"
TEXT = "The minister said the plan will work."


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(SCHEMA)


def span(rid: str, label: str, start: int, end: int, text: str = TEXT) -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


def choice(name: str, value: str, rid: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [value]},
    }
    if rid:
        item["id"] = rid
    return item


def good_result() -> list[dict[str, Any]]:
    return [
        span("s1", "Source", 4, 12),
        choice("source_source_type", "official", "s1"),
        span("c1", "Cue", 13, 17),
        choice("sentiment", "neutral"),
    ]


def annotation(result: Any, **extra: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "completed_by": 3,
        "result": result,
        "was_cancelled": False,
        "ground_truth": False,
        "lead_time": 4.5,
        "created_at": "2026-01-02T03:04:05.123456Z",
        "updated_at": "2026-01-02T03:04:06.000001Z",
        **extra,
    }


def test_parses_a_live_annotation(schema: Schema) -> None:
    record = parse_annotation(annotation(good_result()))
    assert isinstance(record, AnnotationRecord)
    assert (record.ls_id, record.user_id, record.email, record.lead_time) == (7, 3, None, 4.5)
    assert record.updated_at == datetime(2026, 1, 2, 3, 4, 6, 1, tzinfo=UTC)
    assert list(parse_record(schema, TEXT, record).problems) == []


def test_completed_by_object_carries_the_email() -> None:
    record = parse_annotation(
        annotation([], completed_by={"id": 5, "email": "Ann@Example.com", "first_name": ""})
    )
    assert isinstance(record, AnnotationRecord)
    assert (record.user_id, record.email) == (5, "ann@example.com")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r[0]["value"].update(labels=["Nope"]), "unknown label 'Nope'"),
        (lambda r: r[0]["value"].update(end=999), "outside the text"),
        (lambda r: r[0]["value"].update(text="ministry"), "does not match"),
        (lambda r: r.pop(1), "has no source_type (required)"),
        (lambda r: r.pop(), "'sentiment' is required"),
        (
            lambda r: r.append(
                {
                    "type": "relation",
                    "from_id": "s1",
                    "to_id": "zz",
                    "direction": "right",
                    "labels": ["attributed_to"],
                }
            ),
            "points to no region",
        ),
    ],
)
def test_bad_results_give_reasons(schema: Schema, mutate: Any, expected: str) -> None:
    result = good_result()
    mutate(result)
    record = parse_annotation(annotation(result))
    assert isinstance(record, AnnotationRecord)
    problems = list(parse_record(schema, TEXT, record).problems)
    assert any(expected in p for p in problems), problems


def test_a_skip_without_regions_is_valid(schema: Schema) -> None:
    record = parse_annotation(annotation(None, was_cancelled=True))
    assert isinstance(record, AnnotationRecord)
    assert record.was_cancelled and record.result == []
    assert list(parse_record(schema, TEXT, record).problems) == []


def test_unreadable_things_give_a_reason() -> None:
    assert "valid id" in str(parse_annotation({"result": []}))
    assert "not an object" in str(parse_annotation([1, 2]))
    assert "valid id" in str(parse_task({"id": True, "data": {}}))
    bad = parse_annotation(annotation("a string"))
    assert isinstance(bad, AnnotationRecord) and "must be a list" in bad.problems[0]


def test_task_with_export_shapes() -> None:
    task = parse_task(
        {
            "id": 9,
            "data": {"text": TEXT, "segment_id": "abc"},
            "annotations": [annotation([]), annotation([]), {"nope": 1}],
            "predictions": [4, {"id": 2, "result": [], "model_version": "m", "score": 0.5}],
            "updated_at": "2026-01-02T03:04:06.5Z",
        }
    )
    assert not isinstance(task, str)
    assert task.text == TEXT and task.segment_id == "abc"
    assert [a.ls_id for a in task.annotations] == [7]
    assert len(task.skipped) == 2  # the duplicate and the one without an id
    assert [(p.ls_id, p.model_version, p.score) for p in task.predictions] == [(2, "m", 0.5)]


def test_text_falls_back_to_the_first_string_field() -> None:
    assert task_text({"n": 1, "body": "hello", "other": "x"}) == "hello"
    assert task_text({"n": 1}) is None


def test_cursor_format_is_what_label_studio_parses() -> None:
    when = parse_time("2026-11-23T04:12:09Z")
    assert when is not None
    text = format_cursor(when)
    assert text == "2026-11-23T04:12:09.000000Z"
    assert datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    assert parse_time("not a time") is None and parse_time(12) is None


# -- property: arbitrary JSON never crashes ------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)

# Near-valid results reach deep into the validator (known names, int offsets, relations).
names = st.sampled_from(
    ["label", "sentiment", "source_source_type", "content_quote_type", "x", None]
)
region_ids = st.sampled_from(["a", "b", "c", "", None, 1])
values = st.fixed_dictionaries(
    {},
    optional={
        "start": st.integers(-3, 50) | json_values,
        "end": st.integers(-3, 50) | json_values,
        "text": st.text(max_size=8) | json_values,
        "labels": st.lists(st.sampled_from(["Source", "Cue", "Content", "Claim", "X"]))
        | json_values,
        "choices": st.lists(st.sampled_from(["official", "neutral", "direct", "?"])) | json_values,
    },
)
items = st.fixed_dictionaries(
    {},
    optional={
        "id": region_ids | json_values,
        "from_name": names | json_values,
        "to_name": st.sampled_from(["text", "y"]) | json_values,
        "type": st.sampled_from(["labels", "choices", "relation"]) | json_values,
        "value": values | json_values,
        "from_id": region_ids,
        "to_id": region_ids,
        "direction": st.sampled_from(["right", "left", "bi", "up"]),
        "labels": st.lists(st.sampled_from(["attributed_to", "cue_of", "x"]), max_size=2)
        | json_values,
    },
)
results = st.lists(items | json_values, max_size=6) | json_values


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    raw=json_values
    | st.fixed_dictionaries(
        {"id": st.integers(1, 9)},
        optional={
            "completed_by": json_values,
            "result": results,
            "was_cancelled": json_values,
            "lead_time": json_values,
            "updated_at": json_values,
        },
    ),
    text=st.text(max_size=40),
)
def test_any_annotation_json_gives_a_record_or_a_reason(
    schema: Schema, raw: Any, text: str
) -> None:
    record = parse_annotation(raw)
    if isinstance(record, str):
        assert record
        return
    problems = list(parse_record(schema, text, record).problems)
    assert isinstance(problems, list) and all(isinstance(p, str) and p for p in problems)
    if record.problems:
        assert problems


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(result=results, text=st.text(max_size=40))
def test_validator_never_raises_on_any_result(schema: Schema, result: Any, text: str) -> None:
    from workbench.annotation import validate as validate_result

    problems = validate_result(schema, text, result)  # the raw validator, no safety net
    assert all(isinstance(p, str) for p in problems)


@settings(max_examples=200, deadline=None)
@given(
    raw=json_values
    | st.fixed_dictionaries(
        {"id": json_values},
        optional={
            "data": json_values,
            "annotations": st.lists(json_values, max_size=3) | json_values,
            "completions": st.lists(json_values, max_size=3) | json_values,  # Label Studio 0.x
            "predictions": json_values,
            "updated_at": json_values,
        },
    )
)
def test_any_task_json_gives_a_record_or_a_reason(raw: Any) -> None:
    task = parse_task(raw)
    # 0 only for a JSON integer 0 (Label Studio 0.x numbered tasks from 0), never False or 0.0
    first = isinstance(raw, dict) and type(raw.get("id")) is int and raw["id"] == 0
    assert isinstance(task, str) or task.ls_id > 0 or (first and task.ls_id == 0)
