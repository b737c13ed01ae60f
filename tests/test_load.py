"""Under load, nothing lost: 20 annotators create, update and delete annotations at once through
the API of a Label Studio on PostgreSQL while `pull` runs again and again on a PostgreSQL store;
at the end the store is the server's state annotation for annotation.

The load is `benchmarks/load.py`'s (`play`, `compare`), for a shorter time; the benchmark
reports the rates."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from ls_fixtures import PostgresLabelStudio

from benchmarks.load import compare, play, server_state, store_state
from workbench import corpus
from workbench.config import load_settings
from workbench.labelstudio.client import LabelStudioClient
from workbench.pull import pull
from workbench.push import push
from workbench.schema import load_schema
from workbench.store import open_store

pytestmark = [pytest.mark.labelstudio, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "news-v1.yaml"
ANNOTATORS = 20
SECONDS = 25.0


def test_twenty_annotators_and_repeated_pulls_lose_nothing(
    label_studio_pg: PostgresLabelStudio, postgres_schema_url: str, tmp_path: Path
) -> None:
    ls = label_studio_pg
    dataset = f"load{uuid.uuid4().hex[:6]}"
    store = open_store(postgres_schema_url)
    settings = load_settings(
        {
            "database_url": postgres_schema_url,
            "label_studio_url": ls.url,
            "label_studio_api_key": ls.token,
            "dataset": dataset,
            "schema_path": str(SCHEMA),
        },
        cwd=tmp_path,
        environ={},
    )
    client = LabelStudioClient(ls.url, ls.token)
    corpus.ingest(store, [ROOT / "seeds"])
    corpus.segment(store)
    report = push(settings, store, load_schema(SCHEMA), client, annotators=3)
    assert report.project_id is not None
    project = report.project_id
    tasks = {int(t["id"]): t["data"]["text"] for t in client.list_tasks(project, annotations=False)}
    users = [client.ensure_user(f"{dataset}-{i:02d}@example.com").id for i in range(ANNOTATORS)]

    figures = play(
        ls.url,
        ls.token,
        users,
        tasks,
        SECONDS,
        lambda: pull(settings, store, LabelStudioClient(ls.url, ls.token)),
    )
    # the load happened, and the pulls ran beside it
    # (Label Studio answers a few operations a second on a busy 2-core machine)
    summary = (figures.created, figures.updated, figures.deleted, figures.api_errors[:3])
    assert figures.created >= 30 and figures.updated >= 10 and figures.deleted >= 3, summary
    assert len(figures.pull_latencies) >= 3
    assert figures.pull_failures == []

    # one more incremental pull catches up: the store is the server, annotation for annotation
    pull(settings, store, client)
    on_server = server_state(client, project)
    assert len(on_server) >= figures.created - figures.deleted - len(figures.api_errors)
    stored = store_state(store, dataset)
    assert compare(on_server, stored, figures.updates_of) == []
    assert any(len(r) > 1 for r in stored.revisions.values())  # updates became revisions
    assert stored.deleted  # deletions were marked, not dropped

    # a full pull finds nothing the incremental ones missed
    full = pull(settings, store, client, full=True)
    assert (full.annotations_new, full.annotations_revised, full.annotations_deleted) == (0, 0, 0)
    assert store_state(store, dataset) == stored
    store.close()
