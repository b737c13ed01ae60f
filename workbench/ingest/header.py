"""The header of an article: headline, kicker, standfirst, by-line, outlet and dateline. Pure.

They go to their fields, not the body. `published` comes only from a dateline or metadata line
("Global Research, February 02, 2023", "Published: 2 March 2023", a bare date) or HTML
metadata, never from a date in a body sentence or a caption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from workbench.ingest.text import (
    SENTENCE_END,
    Para,
    continues,
    is_heading_like,
    squash,
    words,
)

# --------------------------------------------------------------------------- dates

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_RX = (
    rf"(?:{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})"
)
_TIME = r"(?:[\s,|–—-]+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,5})?)?"
# weekdays of the languages whose dates spell the month as English does ("Senin, 18 September
# 2023", "maandag 18 september 2023"): a weekday before a date is never an outlet
_WEEKDAY = (
    r"(?:(?i:(?:mon|tues|wednes|thurs|fri|satur|sun)day|senin|selasa|rabu|kamis|jum['’]?at"
    r"|sabtu|minggu|ahad|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|maandag"
    r"|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag),?\s+)?"
)
_DATE_LINE = re.compile(
    r"^(?:(?:published|posted|updated|first published|last updated|date)\s*:?(?:\s+on)?\s*)?"
    rf"{_WEEKDAY}(?P<date>{DATE_RX}){_TIME}\.?$",
    re.I,
)
_OUTLET_DATE_LINE = re.compile(
    rf"^(?P<outlet>[A-Z][^,|\n]{{1,60}}?)\s*(?:,|\||\s[–—-])\s*{_WEEKDAY}(?P<date>{DATE_RX}){_TIME}\.?$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def parse_date(text: str) -> str | None:
    """A stated date -> "YYYY-MM-DD"; None when there is none or it is not a real day."""
    iso = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text)
    dotted = re.fullmatch(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*", text)  # 14.03.2024: day first
    if iso:
        y, m, d = (int(g) for g in iso.groups())
    elif dotted:
        d, m, y = (int(g) for g in dotted.groups())
    else:
        found = re.search(rf"\b{DATE_RX}", text, re.I)
        if not found:
            return None
        words = re.findall(r"[A-Za-z]+|\d+", found.group())
        nums = [int(w) for w in words if w.isdigit()]
        month = next((w for w in words if w[:3].lower() in _MONTHS and not w.isdigit()), "")
        if len(nums) != 2 or not month:
            return None
        d, y, m = nums[0], nums[1], _MONTHS[month[:3].lower()]
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


# --------------------------------------------------------------------------- header


@dataclass
class Header:
    title: str | None = None
    subtitle: str | None = None
    author: str | None = None
    outlet: str | None = None
    published: str | None = None


# "By" in English and a few other languages news is written in (oleh: Indonesian, Malay)
_BY_LINE = re.compile(
    r"^(?:by|written by|words by|author|oleh|por|von|par|door|av|af)\s*:?\s+(?P<rest>.+)$", re.I
)
_NAME_PARTICLES = words("and de da di del der van von bin ibn al el ul le la du dos das")


def by_line_name(text: str) -> str | None:
    """The author's name from "By X" / "By X, Outlet" / "By X | date", else None."""
    m = _BY_LINE.match(text)
    if not m:
        return None
    # the name ends at a separator or a parenthesis ("Par Jane Roy (Asia blog, 21 June 2018)")
    name = re.split(r"\s*[|,•·(]\s*", m.group("rest"))[0].strip().rstrip(".")
    words = name.split()
    if not 1 <= len(words) <= 8 or len(name) > 80:
        return None
    ok = all(w[0].isupper() or w.lower() in _NAME_PARTICLES or w == "&" for w in words)
    return name if ok else None


def metadata_line(text: str, header: Header) -> bool:
    """Fill the header from a by-line, outlet/date line or date line; True when it was one."""
    if name := by_line_name(text):
        header.author = header.author or name
        rest = text.split(",", 1)[1] if "," in text else ""
        header.published = header.published or parse_date(rest)
        return True
    dated, by, rest = text.rpartition(" by ")  # "Posted on February 14, 2023 by Jane Doe"
    if by and by_line_name(f"By {rest}") and metadata_line(dated, Header()):
        metadata_line(dated, header)
        header.author = header.author or by_line_name(f"By {rest}")
        return True
    m = _OUTLET_DATE_LINE.match(text)
    if m and not _DATE_LINE.match(text):
        outlet = m.group("outlet").strip()
        if not outlet.isupper():  # "ISLAMABAD, May 2, 2023" is a place, not an outlet
            header.outlet = header.outlet or outlet
        header.published = header.published or parse_date(m.group("date"))
        return True
    if m := _DATE_LINE.match(text):
        header.published = header.published or parse_date(m.group("date"))
        return True
    m = re.search(DATE_RX, text, re.I)
    if m and len(text) <= 80:  # a date among a few page words: "Short Url Updated 3 April 2023"
        others = (text[: m.start()] + " " + text[m.end() :]).split()
        if len(others) <= 6 and all(w[0].isupper() or not w[0].isalpha() for w in others):
            header.published = header.published or parse_date(m.group())
            return True
    return False


def _is_title_like(text: str, *, sentences: bool = False) -> bool:
    """A headline: short, no closing full stop (with `sentences`, up to two short ones)."""
    if sentences and len(text.split()) <= 20 and len(_INNER_SENTENCE_END.findall(text)) <= 1:
        text = text.rstrip(".")
    return (
        len(text) <= 200
        and len(text.split()) <= 30
        and not SENTENCE_END.search(text.rstrip("?!"))
        and not text.endswith((",", ";"))
        and _BY_LINE.match(text) is None
    )


def _is_kicker(text: str, title: str) -> bool:
    """A short label above the headline (" Invasion of Ukraine")."""
    return len(text.split()) <= 4 and is_heading_like(text) and len(title) > len(text)


DATELINE_LEDE = re.compile(r"^[A-Z][A-Z .'-]{2,}(?:,\s*[A-Za-z .]+)?\s*(?:\([^)]*\)\s*)?[-–—:]\s")
_INNER_SENTENCE_END = re.compile(r"[.?!][”\"’)]*\s+[“\"‘(]?[A-Z]")


def _is_standfirst(para: Para, nxt: Para) -> bool:
    """The paragraph right under the headline is a standfirst when it is one short sentence
    (or a title-case line) and not the article's dateline lede or a cut-off sentence; or a
    Markdown heading of a sentence or two (an export's subtitle)."""
    text = para.text
    if para.kind == "heading":
        return len(text) <= 350 and SENTENCE_END.search(text) is not None
    return (
        para.kind == "text"
        and len(text) <= 350
        and _INNER_SENTENCE_END.search(text) is None
        and DATELINE_LEDE.match(text) is None
        and not continues(para, nxt)
    )


_GLUED_DATE = re.compile(rf"(?<=[.?!…”’\"])\s*{_WEEKDAY}(?P<date>{DATE_RX}){_TIME}$", re.I)


def _heading_dek(text: str, header: Header) -> str | None:
    """A heading of a sentence or two under the page's repeated headline is its standfirst;
    a date run into its end ("… its recovery?Monday, 6 January 2020", a date styled as its own
    line inside the heading) is the page's date."""
    glued = _GLUED_DATE.search(text)
    dek = text[: glued.start()] if glued else text
    if len(dek) > 350 or SENTENCE_END.search(dek) is None:
        return None
    if glued:
        header.published = header.published or parse_date(glued.group("date"))
    return dek


def _is_dek_above_by_line(para: Para, nxt: Para) -> bool:
    """A standfirst of two sentences, when the by-line or dateline follows it."""
    text = para.text
    return (
        para.kind == "text"
        and len(text) <= 350
        and len(_INNER_SENTENCE_END.findall(text)) <= 1
        and metadata_line(nxt.text, Header())
    )


def _above_by_line(paras: list[Para]) -> int:
    """The headline is the title-like line right above the by-line or dateline (or above a
    standfirst above it) among the first lines (a page's menu and section labels come before
    it); else 0."""
    titles = [
        k
        for k in range(1, min(len(paras) - 1, 8))
        if _is_title_like(paras[k].text, sentences=True)
        and not metadata_line(paras[k].text, Header())
    ]
    for k in titles:
        if metadata_line(paras[k + 1].text, Header()):
            return k
    for k in titles:
        if k + 2 < len(paras) and _is_dek_above_by_line(paras[k + 1], paras[k + 2]):
            return k
    return 0


def take_header(
    kept: list[tuple[int, Para]], header: Header
) -> tuple[set[int], list[tuple[int, str]]]:
    """Take the title, kicker, subtitle and metadata lines off the top of the article: the
    indices of the paragraphs taken, and those of them not kept in a field, with the reason."""
    dropped: list[tuple[int, str]] = []
    paras = [p for _, p in kept]
    idx = [i for i, _ in kept]
    pos = 0
    title_idx: int | None = None
    repeated = False  # the page repeats its headline above the text (HTML)
    above = "above the headline"
    if header.title is None and paras:
        marked = [k for k, p in enumerate(paras[:3]) if p.kind == "heading"]
        by_line_below = 0 if marked else _above_by_line(paras)
        if marked and all(len(p.text.split()) <= 4 for p in paras[: marked[0]]):
            pos = marked[0]  # a markdown headline, perhaps under a kicker
        elif by_line_below:
            pos = by_line_below
        elif (
            len(paras) > 1
            and idx[1] == idx[0] + 1
            and _is_kicker(paras[0].text, paras[1].text)
            and _is_title_like(paras[1].text)
            and is_heading_like(paras[1].text.replace(":", ""))
        ):
            pos = 1
        if pos == 1 and _is_kicker(paras[0].text, paras[1].text):
            above = "kicker"
        title_like = _is_title_like(paras[pos].text, sentences=pos == by_line_below > 0)
        if title_like and by_line_name(paras[pos].text) is None:
            dropped.extend((i, above) for i in idx[:pos])
            header.title = paras[pos].text
            title_idx = idx[pos]
            pos += 1
        else:
            pos = 0
    elif header.title is not None and paras and squash(paras[0].text) == squash(header.title):
        pos, repeated = 1, True  # the page repeats its headline
    if header.subtitle and pos < len(paras) and squash(paras[pos].text) == squash(header.subtitle):
        pos += 1  # the standfirst the page declares, on top of the text: kept in its field
    while pos < len(paras) and pos < 12:
        text = paras[pos].text
        if (
            repeated
            and pos == 1
            and header.subtitle is None
            and len(paras) > 3
            and paras[pos].kind == "heading"
            and (dek := _heading_dek(text, header))
        ):
            header.subtitle = dek
            pos += 1
        elif metadata_line(text, header):
            dropped.append((idx[pos], "by-line or date line"))
            pos += 1
        elif paras[pos].links >= len(text) - 1 and by_line_name(f"By {text}"):
            header.author = header.author or by_line_name(f"By {text}")  # a linked name
            dropped.append((idx[pos], "by-line or date line"))
            pos += 1
        elif (
            title_idx is not None
            and idx[pos] == title_idx + 1
            and header.subtitle is None
            and len(paras) - pos > 2
            and (
                _is_standfirst(paras[pos], paras[pos + 1])
                or _is_dek_above_by_line(paras[pos], paras[pos + 1])
            )
        ):
            header.subtitle = text
            pos += 1
        else:
            break
    return set(idx[:pos]), dropped


def is_author_bio(text: str, author: str | None) -> bool:
    """An author bio ("Jane Doe is a ... analyst") is not body text."""
    return (
        bool(author)
        and re.match(rf"{re.escape(author or '')}\s+(?:is|was|has|writes)\b", text) is not None
    )
