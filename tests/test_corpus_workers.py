"""`corpus.ingest/segment(..., workers=N)`: the process pool changes the speed, never the store."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from workbench import corpus
from workbench.store import open_store
from workbench.store.models import Article, Segment


def _dump(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        articles = conn.execute(
            sa.select(Article.id, Article.source_path, Article.title, Article.text).order_by(
                Article.id
            )
        ).all()
        segments = conn.execute(
            sa.select(
                Segment.id,
                Segment.article_id,
                Segment.position,
                Segment.start,
                Segment.end,
                Segment.sentences,
            ).order_by(Segment.id)
        ).all()
    engine.dispose()
    return [tuple(r) for r in articles], [tuple(r) for r in segments]


def test_workers_give_the_same_store(tmp_path: Path, seeds_dir: Path) -> None:
    bad = tmp_path / "in" / "empty.txt"
    bad.parent.mkdir()
    bad.write_text("")
    paths = [seeds_dir, bad]
    dumps, reports = [], []
    for workers in (1, 2):
        url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        store = open_store(url)
        ingested = corpus.ingest(store, paths, workers=workers)
        segmented = corpus.segment(store, workers=workers)
        again = corpus.segment(store, workers=workers)  # idempotent with workers too
        store.close()
        assert all(r.added == 0 and r.removed == 0 for r in again)
        reports.append(([(r.path, r.status, r.article_id) for r in ingested.results], segmented))
        dumps.append(_dump(url))
    assert reports[0] == reports[1]
    assert dumps[0] == dumps[1]
    assert [r.status for r in ingested.results].count("error") == 1
    assert len(dumps[0][1]) > 20
