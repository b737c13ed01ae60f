"""Deterministic stores for the golden releases and the property tests, built only through
public entry points: `corpus.ingest`/`segment` for articles, store rows for what `push` and
`adjudicate pull` would record, `pull_from_file` for annotations (so repairs and quarantine
are the pull's own), `reconcile`, and `export_dataset`.

Everything that would vary is fixed: file paths are relative to the folder the store is built
in, Label Studio ids and timestamps are counters from T0, and releases are written at NOW.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from workbench import corpus
from workbench.config import Settings
from workbench.pull import pull_from_file
from workbench.samples import read_samples, to_result
from workbench.schema import Schema, load_schema, parse_schema
from workbench.store import Store
from workbench.store.models import (
    Adjudication,
    AdjudicationProject,
    Article,
    Dataset,
    Segment,
    Task,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
LS_URL = "http://127.0.0.1:8080"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def news_schema() -> Schema:
    return load_schema(ROOT / "schemas" / "news-v1.yaml")


def team_schema() -> Schema:
    """news-v1 plus task-level questions of the other kinds: several choices, a taxonomy."""
    text = (ROOT / "schemas" / "news-v1.yaml").read_text(encoding="utf-8")
    text = text.replace("id: news-v1", "id: news-team", 1).replace("guidelines: news-v1.md\n", "")
    text += """
  - name: topics
    description: What the segment is about.
    multiple: true
    choices:
      - {value: politics, hotkey: q}
      - {value: economy, hotkey: r}
      - {value: security, hotkey: s}
  - name: category
    kind: taxonomy
    description: Where the segment belongs.
    choices:
      - {value: News, hotkey: y, children: [{value: Local, hotkey: g}, {value: World, hotkey: h}]}
      - {value: Opinion, hotkey: j}
"""
    return parse_schema(text)


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """Ingest from inside `folder`: articles' source paths are then relative to it."""
    with contextlib.chdir(folder):
        yield


def add_articles(store: Store, folder: Path, files: dict[str, str]) -> None:
    """Write `files` (name → text) under folder/articles/ and ingest and segment them."""
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / "articles" / name).write_text(text, encoding="utf-8")
    with _inside(folder):
        report = corpus.ingest(store, [Path("articles")])
    assert not report.errors, [r.message for r in report.errors]
    corpus.segment(store)


def ensure_tasks(store: Store, dataset: str, schema: Schema) -> dict[str, tuple[int, str]]:
    """The dataset's row and a pushed task per current segment, as `push` records them;
    returns segment id → (Label Studio task id, text)."""
    with store.session() as s:
        if s.get(Dataset, dataset) is None:
            s.add(
                Dataset(
                    name=dataset,
                    unit="paragraph",
                    overlap=3,
                    label_studio_url=LS_URL,
                    project_id=7,
                    schema_id=schema.id,
                    schema_version=schema.version,
                    schema_json=schema.to_dict(),
                    created_at=T0,
                    updated_at=T0,
                )
            )
            s.flush()
        have = {t.segment_id: t.ls_task_id for t in s.scalars(sa.select(Task))}
        rows = s.execute(
            sa.select(Segment.id, Segment.text)
            .join(Article, Article.id == Segment.article_id)
            .where(Article.is_current.is_(True), Segment.retired_at.is_(None))
            .order_by(Article.source_path, Segment.position)
        ).all()
        out: dict[str, tuple[int, str]] = {}
        for sid, text in rows:
            if sid not in have:
                have[sid] = len(have) + 1
                s.add(
                    Task(
                        dataset=dataset,
                        segment_id=sid,
                        ls_task_id=have[sid],
                        state="pushed",
                        schema_version=schema.version,
                        pushed_at=T0,
                    )
                )
            out[sid] = (int(have[sid]), text)  # type: ignore[arg-type]
    return out


@dataclass
class Ann:
    """One annotation in a Label Studio export: on the task of `segment`, by user `user`."""

    segment: str
    user: int
    result: list[dict[str, Any]]
    id: int = 0
    lead_time: float = 10.0
    was_cancelled: bool = False
    edited: int = 0  # seconds after creation it was last updated


def load_annotations(
    store: Store, folder: Path, dataset: str, schema: Schema, anns: Sequence[Ann], name: str
) -> None:
    """`anns` as a Label Studio JSON export file, loaded with `pull_from_file`."""
    tasks = ensure_tasks(store, dataset, schema)
    by_task: dict[int, dict[str, Any]] = {}
    for n, a in enumerate(anns):
        ls_task, text = tasks[a.segment]
        created = T0 + timedelta(seconds=a.id or n + 1)
        when, updated = (
            (x).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            for x in (created, created + timedelta(hours=a.edited))
        )
        task = by_task.setdefault(
            ls_task,
            {"id": ls_task, "data": {"text": text, "segment_id": a.segment}, "annotations": []},
        )
        task["annotations"].append(
            {
                "id": a.id or n + 1,
                "completed_by": {"id": a.user, "email": f"user{a.user}@example.org"},
                "result": a.result,
                "was_cancelled": a.was_cancelled,
                "ground_truth": False,
                "lead_time": a.lead_time,
                "created_at": when,
                "updated_at": updated,
            }
        )
    path = folder / name
    path.write_text(json.dumps([by_task[k] for k in sorted(by_task)], indent=1), encoding="utf-8")
    settings = Settings(home=folder / ".workbench", dataset=dataset)
    pull_from_file(settings, store, path, dataset=dataset, schema=schema)


def adjudicate(
    store: Store, dataset: str, segment: str, decision: list[dict[str, Any]], user: int
) -> None:
    """An adjudicator's decision on a segment, as `adjudicate pull` stores it."""
    with store.session() as s:
        if s.get(AdjudicationProject, dataset) is None:
            s.add(AdjudicationProject(dataset=dataset, label_studio_url=LS_URL, project_id=8))
        n = len(s.scalars(sa.select(Adjudication.id)).all()) + 1
        s.add(
            Adjudication(
                dataset=dataset,
                segment_id=segment,
                field="*",
                decision=decision,
                adjudicator_email=f"user{user}@example.org",
                adjudicator_ls_user_id=user,
                decided_at=T0 + timedelta(days=1, seconds=n),
                ls_project_id=8,
                ls_task_id=n,
                ls_annotation_id=9000 + n,
                pulled_at=T0 + timedelta(days=1, seconds=n),
            )
        )


def segment_texts(store: Store) -> dict[str, str]:
    with store.session() as s:
        return dict(s.execute(sa.select(Segment.id, Segment.text)).all())  # type: ignore[arg-type]


def find(store: Store, start: str) -> str:
    """The id of the one segment whose text starts with `start`."""
    ids = [sid for sid, text in segment_texts(store).items() if text.startswith(start)]
    assert len(ids) == 1, (start, ids)
    return ids[0]


# -- the two golden stores ------------------------------------------------------------------


def build_seed_store(store: Store, folder: Path) -> Schema:
    """The five seed articles with the repository's sample annotations, as `workbench up`
    loads them (three sample annotators, Label Studio user ids 1-3), in dataset "news"."""
    schema = news_schema()
    shutil.copytree(SEEDS, folder / "seeds", ignore=shutil.ignore_patterns("*.yaml"))
    with _inside(folder):
        corpus.ingest(store, [Path("seeds")])
    corpus.segment(store)
    data = read_samples(SEEDS / "sample-annotations.yaml")
    user = {email: k + 1 for k, email in enumerate(data["annotators"])}
    texts = segment_texts(store)
    anns: list[Ann] = []
    for n, entry in enumerate(data["segments"]):
        sid = find(store, entry["find"])
        for email, spec in entry["annotations"].items():
            result = to_result(schema, texts[sid], spec, f"segments[{n}] {email}")
            anns.append(Ann(sid, user[email], result, id=len(anns) + 1))
    load_annotations(store, folder, "news", schema, anns, "seed-export.json")
    return schema


ARTICLES = {
    "a1.txt": (
        "Khan to visit Moscow\n\nBy A. Writer\n\n"
        "According to Foreign Minister Shah Mahmood Qureshi, the visit will be an important "
        "milestone in bilateral relations.\n\n"
        "Analysts said the trip could strain ties with Washington.\n\n"
        "Markets were calm on Monday."
    ),
    "a2.txt": (
        "Ministry denies report\n\n"
        "The ministry denied the report on Tuesday, a spokesperson told reporters.\n\n"
        "“We have no such plans,” the spokesperson said."
    ),
    "a3.txt": (
        "Talks in Moscow\n\n"
        "Officials in Moscow called the talks constructive and promised more meetings.\n\n"
        "Critics said the talks achieved nothing."
    ),
}


def region(
    text: str, rid: str, label: str, sub: str, *, trail: str = "", **attrs: str
) -> list[dict[str, Any]]:
    """A labelled span (found by its text) and its attribute choices, as Label Studio writes
    them; `trail` widens value.text beyond the offsets (a quirk the pull repairs)."""
    start = text.index(sub)
    value = {"start": start, "end": start + len(sub), "text": sub + trail}
    out = [
        {
            "id": rid,
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {**value, "labels": [label]},
        }
    ]
    for name, choice in attrs.items():
        out.append(
            {
                "id": rid,
                "from_name": f"{label.lower()}_{name}",
                "to_name": "text",
                "type": "choices",
                "value": {**value, "choices": [choice]},
            }
        )
    return out


def rel(a: str, kind: str, b: str, direction: str = "right") -> dict[str, Any]:
    return {"type": "relation", "from_id": a, "to_id": b, "direction": direction, "labels": [kind]}


def choice(name: str, *values: str) -> dict[str, Any]:
    return {
        "id": f"{name}-q",
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": list(values)},
    }


def taxonomy(*path: str) -> dict[str, Any]:
    return {
        "id": "category-q",
        "from_name": "category",
        "to_name": "text",
        "type": "taxonomy",
        "value": {"taxonomy": [list(path)]},
    }


def build_synthetic_store(store: Store, folder: Path) -> Schema:
    """Three articles, four annotators (user ids 11-14) who disagree on spans, attributes,
    relations, sentiment, topics and category; one segment adjudicated; one annotation
    quarantined (an offset past the text), one repaired (value.text with a trailing space and
    a relation drawn leftwards), one cancelled, one revised by a second pull."""
    schema = team_schema()
    add_articles(store, folder, ARTICLES)
    t = segment_texts(store)
    s1 = find(store, "According to")
    s2 = find(store, "Analysts said")
    s3 = find(store, "The ministry denied")
    s4 = find(store, "“We have no such plans")
    s5 = find(store, "Officials in Moscow")
    s6 = find(store, "Critics said")

    def full1(claim: str, src: str = "Foreign Minister Shah Mahmood Qureshi") -> list[Any]:
        x = t[s1]
        return [
            *region(x, "c", "Cue", "According to"),
            *region(x, "s", "Source", src, source_type="official"),
            *region(
                x,
                "q",
                "Content",
                "the visit will be an important milestone in bilateral relations",
                quote_type="indirect",
            ),
            *region(
                x,
                "k",
                "Claim",
                "the visit will be an important milestone",
                claim_type=claim,
                checkworthy="no",
            ),
            rel("q", "attributed_to", "s"),
            rel("c", "cue_of", "q"),
            choice("sentiment", "positive"),
            choice("topics", "politics"),
            taxonomy("News", "World"),
        ]

    x2, x3, x4, x5, x6 = t[s2], t[s3], t[s4], t[s5], t[s6]
    anns = [
        Ann(s1, 11, full1("prediction")),
        Ann(s1, 12, full1("prediction", "Shah Mahmood Qureshi")),
        Ann(
            s1,
            13,
            [
                *full1("opinion")[:-3],
                choice("sentiment", "neutral"),
                choice("topics", "politics", "security"),
                taxonomy("News"),
            ],
        ),
        Ann(
            s2,
            11,
            [
                *region(x2, "s", "Source", "Analysts", source_type="analyst"),
                *region(x2, "c", "Cue", "said"),
                *region(
                    x2,
                    "q",
                    "Content",
                    "the trip could strain ties with Washington",
                    quote_type="indirect",
                ),
                rel("q", "attributed_to", "s"),
                rel("c", "cue_of", "q"),
                choice("sentiment", "negative"),
                choice("topics", "politics", "economy"),
                taxonomy("News", "World"),
            ],
        ),
        # repaired: value.text runs past the offsets; the relation is drawn leftwards
        Ann(
            s2,
            12,
            [
                *region(x2, "s", "Source", "Analysts", trail=" ", source_type="unnamed"),
                *region(
                    x2,
                    "q",
                    "Content",
                    "the trip could strain ties with Washington",
                    quote_type="indirect",
                ),
                rel("s", "attributed_to", "q", "left"),
                choice("sentiment", "negative"),
                choice("topics", "politics"),
                taxonomy("News", "World"),
            ],
        ),
        Ann(
            s2,
            14,
            [
                *region(x2, "s", "Source", "Analysts", source_type="analyst"),
                choice("sentiment", "mixed"),
                choice("topics", "economy"),
                taxonomy("Opinion"),
            ],
        ),
        Ann(
            s3,
            11,
            [
                *region(x3, "s", "Source", "The ministry", source_type="official"),
                *region(x3, "c", "Cue", "denied"),
                choice("sentiment", "negative"),
                taxonomy("News", "Local"),
            ],
        ),
        Ann(
            s3,
            13,
            [
                *region(x3, "s", "Source", "a spokesperson", source_type="official"),
                *region(x3, "c", "Cue", "told"),
                choice("sentiment", "neutral"),
                taxonomy("News", "Local"),
            ],
        ),
        # quarantined: a span past the end of the text
        Ann(
            s3,
            14,
            [
                {
                    "id": "x",
                    "from_name": "label",
                    "to_name": "text",
                    "type": "labels",
                    "value": {"start": 4, "end": 4000, "labels": ["Cue"]},
                },
                choice("sentiment", "negative"),
            ],
        ),
        Ann(
            s4,
            12,
            [
                *region(x4, "q", "Content", "We have no such plans", quote_type="direct"),
                *region(x4, "s", "Source", "the spokesperson", source_type="official"),
                *region(x4, "c", "Cue", "said"),
                rel("q", "attributed_to", "s"),
                rel("c", "cue_of", "q"),
                choice("sentiment", "negative"),
            ],
        ),
        Ann(
            s4,
            13,
            [
                *region(x4, "q", "Content", "We have no such plans", quote_type="direct"),
                *region(x4, "s", "Source", "the spokesperson", source_type="official"),
                rel("q", "attributed_to", "s"),
                choice("sentiment", "positive"),
            ],
        ),
        Ann(
            s5,
            11,
            [
                *region(x5, "s", "Source", "Officials in Moscow", source_type="official"),
                *region(x5, "t", "Target", "Moscow", sentiment="positive"),
                choice("sentiment", "positive"),
                choice("topics", "politics"),
                taxonomy("News", "World"),
            ],
        ),
        Ann(
            s5,
            12,
            [
                *region(x5, "s", "Source", "Officials in Moscow", source_type="official"),
                choice("sentiment", "positive"),
                choice("topics", "politics"),
                taxonomy("News", "World"),
            ],
        ),
        Ann(s5, 14, [choice("sentiment", "positive")], was_cancelled=True),
        Ann(
            s6,
            13,
            [
                *region(x6, "s", "Source", "Critics", source_type="other"),
                *region(x6, "c", "Cue", "said"),
                choice("sentiment", "negative"),
                taxonomy("Opinion"),
            ],
        ),
        Ann(
            s6,
            14,
            [
                *region(x6, "s", "Source", "Critics", source_type="unnamed"),
                choice("sentiment", "mixed"),
                taxonomy("Opinion"),
            ],
        ),
    ]
    for n, a in enumerate(anns):
        a.id, a.lead_time = 100 + n, 5.0 + n
    load_annotations(store, folder, "team", schema, anns, "team-export-1.json")
    # A second export: annotator 14 revised their answer on s6 (a new revision of the same id).
    revised = next(a for a in anns if a.segment == s6 and a.user == 14)
    revised.result = [*revised.result[:-2], choice("sentiment", "negative"), taxonomy("Opinion")]
    revised.lead_time, revised.edited = 30.0, 2
    load_annotations(store, folder, "team", schema, anns, "team-export-2.json")
    # The split sentiment of s4 (one negative, one positive) goes to an adjudicator.
    adjudicate(store, "team", s4, [choice("sentiment", "negative")], user=13)
    return schema


def extend_synthetic_store(store: Store, folder: Path, schema: Schema) -> None:
    """A later state of the synthetic store: a new article, annotated by two annotators who
    agree, and annotator 12 changing their mind on s5's sentiment (a changed label)."""
    add_articles(
        store,
        folder,
        {"a4.txt": "Pipeline deal signed\n\nThe energy minister said the deal was signed."},
    )
    s7 = find(store, "The energy minister")
    x7 = segment_texts(store)[s7]
    spans = [
        *region(x7, "s", "Source", "The energy minister", source_type="official"),
        *region(x7, "c", "Cue", "said"),
        *region(x7, "q", "Content", "the deal was signed", quote_type="indirect"),
        rel("q", "attributed_to", "s"),
        rel("c", "cue_of", "q"),
        choice("sentiment", "neutral"),
        choice("topics", "economy"),
        taxonomy("News", "World"),
    ]
    s5 = find(store, "Officials in Moscow")
    x5 = segment_texts(store)[s5]
    anns = [
        Ann(s7, 11, spans, id=300),
        Ann(s7, 12, spans, id=301),
        Ann(
            s5,
            12,
            [
                *region(x5, "s", "Source", "Officials in Moscow", source_type="official"),
                choice("sentiment", "neutral"),
                choice("topics", "politics"),
                taxonomy("News", "World"),
            ],
            id=112,
            lead_time=17.0,
            edited=3,
        ),
        Ann(s5, 13, [choice("sentiment", "neutral")], id=302),
    ]
    load_annotations(store, folder, "team", schema, anns, "team-export-3.json")
