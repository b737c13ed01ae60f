"""Store-backed reconcile (SQLite and PostgreSQL): consensus of every layer of a realistic
seed-004 paragraph, incremental recompute, determinism, disagreements, agreement."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seed004 import ANNOTATORS, DATASET, SEG1, SEG2, add_annotation, results, seed
from sqlalchemy import Select, select

from workbench.config import Settings
from workbench.entries import refresh
from workbench.reconcile import commands
from workbench.reconcile.layers import to_dict
from workbench.reconcile.load import load_consensus
from workbench.reconcile.report import to_html
from workbench.reconcile.save import reconcile
from workbench.schema import load_schema
from workbench.store import Store, open_store
from workbench.store import models as m

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = load_schema(ROOT / "schemas" / "news-v1.yaml")
SETTINGS = Settings(schema_path=ROOT / "schemas" / "news-v1.yaml", dataset=DATASET)


def _consensus(store: Store) -> dict[str, Any]:
    with store.session() as s:
        return {seg: asdict(c) for seg, c in load_consensus(s, DATASET).items()}


def test_consensus_of_every_layer(store: Store) -> None:
    seed(store)
    report = reconcile(store, SCHEMA, DATASET)
    assert (report.segments, report.recomputed, report.unchanged) == (2, 2, 0)
    with store.session() as s:
        cons = load_consensus(s, DATASET)
    one = cons[SEG1]
    labels = {(r.field, r.span_key): r for r in one.labels}
    sent = labels[("sentiment", "")]
    assert (sent.label, sent.support, sent.status) == ("positive", ANNOTATORS[:2], "decided")
    assert sent.votes == {"neutral": (ANNOTATORS[2],), "positive": ANNOTATORS[:2]}
    assert sent.confidence == pytest.approx(2 / 3, abs=1e-6)
    spans = {r.label: r for r in one.spans}
    # the short Source of annotator-03 aligns with the long one: 3 supporters, medoid boundaries
    source = spans["Source"]
    assert source.status == "decided" and source.support == ANNOTATORS
    assert source.text == "Foreign Minister Shah Mahmood Qureshi" and not source.exact
    assert source.attrs == {"source_type": "official"}
    assert spans["Content"].attrs == {"quote_type": "direct"}
    # only annotator-01 drew the Claim: partial support → undecided
    assert spans["Claim"].status == "undecided" and spans["Claim"].support == (ANNOTATORS[0],)
    # Target sentiment: positive / neutral / negative → undecided attribute
    target = labels[("Target.sentiment", spans["Target"].span_key)]
    assert target.label is None and target.status == "undecided"
    rels = {r.kind: r for r in one.relations}
    assert rels["attributed_to"].status == "decided" and len(rels["attributed_to"].support) == 3
    assert rels["cue_of"].status == "decided" and rels["cue_of"].support == ANNOTATORS[:2]
    two = {r.field: r for r in cons[SEG2].labels}
    assert two["sentiment"].label is None and two["sentiment"].status == "undecided"

    items = commands.disagreements(SETTINGS, store)
    got = {(d.segment_id, d.layer, d.field) for d in items}
    assert got == {
        (SEG1, "span", "Claim"),
        (SEG1, "attribute", "Target.sentiment"),
        (SEG2, "segment", "sentiment"),
    }
    seg2 = next(d for d in items if d.segment_id == SEG2)
    assert seg2.versions == dict(zip(ANNOTATORS, ["negative", "neutral", "positive"], strict=True))
    assert seg2.reason.startswith("tie")


def test_incremental_recompute(store: Store) -> None:
    seed(store)
    reconcile(store, SCHEMA, DATASET)
    again = reconcile(store, SCHEMA, DATASET)
    assert (again.recomputed, again.unchanged, again.changed_segments) == (0, 2, [])
    before = _consensus(store)
    # annotator-03 changes their mind on the second paragraph: only that segment is recomputed
    add_annotation(store, SEG2, ANNOTATORS[2], [results()[(SEG2, ANNOTATORS[0])][0]])
    third = reconcile(store, SCHEMA, DATASET)
    assert (third.recomputed, third.unchanged, third.changed_segments) == (1, 1, [SEG2])
    after = _consensus(store)
    assert after[SEG1] == before[SEG1]
    assert {r["field"]: r["label"] for r in after[SEG2]["labels"]} == {"sentiment": "negative"}
    # other parameters = other inputs: everything is recomputed
    assert reconcile(store, SCHEMA, DATASET, min_support=1.0).recomputed == 2


def test_new_segments_leave_the_others_rows(store: Store) -> None:
    res = results()
    seed(store, order=[k for k in sorted(res) if k[0] == SEG1])
    assert reconcile(store, SCHEMA, DATASET).changed_segments == [SEG1]
    before = _consensus(store)
    for key in sorted(res):
        if key[0] == SEG2:  # the second paragraph's annotations arrive: only it is new
            add_annotation(store, *key, res[key])
    report = reconcile(store, SCHEMA, DATASET)
    assert (report.recomputed, report.unchanged, report.changed_segments) == (1, 1, [SEG2])
    after = _consensus(store)
    assert after[SEG1] == before[SEG1]
    assert reconcile(store, SCHEMA, DATASET).recomputed == 0


def test_dawid_skene_rewrites_only_what_moved(store: Store) -> None:
    seed(store)
    first = reconcile(store, SCHEMA, DATASET, method="dawid-skene")
    assert first.recomputed == 2
    again = reconcile(store, SCHEMA, DATASET, method="dawid-skene")
    assert (again.recomputed, again.refit_changed, again.changed_segments) == (0, 0, [])
    rows = _consensus(store)[SEG1]["labels"]
    assert {r["method"] for r in rows} == {"dawid_skene"}


def test_agreement_of_the_dataset(store: Store) -> None:
    seed(store)
    report = commands.agreement(SETTINGS, store, n_boot=50)
    data = to_dict(report)
    fields = {f["field"]: f for f in data["fields"]}
    assert set(fields) >= {"sentiment", "Source.source_type", "Target.sentiment"}
    assert fields["sentiment"]["n_items"] == 2
    assert "krippendorff_alpha_ordinal" in fields["Target.sentiment"]
    assert data["spans"]["span_f1_exact"]["Cue"]["value"] == 1.0
    assert data["spans"]["span_f1_overlap"]["Source"]["value"] == 1.0
    assert data["spans"]["span_f1_exact"]["Source"]["value"] == pytest.approx(1 / 3)
    assert 0 < data["triples"]["triple_f1"]["value"] < 1


def test_agreement_counts_quarantined_annotations(store: Store) -> None:
    """A quarantined annotation is left out of the figures and counted in the report, per
    annotator; so are the annotations used whose result pull repaired."""
    seed(store)

    def annotation(segment: str, who: str) -> Select[m.Annotation]:
        return (
            select(m.Annotation)
            .join(m.Task, m.Task.id == m.Annotation.task_id)
            .join(m.Annotator, m.Annotator.id == m.Annotation.annotator_id)
            .where(m.Task.segment_id == segment, m.Annotator.pseudonym == who)
        )

    with store.session() as s:
        # entries made first, as pull leaves them: notes planted on a stale entry would be
        # made again with it (`entries.refresh`)
        refresh(s, DATASET, SCHEMA)
        s.scalars(annotation(SEG2, ANNOTATORS[2])).one().status = "quarantined"
        for who in ANNOTATORS[:2]:
            s.scalars(annotation(SEG1, who)).one().repairs = [{"repair": "whitespace"}]
        # a repaired annotation that is itself quarantined is not among those used
        s.scalars(annotation(SEG2, ANNOTATORS[2])).one().repairs = [{"repair": "x"}]
    report = commands.agreement(SETTINGS, store, n_boot=0)
    assert report.quarantined == {ANNOTATORS[2]: 1}
    # the two planted, and annotator-03's of SEG1: the parser trims its Content's quotation
    # marks, a repair noted when its entry was made
    assert report.repaired == 3
    sentiment = next(f for f in report.fields if f.field == "sentiment").agreement
    assert sentiment.n_labels == 5  # SEG2 has two sentiment labels left, SEG1 three
    assert report.n_items == 2
    data = to_dict(report)
    assert (data["quarantined"], data["quarantined_by_annotator"], data["repaired"]) == (
        1,
        {ANNOTATORS[2]: 1},
        3,
    )
    html = to_html(report)
    assert f"Quarantined annotations left out: 1 ({ANNOTATORS[2]}: 1)" in html
    assert "Annotations repaired by pull (used as repaired): 3." in html


KEYS = sorted(results())


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(KEYS), annotators=st.permutations(ANNOTATORS))
def test_consensus_does_not_depend_on_insertion_order(
    tmp_path: Path, order: list[tuple[str, str]], annotators: list[str]
) -> None:
    """Annotations and annotators inserted in any order give identical consensus rows."""
    got = []
    for keys, anns in ((KEYS, list(ANNOTATORS)), (order, annotators)):
        store = open_store(f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}")
        try:
            seed(store, keys, anns)
            reconcile(store, SCHEMA, DATASET, method="dawid-skene")
            got.append(_consensus(store))
        finally:
            store.close()
    assert got[0] == got[1]
