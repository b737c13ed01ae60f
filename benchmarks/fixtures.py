"""Stores and Label Studio projects the benchmarks start from (set-up: never timed).

Rows go into the store with bulk core inserts, not through push/pull: the set-up of one
benchmark must not depend on the speed of another step.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from benchmarks.synth import SKILLS, Item
from workbench.annotation import parse, parser_key
from workbench.annotation.clean import canonical_result
from workbench.schema import Schema
from workbench.store import open_store
from workbench.store.models import Annotation, Annotator, Article, Dataset, Segment, Task

FAKE_LS = "http://127.0.0.1:9"  # the "server" of stores that never talk to Label Studio
CHUNK = 5000


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def copy_db(src: Path, dst: Path) -> Path:
    """A fresh copy of a store file (WAL checkpointed on close, so the main file is whole)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


def _chunks(rows: Sequence[dict[str, Any]]) -> list[Sequence[dict[str, Any]]]:
    return [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]


def payload(item: Item, title: str, context: str) -> dict[str, Any]:
    """What push sends for a segment (`workbench.push.task_payload`)."""
    return {
        "data": {
            "text": item.text,
            "title": title,
            "context": context,
            "segment_id": item.segment_id,
            "article_id": item.article_id,
        }
    }


def payloads(items: Sequence[Item]) -> list[dict[str, Any]]:
    """Task payloads in push order (article by article), with title and previous paragraph."""
    out = []
    previous: dict[str, str] = {}
    for it in items:
        out.append(payload(it, f"Article {it.article_id[:8]}", previous.get(it.article_id, "")))
        previous[it.article_id] = it.text
    return out


def build_store(
    path: Path,
    items: Sequence[Item],
    schema: Schema,
    *,
    dataset: str | None = None,
    ls_url: str = FAKE_LS,
    project_id: int = 1,
    task_ids: Sequence[int] | None = None,
    annotations: bool = False,
    url: str | None = None,
) -> Path:
    """A store with the items' articles and segments; with `dataset`, its row and (given
    `task_ids`) pushed task rows; with `annotations`, every result as a valid annotation.
    `url`: an empty database to build it in instead of the SQLite file at `path`."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(url or sqlite_url(path))
    now = datetime.now(UTC)
    by_article: dict[str, list[Item]] = {}
    for it in items:
        by_article.setdefault(it.article_id, []).append(it)
    articles, segments = [], []
    for aid, its in by_article.items():
        text = "\n\n".join(it.text for it in its)
        articles.append(
            {
                "id": aid,
                "source_path": f"bench/{aid}.txt",
                "revision": 1,
                "is_current": True,
                "format": "txt",
                "title": f"Article {aid[:8]}",
                "text": text,
                "raw": text,
                "raw_sha256": hashlib.sha256(text.encode()).hexdigest(),
                "ingested_at": now,
            }
        )
        pos = 0
        for it in its:
            end = pos + len(it.text)
            segments.append(
                {
                    "id": it.segment_id,
                    "article_id": aid,
                    "unit": "paragraph",
                    "position": it.position,
                    "start": pos,
                    "end": end,
                    "text": it.text,
                    "sentences": [[pos, end]],
                    "created_at": now,
                }
            )
            pos = end + 2
    with store.engine.begin() as conn:
        for rows in _chunks(articles):
            conn.execute(insert(Article), rows)
        for rows in _chunks(segments):
            conn.execute(insert(Segment), rows)
        if dataset is not None:
            conn.execute(
                insert(Dataset),
                [
                    {
                        "name": dataset,
                        "unit": "paragraph",
                        "overlap": 3,
                        "label_studio_url": ls_url,
                        "project_id": project_id,
                        "schema_id": schema.id,
                        "schema_version": schema.version,
                        "schema_json": schema.to_dict(),
                        "created_at": now,
                        "updated_at": now,
                    }
                ],
            )
        if dataset is not None and task_ids is not None:
            tasks = [
                {
                    "id": k + 1,
                    "dataset": dataset,
                    "segment_id": it.segment_id,
                    "ls_task_id": tid,
                    "state": "pushed",
                    "schema_version": schema.version,
                    "pushed_at": now,
                }
                for k, (it, tid) in enumerate(zip(items, task_ids, strict=True))
            ]
            for rows in _chunks(tasks):
                conn.execute(insert(Task), rows)
        if dataset is not None and annotations:
            conn.execute(
                insert(Annotator),
                [
                    {
                        "id": a + 1,
                        "label_studio_url": ls_url,
                        "ls_user_id": 100 + a,
                        "email": f"bench-{a}@example.org",
                        "pseudonym": f"annotator-{a + 1:02d}",
                    }
                    for a in range(len(SKILLS))
                ],
            )
            rows_a: list[dict[str, Any]] = []
            key = parser_key(schema)  # entries as pull makes them
            for k, it in enumerate(items):
                for a, result in enumerate(it.results):
                    if result is None:
                        continue
                    rows_a.append(
                        {
                            "dataset": dataset,
                            "task_id": k + 1,
                            "ls_annotation_id": len(rows_a) + 1,
                            "revision": 1,
                            "is_current": True,
                            "annotator_id": a + 1,
                            "result": result,
                            "result_clean": canonical_result(result),  # as pull fills it
                            "result_entry": parse(schema, it.text, result).entry_json(),
                            "entry_key": key,
                            "lead_time": 30.0,
                            "was_cancelled": False,
                            "ground_truth": False,
                            "ls_created_at": now,
                            "ls_updated_at": now,
                            "schema_version": schema.version,
                            "status": "valid",
                            "pulled_at": now,
                        }
                    )
                    if len(rows_a) % CHUNK == 0:
                        conn.execute(insert(Annotation), rows_a[-CHUNK:])
            rest = len(rows_a) % CHUNK
            if rest:
                conn.execute(insert(Annotation), rows_a[-rest:])
    store.close()
    return path
