"""A realistic seed-004 paragraph annotated by three annotators, with deliberate disagreements,
inserted straight into the store tables (no Label Studio needed)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from workbench.store import Store
from workbench.store import models as m

DATASET = "news"
URL = "http://ls.test"
PARA = (
    "According to Foreign Minister Shah Mahmood Qureshi, “Prime Minister Imran Khan’s visit to "
    "Russia will be an important milestone in relations between the two countries. During the "
    "visit, there are prospects for progress in some other agreements between the two "
    "countries, including the North-South gas pipeline.”"
)
PARA2 = "Observers in Islamabad said the timing of the visit was unfortunate."
SEG1, SEG2 = "seg004p12", "seg004p13"
ANNOTATORS = ("annotator-01", "annotator-02", "annotator-03")


def span(rid: str, label: str, text: str, part: str, nth: int = 0, **attrs: str) -> list[Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    end = start + len(part)
    out: list[Any] = [
        {
            "id": rid,
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": start, "end": end, "text": part, "labels": [label]},
        }
    ]
    for name, value in attrs.items():
        out.append(
            {
                "id": rid,
                "from_name": f"{label.lower()}_{name}",
                "to_name": "text",
                "type": "choices",
                "value": {"start": start, "end": end, "text": part, "choices": [value]},
            }
        )
    return out


def choice(name: str, value: str) -> dict[str, Any]:
    return {
        "id": f"seg-{name}",
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [value]},
    }


def rel(a: str, b: str, kind: str) -> dict[str, Any]:
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "right", "labels": [kind]}


QUOTE = PARA[PARA.index("“") + 1 : PARA.index("”")]
CLAIM = "Prime Minister Imran Khan’s visit to Russia will be an important milestone"


def results() -> dict[tuple[str, str], list[Any]]:
    """(segment, annotator) → result."""
    a1 = [
        *span("c1", "Cue", PARA, "According to"),
        *span(
            "s1", "Source", PARA, "Foreign Minister Shah Mahmood Qureshi", source_type="official"
        ),
        *span("q1", "Content", PARA, QUOTE, quote_type="direct"),
        *span("k1", "Claim", PARA, CLAIM, claim_type="prediction", checkworthy="yes"),
        *span("t1", "Target", PARA, "Russia", sentiment="positive"),
        rel("q1", "s1", "attributed_to"),
        rel("c1", "q1", "cue_of"),
        choice("sentiment", "positive"),
    ]
    a2 = [
        *span("c2", "Cue", PARA, "According to"),
        *span(
            "s2", "Source", PARA, "Foreign Minister Shah Mahmood Qureshi", source_type="official"
        ),
        *span("q2", "Content", PARA, QUOTE, quote_type="direct"),
        *span("t2", "Target", PARA, "Russia", sentiment="neutral"),
        rel("q2", "s2", "attributed_to"),
        rel("c2", "q2", "cue_of"),
        choice("sentiment", "positive"),
    ]
    a3 = [
        *span("c3", "Cue", PARA, "According to"),
        *span("s3", "Source", PARA, "Shah Mahmood Qureshi", source_type="analyst"),
        *span("q3", "Content", PARA, "“" + QUOTE + "”", quote_type="mixed"),
        *span("t3", "Target", PARA, "Russia", sentiment="negative"),
        rel("q3", "s3", "attributed_to"),
        choice("sentiment", "neutral"),
    ]
    b = {
        ANNOTATORS[0]: [choice("sentiment", "negative")],
        ANNOTATORS[1]: [choice("sentiment", "neutral")],
        ANNOTATORS[2]: [choice("sentiment", "positive")],
    }
    out = {(SEG1, ANNOTATORS[i]): r for i, r in enumerate((a1, a2, a3))}
    out |= {(SEG2, a): r for a, r in b.items()}
    return out


def seed(
    store: Store,
    order: Sequence[tuple[str, str]] | None = None,
    annotator_order: Iterable[str] = ANNOTATORS,
) -> None:
    """Article, segments, dataset, tasks, annotators and one annotation per (segment,
    annotator), inserted in `order` (default: sorted)."""
    res = results()
    with store.session() as s:
        text = f"Title\n\n{PARA}\n\n{PARA2}"
        s.add(
            m.Article(
                id="a004",
                source_path="seeds/004.txt",
                revision=1,
                format="txt",
                title="Pakistan and Russia",
                text=text,
                raw=text,
                raw_sha256=hashlib.sha256(text.encode()).hexdigest(),
            )
        )
        s.flush()
        for pos, (sid, t) in enumerate(((SEG1, PARA), (SEG2, PARA2))):
            start = text.index(t)
            s.add(
                m.Segment(
                    id=sid,
                    article_id="a004",
                    unit="paragraph",
                    position=pos,
                    start=start,
                    end=start + len(t),
                    text=t,
                    sentences=[],
                )
            )
        s.add(m.Dataset(name=DATASET, project_id=1, label_studio_url=URL))
        s.flush()
        for n, sid in enumerate((SEG1, SEG2), start=1):
            s.add(
                m.Task(
                    dataset=DATASET,
                    segment_id=sid,
                    ls_task_id=100 + n,
                    state="pushed",
                    schema_version="v",
                )
            )
        for a in annotator_order:
            uid = int(a[-2:])
            s.add(m.Annotator(label_studio_url=URL, ls_user_id=uid, pseudonym=a))
        s.flush()
    for key in order or sorted(res):
        add_annotation(store, key[0], key[1], res[key])


def add_annotation(store: Store, segment: str, annotator: str, result: list[Any]) -> None:
    """A new current revision of (segment, annotator)'s annotation (the old one kept)."""
    with store.session() as s:
        task = s.scalars(select(m.Task).where(m.Task.segment_id == segment)).one()
        who = s.scalars(select(m.Annotator).where(m.Annotator.pseudonym == annotator)).one()
        ls_id = 1000 + int(annotator[-2:]) * 10 + task.ls_task_id % 100  # type: ignore[operator]
        old = s.scalars(
            select(m.Annotation).where(
                m.Annotation.ls_annotation_id == ls_id, m.Annotation.is_current.is_(True)
            )
        ).one_or_none()
        revision = 1
        if old is not None:
            old.is_current = False
            revision = old.revision + 1
            s.flush()
        s.add(
            m.Annotation(
                dataset=DATASET,
                task_id=task.id,
                ls_annotation_id=ls_id,
                revision=revision,
                is_current=True,
                annotator_id=who.id,
                result=result,
            )
        )
