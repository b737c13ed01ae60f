"""Ingest and segment against the store (SQLite and PostgreSQL), on the seed articles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workbench import corpus, segment
from workbench.store import Article, Segment, Store


def _copy_seeds(seeds_dir: Path, dest: Path) -> Path:
    shutil.copytree(seeds_dir, dest)
    return dest


def _counts(store: Store) -> tuple[int, int]:
    with store.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Article)) or 0,
            s.scalar(select(func.count()).select_from(Segment)) or 0,
        )


def test_ingest_seeds_then_again_changes_nothing(
    store: Store, seeds_dir: Path, tmp_path: Path
) -> None:
    seeds = _copy_seeds(seeds_dir, tmp_path / "seeds")
    report = corpus.ingest(store, [seeds])
    assert report.count("new") == 5 and not report.errors
    again = corpus.ingest(store, [seeds])
    assert again.count("unchanged") == 5 and again.count("new") == 0
    assert _counts(store)[0] == 5


def test_ingest_keeps_raw_and_provenance(store: Store, seeds_dir: Path, tmp_path: Path) -> None:
    seeds = _copy_seeds(seeds_dir, tmp_path / "seeds")
    corpus.ingest(store, [seeds / "000_1529a53a06acd3c3.txt"])
    with store.session() as s:
        article = s.scalars(select(Article)).one()
    raw = (seeds / "000_1529a53a06acd3c3.txt").read_text(encoding="utf-8")
    assert article.raw == raw
    assert article.source_path.endswith("000_1529a53a06acd3c3.txt")
    assert article.id == corpus.article_id(article.text)
    assert article.title and "Russia-Pakistan Relations" in article.title


def test_changed_file_becomes_a_new_revision(store: Store, seeds_dir: Path, tmp_path: Path) -> None:
    seeds = _copy_seeds(seeds_dir, tmp_path / "seeds")
    path = seeds / "004_6126446ed3470000.txt"
    first = corpus.ingest(store, [path]).results[0]
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\nA late correction was added.\n", encoding="utf-8"
    )
    second = corpus.ingest(store, [path]).results[0]
    assert second.status == "revised" and second.revision == 2
    assert second.article_id != first.article_id
    with store.session() as s:
        rows = s.scalars(select(Article).order_by(Article.revision)).all()
    assert [(r.revision, r.is_current) for r in rows] == [(1, False), (2, True)]
    assert rows[1].previous_id == rows[0].id
    assert "A late correction was added." not in rows[0].text  # never a silent overwrite


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n \n", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin1.txt", "Caf\u00e9 society in Islamabad.".encode("latin-1"), "not UTF-8"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_input_is_one_line_and_others_still_ingested(
    store: Store, seeds_dir: Path, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    good = seeds_dir / "001_a4caa5961905555a.txt"
    report = corpus.ingest(store, [bad, good])
    assert report.count("new") == 1
    (error,) = report.errors
    assert error.message is not None
    assert name in error.message and expected in error.message
    assert "\n" not in error.message
    assert _counts(store)[0] == 1


def test_missing_path_is_reported(store: Store, tmp_path: Path) -> None:
    missing = tmp_path / "odd: name.txt"  # a colon must not cut the reported path short
    report = corpus.ingest(store, [missing])
    assert report.errors and "no such file" in (report.errors[0].message or "")
    assert report.errors[0].path == str(missing)


def test_segment_is_idempotent_and_offsets_hold(store: Store, seeds_dir: Path) -> None:
    corpus.ingest(store, [seeds_dir])
    first = corpus.segment(store)
    assert sum(r.added for r in first) == sum(r.segments for r in first) > 20
    second = corpus.segment(store)
    assert sum(r.added for r in second) == 0 and sum(r.removed for r in second) == 0
    with store.session() as s:
        texts = {a.id: a.text for a in s.scalars(select(Article))}
        for seg in s.scalars(select(Segment)):
            assert texts[seg.article_id][seg.start : seg.end] == seg.text
            for a, b in seg.sentences:
                assert seg.start <= a < b <= seg.end


def test_resegmenting_with_another_length_replaces_unpushed_segments(
    store: Store, seeds_dir: Path
) -> None:
    corpus.ingest(store, [seeds_dir / "000_1529a53a06acd3c3.txt"])
    corpus.segment(store, max_chars=1200)
    before = corpus.list_segments(store)
    corpus.segment(store, max_chars=200)
    after = corpus.list_segments(store)
    assert len(after) > len(before)
    assert _counts(store)[1] == len(after)  # unpushed stale segments are gone, not duplicated


def test_listings(store: Store, seeds_dir: Path) -> None:
    corpus.ingest(store, [seeds_dir])
    corpus.segment(store)
    rows = corpus.list_articles(store)
    assert len(rows) == 5 and all(r.segments > 0 for r in rows)
    one = rows[0].id
    listed = corpus.list_segments(store, article_id=one[:8])
    assert {s.article_id for s in listed} == {one}
    # the listing gives back what the segmenter made and the store kept: one type, one segment
    with store.session() as session:
        text = session.scalar(select(Article.text).where(Article.id == one))
    assert text and listed == segment.segment_article(one, text)
