"""Parsed YAML (or a stored dict) → a validated :class:`Schema`; one-line ``ConfigError``s."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from workbench.errors import ConfigError
from workbench.schema.dialogue import DIALOGUE_KEYS
from workbench.schema.model import (
    CONTEXT_NAME,
    KINDS,
    LABELS_NAME,
    TEXT_NAME,
    Attribute,
    Choice,
    Label,
    Relation,
    Schema,
    View,
)
from workbench.schema.rules import (
    COLOR_RE,
    FREE_VALUE_RE,
    HOTKEY_RE,
    ID_RE,
    MAX_NAME,
    MODIFIERS,
    NAME_BAD_RE,
    NAME_RE,
    RESERVED_HOTKEYS,
    XML_ILLEGAL_RE,
    canonical_hotkey,
    type_name,
)

_RESERVED_NAMES = (TEXT_NAME, LABELS_NAME, CONTEXT_NAME)
_TOP_KEYS = ("id", "title", "guidelines", "view", "labels", "relations", "segment", "regions")
_VIEW_KEYS = tuple(View.__dataclass_fields__)
_VIEW_OPTIONS = {
    "hotkeys": ("required", "optional"),
    "names": ("strict", "free"),
    "layout": ("news", "plain"),
    "object_tag": ("Text", "Paragraphs", "Chat"),
}
_LABEL_KEYS = ("name", "description", "hotkey", "color", "attributes", "control", "trim")
_TRIMS = ("quotes", "possessive")
_ATTR_KEYS: tuple[str, ...] = ("name", "description", "required", "ordered", "choices", "kind")
_ATTR_KEYS += ("multiple", "control", "max_value", "min_value")
_FLAGS = ("required", "ordered", "multiple")
_CHOICE_KEYS = ("value", "hotkey", "description", "off_scale", "children")
_RELATION_KEYS = ("name", "description", "from", "to")


class Validator:
    """Turns parsed YAML into a :class:`Schema`, raising a one-line :class:`ConfigError`."""

    def __init__(self, where: str, path: Path | None) -> None:
        self.where = where
        self.path = path
        self.hotkeys: dict[str, tuple[str, str]] = {}  # canonical key → (field path, meaning)
        self.view = View()

    def fail(self, at: str, message: str) -> NoReturn:
        raise ConfigError(f"{self.where}: {at}: {message}" if at else f"{self.where}: {message}")

    # -- generic field readers ---------------------------------------------------------------

    def mapping(self, value: Any, at: str, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(at or "(top level)", f"must be a mapping, got {type_name(value)}")
        for key in value:
            if key not in allowed:
                self.fail(_at(at, key), f"unknown key {key!r} (allowed: {', '.join(allowed)})")
        return value

    def unique(self, seen: dict[str, str], name: str, at: str, what: str) -> None:
        """`name` not yet in `seen` (case-insensitively), which records where it was defined."""
        if name.lower() in seen:
            self.fail(f"{at}.name", f"{what} {name!r} is already defined by {seen[name.lower()]}")
        seen[name.lower()] = at

    def required(self, data: dict[str, Any], key: str, at: str) -> Any:
        if key not in data:
            self.fail(_at(at, key), f"required key {key!r} is missing")
        return data[key]

    def string(
        self, data: dict[str, Any], key: str, at: str, *, required: bool = True, empty: bool = False
    ) -> str:
        if key not in data and not required:
            return ""
        value = self.required(data, key, at)
        if value is None:
            hint = ' (quote colours: "#1f77b4"; an unquoted # starts a YAML comment)'
            self.fail(_at(at, key), f"is empty{hint if key == 'color' else ''}")
        if not isinstance(value, str):
            self.fail(_at(at, key), f"must be a string, got {type_name(value)} {value!r}")
        if bad := XML_ILLEGAL_RE.search(value):
            self.fail(
                _at(at, key), f"contains U+{ord(bad.group()):04X}, a character XML cannot carry"
            )
        if not empty and not value.strip():
            self.fail(_at(at, key), "must not be empty")
        return value

    def flag(self, data: dict[str, Any], key: str, at: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{at}.{key}", f"must be true or false, got {type_name(value)} {value!r}")
        return value

    def name(self, data: dict[str, Any], key: str, at: str, what: str) -> str:
        value = self.string(data, key, at)
        where = f"{at}.{key}"
        if self.view.names == "free" and what in ("label name", "choice value", "relation name"):
            if len(value) > 256 or not FREE_VALUE_RE.match(value):
                self.fail(
                    where,
                    f"{what} {value!r} must be 1-256 characters without ',' (whenLabelValue's"
                    " separator) or surrounding spaces",
                )
            return value
        if len(value) > MAX_NAME:
            self.fail(where, f"{what} {value!r} is longer than {MAX_NAME} characters")
        if not NAME_RE.match(value):
            bad = NAME_BAD_RE.search(value)
            self.fail(
                where,
                f"{what} {value!r} contains {bad.group() if bad else value[:1]!r}: use ASCII"
                " letters, digits, '_' and '-', starting with a letter (names become XML"
                " attributes and Label Studio identifiers; ',' separates values in whenLabelValue)",
            )
        return value

    def items(self, data: dict[str, Any], key: str, at: str, *, required: bool) -> list[Any]:
        if not required and data.get(key) is None:
            return []
        value = self.required(data, key, at)
        if not isinstance(value, list):
            self.fail(_at(at, key), f"must be a list, got {type_name(value)}")
        if required and not value:
            self.fail(_at(at, key), "must not be empty")
        return value

    def each(
        self, data: dict[str, Any], key: str, at: str = "", *, required: bool = False
    ) -> Iterator[tuple[Any, str]]:
        """The items of the list `key`, each with its field path."""
        for i, item in enumerate(self.items(data, key, at, required=required)):
            yield item, f"{_at(at, key)}[{i}]"

    def hotkey(self, data: dict[str, Any], at: str, meaning: str) -> str:
        where = f"{at}.hotkey"
        value = data.get("hotkey")
        if value in (None, "") and self.view.hotkeys == "optional":
            return ""
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9:
            data = {**data, "hotkey": str(value)}  # `hotkey: 1` is an int in YAML: the key "1"
        key = self.string(data, "hotkey", at).strip()
        if key != key.lower():
            self.fail(
                where,
                f"{key!r}: write hotkeys in lower case (keys are case-insensitive;"
                " use 'shift+a' for Shift+A)",
            )
        if not HOTKEY_RE.match(key):
            self.fail(
                where,
                f"{key!r} is not a hotkey: one letter or digit, optionally after modifiers"
                f" ({'+, '.join(MODIFIERS)}+), e.g. 'd' or 'shift+d'",
            )
        canonical = canonical_hotkey(key)
        if canonical in RESERVED_HOTKEYS:
            self.fail(where, f"{key!r} is reserved by Label Studio ({RESERVED_HOTKEYS[canonical]})")
        if canonical in self.hotkeys:
            other_at, other_meaning = self.hotkeys[canonical]
            self.fail(
                where,
                f"{key!r} is already used by {other_at} ({other_meaning});"
                " every hotkey in the view must be unique",
            )
        self.hotkeys[canonical] = (at, meaning)
        return key

    # -- the schema --------------------------------------------------------------------------

    def schema(self, raw: Any) -> Schema:
        if raw is None:
            self.fail("", "the schema file is empty")
        data = self.mapping(raw, "", _TOP_KEYS)
        schema_id = self.string(data, "id", "")
        if not ID_RE.match(schema_id):
            self.fail(
                "id",
                f"{schema_id!r} must be lower-case letters, digits, '.', '_' or '-',"
                " e.g. 'news-v1'",
            )
        title = self.string(data, "title", "")
        guidelines = self.guidelines(data)
        self.view = self.view_section(data.get("view"))
        seen: dict[str, str] = {}
        free = self.view.names == "free"  # an imported view may have no span labels
        labels = [self.label(x, at, seen) for x, at in self.each(data, "labels", required=not free)]
        names = [label.name for label in labels]
        seen = {}
        relations = [self.relation(x, at, names, seen) for x, at in self.each(data, "relations")]
        if self.view.is_dialogue:  # its text is rendered: Label Studio's offsets are not into it
            for key in ("labels", "relations", "regions"):
                if data.get(key):
                    self.fail(
                        key,
                        f"a view showing a <{self.view.object_tag}> asks about the whole"
                        " dialogue only: no labels, relations or region questions",
                    )
        # the plain layout (an imported view) has no title, context or fixed names of its own
        generated = _RESERVED_NAMES if self.view.layout == "news" else ()
        reserved = [*generated, self.view.text, self.view.labels]
        reserved += [label.control for label in labels if label.control]
        controls: dict[str, str] = {name: "the generated view" for name in reserved}
        for i, label in enumerate(labels):
            for j, attr in enumerate(label.attributes):
                self.control(attr, f"labels[{i}].attributes[{j}].name", controls)
        sections: dict[str, list[Attribute]] = {"segment": [], "regions": []}
        for key, found in sections.items():
            seen = {}
            for x, at in self.each(data, key):
                found.append(self.attribute(x, at, None, seen, any_region=key == "regions"))
                self.control(found[-1], f"{at}.name", controls)
        return Schema(
            schema_id,
            title,
            tuple(labels),
            tuple(relations),
            tuple(sections["segment"]),
            guidelines,
            self.path,
            view=self.view,
            regions=tuple(sections["regions"]),
        )

    def view_section(self, raw: Any) -> View:
        if raw is None:
            return View()
        data = self.mapping(raw, "view", _VIEW_KEYS)
        values: dict[str, Any] = {}
        for key in data:
            if key == "multi_label":
                values[key] = self.flag(data, key, "view")
            else:
                values[key] = self.string(data, key, "view")
                allowed = _VIEW_OPTIONS.get(key)
                if allowed and values[key] not in allowed:
                    self.fail(f"view.{key}", f"must be one of {', '.join(allowed)}")
        if values.get("object_tag", "Text") != "Text":  # a dialogue: its data format's keys
            speaker, utterance = DIALOGUE_KEYS[values["object_tag"]]
            values.setdefault("speaker_key", speaker)
            values.setdefault("utterance_key", utterance)
        return View(**values)

    def guidelines(self, data: dict[str, Any]) -> str | None:
        if data.get("guidelines") is None:  # absent, or null as `Schema.to_dict` writes it
            return None
        value = self.string(data, "guidelines", "")
        if Path(value).is_absolute() or ".." in Path(value).parts:
            self.fail("guidelines", f"{value!r} must be a relative path inside the schema's folder")
        if self.path is not None and not (self.path.parent / value).is_file():
            self.fail(
                "guidelines", f"file {value!r} not found next to the schema ({self.path.parent})"
            )
        return value

    def label(self, raw: Any, at: str, seen: dict[str, str]) -> Label:
        data = self.mapping(raw, at, _LABEL_KEYS)
        name = self.name(data, "name", at, "label name")
        self.unique(seen, name, at, "label")
        free = self.view.names == "free"
        description = self.string(data, "description", at, required=not free, empty=free)
        hotkey = self.hotkey(data, at, name)
        color = self.string(data, "color", at, required=not free, empty=free)
        if color and not COLOR_RE.match(color):
            self.fail(f"{at}.color", f"{color!r} is not a colour like '#1f77b4' (#rrggbb)")
        seen_attr: dict[str, str] = {}
        attributes = tuple(
            self.attribute(x, a, name, seen_attr) for x, a in self.each(data, "attributes", at)
        )
        control = self.string(data, "control", at, required=False) or None
        trims: dict[str, None] = {}  # in order, once each
        for item, where in self.each(data, "trim", at):
            if item not in _TRIMS:
                self.fail(where, f"{item!r} is not one of {', '.join(_TRIMS)}")
            trims[item] = None
        return Label(name, hotkey, color.lower(), description, attributes, control, tuple(trims))

    def attribute(
        self,
        raw: Any,
        at: str,
        label: str | None,
        seen: dict[str, str],
        *,
        any_region: bool = False,
    ) -> Attribute:
        data = self.mapping(raw, at, _ATTR_KEYS)
        name = self.name(data, "name", at, "attribute name")
        self.unique(seen, name, at, "attribute")
        description = self.string(data, "description", at, required=False, empty=True)
        required, ordered, multiple = (self.flag(data, k, at) for k in _FLAGS)
        kind = self.string(data, "kind", at, required=False) or "choices"
        if kind not in KINDS:
            self.fail(f"{at}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        if multiple and kind not in ("choices", "taxonomy"):
            self.fail(f"{at}.multiple", f"a {kind} question takes one answer")
        bounds = {key: self.number(data, key, at) for key in ("min_value", "max_value")}
        raw_choices = self.items(data, "choices", at, required=False)
        if kind in ("choices", "taxonomy") and not raw_choices:
            self.fail(f"{at}.choices", "an attribute needs at least one choice")
        if kind not in ("choices", "taxonomy") and raw_choices:
            self.fail(f"{at}.choices", f"a {kind} question has no choices")
        prefix = f"{label}.{name}" if label else name
        choices = self.choices(raw_choices, at, prefix, ordered, nested=kind == "taxonomy")
        if ordered and sum(not c.off_scale for c in choices) < 2:
            self.fail(f"{at}.ordered", "an ordered scale needs at least two on-scale choices")
        control = self.string(data, "control", at, required=False) or None
        return Attribute(
            name, choices, description, required, ordered, label, kind, multiple, control,
            any_region, **bounds,
        )  # fmt: skip

    def number(self, data: dict[str, Any], key: str, at: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"{at}.{key}", f"must be a number, got {type_name(value)}")
        return float(value)

    def choices(
        self, raw_choices: list[Any], at: str, prefix: str, ordered: bool, *, nested: bool
    ) -> tuple[Choice, ...]:
        out: list[Choice] = []
        seen_values: dict[str, str] = {}
        for k, raw_choice in enumerate(raw_choices):
            cat = f"{at}.choices[{k}]"
            cdata = self.mapping(raw_choice, cat, _CHOICE_KEYS)
            value = self.name(cdata, "value", cat, "choice value")
            if value.lower() in seen_values:
                self.fail(
                    f"{cat}.value",
                    f"choice {value!r} is already listed as {seen_values[value.lower()]}",
                )
            seen_values[value.lower()] = cat
            hotkey = self.hotkey(cdata, cat, f"{prefix}={value}")
            cdesc = self.string(cdata, "description", cat, required=False, empty=True)
            off_scale = self.flag(cdata, "off_scale", cat)
            if off_scale and not ordered:
                self.fail(f"{cat}.off_scale", "only applies to an attribute with 'ordered: true'")
            raw_children = self.items(cdata, "children", cat, required=False)
            if raw_children and not nested:
                self.fail(f"{cat}.children", "only a taxonomy's choices have children")
            children = self.choices(raw_children, cat, f"{prefix}/{value}", ordered, nested=True)
            out.append(Choice(value, hotkey, cdesc, off_scale, children))
        return tuple(out)

    def control(self, attr: Attribute, at: str, controls: dict[str, str]) -> None:
        name = attr.control_name
        if name in controls:
            self.fail(
                at,
                f"{attr.name!r} gives the Label Studio control name {name!r}, already used by"
                f" {controls[name]}",
            )
        controls[name] = at.removesuffix(".name")

    def relation(self, raw: Any, at: str, label_names: list[str], seen: dict[str, str]) -> Relation:
        data = self.mapping(raw, at, _RELATION_KEYS)
        name = self.name(data, "name", at, "relation name")
        self.unique(seen, name, at, "relation")
        description = self.string(data, "description", at, required=False, empty=True)
        ends = []
        for end in ("from", "to"):
            if self.view.names == "free" and not data.get(end):
                ends.append(())  # an imported <Relations> does not say: any label
                continue
            value = self.required(data, end, at)
            names = value if isinstance(value, list) else [value]
            if not names:
                self.fail(f"{at}.{end}", "must name at least one label")
            for k, item in enumerate(names):
                where = f"{at}.{end}" if not isinstance(value, list) else f"{at}.{end}[{k}]"
                if not isinstance(item, str):
                    self.fail(where, f"must be a label name, got {type_name(item)}")
                if item not in label_names:
                    self.fail(where, f"unknown label {item!r} (labels: {', '.join(label_names)})")
            ends.append(tuple(dict.fromkeys(names)))
        return Relation(name, ends[0], ends[1], description)


def _at(at: str, key: object) -> str:
    """The field path of `key` inside `at` ("" : the top level)."""
    return f"{at}.{key}" if at else str(key)
