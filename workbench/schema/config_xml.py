"""Schema → Label Studio labeling config (XML). Deterministic; never edited by hand."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from workbench.schema.model import CONTEXT_NAME, KINDS, Attribute, Choice

if TYPE_CHECKING:
    from workbench.schema.model import Schema


def label_config(schema: Schema) -> str:
    """The generated view: the news layout (title header, context, headed questions) or, for
    an imported project, the plain layout with the project's own names."""
    root = ET.Element("View")
    view = schema.view
    news = view.layout == "news"
    if news:
        _news_header(root, schema)
    choice = "multiple" if view.multi_label else "single"
    for control, names in schema.span_controls.items():
        if not names:  # a classification-only view (imported): no Labels control at all
            continue
        labels = ET.SubElement(root, "Labels", name=control, toName=view.text, choice=choice)
        for label in schema.labels:
            if label.name in names:
                _option(labels, "Label", label.name, label.hotkey, label.description, label.color)
    text_attrs = {"name": view.text, "value": view.value}
    if news:
        text_attrs["granularity"] = "word"
    if view.object_tag == "Paragraphs":
        text_attrs |= {"layout": "dialogue", "nameKey": view.speaker_key}
        text_attrs["textKey"] = view.utterance_key
    ET.SubElement(root, view.object_tag, text_attrs)

    # Segment-level questions sit right under the text, so they do not jump down when a
    # region's attribute questions appear below.
    for attr in schema.segment:
        box = ET.SubElement(root, "View", className="wb-attr", style="margin-top: 0.8em;")
        if news:
            title = f"Segment {attr.name}" + (" *" if attr.required else "")
            ET.SubElement(box, "Header", value=title, size="5")
        elif attr.description:
            ET.SubElement(box, "Header", value=attr.description, size="6")
        _control(box, attr, view.text)

    if schema.relations:
        rels = ET.SubElement(root, "Relations")
        for rel in schema.relations:
            ET.SubElement(rels, "Relation", value=rel.name)

    for attr in schema.region_attributes:
        box_attrs = {"visibleWhen": "region-selected"}
        if attr.label is not None:
            box_attrs["whenLabelValue"] = attr.label
        box = ET.SubElement(
            root, "View", {**box_attrs, "className": "wb-attr", "style": "margin-top: 0.5em;"}
        )
        if news:
            readable = attr.name.replace("_", " ").capitalize()
            where = f" ({attr.label})" if attr.label else ""
            title = f"{readable}{where}" + (" *" if attr.required else "")
            ET.SubElement(box, "Header", value=title, size="6")
        _control(box, attr, view.text, perRegion="true", **box_attrs)

    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def _news_header(root: ET.Element, schema: Schema) -> None:
    # Label Studio's own heading styles beat inline `style` on <Header>: a <Style> block
    # with !important is the one way to keep the meta line and attribute headings small.
    style = ET.SubElement(root, "Style")
    style.text = (
        ".wb-meta h4 { font-size: 12px !important; font-weight: 400 !important;"
        " color: #888888 !important; margin: 0 0 0.6em 0 !important; }"
        " .wb-attr h4 { font-size: 14px !important; margin: 0.4em 0 0.2em 0 !important; }"
        # a question's heading beside its answers, not above: on a 1280×720 window two
        # questions of a region under a long paragraph then still fit on the screen (a
        # hidden question's inline display:none still wins over this class rule)
        " .wb-attr { display: flex; flex-wrap: wrap; align-items: baseline; column-gap: 1em; }"
        " .wb-attr .lsf-choices { margin: 0.2em 0; }"
        " .wb-feedback h4 { color: #b00020 !important; font-size: 13px !important;"
        " margin: 0 0 0.6em 0 !important; }"
    )
    if schema.relations and schema.relations_typed_by_labels:
        # a relation's name chip sits on the words of the line above its regions and hides
        # them; the name says nothing the two labels do not (pull types the link from them)
        style.text += " .relations-overlay g[transform] { display: none !important; }"
    ET.SubElement(root, "Header", value="$title", size="4")
    note = f"Schema {schema.id} ({schema.version})"
    if schema.relations and schema.relations_typed_by_labels:
        note += " · link: alt+r, then click the other region (no type to pick)"
    if schema.guidelines:
        note += " · guidelines, hotkeys: Instructions"
    meta = ET.SubElement(root, "View", className="wb-meta")
    ET.SubElement(meta, "Header", value=note, size="6")
    # problems pull found in this task's annotations, for their annotators; empty: invisible
    feedback = ET.SubElement(root, "View", className="wb-feedback")
    ET.SubElement(feedback, "Header", value="$feedback", size="6")
    ctx = ET.SubElement(
        root,
        "View",
        style=(
            "color: #888888; font-size: 0.85em; border-left: 3px solid #dddddd;"
            " padding-left: 0.6em; margin-bottom: 0.8em;"
            # at most three lines, scrolled to the end (column-reverse starts a scroll box at
            # its end): the previous paragraph's last lines are the ones a segment continues
            " max-height: 4.8em; overflow-y: auto; display: flex; flex-direction: column-reverse;"
        ),
    )
    ET.SubElement(ctx, "Text", name=CONTEXT_NAME, value="$context", selectionEnabled="false")


def _control(parent: ET.Element, attr: Attribute, to_name: str, **extra: str) -> None:
    """One question's control tag (Choices, Taxonomy, TextArea, Rating, Number, DateTime)."""
    attrs = {"name": attr.control_name, "toName": to_name}
    if attr.kind == "choices":
        attrs["choice"] = "multiple" if attr.multiple else "single-radio"
    attrs.update(extra)
    if attr.kind == "choices":
        attrs["showInline"] = "true"
    if attr.kind == "taxonomy" and not attr.multiple:
        attrs["maxUsages"] = "1"
    if attr.kind == "rating" and attr.max_value is not None:
        attrs["maxRating"] = str(int(attr.max_value))
    if attr.kind == "number":
        for key, value in (("min", attr.min_value), ("max", attr.max_value)):
            if value is not None:
                attrs[key] = f"{value:g}"
    if attr.required:
        attrs["required"] = "true"
        attrs["requiredMessage"] = _required_message(attr)
    tag = ET.SubElement(parent, KINDS[attr.kind], attrs)
    _choice_tags(tag, attr.choices)


def _required_message(attr: Attribute) -> str:
    """What the editor says when Submit finds a required answer missing: in the view's words,
    and how to answer. For a region question the editor has just selected the first region
    without the answer (Label Studio's per-region check), so its keys answer it at once."""
    question = attr.name.replace("_", " ").capitalize()
    keys = " ".join(c.hotkey for c in attr.choices if c.hotkey)
    then = f"press OK, then one of {keys}" if keys else "press OK, then answer it"
    if not attr.per_region:
        return f"The segment has no answer to “{question}”: {then}."
    what = f"A {attr.label}" if attr.label and not attr.any_region else "A region"
    return f"{what} has no answer to “{question}”. It is selected now: {then}."


def _choice_tags(parent: ET.Element, choices: tuple[Choice, ...]) -> None:
    for choice in choices:
        child = _option(parent, "Choice", choice.value, choice.hotkey, choice.description)
        _choice_tags(child, choice.children)


def _option(
    parent: ET.Element, tag: str, value: str, hotkey: str, hint: str, background: str = ""
) -> ET.Element:
    """A <Label> or <Choice>, its empty attributes left out."""
    attrs = {"value": value, "hotkey": hotkey, "background": background, "hint": hint}
    return ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v})
