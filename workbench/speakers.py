"""Noun phrases that name a speaker, found around a cue (for `workbench.suggest`).

Pure: offsets into the given text. A Source is the noun phrase without appositions, leading
conjunctions or trailing adverbs, and never a possessive (schemas/news-v1.md).
"""

from __future__ import annotations

import re

from workbench.attribution_lexicon import (
    ANALYST,
    CUE_WORDS,
    DOCUMENTS,
    GENERIC,
    LEADING_DROP,
    LINKED,
    MEDIA,
    NOUNS,
    OFFICIAL,
    ORDINARY,
    PRONOUNS,
    STOP,
    TITLES,
    TRAILING_DROP,
)
from workbench.quotations import WORD, trim

__all__ = ["clean_np", "leading_np", "np_after", "subject_before", "word_spans"]


def word_spans(text: str, a: int, b: int) -> list[tuple[int, int]]:
    return [(a + m.start(), a + m.end()) for m in WORD.finditer(text[a:b])]


_MORE = frozenset(("more", "fewer", "less"))
_DETERMINERS = frozenset(("a", "an", "the", "this", "that", "its", "his", "her", "their", "our"))


def _np_ok(np: str) -> bool:
    """Whether a phrase can name a speaker: a pronoun, a name, a title or a generic speaker."""
    words = np.split()
    if not words or len(words) > 9:
        return False
    low = [w.lower().strip(",.’'") for w in words]
    if len(words) == 1 and low[0] in PRONOUNS - {"it"}:
        return True
    if low[0] in PRONOUNS:
        return False
    known = OFFICIAL | ANALYST | MEDIA | GENERIC | TITLES | ORDINARY
    if any(w in known for w in low):
        return True
    if any(w in DOCUMENTS for w in low) and (low[0] in _DETERMINERS or words[0][:1].isupper()):
        return True  # "The statement", "a USA TODAY analysis"; not "issued a statement"
    return any(w[:1].isupper() for w in words[1:]) or (
        words[0][:1].isupper()
        and low[0] not in LEADING_DROP | {"the", "this", "these", "it", "here", "there"}
    )


def clean_np(text: str, a: int, b: int) -> tuple[int, int] | None:
    words = word_spans(text, a, b)
    while words and text[words[0][0] : words[0][1]].lower() in LEADING_DROP:
        words = words[1:]
    while words and (
        text[words[-1][0] : words[-1][1]].lower() in TRAILING_DROP
        or text[words[-1][0] : words[-1][1]].endswith("ly")
    ):
        words = words[:-1]
    if len(words) >= 2 and text[words[-2][0] : words[-1][1]].lower() == "in turn":
        words = words[:-2]
    if not words:
        return None
    if (
        len(words) > 1
        and text[words[-1][0] : words[-1][1]].lower() in PRONOUNS - {"it"}
        and text[words[-2][0]].isupper()
    ):
        words = words[-1:]  # "in an interview with RT he blasted": the pronoun
    a, b = words[0][0], words[-1][1]
    lead = _LEADING_CIRCUMSTANCE.fullmatch(text, a, b)
    if lead is not None and lead.start(1) > a:
        a = lead.start(1)
    b = a + len(text[a:b].rstrip(".,’'"))
    if text[a:b].endswith(("’s", "'s")):
        return None  # a possessive is not a speaker
    return (a, b) if _np_ok(text[a:b]) else None


_TIME = re.compile(
    r"\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|"
    r"(?:last|this|next)\s+(?:week|month|year)|earlier|later)\s*$"
)
_WHERE = re.compile(
    r"\s+(?:in|during|at|on)\s+(?:a|an|the|his|her|their)\s+(?:[\w’'\-]+\s+){0,3}?"
    r"(?:interview|statement|speech|hearing|appearance|conference|rally|event|call|post)\s*$"
)
# "In a Bloomberg interview Trump": the name after a leading circumstance
_LEADING_CIRCUMSTANCE = re.compile(
    r"(?:In|At|During|On|After|Before|Speaking|(?:Last|This|Earlier|Later)\s+(?:week|month|year))"
    r"\b.*?((?:[A-Z][\w’'\-.]*\s+)*[A-Z][\w’'\-]*)$",
    re.DOTALL,
)


def subject_before(text: str, start: int, cue: int) -> tuple[int, int] | None:
    """The speaker right before a cue: scan back to a boundary, then clean the phrase."""
    time = _TIME.search(text, start, cue)  # "Axelrod on Wednesday called on …"
    if time is not None and time.start() > start:
        cue = time.start()
    where = _WHERE.search(text, start, cue)  # "Stumpf in a televised interview appeared to"
    if where is not None and where.start() > start:
        cue = where.start()
    words = word_spans(text, start, cue)
    taken: list[tuple[int, int]] = []
    for w in reversed(words):
        gap = text[w[1] : (taken[0][0] if taken else cue)]
        if gap == "," and text[w[1] - 1].isdigit() and text[w[1] + 1 : w[1] + 2].isdigit():
            gap = ""  # "more than 1,000 citizens": the comma of a number
        if any(c in gap for c in ',;:()“”"«»„「」—–') or "\n" in gap:
            break
        token = text[w[0] : w[1]].lower()
        before = text[max(start, w[0] - 12) : w[0]].split()
        if token == "to" and before and before[-1].lower() in LINKED:
            pass  # "aides to Clinton", "sources close to her campaign"
        elif token == "than" and taken and before and before[-1].lower() in _MORE:
            pass  # "more than 1,000 citizens", "fewer than half of voters"
        elif token in NOUNS and not taken:
            pass  # "campaign-finance reports shows": a noun heads the subject
        elif token in STOP or token in CUE_WORDS:
            break
        taken.insert(0, w)
        if token in ("his", "her", "their", "its", "our") and not (
            before and before[-1].lower() in ("of", "to", "for", "with")
        ):
            break  # a determiner opens the phrase: "some ways his campaign" → "his campaign"
        if len(taken) > 9:
            return None
    if not taken:
        return None
    return clean_np(text, taken[0][0], taken[-1][1])


def leading_np(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``X, the Y of Z, said`` → ``X``: the phrase before the first comma of the clause."""
    comma = text.find(",", start, end)
    if comma < 0:
        return None
    second = text.find(",", comma + 1, end)
    if _OPENING_CIRCUMSTANCE.match(text, start) and second > 0:  # "In a statement to X, Y, said"
        return clean_np(text, comma + 1, second)
    return clean_np(text, start, comma)


_OPENING_CIRCUMSTANCE = re.compile(
    r"(?:In|At|During|On|After|Before|Speaking|With|Amid|Despite|Following)\s"
)


_ABBREVIATION = re.compile(r"\b(?:Rep|Sen|Del|Gov|Dr|Mr|Mrs|Ms|Lt|Gen|Col|Sgt|Jr|St|[A-Z])$")


def np_after(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``said X, director of …`` → ``X``: up to a comma or the end, prepositions cut off."""
    a, b = trim(text, start, end)
    for m in re.finditer(
        r"[,;:.“”\"]| \(| (?:in|on|at|during|after|before|when|while|who|in a)\s", text[a:b]
    ):
        if m.group() == "." and _ABBREVIATION.search(text, a, a + m.start()):
            continue  # "said Rep. Elijah Cummings"
        b = a + m.start()
        break
    return clean_np(text, a, b)
