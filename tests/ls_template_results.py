"""Label Studio's own template gallery, and exports made for it the way Label Studio writes them.

`templates()` lists the templates of the installed Label Studio (``annotation_templates/*/*/
config.yml``); `example_data()` reads the example task a template carries in a trailing XML
comment; `make_export()` writes results for every control of an imported schema — spans with
start/end/text, per-region answers repeating their region's offsets, relations, segment
answers of each kind — and for every control of the config the schema left out (results the
workbench keeps as they are), several annotators per task who partly disagree.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from workbench.schema import Attribute, Schema, View, load_schema
from workbench.schema.dialogue import render
from workbench.schema.importer import import_config

#: Object tags whose data is text: a template with one of them (and a ``$`` value) is a text
#: template.
TEXT_OBJECTS = frozenset({"Text", "HyperText", "Paragraphs", "Table", "Chat"})
_COMMENT_RE = re.compile(r"<!--(.*?)-->", re.S)
_FILLER = (
    "Microsoft was founded by Bill Gates and Paul Allen on April 4, 1975, in Albuquerque. "
    "The company said on Monday that revenue rose 12 percent to 52 billion dollars."
)


#: Result value shapes of controls a schema may leave out: type → (key, value for annotator n).
_SHAPES: dict[str, tuple[str, Any]] = {
    "choices": ("choices", lambda n: [f"choice {n % 2}"]),
    "textarea": ("text", lambda n: [f"answer {n % 2}"]),
    "rating": ("rating", lambda n: 1 + n % 5),
    "pairwise": ("selected", lambda n: "left" if n % 2 else "right"),
}


@dataclass(frozen=True)
class Template:
    key: str  # "group/name"
    title: str
    config: str

    @property
    def is_text(self) -> bool:
        root = ET.fromstring(self.config)
        return any(
            el.tag in TEXT_OBJECTS and (el.get("value") or "").startswith("$") for el in root.iter()
        )


def imported_schema(template: Template, folder: Path) -> Schema:
    """The template's config through `schema import`, written to `folder`/team.yaml and read
    back as a dataset's schema is."""
    imported = import_config(template.config, schema_id="team", title="team", source="c.xml")
    (folder / "team.yaml").write_text(imported.yaml, encoding="utf-8")
    return load_schema(folder / "team.yaml")


def templates(site_packages: Path) -> list[Template]:
    root = site_packages / "label_studio" / "annotation_templates"
    out = []
    for path in sorted(root.glob("*/*/config.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        key = f"{path.parent.parent.name}/{path.parent.name}"
        out.append(Template(key, str(data.get("title", key)), str(data["config"])))
    return out


def example_data(config: str) -> dict[str, Any]:
    """The template's example task data (a comment holding ``{"data": …}`` or ``[{…}]``)."""
    for body in _COMMENT_RE.findall(config):
        try:
            found = json.loads(body)
        except json.JSONDecodeError:
            continue
        if isinstance(found, dict) and isinstance(found.get("data"), dict):
            return dict(found["data"])
        if isinstance(found, list) and found and isinstance(found[0], dict):
            return dict(found[0])
    return {}


def task_data(schema: Schema, config: str, n: int) -> dict[str, Any]:
    """Task `n`'s data: the example's, with every ``$key`` the config reads present and the
    labelled text's key a string (varied per task so each is its own segment)."""
    data = example_data(config)
    for key in re.findall(r'="\$([A-Za-z_][\w]*)"', config):
        data.setdefault(key, f"{key} of task {n}")
    view = schema.view
    key = view.text_key
    if view.is_dialogue:  # a list of utterances: the example's, or two made up (its chat may be [])
        found = data.get(key)
        turns = found if isinstance(found, list) and found else _dialogue(view)
        data[key] = [*turns, {view.speaker_key: "user", view.utterance_key: f"Task {n}."}]
        return data
    base = data.get(key) if isinstance(data.get(key), str) and data.get(key) else _FILLER
    data[key] = f"{base} (Task {n}.)" if n else base
    return data


def _dialogue(view: View) -> list[dict[str, str]]:
    first, second = _FILLER.split(". ", 1)
    return [
        {view.speaker_key: "user", view.utterance_key: f"{first}?"},
        {view.speaker_key: "assistant", view.utterance_key: second},
    ]


def dialogue_result(el: ET.Element, who: int) -> dict[str, Any]:
    """A result of a control labelling inside a dialogue, as Label Studio writes it: a
    ParagraphLabels region (paragraph indices as strings, offsets within them); a per-message
    answer (its value; which message it answers is Label Studio Enterprise's, not shown here);
    a message added to a <Chat> (type chatmessage, from_name = to_name)."""
    if el.tag == "ParagraphLabels":
        label = next(c.get("alias") or c.get("value") for c in el if c.tag == "Label")
        value = {"start": "0", "end": "0", "startOffset": 0, "endOffset": 4 + who,
                 "paragraphlabels": [label]}  # fmt: skip
        return {"from_name": el.get("name"), "type": "paragraphlabels", "value": value}
    if el.tag == "Chat":  # from_name is to_name: the message is both the object and the result
        value = {"chatmessage": {"role": "user", "content": f"question {who}", "createdAt": 1}}
        return {"from_name": el.get("name"), "type": "chatmessage", "value": value}
    kind = el.tag.lower()
    return {
        "from_name": el.get("name"),
        "type": kind,
        "value": {_SHAPES[kind][0]: _SHAPES[kind][1](who)},
    }


def _words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[A-Za-z][A-Za-z0-9]+", text)]


class _Results:
    def __init__(self, schema: Schema, text: str, who: int) -> None:
        self.schema, self.text, self.who = schema, text, who
        self.out: list[dict[str, Any]] = []
        self.n = 0

    def rid(self) -> str:
        self.n += 1
        return f"r{self.who}x{self.n}"

    def item(self, rid: str, name: str, kind: str, value: dict[str, Any]) -> None:
        self.out.append(
            {"id": rid, "from_name": name, "to_name": self.schema.view.text, "type": kind,
             "value": value, "origin": "manual"}
        )  # fmt: skip

    def answer(self, attr: Attribute, pick: int) -> tuple[str, dict[str, Any]]:
        """(result type, value) of an answer to `attr`; `pick` varies it between annotators."""
        kind, values = attr.kind, attr.values
        if kind == "choices":
            chosen = [values[pick % len(values)]]
            if attr.multiple and len(values) > 1:
                chosen.append(values[(pick + 1) % len(values)])
            return "choices", {"choices": chosen}
        if kind == "taxonomy":
            return "taxonomy", {"taxonomy": [values[pick % len(values)].split("/")]}
        if kind == "rating":
            return "rating", {"rating": 1 + pick % int(attr.max_value or 5)}
        if kind == "number":
            return "number", {"number": (attr.min_value or 0) + pick % 3}
        if kind == "datetime":
            return "datetime", {"datetime": f"2024-05-0{1 + pick % 3}T10:00"}
        return "textarea", {"text": [f"note {pick % 2} by annotator {self.who}"]}

    def build(self, leftover: list[ET.Element]) -> list[dict[str, Any]]:
        schema, who = self.schema, self.who
        spans: list[tuple[str, str, int, int]] = []
        words = _words(self.text)
        # every span control: one span per label; annotator 2 moves the last one a word on
        k = 0
        for control, labels in schema.span_controls.items():
            for label in labels:
                if k + 2 >= len(words):
                    break
                w = k + 1 if who == 2 and label == labels[-1] else k
                start, end = words[w][0], words[w + 1][1] if who != 1 else words[w][1]
                rid = self.rid()
                self.item(rid, control, "labels",
                          {"start": start, "end": end, "text": self.text[start:end],
                           "labels": [label]})  # fmt: skip
                spans.append((rid, label, start, end))
                k += 2
        for rid, label, start, end in spans:
            for attr in schema.region_questions(label):
                kind, value = self.answer(attr, who + len(spans))
                self.item(rid, attr.control_name, kind, {"start": start, "end": end, **value})
        for relation in schema.relations:
            ends = [(a, b) for a in spans for b in spans if a is not b
                    and relation.allows(a[1], b[1])]  # fmt: skip
            if ends and who != 1:
                (a, *_), (b, *_) = ends[0]
                self.out.append({"from_id": a, "to_id": b, "type": "relation",
                                 "direction": "right", "labels": [relation.name]})  # fmt: skip
        for i, attr in enumerate(schema.segment):
            kind, value = self.answer(attr, who // 2 + i)  # annotators 0, 1 agree
            self.item(self.rid(), attr.control_name, kind, value)
        for el in leftover:  # controls the schema left out: kept as they are
            if self.schema.view.is_dialogue:
                to_name = self.schema.view.text
                result = dialogue_result(el, who)
                self.out.append({"id": self.rid(), "to_name": to_name, **result})
                continue
            kind = el.tag.lower()
            value: dict[str, Any] = {kind: f"{kind} answer {who}"}
            if kind in _SHAPES:
                value = {_SHAPES[kind][0]: _SHAPES[kind][1](who)}
            to_name = (el.get("toName") or "").split(",")[0]
            self.out.append({"id": self.rid(), "from_name": el.get("name"), "to_name": to_name,
                             "type": kind, "value": value})  # fmt: skip
        return self.out


def left_out(schema: Schema, config: str) -> list[ET.Element]:
    """The config's controls the schema does not hold (a <Chat> annotators write in is one)."""
    held = {*schema.span_controls, *schema.controls}
    root = ET.fromstring(config)
    return [
        el
        for el in root.iter()
        if (el.get("toName") is not None or _written(el))
        and el.get("name")
        and el.get("name") not in held
    ]


def _written(el: ET.Element) -> bool:
    return el.tag == "Chat" and (el.get("editable", "false") != "false" or bool(el.get("llm")))


def make_export(
    schema: Schema, config: str, *, tasks: int = 3, annotators: int = 3
) -> list[dict[str, Any]]:
    """A Label Studio JSON export: `tasks` tasks, each annotated by `annotators` users."""
    leftover = left_out(schema, config)
    out = []
    for t in range(tasks):
        data = task_data(schema, config, t)
        text = data[schema.view.text_key]
        if schema.view.is_dialogue:
            text = render(schema.view, text)
        annotations = [
            {
                "id": 100 * (t + 1) + who,
                "completed_by": {"id": who + 1, "email": f"annotator{who + 1}@example.org"},
                "was_cancelled": False,
                "ground_truth": False,
                "lead_time": 12.5 + who,
                "created_at": f"2024-05-0{1 + who}T10:00:00.000000Z",
                "updated_at": f"2024-05-0{1 + who}T10:00:00.000000Z",
                "result": _Results(schema, text, who).build(leftover),
            }
            for who in range(annotators)
        ]
        out.append({"id": t + 1, "data": data, "annotations": annotations, "predictions": []})
    return out
