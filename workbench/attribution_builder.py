"""The suggestions of one segment (spans, relations) and the builder the rules add them with.

Pure. Used by `workbench.suggest`: the builder keeps one span per label and boundaries, links
a pronoun to the Source already named, and trims a Content to the guidelines' boundaries
(schemas/news-v1.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.attribution_lexicon import PRONOUNS, source_type
from workbench.quotations import Quote, trim
from workbench.speakers import word_spans

__all__ = ["Builder", "Relation", "Span", "Suggestions"]


@dataclass(frozen=True)
class Span:
    id: str
    label: str
    start: int
    end: int
    text: str
    attributes: tuple[tuple[str, str], ...] = ()
    rule: str = ""

    @property
    def attrs(self) -> dict[str, str]:
        return dict(self.attributes)


@dataclass(frozen=True)
class Relation:
    name: str
    from_id: str
    to_id: str


@dataclass(frozen=True)
class Suggestions:
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]

    def by_label(self, label: str) -> list[Span]:
        return [s for s in self.spans if s.label == label]


_DATELINE = re.compile(r"[A-Z][A-Z.,' ]+\s[―—–-]{1,2}\s+")


class Builder:
    """The spans and relations proposed for one segment, as the rules add them."""

    def __init__(self, text: str, context: str) -> None:
        self.text = text
        self.context = context
        self.spans: list[Span] = []
        self.relations: list[Relation] = []
        self.used: set[Quote] = set()  # quotations that are a direct Content
        self.embedded: set[Quote] = set()  # quotations inside a mixed Content

    def add(self, label: str, a: int, b: int, rule: str, **attrs: str) -> str:
        for s in self.spans:  # one region per (label, boundaries)
            if s.label == label and (s.start, s.end) == (a, b):
                return s.id
        sid = f"wb{len(self.spans) + 1}"
        self.spans.append(Span(sid, label, a, b, self.text[a:b], tuple(attrs.items()), rule))
        return sid

    def relate(self, name: str, a: str | None, b: str | None) -> None:
        if a and b and Relation(name, a, b) not in self.relations:
            self.relations.append(Relation(name, a, b))

    def source(self, np: tuple[int, int] | None, rule: str) -> str | None:
        if np is None:
            return None
        a, b = np
        about = self.text + " " + self.context
        if self.text[a:b].lower() in PRONOUNS:
            named = [s for s in self.spans if s.label == "Source" and s.start < a]
            if named:  # the guidelines: a pronoun is a Source only when nobody is named
                return named[-1].id
        else:  # what the text says about the last word of the name
            last = re.compile(rf"\b{re.escape(self.text[a:b].split()[-1])}\b")
            about = " ".join(part for part in about.split(".") if last.search(part))
        kind = source_type(self.text[a:b], about)
        return self.add("Source", a, b, rule, **({"source_type": kind} if kind else {}))

    def content(self, a: int, b: int, rule: str, quotes: Sequence[Quote]) -> str | None:
        """A Content over ``[a, b)``: the inner text of a quotation that fills it (direct), or
        a clause (mixed when it holds a quotation, else indirect)."""
        a, b = trim(self.text, a, b)
        for q in quotes:
            if q.start <= a and b <= q.end + 1 and self.text[q.end : b].strip(" .,") == "":
                if q in self.used:
                    return None
                self.used.add(q)
                # stray marks at the edges go too: Content never starts or ends with one
                ia, ib = trim(self.text, q.inner_start, q.inner_end, '“”«»„「」『』"')
                if ia >= ib:
                    return None
                return self.add("Content", ia, ib, rule, quote_type="direct")
        a, b = trim(self.text, a, b, ".,;:")  # no final full stop or comma, no edge spaces
        dateline = _DATELINE.match(self.text, a, b)  # "WASHINGTON ― Donald Trump’s …"
        a = dateline.end() if dateline else a
        words = len(word_spans(self.text, a, b))
        if words < 2 and not (words == 1 and rule == "stance" and self.text[a].isupper()):
            return (
                None  # one word is a Content only as a stance's named object ("endorses Clinton")
            )
        inner = [q for q in quotes if a <= q.start and q.end <= b + 1]
        self.embedded.update(inner)
        kind = "mixed" if inner else "indirect"
        return self.add("Content", a, b, rule, quote_type=kind)

    def attribute(
        self,
        content: str,
        cue_start: int,
        cue_end: int,
        rule: str,
        source: tuple[int, int] | None,
        speaker: str | None = None,
    ) -> str | None:
        """The Cue of `content` and its Source (the phrase `source`, or the id of a known
        `speaker`), linked: cue_of Cue → Content, attributed_to Content → Source. Returns the
        Source's id."""
        cue = self.add("Cue", cue_start, cue_end, rule)
        if speaker is None:
            speaker = self.source(source, rule)
        self.relate("cue_of", cue, content)
        self.relate("attributed_to", content, speaker)
        return speaker
