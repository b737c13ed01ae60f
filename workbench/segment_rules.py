"""Rules that read a whole sentence or segment rather than the words around one cue.

Pure; used by `workbench.suggest` after (or, for a sentence's opening participle, before) the
cue patterns: ``Claiming C, X told …``, a quotation with no cue of its own, and a headline
``Name: claim``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from workbench.attribution_builder import Builder
from workbench.attribution_lexicon import CUE_WORDS, PROGRESSIVE_ONLY, STANCE
from workbench.clauses import has_verb
from workbench.quotations import Quote, sentences, trim
from workbench.speakers import clean_np

__all__ = ["headline_claim", "opening_participle", "orphan_quotes"]

# "Claiming the criticism …, Trump told Fox …": a participle opens the sentence, its subject
# follows the comma (a name, a pronoun or "the" + noun, then a verb)
_OPENING = re.compile(r"([A-Z][a-z]+ing)(?=[\s,:])")
_OPENING_SUBJECT = re.compile(
    r"[”\"’]?\s+((?:[A-Z][\w’'.\-]*\s+){0,3}[A-Z][\w’'\-]*|he|she|they|we|I"
    r"|[Tt]he\s+[a-z]+(?:\s+[a-z]+)?)"
    r"(?=\s+(?:[a-z]+ly\s+)?[a-z]+\b)"
)


def opening_participle(build: Builder, quotes: Sequence[Quote], us: int, ue: int) -> str | None:
    """``Claiming C, X told …`` / ``Bemoaning the “phony system,” Trump accused …``: the
    participle is a cue of the sentence's subject. A verb of saying needs a clause (not
    "Adding to the confusion, …"); a verb of stance takes its object. ``Adding, “Q”``: the
    quotation is the last named speaker's."""
    text = build.text
    m = _OPENING.match(text, us, ue)
    word = m.group(1).lower() if m else ""
    if m is None or word not in CUE_WORDS or word in PROGRESSIVE_ONLY:
        return None
    said = re.match(r"[,:]\s*", text[m.end() : ue])
    if said and any(q.start == m.end() + said.end() for q in quotes):
        speakers = [s.id for s in build.spans if s.label == "Source" and s.start < us]
        q = next(q for q in quotes if q.start == m.end() + said.end())
        content = build.content(q.start, q.end, "opening-participle", quotes)
        if content is None or not speakers:
            return None
        return build.attribute(
            content, m.start(1), m.end(1), "opening-participle", None, speakers[-1]
        )
    comma = text.find(",", m.end(), ue)
    subject = _OPENING_SUBJECT.match(text, comma + 1, ue) if comma > 0 else None
    if subject is None:
        return None
    if word not in STANCE and not (
        has_verb(text[m.end() : comma]) or re.match(r"\s+that\s", text[m.end() :])
    ):
        return None
    end = comma + 2 if text[comma + 1] in '”"’' else comma  # "the “phony system,”"
    src = clean_np(text, subject.start(1), subject.end(1))
    that = re.match(r"\s+that\s", text[m.end() :])  # "Insisting that the deal was fair, …"
    start = m.end() + (that.end() if that else 0)
    content = build.content(start, end, "opening-participle", quotes) if src else None
    if content is None or src is None:
        return None
    return build.attribute(content, m.start(1), m.end(1), "opening-participle", src)


def orphan_quotes(build: Builder, quotes: Sequence[Quote]) -> None:
    """A quoted sentence with no cue of its own: the paragraph's speaker's words. A paragraph
    that is nothing but a quotation goes on with the previous paragraph's speaker: a direct
    Content whose Source is in that paragraph (so none is linked here)."""
    text = build.text
    for q in quotes:
        if q in build.used or q in build.embedded:
            continue
        inner = text[q.inner_start : q.inner_end].strip()
        words = inner.split()
        inner = inner.rstrip("'’\"”")  # "… saying, 'Don't leave it on the field.'"
        capital = sum(w[:1].isupper() for w in words)
        sentence_like = (
            inner.endswith((".", "!", "?", ",", "…"))
            or q.start == 0
            or (q.end == len(text) and q.inner_end == q.end)
        )
        if len(words) < 4 or capital > 0.6 * len(words) or not sentence_like:
            continue
        sources = [s for s in build.spans if s.label == "Source" and s.start < q.start]
        whole = q.start == 0 and not text[q.end :].strip(" .")
        if not sources and not whole:
            continue  # a quotation with no speaker in sight: most often a title or a document
        a, b = trim(text, q.inner_start, q.inner_end, '“”«»„「」『』"')  # no stray marks either
        if a >= b:
            continue
        build.used.add(q)
        cid = build.add("Content", a, b, "quote-of-speaker", quote_type="direct")
        build.relate("attributed_to", cid, sources[-1].id if sources else None)


# "Sanders: Clinton Email Story Has Moved.": a name, a colon, a claim (a colon is no Cue)
_HEADLINE = re.compile(r"((?:[A-Z][\w’'.\-]*\s+){0,2}[A-Z][\w’'\-]*):\s+(?=[A-Z“\"‘'])")
_NOT_SPEAKER = frozenset(
    ("exclusive", "watch", "video", "breaking", "update", "live", "photos", "analysis", "opinion")
)


_FUNCTION = frozenset(
    ("over", "of", "on", "in", "for", "the", "a", "and", "to", "with", "at", "by")
)


def headline_claim(build: Builder, quotes: Sequence[Quote]) -> None:
    """A one-sentence headline ``Name: claim``: the claim is the named speaker's Content."""
    text = build.text
    m = _HEADLINE.match(text)
    if m is None or len(text) > 200 or len(sentences(text, quotes)) > 1:
        return
    name = m.group(1).lower().split()
    if name[0] in _NOT_SPEAKER or any(w in _FUNCTION for w in name):
        return  # "Exclusive: …", "Stealth Over Health: …" name no speaker
    src = clean_np(text, m.start(1), m.end(1))
    content = build.content(m.end(), len(text), "headline-claim", quotes)
    if src is not None and content is not None:
        build.relate("attributed_to", content, build.source(src, "headline-claim"))
