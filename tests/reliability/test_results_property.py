"""Property test of the Label Studio result parser (`workbench.annotation.tasks`): arbitrary
JSON never crashes it; a task or annotation is either read or comes back as a reason; a read
annotation is either valid — and then its regions really fit the schema and the text — or
comes with reasons to quarantine it."""

from __future__ import annotations

from typing import Any

import reliability_helpers as rh
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.annotation.tasks import (
    AnnotationRecord,
    TaskRecord,
    parse_annotation,
    parse_record,
    parse_task,
)
from workbench.schema import LABELS_NAME

SCHEMA = rh.schema()
TEXT = "The minister said the plan will work, according to officials."
LABELS = [label.name for label in SCHEMA.labels]
CONTROLS = list(SCHEMA.controls)
IDS = ["r1", "r2", "r3"]

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=25,
)
offsets = st.integers(min_value=-5, max_value=len(TEXT) + 5) | json_values


@st.composite
def regions(draw: st.DrawFn) -> dict[str, Any]:
    """Something shaped like a result item, right or wrong in every way that matters."""
    kind = draw(st.sampled_from(["labels", "choices", "relation", "junk"]))
    if kind == "relation":
        return {
            "type": "relation",
            "from_id": draw(st.sampled_from([*IDS, "missing"]) | json_values),
            "to_id": draw(st.sampled_from([*IDS, "missing"]) | json_values),
            "labels": draw(
                st.lists(st.sampled_from(["attributed_to", "cue_of", "nope"]), max_size=2)
            ),
            "direction": "right",
        }
    if kind == "junk":
        return draw(st.dictionaries(st.text(max_size=8), json_values, max_size=5))
    item: dict[str, Any] = {
        "id": draw(st.sampled_from(IDS) | json_values),
        "to_name": "text",
        "type": kind,
        "from_name": draw(st.sampled_from([LABELS_NAME, *CONTROLS, "nope"]) | json_values),
    }
    start, end = draw(offsets), draw(offsets)
    value: dict[str, Any] = {"start": start, "end": end}
    if draw(st.booleans()) and isinstance(start, int) and isinstance(end, int):
        value["text"] = TEXT[max(start, 0) : max(end, 0)]
    if kind == "labels":
        value["labels"] = draw(st.lists(st.sampled_from([*LABELS, "Nope"]), max_size=2))
    else:
        value["choices"] = draw(
            st.lists(st.text(max_size=12) | st.sampled_from(["neutral", "official"]), max_size=2)
        )
    item["value"] = draw(st.sampled_from([value]) | json_values)
    return item


annotation_objects = st.fixed_dictionaries(
    {
        "id": st.integers(min_value=-2, max_value=10**12) | json_values,
        "completed_by": st.integers(min_value=0, max_value=99) | json_values,
        "result": st.lists(regions(), max_size=6) | json_values,
    },
    optional={
        "was_cancelled": json_values,
        "ground_truth": json_values,
        "lead_time": json_values,
        "updated_at": st.sampled_from(["2024-05-01T10:00:00Z", "yesterday"]) | json_values,
    },
)


def _assert_valid(record: AnnotationRecord) -> None:
    """What 'valid' must mean: every span inside the text and labelled by the schema, every
    relation between regions that exist."""
    assert isinstance(record.result, list)
    spans = {}
    for item in record.result:
        assert isinstance(item, dict)
        if item.get("type") == "relation":
            continue
        if item.get("from_name") == LABELS_NAME:
            value = item["value"]
            start, end = value["start"], value["end"]
            assert isinstance(start, int) and isinstance(end, int)
            assert 0 <= start < end <= len(TEXT)
            assert set(value["labels"]) <= set(LABELS) and value["labels"]
            spans[item["id"]] = (start, end)
        else:
            assert item.get("from_name") in SCHEMA.controls
    for item in record.result:
        if isinstance(item, dict) and item.get("type") == "relation":
            assert item["from_id"] in spans and item["to_id"] in spans


@settings(
    max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(raw=annotation_objects | json_values)
def test_any_annotation_is_read_or_refused_and_validated_or_quarantined(raw: Any) -> None:
    record = parse_annotation(raw)
    if isinstance(record, str):
        assert record  # a reason, never an empty string
        return
    assert isinstance(record, AnnotationRecord)
    problems = list(parse_record(SCHEMA, TEXT, record).problems)
    assert isinstance(problems, list) and all(isinstance(p, str) and p for p in problems)
    if not problems and not (record.was_cancelled and not record.result):
        _assert_valid(record)


@settings(
    max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    raw=st.fixed_dictionaries(
        {"id": st.integers(min_value=-1, max_value=10**6) | json_values},
        optional={
            "data": st.fixed_dictionaries({"text": st.just(TEXT)}) | json_values,
            "annotations": st.lists(annotation_objects | json_values, max_size=3) | json_values,
            "predictions": st.lists(json_values, max_size=2) | json_values,
            "updated_at": json_values,
        },
    )
    | json_values
)
def test_any_task_is_read_or_refused(raw: Any) -> None:
    record = parse_task(raw)
    if isinstance(record, str):
        assert record
        return
    # 0 only for a JSON integer 0 (Label Studio 0.x numbered tasks from 0), never False or 0.0
    first = isinstance(raw, dict) and type(raw.get("id")) is int and raw["id"] == 0
    assert isinstance(record, TaskRecord) and (record.ls_id > 0 or (first and record.ls_id == 0))
    for annotation in record.annotations:
        assert annotation.ls_id > 0
        list(parse_record(SCHEMA, record.text or "", annotation).problems)
