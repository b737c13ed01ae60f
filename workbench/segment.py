"""Split a cleaned article text (paragraphs separated by ``"\n\n"``) into segments. Pure.

Units: ``paragraph`` (default: one per paragraph, a quotation continued over paragraphs never
cut, segments over ``max_chars`` split at sentences), ``sentence`` (pysbd, paragraph by
paragraph) and ``article`` (the whole stripped text).

Invariants, every unit: ``text[seg.start:seg.end] == seg.text``, stripped and non-empty;
segments ordered, non-overlapping, ``position`` ``0..n-1``; ``seg.sentences`` absolute, ordered,
stripped spans inside the segment covering all its non-whitespace; every non-whitespace
character of the article in exactly one segment. The id is the first 20 hex digits of
``sha256("\x1f".join([article_id, unit, start, end, text]))``: deterministic, unique in an article.

Continued quotations (news convention: each paragraph of a quotation opens with a quote mark,
only the last closes it). Double quotes are scanned per paragraph (``“`` opens, ``”`` closes; a
straight ``"`` opens after start/space/bracket before a non-space, closes after a non-space
before space/punctuation/end, else toggles; a closer with nothing open is ignored). Paragraph
``P`` merges with the next ``Q`` iff ``P`` ends inside a quotation and ``Q`` opens with ``“`` or
``"``, so a typo cannot swallow the rest of the article; a group holds at most
:data:`MAX_MERGED_PARAGRAPHS` paragraphs and ``MAX_MERGE_FACTOR * max_chars`` characters.

Long segments: a group over ``max_chars`` is cut greedily into runs of whole sentences within
``max_chars`` (a longer sentence stays alone), at the *last* reachable boundary of the best rank:
(1) outside any quotation, (2) a paragraph break inside a continued quotation, (3) any other
sentence boundary. A quotation is cut only when nothing else is within reach.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

Unit = Literal["paragraph", "sentence", "article"]
_UNITS: frozenset[str] = frozenset({"paragraph", "sentence", "article"})

#: A continued quotation merges at most this many paragraphs into one group.
MAX_MERGED_PARAGRAPHS = 8
#: ... and a merged group stops growing beyond ``MAX_MERGE_FACTOR * max_chars`` characters.
MAX_MERGE_FACTOR = 4

_OPENING_MARKS = ("“", '"')
_PARAGRAPH_SEP = "\n\n"
_QUOTE_RE = re.compile('[“”"]')
# Characters after which a straight quote reads as an opening one.
_OPEN_CONTEXT = frozenset("([{<—–-/‘'")

Span = tuple[int, int]


@dataclass(frozen=True)
class Segment:
    id: str
    article_id: str
    unit: str
    position: int
    start: int
    end: int
    text: str
    sentences: tuple[tuple[int, int], ...]


def segment_id(article_id: str, unit: str, start: int, end: int, text: str) -> str:
    """Deterministic, machine-independent segment id (see module docstring)."""
    payload = "\x1f".join([article_id, unit, str(start), str(end), text])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


# --------------------------------------------------------------------------- pysbd

# pysbd's ``Segmenter.segment`` keeps the text on the instance (not thread-safe) and scans the
# whole text per sentence for char spans: we take a fresh ``Processor`` per call from one
# Segmenter per thread and locate the sentences with ``str.find`` from a moving cursor.
_local = threading.local()


def _segmenter() -> Any:
    seg = getattr(_local, "segmenter", None)
    if seg is None:
        import pysbd  # local import: keeps ``import workbench.segment`` cheap

        seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
        _local.segmenter = seg
    return seg


def _strip_span(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentences_in_block(text: str, start: int, end: int) -> list[Span]:
    """Sentence spans of ``text[start:end]`` (one paragraph), absolute and stripped: from
    the start of each located pysbd sentence to the start of the next, so they cover every
    non-whitespace character even where pysbd drops or alters a fragment (a sentence not
    found joins the one before)."""
    start, end = _strip_span(text, start, end)
    if start >= end:
        return []
    block = text[start:end]
    sents: list[str] = _segmenter().processor(block).process()
    starts: list[int] = [0]
    cursor = 0
    for sent in sents:
        needle = sent.strip()
        if not needle:
            continue
        found = block.find(needle, cursor)
        if found < 0:
            continue
        if found > starts[-1]:
            starts.append(found)
        cursor = found + len(needle)
    starts.append(len(block))
    spans: list[Span] = []
    for a, b in pairwise(starts):
        sa, sb = _strip_span(block, a, b)
        if sa < sb:
            spans.append((start + sa, start + sb))
    return spans


def _paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Stripped, non-empty ``"\\n\\n"``-separated blocks of ``text[start:end]``."""
    stop = len(text) if end is None else end
    spans: list[Span] = []
    pos = start
    while pos <= stop:
        nxt = text.find(_PARAGRAPH_SEP, pos, stop)
        block_end = stop if nxt < 0 else nxt
        a, b = _strip_span(text, pos, block_end)
        if a < b:
            spans.append((a, b))
        if nxt < 0:
            break
        pos = nxt + len(_PARAGRAPH_SEP)
    return spans


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``, absolute offsets into ``text``: paragraph breaks
    are hard breaks, pysbd decides inside a paragraph. Spans are non-empty, stripped, ordered,
    disjoint and cover every non-whitespace character of the range."""
    stop = len(text) if end is None else end
    if not 0 <= start <= stop <= len(text):
        raise ValueError(f"invalid range {start}:{end} for text of length {len(text)}")
    spans: list[Span] = []
    for a, b in _paragraph_spans(text, start, stop):
        spans.extend(_sentences_in_block(text, a, b))
    return spans


# --------------------------------------------------------------------------- quotes


def _quote_depths(text: str, start: int, end: int) -> tuple[list[int], list[int]]:
    """The double quotes of one paragraph: ``(positions, depths)``, ``depths[i]`` the depth
    just after the mark at ``positions[i]`` (0 at the paragraph's start; see module docstring)."""
    positions: list[int] = []
    depths: list[int] = []
    depth = 0
    for m in _QUOTE_RE.finditer(text, start, end):
        pos = m.start()
        ch = m.group()
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
        else:  # a straight quote
            prev = text[pos - 1] if pos > start else ""
            nxt = text[pos + 1] if pos + 1 < end else ""
            prev_open = prev == "" or prev.isspace() or prev in _OPEN_CONTEXT
            next_closed = nxt == "" or nxt.isspace() or not nxt.isalnum()
            if prev_open and not (nxt == "" or nxt.isspace()):
                depth += 1
            elif not prev_open and next_closed:
                depth = max(0, depth - 1)
            else:
                depth = depth - 1 if depth > 0 else depth + 1
        positions.append(pos)
        depths.append(depth)
    return positions, depths


def _ends_open(text: str, span: Span) -> bool:
    _, depths = _quote_depths(text, *span)
    return bool(depths) and depths[-1] > 0


def _opens_with_quote(text: str, span: Span) -> bool:
    return text.startswith(_OPENING_MARKS, span[0], span[1])


def _group_paragraphs(text: str, paragraphs: list[Span], max_chars: int) -> list[list[Span]]:
    """Group paragraphs so that continued quotations stay together (module docstring)."""
    limit = MAX_MERGE_FACTOR * max_chars
    groups: list[list[Span]] = []
    current: list[Span] = []
    for para in paragraphs:
        if current:
            last = current[-1]
            if (
                len(current) < MAX_MERGED_PARAGRAPHS
                and para[1] - current[0][0] <= limit
                and _ends_open(text, last)
                and _opens_with_quote(text, para)
            ):
                current.append(para)
                continue
            groups.append(current)
        current = [para]
    if current:
        groups.append(current)
    return groups


# --------------------------------------------------------------------------- chunking

_RANK_OUTSIDE = 2
_RANK_PARAGRAPH = 1
_RANK_INSIDE = 0


def _boundary_ranks(text: str, group: list[Span], sentences: list[Span]) -> list[int]:
    """Rank of the boundary after each sentence but the last (see module docstring)."""
    ranks: list[int] = []
    para_idx = 0
    positions: list[int] = []
    depths: list[int] = []
    scanned = -1
    for i in range(len(sentences) - 1):
        s_end = sentences[i][1]
        while group[para_idx][1] < s_end:
            para_idx += 1
        para = group[para_idx]
        if sentences[i + 1][0] >= para[1]:
            # paragraph break: inside a continued quotation iff this paragraph ends open
            inside = para_idx + 1 < len(group)
            ranks.append(_RANK_PARAGRAPH if inside else _RANK_OUTSIDE)
            continue
        if scanned != para_idx:
            positions, depths = _quote_depths(text, *para)
            scanned = para_idx
        depth = 0
        for pos, d in zip(positions, depths, strict=True):
            if pos >= s_end:
                break
            depth = d
        ranks.append(_RANK_OUTSIDE if depth == 0 else _RANK_INSIDE)
    return ranks


def _chunk(sentences: list[Span], ranks: list[int], max_chars: int) -> list[list[Span]]:
    """Greedy split of consecutive sentences into chunks (module docstring)."""
    chunks: list[list[Span]] = []
    i = 0
    n = len(sentences)
    while i < n:
        if sentences[-1][1] - sentences[i][0] <= max_chars:
            chunks.append(sentences[i:])
            break
        # j: last sentence index such that sentences[i..j] fits (at least i)
        j = i
        while j + 1 < n and sentences[j + 1][1] - sentences[i][0] <= max_chars:
            j += 1
        best = j
        if j > i:
            best_rank = ranks[j]
            for k in range(j, i - 1, -1):
                if ranks[k] > best_rank:
                    best, best_rank = k, ranks[k]
                    if best_rank == _RANK_OUTSIDE:
                        break
        chunks.append(sentences[i : best + 1])
        i = best + 1
    return chunks


# --------------------------------------------------------------------------- public API


def _make(
    article_id: str, unit: str, position: int, text: str, spans: list[Span], sentences: list[Span]
) -> Segment:
    start, end = spans[0][0], spans[-1][1]
    seg = text[start:end]
    seg_id = segment_id(article_id, unit, start, end, seg)
    return Segment(seg_id, article_id, unit, position, start, end, seg, tuple(sentences))


def segment_article(
    article_id: str, text: str, unit: Unit = "paragraph", max_chars: int = 1200
) -> list[Segment]:
    """Split ``text`` into segments of the given ``unit`` (see module docstring)."""
    if unit not in _UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {sorted(_UNITS)}")
    if max_chars < 1:
        raise ValueError("max_chars must be >= 1")
    paragraphs = _paragraph_spans(text)
    out: list[Segment] = []
    if not paragraphs:
        return out

    if unit == "article":
        sentences = [s for p in paragraphs for s in _sentences_in_block(text, *p)]
        out.append(_make(article_id, unit, 0, text, paragraphs, sentences))
        return out

    if unit == "sentence":
        for p in paragraphs:
            for s in _sentences_in_block(text, *p):
                out.append(_make(article_id, unit, len(out), text, [s], [s]))
        return out

    for group in _group_paragraphs(text, paragraphs, max_chars):
        sentences = [s for p in group for s in _sentences_in_block(text, *p)]
        if group[-1][1] - group[0][0] <= max_chars:
            out.append(_make(article_id, unit, len(out), text, group, sentences))
            continue
        ranks = _boundary_ranks(text, group, sentences)
        for chunk in _chunk(sentences, ranks, max_chars):
            out.append(_make(article_id, unit, len(out), text, chunk, chunk))
    return out
