"""The annotated sets the suggestions are measured on: spans as `Item`s of a `Segment`, read
from `benchmarks/data/*.jsonl` (one JSON object per segment: its `text`, its `spans` located by
their exact text and `occurrence`, and `relations`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SETS = {"dev (seeds)": DATA / "suggest_dev.jsonl", "held-out": DATA / "suggest_heldout.jsonl"}
LABELS = ("Content", "Cue", "Source")
ATTRS = {"Content": "quote_type", "Source": "source_type"}


@dataclass(frozen=True)
class Item:
    label: str
    start: int
    end: int
    attr: str | None = None


Link = tuple[str, Item, Item]  # (relation, from, to)


@dataclass(frozen=True)
class Segment:
    id: str
    text: str
    context: str
    gold: tuple[Item, ...]
    relations: tuple[Link, ...] = ()


def locate(text: str, needle: str, occurrence: int) -> int:
    """Start of the n-th whole-word occurrence of ``needle`` ("he" is not in "the"), or -1."""
    left = r"\b" if needle[:1].isalnum() else ""
    right = r"\b" if needle[-1:].isalnum() else ""
    found = list(re.finditer(left + re.escape(needle) + right, text))
    return found[occurrence - 1].start() if len(found) >= occurrence else -1


def load(path: Path) -> list[Segment]:
    out: list[Segment] = []
    previous: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        text = row["text"]
        gold = []
        by_id: dict[str, Item] = {}
        for span in row["spans"]:
            start = locate(text, span["text"], int(span.get("occurrence", 1)))
            if start < 0:
                raise SystemExit(f"{path.name}:{n}: span {span['text'][:50]!r} not in the text")
            attr = span.get(ATTRS.get(span["label"], ""))
            item = Item(span["label"], start, start + len(span["text"]), attr)
            gold.append(item)
            by_id[span["id"]] = item
        links = tuple((name, by_id[a], by_id[b]) for a, name, b in row["relations"])
        article = row["id"].split("#")[0]
        out.append(Segment(row["id"], text, previous.get(article, ""), tuple(gold), links))
        previous[article] = text
    return out
