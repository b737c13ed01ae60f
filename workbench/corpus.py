"""The corpus in the store: files → articles (ingest), articles → segments (segment), listings.

The text work is pure and lives in `clean` and `segment`; this module does the I/O around it.
Each file is ingested in its own transaction, so one bad file never costs the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select

from workbench import clean
from workbench import segment as segmenter
from workbench.errors import InputError
from workbench.progress import NoProgress, Progress
from workbench.sources import expand_paths, read_source
from workbench.store import Article, Segment, Store, Task
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


def ingest(store: Store, paths: Sequence[Path], progress: Progress | None = None) -> IngestReport:
    """Ingest article files and folders. Bad files are reported in the result, not raised."""
    progress = progress or NoProgress()
    items = list(expand_paths(paths))
    report = IngestReport()
    progress.start("ingest", len(items))
    for item in items:
        if isinstance(item, InputError):
            report.results.append(
                IngestResult(str(item.message).split(":")[0], "error", message=item.message)
            )
        else:
            try:
                report.results.append(_ingest_file(store, item))
            except InputError as exc:
                report.results.append(IngestResult(str(item), "error", message=exc.message))
        progress.advance()
    progress.finish()
    return report


def _ingest_file(store: Store, path: Path) -> IngestResult:
    source = read_source(path)
    try:
        cleaned = clean.clean_article(source.raw, source.format)
    except InputError as exc:
        raise InputError(f"{source.display}: {exc.message}") from None
    aid = article_id(cleaned.text)
    with store.session() as session:
        existing = session.get(Article, aid)
        if existing is not None:
            # Same cleaned text as an article we have: nothing to change, whatever the path.
            return IngestResult(source.display, "unchanged", aid, existing.revision, existing.title)
        previous = session.scalars(
            select(Article).where(
                Article.source_path == source.display, Article.is_current.is_(True)
            )
        ).first()
        revision = 1
        if previous is not None:
            previous.is_current = False
            revision = previous.revision + 1
        session.add(
            Article(
                id=aid,
                source_path=source.display,
                revision=revision,
                previous_id=previous.id if previous else None,
                is_current=True,
                format=source.format,
                title=cleaned.title,
                subtitle=cleaned.subtitle,
                author=cleaned.author,
                outlet=cleaned.outlet,
                published=cleaned.published,
                text=cleaned.text,
                raw=source.raw,
                raw_sha256=source.sha256,
            )
        )
    status: IngestStatus = "revised" if previous is not None else "new"
    return IngestResult(source.display, status, aid, revision, cleaned.title)


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
    article_ids: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> list[SegmentResult]:
    """Segment the current revision of every article (or the given ones). Idempotent."""
    progress = progress or NoProgress()
    with store.session() as session:
        query = select(Article.id).where(Article.is_current.is_(True)).order_by(Article.source_path)
        ids = list(article_ids) if article_ids is not None else list(session.scalars(query))
    results = []
    progress.start("segment", len(ids))
    for aid in ids:
        with store.session() as session:
            article = session.get(Article, aid)
            if article is None:
                raise InputError(f"no article {aid!r} in the store")
            wanted = segmenter.segment_article(article.id, article.text, unit, max_chars)
            have = {
                s.id: s
                for s in session.scalars(
                    select(Segment).where(Segment.article_id == aid, Segment.unit == unit)
                )
            }
            wanted_ids = {s.id for s in wanted}
            stale = {sid for sid, row in have.items() if row.retired_at is None} - wanted_ids
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
                    session.add(
                        Segment(
                            id=s.id,
                            article_id=s.article_id,
                            unit=s.unit,
                            position=s.position,
                            start=s.start,
                            end=s.end,
                            text=s.text,
                            sentences=[list(x) for x in s.sentences],
                        )
                    )
                    added += 1
                else:
                    if row.retired_at is not None:  # the same text is back: revive it
                        row.retired_at = None
                        added += 1
                    row.position = s.position
            results.append(SegmentResult(aid, article.title, unit, len(wanted), added, len(stale)))
        progress.advance()
    progress.finish()
    return results


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


@dataclass(frozen=True)
class SegmentRow:
    id: str
    article_id: str
    unit: str
    position: int
    start: int
    end: int
    sentences: int
    text: str


def list_segments(
    store: Store, article_id: str | None = None, unit: str | None = None
) -> list[SegmentRow]:
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
            SegmentRow(
                s.id, s.article_id, s.unit, s.position, s.start, s.end, len(s.sentences), s.text
            )
            for s in session.scalars(query)
        ]
