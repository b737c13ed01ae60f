"""The typed schema: frozen records of what annotators label (see the package docstring)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

#: Name of the ``<Text>`` object tag holding the segment (``to_name`` of every result).
TEXT_NAME = "text"
#: Name of the ``<Labels>`` control (``from_name`` of span results).
LABELS_NAME = "label"
#: Name of the non-selectable ``<Text>`` showing the previous paragraph.
CONTEXT_NAME = "context"
#: Task data keys the view reads.
TASK_FIELDS: tuple[str, ...] = ("text", "title", "context", "feedback")

#: The kinds of question (Label Studio control tags) an attribute can be.
KINDS: Mapping[str, str] = {
    "choices": "Choices",
    "taxonomy": "Taxonomy",
    "textarea": "TextArea",
    "rating": "Rating",
    "number": "Number",
    "datetime": "DateTime",
}
#: Kinds whose answers are categories (agreement and consensus cover them).
CATEGORICAL_KINDS = frozenset({"choices", "taxonomy", "rating"})


@dataclass(frozen=True)
class Choice:
    """One allowed value of an attribute, with its hotkey (``""``: none)."""

    value: str
    hotkey: str = ""
    description: str = ""
    off_scale: bool = False  # outside the ordinal scale of an ordered attribute (e.g. "mixed")
    children: tuple[Choice, ...] = ()  # a taxonomy's sub-categories


@dataclass(frozen=True)
class Attribute:
    """A question: per region (``label`` set, or ``any_region``) or per segment."""

    name: str
    choices: tuple[Choice, ...] = ()
    description: str = ""
    required: bool = False
    ordered: bool = False
    label: str | None = None
    kind: str = "choices"  # a key of KINDS: the Label Studio control
    multiple: bool = False  # a choices or taxonomy answer may hold several values
    control: str | None = None  # the control's name, unless <label>_<name> (imported views)
    any_region: bool = False  # per region, whatever the region's label
    max_value: float | None = None  # Rating: maxRating; Number: max
    min_value: float | None = None  # Number: min

    @property
    def control_name(self) -> str:
        """The ``name``/``from_name`` of this attribute's control in Label Studio."""
        if self.control:
            return self.control
        if self.label is None:
            return self.name
        return f"{self.label.lower()}_{self.name}"

    @property
    def per_region(self) -> bool:
        return self.label is not None or self.any_region

    @property
    def categorical(self) -> bool:
        return self.kind in CATEGORICAL_KINDS

    @cached_property
    def values(self) -> tuple[str, ...]:
        """Every value an answer may hold: choices; taxonomy paths (``a/b``); rating steps."""
        if self.kind == "taxonomy":
            return tuple(_paths(self.choices, ""))
        if self.kind == "rating":
            return tuple(str(k) for k in range(1, int(self.max_value or 5) + 1))
        return tuple(c.value for c in self.choices)

    @property
    def ordinal_values(self) -> tuple[str, ...]:
        """The values on the ordinal scale, lowest first; empty if the attribute is nominal."""
        if self.kind == "rating":
            return self.values
        if not self.ordered:
            return ()
        return tuple(c.value for c in self.choices if not c.off_scale)

    def rank(self, value: str) -> int | None:
        """Position of ``value`` on the ordinal scale, or None (nominal, off-scale, unknown)."""
        scale = self.ordinal_values
        return scale.index(value) if value in scale else None


def _paths(choices: tuple[Choice, ...], prefix: str) -> list[str]:
    out: list[str] = []
    for c in choices:
        path = f"{prefix}{c.value}"
        out.append(path)
        out.extend(_paths(c.children, path + "/"))
    return out


@dataclass(frozen=True)
class Label:
    """A span label (of the schema's Labels control, or of `control` when it has several)."""

    name: str
    hotkey: str = ""
    color: str = ""
    description: str = ""
    attributes: tuple[Attribute, ...] = ()
    control: str | None = None
    # what pull trims off this label's spans (the editor's word snapping includes it):
    # "quotes" (quotation marks at either end), "possessive" ('s / ’s at the end)
    trim: tuple[str, ...] = ()

    def attribute(self, name: str) -> Attribute:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        raise KeyError(name)


@dataclass(frozen=True)
class Relation:
    """A directed relation between two spans: ``from`` label(s) → ``to`` label(s); empty
    ends (an imported ``<Relations>``) allow any label."""

    name: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    description: str = ""

    def ends(self, sep: str = ", ") -> tuple[str, str]:
        """The labels of its two ends as text: "any label" for an end that allows any."""
        return (sep.join(self.from_labels) or "any label", sep.join(self.to_labels) or "any label")

    def allows(self, from_label: str, to_label: str) -> bool:
        return (not self.from_labels or from_label in self.from_labels) and (
            not self.to_labels or to_label in self.to_labels
        )


@dataclass(frozen=True)
class View:
    """How the project's Label Studio view names things. The defaults are the generated news
    view; an imported project keeps its own names (``schema import``)."""

    text: str = TEXT_NAME  # the <Text> object's name (every result's to_name)
    value: str = "$text"  # its value: the task data key it shows
    labels: str = LABELS_NAME  # the <Labels> control's name
    multi_label: bool = False  # choice="multiple" on <Labels>: a region may carry several
    hotkeys: str = "required"  # or "optional" (imported views often have none)
    names: str = "strict"  # or "free": label and choice values may be any text without ','
    layout: str = "news"  # "news": title, context and headers; "plain": the controls only
    # the object `text` names: a <Text>, or a dialogue stored as its rendered text
    # (workbench.schema.dialogue), each utterance's speaker and text read from these keys
    object_tag: str = "Text"  # or "Paragraphs", "Chat"
    speaker_key: str = ""
    utterance_key: str = ""

    @property
    def text_key(self) -> str:
        return self.value.removeprefix("$")

    @property
    def is_dialogue(self) -> bool:
        return self.object_tag != "Text"


@dataclass(frozen=True)
class Schema:
    """A validated annotation schema. Build it with :func:`load_schema` or :func:`parse_schema`."""

    id: str
    title: str
    labels: tuple[Label, ...]
    relations: tuple[Relation, ...] = ()
    segment: tuple[Attribute, ...] = ()
    guidelines: str | None = None
    source: Path | None = field(default=None, compare=False)
    version: str = field(default="", compare=False)
    view: View = View()
    regions: tuple[Attribute, ...] = ()  # per-region questions for any label

    def __post_init__(self) -> None:
        if not self.version:
            object.__setattr__(self, "version", _hash_json(self.to_dict()))

    # -- look-ups ----------------------------------------------------------------------------
    # Cached: the schema is immutable, and these run once per annotation result at scale.

    @cached_property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    @cached_property
    def relation_names(self) -> tuple[str, ...]:
        return tuple(rel.name for rel in self.relations)

    @cached_property
    def region_attributes(self) -> tuple[Attribute, ...]:
        return tuple(attr for label in self.labels for attr in label.attributes) + self.regions

    @cached_property
    def attributes(self) -> tuple[Attribute, ...]:
        """All questions: per-region ones, then segment-level ones."""
        return self.region_attributes + self.segment

    @cached_property
    def controls(self) -> dict[str, Attribute]:
        """``from_name`` → attribute, for every question control in the view."""
        return {attr.control_name: attr for attr in self.attributes}

    @cached_property
    def span_controls(self) -> dict[str, tuple[str, ...]]:
        """``from_name`` → its label names, for every Labels control in the view."""
        out: dict[str, list[str]] = {}
        for label in self.labels:
            out.setdefault(label.control or self.view.labels, []).append(label.name)
        if not out:
            out[self.view.labels] = []
        return {name: tuple(names) for name, names in out.items()}

    def label(self, name: str) -> Label:
        for label in self.labels:
            if label.name == name:
                return label
        raise KeyError(name)

    def relation(self, name: str) -> Relation:
        for rel in self.relations:
            if rel.name == name:
                return rel
        raise KeyError(name)

    def region_questions(self, label: str) -> tuple[Attribute, ...]:
        """The per-region questions a region with this label may answer."""
        own = self.label(label).attributes if label in self.label_names else ()
        return own + self.regions

    @cached_property
    def relations_typed_by_labels(self) -> bool:
        """Every pair of labels allows at most one relation (either way round): an untyped link
        can then always be typed from its two ends (`workbench.annotation`)."""
        names = self.label_names
        return all(
            len({r.name for r in self.relations if r.allows(a, b) or r.allows(b, a)}) <= 1
            for a in names
            for b in names
        )

    def hotkeys(self) -> dict[str, str]:
        """Every hotkey in the view → what it does (``Source``, ``Content.quote_type=direct``)."""
        keys: dict[str, str] = {label.hotkey: label.name for label in self.labels if label.hotkey}
        for attr in self.attributes:
            prefix = f"{attr.label}.{attr.name}" if attr.label else attr.name
            for choice in attr.choices:
                if choice.hotkey:
                    keys[choice.hotkey] = f"{prefix}={choice.value}"
        return keys

    @property
    def guidelines_path(self) -> Path | None:
        """The guideline file, resolved next to the schema file."""
        if self.guidelines is None:
            return None
        base = self.source.parent if self.source is not None else Path.cwd()
        return base / self.guidelines

    @property
    def guidelines_version(self) -> str | None:
        """sha256 (12 hex) of the guideline file's bytes, or None without a readable file."""
        path = self.guidelines_path
        if path is None or not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    # -- serialisation -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The normalised schema as plain data (what :attr:`version` hashes). Keys added for
        other projects' views appear only when they differ from the default, so the news
        schema's version (and every release made under it) stays what it was."""
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "guidelines": self.guidelines,
            "labels": [_label_dict(label) for label in self.labels],
            "relations": [
                {
                    "name": rel.name,
                    "description": rel.description,
                    "from": list(rel.from_labels),
                    "to": list(rel.to_labels),
                }
                for rel in self.relations
            ],
            "segment": [_attr_dict(a) for a in self.segment],
        }
        if self.regions:
            out["regions"] = [_attr_dict(a) for a in self.regions]
        if self.view != View():
            out["view"] = {k: v for k, v in vars(self.view).items() if v != getattr(View(), k)}
        return out


def _choice_dict(c: Choice) -> dict[str, Any]:
    out = {k: getattr(c, k) for k in ("value", "hotkey", "description", "off_scale")}
    if c.children:
        out["children"] = [_choice_dict(k) for k in c.children]
    return out


def _attr_dict(attr: Attribute) -> dict[str, Any]:
    out = {k: getattr(attr, k) for k in ("name", "description", "required", "ordered")}
    out["choices"] = [_choice_dict(c) for c in attr.choices]
    # fields written only when set (the news schema's dict, and version, predate them)
    out.update({k: getattr(attr, k) for k, d in _ATTR_EXTRAS.items() if getattr(attr, k) != d})
    return out


_ATTR_EXTRAS: Mapping[str, Any] = {
    "kind": "choices",
    "multiple": False,
    "control": None,
    "max_value": None,
    "min_value": None,
}


def _label_dict(label: Label) -> dict[str, Any]:
    out = {k: getattr(label, k) for k in ("name", "description", "hotkey", "color")}
    out["attributes"] = [_attr_dict(a) for a in label.attributes]
    if label.control:
        out["control"] = label.control
    if label.trim:
        out["trim"] = list(label.trim)
    return out


def _hash_json(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
