"""A parsed annotation back as a Label Studio result, and the values annotations use (pure)."""

from __future__ import annotations

from typing import Any

from workbench.schema import Attribute, Schema

from .records import Parsed, Value


def to_result(schema: Schema, text: str | None, parsed: Parsed) -> list[dict[str, Any]]:
    """A parsed annotation as a Label Studio result again (what the view shows: adjudication
    tasks' predictions). Relations go right, from → to; unknown controls' results as kept."""
    view = schema.view
    control_of = {label.name: label.control or view.labels for label in schema.labels}
    out: list[dict[str, Any]] = []

    def answer(attr: Attribute, value: Value, extra: dict[str, Any]) -> dict[str, Any]:
        if attr.kind == "taxonomy":
            paths = value if isinstance(value, list) else [str(value)]
            body: Any = [str(p).split("/") for p in paths]
        elif attr.kind == "choices":
            body = value if isinstance(value, list) else [value]
        else:
            body = value
        key = "text" if attr.kind == "textarea" else attr.kind
        span = extra.pop("value", {})
        return {
            **extra,
            "from_name": attr.control_name,
            "to_name": view.text,
            "type": attr.kind,
            "value": {**span, key: body},
        }

    for r in parsed.regions:
        span = {"start": r.start, "end": r.end}
        if text is not None:
            span["text"] = text[r.start : r.end]  # type: ignore[assignment]
        out.append(
            {
                "id": r.id,
                "from_name": control_of.get(r.label, view.labels),
                "to_name": view.text,
                "type": "labels",
                "value": {**span, "labels": list(r.labels)},
            }
        )
        questions = {a.name: a for a in schema.region_questions(r.label)}
        for name, value in r.answers.items():
            if name in questions:
                out.append(answer(questions[name], value, {"id": r.id, "value": dict(span)}))
    for link in parsed.links:
        out.append(
            {
                "type": "relation",
                "from_id": link.from_id,
                "to_id": link.to_id,
                "direction": "right",
                "labels": [link.kind],
            }
        )
    segment = {a.name: a for a in schema.segment}
    for name, value in parsed.answers.items():
        if name in segment:
            out.append(answer(segment[name], value, {"id": f"{name}-segment"}))
    out.extend(parsed.other)
    return out


def used_values(schema: Schema, parsed: Parsed) -> set[tuple[str, str]]:
    """Every (control name, or "relation", value) an annotation uses: what a schema change
    must keep for the annotation to stay valid."""
    out: set[tuple[str, str]] = set()
    control_of = {label.name: label.control or schema.view.labels for label in schema.labels}
    for region in parsed.regions:
        out.update((control_of.get(label, "label"), label) for label in region.labels)
        questions = {a.name: a.control_name for a in schema.region_questions(region.label)}
        for name, value in region.answers.items():
            out.update((questions.get(name, name), v) for v in _strings(value))
    segment = {a.name: a.control_name for a in schema.segment}
    for name, value in parsed.answers.items():
        out.update((segment.get(name, name), v) for v in _strings(value))
    out.update(("relation", link.kind) for link in parsed.links)
    return out


def schema_values(schema: Schema) -> set[tuple[str, str]]:
    """Every (control name, or "relation", value) a result may carry under this schema."""
    out = {(label.control or schema.view.labels, label.name) for label in schema.labels}
    for attr in schema.attributes:
        out.update((attr.control_name, v) for v in attr.values)
    out.update(("relation", r.name) for r in schema.relations)
    return out


def _strings(value: Value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
