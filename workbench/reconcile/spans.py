"""Agreement and alignment of span layers.

* **Overlap**: character Jaccard of ``[start, end)``; two spans *match by overlap* with the same
  label and Jaccard ≥ `threshold` (0.5), *exactly* with the same label, start and end.
* **Pairwise F1** of annotators a and b, on the items both cover: spans paired one-to-one
  (greedy, best Jaccard first, ties by position), ``F1 = 2 TP / (n_a + n_b)``; per label and
  micro. An annotator who annotated an item and drew nothing in it counts (as finding
  nothing): the index knows every annotation.
* **Token alpha** (as PolNeAR reports it): each token (``\\w+|[^\\w\\s]``, or non-space
  character) gets from each covering annotator the set of labels of the spans touching it
  ("O" when none); nominal Krippendorff alpha over tokens, plus one-vs-rest per label.
* **Alignment**: within an item and label, spans of different annotators clustered by complete
  linkage on Jaccard ≥ threshold (best pairs first), at most one span per annotator.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np

from . import _bootstrap
from ._bootstrap import DEFAULT_CONFIDENCE, DEFAULT_N_BOOT, FloatArray, IntArray
from .arrays import BoolArray
from .categorical import _alpha_from_profiles
from .records import Metric
from .spanindex import SpanIndex

Match = Literal["exact", "overlap"]
TOKEN_RE = re.compile(r"\w+|[^\w\s]")
DEFAULT_THRESHOLD = 0.5


# --------------------------------------------------------------------------- pairwise F1


@dataclass(frozen=True, eq=False)
class PairF1:
    """F1 of annotator pair (a, b) for one label (None = micro over all labels)."""

    annotator_a: str
    annotator_b: str
    label: str | None
    match: str
    tp: int
    n_a: int
    n_b: int
    precision: float
    recall: float
    f1: Metric

    @property
    def n_items(self) -> int:
        return self.f1.n_items

    def __eq__(self, other: object) -> bool:
        # NaN-aware (precision / recall are NaN when a side has no span).
        if not isinstance(other, PairF1):
            return NotImplemented
        return _key(self) == _key(other)

    def __hash__(self) -> int:
        return hash(_key(self))


def _key(p: PairF1) -> tuple[object, ...]:
    nan_safe = tuple(None if math.isnan(x) else x for x in (p.precision, p.recall))
    return (p.annotator_a, p.annotator_b, p.label, p.match, p.tp, p.n_a, p.n_b, nan_safe, p.f1)


def _f1_stat(profiles: IntArray) -> _bootstrap.Statistic:
    pf = profiles.astype(np.float64)

    def stat(weights: FloatArray) -> FloatArray:
        tp, na, nb = (weights @ pf).T
        out: FloatArray = 2.0 * tp / (na + nb)
        return out

    return stat


def _pair_f1(
    a: str,
    b: str,
    label: str | None,
    match: str,
    rows: IntArray,
    n_boot: int,
    seed: int | np.random.Generator,
    confidence: float,
) -> PairF1:
    """`rows`: per co-annotated item, (tp, n_a, n_b)."""
    tp, na, nb = (int(x) for x in rows.sum(axis=0))
    profiles, mult = _bootstrap.profiles(rows)
    name = f"span_f1_{match}" + (f"[{label}]" if label is not None else "")
    f1 = _bootstrap.metric(
        name, mult, _f1_stat(profiles), n_boot=n_boot, seed=seed, confidence=confidence
    )
    nan = float("nan")
    return PairF1(
        a, b, label, match, tp, na, nb, tp / na if na else nan, tp / nb if nb else nan, f1
    )


def pairwise_f1(
    index: SpanIndex,
    match: Match,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> list[PairF1]:
    """Pairwise span F1 per label and micro (label None), sorted by (a, b, label).

    Only items both annotators cover count; `f1.n_items` is their number.
    """
    if not index.labels:
        return []
    counts = index.pair_counts(exact=match == "exact")
    out: list[PairF1] = []
    for a, b, rows in index.rows_by_pair():
        stacked = counts[rows]
        out.append(_pair_f1(a, b, None, match, stacked.sum(axis=1), n_boot, seed, confidence))
        for k, lab in enumerate(index.labels):
            out.append(_pair_f1(a, b, lab, match, stacked[:, k], n_boot, seed, confidence))
    return out


# --------------------------------------------------------------------------- token alpha


def _classes(chars: Sequence[str]) -> tuple[BoolArray, BoolArray]:
    """(is space, is word character) of each of `chars`: what ``\\s`` and ``\\w`` match."""
    space = np.array([c.isspace() for c in chars], dtype=bool)
    word = np.array([c.isalnum() or c == "_" for c in chars], dtype=bool)
    return space, word


@cache
def _bmp_classes() -> tuple[BoolArray, BoolArray]:
    """`_classes` of every code point of the Basic Multilingual Plane, built once: a lookup
    table, as `np.unique` over every code point of the texts was ~2 s at 10^5 segments."""
    return _classes([chr(c) for c in range(0x10000)])


def _units(text: str, unit: Literal["token", "char"]) -> tuple[IntArray, IntArray]:
    """Starts and ends of the units of `text`: the matches of `TOKEN_RE` (or of ``\\S``).

    Array arithmetic instead of the regex: a word token is a maximal run of word characters
    (``str.isalnum()`` or ``_``, which is what ``\\w`` matches), every other non-space
    character is a token of its own. Characters are classified by a table of the BMP; the rare
    ones beyond it once per distinct character.
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    bmp_space, bmp_word = _bmp_classes()
    in_table = np.minimum(codes, 0xFFFF)
    space, word = bmp_space[in_table], bmp_word[in_table]
    beyond = np.flatnonzero(codes > 0xFFFF)
    if beyond.size:
        uniq, inverse = np.unique(codes[beyond], return_inverse=True)
        far_space, far_word = _classes([chr(c) for c in uniq.tolist()])
        space[beyond], word[beyond] = far_space[inverse], far_word[inverse]
    if unit == "char":
        at = np.flatnonzero(~space).astype(np.int64)
        return at, at + 1
    other = ~word & ~space
    before = np.concatenate(([False], word[:-1]))
    after = np.concatenate((word[1:], [False]))
    starts = np.flatnonzero((word & ~before) | other).astype(np.int64)
    ends = np.flatnonzero((word & ~after) | other).astype(np.int64) + 1
    return starts, ends


_CELLS_PER_CHUNK = 2_000_000


def token_alpha(
    index: SpanIndex,
    texts: Mapping[str, str],
    unit: Literal["token", "char"] = "token",
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Metric]:
    """Token-level nominal alpha: key "all" (value = the set of labels on the token, "O" when
    none) and one key per label (one-vs-rest: label on the token or not).

    A token carries a label when a span of that label overlaps it by at least one character.
    Only items with ≥ 2 covering annotators count; items missing from `texts` raise KeyError.
    The bootstrap resamples tokens (the units of the alpha).

    Vectorised: items with the same number m of annotators are processed in chunks as a
    (tokens, m) matrix of label bitmasks filled by difference arrays.
    """
    labels = list(index.labels)
    if len(labels) > 62:
        raise ValueError("token_alpha supports at most 62 span labels")
    n_cov = np.bincount(index.cov_item, minlength=len(index.items))
    first_row = np.concatenate(([0], np.cumsum(n_cov)[:-1]))
    is_covered = n_cov >= 2
    items = [it for it, ok in zip(index.items, is_covered.tolist(), strict=True) if ok]
    pos_of_item = np.cumsum(is_covered) - 1  # item index -> position among covered items
    covered = {it: int(m) for it, m in zip(index.items, n_cov.tolist(), strict=True) if m >= 2}
    # span table: item position, annotator rank in the item, label, start, end
    keep = is_covered[index.item]
    table: IntArray = (
        np.stack(
            [
                pos_of_item[index.item[keep]],
                (index.span_cov - first_row[index.item])[keep],
                index.lab[keep],
                index.start[keep],
                index.end[keep],
            ],
            axis=1,
        )
        .astype(np.int64)
        .reshape(-1, 5)
    )
    by_m: dict[int, list[int]] = defaultdict(list)
    for k, item in enumerate(items):
        by_m[covered[item]].append(k)
    profiles: dict[tuple[int, ...], int] = defaultdict(int)
    for m, positions in sorted(by_m.items()):
        chunk: list[int] = []
        n_cells = 0
        for k in positions:
            chunk.append(k)
            n_cells += len(texts[items[k]]) * m
            if n_cells >= _CELLS_PER_CHUNK:
                _token_chunk(chunk, m, items, texts, unit, table, len(labels), profiles)
                chunk, n_cells = [], 0
        if chunk:
            _token_chunk(chunk, m, items, texts, unit, table, len(labels), profiles)
    return _token_alpha_from_profiles(profiles, labels, n_boot, seed, confidence)


def _token_chunk(
    chunk: list[int],
    m: int,
    items: list[str],
    texts: Mapping[str, str],
    unit: Literal["token", "char"],
    table: IntArray,
    n_labels: int,
    profiles: dict[tuple[int, ...], int],
) -> None:
    """Add the token profiles (sorted label bitmasks of the m annotators) of `chunk` items."""
    chunk_texts = [texts[items[k]] for k in chunk]
    lengths = np.array([len(t) for t in chunk_texts], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])).astype(np.int64)
    # one pass over the chunk; the newline between texts is a space, so no unit crosses it
    starts, ends = _units("\n".join(chunk_texts), unit)
    n_tok = len(starts)
    if n_tok == 0:
        return
    # spans of these items (table is sorted by item position; chunk positions ascend)
    chunk_arr = np.array(chunk, dtype=np.int64)
    lo = np.searchsorted(table[:, 0], chunk_arr, side="left")
    hi = np.searchsorted(table[:, 0], chunk_arr, side="right")
    counts = hi - lo
    before = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sel = np.repeat(lo - before, counts) + np.arange(int(counts.sum()))
    rows = table[sel]
    local = np.repeat(np.arange(len(chunk)), counts)
    g_start = offsets[local] + np.minimum(rows[:, 3], lengths[local])
    g_end = offsets[local] + np.minimum(rows[:, 4], lengths[local])
    t0 = np.searchsorted(ends, g_start, side="right")
    t1 = np.maximum(np.searchsorted(starts, g_end, side="left"), t0)
    masks: IntArray = np.zeros((n_tok, m), dtype=np.int64)
    for lab in range(n_labels):
        pick = rows[:, 2] == lab
        if not pick.any():
            continue
        cells = (n_tok + 1) * m
        diff = np.bincount(t0[pick] * m + rows[pick, 1], minlength=cells) - np.bincount(
            t1[pick] * m + rows[pick, 1], minlength=cells
        )
        covered = np.cumsum(diff.reshape(n_tok + 1, m)[:-1], axis=0) > 0
        masks |= covered.astype(np.int64) << lab
    masks.sort(axis=1)
    if n_labels * m <= 62:
        # Pack each row into one int64 and count those: `np.unique(axis=0)` sorts rows as
        # structured records, ~10x slower, and this runs over every token of the dataset.
        shifts = np.arange(m, dtype=np.int64) * n_labels
        keys = (masks << shifts).sum(axis=1)
        uniq_keys, cnt = np.unique(keys, return_counts=True)
        full = (1 << n_labels) - 1
        uniq = (uniq_keys[:, None] >> shifts) & full
    else:
        uniq, cnt = np.unique(masks, axis=0, return_counts=True)
    for row, c in zip(uniq.tolist(), cnt.tolist(), strict=True):
        profiles[tuple(row)] += c


def _token_alpha_from_profiles(
    profiles: Mapping[tuple[int, ...], int],
    labels: Sequence[str],
    n_boot: int,
    seed: int | np.random.Generator,
    confidence: float,
) -> dict[str, Metric]:
    rows = sorted(profiles.items())
    values = sorted({v for row, _ in rows for v in row})
    v_idx = {v: i for i, v in enumerate(values)}
    counts = np.zeros((len(rows), max(len(values), 1)), dtype=np.int64)
    for g, (row, _) in enumerate(rows):
        for v in row:
            counts[g, v_idx[v]] += 1
    mult = np.array([c for _, c in rows], dtype=np.int64)
    names = ["+".join(lab for i, lab in enumerate(labels) if (v >> i) & 1) or "O" for v in values]
    out = {
        "all": _alpha_from_profiles(
            "token_alpha", counts, mult, "nominal", names, n_boot, seed, confidence
        )
    }
    for i, lab in enumerate(labels):
        has = np.array([(v >> i) & 1 for v in values], dtype=bool).reshape(-1)
        binary = np.stack([counts[:, ~has].sum(axis=1), counts[:, has].sum(axis=1)], axis=1)
        uniq, inverse = np.unique(binary, axis=0, return_inverse=True)
        merged = np.bincount(inverse.reshape(-1), weights=mult, minlength=len(uniq))
        out[lab] = _alpha_from_profiles(
            f"token_alpha[{lab}]",
            uniq.astype(np.int64),
            merged.astype(np.int64),
            "nominal",
            ("O", lab),
            n_boot,
            seed,
            confidence,
        )
    return out


# --------------------------------------------------------------------------- pooled


def _per_item(index: SpanIndex, counts: IntArray) -> IntArray:
    """Pair rows summed per item (items with a pair, i.e. ≥ 2 covering annotators)."""
    item = index.pair_rows[0]
    if len(item) == 0:
        return counts[:0]
    starts = np.flatnonzero(np.concatenate(([True], item[1:] != item[:-1])))
    out: IntArray = np.add.reduceat(counts, starts, axis=0)
    return out


def pooled_f1(
    index: SpanIndex,
    match: Match,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Metric]:
    """Span F1 pooled over every annotator pair: ``2 ΣTP / Σ(n_a + n_b)`` over the items with
    ≥ 2 covering annotators, key "all" (micro) and one per label; the bootstrap resamples
    items."""
    labels = index.labels
    stacked = _per_item(index, index.pair_counts(exact=match == "exact"))[:, : len(labels)]
    out = {"all": _pooled(f"span_f1_{match}", stacked.sum(axis=1), n_boot, seed, confidence)}
    for k, lab in enumerate(labels):
        out[lab] = _pooled(f"span_f1_{match}[{lab}]", stacked[:, k], n_boot, seed, confidence)
    return out


def _pooled(name: str, rows: IntArray, n_boot: int, seed: int, confidence: float) -> Metric:
    # Items where nobody drew anything say nothing about span agreement: F1 is undefined
    # there (0/0), so they are left out of the figure and of its n_items.
    rows = rows[(rows[:, 1] + rows[:, 2]) > 0]
    profiles, mult = _bootstrap.profiles(rows.astype(np.int64))
    return _bootstrap.metric(
        name, mult, _f1_stat(profiles), n_boot=n_boot, seed=seed, confidence=confidence
    )
