"""Quotation marks of every style, and sentences that never cut a quotation.

Pure. Used by the suggester (`workbench.suggest`) and the evaluation in `benchmarks/`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["WORD", "Quote", "inside", "quotations", "sentences", "trim"]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# -- quotation marks ---------------------------------------------------------------------------

_PAIRS = {"“": "”", "„": "“”", "‚": "‘’", "«": "»", "»": "«»", "「": "」", "『": "』", "‘": "’"}
WORD = re.compile(r"[^\W_][\w’'\-.]*", re.UNICODE)


@dataclass(frozen=True)
class Quote:
    """A quotation: ``start``/``end`` include the marks, ``inner_*`` exclude them."""

    start: int
    end: int
    inner_start: int
    inner_end: int


def _is_letter(ch: str) -> bool:
    return ch.isalnum()


def _closes(text: str, i: int) -> bool:
    """Whether the straight quote at ``i`` reads as a closing one (after a word, before a space)."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after.isspace() or after in ".,;:!?)]—–-")


_MARK = re.compile("[“„‚«»「『‘\"'”]")


def quotations(text: str) -> list[Quote]:
    """Every quotation in ``text``, left to right, non-overlapping.

    A quotation may stop at a paragraph break without closing (it continues in the next
    paragraph), or close without having opened in this text (it began in an earlier one).
    """
    out: list[Quote] = []
    i, n = 0, len(text)
    while i < n:
        found = _MARK.search(text, i)  # jump to the next mark: most characters are not one
        if found is None:
            break
        i = found.start()
        ch = text[i]
        close: str | None = None
        if ch in _PAIRS:
            if ch == "‘" and i > 0 and _is_letter(text[i - 1]):
                i += 1
                continue
            close = _PAIRS[ch]
        elif ch == '"':
            if _closes(text, i) and not out and text[:i].strip():
                out.append(Quote(0, i + 1, 0, i))  # opened in an earlier paragraph
                i += 1
                continue
            close = ch
        elif text.startswith("''", i):  # two apostrophes for a double mark (some NYT copy)
            para = text.find("\n\n", i)
            para = n if para < 0 else para
            end = text.find("''", i + 2, para)
            if end < 0 and not out and text[:i].strip() and _closes(text, i + 1):
                out.append(Quote(0, i + 2, 0, i))  # opened in an earlier paragraph
                i += 2
            elif end < 0:  # it continues in the next paragraph
                out.append(Quote(i, para, i + 2, len(text[:para].rstrip())))
                i = para
            else:
                out.append(Quote(i, end + 2, i + 2, end))
                i = end + 2
            continue
        elif ch == "'":
            if i > 0 and _is_letter(text[i - 1]):  # an apostrophe: Pakistan's, don't
                i += 1
                continue
            close = ch
        elif ch == "”" and not out and text[:i].strip():
            out.append(Quote(0, i + 1, 0, i))  # opened in an earlier paragraph
            i += 1
            continue
        if close is None:
            i += 1
            continue
        j, end = i + 1, -1
        while j < n:
            c = text[j]
            if text.startswith("\n\n", j):
                break
            if c in close and not (c in "’'" and j + 1 < n and _is_letter(text[j + 1])):
                end = j
                break
            if ch + c == '“"' and _closes(text, j):  # CMS copy closes “… with a straight mark
                end = j
                break
            j += 1
        if end < 0:
            if ch in '"“«„':  # opened, never closed: it continues in the next paragraph
                inner = len(text[:j].rstrip(" \t\n\"'“”„‚‘’«»「」『』"))  # no stray closing mark
                out.append(Quote(i, j, i + 1, max(inner, i + 1)))
                i = j
                continue
            i += 1
            continue
        out.append(Quote(i, end + 1, i + 1, end))
        i = end + 1
    # a quotation holds words: "“«" is two stray marks
    return [q for q in out if any(c.isalnum() for c in text[q.inner_start : q.inner_end])]


# -- sentences ---------------------------------------------------------------------------------

_ABBREV = _set("dr mr mrs ms st gen lt col sgt prof rev gov sen rep del no vs jr sr u.s e.g i.e")


def inside(quotes: Sequence[Quote], pos: int) -> Quote | None:
    for q in quotes:
        if q.inner_start <= pos < q.inner_end:
            return q
    return None


# "“Q?” Clinton said.", "“Q!” said the mayor,": a short speaker clause closing a question
_SAID_AFTER = re.compile(
    r"\s+(?:(?:[A-Z][\w.’'\-]*|the|of)\s+){1,6}(?:[a-z]+\s+)?(?:said|says|asked|asks|added|"
    r"told|wrote|tweeted|replied|shouted|exclaimed|continued)\b(?:\s+[\w.’'\-]+){0,4}\s*[.,]"
    r"|\s+(?:said|says|asked|added|wrote)\s+(?:(?:[A-Z][\w.’'\-]*|the|of)\s*){1,6}[.,]"
)


def sentences(text: str, quotes: Sequence[Quote]) -> list[tuple[int, int]]:
    """Sentence spans that never cut a quotation (a quoted passage of several sentences and
    its ``, he said`` are one unit)."""
    out: list[tuple[int, int]] = []
    start, n = 0, len(text)
    for m in re.finditer(r"[.!?…]+[”’\"'»」』]*(?=\s+[A-Z“„«‘\"'「(])|\n\n", text):
        end = m.end()
        if m.group() != "\n\n":
            if m.group()[0] in "?!" and _SAID_AFTER.match(text, end):
                continue  # "“… our country?” Clinton said.": the quotation is said's
            q = inside(quotes, m.start())
            if q is not None and q.inner_end > end:
                continue  # the sentence ends inside a quotation that goes on
            word = re.search(r"([\w.]+)[.]$", text[start : m.start() + 1])
            if word and (
                word.group(1).lower().rstrip(".") in _ABBREV
                or re.fullmatch(r"(?:[A-Z]\.)*[A-Z]", word.group(1))
            ):
                continue  # "Dr. Smith", "Ronald R. Fieldstone", "Rep. G.K. Butterfield"
        if text[start:end].strip():
            out.append((start, end))
        start = end
    if text[start:n].strip():
        out.append((start, n))
    return [trim(text, a, b) for a, b in out]


def trim(text: str, a: int, b: int, chars: str = "") -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in chars):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in chars):
        b -= 1
    return a, b
