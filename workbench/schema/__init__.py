"""Annotation schemas: ``schemas/*.yaml`` → a validated, frozen `Schema` → Label Studio XML.

`Schema.version` hashes the parsed, normalised schema: cosmetic YAML edits keep it, any change
of a name, description, hotkey, colour, choice, flag or order does not; the guideline file has
its own `Schema.guidelines_version`. The view reads task data ``text`` (results' offsets count
its characters), ``title``, ``context`` (the previous paragraph; ``""`` for the first) and
``feedback``; ``segment_id`` and ``article_id`` are kept for bookkeeping.

Hotkeys must be unique across the whole view, attributes of other labels included: the editor
binds every Label and Choice hotkey globally, calls every handler of a key, and a hidden
per-region Choices still writes into the selected region. Keys the editor binds itself are
refused (`RESERVED_HOTKEYS`), and every label and choice needs one (the editor would assign
free keys, making the guidelines' hotkey table wrong). ``required`` on a per-region Choices is
scoped by ``whenLabelValue`` on the tag itself; ``whenTagName`` is never emitted (the editor
lets it override ``whenLabelValue``).
"""

from workbench.schema.config_xml import label_config
from workbench.schema.load import load_schema, parse_schema, schema_from_dict
from workbench.schema.model import (
    CONTEXT_NAME,
    LABELS_NAME,
    TASK_FIELDS,
    TEXT_NAME,
    Attribute,
    Label,
    Relation,
    Schema,
    View,
)

__all__ = [
    "CONTEXT_NAME",
    "LABELS_NAME",
    "TASK_FIELDS",
    "TEXT_NAME",
    "Attribute",
    "Label",
    "Relation",
    "Schema",
    "View",
    "label_config",
    "load_schema",
    "parse_schema",
    "schema_from_dict",
]
