"""The one annotation model: a Label Studio result → typed records (pure; never raises).

Every stage reads this: pull reads tasks and annotations with `tasks`, validates results with
`parse` and stores what it parsed (the *entry*, `Parsed.entry`) and the release form of the
result (`clean`); reconcile, agreement, export and adjudication read the stored entries; push
reads it to see which labels annotations use. Nothing downstream parses Label Studio JSON.

A result becomes regions (offsets, labels, per-region answers), relations in the schema's
direction, task-level answers, and the results of controls the schema does not know (kept, with
a warning). Label Studio's quirks are repaired, each repair recorded (the README lists them);
what is genuinely broken (unknown labels or choices, offsets outside the text, dangling ids, a
missing required answer) is a *problem*: the annotation is quarantined, its result kept.
"""

from workbench.annotation.parse import parse, validate
from workbench.annotation.records import (
    Link,
    Parsed,
    Region,
    from_entry,
    parser_key,
)
from workbench.annotation.result import schema_values, to_result, used_values

__all__ = [
    "Link",
    "Parsed",
    "Region",
    "from_entry",
    "parse",
    "parser_key",
    "schema_values",
    "to_result",
    "used_values",
    "validate",
]
