"""Train/dev/test splits grouped by article, stable across releases (pure).

An article's split is decided once and persisted (table `splits`); later releases reuse it, so
a segment never moves between splits. A new article is placed by hashing its group id (its
first revision's id) into [0, 1) and cutting by the ratios: deterministic, independent of the
order or number of other articles, and the same for every dataset built from the same articles
(the hash is not salted by dataset, so a paragraph and a sentence dataset never leak into each
other's test set when their ratios agree).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence

from workbench.errors import ConfigError

SPLITS: tuple[str, ...] = ("train", "dev", "test")
DEFAULT_RATIOS: tuple[float, float, float] = (0.8, 0.1, 0.1)
_SALT = b"workbench-split-v1:"


def parse_ratios(text: str | None) -> tuple[float, float, float]:
    """``"0.8,0.1,0.1"`` → (0.8, 0.1, 0.1); three non-negative numbers summing to 1."""
    if text is None or not text.strip():
        return DEFAULT_RATIOS
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ConfigError(f"--split {text!r}: expected three numbers like 0.8,0.1,0.1") from None
    if len(values) != len(SPLITS):
        raise ConfigError(f"--split {text!r}: expected {len(SPLITS)} ratios (train,dev,test)")
    if any(not math.isfinite(v) or v < 0 for v in values):
        raise ConfigError(f"--split {text!r}: ratios must be non-negative numbers")
    if not math.isclose(sum(values), 1.0, abs_tol=1e-6):
        raise ConfigError(f"--split {text!r}: ratios must sum to 1 (they sum to {sum(values):g})")
    return (values[0], values[1], values[2])


def hash_split(group: str, ratios: Sequence[float] = DEFAULT_RATIOS) -> str:
    """The split a new group falls into: a uniform number in [0, 1) from the group id (the
    first 60 bits of its sha256), cut by the ratios."""
    digest = hashlib.sha256(_SALT + group.encode("utf-8")).digest()
    u = (int.from_bytes(digest[:8], "big") >> 4) / float(1 << 60)
    edge = 0.0
    for name, ratio in zip(SPLITS, ratios, strict=True):
        edge += ratio
        if u < edge:
            return name
    # Rounding may leave u ≥ the last edge: the last split with a non-zero ratio takes it.
    return next(n for n, r in zip(reversed(SPLITS), reversed(ratios), strict=True) if r > 0)


def assign_splits(
    groups: Iterable[str],
    existing: Mapping[str, str],
    ratios: Sequence[float] = DEFAULT_RATIOS,
    documents: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """(all assignments, the new ones) for `groups`; existing assignments always win. A new
    group of a document (`documents`: group → document key, for tasks imported one paragraph
    each) takes its document's split: that of a member assigned before, else the document's
    hash, so the paragraphs of one story never land in two splits."""
    documents = documents or {}
    every: dict[str, str] = {}
    new: dict[str, str] = {}
    of_document: dict[str, str] = {}
    wanted = sorted(set(groups))
    for group in wanted:
        if group in existing:
            every[group] = existing[group]
            if group in documents:
                of_document.setdefault(documents[group], existing[group])
    for group in wanted:
        if group not in every:
            doc = documents.get(group)
            split = of_document.setdefault(doc, hash_split(doc, ratios)) if doc else None
            every[group] = new[group] = split or hash_split(group, ratios)
    return every, new
