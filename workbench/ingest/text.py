"""Plain-text mechanics of ingest: characters, quotes, Markdown markup, paragraphs. Pure.

Quotes are what annotators see: never straightened, only made consistent (odd variants mapped
to the usual ones, runs of apostrophes or accents used as apostrophes made one, and in a mostly
curly document the few straight ones curled from context); unbalanced quotations are left as
they are. BOM, zero-width space, word joiner and soft hyphen are removed (the zero-width
(non-)joiners carry meaning in Urdu/Persian script and emoji). Hard-wrapped lines are re-joined
(the wrap width is measured), and so are sentences a page break cut in two.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

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


def fix_quotes(text: str) -> str:
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
_MD_IMAGE_LINE = re.compile(r"^\[?!\[([^\]]*)\]\([^)]*\)(?:\]\([^)]*\))?$")  # maybe linked
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\s*\)")
_MD_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_MD_REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s+\S+")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_MD_EM_UNDERSCORE = re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_MD_CODE = re.compile(r"`([^`]+)`")
_PLACEHOLDER_BASE = 0xE000  # escaped characters hide in the private use area meanwhile


def looks_like_markdown(text: str) -> bool:
    hits = [len(p.findall(text)) for p in _MD_SIGNALS]
    return hits[0] > 0 or sum(hits) >= 2


def _md_line(line: str) -> tuple[str, bool, int]:
    """One markdown line -> (plain text, is_heading, characters of link text). Rules and
    reference definitions -> ""."""
    if _MD_RULE.match(line) or _MD_REF_DEF.match(line):
        return "", False, 0
    heading = _MD_HEADING.match(line)
    if heading:
        line = heading.group(1)
    line = re.sub(r"^(?:>\s?)+", "", line)
    line = _MD_LIST.sub("", line) if not line.startswith("**") else line
    hide = not any(_PLACEHOLDER_BASE <= ord(c) < _PLACEHOLDER_BASE + 128 for c in line)
    if hide:  # escaped characters must not take part in links or emphasis
        line = _MD_ESCAPE.sub(lambda m: chr(_PLACEHOLDER_BASE + ord(m.group(1))), line)
    line = _MD_IMAGE.sub("", line)
    links = sum(len(m.group(1)) for m in _MD_LINK.finditer(line))
    links += sum(len(m.group(1)) for m in _MD_REF_LINK.finditer(line))
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
    return line, heading is not None, links


def squash(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


# --------------------------------------------------------------------------- paragraphs


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SMALL_WORDS = words(
    "a an the and or but nor of to in on at by for with from as vs via amid into over per up "
    "than after before about against between"
)
_CONTINUING_END_WORDS = SMALL_WORDS | words(
    "that which who whose his her its their our this these those is are was were"
)
_ARTICLES_PREPOSITIONS = words("a an the of to in on at by for with from and or but")
_CAPTION_START = re.compile(
    r"^(?:Photo|Image|Picture|Photograph|Illustration)s?(?: credits?)?:", re.I
)
TERMINAL = (".", "?", "!", ":", "”", '"', "’", "'", ")", "]", "…", "»", "«", "“")
# a stop, then closing quotes or brackets of any style: English ”, German » « and “, French
# « … » with the space before its closer ("… alimentaire. »")
SENTENCE_END = re.compile(r"[.?!…](?:\s?[”\"’')\]»«›‹“])*$")


@dataclass(frozen=True)
class Para:
    text: str
    # "heading" / "item" / "image" (its alt text) / "aside" (HTML: after the article's block on
    # the page): never joined to others
    kind: str = "text"
    links: int = 0  # characters of link text (for link density)
    # HTML: the page's description quotes it, after the paragraph before it: the post's own text
    quoted: bool = False


def is_heading_like(text: str) -> bool:
    """A short title-case line without closing punctuation ("Diplomatic Reactions to Visit")."""
    stripped = text.lstrip("“\"‘'(")
    if not stripped or len(text) > 100 or text[-1] in ".,;:!" or not stripped[0].isupper():
        return False
    words = [w.strip("“”\"‘’'(),:;?!") for w in text.split()]
    significant = [w for w in words if w and w.lower() not in SMALL_WORDS]
    if not significant or len(words) > 14:
        return False
    capitalised = sum(1 for w in significant if w[0].isupper() or w[0].isdigit())
    return capitalised >= 0.75 * len(significant)


def starts_lower(text: str) -> bool:
    return bool(text) and (text[0].islower() or text[0] in ",;)]–—")


def join_lines(left: str, right: str) -> str:
    if re.search(r"[^\W\d_]-$", left) and right[:1].islower():  # socio-\neconomic
        return left + right
    return f"{left} {right}"


_Line = tuple[str, int]  # text, characters of link text in it


def _blocks(text: str, markdown: bool) -> list[tuple[list[_Line], str]]:
    """Blank-line separated blocks of space-collapsed lines, each with its kind: "text", or in
    markdown "heading" (always alone) and "item" (a list item starts a block)."""
    blocks: list[tuple[list[_Line], str]] = []
    current: list[_Line] = []
    kind = "text"

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append((current, kind))
        current = []

    for raw_line in text.split("\n"):
        line, heading, item, links = raw_line, False, False, 0
        if markdown:
            if _MD_RULE.match(raw_line):
                flush()
                blocks.append(([("***", 0)], "text"))  # dropped later as a separator
                continue
            image = _MD_IMAGE_LINE.match(raw_line.strip())
            if image:  # its alt text is a paragraph of its own (it may be given as caption too)
                flush()
                blocks.append(([(" ".join(image.group(1).split()), 0)], "image"))
                continue
            item = bool(_MD_LIST.match(raw_line.strip())) and not raw_line.startswith("**")
            line, heading, links = _md_line(raw_line.strip())
        line = " ".join(line.split())
        if not line:
            flush()
        elif heading:
            flush()
            blocks.append(([(line, links)], "heading"))
        else:
            if item:
                flush()
                kind = "item"
            elif not current:
                kind = "text"
            current.append((line, links))
    flush()
    return blocks


def _wrap_width(blocks: Sequence[tuple[list[_Line], str]]) -> int | None:
    """The line width of a hard-wrapped text, None when lines are whole paragraphs."""
    inner = sorted(len(line) for lines, _ in blocks for line, _ in lines[:-1])
    if len(inner) < 3:
        return None
    width = inner[int(0.9 * (len(inner) - 1))]
    # Wrapped lines fill most of the width; a stack of short lines (a page's header, a list
    # of headlines) under one long one is not a wrapped text.
    if inner[len(inner) // 2] < 0.6 * width:
        return None
    return width if width <= 110 else None


def _block_paragraphs(lines: list[_Line], width: int | None, kind: str) -> list[Para]:
    """Lines of one block -> paragraphs: hard wraps joined, a leading heading kept apart."""
    paras = [Para(lines[0][0], kind, lines[0][1])]
    for i, (line, links) in enumerate(lines[1:], 1):
        prev = lines[i - 1][0]
        if width is None:
            joined = starts_lower(line) or bool(re.search(r"[^\W\d_]-$", prev))
        else:
            heading = i == 1 and is_heading_like(prev) and line[0].isupper()
            # Only a paragraph's last line falls well short of the width (a line cut after
            # "Moscow:" or "the" is a headline or sentence going on); a line wider than the
            # wrap was never wrapped: a paragraph of its own.
            cut = prev.endswith((",", ";", ":", "-", "–", "—")) or (
                prev.split()[-1].lower() in _ARTICLES_PREPOSITIONS
            )
            short_end = len(prev) < 0.75 * width and not cut
            unwrapped = max(len(prev), len(line)) > width + 10
            # a short line that ends no sentence after one that does: a label ("MORE FROM ASIA")
            label = bool(SENTENCE_END.search(prev)) and len(line) < 0.6 * width
            label = label and not SENTENCE_END.search(line)
            caption = bool(_CAPTION_START.match(line) or _CAPTION_START.match(prev))
            joined = not (
                heading or unwrapped or label or caption or (short_end and not starts_lower(line))
            )
        if joined:
            last = paras[-1]
            paras[-1] = Para(join_lines(last.text, line), kind, last.links + links)
        else:
            paras.append(Para(line, kind, links))
    return paras


def paragraphs(text: str, markdown: bool) -> list[Para]:
    """Plain text or Markdown -> paragraphs (markup removed, hard wraps re-joined)."""
    blocks = _blocks(text, markdown)  # a heading's block is one line: one paragraph
    width = _wrap_width(blocks)
    return [p for lines, kind in blocks for p in _block_paragraphs(lines, width, kind)]


def continues(prev: Para, nxt: Para) -> bool:
    """Is `nxt` the rest of a sentence that a page break or blank line cut off in `prev`?"""
    if prev.kind != "text" or nxt.kind != "text" or prev.text.endswith(TERMINAL):
        return False
    if starts_lower(nxt.text):
        return True
    last_word = prev.text.split()[-1].lower()
    cut_mid_phrase = prev.text[-1] in ",;–—-" or last_word in _CONTINUING_END_WORDS
    return cut_mid_phrase and not is_heading_like(nxt.text)
