"""Labels from outside Label Studio: a CSV or JSONL file with ``item``, ``annotator``,
``label`` and optionally ``field`` (several categorical fields in one file).

Every problem is one `InputError` line naming the file (and the line, for JSONL).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from workbench.errors import InputError

from .records import Label

REQUIRED = ("item", "annotator", "label")
DEFAULT_FIELD = "label"


def read_labels(path: Path) -> list[Label]:
    """The file's labels; `.jsonl`/`.ndjson`/`.json` are JSON lines, anything else is CSV."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if not text.strip():
        raise InputError(f"{path}: empty file")
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson", ".json")
    rows = _jsonl_rows(path, text) if jsonl else _csv_rows(path, text)
    labels = [lab for where, row in rows if (lab := _label(path, where, row)) is not None]
    if not labels:
        raise InputError(f"{path}: no labels (only a header?)")
    return labels


def _csv_rows(path: Path, text: str) -> list[tuple[str, dict[str, Any]]]:
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    _check_columns(path, header, "header")
    return [(f"line {reader.line_num}", row) for row in reader]


def _jsonl_rows(path: Path, text: str) -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {n}: bad JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise InputError(f"{path}: line {n}: expected a JSON object")
        _check_columns(path, list(row), f"line {n}")
        rows.append((f"line {n}", row))
    return rows


def _check_columns(path: Path, columns: list[str], where: str) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        which = ", ".join(repr(c) for c in missing)
        noun = "column" if len(missing) == 1 else "columns"
        raise InputError(f"{path}: missing {noun} {which} ({where} has {', '.join(columns)})")


def _label(path: Path, where: str, row: dict[str, Any]) -> Label | None:
    values = {col: str(row.get(col) or "").strip() for col in REQUIRED}
    if not values["label"]:
        return None  # an empty label is a missing label: the annotator did not label the item
    for col in ("item", "annotator"):
        if not values[col]:
            raise InputError(f"{path}: {where}: empty {col!r}")
    field = str(row.get("field") or "").strip() or DEFAULT_FIELD
    return Label(values["item"], values["annotator"], field, values["label"])
