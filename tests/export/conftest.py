"""A small, realistic annotated corpus for the export tests: three articles, four segments,
three pseudonymous annotators (with emails and Label Studio user ids that must never leak),
spans with attributes, relations, consensus and one adjudication.

`World` can be turned into a `ReleaseData` directly (pure tests) or inserted into a store
(collect tests); both must give the same release bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from workbench.annotation.clean import canonical_json, clean_result
from workbench.export import ReleaseData, frame
from workbench.schema import Schema, load_schema

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok_SECRET_5f1e2d3c4b5a69788796a5b4c3d2e1f0"
LS_URL = "http://127.0.0.1:8089"

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

    def release_data(self) -> ReleaseData:
        """What `collect` must produce from this world in a store."""
        pseud = [a[0] for a in ANNOTATORS]
        keep = {a[0] for a in self.annotations}
        return ReleaseData(
            dataset="news",
            schema=self.schema,
            label_studio_url=LS_URL,
            project_id=7,
            articles=frame(
                "articles",
                [
                    {**a, "split_group": a["article_id"]}
                    for a in self.articles
                    if any(s.article_id == a["article_id"] and s.id in keep for s in self.segments)
                ],
            ),
            segments=frame(
                "segments",
                [
                    {
                        "segment_id": s.id,
                        "article_id": s.article_id,
                        "position": s.position,
                        "start": s.start,
                        "end": s.end,
                        "text": s.text,
                    }
                    for s in self.segments
                    if s.id in keep
                ],
            ),
            labels=frame(
                "labels",
                [
                    {
                        "segment_id": r["segment_id"],
                        "field": r["field"],
                        "label": r["label"],
                        "support": r["support"],
                        "confidence": r["confidence"],
                        "n_annotators": 3,
                        "method": "majority",
                        "status": r["status"],
                    }
                    for r in self.labels
                ],
            ),
            spans=frame(
                "spans",
                [
                    {
                        "segment_id": r["segment_id"],
                        "span_id": r["key"],
                        "label": r["label"],
                        "start": r["start"],
                        "end": r["end"],
                        "attrs": r["attrs"],
                        "support": r["support"],
                        "confidence": len(r["support"]) / 3,
                        "n_annotators": 3,
                        "exact": True,
                        "adjudicated": r["status"] == "adjudicated",
                    }
                    for r in self.spans
                    if r["status"] != "undecided"
                ],
            ),
            relations=frame(
                "relations",
                [
                    {
                        "segment_id": r["segment_id"],
                        "kind": r["kind"],
                        "from_id": r["from_key"],
                        "to_id": r["to_key"],
                        "support": r["support"],
                        "confidence": len(r["support"]) / 3,
                    }
                    for r in self.relations
                ],
            ),
            annotations=frame(
                "annotations",
                [
                    {
                        "segment_id": sid,
                        "annotator": pseud[i],
                        "annotation_id": ls_id,
                        "lead_time": 12.5,
                        "result": clean_result(result),
                    }
                    for sid, i, ls_id, result in self.annotations
                ],
            ),
            adjudications=frame(
                "adjudications",
                [
                    {
                        "segment_id": r["segment_id"],
                        "target": r["field"],
                        "kind": "segment" if r["field"] == "*" else "field",
                        "decision": canonical_json(clean_result(r["decision"])),
                        "adjudicator": pseud[r["adjudicator"]],
                        "note": None,
                    }
                    for r in self.adjudications
                ],
            ),
            reconcile_info={"consensus method(s)": "majority (min support 0.5)"},
        )


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
