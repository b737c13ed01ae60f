"""One article's raw text (.txt, .md, .html) → body text, metadata and what was removed. Pure.

Characters normalised → paragraphs (HTML by trafilatura, else `text`) → furniture flagged on
its own features → header taken off the top → page-break gaps re-joined (plain text) → the
rest classified in context (`classify`) → body; every paragraph left out kept with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.errors import InputError
from workbench.ingest import classify as cls
from workbench.ingest.header import Header, by_line_name, is_author_bio, take_header
from workbench.ingest.text import (
    Para,
    continues,
    fix_quotes,
    join_lines,
    looks_like_markdown,
    normalize_text,
    paragraphs,
    squash,
)

_FORMATS = dict(txt="txt", text="txt", md="md", markdown="md", html="html", htm="html")


@dataclass(frozen=True)
class CleanArticle:
    text: str  # paragraphs separated by exactly "\n\n", no other newlines inside a paragraph
    title: str | None
    subtitle: str | None  # standfirst/dek where clearly present
    author: str | None
    outlet: str | None
    published: str | None  # ISO "YYYY-MM-DD", only when the article states a date
    removed: tuple[cls.Removed, ...]  # paragraphs left out of the body, in reading order


def _front(raw: str, kind: str) -> tuple[list[Para], Header]:
    if kind == "html":
        from workbench.ingest.html import extract_html

        return extract_html(raw)
    text = normalize_text(raw)
    markdown = kind == "md" or looks_like_markdown(text)
    return paragraphs(fix_quotes(text), markdown), Header()


def _header_candidate(i: int, para: Para, flagged: dict[int, str]) -> bool:
    """May this paragraph be read as header? Not furniture on its own features, except a by-line
    with a linked name, a date line, and a one-word headline opening the text."""
    reason = flagged.get(i)
    if (
        reason is None
        or reason == "date line"
        or (i == 0 and reason == "label" and 1 not in flagged)
    ):
        return True
    if reason != "links":
        return False
    return by_line_name(para.text) is not None or by_line_name(f"By {para.text}") is not None


def _rejoin(paras: list[Para], flagged: dict[int, str]) -> tuple[list[Para], list[int]]:
    """Re-join sentences cut by a page break (furniture in the gap stays where it was); the
    paragraphs and the original index of each one's first part."""
    out: list[Para] = []
    origin: list[int] = []
    last = -1  # the position in `out` of the last paragraph that is not furniture
    for i, para in enumerate(paras):
        if i not in flagged and last >= 0 and continues(out[last], para):
            prev = out[last]
            out[last] = Para(join_lines(prev.text, para.text), prev.kind, prev.links + para.links)
            continue
        out.append(para)
        origin.append(i)
        if i not in flagged:
            last = len(out) - 1
    return out, origin


def clean_article(raw: str, fmt: str, common: frozenset[str] = frozenset()) -> CleanArticle:
    """Clean one article of format `fmt` ("txt", "md", "html"); `common`: the keys
    (`classify.paragraph_key`) of paragraphs recurring in the site's other articles. InputError
    when no body text is left."""
    kind = _FORMATS.get(fmt.lower().lstrip("."))
    if kind is None:
        raise InputError(f"unsupported article format {fmt!r} (expected txt, md or html)")
    paras, header = _front(raw, kind)
    stops = cls.stoplist_for([p.text for p in paras])
    flagged: dict[int, str] = {}
    for i, para in enumerate(paras):
        _, verdict, why_bad = cls.judge(para, stops)
        if verdict in (cls.BAD, cls.SEPARATOR):
            flagged[i] = why_bad
    candidates = [(i, p) for i, p in enumerate(paras) if _header_candidate(i, p, flagged)]
    taken, header_lines = take_header(candidates, header)
    removed: list[tuple[int, cls.Removed]] = [
        (i, cls.Removed(paras[i].text, why)) for i, why in header_lines
    ]
    rest = [p for i, p in enumerate(paras) if i not in taken]
    index = [i for i in range(len(paras)) if i not in taken]
    rest_flags = {k: flagged[i] for k, i in enumerate(index) if i in flagged}
    if kind != "html":  # HTML blocks are explicit; only plain text has page-break gaps
        rest, origin = _rejoin(rest, rest_flags)
        index = [index[k] for k in origin]
    reasons = cls.classify(rest, stops=stops, outlet=header.outlet, common=common)
    kept = [k for k, reason in enumerate(reasons) if reason is None]
    for rank, k in enumerate(kept):  # a bio in the second half of the body closes the article
        if rank >= len(kept) / 2 and is_author_bio(rest[k].text, header.author):
            reasons[k] = "author bio"
    body: list[str] = []
    for k, (para, reason) in enumerate(zip(rest, reasons, strict=True)):
        if reason is None:
            body.append(" ".join(para.text.split()))
        else:
            removed.append((index[k], cls.Removed(para.text, reason)))
    text = "\n\n".join(body).strip()
    if not text:
        raise InputError("no article body text left after cleaning")
    if kind == "html":
        known = [text, *(r.text for _, r in removed), *(v or "" for v in vars(header).values())]
        removed.extend((-1, cls.Removed(t, "not main text")) for t in _left_out(raw, known))
    return CleanArticle(
        text=text,
        title=_tidy(header.title),
        subtitle=_tidy(header.subtitle),
        author=_tidy(header.author),
        outlet=_tidy(header.outlet),
        published=header.published,
        removed=tuple(r for _, r in sorted(removed, key=lambda x: x[0])),
    )


def _left_out(raw: str, known: list[str]) -> list[str]:
    """The page's text blocks not among the `known` texts (body, header, removed paragraphs):
    trafilatura drops furniture without saying what it was."""
    from workbench.ingest.html import page_blocks

    kept = f" {' '.join(squash(t) for t in known)} "
    return [b for b in page_blocks(raw) if f" {squash(fix_quotes(b))} " not in kept]


def site_profile(raw: str, fmt: str) -> tuple[str | None, frozenset[str]]:
    """What other articles of the site need from this one, cheaply (no classification, no
    trafilatura): the site the page names (its URL's host or site name), and the keys of its
    paragraphs (for HTML, of every text block on the page)."""
    kind = _FORMATS.get(fmt.lower().lstrip("."), "txt")
    if kind == "html":
        from workbench.ingest.html import page_blocks, page_site

        texts = page_blocks(raw)
        site = page_site(raw)
    else:
        text = normalize_text(raw)
        texts = [p.text for p in paragraphs(text, kind == "md" or looks_like_markdown(text))]
        site = None
    return site, frozenset(k for k in map(cls.paragraph_key, texts) if k)


def _tidy(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None
