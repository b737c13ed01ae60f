"""A team's own Label Studio project, as real ones look, against the real server.

The project is not made by workbench: its own label config (span labels under another name, a
relation without ends, multi-select choices, a taxonomy, a rating, a text area, a per-region
choice, and a control the schema does not describe). Several annotators label it through the
API with the quirks real exports carry: a span whose stored text is off its offsets by
whitespace, a relation drawn right-to-left, an untyped one, one annotator twice on a task, a
cancelled annotation, a ground-truth one, and one genuinely broken region. Then: pull (live,
linking the dataset to the project) → what is stored, repaired, counted; reconcile; export.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from workbench import status as status_lib
from workbench.config import Settings, load_settings
from workbench.export.release import export_dataset
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.pull import pull
from workbench.reconcile.commands import agreement
from workbench.reconcile.save import reconcile
from workbench.schema import Schema, label_config, parse_schema
from workbench.store import Annotation, Store
from workbench.store.models import ConsensusLabel, ConsensusRelation, ConsensusSpan

pytestmark = pytest.mark.labelstudio

TEAM_CONFIG = """<View>
  <Header value="Read the paragraph, mark people, organisations and quotes"/>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text">
    <Label value="Person" background="#ff0000" hotkey="p"/>
    <Label value="Organisation" background="#00aa00"/>
    <Label value="Quote" background="#0000ff"/>
  </Labels>
  <Relations>
    <Relation value="said by"/>
  </Relations>
  <View visibleWhen="region-selected" whenLabelValue="Quote">
    <Choices name="stance" toName="text" perRegion="true" whenLabelValue="Quote">
      <Choice value="for"/>
      <Choice value="against"/>
    </Choices>
  </View>
  <Choices name="topics" toName="text" choice="multiple">
    <Choice value="Politics"/>
    <Choice value="Economy"/>
    <Choice value="Health"/>
  </Choices>
  <Taxonomy name="category" toName="text" maxUsages="1">
    <Choice value="News">
      <Choice value="Local"/>
      <Choice value="World"/>
    </Choice>
    <Choice value="Opinion"/>
  </Taxonomy>
  <Rating name="quality" toName="text" maxRating="5"/>
  <TextArea name="comment" toName="text"/>
  <Number name="words" toName="text" min="0"/>
</View>"""

# What `workbench schema import` makes of it, minus the Number (so one control is unknown).
TEAM_SCHEMA = """
id: team-news
title: A team's news project
view: {labels: ner, names: free, hotkeys: optional, layout: plain}
labels:
  - {name: Person, color: "#ff0000", hotkey: p}
  - {name: Organisation, color: "#00aa00"}
  - name: Quote
    color: "#0000ff"
    attributes:
      - {name: stance, control: stance, choices: [{value: for}, {value: against}]}
relations:
  - {name: said by}
segment:
  - {name: topics, multiple: true, choices: [{value: Politics}, {value: Economy}, {value: Health}]}
  - name: category
    kind: taxonomy
    choices:
      - {value: News, children: [{value: Local}, {value: World}]}
      - {value: Opinion}
  - {name: quality, kind: rating, max_value: 5}
  - {name: comment, kind: textarea}
"""

TEXTS = [
    "The mayor, Jane Doe, said the new bridge “will open in spring” and thanked Acme Corp.",
    "Health officials warned that cases could rise again, according to the ministry.",
    "Residents told reporters they were not consulted.",
]


def span(rid: str, label: str, text: str, start: int, end: int, stored: str | None = None) -> Any:
    return {
        "id": rid,
        "from_name": "ner",
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": start,
            "end": end,
            "text": text[start:end] if stored is None else stored,
            "labels": [label],
        },
    }


def task_answer(name: str, kind: str, value: Any) -> Any:
    key = "text" if kind == "textarea" else kind
    return {
        "id": f"{name}-1",
        "from_name": name,
        "to_name": "text",
        "type": kind,
        "value": {key: value},
    }


def relation(a: str, b: str, labels: list[str], direction: str = "right") -> Any:
    return {
        "type": "relation",
        "from_id": a,
        "to_id": b,
        "direction": direction,
        "labels": labels,
    }


@pytest.fixture
def team_project(
    label_studio: ServerInfo, ls_client: LabelStudioClient
) -> tuple[int, list[int], dict[str, int]]:
    """The team's project, three tasks and three annotators: (project, task ids, users)."""
    project = ls_client.create_project(
        title=f"team {uuid.uuid4().hex[:6]}", label_config=TEAM_CONFIG
    )
    task_ids = ls_client.import_tasks(project.id, [{"text": t} for t in TEXTS])
    users = {
        who: ls_client.ensure_user(f"{who}-{uuid.uuid4().hex[:6]}@example.org").id
        for who in ("ana", "ben", "cho")
    }
    return project.id, task_ids, users


def test_a_real_team_project_pulls_reconciles_and_exports(
    team_project: tuple[int, list[int], dict[str, int]],
    ls_client: LabelStudioClient,
    label_studio: ServerInfo,
    store: Store,
    store_url: str,
    tmp_path: Path,
) -> None:
    project, (t1, t2, t3), users = team_project
    text = TEXTS[0]
    jane = text.index("Jane Doe")
    quote = text.index("will open in spring")
    acme = text.index("Acme Corp")
    common = [
        task_answer("topics", "choices", ["Politics", "Economy"]),
        task_answer("category", "taxonomy", [["News", "Local"]]),
        task_answer("quality", "rating", 4),
    ]
    stance = {
        "id": "q1",
        "from_name": "stance",
        "to_name": "text",
        "type": "choices",
        "value": {"start": quote, "end": quote + 19, "choices": ["for"]},
    }
    # ana: the span's stored text is one space off its offsets (Label Studio does this), the
    # relation drawn right-to-left, a free-text comment and a control the schema lacks
    ana_first = ls_client.create_annotation(
        t1,
        [
            span("p1", "Person", text, jane - 1, jane + 8, stored="Jane Doe"),
            span("q1", "Quote", text, quote, quote + 19),
            stance,
            relation("p1", "q1", ["said by"], direction="left"),
            *common,
            task_answer("comment", "textarea", ["mayor quoted"]),
            task_answer("words", "number", 17),
        ],
        users["ana"],
    )
    # ... and then annotates the same task again: the latest counts, the first is superseded
    ana_second = ls_client.create_annotation(
        t1,
        [
            span("p1", "Person", text, jane, jane + 8),
            span("q1", "Quote", text, quote, quote + 19),
            span("o1", "Organisation", text, acme, acme + 9),
            stance,
            relation("q1", "p1", ["said by"]),
            *common,
        ],
        users["ana"],
    )
    # ben: an untyped relation (drawn, type never picked); a stored text with a trailing space
    ls_client.create_annotation(
        t1,
        [
            span("p1", "Person", text, jane, jane + 8, stored="Jane Doe "),
            span("q1", "Quote", text, quote, quote + 19),
            {**stance, "value": {**stance["value"], "choices": ["for"]}},
            relation("q1", "p1", []),
            task_answer("topics", "choices", ["Politics"]),
            task_answer("category", "taxonomy", [["News", "Local"]]),
            task_answer("quality", "rating", 5),
        ],
        users["ben"],
    )
    # cho: a cancelled annotation on task 2, a ground-truth one by ben there, and a genuinely
    # broken region (its text is nowhere near its offsets) on task 3
    ls_client.create_annotation(t2, [], users["cho"], was_cancelled=True)
    ls_client.create_annotation(
        t2,
        [task_answer("topics", "choices", ["Health"]), task_answer("quality", "rating", 3)],
        users["ben"],
        ground_truth=True,
    )
    ls_client.create_annotation(
        t3, [span("x1", "Person", TEXTS[2], 0, 9, stored="The mayor")], users["cho"]
    )
    # ana on task 2, compared with ben's gold there
    ls_client.create_annotation(
        t2,
        [task_answer("topics", "choices", ["Health"]), task_answer("quality", "rating", 4)],
        users["ana"],
    )

    schema = parse_schema(TEAM_SCHEMA)
    settings = settings_for(label_studio, store_url, tmp_path)
    report = pull(settings, store, ls_client, schema=schema, project=project)
    assert report.annotations_new == 7
    assert len(report.quarantined) == 1 and "does not match" in report.quarantined[0].problems[0]
    assert report.repaired == 2 and report.kept_unknown == 1

    with store.session() as s:
        rows = {
            r.ls_annotation_id: r
            for r in s.scalars(sa.select(Annotation).where(Annotation.dataset == "team"))
        }
    first, second = rows[ana_first["id"]], rows[ana_second["id"]]
    assert first.status == "superseded" and second.status == "valid"
    # repaired, recorded, and the entry holds the trusted offsets and the canonical direction
    assert any("offsets" in r for r in first.repairs or [])
    assert any("direction 'left'" in r for r in first.repairs or [])
    assert any("'words' is not in the schema" in w for w in first.warnings or [])
    entry = json.loads(first.result_entry or "{}")
    person = next(sp for sp in entry["spans"] if sp["label"] == "Person")
    assert text[person["start"] : person["end"]] == "Jane Doe"
    assert entry["relations"] == [{"kind": "said by", "from_id": "q1", "to_id": "p1"}]
    assert entry["labels"]["topics"] == ["Economy", "Politics"]
    assert entry["labels"]["category"] == "News/Local" and entry["labels"]["quality"] == 4
    assert entry["labels"]["comment"] == ["mayor quoted"]
    assert entry["other"][0]["from_name"] == "words"
    ben = next(
        r
        for r in rows.values()
        if r.status == "valid"
        and r.ground_truth is False
        and r.repairs
        and any("untyped" in x for x in r.repairs)
    )
    assert json.loads(ben.result_entry or "{}")["relations"][0]["kind"] == "said by"
    assert sum(r.was_cancelled for r in rows.values()) == 1
    assert sum(r.ground_truth for r in rows.values()) == 1

    counts = status_lib.status(store, "team")[0]
    assert (counts.annotations, counts.repaired, counts.superseded) == (4, 1, 1)
    assert (counts.quarantined, counts.skipped, counts.gold) == (1, 1, 1)
    listed = status_lib.problems(store, "team", repaired=True)
    assert sorted(r.kind for r in listed) == ["quarantined", "repaired"]  # ben's untyped one

    # reconcile: the latest of ana's two, and ben's; categorical answers and spans decided
    rec = reconcile(store, schema, "team")
    assert rec.segments == 2
    with store.session() as s:
        labels = {
            (r.segment_id, r.field): r.label
            for r in s.scalars(sa.select(ConsensusLabel).where(ConsensusLabel.dataset == "team"))
        }
        spans = s.scalars(sa.select(ConsensusSpan).where(ConsensusSpan.dataset == "team")).all()
        rels = s.scalars(
            sa.select(ConsensusRelation).where(ConsensusRelation.dataset == "team")
        ).all()
    assert "News/Local" in labels.values()
    # several choices: each value by its own vote; ana {Economy, Politics} and ben {Politics}
    # on task 1 (a share of 0.5 keeps both), {Health} by both on task 2
    assert sorted(v for (_, f), v in labels.items() if f == "topics") == [
        '["Economy","Politics"]',
        '["Health"]',
    ]
    assert {(sp.label, sp.start, sp.end) for sp in spans if sp.status == "decided"} >= {
        ("Person", jane, jane + 8),
        ("Quote", quote, quote + 19),
    }
    assert [r.kind for r in rels if r.status == "decided"] == ["said by"]

    # export: the release holds the free text and the unknown control, and the one vote
    release = export_dataset(store, tmp_path / "exports", "team", schema)
    assert release.path is not None
    records = [
        json.loads(line)
        for line in (release.path / "segments.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    entries = [a for r in records for a in r["annotations"]]
    assert len(entries) == 4  # ana's latest and ben's on task 1, ana's and ben's gold on 2
    assert not any(e.get("other") for e in entries)  # the one with `words` was superseded
    assert pq.read_table(release.path / "annotations.parquet").num_rows == 4
    segments = pq.read_table(release.path / "segments.parquet").to_pylist()
    assert sorted(s["topics"] for s in segments) == ['["Economy","Politics"]', '["Health"]']

    # the gold set: ana against ben's ground-truth annotation of task 2 (rating 4 vs 3)
    figures = agreement(settings, store, dataset="team", n_boot=50)
    (ana,) = [g for g in figures.gold]
    assert ana.n_items == 1 and ana.fields == {"quality": 0.0}
    # several choices: task 1 {Economy, Politics} vs {Politics} = 1/2, task 2 the same set
    other = {(f.field, f.measure): f.metric for f in figures.answers}
    assert other[("topics", "jaccard")].value == 0.75
    assert {("quality", "alpha_interval"), ("category", "alpha[level 2]")} <= set(other)


def settings_for(ls: ServerInfo, store_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        {
            "database_url": store_url,
            "label_studio_url": ls.url,
            "label_studio_api_key": ls.token,
            "dataset": "team",
        },
        cwd=tmp_path,
        environ={},
    )


def test_team_schema_generates_a_config_label_studio_accepts(ls_client: LabelStudioClient) -> None:
    schema: Schema = parse_schema(TEAM_SCHEMA)
    project = ls_client.create_project(title="round trip", label_config=label_config(schema))
    assert ls_client.get_project(project.id).label_config.strip() == label_config(schema).strip()


def test_gold_agreement_counts_each_annotator_against_the_gold_annotation() -> None:
    from workbench.reconcile.extract import Records
    from workbench.reconcile.gold import gold_agreement, gold_of
    from workbench.reconcile.records import Label, Span

    records = Records(
        labels=[
            Label("s1", "gold", "sentiment", "neutral"),
            Label("s1", "a", "sentiment", "neutral"),
            Label("s1", "b", "sentiment", "negative"),
            Label("s2", "gold", "sentiment", "positive"),
            Label("s2", "a", "sentiment", "negative"),
        ],
        spans=[
            Span("s1", "gold", "Source", 0, 4, {}, "g1"),
            Span("s1", "gold", "Cue", 5, 9, {}, "g2"),
            Span("s1", "a", "Source", 0, 4, {}, "a1"),
            Span("s1", "b", "Source", 0, 5, {}, "b1"),
        ],
        coverage={("s1", "gold"), ("s1", "a"), ("s1", "b"), ("s2", "gold"), ("s2", "a")},
    )
    gold = gold_of([("s1", "gold", 9, True), ("s1", "a", 3, False), ("s2", "gold", 4, True)])
    by = {g.annotator: g for g in gold_agreement(records, gold)}
    assert set(by) == {"a", "b"}  # gold is not compared with itself
    assert by["a"].n_items == 2 and by["a"].fields == {"sentiment": 0.5}
    # a: 1 of its 1 spans matches, 1 of gold's 2 found → P 1, R 0.5, F1 2/3
    assert (by["a"].span_precision, by["a"].span_recall, by["a"].span_f1) == (1.0, 0.5, 0.6667)
    assert by["b"].fields == {"sentiment": 0.0} and by["b"].span_f1 == 0.0
