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

from workbench.schema.load import RESERVED_HOTKEYS, load_schema, parse_schema, schema_from_dict
from workbench.schema.model import (
    CATEGORICAL_KINDS,
    CONTEXT_NAME,
    KINDS,
    LABELS_NAME,
    META_FIELDS,
    TASK_FIELDS,
    TEXT_NAME,
    Attribute,
    Choice,
    Label,
    Relation,
    Schema,
    View,
)

__all__ = [
    "CATEGORICAL_KINDS",
    "CONTEXT_NAME",
    "KINDS",
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
    "View",
    "load_schema",
    "parse_schema",
    "schema_from_dict",
]
