"""What a schema's names, ids, values and hotkeys may be: shared by the loader and the importer."""

from __future__ import annotations

import re
from collections.abc import Mapping

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

MODIFIERS = ("alt", "cmd", "command", "ctrl", "option", "shift")
HOTKEY_RE = re.compile(r"^(?:(?:alt|cmd|command|ctrl|option|shift)\+)*[a-z0-9]$")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
NAME_BAD_RE = re.compile(r"[^A-Za-z0-9_-]")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_NAME = 64
# Characters XML 1.0 cannot carry at all (not even escaped).
XML_ILLEGAL_RE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# a value of a free-named (imported) view: any text but ',' (whenLabelValue's separator)
FREE_VALUE_RE = re.compile(r"^[^,\s](?:[^,]*[^,\s])?$")


def type_name(value: object) -> str:
    """How a YAML/JSON value is named in a message ("a mapping", "nothing", …)."""
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def canonical_hotkey(key: str) -> str:
    parts = key.split("+")
    synonyms = {"option": "alt", "command": "cmd"}  # keymaster treats these as the same key
    mods = sorted({synonyms.get(m, m) for m in parts[:-1]})
    return "+".join([*mods, parts[-1]])
