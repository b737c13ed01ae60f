"""Where reported content starts and ends after a cue (for `workbench.suggest`).

Pure: offsets into the given text. A Content is a clause (it has a finite verb, or opens with
a subject pronoun), a quotation, an infinitive after a refusal or a call, or a question after
"asked"; it ends at the unit's end, before a clause that changes subject, or before the next
speaker.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from workbench.attribution_lexicon import (
    ADDRESSEE,
    CALLS,
    CIRCUMSTANCE,
    CUE_RE,
    INFINITIVE_ONLY,
    NOT_CLAUSE,
    STOP,
    TO_INFINITIVE,
    WEAK,
)
from workbench.quotations import Quote, inside
from workbench.speakers import word_spans

__all__ = ["content_end", "content_start", "has_verb"]

_THAT = re.compile(r"\bthat\s+", re.IGNORECASE)
_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday)"
_TIME_AFTER = re.compile(
    rf"\s+(?:(?:on|early|late|earlier|later)\s+)?(?:{_DAY}|tonight|(?:this|last)\s+(?:weekend|week"
    r"|month|year|morning|afternoon|evening|night))\b(?:\s+(?:morning|afternoon|evening|night))?"
)


_INFINITIVE = re.compile(r"\bto\s+(?!(?:the|a|an|his|her|their|its|this|that|our)\b)[a-z]")


def content_start(
    text: str, quotes: Sequence[Quote], word: str, ce: int, ue: int, weak: bool
) -> int | None:
    """Where the reported content starts after a cue, or None when nothing follows it."""

    def quote_at(pos: int) -> int | None:
        # "said: “…”", "said, “…”", or "stated after his visit: “…”"
        for m in (
            re.match(r"\s*[:,]?\s*", text[pos:ue]),
            re.match(r"(?:\s+[\w’'\-‘]+){1,6}\s*:\s*", text[pos:ue]),
            re.match(r"\s+of(?:\s+[\w’'\-]+){1,5},\s*", text[pos:ue]),  # "says of Clinton, “…”"
        ):
            at = pos + (m.end() if m else 0)
            if m and any(q.start == at for q in quotes):
                return at
        return None

    found = quote_at(ce)
    if found is not None:
        return found
    after = text[ce:ue]
    if word in TO_INFINITIVE:  # "declined to comment"; not "by refusing to", "would refuse to"
        m = re.match(rf"(?:\s+(?:on\s+)?{_DAY})?\s+to\s+(?=[a-z])", after)  # "voted Thursday to"
        modal = re.search(r"\b(?:would|could|might|may|will)\s+$", text[: ce - len(word)])
        if m and not modal and not word.endswith("ing"):
            return ce + m.end() - 3
        if word in INFINITIVE_ONLY:
            return None
        weak = True  # "promised a veto and attempted …": without "to", only "that" or a quote
    if CALLS.fullmatch(word):  # "called on Obama to act", "urged restraint"; not "a call for"
        if re.search(r"\b(?:a|an|the|its|his|her|their)\s+$", text[: ce - len(word)]):
            return None
        m = re.match(r"\s+(?!that\b)[\w“\"]", after)
        return ce + m.end() - 1 if m else None
    m = re.match(r"\s*,\s+(?=[a-z])", after)  # "Mr. Obama said, a majority of …"
    first = after[m.end() :].split()[0] if m else ""
    if m and not weak and first not in CIRCUMSTANCE | NOT_CLAUSE | STOP and first[-3:] != "ing":
        return ce + m.end() if has_verb(after[m.end() :], 8) else None
    that = _THAT.search(text, ce, min(ue, ce + 90))
    if that is not None:
        gap = text[ce : that.start()]
        limit = 1 if weak and word not in ADDRESSEE else 8
        # "said on Thursday that", "told the committee that"; not "tweeted a copy of the
        # letter that" (a relative clause)
        circumstance = (  # "stated of the email scandal that …": its topic
            not gap.split()
            # an addressee, but not "warned X to refrain from … that" (an infinitive)
            or (word in ADDRESSEE and not _INFINITIVE.search(gap))
            or gap.split()[0].lower() in CIRCUMSTANCE | {"of", "about"}
            or (word.startswith("agree") and gap.split()[0] == "with")  # "agreed with X that"
        )
        copula = re.search(r"\b(?:is|are|was|were)\b", gap)  # "said his worry is that …"
        if (
            not any(c in gap for c in '.;:“”"«»„,')
            and len(gap.split()) <= limit
            and circumstance
            and not copula
        ):
            return that.end()
    pos = ce
    if word in ADDRESSEE:
        m = _ADDRESSEE_BEFORE_CLAUSE.match(text[ce:ue]) or re.match(
            r"(?:\s+(?:the|a|an|new|his|her|their))*(?:\s+(?:[A-Z][\w’'\-]*|‘[^’]*’)){1,5}"
            r"|\s+(?:reporters|him|her|them|us|me|journalists|lawmakers|parliament)\b"
            r"|(?:\s+(?:a|an|the|his|her|their))?(?:\s+[a-z]+){1,2}(?=\s+(?:he|she|they|we|i)\b)",
            text[ce:ue],
        )
        if m:
            pos = ce + m.end()
            found = quote_at(pos)
            if found is not None:
                return found
            how = re.match(r"(?:\s+[\w’'\-]+){0,5}?\s+(how|why|whether)\s", text[pos:ue])
            if how is not None:  # "told X host Y on Thursday how surprised he is …"
                return pos + how.start(1)
        elif re.match(r"[^“”\".;:]{1,120}?,\s*[“\"]", text[ce:ue]):
            return quote_at(ce + text[ce:ue].index(",", 1) + 1)  # "told the mayors who …, “Q”"
        elif word.startswith(("tell", "told")):
            return None  # "too early to tell whether …": telling nobody reports nothing
    if word.startswith(("ask", "wonder")):  # "asked (X) whether …": a question reported
        m = re.match(
            r"(?:\s+[\w’'.\-]+){0,4}?\s+(whether|if|who|what|why|how|when)\b", text[pos:ue]
        )
        return pos + m.start(1) if m else None
    if weak:
        return None
    time = _TIME_AFTER.match(text, pos, ue)  # "said Friday he …", "told X this weekend he …"
    if time is not None:
        if text.startswith(",", time.end()):
            return None  # "said Friday afternoon, as they …": what follows is no content
        pos = time.end()
    m = re.match(r"\s+([\w’']+)", text[pos:ue])
    if m is None or m.group(1).lower() in NOT_CLAUSE or len(text[pos:ue].split()) < 3:
        return None
    clause = (
        _PRONOUN_SUBJECT.match(text, pos)
        or has_verb(text[pos:ue], 16)
        or (word in _SAY and _PRESENT.match(text, pos, ue))
    )
    if text[pos:ue].lstrip().startswith(("“", '"')) or not clause:
        return None
    return pos + m.start(1)


# "told the (Anadolu) news agency her daughter …": the addressee's words, up to the determiner
# or subject pronoun that opens the reported clause (no "of": "members of the committee")
_ADDRESSEE_BEFORE_CLAUSE = re.compile(
    r"(?:\s+(?:the|a|an|his|her|their|its))?"
    r"(?:\s+(?!(?:of|in|at|on|for|to|with|from|and|or|that|about)\b)[\w’'\-]+){1,4}?"
    r"(?=\s+(?:he|she|they|we|i|his|her|their|its|our|my|the|a|an|this|these|those)\s)"
)


_FINITE = re.compile(
    r"\b(?:is|are|was|were|am|be|been|has|have|had|will|would|could|should|might|may|can|must|"
    r"shall|do|does|did|won’t|won't|can’t|can't|isn’t|isn't|wasn’t|wasn't|don’t|don't|"
    r"doesn’t|doesn't|didn’t|didn't|hasn’t|hasn't|haven’t|haven't|rose|fell|went|made|took|"
    r"gave|saw|came|grew|won|lost|held|met|left|sent|put|cut|began|became|knew|brought|built|"
    r"kept|paid|led|hit|set|spent|sold|bought|felt|found|thought|told|said|fought|meant|stood|"
    r"wrote|drew|ran|shot|[a-z]+ed)\b"
)


# "say Mrs. Clinton's advantage obscures concerns": a noun phrase, then a verb in -s and its
# object, after a verb that reports nothing but speech
_SAY = frozenset(("say", "says", "said"))
_PRESENT = re.compile(
    r"\s+(?:the|a|an|his|her|their|its|our|it|[A-Z][\w.\-]*(?:’s|'s)?)\s+(?:[\w’'\-]+\s+){0,3}?"
    r"(?!(?:is|was|has|does|this|his|its|us|as|news|series)\b)[a-z]{2,}[^su\s’']s"
    r"\s+(?:a|an|the|to|that|his|her|their|its|more|no|it|them|him|[a-z]+(?:s|ed|ing))\b"
)
# "says she respects …": a subject pronoun and a word opens a reported clause.
_PRONOUN_SUBJECT = re.compile(r"\s+(?:he|she|they|we|i)\s+[a-z]")
# "she’s shifting", "they’d build": a pronoun with a contracted auxiliary is a clause.
_CONTRACTED = re.compile(r"\b(?:he|she|it|they|we|i|you|there|that)[’'](?:s|re|ll|d|ve|m)\b", re.I)


def has_verb(clause: str, within: int | None = None) -> bool:
    """Whether a clause has a finite verb (in its first ``within`` words): "said X is …"
    reports something, "reiterated its commitment" does not."""
    words = [w for w in clause.split() if "-" not in w]
    if within is not None:
        words = words[:within]
    return _FINITE.search(" ".join(words)) is not None or _CONTRACTED.search(clause) is not None


# ", and that …" goes on with the same content
_CUT = re.compile(
    r",[”’\"]?\s+(?:and(?!\s+that\b)|but|though|although|while|whereas|which|so)\s+(?=[a-z])|;"
    r"|,\s+(?!including|according)(?=(?:[a-z]+ly\s+)?[a-z]+ing\s)"  # "…, (implicitly) throwing …"
)


def content_end(text: str, quotes: Sequence[Quote], start: int, ue: int) -> int:
    """Where an indirect content ends: the unit's end, or before a clause that changes
    subject (", though …") or before the next cue's speaker."""
    end = ue
    for m in _CUT.finditer(text, start, ue):
        if re.fullmatch(r",\s+", m.group()) and CUE_RE.match(text, m.end()):
            continue  # ", underlining that …": the same speaker goes on
        if not inside(quotes, m.end() - 1):
            end = m.start() + (2 if text[m.start() + 1] in '”’"' else 0)  # "as a “disgrace,” but"
            break
    for m in CUE_RE.finditer(text, start, end):
        participle = m.group().endswith("ing") and re.search(
            r"\b(?:for|by|of|in|on|after|before|without|from|about)\s+$", text[start : m.start()]
        )
        if inside(quotes, m.start()) or m.group() in WEAK or participle:
            continue  # "for refusing to testify" names no new speaker; ", adding that …" does
        same = re.search(r"\s+(?:but|and)\s+(?:\w+ly\s+|also\s+)?$", text[start : m.start()])
        if same is not None:  # "says she respects X but argues that …": the same speaker
            return start + same.start()
        comma = text.rfind(",", start, m.start())
        if comma > start and len(word_spans(text, comma, m.start())) <= 6:
            return comma
        break
    return end
