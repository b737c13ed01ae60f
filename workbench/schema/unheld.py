"""Why a Label Studio config leaves a schema nothing to hold: the one-line reason `workbench
schema import` refuses it with (rather than writing a schema that labels nothing).

A schema labels one ``<Text>`` per task with Labels, Relations and questions, or asks questions
about one dialogue (``<Paragraphs>``, ``<Chat>``); a config whose controls all label something
else (``<HyperText>``, a ``<Table>``, a ``<List>`` to rank, images…) or only label inside a
dialogue (its utterances or messages), compare two texts (``<Pairwise>``) or take their choices
from the task's data has nothing a schema can keep. Pure.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from workbench.schema.dialogue import DIALOGUE_KEYS

#: Controls whose answers a schema cannot hold whatever they point at, and why.
_NO_QUESTION = {
    "Pairwise": "compares two texts, a question workbench does not have",
    "Ranker": "ranks a list, a question workbench does not have",
}


def why_nothing(root: ET.Element, held_tags: frozenset[str]) -> str:
    """The reason, for a config none of whose controls label a ``<Text>`` as a schema can."""
    objects: dict[str, ET.Element] = {}
    controls: list[ET.Element] = []
    for el in root.iter():
        name = el.get("name")
        if not name:
            continue
        if el.get("toName") is not None and el.get("toName") != name:
            controls.append(el)
        elif el.get("value") is not None:  # an object (a <Chat> names itself as its toName)
            objects[name] = el
    reasons: list[str] = []
    elsewhere: dict[str, list[str]] = {}  # "<Paragraphs name='d'>" → the controls on it
    for el in controls:
        what = f"<{el.tag} name={el.get('name')!r}>"
        targets = [objects.get(n.strip()) for n in (el.get("toName") or "").split(",")]
        kinds = {t.tag for t in targets if t is not None}
        if el.tag in _NO_QUESTION:
            reasons.append(f"{what} {_NO_QUESTION[el.tag]}")
        elif kinds and "Text" not in kinds:
            target = next(t for t in targets if t is not None)
            where = f"<{target.tag} name={target.get('name')!r}>"
            if target.tag in DIALOGUE_KEYS:  # else its control would have been imported
                where = f"inside the dialogue {where}; no control asks about the whole of it"
            else:
                where += ", not a <Text>"
            elsewhere.setdefault(where, []).append(what)
        elif (el.get("value") or "").startswith("$") or el.get("apiUrl"):
            reasons.append(f"{what} takes its choices from the task's data")
        elif el.tag not in held_tags:
            reasons.append(f"{what} is not a control workbench holds")
    for obj, on in elsewhere.items():
        some = f"{on[0]} labels" if len(on) == 1 else f"{len(on)} controls ({on[0]}, …) label"
        reasons.insert(0, f"{some} {obj}")
    if not reasons:
        shown = [o for o in objects.values() if o.tag != "Text"]
        what = f"<{shown[0].tag} name={shown[0].get('name')!r}>" if shown else ""
        if shown and shown[0].tag in DIALOGUE_KEYS:
            reasons.append(f"no control asks about the dialogue {what}")
        else:
            reasons.append("no control labels a <Text>" + (f"; it shows {what}" if shown else ""))
    return (
        f"nothing to import: {'; '.join(reasons)} (a schema labels one <Text> or dialogue per task)"
    )
