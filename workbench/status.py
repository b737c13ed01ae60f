"""The maintainer's view of annotation progress, and the list of quarantined annotations.

An annotation counts as reconcile counts it: current, not deleted, not a skip
(``was_cancelled``), ``status='valid'`` (not ``superseded`` by the annotator's later one).
Quarantined, skipped and superseded ones are counted apart; repaired (Label Studio quirks the
annotation model fixed) and ground-truth ones among the counted.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, literal, or_, select

from workbench.annotation.tasks import as_utc
from workbench.errors import ConfigError
from workbench.feedback import dataset_links, plain
from workbench.store import (
    Annotation,
    Annotator,
    Article,
    Dataset,
    PullState,
    Segment,
    Store,
    Task,
    ensure_dataset,
    unknown,
)


@dataclass(frozen=True)
class AnnotatorStatus:
    pseudonym: str
    email: str | None
    ls_user_id: int
    annotations: int  # valid, current, not skipped
    skipped: int
    quarantined: int
    median_lead_time: float | None  # seconds, over the counted annotations
    repaired: int = 0  # counted annotations whose result Label Studio quirks were repaired in
    superseded: int = 0  # earlier annotations of a task this annotator annotated again
    gold: int = 0  # ground-truth annotations among the counted ones


@dataclass
class DatasetStatus:
    dataset: str
    project_id: int | None
    label_studio_url: str | None
    unit: str
    overlap: int  # the target: annotators per task
    segments: int
    tasks_pushed: int
    tasks_deleted: int
    annotations: int
    skipped: int
    quarantined: int
    repaired: int
    superseded: int
    gold: int
    complete_tasks: int  # tasks with at least `overlap` annotations
    # how many tasks have 0, 1, 2, … annotations (keys as strings: JSON object keys)
    annotations_per_task: dict[str, int] = field(default_factory=dict)
    annotators: list[AnnotatorStatus] = field(default_factory=list)
    last_pull_at: datetime | None = None
    last_full_pull_at: datetime | None = None


_COUNTS = ("annotations", "skipped", "quarantined", "repaired", "superseded", "gold")


@dataclass(frozen=True)
class ProblemRow:
    dataset: str
    ls_task_id: int | None
    segment_id: str
    ls_annotation_id: int
    revision: int
    annotator: str | None
    problems: list[str]
    kind: str = "quarantined"  # or "repaired": valid, with what was repaired or left unused


def status(store: Store, dataset: str | None = None) -> list[DatasetStatus]:
    """One entry per dataset (or just ``dataset``), in name order."""
    with store.session() as session:
        query = select(Dataset).order_by(Dataset.name)
        if dataset is not None:
            query = query.where(Dataset.name == dataset)
        datasets = list(session.scalars(query))
        if dataset is not None and not datasets:
            raise ConfigError(unknown(session, dataset))
        out = []
        for ds in datasets:
            segments = session.scalar(
                select(func.count())
                .select_from(Segment)
                .join(Article, Article.id == Segment.article_id)
                .where(
                    Segment.unit == ds.unit,
                    Segment.retired_at.is_(None),
                    Article.is_current.is_(True),
                )
            )
            tasks = select(Task.id, Task.state).where(Task.dataset == ds.name)
            states = dict(session.execute(tasks).all())
            pushed = [task_id for task_id, state in states.items() if state == "pushed"]
            rows = session.execute(
                select(
                    Annotation.task_id,
                    Annotation.annotator_id,
                    Annotation.status,
                    Annotation.was_cancelled,
                    Annotation.lead_time,
                    Annotation.repairs.is_not(None),
                    Annotation.ground_truth,
                ).where(
                    Annotation.dataset == ds.name,
                    Annotation.is_current.is_(True),
                    Annotation.deleted_at.is_(None),
                )
            ).all()
            per_task: Counter[int] = Counter()
            tallies: dict[int | None, Counter[str]] = defaultdict(Counter)
            leads: dict[int | None, list[float]] = defaultdict(list)
            for task_id, annotator_id, ann_status, cancelled, lead, repaired, gold in rows:
                tally = tallies[annotator_id]
                if cancelled:
                    tally["skipped"] += 1
                elif ann_status != "valid":
                    tally["superseded" if ann_status == "superseded" else "quarantined"] += 1
                else:
                    per_task[task_id] += 1
                    tally.update(annotations=1, repaired=bool(repaired), gold=bool(gold))
                    if lead is not None:
                        leads[annotator_id].append(float(lead))
            distribution = Counter(per_task.get(t, 0) for t in pushed)
            annotators = []
            for annotator_id, tally in tallies.items():
                who = session.get(Annotator, annotator_id) if annotator_id is not None else None
                annotators.append(
                    AnnotatorStatus(
                        pseudonym=who.pseudonym if who else "(no annotator)",
                        email=who.email if who else None,
                        ls_user_id=who.ls_user_id if who else 0,
                        median_lead_time=(
                            statistics.median(leads[annotator_id]) if leads[annotator_id] else None
                        ),
                        **{k: tally[k] for k in _COUNTS},
                    )
                )
            annotators.sort(key=lambda a: a.pseudonym)
            state = session.get(PullState, ds.name)
            out.append(
                DatasetStatus(
                    dataset=ds.name,
                    project_id=ds.project_id,
                    label_studio_url=ds.label_studio_url,
                    unit=ds.unit,
                    overlap=ds.overlap,
                    segments=segments or 0,
                    tasks_pushed=len(pushed),
                    tasks_deleted=sum(state == "deleted" for state in states.values()),
                    **{k: sum(t[k] for t in tallies.values()) for k in _COUNTS},
                    complete_tasks=sum(n for k, n in distribution.items() if k >= ds.overlap),
                    annotations_per_task={
                        str(k): distribution.get(k, 0)
                        for k in range(max(distribution, default=0) + 1)
                    },
                    annotators=annotators,
                    # aware UTC on both engines (SQLite hands back naive times)
                    last_pull_at=as_utc(state.last_pull_at) if state else None,
                    last_full_pull_at=as_utc(state.last_full_pull_at) if state else None,
                )
            )
        return out


def problems(
    store: Store,
    dataset: str | None = None,
    *,
    repaired: bool = False,
    annotator: str | None = None,
) -> list[ProblemRow]:
    """The current quarantined annotations (not deleted), by dataset, task and annotation;
    with `repaired`, also the valid ones the annotation model repaired or kept controls of
    without using them (their repairs and warnings); with `annotator` (an email or a
    pseudonym), only that person's, worded for them (`workbench.feedback.plain`)."""
    with store.session() as session:
        query = (
            select(Annotation, Task.ls_task_id, Task.segment_id, Annotator.pseudonym)
            .join(Task, Task.id == Annotation.task_id)
            .outerjoin(Annotator, Annotator.id == Annotation.annotator_id)
            .where(
                or_(
                    Annotation.status == "quarantined",
                    (Annotation.status == "valid")
                    & or_(Annotation.repairs.is_not(None), Annotation.warnings.is_not(None))
                    & literal(repaired),
                ),
                Annotation.is_current.is_(True),
                Annotation.deleted_at.is_(None),
            )
            .order_by(Annotation.dataset, Task.ls_task_id, Annotation.ls_annotation_id)
        )
        if dataset is not None:
            ensure_dataset(session, dataset)
            query = query.where(Annotation.dataset == dataset)
        if annotator is not None:
            who = annotator.strip().lower()
            query = query.where(
                or_(func.lower(Annotator.email) == who, Annotator.pseudonym == annotator)
            )
        rows = [
            ProblemRow(
                dataset=ann.dataset,
                ls_task_id=ls_task_id,
                segment_id=segment_id,
                ls_annotation_id=ann.ls_annotation_id,
                revision=ann.revision,
                annotator=pseudonym,
                # an annotator has nothing to do about what the pull repaired
                problems=[
                    str(p)
                    for p in ann.problems
                    or [*((ann.repairs or []) if annotator is None else []), *(ann.warnings or [])]
                ],
                kind="quarantined" if ann.status == "quarantined" else "repaired",
            )
            for ann, ls_task_id, segment_id, pseudonym in session.execute(query).all()
        ]
    if annotator is None:
        return rows
    links = {name: dataset_links(store, name) for name in {r.dataset for r in rows}}
    worded = [
        replace(r, problems=list(dict.fromkeys(plain(p, links[r.dataset]) for p in r.problems)))
        for r in rows
    ]
    return [r for r in worded if r.problems]
