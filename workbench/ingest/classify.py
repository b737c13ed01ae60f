"""Which paragraphs of an article are its body: a paragraph classifier of the jusText kind
(the README's "Ingest" section says how it decides). Pure; nothing here names a site.

Each paragraph gets a class from its own features (GOOD stays, BAD goes, SHORT and NEAR wait);
its context decides the rest; then position and repetition within the article and its site.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from workbench.ingest.furniture import furniture
from workbench.ingest.reporting import IMPERATIVE as _IMPERATIVE
from workbench.ingest.reporting import cites, reads_as_reporting
from workbench.ingest.text import (
    SENTENCE_END,
    Para,
    is_heading_like,
    squash,
    starts_lower,
    words,
)

GOOD, NEAR, SHORT, BAD = "good", "near", "short", "bad"
SEPARATOR = "separator"  # "***", "---": removed, but no evidence either way for its neighbours


@dataclass(frozen=True)
class Removed:
    """A paragraph left out of the body, and why (kept with the raw article)."""

    text: str
    reason: str


# --------------------------------------------------------------------------- language


@cache
def _stoplists() -> dict[str, frozenset[str]]:
    import justext  # heavy: only loaded when a non-English text needs it

    return {name: frozenset(justext.get_stoplist(name)) for name in justext.get_stoplists()}


@cache
def _english() -> frozenset[str]:
    import justext

    return frozenset(justext.get_stoplist("English"))


_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def stoplist_for(texts: Sequence[str]) -> frozenset[str] | None:
    """The stop-word list of the texts' language (jusText's lists), None when none fits."""
    words = [w for t in texts for w in _tokens(t)]
    if not words:
        return None
    english = _english()
    if sum(w in english for w in words) >= 0.2 * len(words):
        return english
    best = max(_stoplists().values(), key=lambda s: sum(w in s for w in words))
    return best if sum(w in best for w in words) >= 0.15 * len(words) else None


# --------------------------------------------------------------------------- features

_URL = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:[a-z0-9-]+\.)+[a-z]{2,6}(?:/\S*)?"
)
_TRIM = "()[]{}<>,;:!?\"'“”‘’"


def _url_chars(text: str) -> int:
    """Characters of bare URLs, e-mail addresses and domain names ("en.kremlin.ru")."""
    total = 0
    for token in text.split():
        token = token.strip(_TRIM).rstrip(".")
        if ("." in token or "@" in token) and _URL.fullmatch(token):
            total += len(token)
    return total


# Words of web pages, not of news prose ("policy", "comment", "share" are both: not here).
# One of them counts only outside the body; two make a paragraph furniture anywhere.
_WEB = words(
    "email e-mail emails newsletter newsletters subscribe subscribed subscriber subscribers "
    "subscription unsubscribe click button login log-in signup sign-up password cookie cookies "
    "website browser javascript url repost reposts download app bookmark rss comments"
)
_SOCIAL = words(
    "facebook twitter instagram telegram whatsapp linkedin youtube tiktok pinterest reddit "
    "viber threads"
)
# also German, French, Spanish, Italian, Dutch ("Bild: Keystone", "Crédit photo : AFP", "Foto di")
_PICTURE = (
    r"(?:(?:(?:Image|Photo|Picture|Photograph|Illustration|Foto|Bild|Imagen|Immagine|Beeld)s?"
    r"|Bilder|Fotografía|Fotografia)(?: [Cc]redits?)?|Crédits? photos?)"
)
_CREDIT_BY = r"(?:from|by|via|courtesy of|von|par|de|di|van|door)"
_CREDIT = (
    re.compile(r"\((?:photo |image |picture )?credits?\s*:", re.I),
    re.compile(rf"(?:^|[(:|]\s*){_PICTURE}\s*:\s*\S.{{0,60}}$"),
    re.compile(rf"[(:|]\s*{_PICTURE}\s+{_CREDIT_BY}\s+\S.{{0,60}}$"),
    re.compile(rf"^{_PICTURE}\s+{_CREDIT_BY}\s+\S+(?:\s+\S+){{0,3}}$"),
    re.compile(rf"^{_PICTURE}\s*:\s*\S"),  # a caption line: "Photo: A project in Thu Duc city."
)
# a wire story's closing credits, all of the paragraph: "Reporting by Jill Serjeant; Additional
# reporting by Rollo Ross; Editing by Michael Perry" (names only: "Reporting by the Post showed
# that …" is prose)
_NAMES = r"[A-Z][\w’'.-]*(?:\s+(?:[A-Z][\w’'.-]*|and|de|van|von|da|in|[A-Z]\.))*"
_WIRE_ROLE = r"(?i:(?:additional |further )?(?:reporting|writing|editing|compiled|graphics) by)"
_WIRE_CREDITS = re.compile(
    rf"\(?{_WIRE_ROLE} {_NAMES}(?:,\s*{_NAMES})*(?:\s*[;,]\s*{_WIRE_ROLE} {_NAMES}"
    rf"(?:,\s*{_NAMES})*)*\)?\.?"
)
# an excerpt of another page cut off with a marker ("… it would probably be […]", WordPress's
# "[...]"): a teaser for the next post; a quotation elided is closed by its quotation mark
_EXCERPT = re.compile(r"\w\s*\[(?:…|\.\.\.)\]$")
_NOTICE = re.compile(r"©|\(c\)\s*\d{4}|\ball rights reserved\b", re.I)
_COPYRIGHT = re.compile(r"\bcopyright", re.I)
_LABELLED = re.compile(r"^[^\W\d_][\w’'-]*(?: [\w’'-]+){0,2} ?: +\S")
_MENU_SEPARATORS = re.compile(r"[|»›•·]")
_DATE_TOKEN = re.compile(
    r"^(?:\d{1,4}(?:st|nd|rd|th)?|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?"
    r"|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?"
    r"|sun(?:day)?|[ap]m|gmt|utc|pht|pst|est|ist|pkt)$"
)


@dataclass(frozen=True)
class Features:
    chars: int
    words: int
    stop_density: float | None  # None when the language is unknown
    link_density: float
    web: int  # furniture vocabulary score
    call: bool  # a call to action addressed to the reader ("Follow us on ...")
    sentence: bool  # ends like a sentence
    reporting: bool  # reads as news reporting: web words and copyright do not make it furniture


def features(para: Para, stops: frozenset[str] | None) -> Features:
    text = para.text
    tokens = _tokens(text)
    n = max(len(tokens), 1)
    links = para.links + _url_chars(text)
    # also a compound made with one ("E-Mail-Adresse", "Newsletter-Anmeldung")
    web = sum(t in _WEB or t.rsplit("-", 1)[0] in _WEB for t in tokens)
    social = sum(t in _SOCIAL for t in tokens)
    call = (
        bool(tokens)
        and tokens[0] in _IMPERATIVE
        and bool(social or {"us", "our"} & set(tokens))
        and not set('“”"') & set(text)  # a quoted appeal is news
    )
    sentence = bool(SENTENCE_END.search(text))
    # networks named in a line are the site's links; in a long sentence, the story's subject
    listed = social >= 2 and (len(tokens) <= 20 or not sentence)
    return Features(
        chars=len(text),
        words=len(tokens),
        stop_density=None if stops is None else sum(t in stops for t in tokens) / n,
        link_density=min(1.0, links / max(len(text), 1)),
        web=web + int(call) + int(listed),
        call=call,
        sentence=sentence,
        reporting=reads_as_reporting(text),
    )


def _date_only(text: str, tokens: list[str], stops: frozenset[str] | None) -> bool:
    """A short line that is a date among a few non-words ("Short Url Updated 03 April 2023")."""
    dates = [t for t in tokens if _DATE_TOKEN.match(t)]
    if len(tokens) > 10 or len(dates) < 2 or not any(t.isdigit() and len(t) == 4 for t in dates):
        return False
    rest = [t for t in tokens if not _DATE_TOKEN.match(t)]
    return not (stops and any(t in stops for t in rest if t not in {"on", "at", "by"}))


@lru_cache(maxsize=4096)
def judge(para: Para, stops: frozenset[str] | None) -> tuple[Features, str, str]:
    """A paragraph's features and intrinsic class and reason (cached: ingest asks twice)."""
    f = features(para, stops)
    return (f, *intrinsic(para, f, stops))


def intrinsic(para: Para, f: Features, stops: frozenset[str] | None) -> tuple[str, str]:
    """(class, reason) from the paragraph alone."""
    text = para.text
    tokens = _tokens(text)
    if not tokens or para.kind == "image":
        return SEPARATOR, "image" if para.kind == "image" else "no words"
    if para.kind == "aside":
        return BAD, "outside the article"
    if para.quoted:  # the page's own summary quotes it as the text
        return GOOD, ""
    if f.link_density > 0.5 or (f.link_density > 0.25 and f.chars < 150):
        return BAD, "links"
    if f.chars <= 600 and any(p.search(text) for p in _CREDIT):
        return BAD, "photo credit"
    if f.chars <= 300 and _WIRE_CREDITS.fullmatch(text.strip()):
        return BAD, "credit line"
    if _EXCERPT.search(text):
        return BAD, "teaser"
    if f.chars <= 400 and _NOTICE.search(text):
        return BAD, "copyright notice"
    if _COPYRIGHT.search(text) and (
        f.link_density > 0 or ("permission" in tokens and not f.reporting)
    ):
        return BAD, "copyright notice"
    if (f.web >= 2 or f.call) and f.chars <= 400 and not f.reporting:
        return BAD, "web furniture"
    why = furniture(text, f.words)  # the same kinds of lines in five other languages
    if why:
        return BAD, why
    if tokens[0] in _IMPERATIVE and f.words <= 5 and not f.sentence:  # "Share on X"
        return BAD, "web furniture"
    if para.kind != "item" and not f.sentence:
        letters = [c for c in text if c.isalpha()]
        if f.words <= 2 and para.kind != "heading":
            return BAD, "label"
        # a section's label in capitals ("MORE FROM ASIA"); a heading of three or more words
        # may be a subheading of the story ("DISAPPOINTING NIGHT FOR 'IRISHMAN'"): its
        # neighbours decide
        if f.words <= (2 if para.kind == "heading" else 4) and all(c.isupper() for c in letters):
            return BAD, "label"
        # » and › separate a menu's items, but close a quotation opened with « or ‹
        seps = re.sub("[»›]", "", text) if "«" in text or "‹" in text else text
        if len(_MENU_SEPARATORS.findall(seps)) >= 2 or seps.endswith(("»", "›")):
            return BAD, "menu"
    if (
        para.kind == "text"
        and not f.sentence
        and f.chars < 200
        and _LABELLED.match(text)
        and not is_heading_like(text)
    ):  # "Read more: Vietnam cuts rates", "Baca juga: ...": a pointer to another story
        return BAD, "cross-reference"
    if _date_only(text, tokens, stops):
        return BAD, "date line"
    sd = f.stop_density
    if f.chars >= 70 and sd is not None and sd < 0.1:
        return BAD, "no prose"
    if f.chars >= 150 and (sd is None or sd >= 0.28):
        return GOOD, ""
    if f.chars >= 70 and (sd is None or sd >= 0.2):
        return NEAR, ""
    if f.sentence and f.words >= 3 and (sd is None or sd > 0) and not starts_lower(text):
        return NEAR, ""
    return SHORT, ""


# --------------------------------------------------------------------------- context


def _nearest(classes: list[str], i: int, step: int) -> str | None:
    """The nearest decided (GOOD/BAD) class from i in direction step."""
    j = i + step
    while 0 <= j < len(classes):
        if classes[j] in (GOOD, BAD):
            return classes[j]
        j += step
    return None


def resolve(paras: Sequence[Para], classes: list[str]) -> list[str]:
    """Decide SHORT and NEAR paragraphs by their neighbours. Without any GOOD paragraph
    (a very short text) there is no body to side with: only BAD paragraphs go."""
    if GOOD not in classes:
        return [BAD if c in (BAD, SEPARATOR) else GOOD for c in classes]
    out = list(classes)
    for i, cls in enumerate(classes):
        if cls not in (SHORT, NEAR):
            continue
        before, after = _nearest(classes, i, -1), _nearest(classes, i, 1)
        before, after = before or after, after or before
        if before is None or before == after:
            out[i] = before or GOOD  # nothing decided anywhere: keep what is not furniture
            continue
        # a heading introduces the body under it; prose (NEAR) beside the body is body
        heading = is_heading_like(paras[i].text) or paras[i].kind == "heading"
        intro = heading and i + 1 < len(classes) and classes[i + 1] == GOOD
        out[i] = GOOD if intro or cls == NEAR else BAD
    # runs of three or more short undecided lines, at most one of them a sentence: lists of
    # headlines, menus, a widget's "No stories found."
    i = 0
    while i < len(paras):
        j = i
        while (
            j < len(paras)
            and classes[j] in (SHORT, NEAR)
            and paras[j].kind == "text"
            and len(paras[j].text) < 100
        ):
            j += 1
        if j - i >= 3 and sum(bool(SENTENCE_END.search(p.text)) for p in paras[i:j]) <= 1:
            out[i:j] = [BAD] * (j - i)
        i = max(j, i + 1)
    return out


# --------------------------------------------------------------------------- the whole pass


def classify(
    paras: Sequence[Para],
    *,
    stops: frozenset[str] | None,
    outlet: str | None,
    common: frozenset[str] = frozenset(),
) -> list[str | None]:
    """For each paragraph None (body) or the reason it was removed; `common`: the keys
    (`paragraph_key`) of paragraphs recurring in the site's other articles."""
    judged = [judge(p, stops) for p in paras]
    feats = [f for f, _, _ in judged]
    classes = [c for _, c, _ in judged]
    reasons: list[str | None] = [r if c in (BAD, SEPARATOR) else None for _, c, r in judged]
    resolved = resolve(paras, classes)
    for i, (before, after) in enumerate(zip(classes, resolved, strict=True)):
        if before != BAD and after == BAD:
            reasons[i] = "context"
    keys = [paragraph_key(p.text) for p in paras]
    if sum(k in common for k in keys if k) > len(paras) / 2:
        common = frozenset()  # a republished story, not a site's furniture: repetition says nothing
    # the body runs from the first to the last GOOD paragraph that is the article's own
    body = [i for i, c in enumerate(resolved) if c == classes[i] == GOOD and keys[i] not in common]
    first, last = (body[0], body[-1]) if body else (0, len(paras) - 1)
    seen: set[str] = set()
    outlet_rx = re.compile(rf"\b{re.escape(outlet)}\b", re.I) if outlet else None
    for i, para in enumerate(paras):
        key = keys[i]
        edge = i < first or i > last
        good = classes[i] == GOOD
        if reasons[i] is None:
            f = feats[i]
            named = outlet_rx and f.chars <= 300 and outlet_rx.search(para.text)
            if edge and named and not (f.reporting and cites(para.text)):  # not "X reported"
                reasons[i] = "publisher line"
            elif edge and (f.web >= 1 or _COPYRIGHT.search(para.text)) and not f.reporting:
                reasons[i] = "web furniture"
            elif i and reasons[i - 1] and key and key in squash(paras[i - 1].text):
                reasons[i] = "repeats a removed paragraph"  # a caption given twice
            elif key and key in seen and (edge or not good):
                reasons[i] = "repeated in the article"
            elif key and key in common and (edge or not good):
                reasons[i] = "repeated across the site"
        if key:
            seen.add(key)
    return reasons


def paragraph_key(text: str) -> str:
    """What two copies of a paragraph share ("" for paragraphs too short to tell)."""
    squashed = squash(text)
    return squashed if len(squashed) >= 15 else ""
