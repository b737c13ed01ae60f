"""Push sends the suggester's spans as Label Studio predictions (real server), and pull keeps
them apart from human annotations."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.test_push import SCHEMA, settings_for
from workbench import corpus
from workbench.annotation import validate as validate_result
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.predictions import MODEL_VERSION
from workbench.pull import pull
from workbench.push import push
from workbench.schema import load_schema
from workbench.store import Annotation, Prediction, Store

pytestmark = pytest.mark.labelstudio


@pytest.fixture
def seeded(store: Store, seeds_dir: Path) -> Store:
    corpus.ingest(store, [seeds_dir])
    corpus.segment(store)
    return store


def test_push_sends_suggestions_as_predictions_and_pull_keeps_them_apart(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    seeded: Store,
    store_url: str,
    tmp_path: Path,
) -> None:
    schema = load_schema(SCHEMA)
    settings = settings_for(label_studio, store_url, tmp_path)
    report = push(settings, seeded, schema, ls_client, annotators=1)
    assert report.imported == report.segments > 0
    assert 0 < report.suggested <= report.imported

    tasks = list(ls_client.list_tasks(report.project_id or 0, page_size=200, annotations=True))
    with_predictions = [t for t in tasks if t.get("predictions")]
    assert len(with_predictions) == report.suggested
    qureshi = [t for t in tasks if t["data"]["text"].startswith("According to Foreign Minister")]
    assert len(qureshi) == 1
    (pred,) = qureshi[0]["predictions"]
    assert pred["model_version"] == MODEL_VERSION
    labels = {
        (r["value"]["labels"][0], r["value"]["text"])
        for r in pred["result"]
        if r["type"] == "labels"
    }
    assert ("Source", "Foreign Minister Shah Mahmood Qureshi") in labels
    assert ("Cue", "According to") in labels
    for task in with_predictions:
        for p in task["predictions"]:
            problems = validate_result(schema, task["data"]["text"], p["result"])
            # accepting a suggestion gives a valid annotation once the annotator has answered
            # what the rules leave to people: segment sentiment, Target sentiment, and a
            # Source's type when nothing in the text says what kind of speaker it is
            left = [x for x in problems if not x.endswith("has no source_type (required)")]
            assert all("sentiment" in problem for problem in left), problems

    pulled = pull(settings, seeded, ls_client)
    with seeded.session() as s:
        stored = s.scalars(sa.select(Prediction)).all()
        assert len(stored) == report.suggested
        assert {p.model_version for p in stored} == {MODEL_VERSION}
        assert s.scalar(sa.select(sa.func.count()).select_from(Annotation)) == 0
    assert pulled.predictions_changed == report.suggested


def test_no_suggestions_sends_no_predictions(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    seeded: Store,
    store_url: str,
    tmp_path: Path,
) -> None:
    settings = settings_for(label_studio, store_url, tmp_path)
    report = push(settings, seeded, load_schema(SCHEMA), ls_client, suggestions=False)
    assert report.imported > 0 and report.suggested == 0
    tasks = ls_client.list_tasks(report.project_id or 0, page_size=200, annotations=True)
    assert not any(t.get("predictions") for t in tasks)
