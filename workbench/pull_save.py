"""Saving what pull read (Label Studio task records) as the store's tasks, annotations,
predictions and annotators: one code path for `workbench.pull` and `workbench.pull_file`
(what it guarantees: README, "Pull").

A change to anything kept about an annotation makes a new revision, unless the data is older
than what is stored (a stale export). A stored annotation its task no longer lists is marked
deleted when the source is the authority (`SaveContext.follow_deletions`). Each new revision
is parsed once, under the dataset's schema, and stored with the parse and the dataset's
``schema_version`` at pull time (Label Studio does not say it). New people get the next
store-wide pseudonym in order of first annotation (`workbench.pseudonyms`), so a live pull and
an import of the same project agree. Unknown tasks become an article + one ``article``-unit
segment + a task (source ``<source_prefix>#<task id>``), so a team's own project can be
reconciled.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from workbench import pseudonyms
from workbench.annotation import Parsed, parser_key
from workbench.annotation.clean import LONE_SURROGATE, canonical_json, canonical_result
from workbench.annotation.tasks import (
    AnnotationRecord,
    TaskRecord,
    as_utc,
    parse_record,
    parse_task,
)
from workbench.corpus import add_revision
from workbench.entries import stored_columns
from workbench.schema import Schema
from workbench.schema.dialogue import render as render_dialogue
from workbench.segment import segment_id, split_sentences
from workbench.store import Annotation, Article, Dataset, Prediction, Segment, Task
from workbench.store.models import utcnow


@dataclass(frozen=True)
class Quarantined:
    ls_task_id: int
    ls_annotation_id: int
    revision: int
    annotator: str | None
    problems: list[str]


@dataclass
class PullReport:
    dataset: str
    source: str
    full: bool = False
    scanned_task_ids: bool = False
    tasks_read: int = 0
    tasks_created: int = 0
    annotations_new: int = 0
    annotations_revised: int = 0
    annotations_deleted: int = 0
    annotations_unchanged: int = 0
    tasks_deleted: int = 0
    predictions_changed: int = 0
    predictions_deleted: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    cursor: str | None = None
    repaired: int = 0  # new revisions the annotation model repaired Label Studio quirks in
    kept_unknown: int = 0  # new revisions with results of controls the schema does not know
    feedback_written: int = 0  # tasks whose message to their annotators was set or cleared
    requalified: int = 0  # quarantined revisions, unchanged, that the model now reads

    @property
    def changed(self) -> int:
        deleted = self.annotations_deleted + self.tasks_deleted + self.predictions_deleted
        return self.annotations_new + self.annotations_revised + self.predictions_changed + deleted


@dataclass
class SaveContext:
    dataset: str
    schema: Schema
    schema_version: str | None
    annotator_server: str
    source_prefix: str  # source_path prefix of articles made for tasks the store did not know
    email_of: Callable[[int], str | None]
    follow_deletions: bool
    report: PullReport
    now: datetime = field(default_factory=utcnow)
    #: a live pull: record each applied task's updated_at (``tasks.ls_updated_at``)
    task_times: bool = False
    #: a new or newly linked dataset row, saved with the first batch: a pull refused or
    #: failed before it leaves the store as it was
    unsaved: Dataset | None = None
    entry_key: str = field(init=False)

    def __post_init__(self) -> None:
        self.entry_key = parser_key(self.schema)


def new_dataset(name: str, schema: Schema, overlap: int) -> Dataset:
    """The row of a dataset first seen through a pull (a team's project, or an export)."""
    return Dataset(
        name=name,
        unit="article",
        overlap=max(1, overlap),
        schema_id=schema.id,
        schema_version=schema.version,
        schema_json=schema.to_dict(),
    )


def read_records(page: Iterable[Any], report: PullReport, where: str = "") -> list[TaskRecord]:
    """The tasks of a page (or a file) that can be read; why the others cannot, in `report`
    (each reason after `where`, the task's place: "export.json task #3")."""
    parsed = [parse_task(item) for item in page]
    report.skipped.extend(
        f"{where} task #{i}: {r}" if where else r
        for i, r in enumerate(parsed, 1)
        if isinstance(r, str)
    )
    return [r for r in parsed if not isinstance(r, str)]


def apply(session: Session, ctx: SaveContext, records: Sequence[TaskRecord]) -> None:
    if ctx.unsaved is not None:
        session.merge(ctx.unsaved)
        session.flush()
        ctx.unsaved = None
    report = ctx.report
    report.tasks_read += len(records)
    for record in records:
        report.skipped.extend(record.skipped)
    tasks = _resolve_tasks(session, ctx, records)
    if not tasks:
        return
    texts = dict(
        session.execute(
            select(Segment.id, Segment.text).where(
                Segment.id.in_({t.segment_id for t in tasks.values()})
            )
        ).all()
    )
    people = pseudonyms.resolve(
        session,
        [a for r in records if r.ls_id in tasks for a in r.annotations],
        server=ctx.annotator_server,
        email_of=ctx.email_of,
        now=ctx.now,
    )
    ls_ids = [a.ls_id for r in records for a in r.annotations]
    rows: dict[int, list[Annotation]] = {}
    for stored in session.scalars(
        select(Annotation).where(
            Annotation.dataset == ctx.dataset,
            or_(
                Annotation.ls_annotation_id.in_(ls_ids),
                Annotation.task_id.in_([t.id for t in tasks.values()])
                & Annotation.is_current.is_(True),
            ),
        )
    ):
        rows.setdefault(stored.ls_annotation_id, []).append(stored)
    predictions = {
        p.ls_prediction_id: p
        for p in session.scalars(
            select(Prediction).where(
                Prediction.dataset == ctx.dataset,
                or_(
                    Prediction.ls_prediction_id.in_(
                        [p.ls_id for r in records for p in r.predictions]
                    ),
                    Prediction.task_id.in_([t.id for t in tasks.values()]),
                ),
            )
        )
    }

    for record in records:
        task = tasks.get(record.ls_id)
        if task is None:
            continue
        if ctx.task_times:
            task.ls_updated_at = record.updated_at
        text = texts.get(task.segment_id, "")
        given = _text_of(ctx, record)
        mismatch = given is not None and given != text
        for ann in record.annotations:
            person = people.get(ann.user_id) if ann.user_id is not None else None
            annotator_id = person.id if person else None
            history = rows.setdefault(ann.ls_id, [])
            current = next((r for r in history if r.is_current), None)
            if current is not None and not _is_newer(ann, current, annotator_id):
                if current.deleted_at is not None and _same(ann, current, annotator_id):
                    current.deleted_at = None  # listed again: it was not deleted after all
                report.annotations_unchanged += 1
                if current.status == "quarantined" and not mismatch:
                    _requalify(ctx, current, parse_record(ctx.schema, text, ann))
                continue
            parsed = parse_record(ctx.schema, text, ann)
            problems = list(parsed.problems)
            report.repaired += bool(parsed.repairs) and not problems
            report.kept_unknown += bool(parsed.other) and not problems
            if mismatch:
                problems.append(
                    "the task text in Label Studio differs from the segment text in the store,"
                    " so its offsets cannot be trusted"
                )
            revision = max((r.revision for r in history), default=0) + 1
            if current is not None:
                current.is_current = False
                report.annotations_revised += 1
            else:
                report.annotations_new += 1
            kept = stored_columns(parsed, ctx.entry_key)
            if problems:  # no entry: a quarantined parse is never read; its notes are kept
                kept.update(result_entry=None, entry_key=None)
            new = Annotation(
                dataset=ctx.dataset,
                task_id=task.id,
                ls_annotation_id=ann.ls_id,
                revision=revision,
                is_current=True,
                annotator_id=annotator_id,
                result=ann.result,
                result_clean=canonical_result(ann.result),
                **kept,
                lead_time=ann.lead_time,
                was_cancelled=ann.was_cancelled,
                ground_truth=ann.ground_truth,
                ls_created_at=ann.created_at,
                ls_updated_at=ann.updated_at,
                schema_version=ctx.schema_version,
                status="quarantined" if problems else "valid",
                problems=problems or None,
                pulled_at=ctx.now,
            )
            session.add(new)
            history.append(new)
            if problems:
                report.quarantined.append(
                    Quarantined(
                        record.ls_id,
                        ann.ls_id,
                        revision,
                        person.pseudonym if person else None,
                        problems,
                    )
                )
        listed = {a.ls_id for a in record.annotations}
        if ctx.follow_deletions:
            for history in rows.values():
                for old in history:
                    if (
                        old.task_id == task.id
                        and old.is_current
                        and old.deleted_at is None
                        and old.ls_annotation_id not in listed
                    ):
                        old.deleted_at = ctx.now
                        report.annotations_deleted += 1
        _apply_predictions(session, ctx, record, task, predictions)
    _supersede(session, ctx.dataset, [t.id for t in tasks.values()])


def _supersede(session: Session, dataset: str, task_ids: Sequence[int]) -> None:
    """An annotator's latest annotation of a task (highest Label Studio id) counts, earlier ones
    are 'superseded' and every stage leaves them out (`models.released`). Recomputed for each
    page's tasks, so deleting the latest brings the one before back."""
    rows = session.execute(
        select(Annotation.id, Annotation.task_id, Annotation.annotator_id, Annotation.status)
        .where(
            Annotation.dataset == dataset,
            Annotation.task_id.in_(task_ids),
            Annotation.is_current.is_(True),
            Annotation.deleted_at.is_(None),
            Annotation.was_cancelled.is_(False),
            Annotation.annotator_id.is_not(None),
            Annotation.status.in_(("valid", "superseded")),
        )
        .order_by(Annotation.task_id, Annotation.annotator_id, Annotation.ls_annotation_id.desc())
    ).all()
    changes, seen = [], set()
    for row_id, task_id, annotator_id, status in rows:
        want = "superseded" if (task_id, annotator_id) in seen else "valid"
        seen.add((task_id, annotator_id))
        if want != status:
            changes.append({"id": row_id, "status": want})
    if changes:
        session.execute(update(Annotation), changes)


def _apply_predictions(
    session: Session,
    ctx: SaveContext,
    record: TaskRecord,
    task: Task,
    predictions: dict[int, Prediction],
) -> None:
    listed = {pred.ls_id for pred in record.predictions}
    for pred in record.predictions:
        row = predictions.get(pred.ls_id)
        if row is None:
            row = Prediction(dataset=ctx.dataset, task_id=task.id, ls_prediction_id=pred.ls_id)
            session.add(row)
            predictions[pred.ls_id] = row
        elif (
            row.model_version == pred.model_version
            and row.score == pred.score
            and canonical_json(row.result) == canonical_json(pred.result)
            and as_utc(row.ls_updated_at) == pred.updated_at
            and row.deleted_at is None
        ):
            continue
        row.model_version, row.score, row.result = pred.model_version, pred.score, pred.result
        row.ls_updated_at, row.task_id, row.deleted_at = pred.updated_at, task.id, None
        ctx.report.predictions_changed += 1
    if ctx.follow_deletions:
        for row in predictions.values():
            if (
                row.task_id == task.id
                and row.deleted_at is None
                and row.ls_prediction_id not in listed
            ):
                row.deleted_at = ctx.now
                ctx.report.predictions_deleted += 1


def _requalify(ctx: SaveContext, row: Annotation, parsed: Parsed) -> None:
    """A quarantined revision the annotation model now reads (a quirk it has learnt to repair
    since it was pulled) becomes valid in place: its result is the same, its repairs recorded."""
    if parsed.problems:
        return
    row.status = "valid"
    row.problems = None
    for name, value in stored_columns(parsed, ctx.entry_key).items():
        setattr(row, name, value)
    ctx.report.requalified += 1


def _same(ann: AnnotationRecord, row: Annotation, annotator_id: int | None) -> bool:
    return (
        as_utc(row.ls_updated_at) == ann.updated_at
        and row.annotator_id == annotator_id
        and row.was_cancelled == ann.was_cancelled
        and row.ground_truth == ann.ground_truth
        and row.lead_time == ann.lead_time
        and canonical_json(row.result) == canonical_json(ann.result)
    )


def _is_newer(ann: AnnotationRecord, row: Annotation, annotator_id: int | None) -> bool:
    """Does ``ann`` carry something the stored current revision does not — and is not older?"""
    if _same(ann, row, annotator_id):
        return False
    stored = as_utc(row.ls_updated_at)
    return not (stored is not None and ann.updated_at is not None and ann.updated_at < stored)


# -- tasks ----------------------------------------------------------------------------------


def _resolve_tasks(
    session: Session, ctx: SaveContext, records: Sequence[TaskRecord]
) -> dict[int, Task]:
    """Label Studio task id → the store's task row, creating what the store does not know."""
    ids = [r.ls_id for r in records]
    tasks: dict[int, Task] = {
        t.ls_task_id: t
        for t in session.scalars(
            select(Task).where(Task.dataset == ctx.dataset, Task.ls_task_id.in_(ids))
        )
        if t.ls_task_id is not None
    }
    unknown = [r for r in records if r.ls_id not in tasks]
    if not unknown:
        return tasks
    # Tasks we pushed whose push was interrupted before the ids were recorded, or an export of
    # our project loaded into another store: workbench puts the segment id in the task data.
    wanted = {r.segment_id for r in unknown if r.segment_id}
    by_segment = {
        t.segment_id: t
        for t in session.scalars(
            select(Task).where(Task.dataset == ctx.dataset, Task.segment_id.in_(wanted))
        )
    }
    known_segments = set(session.scalars(select(Segment.id).where(Segment.id.in_(wanted))))
    for record in unknown:
        sid = record.segment_id
        if sid and sid in by_segment:
            task = by_segment[sid]
            if task.ls_task_id not in (None, record.ls_id):
                ctx.report.skipped.append(
                    f"task {record.ls_id}: its segment {sid} is already task {task.ls_task_id}"
                    " of this dataset (a duplicate in Label Studio?)"
                )
                continue
            task.ls_task_id, task.state = record.ls_id, "pushed"
            task.pushed_at = task.pushed_at or ctx.now
        elif sid and sid in known_segments:
            task = _new_task(ctx, sid, record.ls_id)
            session.add(task)
            by_segment[sid] = task
        else:
            made = _task_from_data(session, ctx, record)
            if made is None:
                continue
            task = made
        tasks[record.ls_id] = task
        ctx.report.tasks_created += 1
    session.flush()  # task ids for the annotations
    return tasks


def _new_task(ctx: SaveContext, segment: str, ls_task_id: int) -> Task:
    return Task(
        dataset=ctx.dataset,
        segment_id=segment,
        ls_task_id=ls_task_id,
        state="pushed",
        schema_version=ctx.schema_version or "",
        pushed_at=ctx.now,
    )


def _task_from_data(session: Session, ctx: SaveContext, record: TaskRecord) -> Task | None:
    """An article + one article-unit segment + a task for a task made outside workbench."""
    text = _text_of(ctx, record)
    if text is None:
        view = ctx.schema.view
        what = f"no {view.text_key!r} list of messages" if view.is_dialogue else "no text"
        ctx.report.skipped.append(f"task {record.ls_id}: {what} in its data, cannot store it")
        return None
    if bad := LONE_SURROGATE.search(text):  # not encodable: the store would refuse the text
        ctx.report.skipped.append(
            f"task {record.ls_id}: its text holds half of an emoji (a lone surrogate) at"
            f" character {bad.start()}, cannot store it"
        )
        return None
    source_path = f"{ctx.source_prefix}#{record.ls_id}"
    # Not the ingest id (hash of the text alone): two tasks with the same text stay apart.
    article_key = hashlib.sha256(f"{source_path}\x1f{text}".encode()).hexdigest()[:20]
    article = session.get(Article, article_key)
    if article is None:
        raw = json.dumps(dict(record.data), ensure_ascii=False, sort_keys=True, default=str)
        title = record.data.get("title")
        article = Article(
            id=article_key,
            source_path=source_path,
            format="json",
            title=title if isinstance(title, str) and title else None,
            text=text,
            raw=raw,
            raw_sha256=hashlib.sha256(raw.encode()).hexdigest(),
            ingested_at=ctx.now,
        )
        add_revision(session, article)  # same file name and task id, other text: a new revision
    sid = segment_id(article_key, "article", 0, len(text), text)
    if session.get(Segment, sid) is None:
        session.add(
            Segment(
                id=sid,
                article_id=article_key,
                unit="article",
                position=0,
                start=0,
                end=len(text),
                text=text,
                sentences=[list(span) for span in _sentences(text)],
                created_at=ctx.now,
            )
        )
    task = _new_task(ctx, sid, record.ls_id)
    session.add(task)
    return task


def _text_of(ctx: SaveContext, record: TaskRecord) -> str | None:
    """The text the view labels: the task data key the schema's <Text> shows, or the dialogue
    it shows rendered as text (`workbench.schema.dialogue`)."""
    view = ctx.schema.view
    value = record.data.get(view.text_key)
    if view.is_dialogue:
        return render_dialogue(view, value)
    return value if isinstance(value, str) else record.text


def _sentences(text: str) -> list[tuple[int, int]]:
    try:
        return split_sentences(text)
    except Exception:  # sentence offsets are a convenience; a pysbd failure must not stop a pull
        return [(0, len(text))] if text else []
