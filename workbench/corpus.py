"""The corpus in the store: files → articles (ingest), articles → segments (segment), listings.

The I/O around the pure text work of `ingest` and `segment`. Each file is ingested in its own
transaction: one bad file never costs the others. Ingest reads the files twice: first which
paragraphs recur across a site's articles (a page's host or named outlet, else the files'
folder), then each article is cleaned knowing them, so furniture no feature betrays goes too.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Literal, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench import ingest as cleaner
from workbench import segment as segmenter
from workbench.errors import InputError
from workbench.progress import NoProgress, Progress
from workbench.sources import MissingPath, SourceFile, expand_paths, read_source
from workbench.store import Article, Segment, Store, Task
from workbench.store.lock import operation_lock
from workbench.store.models import utcnow

IngestStatus = Literal["new", "revised", "unchanged", "error"]


def article_id(text: str) -> str:
    """Stable id of a cleaned text: the same text gets the same id on any machine."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class IngestResult:
    path: str
    status: IngestStatus
    article_id: str | None = None
    revision: int | None = None
    title: str | None = None
    message: str | None = None


@dataclass
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)

    def count(self, status: IngestStatus) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def errors(self) -> list[IngestResult]:
        return [r for r in self.results if r.status == "error"]


def ingest(
    store: Store,
    paths: Sequence[Path],
    progress: Progress | None = None,
    workers: int = 1,
) -> IngestReport:
    """Ingest article files and folders; bad files are reported in the result, not raised.
    `workers` processes read and clean; this one writes, in input order (the same result with
    any number). Holds the corpus lock (`workbench.store.lock`): one ingest or segment at a time.
    """
    with operation_lock(store, None, "ingest"):
        progress = progress or NoProgress()
        items = list(expand_paths(paths))
        report = IngestReport()
        files = [item for item in items if not isinstance(item, MissingPath)]
        progress.start("ingest: read", len(files))
        common = _site_repetition(files, workers, progress) if len(files) > 1 else {}
        progress.finish()
        progress.start("ingest", len(items))
        jobs = ((path, common.get(path, frozenset())) for path in files)
        prepared = iter(_ordered_map(_prepare, jobs, workers))
        for item in items:
            if isinstance(item, MissingPath):
                report.results.append(IngestResult(str(item.path), "error", message=item.message))
            else:
                ready = next(prepared)
                if isinstance(ready, str):
                    report.results.append(IngestResult(str(item), "error", message=ready))
                else:
                    report.results.append(_store_article(store, *ready))
            progress.advance()
        progress.finish()
        return report


_T = TypeVar("_T")
_R = TypeVar("_R")


def _ordered_map(
    fn: Callable[[_T], _R], args: Iterable[_T], workers: int, chunk: int = 64
) -> Iterator[_R]:
    """`map(fn, args)`, lazily and in order; with `workers` > 1 in a process pool, the next
    chunk computed while the caller consumes this one (bounded memory, deterministic order)."""
    if workers <= 1:
        yield from map(fn, args)
        return
    it = iter(args)
    size = max(1, chunk // (2 * workers))  # a few tasks per worker and chunk: even load
    # spawn, not fork: the caller may hold threads (HTTP clients) and database connections.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        ahead = pool.map(fn, islice(it, chunk), chunksize=size)  # map submits at once
        while batch := list(islice(it, chunk)):
            current, ahead = ahead, pool.map(fn, batch, chunksize=size)
            yield from current
        yield from ahead


def _site_repetition(
    files: Sequence[Path], workers: int, progress: Progress
) -> dict[Path, frozenset[str]]:
    """For each file, the keys of its paragraphs that recur in another article of its site."""
    sites: dict[str, list[tuple[Path, frozenset[str]]]] = {}
    for path, scanned in zip(files, _ordered_map(_scan, files, workers), strict=True):
        progress.advance()
        if scanned is not None:
            site, keys = scanned
            sites.setdefault(site or f"folder:{path.parent}", []).append((path, keys))
    common: dict[Path, frozenset[str]] = {}
    for members in sites.values():
        counts = Counter(k for _, keys in members for k in keys)
        recurring = frozenset(k for k, n in counts.items() if n >= 2)
        for path, keys in members:
            if keys & recurring:
                common[path] = keys & recurring
    return common


def _scan(path: Path) -> tuple[str | None, frozenset[str]] | None:
    """A file's site and paragraph keys (None when it cannot be read)."""
    try:
        source = read_source(path)
    except InputError:
        return None
    return cleaner.site_profile(source.raw, source.format)


def _prepare(job: tuple[Path, frozenset[str]]) -> tuple[SourceFile, cleaner.CleanArticle] | str:
    """Read and clean one file (pure apart from the read): the part that runs in a worker."""
    path, common = job
    try:
        source = read_source(path)
    except InputError as exc:
        return exc.message
    try:
        return source, cleaner.clean_article(source.raw, source.format, common)
    except InputError as exc:
        return f"{source.display}: {exc.message}"


def _store_article(store: Store, source: SourceFile, cleaned: cleaner.CleanArticle) -> IngestResult:
    aid = article_id(cleaned.text)
    with store.session() as session:
        existing = session.get(Article, aid)
        if existing is not None:
            # Same cleaned text as an article we have: nothing to change, whatever the path
            # (but what was removed is recorded for an article ingested before it was kept).
            if existing.removed is None:
                existing.removed = _removed_rows(cleaned)
            return IngestResult(source.display, "unchanged", aid, existing.revision, existing.title)
        article = Article(
            id=aid,
            source_path=source.display,
            format=source.format,
            title=cleaned.title,
            subtitle=cleaned.subtitle,
            author=cleaned.author,
            outlet=cleaned.outlet,
            published=cleaned.published,
            text=cleaned.text,
            raw=source.raw,
            raw_sha256=source.sha256,
            removed=_removed_rows(cleaned),
        )
        status: IngestStatus = "revised" if add_revision(session, article) else "new"
    return IngestResult(source.display, status, aid, article.revision, cleaned.title)


def add_revision(session: Session, article: Article) -> Article | None:
    """Add `article` as the current revision of its source path; the one it replaces, if any."""
    previous = session.scalars(
        select(Article).where(
            Article.source_path == article.source_path, Article.is_current.is_(True)
        )
    ).first()
    if previous is not None:
        previous.is_current = False
    article.revision = previous.revision + 1 if previous else 1
    article.previous_id = previous.id if previous else None
    article.is_current = True
    session.add(article)
    return previous


def _removed_rows(cleaned: cleaner.CleanArticle) -> list[dict[str, str]]:
    return [{"text": r.text, "reason": r.reason} for r in cleaned.removed]


@dataclass(frozen=True)
class SegmentResult:
    article_id: str
    title: str | None
    unit: str
    segments: int
    added: int
    removed: int


def segment(
    store: Store,
    unit: segmenter.Unit = "paragraph",
    max_chars: int = 1200,
    progress: Progress | None = None,
    workers: int = 1,
) -> list[SegmentResult]:
    """Segment the current revision of every article; idempotent. The
    text work (pysbd: the slow part) runs in `workers` processes, the writes here, in order
    (the same result with any number). Holds the corpus lock, like `ingest`.
    """
    with operation_lock(store, None, "segment"):
        progress = progress or NoProgress()
        with store.session() as session:
            current = select(Article.id).where(Article.is_current.is_(True))
            ids = list(session.scalars(current.order_by(Article.source_path)))
        results = []
        progress.start("segment", len(ids))
        # An article's text never changes (its id is the text's hash), so it can be segmented
        # ahead of the transaction that stores the segments.
        jobs = ((aid, text, unit, max_chars) for aid, text in _texts(store, ids))
        for aid, wanted in zip(ids, _ordered_map(_segment_job, jobs, workers), strict=True):
            with store.session() as session:
                article = session.get(Article, aid)
                if article is None or wanted is None:
                    raise InputError(f"no article {aid!r} in the store")
                added, removed = _store_segments(session, aid, unit, wanted)
            results.append(SegmentResult(aid, article.title, unit, len(wanted), added, removed))
            progress.advance()
        progress.finish()
        return results


def _store_segments(
    session: Session, aid: str, unit: str, wanted: list[segmenter.Segment]
) -> tuple[int, int]:
    """Make the article's stored segments of `unit` the `wanted` ones: (added, removed)."""
    have = {
        s.id: s
        for s in session.scalars(
            select(Segment).where(Segment.article_id == aid, Segment.unit == unit)
        )
    }
    stale = {sid for sid, row in have.items() if row.retired_at is None} - {s.id for s in wanted}
    pushed = set(session.scalars(select(Task.segment_id).where(Task.segment_id.in_(stale))))
    for stale_id in stale:
        # A pushed segment may carry annotations: keep it, retired, never delete it.
        if stale_id in pushed:
            have[stale_id].retired_at = utcnow()
        else:
            session.delete(have[stale_id])
    added = 0
    for s in wanted:
        row = have.get(s.id)
        if row is None:
            session.add(Segment(**vars(s) | {"sentences": [list(x) for x in s.sentences]}))
            added += 1
        else:
            if row.retired_at is not None:  # the same text is back: revive it
                row.retired_at = None
                added += 1
            row.position = s.position
    return added, len(stale)


def _texts(store: Store, ids: Sequence[str], batch: int = 256) -> Iterator[tuple[str, str | None]]:
    """(id, text or None when missing) for each id, read a batch at a time."""
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        with store.session() as session:
            found = dict(
                session.execute(select(Article.id, Article.text).where(Article.id.in_(chunk))).all()
            )
        for aid in chunk:
            yield aid, found.get(aid)


def _segment_job(job: tuple[str, str | None, str, int]) -> list[segmenter.Segment] | None:
    aid, text, unit, max_chars = job
    if text is None:
        return None
    return segmenter.segment_article(aid, text, unit, max_chars)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ArticleRow:
    id: str
    source_path: str
    revision: int
    is_current: bool
    title: str | None
    author: str | None
    outlet: str | None
    published: str | None
    chars: int
    segments: int


def list_articles(store: Store, all_revisions: bool = False) -> list[ArticleRow]:
    with store.session() as session:
        counts = dict(
            session.execute(
                select(Segment.article_id, func.count())
                .where(Segment.retired_at.is_(None))
                .group_by(Segment.article_id)
            ).all()
        )
        query = select(Article).order_by(Article.source_path, Article.revision)
        if not all_revisions:
            query = query.where(Article.is_current.is_(True))
        return [
            ArticleRow(
                a.id,
                a.source_path,
                a.revision,
                a.is_current,
                a.title,
                a.author,
                a.outlet,
                a.published,
                len(a.text),
                counts.get(a.id, 0),
            )
            for a in session.scalars(query)
        ]


def list_segments(
    store: Store, article_id: str | None = None, unit: str | None = None
) -> list[segmenter.Segment]:
    with store.session() as session:
        query = (
            select(Segment)
            .join(Article, Article.id == Segment.article_id)
            .where(Segment.retired_at.is_(None))
            .order_by(Article.source_path, Segment.unit, Segment.position)
        )
        if article_id:
            query = query.where(Segment.article_id.startswith(article_id))
        if unit:
            query = query.where(Segment.unit == unit)
        return [
            segmenter.Segment(
                s.id,
                s.article_id,
                s.unit,
                s.position,
                s.start,
                s.end,
                s.text,
                tuple((start, end) for start, end in s.sentences),
            )
            for s in session.scalars(query)
        ]


@dataclass(frozen=True)
class RemovedParagraphs:
    article_id: str
    title: str | None
    source_path: str
    recorded: bool  # False for an article ingested before removed paragraphs were kept
    paragraphs: list[cleaner.Removed]


def removed_paragraphs(store: Store, article_id: str) -> RemovedParagraphs:
    """The paragraphs ingest left out of one article (id or unique id prefix)."""
    with store.session() as session:
        found = list(
            session.scalars(select(Article).where(Article.id.startswith(article_id)).limit(2))
        )
        if len(found) != 1:
            what = "no article" if not found else "more than one article"
            raise InputError(f"{what} with id {article_id!r} in the store")
        a = found[0]
        rows = a.removed or []
        return RemovedParagraphs(
            a.id,
            a.title,
            a.source_path,
            a.removed is not None,
            [cleaner.Removed(str(r["text"]), str(r["reason"])) for r in rows],
        )
