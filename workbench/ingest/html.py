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

from workbench.ingest.header import DATELINE_LEDE as _DATELINE_LEDE
from workbench.ingest.header import Header, by_line_name, metadata_line, parse_date
from workbench.ingest.text import SENTENCE_END, Para, fix_quotes, normalize_text, squash

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
    root = _page_tree(raw)
    if root is None:
        return []
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


def _page_tree(raw: str) -> Any:
    """The page's element tree without its hidden elements (None when nothing parses)."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(normalize_text(raw))
    except (ValueError, etree.LxmlError):  # nothing to parse
        return None
    for el in list(root.iter(*_HIDDEN)):
        if el.getparent() is not None:
            el.drop_tree()
    return root


def _after_article(html: str, paras: list[Para]) -> list[int]:
    """The closing paragraphs that end no sentence and stand on the page after the block
    holding most of the article's text: a sidebar's caption trafilatura took along."""
    root = _page_tree(html)
    if root is None or len(paras) < 3:
        return []
    keys = {squash(p.text): i for i, p in enumerate(paras)}
    elements = list(root.iter())
    order = {el: n for n, el in enumerate(elements)}
    size: dict[Any, int] = {}  # characters under each element: no text_content of the big ones
    for el in reversed(elements):
        size[el] = len(el.text or "") + sum(size[c] + len(c.tail or "") for c in el)
    longest_para = 3 * max(len(p.text) for p in paras) + 200  # room for the page's whitespace
    where: dict[int, Any] = {}  # paragraph -> the deepest page block with its text
    for el in elements:
        if isinstance(el.tag, str) and el.tag in _PAGE_BLOCKS and size[el] <= longest_para:
            i = keys.get(squash(el.text_content()))
            if i is not None and (i not in where or el in where[i].iterdescendants()):
                where[i] = el
    if not where:
        return []
    # the block: the common ancestor of the longest paragraphs, two thirds of the text
    longest = sorted(where, key=lambda i: -len(paras[i].text))
    total, held, chosen = sum(len(paras[i].text) for i in where), 0, []
    for i in longest:
        chosen.append(where[i])
        held += len(paras[i].text)
        if held * 3 >= total * 2:
            break
    block = chosen[0]
    while any(block not in el.iterancestors() and block is not el for el in chosen):
        block = block.getparent()
    inside = {block, *block.iterdescendants()}
    last = max(order[el] for el in inside)
    out: list[int] = []
    for i in range(len(paras) - 1, -1, -1):
        el = where.get(i)
        if el is None or el in inside or order[el] < last or SENTENCE_END.search(paras[i].text):
            break
        out.append(i)
    return out


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
    paras = _mark_quoted(paras, [doc.description or "", *_descriptions(html)])
    for i in _after_article(html, paras):
        if not paras[i].quoted:
            paras[i] = Para(paras[i].text, "aside", paras[i].links)
    author = (doc.author or "").split(";")[0].strip()
    if author and _written_lower(author, html):  # "so Artikel empfehlen:" title-cased
        author = ""
    facts = _facts(html)
    if not author or _is_outlet(author, html, doc.sitename):  # "Deutsche Welle" is no by-line
        author = by_line_name(f"By {facts.get('author', '')}") or _marked_by_line(html) or ""
    # a description that is a by-line ("Par Jane Roy (Blog, date)") names the author
    described = by_line_name(doc.description or "")
    author = author or described or ""
    # the page's declared publication date before what trafilatura picks: it prefers a
    # `name="date"` meta, which some sites set to the last update (nationalgeographic.co.uk)
    published = _declared_date(html) or parse_date(doc.date or "")
    # the "original" date htmldate prefers can be a record's creation after the page's own date
    # (a CMS migration's dateCreated): a publication is never after the page's latest date
    latest = parse_date(find_date(html, original_date=False, extensive_search=True) or "")
    if published and latest and latest < published:
        published = latest
    # a date that is the page's `last-modified` meta is its last update: the first time the
    # page shows (`<time datetime>` above the headline), when earlier, is the publication
    if published and published in _modified_dates(html):
        shown = _TIME_TAG.search(html)
        published = min(published, (shown and parse_date(shown.group(1))) or published)
    if not _DATE_META.search(html[:100_000]):  # else a labelled date may be a teaser's
        published = _labelled_date(facts, html) or published
    header = Header(
        title=fix_quotes(_headline(doc.title, html)) if doc.title else None,
        author=by_line_name(author) or (author or None),
        outlet=_site_spelling(doc.sitename, raw) or None,
        published=published,
        subtitle=(None if described else _dek(doc.description, paras))
        or _cut_dek(html, paras)
        or _shown_dek(html, doc.description, paras),
    )
    return paras, header


_DESCRIPTION = re.compile(r"<meta\b[^>]*?name=[\"']description[\"'][^>]*>", re.I)
_CUT = re.compile(r"\s*(?:\(\.\.\.\)|\.\.\.|…|\[…\])\s*$")


def _cut_dek(html: str, paras: list[Para]) -> str | None:
    """The standfirst a cut-off description begins ("L'un des écrivains … (...)"), when the
    page shows it in full outside the text trafilatura took (a SPIP page's chapo box)."""
    for tag in _DESCRIPTION.findall(html[:100_000]):
        value = _VALUE.search(tag)
        text = " ".join(unescape(value.group(1)).split()) if value else ""
        if not (cut := _CUT.search(text)) or len(text[: cut.start()]) < 40:
            continue
        start = squash(text[: cut.start()])[:60]
        if any(squash(p.text).startswith(start) for p in paras):
            return None  # the lede itself
        for block in page_blocks(html):
            if squash(block).startswith(start) and SENTENCE_END.search(block):
                return fix_quotes(block)
    return None


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
_PUBLISHED_TIME = re.compile(r"(?:name|property)=[\"']article:published_time[\"']", re.I)
_CONTENT = re.compile(r"\bcontent=[\"']([^\"']+)[\"']", re.I)
_LD_PUBLISHED = re.compile(r"[\"']datePublished[\"']\s*:\s*[\"']([^\"']+)[\"']")


def _declared_date(html: str) -> str | None:
    """The publication date the page declares for machines: its `article:published_time`
    meta (Open Graph), else the first `datePublished` of its JSON-LD."""
    head = html[:100_000]
    for tag in _META.findall(head):
        if _PUBLISHED_TIME.search(tag) and (content := _CONTENT.search(tag)):
            return parse_date(content.group(1))
    found = _LD_PUBLISHED.search(head)
    return parse_date(found.group(1)) if found else None


_PUBLISHER = re.compile(r"(?:name|property)=[\"'](?:article:)?(?:publisher|copyright)[\"']", re.I)
# a company's legal form: "Süddeutsche.de GmbH, Munich" in a meta author is the publisher
_COMPANY = re.compile(
    r"\b(?:GmbH|AG|Inc|Ltd|LLC|S\.?A|S\.?L|S\.?p\.?A|B\.?V|N\.?V|plc)\b\.?(?:,|$)"
)
# an element the page marks as the by-line or author box: its text may be "Von X, Berlin"
_BYLINE_BOX = re.compile(
    r"<\w+\b[^>]*\bclass=[\"'][^\"']*\b(?:byline|authors?)\b[^\"']*[\"'][^>]*>", re.I
)


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


# "Veröffentlicht am 07.06.2019", "Published on May 2, 2023", "publié le 3 mars 2021"
_PUBLISHED = re.compile(
    r"\b(?:published|veröffentlicht|publié|publicado|pubblicato|gepubliceerd)\b"
    r"(?:\s+(?:on|am|le|el|il|op))?\s*:?\s*([^<>]{6,40})",
    re.I,
)


def _labelled_date(facts: dict[str, str], html: str) -> str | None:
    """The date the page labels as its own ("Date: …", "Published on …"), the first that
    parses."""
    if "date" in facts:
        return parse_date(facts["date"])
    for m in _PUBLISHED.finditer(html):
        dotted = re.search(r"\d{1,2}\.\d{1,2}\.\d{4}", m.group(1))
        if found := parse_date(dotted.group() if dotted else m.group(1)):
            return found
    return None


def _written_lower(name: str, html: str) -> bool:
    """The "name" is page text written in lower case (trafilatura title-cases what it takes
    from a by-line box, so "so Artikel empfehlen:" came out as "So Artikel Empfehlen")."""
    text = _plain(html)
    if name in text:
        return False
    found = re.search(r"\s+".join(map(re.escape, name.split())), text, re.I)
    return found is not None and found.group()[0].islower()


def _site_spelling(sitename: str | None, raw: str) -> str | None:
    """The site's name as the page spells it: trafilatura can mangle a host name it takes for
    the site's name ("futurezone.at" became "Futurezoneat")."""
    if not sitename or sitename in raw:  # as the page writes it
        return sitename
    site = page_site(raw)
    if site and _key(sitename) == _key(site):
        return site
    return sitename


def _key(name: str) -> str:
    return re.sub(r"\([^)]*\)|\W", "", name).lower()


def _is_outlet(author: str, html: str, sitename: str | None) -> bool:
    """The "author" is the publisher itself (a meta author naming the broadcaster)."""

    names = [sitename or ""] + [
        v.group(1)
        for tag in _META.findall(html[:100_000])
        if _PUBLISHER.search(tag) and (v := _VALUE.search(tag))
    ]
    return bool(_COMPANY.search(author)) or any(_key(n) and _key(n) == _key(author) for n in names)


_TIME_TAG = re.compile(r"<time\b[^>]*\bdatetime=[\"']([^\"']+)[\"']", re.I)
_LAST_MODIFIED = re.compile(
    r"(?:name|http-equiv)=[\"'](?:last-modified|dcterms\.modified)[\"']", re.I
)


def _modified_dates(html: str) -> set[str]:
    """The dates of the page's `last-modified` metas, in any language htmldate reads."""
    from htmldate import find_date

    found = set()
    for tag in _META.findall(html[:100_000]):
        if _LAST_MODIFIED.search(tag) and (v := _CONTENT.search(tag)):
            found.add(find_date(f"<html><body><p>{v.group(1)}</p></body></html>") or "")
    return found - {""}


def _marked_by_line(html: str) -> str | None:
    """The name in the first element marked as by-line or author box that reads as a by-line."""
    for m in _BYLINE_BOX.finditer(html):
        if name := by_line_name(_plain(html[m.end() : m.end() + 400])):
            return name
    return None


def _dek(description: str | None, paras: list[Para]) -> str | None:
    """The page's description when it is a standfirst: not just the lede's first words (the
    lede may follow the headline, when the page repeats it above the text, or a dateline:
    "LOS ANGELES (Reuters) - …")."""
    if not description or len(description) > 350:
        return None
    start = squash(description)[:60]
    if any(squash(_DATELINE_LEDE.sub("", p.text, count=1)).startswith(start) for p in paras[:3]):
        return None
    return fix_quotes(description)


def _descriptions(html: str) -> list[str]:
    out = []
    for tag in _DESCRIPTION.findall(html[:100_000]):
        if value := _VALUE.search(tag):
            out.append(unescape(value.group(1)))
    return out


def _mark_quoted(paras: list[Para], descriptions: list[str]) -> list[Para]:
    """Mark the paragraphs the page's description quotes right after the paragraph before
    them: the post's own text, though a link or a credit ("The generation we love to dump on",
    "(via Geeks Are Sexy)" under a short post). A description cut off ("(via Geeks Are…")
    quotes the start of the paragraph it ends in."""
    out = list(paras)
    for description in descriptions:
        d = squash(_CUT.sub("", description))
        at = 0  # where in the description the previous paragraph ended
        for i, para in enumerate(paras):
            key = squash(para.text)
            found = d.find(key, at) if key else -1
            if found < 0 and len(key) > 12 and at and len(d) - at < len(key):
                tail = d[at:].strip()
                found = at if len(tail) >= 10 and key.startswith(tail) else -1
            if found < 0:
                at = 0
                continue
            if at and para.kind == "text":
                out[i] = Para(para.text, para.kind, para.links, quoted=True)
            at = found + len(key)
    return out


def _shown_dek(html: str, description: str | None, paras: list[Para]) -> str | None:
    """The description is the standfirst, though the text begins with it or repeats it, when
    the page shows it as its own block right under the h1 with a by-line or date line after
    it, before the text goes on: the by-line comes between the standfirst and the story, not
    between a lede and the rest of it."""
    if not description or len(description) > 350:
        return None
    dek, blocks = squash(description), page_blocks(html)
    h1s = {squash(_plain(m.group(1))) for m in _H1.finditer(html)}
    text = {squash(p.text) for p in paras} - {dek}
    for k in range(len(blocks) - 1):
        if squash(blocks[k]) in h1s and squash(blocks[k + 1]) == dek:
            for block in blocks[k + 2 : k + 12]:
                if squash(block) in text:
                    return None
                if by_line_name(block) or metadata_line(block, Header()):
                    return fix_quotes(description)
    return None
