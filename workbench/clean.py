"""Turn the raw text of one news article (.txt, .md, .html) into clean body text plus metadata.

Pure module: no file I/O, no database. `clean_article` is the entry point.

Pipeline: normalise characters -> format-specific markup removal (markdown / HTML) -> quote
repair -> paragraphs (hard wraps re-joined) -> boilerplate dropped -> header metadata taken out
(title, subtitle, author, outlet, date) -> page-break gaps re-joined -> body text.

Decisions:

* Quotes. The text is what annotators see, so typographic quotes stay typographic: curly quotes
  are never straightened. Quotes are made *consistent*: odd variants are mapped to the usual
  ones (``‘‘`` -> ``“``, ``’’`` -> ``”``, ``''`` -> ``"``, ``‛``/``‟`` -> ``‘``/``“``), runs of
  apostrophes inside a word (``Khan'’s``) and stray accents/primes used as apostrophes
  (``Khan´s``) become one apostrophe, and in a document that mostly uses curly quotes the few
  straight ones are curled from context (``He's`` -> ``He’s``, ``terrorism"`` -> ``terrorism”``).
  A document that mostly uses straight quotes keeps them straight. Unbalanced quotations (a
  quote continued over several paragraphs, or never closed) are left exactly as they are.
* Headings. Section headings inside the article ("Diplomatic Reactions to Visit") stay in the
  body as their own paragraph: they are short, carry meaning, and the segmenter makes them
  separate segments. Bare section labels ("SYNOPSIS", "COMMENTARY") are dropped. A short kicker
  line above the headline (" Invasion of Ukraine") is dropped too (it is recorded in `dropped`).
* Title, subtitle (standfirst), by-line and outlet/date lines are metadata: they go to their
  fields and are not part of `text`.
* Dates: `published` comes only from a dateline/metadata line ("Global Research, February 02,
  2023", "Published: 2 March 2023", a line that is just a date) or HTML metadata, never from a
  date inside a body sentence or a photo caption.
* Invisible characters: BOM, zero-width space, word joiner and soft hyphen are removed; the
  zero-width (non-)joiners are kept because they carry meaning in Urdu/Persian script and emoji.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

from workbench.errors import InputError

__all__ = ["CleanArticle", "clean_article", "normalize_text"]


@dataclass(frozen=True)
class CleanArticle:
    text: str  # paragraphs separated by exactly "\n\n", no other newlines inside a paragraph
    title: str | None
    subtitle: str | None  # standfirst/dek where clearly present
    author: str | None
    outlet: str | None
    published: str | None  # ISO "YYYY-MM-DD", only when the article states a date
    dropped: tuple[str, ...]  # boilerplate removed, for inspection


# --------------------------------------------------------------------------- characters

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_INVISIBLE = re.compile("[\ufeff\u200b\u2060\u00ad\u180e]")
_ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# C0/C1 controls other than "\n" (the line breaks among them are converted first).
_CONTROLS = re.compile("[\x00-\x09\x0e-\x1f\x7f-\x84\x86-\x9f]")


def normalize_text(raw: str) -> str:
    """Line endings -> "\\n", NFC, invisible characters removed, odd spaces and tabs -> " ",
    trailing spaces stripped. Nothing else: words, quotes and blank lines are untouched."""
    text = _LINE_BREAKS.sub("\n", raw)
    text = _ODD_SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROLS.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip(" ") for line in text.split("\n"))


# --------------------------------------------------------------------------- quotes

_CURLY = "‘’“”"
_APOSTROPHE_RUN = re.compile(r"(?<=[^\W\d_])['’‘`´′]{2,}(?=[^\W\d_])")
_ACCENT_APOSTROPHE = re.compile(r"(?<=[^\W\d_])[`´′](?=[^\W\d_])")
_DOUBLED_STRAIGHT = re.compile(r"''")
_OPENER_BEFORE = r"(?<![^\s(\[{“‘—–/-])"  # start of text, space, bracket or dash


def _fix_quotes(text: str) -> str:
    """Odd quote variants -> usual ones; straight quotes curled when curly ones dominate."""
    text = text.replace("‛", "‘").replace("‟", "“").replace("＂", '"').replace("＇", "'")

    def one_apostrophe(m: re.Match[str]) -> str:
        return "’" if any(c in "’‘" for c in m.group()) else "'"

    text = _APOSTROPHE_RUN.sub(one_apostrophe, text)  # inside a word first: Khan’’s
    text = text.replace("‘‘", "“").replace("’’", "”")
    text = _DOUBLED_STRAIGHT.sub('"', text)
    curly = sum(text.count(c) for c in _CURLY)
    straight = text.count("'") + text.count('"')
    text = _ACCENT_APOSTROPHE.sub("’" if curly > straight else "'", text)
    return _curl(text) if curly > straight else text


def _curl(text: str) -> str:
    text = re.sub(r"(?<=\w)'(?=\w)", "’", text)  # don't, Khan's
    text = re.sub(r"(?<!\w)'(?=\d\ds?\b)", "’", text)  # '90s
    text = re.sub(_OPENER_BEFORE + r"'(?=\S)", "‘", text)
    text = text.replace("'", "’")
    text = re.sub(_OPENER_BEFORE + r'"(?=\S)', "“", text)
    return text.replace('"', "”")


# --------------------------------------------------------------------------- markdown

_MD_SIGNALS = (
    re.compile(r"\[[^\]\n]*\]\([^)\n]*\)"),  # [text](url)
    re.compile(r"^#{1,6}\s", re.M),
    re.compile(r"\*\*\S[^*\n]*\*\*"),
    re.compile(r"\\[*_#\[\]`]"),
    re.compile(r"^\s*(?:\*\s*\*\s*\*|-{3,}|_{3,})\s*$", re.M),
)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_MD_RULE = re.compile(r"^\s*(?:[*\-_]\s*){3,}$")
_MD_LIST = re.compile(r"^(?:[-*+]|\d{1,3}[.)])\s+(?=\S)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<\"'])")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\s*\)")
_MD_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_MD_REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s+\S+")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_MD_EM_UNDERSCORE = re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_MD_CODE = re.compile(r"`([^`]+)`")
_PLACEHOLDER_BASE = 0xE000  # escaped characters hide in the private use area meanwhile


def _looks_like_markdown(text: str) -> bool:
    hits = [len(p.findall(text)) for p in _MD_SIGNALS]
    return hits[0] > 0 or sum(hits) >= 2


def _md_line(line: str) -> tuple[str, bool]:
    """One markdown line -> (plain text, is_heading). Rules and reference definitions -> ""."""
    if _MD_RULE.match(line) or _MD_REF_DEF.match(line):
        return "", False
    heading = _MD_HEADING.match(line)
    if heading:
        line = heading.group(1)
    line = re.sub(r"^(?:>\s?)+", "", line)
    line = _MD_LIST.sub("", line) if not line.startswith("**") else line
    hide = not any(_PLACEHOLDER_BASE <= ord(c) < _PLACEHOLDER_BASE + 128 for c in line)
    if hide:  # escaped characters must not take part in links or emphasis
        line = _MD_ESCAPE.sub(lambda m: chr(_PLACEHOLDER_BASE + ord(m.group(1))), line)
    line = _MD_IMAGE.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_REF_LINK.sub(r"\1", line)
    line = _MD_AUTOLINK.sub(r"\1", line)
    line = _MD_STRONG.sub(r"\2", line)
    line = _MD_EM_STAR.sub(r"\1", line)
    line = _MD_EM_UNDERSCORE.sub(r"\1", line)
    line = _MD_CODE.sub(r"\1", line)
    line = line.replace("*", "")  # unpaired emphasis (e.g. spanning lines): markers only
    if hide:
        line = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group()) - _PLACEHOLDER_BASE), line)
    else:
        line = _MD_ESCAPE.sub(r"\1", line)
    return line, heading is not None


# --------------------------------------------------------------------------- HTML

_HTML_SKIP = frozenset(
    {"script", "style", "nav", "footer", "aside", "form", "noscript", "template", "svg",
     "iframe", "button", "select", "figcaption"}
)  # fmt: skip
_HTML_BLOCK = frozenset(
    {"p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
     "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th",
     "figure", "hr", "address", "center", "details", "summary", "body"}
)  # fmt: skip
_DEK_CLASS = re.compile(r"\b(?:standfirst|dek|subtitle|sub-?headline|strapline)\b", re.I)


@dataclass
class _Capture:
    kind: str  # "h1" or "dek"
    tag: str
    depth: int = 1
    parts: list[str] = field(default_factory=list)


class _HTMLExtractor(HTMLParser):
    """Body text with blank lines between blocks, plus the metadata the page declares."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.in_title = False
        self.title_parts: list[str] = []
        self.capture: _Capture | None = None
        self.h1: str | None = None
        self.dek: str | None = None
        self.meta: dict[str, str] = {}
        self.time: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_SKIP:
            self.skipping.append(tag)
            return
        if self.skipping:
            return
        attr = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "meta":
            key = (attr.get("name") or attr.get("property") or attr.get("itemprop") or "").lower()
            if key and attr.get("content"):
                self.meta.setdefault(key, attr["content"])
        elif tag == "time" and attr.get("datetime") and self.time is None:
            self.time = attr["datetime"]
        elif tag == "title":
            self.in_title = True
        if self.capture is not None:
            self.capture.depth += tag == self.capture.tag
        elif tag == "h1" and self.h1 is None:
            self.capture = _Capture("h1", tag)
        elif self.dek is None and _DEK_CLASS.search(attr.get("class", "")):
            self.capture = _Capture("dek", tag)
        if tag == "br":
            self._emit("\n")
        elif tag in _HTML_BLOCK:
            self._emit("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:
                while self.skipping.pop() != tag:
                    pass
            return
        if tag == "title":
            self.in_title = False
        cap = self.capture
        if cap is not None and tag == cap.tag:
            cap.depth -= 1
            if cap.depth == 0:
                self._finish_capture()
        if tag in _HTML_BLOCK:
            self._emit("\n\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.in_title:
            self.title_parts.append(data)
        else:
            self._emit(re.sub(r"\s+", " ", data))

    def _emit(self, text: str) -> None:
        (self.capture.parts if self.capture is not None else self.parts).append(text)

    def _finish_capture(self) -> None:
        cap, self.capture = self.capture, None
        if cap is None:
            return
        text = " ".join("".join(cap.parts).split())
        if cap.kind == "h1":
            self.h1 = text or None
        else:
            self.dek = text or None

    def result(self) -> tuple[str, _Header]:
        if self.capture is not None:  # never closed: it was body text after all
            self.parts.extend(self.capture.parts)
            self.capture = None
        meta = self.meta
        outlet = meta.get("og:site_name") or ""
        title = self.h1 or meta.get("og:title") or " ".join("".join(self.title_parts).split())
        if outlet and not self.h1:  # "Headline | Outlet" in <title>
            title = re.sub(rf"\s+[|–—-]\s+{re.escape(outlet)}$", "", title)
        author = meta.get("author") or meta.get("article:author") or ""
        if author.startswith(("http://", "https://")):
            author = ""
        raw_date = meta.get("article:published_time") or self.time or meta.get("date") or ""
        header = _Header(
            title=title or None,
            subtitle=self.dek,
            author=_by_line_name(author) or (author or None),
            outlet=outlet or None,
            published=_parse_date(raw_date),
        )
        return "".join(self.parts), header


# The stdlib parser asserts on a "<![" that opens no known marked section; that text is data.
_BAD_MARKED_SECTION = re.compile(
    r"<!\[(?!(?:cdata|temp|ignore|include|rcdata|if|else|endif)(?![-_.\w]))", re.I
)


def _extract_html(html: str) -> tuple[str, _Header]:
    extractor = _HTMLExtractor()
    try:
        extractor.feed(_BAD_MARKED_SECTION.sub("&lt;![", html))
        extractor.close()
    except AssertionError:  # any other declaration the stdlib parser rejects: read as text
        extractor = _HTMLExtractor()
        extractor.feed(html.replace("<!", "&lt;!"))
        extractor.close()
    text, header = extractor.result()
    return normalize_text(text), header


# --------------------------------------------------------------------------- dates

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = (
    rf"(?:{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})"
)
_TIME = r"(?:[\s,]+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,5})?)?"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
_DATE_LINE = re.compile(
    r"^(?:(?:published|posted|updated|first published|last updated|date)(?:\s+on)?\s*:?\s*)?"
    rf"{_WEEKDAY}(?P<date>{_DATE}){_TIME}\.?$",
    re.I,
)
_OUTLET_DATE_LINE = re.compile(
    rf"^(?P<outlet>[A-Z][^,|\n]{{1,60}}?)\s*(?:,|\||\s[–—-])\s*{_WEEKDAY}(?P<date>{_DATE}){_TIME}\.?$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def _parse_date(text: str) -> str | None:
    """A stated date -> "YYYY-MM-DD"; None when there is none or it is not a real day."""
    iso = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
    else:
        found = re.search(rf"\b{_DATE}", text, re.I)
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


# --------------------------------------------------------------------------- boilerplate


def _rx(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


_PICTURE = r"(?:Image|Photo|Picture|Photograph|Illustration)s?(?: [Cc]redits?)?"
_CREDIT_BY = r"(?:from|by|via|courtesy of)"
# (max paragraph length, patterns): a longer paragraph is body text that merely mentions it.
# Patterns are anchored or specific enough not to hit a body sentence ("does not subscribe to
# the view", "the report was first published in 2019").
_BOILERPLATE: tuple[tuple[int, tuple[re.Pattern[str], ...]], ...] = (
    (  # share / follow / subscribe / newsletter
        300,
        _rx(
            r"\bfollow us (?:on|at)\b",
            r"^(?:like|join) us on\b",
            r"\bshare buttons?\b",
            r"\bclick here\b",
            r"\btranslate website\b",
            r"\bsubscribe to our\b",
            r"^subscribe\b",
            r"\brepost and share\b",
            r"\bsign up (?:for|to) our\b",
            r"\b(?:daily|weekly) newsletter\b",
            r"^share (?:this|on)\b",
            r"^(?:read more|related(?: articles| stories| content)?|recommended|also read"
            r"|see also)\s*:",
            r"^advertisement$",
        ),
    ),
    (  # site furniture and footers
        400,
        _rx(
            r"^copyright\s*(?:©|\(c\)|\d{4}|:)",
            r"©",
            r"\(c\)\s*\d{4}",
            r"\ball rights reserved\b",
            r"^the original source of this article is\b",
            r"^for media inquiries\b",
            r"^comment on\b.*\b(?:facebook|twitter|articles?)\b",
            r"^become a (?:member|patron|subscriber)\b",
            r"^articles by\s*:",
            r"^about the authors?\s*(?::|$)",
            r"^featured image\b",
            r"^note to readers?\s*:",
            r"^(?:this|the) (?:article|story|piece|post|essay|commentary|interview)\b.{0,40}"
            r"\b(?:(?:originally|first) published|originally appeared)\b",
            r"^(?:region|theme|in-depth report|tags?|topics?|categories|filed under)\s*:",
            r"^(?:he|she|they) (?:is|are) an? (?:regular |frequent )?contributor\b",
        ),
    ),
    (  # photo credits, possibly closing a caption: "(photo credit: X)", "...: Image from x.org"
        600,
        (
            re.compile(r"\((?:photo |image |picture )?credits?\s*:", re.I),
            re.compile(rf"(?:^|[(:|]\s*){_PICTURE}\s*:\s*\S.{{0,60}}$"),
            re.compile(rf"[(:|]\s*{_PICTURE}\s+{_CREDIT_BY}\s+\S.{{0,60}}$"),
            re.compile(rf"^{_PICTURE}\s+{_CREDIT_BY}\s+\S+(?:\s+\S+){{0,3}}$"),
        ),
    ),
    (  # long legal notices
        3000,
        _rx(r"\bfair use\b.*\bcopyright|\bcopyright.*\bfair use\b", r"^disclaimer\s*:"),
    ),
)
_SECTION_LABEL = re.compile(
    r"^(?:SYNOPSIS|COMMENTARY|ANALYSIS|OPINION|EDITORIAL|ABSTRACT|SUMMARY|ADVERTISEMENT"
    r"|EXCLUSIVE|BREAKING|FEATURE|INTERVIEW|PERSPECTIVE|ESSAY|NEWS|WORLD)\s*:?$"
)
_CAPTION = re.compile(r"\(\s*(?:photo |image )?credits?\s*:|\b(?:image|photo)\s+from\b", re.I)
# Footer starts: everything from the first of these in the second half of an article goes.
_FOOTER_START = _rx(
    r"^note to readers?\b", r"^the original source of this article is\b",
    r"^copyright\s*(?:©|\(c\)|\d{4})", r"^©", r"^disclaimer\s*:", r"^about the authors?\s*:?$",
    r"^articles by\s*:",
)  # fmt: skip


def _boilerplate(text: str) -> bool:
    if not any(c.isalnum() for c in text):  # separators: ***, ---, lone *
        return True
    if _SECTION_LABEL.match(text):
        return True
    return any(
        len(text) <= limit and any(p.search(text) for p in patterns)
        for limit, patterns in _BOILERPLATE
    )


def _squash(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


# --------------------------------------------------------------------------- paragraphs


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SMALL_WORDS = _words(
    "a an the and or but nor of to in on at by for with from as vs via amid into over per up "
    "than after before about against between"
)
_CONTINUING_END_WORDS = _SMALL_WORDS | _words(
    "that which who whose his her its their our this these those is are was were"
)
_TERMINAL = (".", "?", "!", ":", "”", '"', "’", "'", ")", "]", "…")
_SENTENCE_END = re.compile(r"[.?!…][”\"’')\]]*$")


@dataclass(frozen=True)
class _Para:
    text: str
    kind: str = "text"  # markdown "heading" / "item": never joined to their neighbours


def _is_heading_like(text: str) -> bool:
    """A short title-case line without closing punctuation ("Diplomatic Reactions to Visit")."""
    stripped = text.lstrip("“\"‘'(")
    if not stripped or len(text) > 100 or text[-1] in ".,;:!" or not stripped[0].isupper():
        return False
    words = [w.strip("“”\"‘’'(),:;?!") for w in text.split()]
    significant = [w for w in words if w and w.lower() not in _SMALL_WORDS]
    if not significant or len(words) > 14:
        return False
    capitalised = sum(1 for w in significant if w[0].isupper() or w[0].isdigit())
    return capitalised >= 0.75 * len(significant)


def _starts_lower(text: str) -> bool:
    return bool(text) and (text[0].islower() or text[0] in ",;)]–—")


def _join(left: str, right: str) -> str:
    if re.search(r"[^\W\d_]-$", left) and right[:1].islower():  # socio-\neconomic
        return left + right
    return f"{left} {right}"


def _blocks(text: str, markdown: bool) -> list[tuple[list[str], str]]:
    """Blank-line separated blocks of space-collapsed lines, each with its kind: "text", or in
    markdown "heading" (always alone) and "item" (a list item starts a block)."""
    blocks: list[tuple[list[str], str]] = []
    current: list[str] = []
    kind = "text"

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append((current, kind))
        current = []

    for raw_line in text.split("\n"):
        line, heading, item = raw_line, False, False
        if markdown:
            if _MD_RULE.match(raw_line):
                flush()
                blocks.append((["***"], "text"))  # dropped later as a separator
                continue
            item = bool(_MD_LIST.match(raw_line.strip())) and not raw_line.startswith("**")
            line, heading = _md_line(raw_line.strip())
        line = " ".join(line.split())
        if not line:
            flush()
        elif heading:
            flush()
            blocks.append(([line], "heading"))
        else:
            if item:
                flush()
                kind = "item"
            elif not current:
                kind = "text"
            current.append(line)
    flush()
    return blocks


def _wrap_width(blocks: Sequence[tuple[list[str], str]]) -> int | None:
    """The line width of a hard-wrapped text, None when lines are whole paragraphs."""
    inner = sorted(len(line) for lines, _ in blocks for line in lines[:-1])
    if len(inner) < 3:
        return None
    width = inner[int(0.9 * (len(inner) - 1))]
    return width if width <= 110 else None


def _block_paragraphs(lines: list[str], width: int | None) -> list[str]:
    """Lines of one block -> paragraphs: hard wraps joined, a leading heading kept apart."""
    paras = [lines[0]]
    for i, line in enumerate(lines[1:], 1):
        prev = lines[i - 1]
        if width is None:
            joined = _starts_lower(line) or bool(re.search(r"[^\W\d_]-$", prev))
        else:
            heading = i == 1 and _is_heading_like(prev) and line[0].isupper()
            short_end = len(prev) < 0.6 * width and bool(_SENTENCE_END.search(prev))
            joined = not (heading or (short_end and not _starts_lower(line)))
        if joined:
            paras[-1] = _join(paras[-1], line)
        else:
            paras.append(line)
    return paras


def _paragraphs(text: str, markdown: bool, html: bool) -> list[_Para]:
    blocks = _blocks(text, markdown)
    width = None if html else _wrap_width(blocks)
    paras: list[_Para] = []
    for lines, kind in blocks:
        if kind == "heading":
            paras.append(_Para(lines[0], kind))
        elif html:  # lines of an HTML block come from <br>: still one paragraph
            paras.append(_Para(" ".join(lines)))
        else:
            paras.extend(_Para(p, kind) for p in _block_paragraphs(lines, width))
    return paras


def _continues(prev: _Para, nxt: _Para) -> bool:
    """Is `nxt` the rest of a sentence that a page break or blank line cut off in `prev`?"""
    if prev.kind != "text" or nxt.kind != "text" or prev.text.endswith(_TERMINAL):
        return False
    if _starts_lower(nxt.text):
        return True
    last_word = prev.text.split()[-1].lower()
    cut_mid_phrase = prev.text[-1] in ",;–—-" or last_word in _CONTINUING_END_WORDS
    return cut_mid_phrase and not _is_heading_like(nxt.text)


def _rejoin_page_breaks(paras: Iterable[_Para]) -> list[_Para]:
    out: list[_Para] = []
    for para in paras:
        if out and _continues(out[-1], para):
            out[-1] = _Para(_join(out[-1].text, para.text))
        else:
            out.append(para)
    return out


# --------------------------------------------------------------------------- boilerplate pass


def _drop_boilerplate(paras: list[_Para]) -> tuple[list[tuple[int, _Para]], list[str]]:
    """Kept paragraphs (with their original index) and the dropped texts."""
    footer = next(
        (
            i
            for i, p in enumerate(paras)
            if i >= len(paras) / 2 and any(rx.search(p.text) for rx in _FOOTER_START)
        ),
        len(paras),
    )
    kept: list[tuple[int, _Para]] = []
    dropped: list[str] = []
    last_caption = ""
    for i, para in enumerate(paras[:footer]):
        squashed = _squash(para.text)
        duplicate_caption = bool(last_caption) and len(squashed) >= 20 and squashed in last_caption
        if _boilerplate(para.text) or duplicate_caption:
            dropped.append(para.text)
            last_caption = squashed if _CAPTION.search(para.text) else ""
        else:
            kept.append((i, para))
            last_caption = ""
    dropped.extend(p.text for p in paras[footer:])
    return kept, dropped


# --------------------------------------------------------------------------- header


@dataclass
class _Header:
    title: str | None = None
    subtitle: str | None = None
    author: str | None = None
    outlet: str | None = None
    published: str | None = None


_BY_LINE = re.compile(r"^(?:by|written by|words by|author)\s*:?\s+(?P<rest>.+)$", re.I)
_NAME_PARTICLES = _words("and de da di del der van von bin ibn al el ul le la du dos das")


def _by_line_name(text: str) -> str | None:
    """The author's name from "By X" / "By X, Outlet" / "By X | date", else None."""
    m = _BY_LINE.match(text)
    if not m:
        return None
    name = re.split(r"\s*[|,•·]\s*", m.group("rest"))[0].strip().rstrip(".")
    words = name.split()
    if not 1 <= len(words) <= 8 or len(name) > 80:
        return None
    ok = all(w[0].isupper() or w.lower() in _NAME_PARTICLES or w == "&" for w in words)
    return name if ok else None


def _metadata_line(text: str, header: _Header) -> bool:
    """Fill the header from a by-line, outlet/date line or date line; True when it was one."""
    name = _by_line_name(text)
    if name:
        header.author = header.author or name
        rest = text.split(",", 1)[1] if "," in text else ""
        header.published = header.published or _parse_date(rest)
        return True
    m = _OUTLET_DATE_LINE.match(text)
    if m and not _DATE_LINE.match(text):
        outlet = m.group("outlet").strip()
        if not outlet.isupper():  # "ISLAMABAD, May 2, 2023" is a place, not an outlet
            header.outlet = header.outlet or outlet
        header.published = header.published or _parse_date(m.group("date"))
        return True
    m = _DATE_LINE.match(text)
    if m:
        header.published = header.published or _parse_date(m.group("date"))
        return True
    return False


def _is_title_like(text: str) -> bool:
    return (
        len(text) <= 200
        and len(text.split()) <= 30
        and not _SENTENCE_END.search(text.rstrip("?!"))
        and not text.endswith((",", ";"))
        and _BY_LINE.match(text) is None
    )


def _is_kicker(text: str, title: str) -> bool:
    """A short label above the headline (" Invasion of Ukraine")."""
    return len(text.split()) <= 4 and _is_heading_like(text) and len(title) > len(text)


_DATELINE_LEDE = re.compile(r"^[A-Z][A-Z .'-]{2,}(?:,\s*[A-Za-z .]+)?\s*(?:\([^)]*\)\s*)?[-–—:]\s")
_INNER_SENTENCE_END = re.compile(r"[.?!][”\"’)]*\s+[“\"‘(]?[A-Z]")


def _is_standfirst(para: _Para, nxt: _Para) -> bool:
    """The paragraph right under the headline is a standfirst when it is one short sentence
    (or a title-case line) and not the article's dateline lede or a cut-off sentence."""
    text = para.text
    return (
        para.kind == "text"
        and len(text) <= 350
        and _INNER_SENTENCE_END.search(text) is None
        and _DATELINE_LEDE.match(text) is None
        and not _continues(para, nxt)
    )


def _take_header(kept: list[tuple[int, _Para]], header: _Header) -> tuple[list[_Para], list[str]]:
    """Take the title, kicker, subtitle and metadata lines off the top of the article."""
    dropped: list[str] = []
    paras = [p for _, p in kept]
    idx = [i for i, _ in kept]
    pos = 0
    title_idx: int | None = None
    if header.title is None and paras:
        marked = [k for k, p in enumerate(paras[:3]) if p.kind == "heading"]
        if marked and all(len(p.text.split()) <= 4 for p in paras[: marked[0]]):
            pos = marked[0]  # a markdown headline, perhaps under a kicker
        elif (
            len(paras) > 1
            and idx[1] == idx[0] + 1
            and _is_kicker(paras[0].text, paras[1].text)
            and _is_title_like(paras[1].text)
            and _is_heading_like(paras[1].text.replace(":", ""))
        ):
            pos = 1
        if _is_title_like(paras[pos].text) and _by_line_name(paras[pos].text) is None:
            dropped.extend(p.text for p in paras[:pos])
            header.title = paras[pos].text
            title_idx = idx[pos]
            pos += 1
        else:
            pos = 0
    elif header.title is not None and paras and _squash(paras[0].text) == _squash(header.title):
        pos = 1  # the page repeats its headline
    while pos < len(paras) and pos < 12:
        text = paras[pos].text
        if _metadata_line(text, header):
            pos += 1
        elif (
            title_idx is not None
            and idx[pos] == title_idx + 1
            and header.subtitle is None
            and len(paras) - pos > 2
            and _is_standfirst(paras[pos], paras[pos + 1])
        ):
            header.subtitle = text
            pos += 1
        else:
            break
    return paras[pos:], dropped


def _drop_author_bio(paras: list[_Para], author: str | None) -> tuple[list[_Para], list[str]]:
    """An author bio closing the article ("Jane Doe is a ... analyst") is not body text."""
    if not author or len(paras) < 4:
        return paras, []
    bio = re.compile(rf"^{re.escape(author)}\s+(?:is|was|has|writes)\b")
    tail = len(paras) - 2
    keep = [p for i, p in enumerate(paras) if i < tail or not bio.match(p.text)]
    return keep, [p.text for i, p in enumerate(paras) if i >= tail and bio.match(p.text)]


# --------------------------------------------------------------------------- entry point

_FORMATS = {
    "txt": "txt",
    "text": "txt",
    "md": "md",
    "markdown": "md",
    "html": "html",
    "htm": "html",
}


def clean_article(raw: str, fmt: str) -> CleanArticle:
    """Clean one article. `fmt` is "txt", "md" or "html". Raises InputError without body text."""
    kind = _FORMATS.get(fmt.lower().lstrip("."))
    if kind is None:
        raise InputError(f"unsupported article format {fmt!r} (expected txt, md or html)")
    text = normalize_text(raw)
    header = _Header()
    if kind == "html":
        text, header = _extract_html(text)
    markdown = kind == "md" or (kind == "txt" and _looks_like_markdown(text))
    text = _fix_quotes(text)
    if kind == "html":  # metadata that did not come through the text
        header.title = header.title and _fix_quotes(header.title)
        header.subtitle = header.subtitle and _fix_quotes(header.subtitle)
    paras = _paragraphs(text, markdown, html=kind == "html")
    kept, dropped = _drop_boilerplate(paras)
    body, kicker = _take_header(kept, header)
    if kind != "html":  # HTML blocks are explicit; only plain text has page-break gaps
        body = _rejoin_page_breaks(body)
    body, bio = _drop_author_bio(body, header.author)
    text = "\n\n".join(" ".join(p.text.split()) for p in body).strip()
    if not text:
        raise InputError("no article body text left after cleaning")
    return CleanArticle(
        text=text,
        title=_tidy(header.title),
        subtitle=_tidy(header.subtitle),
        author=_tidy(header.author),
        outlet=_tidy(header.outlet),
        published=header.published,
        dropped=tuple(kicker + dropped + bio),
    )


def _tidy(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None
