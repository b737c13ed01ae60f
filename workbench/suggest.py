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
2. **Cues**: a lexicon of reporting verbs in all their inflections (said, told, added,
   claimed, warned, …) and phrases (according to, in the words of); a cue inside a quotation is
   quoted speech, not a cue.
3. Around each cue, the **speaker patterns**: ``“Q,” X said`` / ``“Q,” said X``, ``X said:
   “Q”``, ``X said (that) C``, ``C, X said``, ``According to X, C``, and the subject of the
   clause as Source (``X, the Y of Z, said`` → ``X``; a pronoun when that is all there is).
4. A quotation left without a cue, in a paragraph that has a Source, is that Source's.

Source types come from the words of the Source and what the paragraph (or the previous one)
says about it: titles mean ``official``, "analyst"/"expert"/"Dr." mean ``analyst``, outlets mean
``media``, an indefinite or generic speaker ("a government source", "observers") means
``unnamed``; a named person with nothing else to go on is guessed ``official`` (political news).
Target sentiment is left for the annotator on purpose: a guessed ``neutral`` would be accepted
without a thought (automation bias) on exactly the layer that needs judgement, and Label Studio's
required-answer check makes the annotator answer it before submitting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "RULES_VERSION",
    "Relation",
    "Span",
    "Suggestions",
    "quotations",
    "suggest",
]

#: Bumped whenever a rule changes: it is part of the Label Studio model version.
RULES_VERSION = "1"

# -- lexicon -----------------------------------------------------------------------------------

_VERBS = (
    "say said says saying|tell told tells telling|add added adds adding|claim claimed claims "
    "claiming|state stated stating|stress stressed stresses stressing|warn warned warns warning|"
    "note noted noting|insist insisted insists insisting|announce announced announces announcing|"
    "explain explained explains explaining|argue argued argues arguing|assert asserted asserts|"
    "maintain maintained maintains maintaining|emphasise emphasised emphasises emphasising "
    "emphasize emphasized emphasizes emphasizing|underscore underscored underscores "
    "underscoring|underline underlined underlines underlining|reveal revealed reveals revealing|"
    "report reported reporting|confirm confirmed confirms confirming|deny denied denies denying|"
    "believe believed believes|think thought thinks|predict predicted predicts predicting|"
    "accuse accused accuses accusing|urge urged urges urging|acknowledge acknowledged "
    "acknowledges|admit admitted admits admitting|allege alleged alleges alleging|concede "
    "conceded concedes|contend contended contends|declare declared declares declaring|disclose "
    "disclosed discloses|estimate estimated estimates|observe observed observes|remark remarked|"
    "reiterate reiterated reiterates reiterating|respond responded responds|reply replied "
    "replies|write wrote writes|tweet tweeted tweets|continue continued continues|conclude "
    "concluded concludes|recall recalled recalls|complain complained complains|suspect "
    "suspected|fear feared fears|realise realised realize realized|ask asked asks|promise "
    "promised promises|vow vowed vows|pledge pledged pledges|suggest suggested suggests|"
    "indicate indicated indicates|imply implied implies|hint hinted hints|rule ruled rules|"
    "find found finds|show showed shows|interpret interpreted|reassure reassured reassuring|"
    "assure assured assures|inform informed informs|testify testified|repeat repeated repeats|"
    "point pointed points|agree agreed agrees"
)
CUE_WORDS = frozenset(_VERBS.replace("|", " ").split())
# Forms that are more often nouns or take no reported content: cues only right before
# "that", a colon or a quotation, or right after a quotation.
_WEAK = frozenset(
    "report claims states notes estimates fears shows finds rules points continue continued "
    "continues agree agreed agrees point pointed suggest suggests suggested indicate indicated "
    "indicates show showed found find rule ruled think thought ask asked".split()
)
# Verbs that take an addressee before their content ("told Reuters the delays …").
_ADDRESSEE = frozenset("tell told tells telling inform informed informs assure assured assures "
                       "reassure reassured reassuring urge urged urges".split())
_AUX = r"(?:(?:has|have|had|was|were|is|are|also|later|then|again|reportedly|recently|"
_AUX += r"publicly|repeatedly|importantly|crucially|earlier|once|would|will|might|could)\s+)*"
_PHRASES = (r"according\s+to", r"in\s+the\s+words\s+of", r"pointed\s+out", r"points\s+out")
CUE_RE = re.compile(
    r"\b(?:" + "|".join(_PHRASES) + r"|(?:" + "|".join(sorted(CUE_WORDS, key=len, reverse=True))
    + r"))\b",
    re.IGNORECASE,
)

TITLES = frozenset(
    "minister president prime premier pm chancellor secretary spokesperson spokesman "
    "spokeswoman ambassador envoy senator lawmaker mp governor mayor general colonel admiral "
    "chief king queen prince sheikh ayatollah dr dr. professor prof. judge justice leader "
    "commissioner director chairman chairwoman chair ceo official officials".split()
)
_OFFICIAL = frozenset(
    "minister ministry president prime premier pm chancellor secretary spokesperson spokesman "
    "spokeswoman ambassador envoy senator lawmaker lawmakers mp governor mayor general army "
    "military government communique court police office department embassy parliament "
    "congress bank commission council party opposition officials official authorities state "
    "kremlin white house cabinet senate ministers diplomats".split()
)
_ANALYST = frozenset(
    "analyst analysts expert experts economist economists professor dr dr. researcher "
    "researchers academic scholar commentator think tank epidemiologist scientist "
    "scientists strategist institute university".split()
)
_MEDIA = frozenset(
    "radio reuters ap afp newspaper agency television tv broadcaster journalist reporter "
    "reporters bbc cnn rt times post dawn tass xinhua bloomberg media".split()
)
_GENERIC = frozenset(
    "source sources observers critics diplomats officials experts analysts many some others "
    "people residents witnesses insiders".split()
)
_PRONOUNS = frozenset("he she they we i it".split())
_DETERMINERS = frozenset("a an some several many one two few".split())
# Words that end a Source noun phrase when scanning back from a cue.
_STOP = frozenset(
    "that which who whom whose and but or because when while after before as if since though "
    "although whether where so than then the of in on at by for to with from into about, "
    "defending during".split()
) - frozenset(["the", "of", "at", "for", "in"])
_LEADING_DROP = frozenset(
    "but and so meanwhile moreover however yet also then still later now thus instead "
    "nevertheless".split()
)
_TRAILING_DROP = frozenset(
    "has have had was were is are also later then again reportedly recently publicly "
    "repeatedly importantly crucially earlier once would will might could in turn".split()
)

# -- quotation marks ---------------------------------------------------------------------------

_PAIRS = {"“": "”", "„": "“”", "‚": "‘’", "«": "»", "»": "«»", "「": "」", "『": "』", "‘": "’"}
_WORD = re.compile(r"[^\W_][\w’'\-.]*", re.UNICODE)


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


def quotations(text: str) -> list[Quote]:
    """Every quotation in ``text``, left to right, non-overlapping.

    A quotation may stop at a paragraph break without closing (it continues in the next
    paragraph), or close without having opened in this text (it began in an earlier one).
    """
    out: list[Quote] = []
    i, n = 0, len(text)
    while i < n:
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
            j += 1
        if end < 0:
            if ch in '"“«„':  # opened, never closed: it continues in the next paragraph
                out.append(Quote(i, j, i + 1, j))
                i = j
                continue
            i += 1
            continue
        out.append(Quote(i, end + 1, i + 1, end))
        i = end + 1
    return [q for q in out if q.inner_end > q.inner_start and text[q.inner_start:q.inner_end].strip()]


# -- the result types --------------------------------------------------------------------------


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


# -- sentences ---------------------------------------------------------------------------------

_ABBREV = frozenset("dr mr mrs ms st gen lt col sgt prof rev gov sen rep no vs jr sr u.s e.g i.e".split())
_OPENERS = "“„«»‘「『\"'‚"


def _inside(quotes: Sequence[Quote], pos: int) -> Quote | None:
    for q in quotes:
        if q.inner_start <= pos < q.inner_end:
            return q
    return None


def sentences(text: str, quotes: Sequence[Quote]) -> list[tuple[int, int]]:
    """Sentence spans that never cut a quotation (a quoted passage of several sentences and
    its ``, he said`` are one unit)."""
    out: list[tuple[int, int]] = []
    start, n = 0, len(text)
    for m in re.finditer(r"[.!?…]+[”’\"'»」』]*(?=\s+[A-Z“„«‘\"'「(])|\n\n", text):
        end = m.end()
        if m.group() != "\n\n":
            q = _inside(quotes, m.start())
            if q is not None and q.inner_end > end:
                continue  # the sentence ends inside a quotation that goes on
            word = re.search(r"([\w.]+)[.]$", text[start : m.start() + 1])
            if word and word.group(1).lower().rstrip(".") in _ABBREV:
                continue
        if text[start:end].strip():
            out.append((start, end))
        start = end
    if text[start:n].strip():
        out.append((start, n))
    return [_trim(text, a, b) for a, b in out]


def _trim(text: str, a: int, b: int, chars: str = "") -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in chars):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in chars):
        b -= 1
    return a, b


# -- noun phrases ------------------------------------------------------------------------------


def _words(text: str, a: int, b: int) -> list[tuple[int, int]]:
    return [(a + m.start(), a + m.end()) for m in _WORD.finditer(text[a:b])]


def _np_ok(np: str) -> bool:
    """Whether a phrase can name a speaker: a pronoun, a name, a title or a generic speaker."""
    words = np.split()
    if not words or len(words) > 9:
        return False
    low = [w.lower().strip(",.’'") for w in words]
    if len(words) == 1 and low[0] in _PRONOUNS - {"it"}:
        return True
    if low[0] in _PRONOUNS:
        return False
    known = _OFFICIAL | _ANALYST | _MEDIA | _GENERIC | TITLES
    if any(w in known for w in low):
        return True
    return any(w[:1].isupper() for w in words[1:]) or (
        words[0][:1].isupper() and low[0] not in _LEADING_DROP | {"the", "this", "these", "it"}
    )


def _clean_np(text: str, a: int, b: int) -> tuple[int, int] | None:
    words = _words(text, a, b)
    while words and text[words[0][0] : words[0][1]].lower() in _LEADING_DROP:
        words = words[1:]
    while words and text[words[-1][0] : words[-1][1]].lower() in _TRAILING_DROP:
        words = words[:-1]
    if len(words) >= 2 and text[words[-2][0] : words[-1][1]].lower() == "in turn":
        words = words[:-2]
    if not words:
        return None
    a, b = words[0][0], words[-1][1]
    b = a + len(text[a:b].rstrip(".,’'"))
    if text[a:b].endswith(("’s", "'s")):
        return None  # a possessive is not a speaker
    return (a, b) if _np_ok(text[a:b]) else None


def _subject_before(text: str, start: int, cue: int) -> tuple[int, int] | None:
    """The speaker right before a cue: scan back to a boundary, then clean the phrase."""
    words = _words(text, start, cue)
    taken: list[tuple[int, int]] = []
    for w in reversed(words):
        gap = text[w[1] : (taken[0][0] if taken else cue)]
        if any(c in gap for c in ",;:()“”\"«»„「」—–") or "\n" in gap:
            break
        token = text[w[0] : w[1]].lower()
        if token in _STOP:
            break
        taken.insert(0, w)
        if len(taken) > 9:
            return None
    if not taken:
        return None
    return _clean_np(text, taken[0][0], taken[-1][1])


def _leading_np(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``X, the Y of Z, said`` → ``X``: the phrase before the first comma of the clause."""
    comma = text.find(",", start, end)
    if comma < 0:
        return None
    return _clean_np(text, start, comma)


def _np_after(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``said X, director of …`` → ``X``: up to a comma or the end, prepositions cut off."""
    a, b = _trim(text, start, end)
    m = re.search(r"[,;:.“”\"]| (?:in|on|at|during|after|before|when|while|who|in a)\s", text[a:b])
    if m:
        b = a + m.start()
    return _clean_np(text, a, b)


# -- source types ------------------------------------------------------------------------------


def source_type(np: str, about: str = "") -> str:
    """Guess a Source's type from its words and what the text says about it (``about``)."""
    low = [w.lower().strip(",.’'()") for w in np.split()]
    if len(low) == 1 and low[0] in _PRONOUNS:
        return "author" if low[0] == "i" else _profile_type(about) or "other"
    if any(w in _MEDIA for w in low):
        return "media"
    generic = low[0] in _DETERMINERS or (low[-1] in _GENERIC and not any(
        w[:1].isupper() for w in np.split()[1:]))
    if any(w in _ANALYST for w in low) and not generic:
        return "analyst"
    if generic:
        return "unnamed"
    if any(w in _OFFICIAL for w in low):
        return "official"
    return _profile_type(about) or "official"


def _profile_type(about: str) -> str | None:
    words = {w.lower().strip(",.’'()") for w in about.split()}
    if words & _ANALYST:
        return "analyst"
    if words & _OFFICIAL:
        return "official"
    if words & _MEDIA:
        return "media"
    return None


# -- the rules ---------------------------------------------------------------------------------

_AUX_BEFORE = re.compile(
    r"(?:\b(?:has|have|had|was|were|is|are|might|would|could|will|may)\s+(?:(?:also|later|long|"
    r"already|yet to|to)\s+)?)$",
    re.IGNORECASE,
)
_THAT = re.compile(r"\bthat\s+", re.IGNORECASE)


class _Builder:
    def __init__(self, text: str, context: str) -> None:
        self.text = text
        self.context = context
        self.spans: list[Span] = []
        self.relations: list[Relation] = []
        self.used: set[Quote] = set()

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
        if self.text[a:b].lower() in _PRONOUNS:
            named = [s for s in self.spans if s.label == "Source" and s.start < a]
            if named:
                return self.add("Source", a, b, rule, source_type=named[-1].attrs["source_type"])
        else:  # what the text says about the last word of the name
            last = self.text[a:b].split()[-1]
            about = " ".join(
                m.group() for m in re.finditer(rf"[^.]*\b{re.escape(last)}\b[^.]*", about)
            )
        return self.add("Source", a, b, rule, source_type=source_type(self.text[a:b], about))

    def content(self, a: int, b: int, rule: str, quotes: Sequence[Quote]) -> str | None:
        """A Content over ``[a, b)``: the inner text of a quotation that fills it (direct), or
        a clause (mixed when it holds a quotation, else indirect)."""
        a, b = _trim(self.text, a, b)
        for q in quotes:
            if q.start <= a and b <= q.end + 1 and self.text[q.end : b].strip(" .,") == "":
                if q in self.used:
                    return None
                self.used.add(q)
                ia, ib = _trim(self.text, q.inner_start, q.inner_end)
                return self.add("Content", ia, ib, rule, quote_type="direct")
        while b > a and self.text[b - 1] in ".,;:":
            b -= 1
        if len(_words(self.text, a, b)) < 2:
            return None
        inner = [q for q in quotes if a <= q.start and q.end <= b + 1]
        self.used.update(inner)
        kind = "mixed" if inner else "indirect"
        return self.add("Content", a, b, rule, quote_type=kind)


def suggest(text: str, context: str = "") -> Suggestions:
    """Attribution spans, their relations and Target spans for one segment ``text``.

    ``context`` (the previous paragraph) only helps to guess source types.
    """
    build = _Builder(text, context)
    quotes = quotations(text)
    for us, ue in sentences(text, quotes):
        last_source: str | None = None
        for m in CUE_RE.finditer(text, us, ue):
            last_source = _cue(build, quotes, us, ue, m, last_source) or last_source
    _orphan_quotes(build, quotes)
    _targets(build)
    spans = tuple(sorted(build.spans, key=lambda s: (s.start, s.end, s.label)))
    return Suggestions(spans, tuple(build.relations))


def _cue(
    build: _Builder,
    quotes: Sequence[Quote],
    us: int,
    ue: int,
    m: re.Match[str],
    last_source: str | None,
) -> str | None:
    """Apply the speaker patterns to one cue; returns the id of the Source found."""
    text = build.text
    cs, ce = m.start(), m.end()
    if _inside(quotes, cs):
        return None  # quoted speech, not a cue of this text
    word = m.group().lower()
    phrase = " " in word
    aux = _AUX_BEFORE.search(text, us, cs)
    cue_start = aux.start() if aux else cs
    after = text[ce:ue]
    if word.startswith("according"):
        return _according(build, quotes, us, ue, cs, ce)
    weak = word in _WEAK
    quote_before = _quote_before(text, quotes, us, cue_start)
    # 1. “Q,” X said / “Q,” said X
    if quote_before is not None:
        q, np_start = quote_before
        src = _clean_np(text, np_start, cue_start) if text[np_start:cue_start].strip() else None
        if src is None:
            src = _np_after(text, ce, ue)
        content = build.content(q.start, q.end, "quote-then-cue", quotes)
        if content is None:
            return None
        cue = build.add("Cue", cue_start, ce, "quote-then-cue")
        sid = build.source(src, "quote-then-cue")
        build.relate("cue_of", cue, content)
        build.relate("attributed_to", content, sid)
        return sid
    # the speaker: the phrase right before the cue, or the clause's first phrase (X, the Y, said)
    np = _subject_before(text, us, cue_start)
    if np is None and text[us:cue_start].rstrip().endswith(","):
        np = _leading_np(text, _clause_start(text, quotes, us, cue_start), cue_start)
    rest = _content_start(text, quotes, word, ce, ue, weak)
    if rest is not None:
        content = build.content(rest, ue, "cue-then-content", quotes)
        if content is None:
            return None
        cue = build.add("Cue", cue_start, ce, "cue-then-content")
        if np is None and word.endswith("ing") and last_source is not None:
            sid: str | None = last_source  # "…, adding that …": the clause's speaker
        else:
            sid = build.source(np, "cue-then-content")
        build.relate("cue_of", cue, content)
        build.relate("attributed_to", content, sid)
        return sid
    # 3. C, X said.
    if weak or phrase:
        return None
    before = text[us:cue_start]
    comma = before.rfind(",")
    tail = text[ce:ue].strip(" .")
    if comma < 0 or len(_words(text, us, us + comma)) < 3:
        return None
    between = text[us + comma + 1 : cue_start]
    src = _clean_np(text, us + comma + 1, cue_start) if between.strip() else _np_after(text, ce, ue)
    if src is None or (between.strip() and len(between.split()) > 7):
        return None
    if tail and not re.match(r"^(?:[,]|in |on |at |during |after |before |when |while |"
                             r"declining |speaking |according |adding |citing |to )", tail + " ") \
            and not between.strip() == "":
        return None
    content = build.content(us, us + comma, "content-then-cue", quotes)
    if content is None:
        return None
    cue = build.add("Cue", cue_start, ce, "content-then-cue")
    sid = build.source(src, "content-then-cue")
    build.relate("cue_of", cue, content)
    build.relate("attributed_to", content, sid)
    return sid


def _quote_before(
    text: str, quotes: Sequence[Quote], us: int, cue_start: int
) -> tuple[Quote, int] | None:
    """The quotation that a cue closes (``“Q,” X said``), and where the phrase after it starts."""
    prior = [q for q in quotes if q.end <= cue_start and q.end > us - 1 and q.start >= us - 1]
    if not prior:
        prior = [q for q in quotes if q.end <= cue_start and q.start == 0 and us == 0]
    if not prior:
        return None
    q = prior[-1]
    between = text[q.end : cue_start]
    m = re.fullmatch(r"\s*(,?)\s*((?:[^\W\d][\w’'.\-]*,?\s*){0,8})", between)
    if m is None:
        return None
    inner = text[q.inner_start : q.inner_end].rstrip()
    if not (m.group(1) or inner.endswith((",", "!", "?", "…", "—", "-", "."))):
        return None
    return q, q.end + m.start(2)


def _clause_start(text: str, quotes: Sequence[Quote], us: int, cue_start: int) -> int:
    ends = [q.end for q in quotes if us <= q.end <= cue_start]
    if ends:
        m = re.match(r"\s*,?\s*", text[ends[-1] :])
        return ends[-1] + (m.end() if m else 0)
    return us


_NOT_CLAUSE = frozenset(
    "to about for on in at by with of from into during as after before when while and but or "
    "it up out back down over".split()
)


def _content_start(
    text: str, quotes: Sequence[Quote], word: str, ce: int, ue: int, weak: bool
) -> int | None:
    """Where the reported content starts after a cue, or None when nothing follows it."""
    def quote_at(pos: int) -> int | None:
        m = re.match(r"\s*[:,]?\s*", text[pos:ue])
        at = pos + (m.end() if m else 0)
        return at if any(q.start == at for q in quotes) else None

    found = quote_at(ce)
    if found is not None:
        return found
    that = _THAT.search(text, ce, min(ue, ce + 90))
    if that is not None:
        gap = text[ce : that.start()]
        if not any(c in gap for c in ".;:“”\"«»„") and len(gap.split()) <= 8:
            return that.end()
    pos = ce
    if word in _ADDRESSEE:
        m = re.match(
            r"\s+(?:(?:the|a|an|new|his|her|their)\s+)*(?:(?:[A-Z][\w’'\-]*|‘[^’]*’)\s+){1,5}"
            r"|\s+(?:reporters|him|her|them|us|me|journalists|lawmakers|parliament)\b",
            text[ce:ue],
        )
        if m:
            pos = ce + m.end()
            found = quote_at(pos)
            if found is not None:
                return found
    if weak:
        return None
    m = re.match(r"\s+([\w’']+)", text[pos:ue])
    if m is None or m.group(1).lower() in _NOT_CLAUSE or len(text[pos:ue].split()) < 3:
        return None
    if text[pos:ue].lstrip().startswith(("“", "\"")):
        return None
    return pos + m.start(1)


def _according(
    build: _Builder, quotes: Sequence[Quote], us: int, ue: int, cs: int, ce: int
) -> str | None:
    text = build.text
    clause = _clause_start(text, quotes, us, cs)
    if text[clause:cs].strip():  # "…, according to X."
        src = _np_after(text, ce, ue)
        end = text.rfind(",", us, cs)
        content = build.content(us, end if end > us else cs, "according-to", quotes)
    else:  # "According to X, …"
        comma = text.find(",", ce, ue)
        if comma < 0:
            return None
        src = _clean_np(text, ce, comma)
        m = re.search(r"\s(?:during|in|on|at|after|before|when)\s", text[ce:comma])
        if m and src is not None:
            src = _clean_np(text, ce, ce + m.start())
        content = build.content(comma + 1, ue, "according-to", quotes)
    if content is None:
        return None
    cue = build.add("Cue", cs, ce, "according-to")
    sid = build.source(src, "according-to")
    build.relate("cue_of", cue, content)
    build.relate("attributed_to", content, sid)
    return sid


def _orphan_quotes(build: _Builder, quotes: Sequence[Quote]) -> None:
    """A quoted sentence with no cue of its own: the paragraph's speaker's words."""
    text = build.text
    for q in quotes:
        if q in build.used:
            continue
        inner = text[q.inner_start : q.inner_end].strip()
        words = inner.split()
        capital = sum(w[:1].isupper() for w in words)
        sentence_like = inner.endswith((".", "!", "?", ",", "…")) or q.start == 0 or (
            q.end == len(text) and q.inner_end == q.end
        )
        if len(words) < 4 or capital > 0.6 * len(words) or not sentence_like:
            continue
        sources = [s for s in build.spans if s.label == "Source" and s.start < q.start]
        if not sources:
            continue  # a quotation with no speaker in sight: most often a title or a document
        build.used.add(q)
        a, b = _trim(text, q.inner_start, q.inner_end)
        cid = build.add("Content", a, b, "quote-of-speaker", quote_type="direct")
        build.relate("attributed_to", cid, sources[-1].id)


_CAPITAL_RUN = re.compile(r"(?:\b[A-Z][\w’'\-]*\.?(?:\s+|$))*\b[A-Z][\w’'\-]*")
_NOT_NAME = frozenset(
    "the a an in on at but and this that these those it he she they we i his her their its our "
    "after before during when while as if according meanwhile moreover however nevertheless "
    "still both some many such so for from with without despite since although though between "
    "instead there here what why how who not nobody to by of be should ahead one two last "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


def _targets(build: _Builder) -> None:
    """Named entities (capitalised names without their titles), each once, at first mention."""
    text = build.text
    taken = [(s.start, s.end) for s in build.spans if s.label == "Source"]
    seen: set[str] = set()
    starts = {a for a, _ in sentences(text, quotations(text))}
    for m in _CAPITAL_RUN.finditer(text):
        words = _words(text, m.start(), m.end())
        names = [w for w in words if text[w[0] : w[1]].lower().rstrip(".") not in _NOT_NAME]
        # drop titles: keep what follows the last title word
        titled = [i for i, w in enumerate(names) if text[w[0] : w[1]].lower() in TITLES]
        if titled:
            names = names[titled[-1] + 1 :]
        if not names:
            continue
        a, b = names[0][0], names[-1][1]
        name = text[a:b]
        for suffix in ("’s", "'s", "’", "."):
            if name.endswith(suffix):
                b -= len(suffix)
                name = name[: -len(suffix)]
        if len(names) == 1 and (a in starts or re.search(r"(?:ian|ese|ish|stani)$", name)):
            continue  # a sentence's first word, or a nationality adjective
        key = name.split()[-1].lower() if name.split() else ""
        if not key or key in seen or any(s <= a < e for s, e in taken):
            continue
        seen.add(key)
        build.add("Target", a, b, "capitalised-name")
