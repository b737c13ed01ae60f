"""A dialogue (``<Paragraphs>`` or ``<Chat>``) as the text a schema labels. Pure.

A schema labels one text per task. A Label Studio project that shows a dialogue instead asks
its questions about the whole dialogue (a conversation's intent, a chatbot's overall quality);
workbench stores the dialogue as text, rendered deterministically from the task's data, one line
per utterance: ``name: text``. For ``<Paragraphs>`` name and text are the keys its ``nameKey``
and ``textKey`` name (Label Studio's defaults: ``author``, ``text``); for ``<Chat>`` they are each
message's ``role`` and ``content``, the transcript Label Studio's own CSV export writes. Controls
that label inside the dialogue (``<ParagraphLabels>``, per-utterance or per-message questions)
have offsets in paragraph indices or message ids, not in this text, so the import leaves them
out and their results are kept as they are.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.schema.model import View

#: Object tags whose value is a dialogue, → (speaker key, utterance key) by default.
DIALOGUE_KEYS: Mapping[str, tuple[str, str]] = {
    "Paragraphs": ("author", "text"),
    "Chat": ("role", "content"),
}
#: Controls that label regions inside a dialogue (whatever their ``perRegion``).
REGION_TAGS = frozenset({"ParagraphLabels"})


def dialogue_view(element: ET.Element) -> dict[str, str]:
    """The view keys naming a dialogue object and how its utterances are read."""
    speaker, utterance = DIALOGUE_KEYS[element.tag]
    if element.tag == "Paragraphs":  # a <Chat>'s keys are fixed by its data format
        speaker = element.get("nameKey") or speaker
        utterance = element.get("textKey") or utterance
    return {"object_tag": element.tag, "speaker_key": speaker, "utterance_key": utterance}


def inside(control: ET.Element) -> bool:
    """Whether `control`, pointing at a dialogue, labels inside it (not the whole dialogue)."""
    return control.tag in REGION_TAGS or control.get("perRegion") == "true"


def render(view: View, value: Any) -> str | None:
    """The text of a dialogue value: one ``name: text`` line per utterance (``text`` alone when
    it has no name, ``name:`` when it has no text); None when `value` is not a list (a URL or
    other data workbench cannot read). An utterance that is not an object is written as JSON."""
    if not isinstance(value, list):
        return None
    lines = []
    for item in value:
        if not isinstance(item, Mapping):
            lines.append(json.dumps(item, ensure_ascii=False, sort_keys=True, default=str))
            continue
        name = _plain(item.get(view.speaker_key))
        text = _plain(item.get(view.utterance_key))
        lines.append(f"{name}: {text}" if name and text else f"{name}:" if name else text)
    return "\n".join(lines)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def labelled_inside(
    dialogue: ET.Element, controls: list[ET.Element]
) -> tuple[list[ET.Element], list[str]]:
    """The `controls` that label inside `dialogue` (left out of an import: their offsets are
    paragraph indices or message ids), and a note for each, and for a <Chat> annotators write
    in."""
    what = f"<{dialogue.tag} name={dialogue.get('name')!r}>"
    kept = "; left out (their results are kept as they are)"
    notes = []
    if dialogue.tag == "Chat" and (
        dialogue.get("editable", "false") != "false" or dialogue.get("llm")
    ):
        notes.append(
            f"{what}: messages annotators add (and an LLM's replies) are results of type"
            f" chatmessage, not the task's text, which is the task's own messages{kept}"
        )
    inner = []
    for el in controls:
        on_it = dialogue.get("name") in [n.strip() for n in (el.get("toName") or "").split(",")]
        if el.tag == "Relations" or (on_it and (el.tag == "Labels" or inside(el))):
            inner.append(el)
            notes.append(
                f"<{el.tag} name={el.get('name')!r}>: labels inside the dialogue {what}{kept}"
            )
    return inner, notes
