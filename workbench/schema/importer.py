"""A Label Studio labeling config (XML) → schema YAML: ``workbench schema import``. Pure.

The schema keeps what existing annotations depend on (the ``<Text>``'s name and value, every
control's name, every label, choice, taxonomy path and relation value), so the plain view
generated from it accepts every result made under the original config. What cannot be kept is
named, one line each, in `ImportedSchema.notes` (the decisions are listed in the README);
layout tags are left out quietly.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from workbench.errors import ConfigError
from workbench.schema.dialogue import DIALOGUE_KEYS, REGION_TAGS, dialogue_view, labelled_inside
from workbench.schema.load import parse_schema
from workbench.schema.model import KINDS, Schema
from workbench.schema.rules import (
    FREE_VALUE_RE,
    HOTKEY_RE,
    ID_RE,
    NAME_BAD_RE,
    RESERVED_HOTKEYS,
    canonical_hotkey,
)
from workbench.schema.unheld import why_nothing

#: Tags of the view's layout: left out without a note.
LAYOUT_TAGS = frozenset({"View", "Header", "Style", "Filter", "Collapse", "Panel"})
#: Control tags the schema describes, → attribute kind (``Labels``/``Relations``: own sections).
QUESTION_TAGS: Mapping[str, str] = {tag: kind for kind, tag in KINDS.items()}
#: Tags whose children are not walked: the labelled object, and controls (their children are
#: their labels, choices and relations).
_LEAVES = frozenset({"Style", "Text", "Labels", "Relations", *QUESTION_TAGS})
_HELD_TAGS = frozenset({"Labels", "Relations", *QUESTION_TAGS})
_VISIBILITY = ("visibleWhen", "whenTagName", "whenLabelValue", "whenChoiceValue")
_ID_BAD_RE = re.compile(r"[^a-z0-9._-]+")
_HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
#: CSS colour names Label Studio templates use, as #rrggbb.
_NAMED_COLOURS: Mapping[str, str] = {
    "black": "#000000", "white": "#ffffff", "red": "#ff0000", "green": "#008000",
    "blue": "#0000ff", "yellow": "#ffff00", "orange": "#ffa500", "purple": "#800080",
    "pink": "#ffc0cb", "brown": "#a52a2a", "gray": "#808080", "grey": "#808080",
    "cyan": "#00ffff", "magenta": "#ff00ff", "lime": "#00ff00", "navy": "#000080",
    "teal": "#008080", "olive": "#808000", "maroon": "#800000", "silver": "#c0c0c0",
    "gold": "#ffd700", "violet": "#ee82ee", "indigo": "#4b0082", "coral": "#ff7f50",
    "salmon": "#fa8072", "khaki": "#f0e68c", "orchid": "#da70d6", "tomato": "#ff6347",
    "turquoise": "#40e0d0", "crimson": "#dc143c", "lightblue": "#add8e6",
    "lightgreen": "#90ee90", "darkblue": "#00008b", "darkgreen": "#006400",
    "darkorange": "#ff8c00", "darkred": "#8b0000", "skyblue": "#87ceeb",
}  # fmt: skip


@dataclass(frozen=True)
class ImportedSchema:
    """The schema YAML written for a config, the schema it loads as, and what was not kept."""

    yaml: str
    schema: Schema
    notes: tuple[str, ...] = ()


def schema_id_from(name: str) -> str:
    """A schema id (``[a-z0-9][a-z0-9._-]*``) made from a file or project name."""
    cleaned = _ID_BAD_RE.sub("-", name.lower()).strip("-._")
    return cleaned or "imported"


def import_config(
    xml_text: str, *, schema_id: str, title: str, source: str = "<label config>"
) -> ImportedSchema:
    """The schema YAML for a Label Studio labeling config. Raises :class:`ConfigError` (one
    line) for a config that is not XML or leaves nothing to hold: no control labels a
    ``<Text>`` (`workbench.schema.unheld` says what its controls label instead)."""
    if not ID_RE.match(schema_id):
        raise ConfigError(
            f"schema id {schema_id!r} must be lower-case letters, digits, '.', '_' or '-',"
            " e.g. 'team-ner'"
        )
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        line, col = exc.position
        raise ConfigError(f"{source}: line {line}, column {col + 1}: not well-formed XML") from None
    importer = _Importer(source)
    data = importer.run(root, schema_id, title)
    header = [
        f"# Imported from {source} by `workbench schema import`.",
        "# Control names, values and hotkeys are the project's own: existing annotations stay"
        " valid.",
    ]
    header += [f"# not kept: {note}" for note in importer.notes]
    text = "\n".join(header) + "\n" + _dump(data)
    try:
        schema = parse_schema(text, source=f"{source} (imported)")
    except ConfigError as exc:  # the importer made something the loader refuses: say so
        raise ConfigError(f"{exc.message} — the import of this config is not supported") from None
    return ImportedSchema(yaml=text, schema=schema, notes=tuple(importer.notes))


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@dataclass
class _Control:
    element: ET.Element
    conditions: dict[str, str]  # the visibility attributes in force (own, then inherited)
    header: str  # the nearest preceding <Header> text, the question's description


@dataclass
class _Importer:
    source: str
    notes: list[str] = field(default_factory=list)
    hotkeys: set[str] = field(default_factory=set)
    hotkeys_missing: bool = False

    def note(self, line: str) -> None:
        self.notes.append(line)

    # -- the walk ----------------------------------------------------------------------------

    def run(self, root: ET.Element, schema_id: str, title: str) -> dict[str, Any]:
        if root.tag != "View":
            raise ConfigError(f"{self.source}: the config must start with <View>, not <{root.tag}>")
        texts: list[ET.Element] = []
        controls: list[_Control] = []
        for element, conditions, header in _walk(root, {}):
            tag = element.tag
            if tag in LAYOUT_TAGS:
                continue
            if tag == "Text" or tag in DIALOGUE_KEYS:  # a <Chat> names itself as its toName
                texts.append(element)
            elif tag in ("Labels", "Relations", *REGION_TAGS) or tag in QUESTION_TAGS:
                controls.append(_Control(element, conditions, header))
            elif element.get("toName") is not None:
                self.note(f"<{tag} name={element.get('name')!r}>: not a text control; left out")
            elif (name := element.get("name")) is not None:
                self.note(f"<{tag} name={name!r}>: only <Text> is labelled; left out")
            else:
                self.note(f"<{tag}>: not a tag workbench knows; left out")
        text = self.labelled_text(root, texts, controls)
        text_name = text.get("name", "")
        for other in texts:  # another <Text> is instructions, a dialogue is data: say so
            if other is not text and other.tag in DIALOGUE_KEYS:
                self.note(
                    f"<{other.tag} name={other.get('name')!r}>: not the labelled text; left out"
                )
        if text.tag in DIALOGUE_KEYS:  # questions about the whole dialogue are kept
            inner, notes = labelled_inside(text, [c.element for c in controls])
            self.notes += notes
            controls = [c for c in controls if c.element not in inner]
        mine: list[_Control] = []
        for control in controls:
            el = control.element
            if el.tag == "Relations" or (
                text_name in _names(el.get("toName")) and el.tag not in REGION_TAGS
            ):
                mine.append(control)
            else:
                self.note(
                    f"<{el.tag} name={el.get('name')!r}>: points at {el.get('toName')!r}, not"
                    f" the labelled text {text_name!r}; left out"
                )
        data = self.schema(mine, text, schema_id, title)
        if not any(data.get(key) for key in ("labels", "segment", "regions")):
            # a schema of nothing would make a dataset of empty annotations: refuse instead
            raise ConfigError(f"{self.source}: {why_nothing(root, _HELD_TAGS)}")
        return data

    def labelled_text(
        self, root: ET.Element, texts: list[ET.Element], controls: list[_Control]
    ) -> ET.Element:
        candidates = [t for t in texts if (t.get("value") or "").startswith("$") and t.get("name")]
        if not candidates:
            raise ConfigError(f"{self.source}: {why_nothing(root, _HELD_TAGS)}")
        by_name = {t.get("name"): t for t in candidates}
        for control in controls:  # the text the (first) Labels control labels
            if control.element.tag == "Labels":
                for name in _names(control.element.get("toName")):
                    if name in by_name:
                        return by_name[name]
        # else the text most controls point at (the first of those)
        counts = Counter(n for c in controls for n in _names(c.element.get("toName")))
        return max(candidates, key=lambda t: counts[t.get("name", "")])

    # -- sections ----------------------------------------------------------------------------

    def schema(
        self, controls: list[_Control], text: ET.Element, schema_id: str, title: str
    ) -> dict[str, Any]:
        labels: list[dict[str, Any]] = []
        label_controls: dict[str, list[str]] = {}  # Labels name → its label values
        seen_labels: set[str] = set()
        multi: set[bool] = set()
        for control in controls:
            el = control.element
            if el.tag != "Labels":
                continue
            name = el.get("name", "")
            if (el.get("value") or "").startswith("$"):
                self.note(f"<Labels name={name!r}>: labels loaded from task data; left out")
                continue
            multi.add(el.get("choice") == "multiple")
            label_controls[name] = []
            for child in el:
                if child.tag != "Label":
                    continue
                label = self.label(child, name, seen_labels)
                if label is not None:
                    if label_controls and name != next(iter(label_controls)):
                        label["control"] = name
                    labels.append(label)
                    label_controls[name].append(label["name"])
        if len(multi) > 1:
            self.note(
                "<Labels>: some controls take several labels per region, some one;"
                " every control now takes several"
            )
        used = {c.element.get("name", "") for c in controls}
        labels_name = next(iter(label_controls), None) or _free_name("label", used)

        relations: list[dict[str, Any]] = []
        seen_relations: set[str] = set()
        segment: list[dict[str, Any]] = []
        regions: list[dict[str, Any]] = []
        attr_names: dict[str, set[str]] = {}  # per list: names taken (lower case)
        by_label = {label["name"]: label for label in labels}
        for control in controls:
            el = control.element
            if el.tag == "Relations":
                for child in el:
                    if child.tag == "Relation":
                        rel = self.value(child, "relation", "<Relations>", seen_relations)
                        if rel is not None:
                            relations.append({"name": rel})
                continue
            if el.tag == "Labels":
                continue
            attr = self.question(control)
            if attr is None:
                continue
            where = self.where(control, attr, label_controls, set(by_label))
            if where is None:
                segment.append(attr)
            elif where == "":
                regions.append(attr)
            else:
                by_label[where].setdefault("attributes", []).append(attr)
            owner = attr_names.setdefault(str(where), set())  # names are unique per list
            self.name_attribute(attr, el.get("name", ""), where or None, owner)

        view: dict[str, Any] = {
            "text": text.get("name", ""),
            "value": text.get("value", ""),
            "labels": labels_name,
            **({"multi_label": True} if True in multi else {}),
            "hotkeys": "optional" if self.hotkeys_missing else "required",
            "names": "free",
            "layout": "plain",
            **(dialogue_view(text) if text.tag in DIALOGUE_KEYS else {}),
        }
        data: dict[str, Any] = {"id": schema_id, "title": title, "view": view, "labels": labels}
        sections = {"relations": relations, "segment": segment, "regions": regions}
        return data | {k: v for k, v in sections.items() if v}

    def label(self, el: ET.Element, control: str, seen: set[str]) -> dict[str, Any] | None:
        value = self.value(el, "label", f"<Labels name={control!r}>", seen)
        if value is None:
            return None
        out = {
            "name": value,
            "hotkey": self.hotkey(el, f"label {value!r}"),
            "color": self.colour(el.get("background"), value),
            "description": self.description(el, value),
        }
        return {k: v for k, v in out.items() if v}

    def value(self, el: ET.Element, what: str, where: str, seen: set[str]) -> str | None:
        """A label/choice/relation value as results hold it (the alias, when there is one)."""
        value = el.get("alias") or el.get("value")
        if value is None:
            self.note(f"{where}: a <{el.tag}> without a value; left out")
            return None
        if len(value) > 256 or not FREE_VALUE_RE.match(value):
            self.note(
                f"{where}: {what} {value!r} has a ',' or surrounding spaces, which a schema"
                " cannot hold; left out (annotations using it will be quarantined)"
            )
            return None
        if value.lower() in seen:
            self.note(f"{where}: {what} {value!r} is listed twice; the second is left out")
            return None
        seen.add(value.lower())
        return value

    def description(self, el: ET.Element, value: str) -> str:
        hint = (el.get("hint") or "").strip()
        shown = el.get("value")
        if el.get("alias") and shown and shown != value:
            return f"{hint} (shown as {shown!r})" if hint else f"shown as {shown!r}"
        return hint

    def hotkey(self, el: ET.Element, what: str) -> str:
        raw = el.get("hotkey")
        if raw is None or not raw.strip():
            self.hotkeys_missing = True
            return ""
        key = raw.strip().lower()
        why = ""
        if not HOTKEY_RE.match(key):
            why = "not a key workbench can check"
        elif canonical_hotkey(key) in RESERVED_HOTKEYS:
            why = f"reserved by Label Studio ({RESERVED_HOTKEYS[canonical_hotkey(key)]})"
        elif canonical_hotkey(key) in self.hotkeys:
            why = "already used by another label or choice"
        if why:
            self.note(f"hotkey {raw!r} of {what}: {why}; dropped")
            self.hotkeys_missing = True
            return ""
        self.hotkeys.add(canonical_hotkey(key))
        return key

    def colour(self, raw: str | None, label: str) -> str:
        if not raw:
            return ""
        value = raw.strip().lower()
        if _HEX_RE.match(value):
            return value if len(value) == 7 else "#" + "".join(c * 2 for c in value[1:])
        if value in _NAMED_COLOURS:
            return _NAMED_COLOURS[value]
        self.note(f"colour {raw!r} of label {label!r}: not a #rrggbb colour; dropped")
        return ""

    # -- questions ---------------------------------------------------------------------------

    def question(self, control: _Control) -> dict[str, Any] | None:
        el = control.element
        tag, name = el.tag, el.get("name", "")
        kind = QUESTION_TAGS[tag]
        # name (made valid) and control (dropped when it follows from the name): name_attribute
        out: dict[str, Any] = {"name": name, "kind": kind, "control": name}
        if kind == "choices":
            del out["kind"]
        if kind in ("choices", "taxonomy"):
            if (el.get("value") or "").startswith("$") or el.get("apiUrl"):
                self.note(
                    f"<{tag} name={name!r}>: choices loaded from task data or a URL; left out"
                )
                return None
            choices = self.choices(el, f"<{tag} name={name!r}>", nested=kind == "taxonomy")
            if not choices:
                self.note(f"<{tag} name={name!r}>: no choices; left out")
                return None
            multiple = (
                el.get("choice") == "multiple" if kind == "choices" else el.get("maxUsages") != "1"
            )
            if multiple:
                out["multiple"] = True
            out["choices"] = choices
        if kind == "rating" and el.get("maxRating"):
            number = self.number(el, "maxRating")
            if number is not None:
                out["max_value"] = int(number)
        if kind == "number":
            for attr, key in (("min", "min_value"), ("max", "max_value")):
                number = self.number(el, attr)
                if number is not None:
                    out[key] = int(number) if number == int(number) else number
        if el.get("required") == "true":
            out["required"] = True
        if control.header:
            out["description"] = control.header
        return out

    def number(self, el: ET.Element, attr: str) -> float | None:
        raw = el.get(attr)
        if raw is None:
            return None
        try:
            return float(raw)
        except ValueError:
            self.note(
                f"<{el.tag} name={el.get('name')!r}>: {attr}={raw!r} is not a number; dropped"
            )
            return None

    def choices(self, parent: ET.Element, where: str, *, nested: bool) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for child in parent:
            if child.tag != "Choice":
                continue
            value = self.value(child, "choice", where, seen)
            if value is None:
                continue
            choice = {
                "value": value,
                "hotkey": self.hotkey(child, f"choice {value!r} of {where}"),
                "description": self.description(child, value),
                "children": nested and self.choices(child, f"{where} {value!r}", nested=True),
            }
            out.append({k: v for k, v in choice.items() if v})
        return out

    def where(
        self,
        control: _Control,
        attr: dict[str, Any],
        label_controls: Mapping[str, list[str]],
        labels: set[str],
    ) -> str | None:
        """Where a question goes: None (the segment), "" (any region) or a label's name."""
        el, cond = control.element, control.conditions
        what = f"<{el.tag} name={el.get('name')!r}>"
        visible = cond.get("visibleWhen")
        per_region = el.get("perRegion") == "true"
        if visible in ("choice-selected", "choice-unselected", "no-region-selected") or (
            visible == "region-selected" and not per_region
        ):
            when = ", ".join(f"{k}={cond[k]!r}" for k in _VISIBILITY if k in cond)
            self.note(
                f"{what}: shown only when {when} in Label Studio; always shown here"
                + _drop_required(attr)
            )
        if not per_region:
            return None
        wanted = _names(cond.get("whenLabelValue"))
        if not wanted and cond.get("whenTagName") in label_controls:
            wanted = list(label_controls[cond["whenTagName"]])
        if len(wanted) == 1 and wanted[0] in labels:
            return wanted[0]
        if wanted:
            self.note(
                f"{what}: asked for regions labelled {', '.join(wanted)} in Label Studio;"
                " imported as a question for any region" + _drop_required(attr)
            )
        elif attr.get("required"):  # regions made through the API or from predictions lack it
            self.note(f"{what}: asked of every region in Label Studio" + _drop_required(attr))
        return ""

    def name_attribute(
        self, attr: dict[str, Any], control: str, label: str | None, taken: set[str]
    ) -> None:
        """An attribute name the loader accepts, made from the control's name; the control's
        own name is kept in `control` when the generated one would differ."""
        base = NAME_BAD_RE.sub("_", control)
        if not base[:1].isalpha():
            base = f"q_{base}"
        name = _free_name(base[:60], taken)
        taken.add(name.lower())
        attr["name"] = name
        if (name if not label else f"{label.lower()}_{name}") == control:
            del attr["control"]


def _walk(
    element: ET.Element, inherited: dict[str, str]
) -> Iterator[tuple[ET.Element, dict[str, str], str]]:
    """Every tag below `element` (not inside a control), with the visibility conditions in
    force and the text of the nearest preceding ``<Header>``."""
    header = ""
    for child in element:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        own = {k: child.get(k, "") for k in _VISIBILITY if child.get(k) is not None}
        conditions = {**inherited, **own}
        yield child, conditions, header
        if child.tag == "Header":
            value = (child.get("value") or child.text or "").strip()
            header = "" if value.startswith("$") else value
            continue
        # into layout, and into unknown tags (named by the caller) that may hold controls
        if child.get("toName") is None and child.tag not in _LEAVES:
            yield from _walk(child, conditions)
        if child.tag != "Style":
            header = ""  # a heading belongs to the one tag after it


def _drop_required(attr: dict[str, Any]) -> str:
    if attr.pop("required", False):
        return " (no longer required, so annotations that never saw it stay valid)"
    return ""


def _names(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _free_name(base: str, used: set[str]) -> str:
    """`base`, or `base_2`, `base_3`…: the first not in `used` (as it is, or lower-cased)."""
    name, n = base, 2
    while name in used or name.lower() in used:
        name, n = f"{base}_{n}", n + 1
    return name
