"""Pull: annotations from Label Studio (or a Label Studio JSON export) into the store.

Nothing is lost, everything is resumable:

* **Incremental.** Label Studio bumps a task's ``updated_at`` whenever one of its annotations is
  created, updated or deleted. Pull keeps a cursor (the newest ``updated_at`` it has stored) in
  ``pull_state`` and asks only for tasks with ``updated_at >= cursor - MARGIN``, oldest first.
  The margin covers transactions that committed after a later one (``updated_at`` is stamped at
  save time, not at commit). The margin is re-read cheaply: ids and ``updated_at`` only, then in
  full just the tasks whose ``updated_at`` is not the one pull last applied
  (``tasks.ls_updated_at``), so a bulk import or a burst of edits just before the last pull is
  not fetched again. Pages are read by *keyset* (each request starts at the newest
  ``updated_at`` seen so far, never by page number), so a task updated while we page moves
  ahead of us instead of shifting an unread task out of reach; ties larger than a page double
  the page size. Each page is committed together with the cursor it reached, so a pull killed
  midway resumes where it stopped, and re-reading a page changes nothing.
* **Revisions.** An annotation is a new revision when anything we keep about it changed
  (``updated_at``, result, annotator, skip / ground-truth flags, lead time); the previous one
  stays with ``is_current`` false. Older data (a stale export) never replaces newer data.
* **Deletions.** Every task read lists all its annotations, so a stored annotation the task no
  longer lists was deleted: it gets ``deleted_at``. Deleted tasks leave no trace in the
  incremental feed; an id scan finds them, run on ``--full`` and whenever the project's task
  count differs from the store's count of live tasks (both cheap). Their annotations get
  ``deleted_at`` and the task row state ``deleted``.
* **Validation.** Each new revision is checked against the dataset's schema (the one last
  pushed, ``datasets.schema_json``; the configured schema file when there is none) and the
  segment text by the annotation model (`workbench.annotation`), which repairs Label Studio's
  quirks (recorded in ``repairs``) and keeps results of unknown controls (``warnings``).
  Failures are stored with ``status='quarantined'`` and the reasons; reconcile only reads
  ``status='valid'``. What was parsed is stored (``result_entry``): nothing downstream parses
  the result again. An annotator's earlier annotations of a task are ``superseded``.
* **Schema version.** A new revision records the dataset's ``schema_version`` at the time of the
  pull: Label Studio does not say which config an annotation was made under, and the project
  carries the last pushed schema, so this is right unless the schema was pushed again between
  the annotation and the pull.
* **Annotators.** Label Studio user id and email stay in the store; each new person gets the
  next pseudonym ``annotator-NN`` (store-wide, in order of first appearance; within one page by
  annotation creation time, so a live pull and an import of the same project agree).

``pull_from_file`` loads a standard Label Studio JSON export the same way. Tasks the store
does not know become articles/segments (unit ``article``, source
``labelstudio-export:<file>#<task id>``) and task rows, so a team with an existing project can
reconcile and export.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from workbench import feedback
from workbench.annotation import parser_key
from workbench.annotation.clean import canonical_json, canonical_result
from workbench.annotation.tasks import (
    AnnotationRecord,
    TaskRecord,
    as_utc,
    format_cursor,
    parse_record,
    parse_task,
    parse_time,
)
from workbench.config import Settings
from workbench.errors import ConfigError, InputError
from workbench.labelstudio.client import LabelStudioClient
from workbench.progress import NoProgress, Progress
from workbench.schema import Schema, load_schema, schema_from_dict
from workbench.segment import segment_id, split_sentences
from workbench.store import (
    Annotation,
    Annotator,
    Article,
    Dataset,
    Prediction,
    PullState,
    Segment,
    Store,
    Task,
)
from workbench.store.models import utcnow

#: How far before the cursor an incremental pull starts reading again (late commits).
MARGIN = timedelta(seconds=5)
PAGE_SIZE = 200
#: Annotators of an export that does not name its server are keyed under this "URL".
EXPORT_SERVER = "labelstudio-export"
#: Fields asked for: trims the task rows and, through the nested serializers, the annotations
#: and predictions (Label Studio applies ``include`` at every level).
INCLUDE = ",".join(
    [
        "id",
        "updated_at",
        "created_at",
        "data",
        "annotations",
        "predictions",
        "result",
        "completed_by",
        "was_cancelled",
        "ground_truth",
        "lead_time",
        "model_version",
        "score",
    ]
)


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

    @property
    def changed(self) -> int:
        return (
            self.annotations_new
            + self.annotations_revised
            + self.annotations_deleted
            + self.tasks_deleted
            + self.predictions_changed
            + self.predictions_deleted
        )


@dataclass
class _Context:
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
    entry_key: str = field(init=False)

    def __post_init__(self) -> None:
        self.entry_key = parser_key(self.schema)


# -- live pull ----------------------------------------------------------------------------------


def pull(
    settings: Settings,
    store: Store,
    client: LabelStudioClient,
    *,
    dataset: str | None = None,
    full: bool = False,
    schema: Schema | None = None,
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
    project: int | None = None,
) -> PullReport:
    """Bring the store up to date with the dataset's Label Studio project. `project` links
    the dataset to an existing project first (a team's own, not pushed by workbench; its
    tasks become articles): the dataset is created with `schema` (default: the configured
    one) if it is new."""
    progress = progress or NoProgress()
    name = dataset or settings.dataset
    if project is not None:
        link_project(store, client, name, project, schema or load_schema(settings.schema_path))
    with store.session() as session:
        row = session.get(Dataset, name)
        if row is None or row.project_id is None or row.label_studio_url is None:
            raise ConfigError(
                f"dataset {name!r} has no Label Studio project: run `workbench push"
                f" --dataset {name}`, or load an export with `workbench pull --from-file`"
            )
        project_id, url = row.project_id, row.label_studio_url
        schema_version, schema_json = row.schema_version, row.schema_json
        state = session.get(PullState, name)
        cursor = state.cursor if state else None
    if url.rstrip("/") != client.url.rstrip("/"):
        raise ConfigError(
            f"dataset {name!r} lives in project {project_id} on {url}, not on {client.url}: "
            "set LABEL_STUDIO_URL to that server"
        )
    since = parse_time(cursor)
    full = full or since is None
    report = PullReport(name, f"{client.url}/projects/{project_id}", full=full)
    emails: dict[int, str] = {}

    def email_of(user_id: int) -> str | None:
        if not emails:  # one users call per pull, and only when someone new shows up
            emails.update({u.id: u.email.strip().lower() for u in client.list_users()})
        return emails.get(user_id) or None

    ctx = _Context(
        dataset=name,
        schema=_dataset_schema(name, schema_json, schema, settings),
        schema_version=schema_version,
        annotator_server=url,
        source_prefix=f"labelstudio:{client.url}/projects/{project_id}",
        email_of=email_of,
        follow_deletions=True,
        report=report,
        task_times=True,
    )

    frontier = None if full or since is None else since - MARGIN
    size = page_size
    seen: dict[int, datetime | None] = {}
    if frontier is not None and since is not None:
        _reread_margin(store, ctx, client, project_id, frontier, since, page_size, seen)
        frontier = since
    started = False
    while True:
        query: dict[str, Any] = {"ordering": ["tasks:updated_at"]}
        if frontier is not None:
            query["filters"] = {"conjunction": "and", "items": [_updated_since(frontier)]}
        page, total = client.task_page(project_id, query=query, include=INCLUDE, page_size=size)
        if not started:
            progress.start(f"pull {name}", total)
            started = True
        records: list[TaskRecord] = []
        newest: datetime | None = None
        for record in _records(page, report):
            if record.updated_at is not None and (newest is None or record.updated_at > newest):
                newest = record.updated_at
            if record.ls_id in seen and seen[record.ls_id] == record.updated_at:
                continue  # the keyset overlap: read on the previous page, unchanged since
            seen[record.ls_id] = record.updated_at
            records.append(record)
        with store.session() as session:
            _apply(session, ctx, records)
            if newest is not None:
                report.cursor = format_cursor(newest)
                _save_state(session, name, cursor=report.cursor)
        progress.advance(len(records))
        if len(page) < size:
            break
        if newest is None or (frontier is not None and newest <= frontier):
            size *= 2  # a page full of one timestamp: widen until the tie fits
        else:
            frontier = newest
    progress.finish()

    with store.session() as session:
        live = session.scalar(
            select(func.count())
            .select_from(Task)
            .where(Task.dataset == name, Task.state == "pushed", Task.ls_task_id.is_not(None))
        )
    if full or client.task_count(project_id) != live:
        report.scanned_task_ids = True
        _mark_deleted_tasks(store, ctx, client.task_id_set(project_id))
    with store.session() as session:
        _save_state(session, name, pulled=ctx.now, full=full)
    if ctx.schema.view.layout == "news":  # the generated view shows it; a team's is left alone
        report.feedback_written = feedback.post(store, client, name)
    report.skipped = list(dict.fromkeys(report.skipped))
    return report


def link_project(
    store: Store, client: LabelStudioClient, dataset: str, project_id: int, schema: Schema
) -> None:
    """Link `dataset` to Label Studio project `project_id` (checked to exist first, so a
    refused link writes nothing). A dataset linked to another project is an error."""
    project = client.get_project(project_id)
    with store.session() as session:
        row = session.get(Dataset, dataset)
        if row is not None and row.project_id not in (None, project_id):
            raise ConfigError(
                f"dataset {dataset!r} is linked to project {row.project_id}, not {project_id}:"
                " pull it under another --dataset name"
            )
        if row is None:
            row = Dataset(
                name=dataset,
                unit="article",
                overlap=max(1, project.maximum_annotations),
                schema_id=schema.id,
                schema_version=schema.version,
                schema_json=schema.to_dict(),
            )
            session.add(row)
        row.project_id, row.label_studio_url = project_id, client.url


def _updated_since(value: datetime, operator: str = "greater_or_equal") -> dict[str, Any]:
    return {
        "filter": "filter:tasks:updated_at",
        "operator": operator,
        "type": "Datetime",
        "value": format_cursor(value),
    }


def _records(page: Iterable[Any], report: PullReport) -> list[TaskRecord]:
    records: list[TaskRecord] = []
    for item in page:
        record = parse_task(item)
        if isinstance(record, str):
            report.skipped.append(record)
        else:
            records.append(record)
    return records


#: Page size of the margin probe (ids and updated_at only: cheap on both sides).
PROBE_PAGE_SIZE = 5000


def _reread_margin(
    store: Store,
    ctx: _Context,
    client: LabelStudioClient,
    project_id: int,
    start: datetime,
    end: datetime,
    page_size: int,
    seen: dict[int, datetime | None],
) -> None:
    """Re-read the tasks with ``start <= updated_at < end`` (the margin before the cursor).

    Most of them were applied by the last pull exactly as they are: a probe of ids and
    ``updated_at`` (keyset pages, like the main read) finds the others — late commits, tasks the
    store has no time for — and only those are read in full, by id.
    """
    probed: dict[int, datetime | None] = {}
    size = PROBE_PAGE_SIZE
    low = start
    while True:
        query = {
            "ordering": ["tasks:updated_at"],
            "filters": {
                "conjunction": "and",
                "items": [_updated_since(low), _updated_since(end, "less")],
            },
        }
        page, _ = client.task_page(
            project_id, query=query, include="id,updated_at", fields="task_only", page_size=size
        )
        newest: datetime | None = None
        for item in page:
            task_id = item.get("id")
            if not isinstance(task_id, int) or isinstance(task_id, bool):
                continue
            probed[task_id] = updated = parse_time(item.get("updated_at"))
            if updated is not None and (newest is None or updated > newest):
                newest = updated
        if len(page) < size:
            break
        if newest is None or newest <= low:
            size *= 2
        else:
            low = newest
    applied: dict[int | None, datetime | None] = {}
    ids = list(probed)
    with store.session() as session:
        for i in range(0, len(ids), 1000):
            applied.update(
                session.execute(
                    select(Task.ls_task_id, Task.ls_updated_at).where(
                        Task.dataset == ctx.dataset, Task.ls_task_id.in_(ids[i : i + 1000])
                    )
                ).all()
            )
    stale = [
        i for i, updated in probed.items() if updated is None or as_utc(applied.get(i)) != updated
    ]
    for i in range(0, len(stale), page_size):
        chunk = stale[i : i + page_size]
        query = {"selectedItems": {"all": False, "included": chunk}}
        page, _ = client.task_page(project_id, query=query, include=INCLUDE, page_size=len(chunk))
        records = _records(page, ctx.report)
        for record in records:
            seen[record.ls_id] = record.updated_at
        with store.session() as session:
            _apply(session, ctx, records)


# -- pull from an export file ---------------------------------------------------------------


def read_export(path: Path) -> list[Any]:
    """A Label Studio JSON export's task list; one-line InputError naming the file otherwise."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        if exc.pos >= len(text.rstrip()):
            raise InputError(f"{path}: truncated JSON ({exc.msg} at {where})") from None
        raise InputError(f"{path}: invalid JSON ({exc.msg} at {where})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None
    if not isinstance(data, list):
        raise InputError(
            f"{path}: not a Label Studio JSON export (expected a list of tasks, got a "
            f"{type(data).__name__})"
        )
    return data


def pull_from_file(
    settings: Settings,
    store: Store,
    path: Path,
    *,
    dataset: str | None = None,
    schema: Schema | None = None,
    batch_size: int = PAGE_SIZE,
    progress: Progress | None = None,
) -> PullReport:
    """Load a Label Studio JSON export into a dataset (created if new).

    Tasks are matched by Label Studio task id, then by the ``segment_id`` workbench puts in
    task data; others become new articles and segments. When the dataset is linked to a live
    project, annotations missing from the file are *not* marked deleted (the file may be older
    than the last live pull; the live pull is the authority there).
    """
    progress = progress or NoProgress()
    raw_tasks = read_export(path)  # before any write: a bad file leaves the store unchanged
    name = dataset or settings.dataset
    report = PullReport(name, f"file {path}", full=True)
    records = _records(raw_tasks, report)
    with store.session() as session:
        row = session.get(Dataset, name)
        new_row: Dataset | None = None
        if row is None:
            the_schema = schema or load_schema(settings.schema_path)
            new_row = Dataset(
                name=name,
                unit="article",
                overlap=max([_annotators_per_task(r) for r in records] + [1]),
                schema_id=the_schema.id,
                schema_version=the_schema.version,
                schema_json=the_schema.to_dict(),
            )
            linked, server = False, EXPORT_SERVER
            schema_version, schema_json = new_row.schema_version, new_row.schema_json
        else:
            linked = row.label_studio_url is not None
            server = row.label_studio_url or EXPORT_SERVER
            schema_version, schema_json = row.schema_version, row.schema_json
    # Everything that can refuse the file runs before the first write, and a new dataset row
    # is committed with the first batch: a refused load leaves the store as it was.
    ctx = _Context(
        dataset=name,
        schema=_dataset_schema(name, schema_json, schema, settings),
        schema_version=schema_version,
        annotator_server=server,
        source_prefix=f"labelstudio-export:{path.name}",
        email_of=lambda _user_id: None,
        follow_deletions=not linked,
        report=report,
    )
    progress.start(f"load {path.name}", len(records))
    for start in range(0, max(len(records), 1), batch_size):
        batch = records[start : start + batch_size]
        with store.session() as session:
            if new_row is not None:
                session.add(new_row)
                session.flush()
                new_row = None
            _apply(session, ctx, batch)
        progress.advance(len(batch))
    progress.finish()
    report.skipped = list(dict.fromkeys(report.skipped))
    return report


def _annotators_per_task(record: TaskRecord) -> int:
    return len({a.user_id for a in record.annotations if not a.was_cancelled})


# -- applying one page: pure-ish bookkeeping over the session --------------------------------------


def _dataset_schema(
    name: str, schema_json: dict[str, Any] | None, schema: Schema | None, settings: Settings
) -> Schema:
    """The schema the project was last pushed with; else the given or configured one."""
    if schema_json:
        return schema_from_dict(schema_json, source=f"<schema of dataset {name}>")
    return schema or load_schema(settings.schema_path)


def _save_state(
    session: Session,
    dataset: str,
    *,
    cursor: str | None = None,
    pulled: datetime | None = None,
    full: bool = False,
) -> None:
    state = session.get(PullState, dataset)
    if state is None:
        state = PullState(dataset=dataset)
        session.add(state)
    if cursor is not None:
        state.cursor = cursor
    if pulled is not None:
        state.last_pull_at = pulled
        if full:
            state.last_full_pull_at = pulled


def _apply(session: Session, ctx: _Context, records: Sequence[TaskRecord]) -> None:
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
    people = _resolve_annotators(
        session, ctx, [a for r in records if r.ls_id in tasks for a in r.annotations]
    )
    pseudonyms = dict(
        session.execute(
            select(Annotator.id, Annotator.pseudonym).where(Annotator.id.in_(set(people.values())))
        ).all()
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
            annotator_id = people.get(ann.user_id) if ann.user_id is not None else None
            history = rows.setdefault(ann.ls_id, [])
            current = next((r for r in history if r.is_current), None)
            if current is not None and not _is_newer(ann, current, annotator_id):
                if current.deleted_at is not None and _same(ann, current, annotator_id):
                    current.deleted_at = None  # listed again: it was not deleted after all
                report.annotations_unchanged += 1
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
            entry = None if problems else parsed.entry_json()
            new = Annotation(
                dataset=ctx.dataset,
                task_id=task.id,
                ls_annotation_id=ann.ls_id,
                revision=revision,
                is_current=True,
                annotator_id=annotator_id,
                result=ann.result,
                result_clean=canonical_result(ann.result),
                result_entry=entry,
                entry_key=None if entry is None else ctx.entry_key,
                repairs=list(parsed.repairs) or None,
                warnings=list(parsed.warnings) or None,
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
                        pseudonyms.get(annotator_id) if annotator_id else None,
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
    """One rule for an annotator with several annotations of a task (Label Studio allows
    it): the latest (the highest Label Studio id) counts, the others are kept as
    'superseded' and every stage leaves them out (`models.released`). Recomputed for the
    tasks of each page, so deleting the latest brings the one before back."""
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
    ctx: _Context,
    record: TaskRecord,
    task: Task,
    predictions: dict[int, Prediction],
) -> None:
    listed = set()
    for pred in record.predictions:
        listed.add(pred.ls_id)
        row = predictions.get(pred.ls_id)
        values = {
            "model_version": pred.model_version,
            "score": pred.score,
            "result": pred.result,
            "ls_updated_at": pred.updated_at,
        }
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
        for key, value in values.items():
            setattr(row, key, value)
        row.task_id = task.id
        row.deleted_at = None
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
    session: Session, ctx: _Context, records: Sequence[TaskRecord]
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


def _new_task(ctx: _Context, segment: str, ls_task_id: int) -> Task:
    return Task(
        dataset=ctx.dataset,
        segment_id=segment,
        ls_task_id=ls_task_id,
        state="pushed",
        schema_version=ctx.schema_version or "",
        pushed_at=ctx.now,
    )


def _task_from_data(session: Session, ctx: _Context, record: TaskRecord) -> Task | None:
    """An article + one article-unit segment + a task for a task made outside workbench."""
    text = _text_of(ctx, record)
    if text is None:
        ctx.report.skipped.append(f"task {record.ls_id}: no text in its data, cannot store it")
        return None
    source_path = f"{ctx.source_prefix}#{record.ls_id}"
    # Not the ingest id (hash of the text alone): two tasks with the same text stay apart.
    article_key = hashlib.sha256(f"{source_path}\x1f{text}".encode()).hexdigest()[:20]
    article = session.get(Article, article_key)
    if article is None:
        raw = json.dumps(dict(record.data), ensure_ascii=False, sort_keys=True, default=str)
        previous = session.scalars(
            select(Article)
            .where(Article.source_path == source_path)
            .order_by(Article.revision.desc())
        ).first()
        if previous is not None:  # same file name and task id, other text: a new revision
            previous.is_current = False
        title = record.data.get("title")
        article = Article(
            id=article_key,
            source_path=source_path,
            revision=previous.revision + 1 if previous else 1,
            previous_id=previous.id if previous else None,
            is_current=True,
            format="json",
            title=title if isinstance(title, str) and title else None,
            text=text,
            raw=raw,
            raw_sha256=hashlib.sha256(raw.encode()).hexdigest(),
            ingested_at=ctx.now,
        )
        session.add(article)
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


def _text_of(ctx: _Context, record: TaskRecord) -> str | None:
    """The text the view labels: the task data key the schema's <Text> shows."""
    value = record.data.get(ctx.schema.view.text_key)
    return value if isinstance(value, str) else record.text


def _sentences(text: str) -> list[tuple[int, int]]:
    try:
        return split_sentences(text)
    except Exception:  # sentence offsets are a convenience; a pysbd failure must not stop a pull
        return [(0, len(text))] if text else []


def _mark_deleted_tasks(store: Store, ctx: _Context, live_ids: set[int]) -> None:
    with store.session() as session:
        gone = [
            t
            for t in session.scalars(
                select(Task).where(
                    Task.dataset == ctx.dataset,
                    Task.state == "pushed",
                    Task.ls_task_id.is_not(None),
                )
            )
            if t.ls_task_id not in live_ids
        ]
        for task in gone:
            task.state = "deleted"
            ctx.report.tasks_deleted += 1
            for ann in session.scalars(
                select(Annotation).where(
                    Annotation.task_id == task.id,
                    Annotation.is_current.is_(True),
                    Annotation.deleted_at.is_(None),
                )
            ):
                ann.deleted_at = ctx.now
                ctx.report.annotations_deleted += 1
            for pred in session.scalars(
                select(Prediction).where(
                    Prediction.task_id == task.id, Prediction.deleted_at.is_(None)
                )
            ):
                pred.deleted_at = ctx.now
                ctx.report.predictions_deleted += 1


# -- annotators -----------------------------------------------------------------------------

_PSEUDONYM = re.compile(r"^annotator-(\d+)$")


def _resolve_annotators(
    session: Session, ctx: _Context, annotations: Iterable[AnnotationRecord]
) -> dict[int, int]:
    """Label Studio user id → annotator row id; new people get the next pseudonyms, in order
    of their first annotation (creation time, then id), so the numbering does not depend on
    the order tasks came in."""
    first: dict[int, AnnotationRecord] = {}
    for ann in sorted(
        (a for a in annotations if a.user_id is not None),
        key=lambda a: (a.created_at is None, a.created_at or ctx.now, a.ls_id),
    ):
        assert ann.user_id is not None
        first.setdefault(ann.user_id, ann)
    if not first:
        return {}
    known = {
        a.ls_user_id: a
        for a in session.scalars(
            select(Annotator).where(
                Annotator.label_studio_url == ctx.annotator_server,
                Annotator.ls_user_id.in_(list(first)),
            )
        )
    }
    out: dict[int, int] = {}
    next_number: int | None = None
    for user_id, ann in first.items():
        row = known.get(user_id)
        email = ann.email
        if row is None or (row.email is None and email is None):
            email = email or ctx.email_of(user_id)
        if row is None and email:
            # the same person seen through another server or export
            row = session.scalars(select(Annotator).where(Annotator.email == email)).first()
        if row is None:
            if next_number is None:
                numbers = [
                    int(m.group(1))
                    for p in session.scalars(select(Annotator.pseudonym))
                    if (m := _PSEUDONYM.match(p))
                ]
                next_number = max(numbers, default=0) + 1
            row = Annotator(
                label_studio_url=ctx.annotator_server,
                ls_user_id=user_id,
                email=email,
                pseudonym=f"annotator-{next_number:02d}",
            )
            next_number += 1
            session.add(row)
            session.flush()
        elif row.email is None and email:
            row.email = email
        out[user_id] = row.id
    return out
