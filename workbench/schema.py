"""Annotation schemas: ``schemas/*.yaml`` → validated, frozen :class:`Schema` → Label Studio XML.

A schema file is the single, human-edited description of what annotators label: span labels
(with colour, hotkey and per-region attributes), relations between spans, and segment-level
choices. :func:`load_schema` checks it and returns a typed, immutable :class:`Schema`;
:meth:`Schema.to_label_config` generates the Label Studio labeling config (never edit that XML by
hand); :func:`validate_result` checks a Label Studio annotation ``result`` against the schema and
the task text.

Versioning
----------
``Schema.version`` is the first 12 hex digits of the sha256 of the canonical JSON of the *parsed
and normalised* schema (defaults filled in, keys sorted). Cosmetic YAML edits — comments, blank
lines, indentation, key order, quoting style, writing a default explicitly — do not change it; any
change to a name, description, hotkey, colour, choice, flag or list order does. The guideline
file's content is not part of the version (see :attr:`Schema.guidelines_version`).

Task data the generated view expects (the push code sends exactly these keys)
-----------------------------------------------------------------------------
``text``
    the segment (paragraph) to annotate; result offsets are character offsets into this exact
    string (normalise line endings before pushing).
``title``
    the article title, shown as a header (``<Header value="$title">``).
``context``
    the previous paragraph of the same article, shown small and grey above the text, not
    selectable; send ``""`` for an article's first segment (Label Studio requires the key).
``segment_id``, ``article_id``
    meta fields, not shown by the view; used to map annotations back to the store.

Result names (``from_name`` / ``to_name`` in Label Studio results)
------------------------------------------------------------------
Spans: ``from_name="label"``, ``to_name="text"``, ``type="labels"``. A per-region attribute is
a ``choices`` result named ``<label lower-cased>_<attribute>`` (``content_quote_type``,
``target_sentiment``, …) that shares the ``id`` of its span. A segment-level choice is named after
itself (``sentiment``). Relations are ``{"type": "relation", "from_id", "to_id", "direction",
"labels"}``; the relation label is the relation's ``name``.

Hotkey policy (checked against the Label Studio 1.23 editor source)
------------------------------------------------------------------
Every hotkey in the view must be unique, including across *different* labels' attributes, even
though an attribute's choices are only shown when a region with that label is selected:

* the editor binds every ``Label`` and ``Choice`` hotkey globally when a task opens
  (``Annotation.setupHotKeys`` walks the whole config tree, visible or not);
* keymaster, the key library, calls *every* handler bound to a pressed key;
* a hidden per-region ``Choices`` still writes into the selected region when its hotkey fires
  (``ClassificationBase.updateResult`` → ``PerRegionMixin.createPerRegionResult`` does not look
  at ``whenLabelValue``).

So a key shared by ``Content.quote_type=direct`` and, say, ``Claim.claim_type=factual`` would
put *both* answers on whichever region is selected. Hotkeys are compared case-insensitively (keys
are matched by key code) with modifiers in any order, and keys the editor itself binds in a
text view (``u`` = unselect region, ``ctrl+enter`` = submit, ``alt+r`` = create relation, …)
are rejected. Every label and choice must have a hotkey: the editor auto-assigns free keys to
controls without one, which would make the hotkey table in the guidelines wrong. Annotators can
remap the editor's own shortcuts in their account settings; ours are fixed by the config.

Other Label Studio facts the generated view relies on
-----------------------------------------------------
* ``granularity="word"`` on ``<Text>`` snaps a selection outwards to the browser's word
  boundaries (punctuation such as quotation marks is its own "word", so it can be included or
  left out); results still carry ``start``/``end`` as character offsets into ``text``.
* ``required="true"`` on a per-region ``<Choices>`` is only scoped to the right regions if
  ``whenLabelValue`` is set on the ``<Choices>`` tag itself (``RequiredMixin``), so it is.
* ``whenTagName`` is deliberately not emitted: for ``region-selected`` the editor compares it with
  the *Labels* control's name (not the object tag, as the docs say), and the SDK's
  ``LabelInterface`` lets it take precedence over ``whenLabelValue``.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from workbench.errors import ConfigError, ValidationError

__all__ = [
    "CONTEXT_NAME",
    "LABELS_NAME",
    "META_FIELDS",
    "RESERVED_HOTKEYS",
    "TASK_FIELDS",
    "TEXT_NAME",
    "Attribute",
    "Choice",
    "Label",
    "Relation",
    "Schema",
    "ensure_valid_result",
    "iter_spans",
    "load_schema",
    "parse_schema",
    "validate_result",
]

#: Name of the ``<Text>`` object tag holding the segment (``to_name`` of every result).
TEXT_NAME = "text"
#: Name of the ``<Labels>`` control (``from_name`` of span results).
LABELS_NAME = "label"
#: Name of the non-selectable ``<Text>`` showing the previous paragraph.
CONTEXT_NAME = "context"
#: Task data keys the view reads.
TASK_FIELDS: tuple[str, ...] = ("text", "title", "context")
#: Extra task data keys sent for bookkeeping, not shown.
META_FIELDS: tuple[str, ...] = ("segment_id", "article_id")

#: Keys the Label Studio editor binds by default in a text-labeling view (from the 1.23
#: defaults in ``AccountSettings/sections/Hotkeys/defaults.js``), with what they do.
RESERVED_HOTKEYS: Mapping[str, str] = {
    "u": "Unselect Region",
    "ctrl+enter": "Submit Annotation",
    "ctrl+space": "Skip Task",
    "ctrl+z": "Undo",
    "ctrl+shift+z": "Redo",
    "ctrl+backspace": "Delete All Regions",
    "enter": "Focus First Region",
    "alt+r": "Create Region Relation",
    "alt+h": "Toggle Region Visibility",
    "ctrl+h": "Toggle All Region Visibility",
    "alt+l": "Lock Region",
    "alt+m": "Edit Region Metadata",
    "escape": "Exit Region Mode",
    "backspace": "Delete Selected Region",
    "alt+.": "Cycle Regions",
    "ctrl+d": "Duplicate Region",
    "delete": "Delete Segment",
}

_MODIFIERS = ("alt", "cmd", "command", "ctrl", "option", "shift")
_HOTKEY_RE = re.compile(r"^(?:(?:alt|cmd|command|ctrl|option|shift)\+)*[a-z0-9]$")
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_MAX_NAME = 64
# Characters XML 1.0 cannot carry at all (not even escaped).
_XML_ILLEGAL_RE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RESERVED_NAMES = (TEXT_NAME, LABELS_NAME, CONTEXT_NAME)
_DIRECTIONS = ("right", "left", "bi")


# --------------------------------------------------------------------------------------------
# The typed schema


@dataclass(frozen=True)
class Choice:
    """One allowed value of an attribute, with its hotkey."""

    value: str
    hotkey: str
    description: str = ""
    off_scale: bool = False  # outside the ordinal scale of an ordered attribute (e.g. "mixed")


@dataclass(frozen=True)
class Attribute:
    """A single-choice question: per region (``label`` set) or per segment (``label`` None)."""

    name: str
    choices: tuple[Choice, ...]
    description: str = ""
    required: bool = False
    ordered: bool = False
    label: str | None = None

    @property
    def control_name(self) -> str:
        """The ``name``/``from_name`` of this attribute's ``<Choices>`` in Label Studio."""
        if self.label is None:
            return self.name
        return f"{self.label.lower()}_{self.name}"

    @property
    def per_region(self) -> bool:
        return self.label is not None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    @property
    def ordinal_values(self) -> tuple[str, ...]:
        """The values on the ordinal scale, lowest first; empty if the attribute is nominal."""
        if not self.ordered:
            return ()
        return tuple(c.value for c in self.choices if not c.off_scale)

    def rank(self, value: str) -> int | None:
        """Position of ``value`` on the ordinal scale, or None (nominal, off-scale, unknown)."""
        scale = self.ordinal_values
        return scale.index(value) if value in scale else None


@dataclass(frozen=True)
class Label:
    """A span label."""

    name: str
    hotkey: str
    color: str
    description: str = ""
    attributes: tuple[Attribute, ...] = ()

    def attribute(self, name: str) -> Attribute:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        raise KeyError(name)


@dataclass(frozen=True)
class Relation:
    """A directed relation between two spans: ``from`` label(s) → ``to`` label(s)."""

    name: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    description: str = ""

    def allows(self, from_label: str, to_label: str) -> bool:
        return from_label in self.from_labels and to_label in self.to_labels


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
        return tuple(attr for label in self.labels for attr in label.attributes)

    @cached_property
    def attributes(self) -> tuple[Attribute, ...]:
        """All choice questions: per-region ones, then segment-level ones."""
        return self.region_attributes + self.segment

    @cached_property
    def controls(self) -> dict[str, Attribute]:
        """``from_name`` → attribute, for every ``<Choices>`` in the view."""
        return {attr.control_name: attr for attr in self.attributes}

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

    def hotkeys(self) -> dict[str, str]:
        """Every hotkey in the view → what it does (``Source``, ``Content.quote_type=direct``)."""
        keys: dict[str, str] = {label.hotkey: label.name for label in self.labels}
        for attr in self.attributes:
            prefix = f"{attr.label}.{attr.name}" if attr.label else attr.name
            for choice in attr.choices:
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
        """The normalised schema as plain data (what :attr:`version` hashes)."""

        def attr_dict(attr: Attribute) -> dict[str, Any]:
            return {
                "name": attr.name,
                "description": attr.description,
                "required": attr.required,
                "ordered": attr.ordered,
                "choices": [
                    {
                        "value": c.value,
                        "hotkey": c.hotkey,
                        "description": c.description,
                        "off_scale": c.off_scale,
                    }
                    for c in attr.choices
                ],
            }

        return {
            "id": self.id,
            "title": self.title,
            "guidelines": self.guidelines,
            "labels": [
                {
                    "name": label.name,
                    "description": label.description,
                    "hotkey": label.hotkey,
                    "color": label.color,
                    "attributes": [attr_dict(a) for a in label.attributes],
                }
                for label in self.labels
            ],
            "relations": [
                {
                    "name": rel.name,
                    "description": rel.description,
                    "from": list(rel.from_labels),
                    "to": list(rel.to_labels),
                }
                for rel in self.relations
            ],
            "segment": [attr_dict(a) for a in self.segment],
        }

    def to_label_config(self) -> str:
        """The Label Studio labeling config (XML) for this schema. Deterministic."""
        root = ET.Element("View")
        # Label Studio's own heading styles beat inline `style` on <Header>: a <Style> block
        # with !important is the one way to keep the meta line and attribute headings small.
        style = ET.SubElement(root, "Style")
        style.text = (
            ".wb-meta h4 { font-size: 12px !important; font-weight: 400 !important;"
            " color: #888888 !important; margin: 0 0 0.6em 0 !important; }"
            " .wb-attr h4 { font-size: 14px !important; margin: 0.4em 0 0.2em 0 !important; }"
        )

        ET.SubElement(root, "Header", value="$title", size="4")
        note = f"Schema {self.id} ({self.version})"
        if self.guidelines:
            note += " · guidelines and hotkeys: Instructions button"
        meta = ET.SubElement(root, "View", className="wb-meta")
        ET.SubElement(meta, "Header", value=note, size="6")

        ctx = ET.SubElement(
            root,
            "View",
            style=(
                "color: #888888; font-size: 0.85em; border-left: 3px solid #dddddd;"
                " padding-left: 0.6em; margin-bottom: 0.8em;"
            ),
        )
        ET.SubElement(ctx, "Text", name=CONTEXT_NAME, value="$context", selectionEnabled="false")

        labels = ET.SubElement(root, "Labels", name=LABELS_NAME, toName=TEXT_NAME, choice="single")
        for label in self.labels:
            ET.SubElement(
                labels,
                "Label",
                value=label.name,
                hotkey=label.hotkey,
                background=label.color,
                hint=label.description,
            )

        ET.SubElement(root, "Text", name=TEXT_NAME, value="$text", granularity="word")

        # Segment-level questions sit right under the text, so they do not jump down when a
        # region's attribute questions appear below.
        for attr in self.segment:
            box = ET.SubElement(root, "View", className="wb-attr", style="margin-top: 0.8em;")
            title = f"Segment {attr.name}" + (" *" if attr.required else "")
            ET.SubElement(box, "Header", value=title, size="5")
            choices = ET.SubElement(box, "Choices", _choices_attrs(attr))
            _add_choice_tags(choices, attr)

        if self.relations:
            rels = ET.SubElement(root, "Relations")
            for rel in self.relations:
                ET.SubElement(rels, "Relation", value=rel.name)

        for label in self.labels:
            for attr in label.attributes:
                box = ET.SubElement(
                    root,
                    "View",
                    visibleWhen="region-selected",
                    whenLabelValue=label.name,
                    className="wb-attr",
                    style="margin-top: 0.5em;",
                )
                readable = attr.name.replace("_", " ").capitalize()
                ET.SubElement(
                    box,
                    "Header",
                    value=f"{readable} ({label.name})" + (" *" if attr.required else ""),
                    size="6",
                )
                choices = ET.SubElement(
                    box,
                    "Choices",
                    _choices_attrs(
                        attr,
                        perRegion="true",
                        visibleWhen="region-selected",
                        whenLabelValue=label.name,
                    ),
                )
                _add_choice_tags(choices, attr)

        ET.indent(root, space="  ")
        return ET.tostring(root, encoding="unicode") + "\n"


def _choices_attrs(attr: Attribute, **extra: str) -> dict[str, str]:
    attrs = {"name": attr.control_name, "toName": TEXT_NAME, "choice": "single-radio"}
    attrs.update(extra)
    attrs["showInline"] = "true"
    if attr.required:
        attrs["required"] = "true"
        where = f"every {attr.label} region" if attr.label else "the segment"
        attrs["requiredMessage"] = f"Choose a {attr.name} for {where}."
    return attrs


def _add_choice_tags(parent: ET.Element, attr: Attribute) -> None:
    for choice in attr.choices:
        tag_attrs = {"value": choice.value, "hotkey": choice.hotkey}
        if choice.description:
            tag_attrs["hint"] = choice.description
        ET.SubElement(parent, "Choice", tag_attrs)


def _hash_json(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


# --------------------------------------------------------------------------------------------
# Loading and validating schema files


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (``yes``/``no`` stay strings) and no duplicate keys."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int) -> None:
        super().__init__(key, line)
        self.key = key
        self.line = line


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:  # unhashable key; construct_mapping reports it
            continue
        if duplicate:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_schema(path: str | Path) -> Schema:
    """Read, parse and validate a schema file. Raises :class:`ConfigError` (one line)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: schema file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read schema file ({exc.strerror})") from None
    return parse_schema(text, source=path)


def parse_schema(text: str, source: str | Path = "<schema>") -> Schema:
    """Parse and validate schema YAML text; ``source`` names it in errors and anchors
    the guideline file (a :class:`~pathlib.Path` source is checked to have it beside it)."""
    data = _parse_yaml(text, str(source))
    return _Validator(str(source), source if isinstance(source, Path) else None).schema(data)


def _parse_yaml(text: str, where: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: safe
    except _DuplicateKey as exc:
        raise ConfigError(
            f"{where}: line {exc.line}: duplicate key {exc.key!r} (YAML would silently keep"
            " only the last one)"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        if mark is not None:
            raise ConfigError(
                f"{where}: line {mark.line + 1}, column {mark.column + 1}:"
                f" YAML syntax error: {problem}"
            ) from None
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: YAML error: {' '.join(str(exc).split())}") from None


_TOP_KEYS = ("id", "title", "guidelines", "labels", "relations", "segment")
_LABEL_KEYS = ("name", "description", "hotkey", "color", "attributes")
_ATTR_KEYS = ("name", "description", "required", "ordered", "choices")
_CHOICE_KEYS = ("value", "hotkey", "description", "off_scale")
_RELATION_KEYS = ("name", "description", "from", "to")


def _type_name(value: object) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _canonical_hotkey(key: str) -> str:
    parts = key.split("+")
    synonyms = {"option": "alt", "command": "cmd"}  # keymaster treats these as the same key
    mods = sorted({synonyms.get(m, m) for m in parts[:-1]})
    return "+".join([*mods, parts[-1]])


class _Validator:
    """Turns parsed YAML into a :class:`Schema`, raising a one-line :class:`ConfigError`."""

    def __init__(self, where: str, path: Path | None) -> None:
        self.where = where
        self.path = path
        self.hotkeys: dict[str, tuple[str, str]] = {}  # canonical key → (field path, meaning)

    def fail(self, at: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: {at}: {message}" if at else f"{self.where}: {message}")

    # -- generic field readers ---------------------------------------------------------------

    def mapping(self, value: Any, at: str, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(at or "(top level)", f"must be a mapping, got {_type_name(value)}")
        for key in value:
            if key not in allowed:
                where = f"{at}.{key}" if at else str(key)
                raise self.fail(where, f"unknown key {key!r} (allowed: {', '.join(allowed)})")
        return value

    def required(self, data: dict[str, Any], key: str, at: str) -> Any:
        if key not in data:
            raise self.fail(f"{at}.{key}" if at else key, f"required key {key!r} is missing")
        return data[key]

    def string(
        self, data: dict[str, Any], key: str, at: str, *, required: bool = True, empty: bool = False
    ) -> str:
        where = f"{at}.{key}" if at else key
        if key not in data:
            if required:
                raise self.fail(where, f"required key {key!r} is missing")
            return ""
        value = data[key]
        if value is None:
            hint = (
                ' (quote colours: "#1f77b4"; an unquoted # starts a YAML comment)'
                if key == "color"
                else ""
            )
            raise self.fail(where, f"is empty{hint}")
        if not isinstance(value, str):
            raise self.fail(where, f"must be a string, got {_type_name(value)} {value!r}")
        bad = _XML_ILLEGAL_RE.search(value)
        if bad:
            raise self.fail(
                where, f"contains U+{ord(bad.group()):04X}, a character XML cannot carry"
            )
        if not empty and not value.strip():
            raise self.fail(where, "must not be empty")
        return value

    def flag(self, data: dict[str, Any], key: str, at: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(
                f"{at}.{key}", f"must be true or false, got {_type_name(value)} {value!r}"
            )
        return value

    def name(self, data: dict[str, Any], key: str, at: str, what: str) -> str:
        value = self.string(data, key, at)
        where = f"{at}.{key}"
        if len(value) > _MAX_NAME:
            raise self.fail(where, f"{what} {value!r} is longer than {_MAX_NAME} characters")
        if not _NAME_RE.match(value):
            bad = next(
                (ch for ch in value if not (ch.isascii() and (ch.isalnum() or ch in "_-"))),
                value[:1],
            )
            raise self.fail(
                where,
                f"{what} {value!r} contains {bad!r}: use ASCII letters, digits, '_' and '-',"
                " starting with a letter (names become XML attributes and Label Studio"
                " identifiers; ',' separates values in whenLabelValue)",
            )
        return value

    def items(self, data: dict[str, Any], key: str, at: str, *, required: bool) -> list[Any]:
        where = f"{at}.{key}" if at else key
        if key not in data:
            if required:
                raise self.fail(where, f"required key {key!r} is missing")
            return []
        value = data[key]
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self.fail(where, f"must be a list, got {_type_name(value)}")
        if required and not value:
            raise self.fail(where, "must not be empty")
        return value

    def hotkey(self, data: dict[str, Any], at: str, meaning: str) -> str:
        where = f"{at}.hotkey"
        value = data.get("hotkey")
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9:
            value = str(value)  # `hotkey: 1` is an int in YAML; accept it as the key "1"
            data = {**data, "hotkey": value}
        key = self.string(data, "hotkey", at).strip()
        if key != key.lower():
            raise self.fail(
                where,
                f"{key!r}: write hotkeys in lower case (keys are case-insensitive;"
                " use 'shift+a' for Shift+A)",
            )
        if not _HOTKEY_RE.match(key):
            raise self.fail(
                where,
                f"{key!r} is not a hotkey: one letter or digit, optionally after modifiers"
                f" ({'+, '.join(_MODIFIERS)}+), e.g. 'd' or 'shift+d'",
            )
        canonical = _canonical_hotkey(key)
        if canonical in RESERVED_HOTKEYS:
            raise self.fail(
                where,
                f"{key!r} is reserved by Label Studio ({RESERVED_HOTKEYS[canonical]})",
            )
        if canonical in self.hotkeys:
            other_at, other_meaning = self.hotkeys[canonical]
            raise self.fail(
                where,
                f"{key!r} is already used by {other_at} ({other_meaning});"
                " every hotkey in the view must be unique",
            )
        self.hotkeys[canonical] = (at, meaning)
        return key

    # -- the schema --------------------------------------------------------------------------

    def schema(self, raw: Any) -> Schema:
        if raw is None:
            raise self.fail("", "the schema file is empty")
        data = self.mapping(raw, "", _TOP_KEYS)
        schema_id = self.string(data, "id", "")
        if not _ID_RE.match(schema_id):
            raise self.fail(
                "id",
                f"{schema_id!r} must be lower-case letters, digits, '.', '_' or '-',"
                " e.g. 'news-v1'",
            )
        title = self.string(data, "title", "")
        guidelines = self.guidelines(data)

        labels: list[Label] = []
        seen: dict[str, str] = {}
        for i, raw_label in enumerate(self.items(data, "labels", "", required=True)):
            label = self.label(raw_label, f"labels[{i}]", seen)
            labels.append(label)
        label_names = [label.name for label in labels]

        relations: list[Relation] = []
        seen_rel: dict[str, str] = {}
        for i, raw_rel in enumerate(self.items(data, "relations", "", required=False)):
            relations.append(self.relation(raw_rel, f"relations[{i}]", label_names, seen_rel))

        segment: list[Attribute] = []
        controls: dict[str, str] = {name: "the generated view" for name in _RESERVED_NAMES}
        for i, label in enumerate(labels):
            for j, attr in enumerate(label.attributes):
                self.control(attr, f"labels[{i}].attributes[{j}].name", controls)
        seen_seg: dict[str, str] = {}
        for i, raw_attr in enumerate(self.items(data, "segment", "", required=False)):
            attr = self.attribute(raw_attr, f"segment[{i}]", None, seen_seg)
            self.control(attr, f"segment[{i}].name", controls)
            segment.append(attr)

        return Schema(
            id=schema_id,
            title=title,
            labels=tuple(labels),
            relations=tuple(relations),
            segment=tuple(segment),
            guidelines=guidelines,
            source=self.path,
        )

    def guidelines(self, data: dict[str, Any]) -> str | None:
        if "guidelines" not in data:
            return None
        value = self.string(data, "guidelines", "")
        if Path(value).is_absolute() or ".." in Path(value).parts:
            raise self.fail(
                "guidelines", f"{value!r} must be a relative path inside the schema's folder"
            )
        if self.path is not None and not (self.path.parent / value).is_file():
            raise self.fail(
                "guidelines", f"file {value!r} not found next to the schema ({self.path.parent})"
            )
        return value

    def label(self, raw: Any, at: str, seen: dict[str, str]) -> Label:
        data = self.mapping(raw, at, _LABEL_KEYS)
        name = self.name(data, "name", at, "label name")
        if name.lower() in seen:
            raise self.fail(
                f"{at}.name", f"label {name!r} is already defined by {seen[name.lower()]}"
            )
        seen[name.lower()] = at
        description = self.string(data, "description", at)
        hotkey = self.hotkey(data, at, name)
        color = self.string(data, "color", at)
        if not _COLOR_RE.match(color):
            raise self.fail(f"{at}.color", f"{color!r} is not a colour like '#1f77b4' (#rrggbb)")
        attributes: list[Attribute] = []
        seen_attr: dict[str, str] = {}
        for j, raw_attr in enumerate(self.items(data, "attributes", at, required=False)):
            attributes.append(self.attribute(raw_attr, f"{at}.attributes[{j}]", name, seen_attr))
        return Label(
            name=name,
            hotkey=hotkey,
            color=color.lower(),
            description=description,
            attributes=tuple(attributes),
        )

    def attribute(self, raw: Any, at: str, label: str | None, seen: dict[str, str]) -> Attribute:
        data = self.mapping(raw, at, _ATTR_KEYS)
        name = self.name(data, "name", at, "attribute name")
        if name.lower() in seen:
            raise self.fail(
                f"{at}.name", f"attribute {name!r} is already defined by {seen[name.lower()]}"
            )
        seen[name.lower()] = at
        description = self.string(data, "description", at, required=False, empty=True)
        required = self.flag(data, "required", at)
        ordered = self.flag(data, "ordered", at)
        raw_choices = self.items(data, "choices", at, required=False)
        if not raw_choices:
            raise self.fail(f"{at}.choices", "an attribute needs at least one choice")
        prefix = f"{label}.{name}" if label else name
        choices: list[Choice] = []
        seen_values: dict[str, str] = {}
        for k, raw_choice in enumerate(raw_choices):
            cat = f"{at}.choices[{k}]"
            cdata = self.mapping(raw_choice, cat, _CHOICE_KEYS)
            value = self.name(cdata, "value", cat, "choice value")
            if value.lower() in seen_values:
                raise self.fail(
                    f"{cat}.value",
                    f"choice {value!r} is already listed as {seen_values[value.lower()]}",
                )
            seen_values[value.lower()] = cat
            hotkey = self.hotkey(cdata, cat, f"{prefix}={value}")
            cdesc = self.string(cdata, "description", cat, required=False, empty=True)
            off_scale = self.flag(cdata, "off_scale", cat)
            if off_scale and not ordered:
                raise self.fail(
                    f"{cat}.off_scale", "only applies to an attribute with 'ordered: true'"
                )
            choices.append(
                Choice(value=value, hotkey=hotkey, description=cdesc, off_scale=off_scale)
            )
        if ordered and sum(not c.off_scale for c in choices) < 2:
            raise self.fail(f"{at}.ordered", "an ordered scale needs at least two on-scale choices")
        return Attribute(
            name=name,
            choices=tuple(choices),
            description=description,
            required=required,
            ordered=ordered,
            label=label,
        )

    def control(self, attr: Attribute, at: str, controls: dict[str, str]) -> None:
        name = attr.control_name
        if name in controls:
            raise self.fail(
                at,
                f"{attr.name!r} gives the Label Studio control name {name!r}, already used by"
                f" {controls[name]}",
            )
        controls[name] = at.removesuffix(".name")

    def relation(self, raw: Any, at: str, label_names: list[str], seen: dict[str, str]) -> Relation:
        data = self.mapping(raw, at, _RELATION_KEYS)
        name = self.name(data, "name", at, "relation name")
        if name.lower() in seen:
            raise self.fail(
                f"{at}.name", f"relation {name!r} is already defined by {seen[name.lower()]}"
            )
        seen[name.lower()] = at
        description = self.string(data, "description", at, required=False, empty=True)
        ends = []
        for end in ("from", "to"):
            value = self.required(data, end, at)
            names = value if isinstance(value, list) else [value]
            if not names:
                raise self.fail(f"{at}.{end}", "must name at least one label")
            for k, item in enumerate(names):
                where = f"{at}.{end}" if not isinstance(value, list) else f"{at}.{end}[{k}]"
                if not isinstance(item, str):
                    raise self.fail(where, f"must be a label name, got {_type_name(item)}")
                if item not in label_names:
                    raise self.fail(
                        where, f"unknown label {item!r} (labels: {', '.join(label_names)})"
                    )
            ends.append(tuple(dict.fromkeys(names)))
        return Relation(name=name, from_labels=ends[0], to_labels=ends[1], description=description)


# --------------------------------------------------------------------------------------------
# Validating Label Studio results


@dataclass
class _Region:
    index: int
    id: str
    label: str | None
    start: int | None
    end: int | None


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_matches(expected: str, given: str) -> bool:
    # The editor may store a fresh selection's text with line breaks written as a literal "\n".
    return given == expected or given == re.sub(r"\r\n|\r|\n", r"\\n", expected)


def validate_result(schema: Schema, text: str, result: Sequence[Any]) -> list[str]:
    """Check a Label Studio annotation ``result`` against ``schema`` and the task ``text``.

    Returns one human-readable reason per problem; an empty list means the result is valid.
    """
    problems: list[str] = []
    if not isinstance(result, list):
        return [f"result must be a list, got {_type_name(result)}"]

    regions: dict[str, _Region] = {}
    attr_items: list[tuple[int, dict[str, Any], Attribute]] = []
    relation_items: list[tuple[int, dict[str, Any]]] = []
    segment_seen: dict[str, int] = {}
    controls = schema.controls

    for i, item in enumerate(result):
        where = f"result[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object, got {_type_name(item)}")
            continue
        if item.get("type") == "relation":
            relation_items.append((i, item))
            continue
        if "id" in item:
            where += f" (id {item['id']!r})"
        from_name = item.get("from_name")
        if from_name == LABELS_NAME:
            region = _check_span(schema, text, item, i, where, problems)
            if region is not None:
                if region.id in regions:
                    problems.append(
                        f"{where}: duplicate region id (also result[{regions[region.id].index}])"
                    )
                else:
                    regions[region.id] = region
        elif isinstance(from_name, str) and from_name in controls:
            attr = controls[from_name]
            if not _check_common(item, where, "choices", problems):
                continue
            values = _choice_values(attr, item, where, problems)
            if values is None:
                continue
            if attr.per_region:
                attr_items.append((i, item, attr))
            elif from_name in segment_seen:
                problems.append(
                    f"{where}: second answer for segment {attr.name!r}"
                    f" (first is result[{segment_seen[from_name]}])"
                )
            else:
                segment_seen[from_name] = i
        else:
            known = ", ".join([LABELS_NAME, *controls])
            problems.append(f"{where}: unknown from_name {from_name!r} (known: {known})")

    # Per-region attributes: attached to an existing region of the right label.
    answered: dict[tuple[str, str], int] = {}
    for i, item, attr in attr_items:
        rid = item.get("id")
        where = f"result[{i}] (id {rid!r})"
        region = regions.get(rid) if isinstance(rid, str) else None
        if region is None:
            problems.append(f"{where}: {attr.control_name} answer for a region that does not exist")
            continue
        if region.label is None:
            continue  # the span's own problem is already reported
        if region.label != attr.label:
            problems.append(
                f"{where}: {attr.control_name} belongs to {attr.label} regions, but region"
                f" {rid!r} is a {region.label}"
            )
            continue
        key = (region.id, attr.control_name)
        if key in answered:
            problems.append(
                f"{where}: second {attr.control_name} answer for region {rid!r}"
                f" (first is result[{answered[key]}])"
            )
            continue
        answered[key] = i
        value = item.get("value", {})
        for bound in ("start", "end"):
            if bound in value and value[bound] != getattr(region, bound):
                problems.append(
                    f"{where}: value.{bound}={value[bound]!r} differs from its region's"
                    f" ({getattr(region, bound)!r})"
                )

    for region in regions.values():
        if region.label is None:
            continue
        for attr in schema.label(region.label).attributes:
            if attr.required and (region.id, attr.control_name) not in answered:
                problems.append(
                    f"result[{region.index}] (id {region.id!r}): {region.label} region has no"
                    f" {attr.name} (required)"
                )

    for attr in schema.segment:
        if attr.required and attr.control_name not in segment_seen:
            problems.append(f"segment {attr.name!r} is required but missing")

    for i, item in relation_items:
        _check_relation(schema, item, i, regions, problems)

    return problems


def ensure_valid_result(schema: Schema, text: str, result: Sequence[Any], *, what: str) -> None:
    """Raise :class:`ValidationError` naming ``what`` (e.g. a task and annotation id) if the
    result does not fit the schema; the message carries the first problem and the count."""
    problems = validate_result(schema, text, result)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationError(f"{what}: {problems[0]}{more}")


def _check_common(item: dict[str, Any], where: str, rtype: str, problems: list[str]) -> bool:
    ok = True
    if item.get("to_name") != TEXT_NAME:
        problems.append(f"{where}: to_name must be {TEXT_NAME!r}, got {item.get('to_name')!r}")
        ok = False
    if item.get("type") != rtype:
        problems.append(f"{where}: type must be {rtype!r}, got {item.get('type')!r}")
        ok = False
    if not isinstance(item.get("value"), dict):
        problems.append(f"{where}: value must be an object")
        ok = False
    return ok


def _check_span(
    schema: Schema, text: str, item: dict[str, Any], i: int, where: str, problems: list[str]
) -> _Region | None:
    if not _check_common(item, where, "labels", problems):
        return None
    rid = item.get("id")
    if not isinstance(rid, str) or not rid:
        problems.append(f"{where}: a span needs a non-empty string id")
        return None
    value: dict[str, Any] = item["value"]
    label: str | None = None
    labels = value.get("labels")
    if not isinstance(labels, list) or len(labels) != 1:
        problems.append(f"{where}: value.labels must hold exactly one label, got {labels!r}")
    elif labels[0] not in schema.label_names:
        problems.append(
            f"{where}: unknown label {labels[0]!r} (known: {', '.join(schema.label_names)})"
        )
    else:
        label = labels[0]
    start, end = value.get("start"), value.get("end")
    if not (_is_int(start) and _is_int(end)):
        problems.append(f"{where}: value.start/end must be integers, got {start!r}/{end!r}")
        return _Region(i, rid, label, None, None)
    if not 0 <= start < end <= len(text):
        problems.append(
            f"{where}: offsets {start}..{end} are outside the text (0..{len(text)})"
            if start >= 0 and end > start
            else f"{where}: offsets {start}..{end} do not make a non-empty span"
        )
        return _Region(i, rid, label, start, end)
    given = value.get("text")
    if given is not None and not (isinstance(given, str) and _text_matches(text[start:end], given)):
        problems.append(
            f"{where}: value.text {_clip(given)!r} does not match text[{start}:{end}]"
            f" {_clip(text[start:end])!r}"
        )
    return _Region(i, rid, label, start, end)


def _choice_values(
    attr: Attribute, item: dict[str, Any], where: str, problems: list[str]
) -> list[str] | None:
    choices = item["value"].get("choices")
    if not isinstance(choices, list) or not choices:
        problems.append(f"{where}: value.choices must be a non-empty list, got {choices!r}")
        return None
    if len(choices) > 1:
        problems.append(f"{where}: {attr.control_name} takes one choice, got {choices!r}")
        return None
    if choices[0] not in attr.values:
        problems.append(
            f"{where}: {choices[0]!r} is not a {attr.control_name} choice"
            f" (allowed: {', '.join(attr.values)})"
        )
        return None
    return [str(c) for c in choices]


def _check_relation(
    schema: Schema,
    item: dict[str, Any],
    i: int,
    regions: Mapping[str, _Region],
    problems: list[str],
) -> None:
    where = f"result[{i}] (relation)"
    from_id, to_id = item.get("from_id"), item.get("to_id")
    ok = True
    for end, rid in (("from_id", from_id), ("to_id", to_id)):
        if not isinstance(rid, str) or rid not in regions:
            problems.append(f"{where}: {end} {rid!r} points to no region in this result")
            ok = False
    if ok and from_id == to_id:
        problems.append(f"{where}: relates region {from_id!r} to itself")
        ok = False
    direction = item.get("direction", "right")
    if direction not in _DIRECTIONS:
        problems.append(f"{where}: direction {direction!r} is not one of {', '.join(_DIRECTIONS)}")
        ok = False
    labels = item.get("labels")
    rel: Relation | None = None
    if not isinstance(labels, list) or len(labels) != 1:
        problems.append(
            f"{where}: must carry exactly one relation label"
            f" ({', '.join(schema.relation_names)}), got {labels!r}"
        )
    elif labels[0] not in schema.relation_names:
        problems.append(
            f"{where}: unknown relation {labels[0]!r} (known: {', '.join(schema.relation_names)})"
        )
    else:
        rel = schema.relation(labels[0])
    if not ok or rel is None:
        return
    a, b = regions[str(from_id)].label, regions[str(to_id)].label
    if a is None or b is None:
        return  # the span's own problem is already reported
    if direction == "left":
        a, b = b, a
    if direction == "bi":
        if not (rel.allows(a, b) or rel.allows(b, a)):
            problems.append(f"{where}: {rel.name} cannot link {a} and {b} (allowed: {_ends(rel)})")
        else:
            problems.append(
                f"{where}: {rel.name} must be directed ({_ends(rel)}), got direction 'bi'"
            )
        return
    if not rel.allows(a, b):
        problems.append(f"{where}: {rel.name} cannot go {a} → {b} (allowed: {_ends(rel)})")


def _ends(rel: Relation) -> str:
    return f"{'|'.join(rel.from_labels)} → {'|'.join(rel.to_labels)}"


def _clip(value: object, limit: int = 40) -> str:
    s = str(value)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def iter_spans(result: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """The span (``labels``) items of a result, in order."""
    for item in result:
        if isinstance(item, dict) and item.get("from_name") == LABELS_NAME:
            yield item
