"""A small, realistic annotated corpus for the export tests: three articles, four segments,
three pseudonymous annotators (with emails and Label Studio user ids that must never leak),
spans with attributes, relations, consensus and one adjudication.

`insert_world` stores a `World` as the push/pull/reconcile steps would have (with rows that
must stay out of a release); `make_release` exports it from a SQLite store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from workbench.annotation.clean import canonical_result
from workbench.export import export_dataset
from workbench.schema import Schema, load_schema
from workbench.store import Store, open_store
from workbench.store.models import (
    Adjudication,
    AdjudicationProject,
    Annotation,
    Annotator,
    Article,
    ConsensusLabel,
    ConsensusRelation,
    ConsensusSpan,
    Dataset,
    ReconcileState,
    Segment,
    Task,
)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok_SECRET_5f1e2d3c4b5a69788796a5b4c3d2e1f0"
LS_URL = "http://127.0.0.1:8089"
SECRET_URL = f"http://admin:{TOKEN}@127.0.0.1:8089/?token={TOKEN}"
T0 = datetime(2026, 1, 1, tzinfo=UTC)

ANNOTATORS = [  # (pseudonym, email, Label Studio user id)
    ("ann-01", "alice.annotator@example.org", 918273),
    ("ann-02", "bob.annotator@example.org", 918274),
    ("ann-03", "carol.annotator@example.org", 918275),
]

P1 = (
    "According to Foreign Minister Shah Mahmood Qureshi, “Prime Minister Imran Khan's visit "
    "to Russia will be an important milestone in bilateral relations.”"
)
P2 = "Analysts said the trip could strain ties with Washington."
P3 = "The ministry denied the report on Tuesday, a spokesperson told reporters."
P4 = "Markets were calm."
P5 = "Officials in Moscow called the talks “constructive”."


def _id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def span(text: str, label: str, sub: str, rid: str, **attrs: str) -> dict[str, Any]:
    start = text.index(sub)
    return {"rid": rid, "label": label, "start": start, "end": start + len(sub), "attrs": attrs}


def ls_result(
    spans: list[dict[str, Any]], relations: list[tuple[str, str, str]], sentiment: str | None
) -> list[dict[str, Any]]:
    """A Label Studio result list in the schema's format (see workbench/schema.py)."""
    out: list[dict[str, Any]] = []
    for s in spans:
        out.append(
            {
                "id": s["rid"],
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": s["start"], "end": s["end"], "labels": [s["label"]]},
                "origin": "manual",
                "meta": {"text": ["free text note"]},
            }
        )
        for name, value in s["attrs"].items():
            out.append(
                {
                    "id": s["rid"],
                    "from_name": f"{s['label'].lower()}_{name}",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"start": s["start"], "end": s["end"], "choices": [value]},
                }
            )
    for kind, a, b in relations:
        out.append(
            {"type": "relation", "from_id": a, "to_id": b, "direction": "right", "labels": [kind]}
        )
    if sentiment:
        out.append(
            {
                "id": "sent",
                "from_name": "sentiment",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": [sentiment]},
            }
        )
    return out


@dataclass
class Seg:
    id: str
    article_id: str
    position: int
    start: int
    end: int
    text: str


@dataclass
class World:
    schema: Schema
    articles: list[dict[str, Any]]
    segments: list[Seg]
    # (segment id, annotator index, ls annotation id, result)
    annotations: list[tuple[str, int, int, list[dict[str, Any]]]]
    labels: list[dict[str, Any]]  # segment_id, field, label, support, confidence, status
    spans: list[dict[str, Any]]  # segment_id, key, label, start, end, attrs, support, status
    relations: list[dict[str, Any]]  # segment_id, kind, from_key, to_key, support, status
    adjudications: list[dict[str, Any]]  # segment_id, field, decision, adjudicator index
    extra: dict[str, Any] = field(default_factory=dict)


def key(s: dict[str, Any]) -> str:
    return f"{s['label']}@{s['start']}:{s['end']}"


def build_world(schema: Schema) -> World:
    a1 = {
        "article_id": _id(P1 + P2),
        "title": "Khan to visit Moscow",
        "author": "A. Writer",
        "outlet": "Daily Example",
        "published": "2022-02-20",
        "source_path": "seeds/004.txt",
    }
    a2 = {
        "article_id": _id(P3 + P4),
        "title": "Ministry denies report",
        "author": None,
        "outlet": "Example Times",
        "published": "2022-03-01",
        "source_path": "seeds/005.txt",
    }
    s1 = Seg(_id("s1" + P1), a1["article_id"], 0, 0, len(P1), P1)
    s2 = Seg(_id("s2" + P2), a1["article_id"], 1, len(P1) + 2, len(P1) + 2 + len(P2), P2)
    s3 = Seg(_id("s3" + P3), a2["article_id"], 0, 0, len(P3), P3)
    s4 = Seg(_id("s4" + P4), a2["article_id"], 1, len(P3) + 2, len(P3) + 2 + len(P4), P4)

    content = "Prime Minister Imran Khan's visit to Russia will be an important milestone in bilateral relations."  # noqa: E501
    cue1 = span(P1, "Cue", "According to", "c1")
    src1 = span(P1, "Source", "Foreign Minister Shah Mahmood Qureshi", "s1", source_type="official")
    con1 = span(P1, "Content", content, "q1", quote_type="direct")
    clm1 = span(P1, "Claim", content, "k1", claim_type="prediction", checkworthy="no")
    tgt1 = span(P1, "Target", "Imran Khan", "t1", sentiment="positive")
    rel1 = [("attributed_to", "q1", "s1"), ("cue_of", "c1", "q1")]
    full = [cue1, src1, con1, clm1, tgt1]

    src2 = span(P2, "Source", "Analysts", "s2", source_type="analyst")
    cue2 = span(P2, "Cue", "said", "c2")
    con2 = span(
        P2, "Content", "the trip could strain ties with Washington", "q2", quote_type="indirect"
    )
    rel2 = [("attributed_to", "q2", "s2"), ("cue_of", "c2", "q2")]

    src3 = span(P3, "Source", "The ministry", "s3", source_type="official")
    cue3 = span(P3, "Cue", "denied", "c3")

    annotations = [
        (s1.id, 0, 101, ls_result(full, rel1, "neutral")),
        (s1.id, 1, 102, ls_result(full, rel1, "neutral")),
        (s1.id, 2, 103, ls_result([cue1, src1, con1, clm1], rel1, "positive")),
        (s2.id, 0, 104, ls_result([src2, cue2, con2], rel2, "negative")),
        (s2.id, 1, 105, ls_result([src2, cue2, con2], rel2, "neutral")),
        (s2.id, 2, 106, ls_result([src2, con2], [("attributed_to", "q2", "s2")], "mixed")),
        (s3.id, 0, 107, ls_result([src3, cue3], [], "negative")),
        (s3.id, 1, 108, ls_result([src3], [], "negative")),
        # s4 was never annotated: it is not in the release.
    ]
    three = ["ann-01", "ann-02", "ann-03"]
    labels = [
        {
            "segment_id": s1.id,
            "field": "sentiment",
            "label": "neutral",
            "support": ["ann-01", "ann-02"],
            "confidence": 2 / 3,
            "status": "decided",
        },
        {
            "segment_id": s2.id,
            "field": "sentiment",
            "label": "negative",
            "support": ["ann-01"],
            "confidence": 1 / 3,
            "status": "adjudicated",
        },
        {
            "segment_id": s3.id,
            "field": "sentiment",
            "label": "negative",
            "support": ["ann-01", "ann-02"],
            "confidence": 1.0,
            "status": "decided",
        },
    ]
    spans = []
    for seg, ss, support in (
        (s1, [cue1, src1, con1, clm1], three),
        (s1, [tgt1], ["ann-01", "ann-02"]),
        (s2, [src2, con2], three),
        (s2, [cue2], ["ann-01", "ann-02"]),
        (s3, [src3], ["ann-01", "ann-02"]),
    ):
        for x in ss:
            spans.append(
                {
                    "segment_id": seg.id,
                    "key": key(x),
                    "label": x["label"],
                    "start": x["start"],
                    "end": x["end"],
                    "attrs": x["attrs"],
                    "support": support,
                    "status": "decided",
                }
            )
    spans.append(
        {
            "segment_id": s3.id,
            "key": key(cue3),
            "label": "Cue",
            "start": cue3["start"],
            "end": cue3["end"],
            "attrs": {},
            "support": ["ann-01"],
            "status": "undecided",
        }
    )
    relations = [
        {
            "segment_id": s1.id,
            "kind": "attributed_to",
            "from_key": key(con1),
            "to_key": key(src1),
            "support": three,
        },
        {
            "segment_id": s1.id,
            "kind": "cue_of",
            "from_key": key(cue1),
            "to_key": key(con1),
            "support": three,
        },
        {
            "segment_id": s2.id,
            "kind": "attributed_to",
            "from_key": key(con2),
            "to_key": key(src2),
            "support": three,
        },
        {
            "segment_id": s2.id,
            "kind": "cue_of",
            "from_key": key(cue2),
            "to_key": key(con2),
            "support": ["ann-01", "ann-02"],
        },
    ]
    adjudications = [
        {
            "segment_id": s2.id,
            "field": "sentiment",
            "adjudicator": 2,
            "decision": ls_result([], [], "negative"),
        },
    ]
    return World(
        schema, [a1, a2], [s1, s2, s3, s4], annotations, labels, spans, relations, adjudications
    )


def add_third_article(world: World) -> None:
    """A new article with one annotated segment (for later releases)."""
    a3 = {
        "article_id": _id(P5),
        "title": "Talks in Moscow",
        "author": None,
        "outlet": "Wire",
        "published": "2022-03-05",
        "source_path": "seeds/006.txt",
    }
    s5 = Seg(_id("s5" + P5), a3["article_id"], 0, 0, len(P5), P5)
    world.articles.append(a3)
    world.segments.append(s5)
    src = span(P5, "Source", "Officials in Moscow", "s5", source_type="official")
    for i in range(3):
        world.annotations.append((s5.id, i, 200 + i, ls_result([src], [], "positive")))
    world.labels.append(
        {
            "segment_id": s5.id,
            "field": "sentiment",
            "label": "positive",
            "support": ["ann-01", "ann-02", "ann-03"],
            "confidence": 1.0,
            "status": "decided",
        }
    )
    world.spans.append(
        {
            "segment_id": s5.id,
            "key": key(src),
            "label": "Source",
            "start": src["start"],
            "end": src["end"],
            "attrs": {"source_type": "official"},
            "support": ["ann-01", "ann-02", "ann-03"],
            "status": "decided",
        }
    )


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema(ROOT / "schemas" / "news-v1.yaml")


@pytest.fixture
def world(schema: Schema) -> World:
    return build_world(schema)


NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def insert_world(store: Store, world: World) -> None:
    """Everything `world` holds, as the push/pull/reconcile steps would have stored it —
    plus rows that must stay out of a release (old revision, quarantined, deleted, cancelled)."""
    with store.session() as s:
        if s.get(Dataset, "news") is None:
            s.add(
                Dataset(
                    name="news",
                    label_studio_url=SECRET_URL,
                    project_id=7,
                    schema_id="news-v1",
                    schema_version=world.schema.version,
                )
            )
            s.flush()
            for pseud, email, uid in ANNOTATORS:
                s.add(
                    Annotator(label_studio_url=LS_URL, ls_user_id=uid, email=email, pseudonym=pseud)
                )
            s.add(AdjudicationProject(dataset="news", label_studio_url=LS_URL, project_id=8))
        s.flush()
        ann_id = {a.pseudonym: a.id for a in s.scalars(sa.select(Annotator))}
        known_articles = set(s.scalars(sa.select(Article.id)))
        for a in world.articles:
            if a["article_id"] in known_articles:
                continue
            segs = [g for g in world.segments if g.article_id == a["article_id"]]
            text = "\n\n".join(g.text for g in segs)
            s.add(
                Article(
                    id=a["article_id"],
                    source_path=a["source_path"],
                    revision=1,
                    format="txt",
                    title=a["title"],
                    author=a["author"],
                    outlet=a["outlet"],
                    published=a["published"],
                    text=text,
                    raw=text,
                    raw_sha256="0" * 64,
                )
            )
            s.flush()
            for g in segs:
                assert text[g.start : g.end] == g.text
                s.add(
                    Segment(
                        id=g.id,
                        article_id=g.article_id,
                        unit="paragraph",
                        position=g.position,
                        start=g.start,
                        end=g.end,
                        text=g.text,
                        sentences=[],
                    )
                )
        s.flush()
        task_of = {t.segment_id: t.id for t in s.scalars(sa.select(Task))}
        for g in world.segments:
            if g.id not in task_of:
                task = Task(
                    dataset="news",
                    segment_id=g.id,
                    ls_task_id=len(task_of) + 1,
                    state="pushed",
                    schema_version=world.schema.version,
                )
                s.add(task)
                s.flush()
                task_of[g.id] = task.id
        have = set(s.scalars(sa.select(Annotation.ls_annotation_id)))
        pseud = [a[0] for a in ANNOTATORS]
        for sid, i, ls_id, result in world.annotations:
            if ls_id in have:
                continue
            common = {"dataset": "news", "task_id": task_of[sid], "annotator_id": ann_id[pseud[i]]}
            # An older revision with a different answer: superseded, never exported.
            s.add(
                Annotation(
                    **common,
                    ls_annotation_id=ls_id,
                    revision=1,
                    is_current=False,
                    result=[],
                    lead_time=1.0,
                )
            )
            s.add(
                Annotation(
                    **common,
                    ls_annotation_id=ls_id,
                    revision=2,
                    is_current=True,
                    result=result,
                    lead_time=12.5,
                )
            )
        if 900 not in have:
            sid = world.segments[0].id
            common = {"dataset": "news", "task_id": task_of[sid], "annotator_id": ann_id["ann-01"]}
            s.add(
                Annotation(
                    **common,
                    ls_annotation_id=900,
                    result=[{"bad": 1}],
                    status="quarantined",
                    problems=["bad"],
                )
            )
            s.add(Annotation(**common, ls_annotation_id=901, result=[], deleted_at=T0))
            s.add(Annotation(**common, ls_annotation_id=902, result=[], was_cancelled=True))
        for row in s.new:  # as pull stores them
            if isinstance(row, Annotation):
                row.result_clean = canonical_result(row.result)

        s.execute(sa.delete(ConsensusLabel))
        s.execute(sa.delete(ConsensusSpan))
        s.execute(sa.delete(ConsensusRelation))
        s.execute(sa.delete(ReconcileState))
        for r in world.labels:
            s.add(
                ConsensusLabel(
                    dataset="news",
                    segment_id=r["segment_id"],
                    field=r["field"],
                    span_key="",
                    method="majority",
                    label=r["label"],
                    votes={},
                    support=r["support"],
                    n_annotators=3,
                    confidence=r["confidence"],
                    status=r["status"],
                )
            )
        for r in world.spans:
            s.add(
                ConsensusSpan(
                    dataset="news",
                    segment_id=r["segment_id"],
                    span_key=r["key"],
                    label=r["label"],
                    start=r["start"],
                    end=r["end"],
                    text="",
                    # A Target's attribute is only in its consensus_labels row (below): collect
                    # must merge the two, as reconcile writes both.
                    attrs={} if r["label"] == "Target" else r["attrs"],
                    support=r["support"],
                    n_annotators=3,
                    confidence=len(r["support"]) / 3,
                    exact=True,
                    status=r["status"],
                    regions=[],
                )
            )
            for name, value in r["attrs"].items():
                s.add(
                    ConsensusLabel(
                        dataset="news",
                        segment_id=r["segment_id"],
                        field=f"{r['label']}.{name}",
                        span_key=r["key"],
                        method="majority",
                        label=value,
                        votes={},
                        support=r["support"],
                        n_annotators=3,
                        confidence=1.0,
                        status="decided",
                    )
                )
        for r in world.relations:
            s.add(
                ConsensusRelation(
                    dataset="news",
                    segment_id=r["segment_id"],
                    kind=r["kind"],
                    from_key=r["from_key"],
                    to_key=r["to_key"],
                    support=r["support"],
                    n_annotators=3,
                    confidence=len(r["support"]) / 3,
                    status="decided",
                )
            )
        for g in {r["segment_id"] for r in world.labels}:
            s.add(
                ReconcileState(
                    dataset="news",
                    segment_id=g,
                    input_hash="x",
                    output_hash="y",
                    method="majority",
                    min_support="0.5",
                )
            )
        if s.scalar(sa.select(sa.func.count()).select_from(Adjudication)) == 0:
            for n, r in enumerate(world.adjudications):
                email, uid = ANNOTATORS[r["adjudicator"]][1:]
                s.add(
                    Adjudication(
                        dataset="news",
                        segment_id=r["segment_id"],
                        field=r["field"],
                        decision=r["decision"],
                        adjudicator_email=email,
                        adjudicator_ls_user_id=uid,
                        decided_at=T0,
                        ls_project_id=8,
                        ls_task_id=1,
                        ls_annotation_id=500 + n,
                    )
                )


def make_release(world: World, exports: Path, db: Path | None = None) -> Path:
    """The next release of `world`, inserted into the SQLite store `db` (by default one beside
    `exports`), written under exports/news/ at NOW."""
    store = open_store(f"sqlite:///{db or exports.with_suffix('.db')}")
    try:
        insert_world(store, world)
        result = export_dataset(store, exports, "news", world.schema, stale_consensus=True, now=NOW)
    finally:
        store.close()
    assert result.path is not None
    return result.path
