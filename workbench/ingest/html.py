"""HTML pages -> paragraphs and metadata, through trafilatura. Pure (no network, no files).

trafilatura finds the main text, drops the furniture (navigation, footers, related stories,
cookie banners, comments) and reads title, author, date and site name from the metadata. Its
blocks become paragraphs: `<head>` a heading, `<item>` a list item, `<lb/>` a space.
"""

from __future__ import annotations

import logging
import re
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from workbench.ingest.header import Header, by_line_name, parse_date
from workbench.ingest.text import Para, fix_quotes, normalize_text

# lxml's elements carry no type information: Any below is an lxml element.
_BLOCKS = dict(p="text", head="heading", item="item", quote="text", code="text", cell="text")


def _text_of(element: Any) -> tuple[str, int]:
    """An element's text with line breaks as spaces, and the characters inside links."""
    parts: list[str] = []
    links = 0

    def walk(el: Any) -> None:
        nonlocal links
        if el.text:
            parts.append(el.text)
            if el.tag == "ref":
                links += len(el.text.strip())
        for child in el:
            if child.tag == "lb":
                parts.append(" ")
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return " ".join("".join(parts).split()), links


def _paragraphs(body: Any) -> list[Para]:
    paras: list[Para] = []
    for el in body.iter(*_BLOCKS):  # a list item always, other blocks not inside another
        if el.tag == "item" or not {a.tag for a in el.iterancestors()} & _BLOCKS.keys():
            text, links = _text_of(el)
            if text:
                paras.append(Para(text, _BLOCKS[el.tag], links))
    return paras


# Elements that start a new block of text on a page (the rest flow inline).
_PAGE_BLOCKS = frozenset(
    {"p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "form",
     "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
     "figure", "figcaption", "table", "tr", "td", "th", "caption", "label", "button", "pre",
     "address", "details", "summary", "body", "center"}
)  # fmt: skip
_HIDDEN = ("script", "style", "noscript", "template", "svg", "head", "select", "textarea")


def page_blocks(raw: str) -> list[str]:
    """Every block of text on the page, in order (hidden elements skipped): what was on the
    page, to list what the extraction left out."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(normalize_text(raw))
    except (ValueError, etree.LxmlError):  # nothing to parse
        return []
    for el in list(root.iter(*_HIDDEN)):
        if el.getparent() is not None:
            el.drop_tree()
    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if text := " ".join("".join(buffer).split()):
            blocks.append(text)
        buffer.clear()

    def walk(el: Any) -> None:
        block = not isinstance(el.tag, str) or el.tag in _PAGE_BLOCKS
        if block:
            flush()
        if isinstance(el.tag, str) and el.text:  # not a comment's or processing instruction's
            buffer.append(el.text)
        if el.tag == "br":
            buffer.append(" ")
        for child in el:
            walk(child)
            if child.tail:
                buffer.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()
    return blocks


_SITE_META = re.compile(
    r"<(?:meta|link)\b[^>]*?(?:property|name|rel)=[\"'](?:og:url|canonical|og:site_name)[\"'][^>]*>",
    re.I,
)
_VALUE = re.compile(r"(?:content|href)=[\"']([^\"']+)[\"']", re.I)


def page_site(raw: str) -> str | None:
    """The host of the page's canonical URL, else its declared site name (None without)."""
    found: dict[bool, str] = {}
    for tag in _SITE_META.findall(raw[:100_000]):
        if value := _VALUE.search(tag):
            url = value.group(1).strip()
            host = urlsplit(url).hostname if "://" in url else None
            found.setdefault(host is not None, (host or url).removeprefix("www."))
    return found.get(True) or found.get(False)


def extract_html(raw: str) -> tuple[list[Para], Header]:
    """Paragraphs of the main text and the page's header."""
    import trafilatura  # imported here: loading it costs a second, text ingest never needs it
    from htmldate import find_date
    from trafilatura.settings import Document

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs "empty" pages
    html = normalize_text(raw)
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_links=True,
        include_images=False,
        include_tables=True,
        favor_precision=True,
        deduplicate=False,
    )
    if not isinstance(doc, Document) or doc.body is None:
        return [], Header()
    found = _paragraphs(doc.body)
    if not found:
        return [], Header()
    # quotes are made consistent over the whole text, as for plain text (one decision)
    texts = fix_quotes("\n".join(p.text for p in found)).split("\n")
    paras = [Para(t, p.kind, p.links) for t, p in zip(texts, found, strict=True)]
    author = (doc.author or "").split(";")[0].strip()
    facts = _facts(html)
    if not author or _is_outlet(author, html, doc.sitename):  # "Deutsche Welle" is no by-line
        author = by_line_name(f"By {facts.get('author', '')}") or ""
    published = parse_date(doc.date or "")
    # the "original" date htmldate prefers can be a record's creation after the page's own date
    # (a CMS migration's dateCreated): a publication is never after the page's latest date
    latest = parse_date(find_date(html, original_date=False, extensive_search=True) or "")
    if published and latest and latest < published:
        published = latest
    if "date" in facts and not _DATE_META.search(html[:100_000]):  # else a teaser's date
        published = parse_date(facts["date"]) or published
    header = Header(
        title=fix_quotes(_headline(doc.title, html)) if doc.title else None,
        author=by_line_name(author) or (author or None),
        outlet=doc.sitename or None,
        published=published,
        subtitle=fix_quotes(doc.description or "") if _is_dek(doc.description, paras) else None,
    )
    return paras, header


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_SITE_SUFFIX = re.compile(r"\s+(?:[|·:–—-]|::)\s+\S")
# A labelled fact of the page ("<strong>Author</strong> Jane Doe", "<dt>Date</dt><dd>…")
_FACT = re.compile(
    r"<(strong|b|dt|th)\b[^>]*>\s*(author|date)\s*:?\s*</\1>\s*(?:</?(?:dd|td)\b[^>]*>\s*)*"
    r"([^<>]{2,80})<",
    re.I,
)
_DATE_META = re.compile(
    r"article:published_time|[\"']datePublished[\"']|name=[\"'](?:pubdate|publish-date|date)[\"']",
    re.I,
)

_META = re.compile(r"<meta\b[^>]*>", re.I)
_PUBLISHER = re.compile(r"(?:name|property)=[\"'](?:article:)?publisher[\"']", re.I)


def _plain(fragment: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", fragment)).split())


def _headline(title: str, html: str) -> str:
    """The title without what the site appends to it ("Headline | DW | 19.01.2020"), when the
    page's own headline is what comes before that."""
    for m in _H1.finditer(html):
        h1 = _plain(m.group(1))
        if h1 and title.startswith(h1) and _SITE_SUFFIX.match(title[len(h1) :]):
            return h1
    return title


def _facts(html: str) -> dict[str, str]:
    """The page's labelled author and date (the first of each)."""
    out: dict[str, str] = {}
    for _, label, value in _FACT.findall(html):
        out.setdefault(label.lower(), " ".join(unescape(value).split()))
    return out


def _is_outlet(author: str, html: str, sitename: str | None) -> bool:
    """The "author" is the publisher itself (a meta author naming the broadcaster)."""

    def key(name: str) -> str:
        return re.sub(r"\([^)]*\)|\W", "", name).lower()

    names = [sitename or ""] + [
        v.group(1)
        for tag in _META.findall(html[:100_000])
        if _PUBLISHER.search(tag) and (v := _VALUE.search(tag))
    ]
    return any(key(n) and key(n) == key(author) for n in names)


def _is_dek(description: str | None, paras: list[Para]) -> bool:
    """The page's description is a standfirst when it is not just the lede's first words."""
    if not description or len(description) > 350:
        return False
    first = paras[0].text if paras else ""
    return not first.startswith(description.rstrip(".…").strip()[:60])
