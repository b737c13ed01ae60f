"""Adjudication round trip against a real Label Studio: disagreements go to an adjudication
project with each annotator's version as a prediction; the adjudicator's annotation comes back
and overrides the consensus."""

from __future__ import annotations

from pathlib import Path

import pytest
from seed004 import ANNOTATORS, DATASET, SEG1, SEG2, choice, results, seed

from workbench.config import Settings
from workbench.labelstudio.client import LabelStudioClient
from workbench.reconcile import adjudicate, commands
from workbench.reconcile.load import load_consensus
from workbench.reconcile.save import reconcile
from workbench.schema import load_schema
from workbench.store import Store, open_store

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "schemas" / "news-v1.yaml"
SETTINGS = Settings(schema_path=SCHEMA_PATH, dataset=DATASET)


def test_adjudication_round_trip(ls_client: LabelStudioClient, tmp_path: Path) -> None:
    store: Store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        for a in ANNOTATORS:
            ls_client.ensure_user(f"{a}@example.org")
        judge = ls_client.ensure_user("adjudicator@example.org")
        seed(store)
        reconcile(store, load_schema(SCHEMA_PATH), DATASET)
        assert {d.segment_id for d in commands.disagreements(SETTINGS, store)} == {SEG1, SEG2}

        pushed = adjudicate.push(SETTINGS, store, ls_client)
        assert pushed.pushed == 2 and pushed.segments == [SEG1, SEG2]
        project = ls_client.get_project(pushed.project_id)
        assert project.title == f"{DATASET} adjudication"
        tasks = {t["data"]["segment_id"]: t for t in ls_client.list_tasks(pushed.project_id)}
        preds = tasks[SEG2]["predictions"]
        assert sorted(p["model_version"] for p in preds) == list(ANNOTATORS)
        assert tasks[SEG2]["data"]["context"].startswith("According to")
        # pushing again sends nothing new
        assert adjudicate.push(SETTINGS, store, ls_client).unchanged == 2

        # the adjudicator takes annotator-02's version of the second paragraph
        decision = [choice("sentiment", "neutral")]
        ls_client.create_annotation(tasks[SEG2]["id"], decision, completed_by=judge.id)
        # ... and annotator-01's version of the first one, which keeps their Claim
        ls_client.create_annotation(
            tasks[SEG1]["id"], results()[(SEG1, ANNOTATORS[0])], completed_by=judge.id
        )
        pulled = adjudicate.pull(SETTINGS, store, ls_client)
        assert (pulled.decisions, pulled.new, pulled.problems) == (2, 2, [])
        assert pulled.reconcile is not None and pulled.reconcile.recomputed == 2

        with store.session() as s:
            cons = load_consensus(s, DATASET)
            from workbench.store import models as m

            adj = s.query(m.Adjudication).filter_by(segment_id=SEG2).one()
            assert adj.adjudicator_email == "adjudicator@example.org"
            assert adj.adjudicator_ls_user_id == judge.id and adj.decided_at is not None
        sent = {r.field: r for r in cons[SEG2].labels}["sentiment"]
        assert (sent.label, sent.status, sent.support) == (
            "neutral",
            "adjudicated",
            (ANNOTATORS[1],),
        )
        claim = next(s for s in cons[SEG1].spans if s.label == "Claim")
        assert claim.status == "adjudicated" and claim.support == (ANNOTATORS[0],)
        target = next(r for r in cons[SEG1].labels if r.field == "Target.sentiment")
        assert (target.label, target.status) == ("positive", "adjudicated")
        assert commands.disagreements(SETTINGS, store) == []
        # nothing left to adjudicate, nothing pulled twice
        assert adjudicate.push(SETTINGS, store, ls_client).pushed == 0
        again = adjudicate.pull(SETTINGS, store, ls_client)
        assert (again.new, again.updated) == (0, 0)
        assert again.reconcile is not None and again.reconcile.recomputed == 0
    finally:
        store.close()
