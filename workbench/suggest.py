"""Suggestions: attribution spans proposed by rules, for annotators to accept or correct.

Pure: no downloaded model, no network, no store. `suggest` reads one segment and proposes
Content (with ``quote_type``), Cue, Source (with a guessed ``source_type``), the relations
between them (Content → Source ``attributed_to``, Cue → Content ``cue_of``), and Target spans
for named entities. Offsets are character offsets into the given text. Boundaries follow
``schemas/news-v1.md``: Content leaves out its enclosing quotation marks, the complementiser
``that`` and a final full stop outside quotes; Source is the noun phrase without appositions;
Target is the name without its title.

The rules, in order:

1. **Quotations** of every style (“ ” " ' ‘ ’ « » » « „ “ ‚ ‘ 「 」 『 』), including a quotation
   that opens without closing (it continues in the next paragraph) or closes without opening.
2. **Cues**: a lexicon of verbs of saying, thinking and stance in all their inflections (said,
   told, warned, hoped, praised, …), attitudes (skeptical, critical of) and phrases (according
   to, in the words of, went after); a cue inside a quotation is quoted speech, and a noun ("in
   the hope that", "that claim") is no cue; nor is a pronoun's cue inside another's Content
   ("Shelby said he refused to …"). A title-case headline's cues are matched in any case.
3. Around each cue, the **speaker patterns**: ``“Q,” X said`` / ``“Q,” said X``, ``X said:
   “Q”``, ``X said (that) C``, ``X said, C``, ``C, X said``, ``X declined / voted / vowed to
   V``, ``X called on Y to V``, ``According to X, C``, ``X praised Y as Z`` (stance), ``X is
   skeptical (that) C``, ``X was critical of Y`` (attitude), ``the poll shows C``, ``asked
   whether C``, ``Asked about C, …``, ``C₁, X says, C₂`` (both fragments), and the subject of
   the clause as Source (``X, the Y of Z, said`` → ``X``; a pronoun when that is all there is;
   for ``…, calling it …`` or ``… and said`` the sentence's named subject; ``Claiming C, X told
   …``: the sentence's opening participle is X's).
   Content boundaries: `workbench.clauses`; a verb of saying may take a noun phrase ("noted the
   rule", "denied any involvement").
4. A quotation left without a cue, in a paragraph that has a Source, is that Source's; a
   paragraph that is only a quotation is a Content of the previous paragraph's speaker; a
   headline ``Name: claim`` is Name's (`workbench.segment_rules`).

Source types come from the words of the Source and what the paragraph (or the previous one)
says about it: titles mean ``official``, "analyst"/"expert"/"Dr." mean ``analyst``, outlets mean
``media``, an indefinite or generic speaker ("a government source", "observers") means
``unnamed``, ordinary people, companies and documents ``other``; a name or pronoun with nothing
else to go on gets no type (the annotator chooses: a guess would be accepted unread).
Target sentiment is left for the annotator on purpose: a guessed ``neutral`` would be accepted
without a thought (automation bias) on exactly the layer that needs judgement, and Label Studio's
required-answer check makes the annotator answer it before submitting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from workbench.attribution_builder import Builder, Relation, Span, Suggestions
from workbench.attribution_lexicon import (
    ADDRESSEE,
    ATTITUDE,
    CALLS,
    CUE_RE,
    EVIDENCE,
    NOUNS,
    NP_OBJECT,
    PROGRESSIVE_ONLY,
    PRONOUNS,
    STANCE,
    STANCE_PHRASE,
    TO_INFINITIVE,
    WEAK,
)
from workbench.clauses import content_end, content_start, has_verb
from workbench.names import names
from workbench.quotations import Quote, inside, quotations, sentences
from workbench.segment_rules import headline_claim, opening_participle, orphan_quotes
from workbench.speakers import clean_np, leading_np, np_after, subject_before, word_spans

__all__ = [
    "RULES_VERSION",
    "Relation",
    "Span",
    "Suggestions",
    "suggest",
]

#: Bumped whenever a rule changes: it is part of the Label Studio model version.
RULES_VERSION = "9"

# -- the rules ---------------------------------------------------------------------------------

# the auxiliaries that belong to a cue: "has repeatedly wondered", "could not explain",
# "haven't said" (PolNeAR marks them; a negated stance is refused in `_stance`)
_AUX_BEFORE = re.compile(
    r"(?:\b(?:(?:(?:has|have|had|was|were|is|are|might|would|could|will|may|did|does|do)"
    r"(?:\s+not|\s+never)?|(?:has|have|had|did|does|do|would|could|wo|ca)n[’']t|cannot)\s+"
    r"(?:(?:also|later|long|already|yet to|to|[a-z]+ly)\s+)?"
    r"|appear(?:s|ed)?\s+to\s+|seem(?:s|ed)?\s+to\s+)"
    r"|(?<=\b(?:he|we|it))[’'](?:s|re)\s+|(?<=\b(?:she|you))[’'](?:s|re)\s+"
    r"|(?<=\bthey)[’']re\s+)$",  # "He’s claiming", "they’re warning"
    re.IGNORECASE,
)
_NOMINAL = re.compile(
    # a possessive ("Mr. King's show"), not a contraction ("he's", "that's")
    r"(?:\b(?!(?:he|she|it|that|who|there|what|here)[’'])[\w.]+[’']s"
    r"|\b(?:the|a|an|of|in|for|with|no|any|its|their|our|despite|this|(?:effort|attempt|bid|"
    r"push|move|chance|opportunity)s?\s+to))\s+$",  # "an effort to deny Trump …": a purpose
    re.I,
)
_DOCUMENT = re.compile(
    r"\b(?:polls?|surveys?|study|studies|reports?|analysis|data|records|figures|documents?|"
    r"video|memo|letter|results|numbers|filings|emails?|research|evidence|math)(?:\s+of\s+[^,]*)?"
    r"(?:\s+(?:released|published|conducted|taken)\b[^,]*)?\s*$",  # "New polls released Sunday"
    re.I,
)
_OBJECT = re.compile(r"\s+(?:the|a|an|his|her|their|its|any|this|these|those|our)\s")
_CUE_ANY_CASE = re.compile(CUE_RE.pattern, re.IGNORECASE)  # "Christie Calls Clinton ‘A Disgrace’"


def _title_case(text: str) -> bool:
    """A headline in title case, whose cue is capitalised like every other word."""
    long = [w for w in re.findall(r"[A-Za-z][\w’']*", text) if len(w) > 3]
    return len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.8 * len(long)


# "Romney went after Trump …, calling it …": the sentence's subject, a name before its verb
_SUBJECT = re.compile(
    r"((?:[A-Z][\w’'.\-]*\s+(?:and\s+)?){0,3}[A-Z][\w’'\-]*)(?:,\s+(?:a|an|the|who)\s[^,]+,)?"
    r"\s+(?:then\s+)?(?:[a-z]+ed|has|had|was|is|went|took|made|gave|got|came|began|told|said|"
    r"sent|saw|held|led|left|met|won|ran|spoke|wrote|drew|did|does|would|could|will)\b"
)


def _clause_subject(text: str, us: int, cue_start: int) -> tuple[int, int] | None:
    """The named subject of the sentence: ``Dean, a medical doctor, then appeared …``."""
    m = _SUBJECT.match(text, us, cue_start)
    return clean_np(text, m.start(1), m.end(1)) if m else None


# "X, the Y of Z, (on Tuesday) said": the speaker is the clause's first phrase
_AFTER_COMMA = re.compile(
    r",\s*(?:(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s*)?$"
)
_REFUSED = re.compile(r"\b(?:refus|declin)\w*\s+to\s+$", re.I)  # "refusing to testify"


def suggest(text: str, context: str = "") -> Suggestions:
    """Attribution spans, their relations and Target spans for one segment ``text``.

    ``context`` (the previous paragraph) only helps to guess source types.
    """
    build = Builder(text, context)
    quotes = quotations(text)
    title_case = _title_case(text)
    cues = _CUE_ANY_CASE if title_case else CUE_RE
    for us, ue in sentences(text, quotes):
        last_source = opening_participle(build, quotes, us, ue)
        for m in cues.finditer(text, us, ue):
            last_source = _cue(build, quotes, us, ue, m, last_source) or last_source
    orphan_quotes(build, quotes)
    headline_claim(build, quotes)
    # a headline (title case, no final stop) capitalises every word: its capitals name nothing
    headline = title_case and not re.search(r"[.!?][”\"’']?\s*$", text)
    if not headline:
        _targets(build, quotes)
    spans = tuple(sorted(build.spans, key=lambda s: (s.start, s.end, s.label)))
    return Suggestions(spans, tuple(build.relations))


def _cue(
    build: Builder,
    quotes: Sequence[Quote],
    us: int,
    ue: int,
    m: re.Match[str],
    last_source: str | None,
) -> str | None:
    """Apply the speaker patterns to one cue; returns the id of the Source found."""
    text = build.text
    cs, ce = m.start(), m.end()
    if inside(quotes, cs):
        return None  # quoted speech, not a cue of this text
    nested = any(s.label == "Content" and s.start <= cs < s.end for s in build.spans)
    word = m.group().lower()
    phrase = " " in word
    aux = _AUX_BEFORE.search(text, us, cs)
    cue_start = aux.start() if aux else cs
    if word.startswith("according"):
        return _according(build, quotes, us, ue, cs, ce)
    asked = re.match(r"(\s+about)?\s+(?=\S)", text[ce:ue]) if m.group() == "Asked" else None
    comma = text.find(",", ce, ue)
    if asked and comma > 0 and (asked.group(1) or text.startswith("to ", ce + asked.end())):
        # "Asked about X, Clinton said …": what was asked, with no Source (PolNeAR)
        content = build.content(ce + asked.end(), comma, "asked", quotes)
        if content is not None:
            cue = build.add("Cue", cs, ce + len(asked.group(1) or ""), "asked")
            build.relate("cue_of", cue, content)
        return None
    if ATTITUDE.fullmatch(word):
        return _attitude(build, quotes, word, us, cue_start, ce, ue)
    # a participle is weak; a progressive ("is warning voters that …") is a finite verb
    progressive = aux is not None and re.search(
        r"(?:\bis|\bare|\bwas|\bwere|[’']s|[’']re)\s+$", aux.group(), re.I
    )
    weak = word in WEAK or (word.endswith("ing") and word != "saying" and not progressive)
    if word in PROGRESSIVE_ONLY and not progressive:
        return None
    noun = word in NOUNS and re.search(r"\b(?:that|these|those)\s+$", text[us:cs], re.I)
    noun = noun or (word in STANCE and re.match(r"\s+of\b", text[ce:ue]))  # "outline of"
    if (_NOMINAL.search(text, us, cs) or noun or _REFUSED.search(text, us, cs)) and not phrase:
        return None  # "in the hope that", "that claim", "despite repeated warnings": not a cue
    quote_before = _quote_before(text, quotes, us, cue_start)
    if quote_before is not None and quote_before[0] in build.embedded:
        quote_before = None  # "said they want “justice,” but pledged to …": the quote is said's
    # 1. “Q,” X said / “Q,” said X
    if quote_before is not None:
        q, np_start, np_end = quote_before
        tag = _PARTY_TAG.search(text, np_start, np_end)  # "Chaffetz (R-Utah) said"
        np_end = tag.start() if tag else np_end
        src = clean_np(text, np_start, np_end) if text[np_start:np_end].strip() else None
        if src is None:
            src = np_after(text, ce, ue)
        a = q.start  # "Yet Trump is also a “change agent,” Cole said": the sentence is said
        if (
            text[us : q.start].strip()
            and has_verb(text[us : q.start])
            and not any(p.end <= q.start and p.end > us for p in quotes)
        ):
            a = us
        content = build.content(a, q.end, "quote-then-cue", quotes)
        if content is None:
            return None
        return build.attribute(content, cue_start, ce, "quote-then-cue", src)
    # the speaker: the phrase right before the cue, or the clause's first phrase (X, the Y, said)
    np = subject_before(text, us, cue_start)
    tag = _PARTY_TAG.search(text, us, cue_start)
    if np is None and tag is not None and not text[tag.end() : cue_start].strip():
        np = subject_before(text, us, tag.start())  # "Rep. Stephen Lynch (D-Mass.) said"
    if np is None and _AFTER_COMMA.search(text, us, cue_start) and not word.endswith("ing"):
        np = leading_np(text, _clause_start(text, quotes, us, cue_start), cue_start)
    if (
        nested
        and (np is None or text[np[0] : np[1]].lower() in PRONOUNS)
        and not (word.endswith("ing") and last_source)
    ):
        return None  # "Shelby said he refused to …": one attribution per token (PolNeAR)
    if word in STANCE or STANCE_PHRASE.fullmatch(word):
        if nested and not word.endswith("ing"):
            return None  # "noted that Mr. Trump has mocked …": part of what was noted
        modal = aux is not None and re.match(r"(?:could|might|may)\b", aux.group(), re.I)
        if re.match(r"\s*(?:If|if|Unless|unless)\s", text[us:cs]) or modal:
            return None  # "If Trump's plan rejected …", "ties could point to …": a supposition
        # "Farage said …, and accused X of …", "…, calling it …": the clause's speaker
        joined = r"(?:\band|,)\s+$" if word.endswith(("ing", "ing to")) else r"\band\s+$"
        known = last_source if np is None and re.search(joined, text[us:cue_start]) else None
        if word.endswith("ing") and not aux and known is None:  # a participle's subject
            np = _clause_subject(text, us, cue_start)
        return _stance(build, quotes, np, cue_start, ce, ue, bool(aux), known)
    rest: int | None
    document = np is not None and _DOCUMENT.search(text, np[0], np[1])
    if word in EVIDENCE and document and len(text[ce:ue].split()) > 1:
        rest = ce + len(text[ce:ue]) - len(text[ce:ue].lstrip())  # "the poll shows Clinton …"
        rest = rest + 5 if text.startswith("that ", rest) else rest
    else:
        rest = content_start(text, quotes, word, ce, ue, weak)
    if rest is not None:
        end = content_end(text, quotes, rest, ue)
        if word.startswith("ask") and "," in text[rest:end]:  # "asked who …, the majority …"
            end = text.index(",", rest, end)
        clause = re.search(r"\bthat\s*$", text[ce:rest])  # "warned that …": a whole clause
        if (word in TO_INFINITIVE or CALLS.fullmatch(word) or word in ADDRESSEE) and not clause:
            cut = _CIRCUMSTANCE_CUT.search(text, rest, end)  # "to work together after a …"
            end = cut.start() if cut else end
        content = build.content(rest, end, "cue-then-content", quotes)
        if content is None:
            return None
        # "…, adding that …": the clause's speaker
        known = last_source if np is None and word.endswith("ing") else None
        if np is None and known is None and re.search(r"(?:\band|\bbut|,)\s+$", text[us:cue_start]):
            np = _clause_subject(text, us, cue_start)  # "McConnell was quick to … and said"
        source = build.attribute(content, cue_start, ce, "cue-then-content", np, known)
        lead = text[us : np[0]] if np else ""
        if (  # "Climate change, Obama says, is the …": the Content's first fragment too
            re.fullmatch(r"[^,;:“”\"]+,\s*", lead)
            and re.match(r"\s*,", text[ce:rest])
            and has_verb(text[rest:end].split()[0])
        ):
            first = build.content(us, us + lead.rindex(","), "cue-then-content", quotes)
            cue = build.add("Cue", cue_start, ce, "cue-then-content")  # the one made above
            build.relate("cue_of", cue, first)
            build.relate("attributed_to", first, source)
        return source
    if word in NP_OBJECT and np is not None and _OBJECT.match(text, ce, ue):
        # "noted the rule", "has strongly denied any involvement": what is said is named
        return _stance(build, quotes, np, cue_start, ce, ue, bool(aux))
    # 3. C, X said.
    evidence = word in EVIDENCE and np is not None and _DOCUMENT.search(text, np[0], np[1])
    if (weak and not evidence) or phrase or word in TO_INFINITIVE or word.startswith("agree"):
        return None  # "…, which each representative agreed to expand": no "C, X agreed"
    before = text[us:cue_start]
    comma = before.rfind(",")
    tail = text[ce:ue].strip(" .")
    if comma < 0 or len(word_spans(text, us, us + comma)) < 3:
        return None
    between = text[us + comma + 1 : cue_start]
    if re.match(r"\s*(?:and|but|or)\s", between) or re.search(r"\bto\s+$", between):
        return None  # "…, and some speculated", "…, would need a majority to confirm": no speaker
    src = clean_np(text, us + comma + 1, cue_start) if between.strip() else np_after(text, ce, ue)
    if src is None or (between.strip() and len(between.split()) > (10 if evidence else 7)):
        return None
    if between.strip():  # "C, X said [in a statement]."
        circumstances = r"^(?:,|in |on |at |during |after |before |when |while |declining |"
        circumstances += r"speaking |according |adding |citing |to |late |earlier |this |last |"
        circumstances += r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|)"
        if tail and not re.match(circumstances, tail + " "):
            return None
    elif not re.fullmatch(r"[^,;:]*(?:,.*)?", tail):  # "C, said X[, the Y of Z]."
        return None
    if not has_verb(text[us : us + comma]) or any(
        q.start == us and q.end >= us + comma - 1 for q in quotes
    ):
        return None
    content = build.content(us, us + comma, "content-then-cue", quotes)
    if content is None:
        return None
    return build.attribute(content, cue_start, ce, "content-then-cue", src)


def _attitude(
    build: Builder, quotes: Sequence[Quote], word: str, us: int, cue_start: int, ce: int, ue: int
) -> str | None:
    """``X is skeptical (that) C``, ``X was critical of Y``: the subject's attitude to what
    follows, a clause (after "that", "whether") or, after a preposition, a noun phrase."""
    text = build.text
    m = re.match(r"\s+(?:that\s+|(?:of|about|with)\s+)?(?=[\w“\"‘])", text[ce:ue])
    clause = text[ce:ue].lstrip().startswith(("that ", "whether ")) or has_verb(text[ce:ue], 6)
    if m is None or not (" " in word or clause):  # "critical of", "nervous about": a phrase
        return None  # "13 percent were unsure": no content
    start = ce + m.end()
    content = build.content(start, content_end(text, quotes, start, ue), "attitude", quotes)
    if content is None:
        return None
    cop = re.search(r"\s(?:(?:has|have|had)\s+been|is|are|was|were|be)\s+$", text[us:cue_start])
    np = subject_before(text, us, us + cop.start() if cop else cue_start)  # "X had been skeptical"
    return build.attribute(content, cue_start, ce, "attitude", np)


_CALLED = re.compile(
    r"\s+(?:it|him|her|them|this|that|(?:[A-Z][\w’'.\-]*\s+)*[A-Z][\w’'\-]*|"
    r"(?:the\s+|[A-Z][\w’'\-]*\s+)(?:(?!to\b)[^,;:\s]+\s+){0,8}?)\s*(?:a|an|the|[“\"‘]|'')"
)


_CIRCUMSTANCE_CUT = re.compile(
    r"\s+(?:after|before|while|when|because|since)\s|\s(?:[—–]|--)\s|"
    # "attacked Machado in early-morning tweets": where it was said is no part of the Content
    r",?\s+(?:in|during|at)\s+(?:(?:a|an|the|his|her|their|its|this|last)\s+)?(?:[\w’'\-]+\s+){0,3}?"
    r"(?:interviews?|statements?|speech|tweets?|posts?|appearance|diatribe|remarks|rally|address|"
    r"op-ed|conference|hearing|debate|briefing)\b|"
    r"\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"(?!(?:\s+(?:night|morning|afternoon|evening))?[’']s)"  # not "Monday night's debate"
)


def _stance(
    build: Builder,
    quotes: Sequence[Quote],
    np: tuple[int, int] | None,
    cue_start: int,
    ce: int,
    ue: int,
    aux: bool,
    speaker: str | None = None,
) -> str | None:
    """``X praised Y as Z``: a stance attributed to the subject; the object is the Content."""
    text = build.text
    progressive = text[cue_start:ce].endswith(("ing", "ing to"))  # "is praising" is no passive
    passive = (
        aux
        and not progressive
        and re.match(r"(?:was|were|is|are|been|be)\b", text[cue_start:], re.I)
    )
    passive = passive or re.search(r"\bbe\s+(?:\w+ly\s+)?$", text[:cue_start])
    negated = re.search(
        r"(?:\bnot|n[’']t|\bnever)\s+$", text[: ce - len(text[cue_start:ce].split()[-1])]
    )
    if (
        (np is None and speaker is None)
        or passive
        or negated
        or not re.match(r"\s+[“\"‘]?[\w’']", text[ce:ue])
    ):
        return None
    word = text[cue_start:ce].split()[-1].lower()
    if word.startswith("call") and not _CALLED.match(text, ce, ue):
        return None  # "called it a ploy", not "called his counterpart to discuss …"
    if re.match(r"\s+(?:on|for|upon|in|by|out|off|up|back|to)\b", text[ce:ue]):
        return None  # "called on", "called for" are other cues; "called in" is not one
    end = content_end(text, quotes, ce, ue)
    cut = _CIRCUMSTANCE_CUT.search(text, ce, end)  # "as a “disgrace” after she attacked …"
    if word.startswith("call"):  # "called X on Saturday “a wake-up call”": the day is inside
        cut = None
    colon = text.find(": ", ce, end)  # "described as tactics: lowering …"
    end = colon if colon > 0 and not any(q.start < colon < q.end for q in quotes) else end
    that = re.match(r"\s+(?:that|as)\s", text[ce:])  # "reiterated that …": the clause;
    # "what analysts described as tactics": the object went ahead of the verb
    end = cut.start() if cut else end
    tail = re.search(r",\s+(?:the|a|an)\s[^,]*$", text[ce:end])  # "Trump, the nominee": no
    if tail and not has_verb(tail.group()):
        end = ce + tail.start()
    content = build.content(ce + (that.end() if that else 0), end, "stance", quotes)
    if content is None:
        return None
    return build.attribute(content, cue_start, ce, "stance", np, speaker)


_PARTY_TAG = re.compile(r"\([A-Z]-[A-Z][\w.\s]{0,12}\)")  # "Rep. Jason Chaffetz (R-Utah)"


# a name, then one to three appositions before the cue: "Scott Pruitt, the Republican attorney
# general of Oklahoma, one of the states suing the EPA, said"
_NAMED_APPOSITION = re.compile(
    r"((?:[A-Z][\w’'.\-]*\s+){0,4}[A-Z][\w’'\-]*)(?:,\s+[a-z][^,;:“”\"]+){1,3},"
    r"\s*(?:(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s+)?"
)


def _quote_before(
    text: str, quotes: Sequence[Quote], us: int, cue_start: int
) -> tuple[Quote, int, int] | None:
    """The quotation that a cue closes (``“Q,” X said``), and where the speaker after it starts
    and ends."""
    prior = [q for q in quotes if q.end <= cue_start and q.end > us - 1 and q.start >= us - 1]
    if not prior:
        prior = [q for q in quotes if q.end <= cue_start and q.start == 0 and us == 0]
    if not prior:
        return None
    q = prior[-1]
    between = _PARTY_TAG.sub(lambda t: " " * len(t.group()), text[q.end : cue_start])
    phrase = between.lstrip()
    comma = phrase.startswith(",")
    phrase = phrase[1:].lstrip() if comma else phrase
    named = _NAMED_APPOSITION.fullmatch(phrase)  # "“Q,” Scott Pruitt, the attorney general …,"
    if named is not None:
        phrase = named.group(1)  # the Source; the cue's side is checked on the whole phrase
    if len(phrase.split()) > 8 or any(c in phrase for c in '“”"«»„「」;:()'):
        return None
    if CUE_RE.search(phrase):  # "“Q,” the mayor said, adding …": the quote is said's
        return None
    inner = text[q.inner_start : q.inner_end].rstrip().rstrip("'’")  # "… 'Meh,'"
    if not (comma or inner.endswith((",", "!", "?", "…", "—", "-", "."))):
        return None
    if named is not None:
        start = cue_start - len(named.group())
        return q, start, start + len(phrase)
    return q, cue_start - len(phrase), cue_start


def _clause_start(text: str, quotes: Sequence[Quote], us: int, cue_start: int) -> int:
    ends = [q.end for q in quotes if us <= q.end <= cue_start]
    if ends:
        m = re.match(r"\s*,?\s*", text[ends[-1] :])
        return ends[-1] + (m.end() if m else 0)
    return us


def _according(
    build: Builder, quotes: Sequence[Quote], us: int, ue: int, cs: int, ce: int
) -> str | None:
    text = build.text
    clause = _clause_start(text, quotes, us, cs)
    if text[clause:cs].strip():  # "…, according to X."
        src = np_after(text, ce, ue)
        end = text.rfind(",", us, cs)
        content = build.content(us, end if end > us else cs, "according-to", quotes)
    else:  # "According to X, …"
        comma = text.find(",", ce, ue)
        if comma < 0:
            return None
        src = clean_np(text, ce, comma)
        m = re.search(r"\s(?:during|in|on|at|after|before|when)\s", text[ce:comma])
        if m and src is not None:
            src = clean_np(text, ce, ce + m.start())
        start = comma + 1
        content = build.content(start, content_end(text, quotes, start, ue), "according-to", quotes)
    if content is None:
        return None
    cue = build.add("Cue", cs, ce, "according-to")
    sid = build.source(src, "according-to")
    build.relate("cue_of", cue, content)
    build.relate("attributed_to", content, sid)
    return sid


def _targets(build: Builder, quotes: Sequence[Quote]) -> None:
    """Named entities, each once, at first mention, outside any Source."""
    taken = [(s.start, s.end) for s in build.spans if s.label == "Source"]
    for a, b in names(build.text, sentences(build.text, quotes), taken):
        build.add("Target", a, b, "capitalised-name")
