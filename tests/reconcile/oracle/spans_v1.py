"""Agreement and alignment of span layers (and of attribution triples built on them).

Definitions used throughout:

* **Overlap** of two spans is their character Jaccard index
  ``|a ∩ b| / |a ∪ b|`` over the half-open intervals ``[start, end)``. Two spans *match by
  overlap* when they have the same label and Jaccard ≥ `threshold` (default 0.5); they *match
  exactly* when label, start and end are equal.
* **Pairwise F1** between annotators a and b: spans are paired one-to-one (greedy, best Jaccard
  first, ties by position — deterministic), TP = matched pairs,
  ``F1 = 2 TP / (n_a + n_b)`` (symmetric), precision = TP / n_a, recall = TP / n_b. Computed per
  label and micro over all labels, on the items both annotated.
* **Coverage**: which annotators annotated an item. Pass it (`coverage`: (item, annotator)
  pairs) so that an annotator who found nothing in an item counts; by default it is inferred
  from the spans (an annotator covers an item when they drew a span in it).
* **Token alpha** (as PolNeAR reports it): each *token* of the item text (regex
  ``\\w+|[^\\w\\s]``; or each non-space character with ``unit="char"``) gets from each annotator
  covering the item the set of labels of the spans touching it ("O" when none); nominal
  Krippendorff alpha over tokens on those values, plus one-vs-rest alpha per label.
* **Alignment**: within an item and label, spans of different annotators are clustered by
  complete-linkage on Jaccard ≥ threshold (greedy, best pairs first), at most one span per
  annotator per cluster. Used for span consensus.
* **Attribution triples**: for each Content region, (source, cue, content) with the Source it is
  `attributed_to` and the Cue that is `cue_of` it (None when absent; one triple per combination
  when several). Two triples match when each part matches by overlap (None matches None).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations, product
from typing import Literal

import numpy as np

from workbench.reconcile._bootstrap import DEFAULT_CONFIDENCE, DEFAULT_N_BOOT, IntArray
from workbench.reconcile.records import Metric, Relation, Span
from workbench.reconcile.spans import (
    DEFAULT_THRESHOLD,
    TOKEN_RE,
    Match,
    PairF1,
    SpanCluster,
    Triple,
    _pair_f1,
    _token_alpha_from_profiles,
    jaccard,
    spans_match,
    triples_match,
)


def _span_key(s: Span) -> tuple[int, int, str, str, str]:
    return (s.start, s.end, s.label, s.annotator, s.region_id)


def _match_count(
    a: Sequence[Span], b: Sequence[Span], match: Match, threshold: float
) -> list[tuple[Span, Span]]:
    """Greedy one-to-one matching: best Jaccard first, ties by position; deterministic."""
    if len(a) == 1 and len(b) == 1:
        return [(a[0], b[0])] if spans_match(a[0], b[0], match, threshold) else []
    cands = []
    for x in a:
        for y in b:
            if spans_match(x, y, match, threshold):
                cands.append((-jaccard(x, y), _span_key(x), _span_key(y), x, y))
    cands.sort(key=lambda c: (c[0], c[1], c[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    out = []
    for _, _, _, x, y in cands:
        if id(x) in used_a or id(y) in used_b:
            continue
        used_a.add(id(x))
        used_b.add(id(y))
        out.append((x, y))
    return out


def _coverage(
    spans: Sequence[Span], coverage: Iterable[tuple[str, str]] | None
) -> dict[str, tuple[str, ...]]:
    pairs = {(s.item, s.annotator) for s in spans}
    if coverage is not None:
        pairs |= set(coverage)
    by_item: dict[str, set[str]] = defaultdict(set)
    for item, ann in pairs:
        by_item[item].add(ann)
    return {item: tuple(sorted(anns)) for item, anns in sorted(by_item.items())}


def _group(spans: Iterable[Span]) -> dict[tuple[str, str], list[Span]]:
    """Spans by (item, annotator), each list sorted by position."""
    out: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for s in sorted(spans, key=lambda s: (s.item, s.annotator, *_span_key(s))):
        out[(s.item, s.annotator)].append(s)
    return out


# --------------------------------------------------------------------------- pairwise F1


def span_f1_pairwise(
    spans: Iterable[Span],
    *,
    match: Match = "overlap",
    threshold: float = DEFAULT_THRESHOLD,
    coverage: Iterable[tuple[str, str]] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> list[PairF1]:
    """Pairwise span F1 per label and micro (label None), sorted by (a, b, label).

    Only items both annotators cover count; `f1.n_items` is their number.
    """
    spans = list(spans)
    grouped = _group(spans)
    labels = sorted({s.label for s in spans})
    lab_idx = {lab: i for i, lab in enumerate(labels)}
    n_lab = len(labels)
    if not n_lab:
        return []  # no spans at all: no figures (as the index gives)
    # rows[(a, b)]: flat per-item counts, n_lab × (tp, n_a, n_b) per co-annotated item
    rows: dict[tuple[str, str], list[int]] = defaultdict(list)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for item, anns in _coverage(spans, coverage).items():
        for a, b in combinations(anns, 2):
            shared[(a, b)] += 1
            sa, sb = grouped.get((item, a), []), grouped.get((item, b), [])
            arr = [0] * (3 * n_lab)
            for s in sa:
                arr[3 * lab_idx[s.label] + 1] += 1
            for s in sb:
                arr[3 * lab_idx[s.label] + 2] += 1
            for x, _ in _match_count(sa, sb, match, threshold):
                arr[3 * lab_idx[x.label]] += 1
            rows[(a, b)].extend(arr)
    out: list[PairF1] = []
    for (a, b), flat in sorted(rows.items()):
        # (items, labels, 3): explicit shape, so that no labels at all is (n, 0, 3)
        stacked = np.array(flat, dtype=np.int64).reshape(shared[(a, b)], n_lab, 3)
        out.append(_pair_f1(a, b, None, match, stacked.sum(axis=1), n_boot, seed, confidence))
        for lab in labels:
            out.append(
                _pair_f1(a, b, lab, match, stacked[:, lab_idx[lab]], n_boot, seed, confidence)
            )
    return out


# --------------------------------------------------------------------------- token alpha


def _units(text: str, unit: Literal["token", "char"]) -> list[tuple[int, int]]:
    if unit == "char":
        return [(m.start(), m.start() + 1) for m in re.finditer(r"\S", text)]
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


_CELLS_PER_CHUNK = 2_000_000


def token_alpha(
    spans: Iterable[Span],
    texts: Mapping[str, str],
    *,
    unit: Literal["token", "char"] = "token",
    coverage: Iterable[tuple[str, str]] | None = None,
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
    spans = list(spans)
    labels = sorted({s.label for s in spans})
    if len(labels) > 62:
        raise ValueError("token_alpha supports at most 62 span labels")
    lab_idx = {lab: i for i, lab in enumerate(labels)}
    covered = {i: anns for i, anns in _coverage(spans, coverage).items() if len(anns) >= 2}
    items = list(covered)
    item_pos = {item: k for k, item in enumerate(items)}
    rank = {(item, a): r for item, anns in covered.items() for r, a in enumerate(anns)}
    # span table: item position, annotator rank, label, start, end (sorted by item position)
    table: IntArray = np.array(
        [
            (item_pos[s.item], rank[(s.item, s.annotator)], lab_idx[s.label], s.start, s.end)
            for s in spans
            if s.item in item_pos
        ],
        dtype=np.int64,
    ).reshape(-1, 5)
    table = table[np.argsort(table[:, 0], kind="stable")]
    by_m: dict[int, list[int]] = defaultdict(list)
    for k, item in enumerate(items):
        by_m[len(covered[item])].append(k)
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
    t_start: list[int] = []
    t_end: list[int] = []
    offsets = np.zeros(len(chunk), dtype=np.int64)
    lengths = np.zeros(len(chunk), dtype=np.int64)
    off = 0
    for j, k in enumerate(chunk):
        text = texts[items[k]]
        offsets[j], lengths[j] = off, len(text)
        for a, b in _units(text, unit):
            t_start.append(off + a)
            t_end.append(off + b)
        off += len(text) + 1
    n_tok = len(t_start)
    if n_tok == 0:
        return
    starts, ends = np.array(t_start, dtype=np.int64), np.array(t_end, dtype=np.int64)
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
        diff = np.zeros((n_tok + 1, m), dtype=np.int64)
        np.add.at(diff, (t0[pick], rows[pick, 1]), 1)
        np.add.at(diff, (t1[pick], rows[pick, 1]), -1)
        masks |= (np.cumsum(diff[:-1], axis=0) > 0).astype(np.int64) << lab
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


# --------------------------------------------------------------------------- alignment


def align_spans(spans: Iterable[Span], threshold: float = DEFAULT_THRESHOLD) -> list[SpanCluster]:
    """Cluster same-label spans of different annotators across each item (see module doc).

    Output is sorted by (item, first member position, label) and independent of input order.
    """
    by_group: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for s in sorted(spans, key=lambda s: (s.item, s.label, s.annotator, *_span_key(s))):
        by_group[(s.item, s.label)].append(s)
    out: list[SpanCluster] = []
    for (item, label), group in by_group.items():
        if len({s.annotator for s in group}) == len(group) and all(
            jaccard(x, y) >= threshold for x, y in combinations(group, 2)
        ):
            # one span per annotator, all overlapping: complete linkage merges them all
            out.append(SpanCluster(item, label, tuple(group)))
            continue
        clusters: list[list[Span]] = [[s] for s in group]
        owner = list(range(len(group)))  # span index -> cluster index
        cands = []
        for i, j in combinations(range(len(group)), 2):
            if group[i].annotator == group[j].annotator:
                continue
            jac = jaccard(group[i], group[j])
            if jac >= threshold:
                cands.append((-jac, _span_key(group[i]), _span_key(group[j]), i, j))
        cands.sort(key=lambda c: (c[0], c[1], c[2]))
        for _, _, _, i, j in cands:
            ci, cj = owner[i], owner[j]
            if ci == cj:
                continue
            a, b = clusters[ci], clusters[cj]
            if {s.annotator for s in a} & {s.annotator for s in b}:
                continue
            if any(jaccard(x, y) < threshold for x in a for y in b):
                continue  # complete linkage: every pair must overlap enough
            a.extend(b)
            clusters[cj] = []
            for idx in range(len(group)):
                if owner[idx] == cj:
                    owner[idx] = ci
        for members in clusters:
            if members:
                members.sort(key=lambda s: (s.annotator, *_span_key(s)))
                out.append(SpanCluster(item, label, tuple(members)))
    out.sort(key=lambda c: (c.item, min(_span_key(s) for s in c.members), c.label))
    return out


# --------------------------------------------------------------------------- triples


def _triple_key(t: Triple) -> tuple[object, ...]:
    return tuple(_span_key(p) if p is not None else () for p in (t.content, t.source, t.cue))


def triple_f1_pairwise(
    spans: Iterable[Span],
    relations: Iterable[Relation],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    coverage: Iterable[tuple[str, str]] | None = None,
    attributed_to: str = "attributed_to",
    cue_of: str = "cue_of",
    n_boot: int = DEFAULT_N_BOOT,
    seed: int | np.random.Generator = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> list[PairF1]:
    """Pairwise F1 over attribution triples (greedy one-to-one, best total Jaccard first)."""
    spans = list(spans)
    triples = attribution_triples(spans, relations, attributed_to=attributed_to, cue_of=cue_of)
    by_ia: dict[tuple[str, str], list[Triple]] = defaultdict(list)
    for t in triples:
        by_ia[(t.item, t.annotator)].append(t)
    rows: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    for item, anns in _coverage(spans, coverage).items():
        for a, b in combinations(anns, 2):
            ta, tb = by_ia.get((item, a), []), by_ia.get((item, b), [])
            cands = []
            for i, x in enumerate(ta):
                for j, y in enumerate(tb):
                    sc = triples_match(x, y, threshold)
                    if sc is not None:
                        cands.append((-sc, _triple_key(x), _triple_key(y), i, j))
            cands.sort(key=lambda c: (c[0], str(c[1]), str(c[2])))
            used_a: set[int] = set()
            used_b: set[int] = set()
            for _, _, _, i, j in cands:
                if i not in used_a and j not in used_b:
                    used_a.add(i)
                    used_b.add(j)
            rows[(a, b)].append((len(used_a), len(ta), len(tb)))
    return [
        _pair_f1(a, b, "triple", "overlap", np.array(r, dtype=np.int64), n_boot, seed, confidence)
        for (a, b), r in sorted(rows.items())
    ]


def attribution_triples(
    spans: Iterable[Span],
    relations: Iterable[Relation],
    *,
    attributed_to: str = "attributed_to",
    cue_of: str = "cue_of",
) -> list[Triple]:
    """Triples from `attributed_to` (Content → Source) and `cue_of` (Cue → Content) relations.

    Every span that is the content end of one of these relations (i.e. from of attributed_to,
    to of cue_of) yields triples; sorted by (item, annotator, content, source, cue).
    """
    region = {(s.item, s.annotator, s.region_id): s for s in spans}
    sources: dict[tuple[str, str, str], list[Span]] = defaultdict(list)
    cues: dict[tuple[str, str, str], list[Span]] = defaultdict(list)
    for r in sorted(relations):
        key_from = (r.item, r.annotator, r.from_region)
        key_to = (r.item, r.annotator, r.to_region)
        if key_from not in region or key_to not in region:
            continue
        if r.kind == attributed_to:
            sources[key_from].append(region[key_to])
        elif r.kind == cue_of:
            cues[key_to].append(region[key_from])
    out = []
    for key in sorted(set(sources) | set(cues)):
        content = region[key]
        srcs: list[Span | None] = [*sorted(sources.get(key, []), key=_span_key)] or [None]
        cs: list[Span | None] = [*sorted(cues.get(key, []), key=_span_key)] or [None]
        for src, cue in product(srcs, cs):
            out.append(Triple(key[0], key[1], src, cue, content))
    return out
