"""Pull: annotations from the dataset's Label Studio project into the store, incrementally
(README, "Pull"); saved by `workbench.pull_save`, shared with `workbench.pull_file`.

Label Studio bumps a task's ``updated_at`` whenever one of its annotations changes, but stamps
it at save time, not commit: hence the cursor's margin. Pages are read by keyset (from the
newest ``updated_at`` seen, never by page number), so a task updated meanwhile moves ahead
instead of shifting an unread one out of reach. Deleted tasks leave no trace in that feed: an
id scan finds them, on ``--full`` and whenever the project's task count differs from the
store's live tasks (both cheap).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench import feedback
from workbench.annotation.tasks import TaskRecord, as_utc, format_cursor, parse_time
from workbench.config import Settings
from workbench.datasets import schema_of
from workbench.errors import ConfigError
from workbench.labelstudio.client import LabelStudioClient
from workbench.progress import NoProgress, Progress
from workbench.pull_save import PullReport, SaveContext, apply, new_dataset, read_records
from workbench.schema import Schema, load_schema
from workbench.store import Annotation, Dataset, Prediction, PullState, Store, Task, unknown
from workbench.store.lock import operation_lock

#: How far before the cursor an incremental pull starts reading again (late commits).
MARGIN = timedelta(seconds=5)
PAGE_SIZE = 200
#: Fields asked for: trims the task rows and, through the nested serializers, the annotations
#: and predictions (Label Studio applies ``include`` at every level).
INCLUDE = (
    "id,updated_at,created_at,data,annotations,predictions,result,completed_by,was_cancelled,"
    "ground_truth,lead_time,model_version,score"
)


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
    """Bring the store up to date with the dataset's Label Studio project, holding the
    dataset's lock. `project` links the dataset to an existing project first (a team's own,
    not pushed by workbench; its tasks become articles): the dataset is created with `schema`
    (default: the configured one) if it is new."""
    name = dataset or settings.dataset
    progress = progress or NoProgress()
    with operation_lock(store, name, "pull"):
        with store.session() as session:
            row = session.get(Dataset, name)  # detached: read after the session ends
            state = session.get(PullState, name)
            cursor = state.cursor if state else None
            if row is None and project is None:
                raise ConfigError(unknown(session, name))
        unsaved = None
        if project is not None:  # saved with the first page (`SaveContext.unsaved`)
            configured = schema or load_schema(settings.schema_path)
            row = unsaved = link_project(client, row, name, project, configured)
        if row is None or row.project_id is None or row.label_studio_url is None:
            raise ConfigError(
                f"dataset {name!r} has no Label Studio project: run `workbench push"
                f" --dataset {name}`, or load an export with `workbench pull --from-file`"
            )
        project_id, url = row.project_id, row.label_studio_url
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

        ctx = SaveContext(
            dataset=name,
            schema=schema_of(name, row.schema_json, schema, settings),
            schema_version=row.schema_version,
            annotator_server=url,
            source_prefix=f"labelstudio:{client.url}/projects/{project_id}",
            email_of=email_of,
            follow_deletions=True,
            report=report,
            task_times=True,
            unsaved=unsaved,
        )

        seen: dict[int, datetime | None] = {}
        if since is not None and not full:
            _reread_margin(store, ctx, client, project_id, since - MARGIN, since, page_size, seen)
        pages = _keyset_pages(
            client, project_id, None if full else since, page_size, include=INCLUDE
        )
        for n, (page, total) in enumerate(pages):
            if n == 0:
                progress.start(f"pull {name}", total)
            records: list[TaskRecord] = []
            newest: datetime | None = None
            for record in read_records(page, report):
                if record.updated_at is not None and (newest is None or record.updated_at > newest):
                    newest = record.updated_at
                if record.ls_id in seen and seen[record.ls_id] == record.updated_at:
                    continue  # the keyset overlap: read on the previous page, unchanged since
                seen[record.ls_id] = record.updated_at
                records.append(record)
            with store.session() as session:
                apply(session, ctx, records)
                if newest is not None:
                    report.cursor = _state(session, name).cursor = format_cursor(newest)
            progress.advance(len(records))
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
            state = _state(session, name)
            state.last_pull_at = ctx.now
            if full:
                state.last_full_pull_at = ctx.now
        if ctx.schema.view.layout == "news":  # the generated view shows it; a team's is left alone
            report.feedback_written = feedback.post(store, client, name)
        report.skipped = list(dict.fromkeys(report.skipped))
        return report


def link_project(
    client: LabelStudioClient, row: Dataset | None, dataset: str, project_id: int, schema: Schema
) -> Dataset:
    """`dataset`'s row (`row`, or a new one under `schema`) linked to Label Studio project
    `project_id`, checked to exist; not saved: the caller saves it with the first page, so a
    pull that fails before it leaves no link. A dataset linked to another project is an error."""
    if row is not None and row.project_id not in (None, project_id):
        raise ConfigError(
            f"dataset {dataset!r} is linked to project {row.project_id}, not {project_id}:"
            " pull it under another --dataset name"
        )
    project = client.get_project(project_id)
    if row is None:
        row = new_dataset(dataset, schema, project.maximum_annotations)
    row.project_id, row.label_studio_url = project_id, client.url
    return row


def _keyset_pages(
    client: LabelStudioClient,
    project_id: int,
    low: datetime | None,
    page_size: int,
    end: datetime | None = None,
    **request: Any,
) -> Iterator[tuple[list[Any], int | None]]:
    """Pages of the tasks with ``low <= updated_at < end``, oldest first, by keyset: each page
    starts at the newest ``updated_at`` read so far; a page of one timestamp doubles the page
    size until the tie fits."""
    size = page_size
    while True:
        bounds = [("greater_or_equal", low), ("less", end)]
        items = [
            {"filter": "filter:tasks:updated_at", "operator": op, "type": "Datetime", "value": v}
            for op, v in ((op, format_cursor(t)) for op, t in bounds if t is not None)
        ]
        query: dict[str, Any] = {"ordering": ["tasks:updated_at"]}
        if items:
            query["filters"] = {"conjunction": "and", "items": items}
        page, total = client.task_page(project_id, query=query, page_size=size, **request)
        yield page, total
        times = [parse_time(task.get("updated_at")) for task in page if isinstance(task, dict)]
        newest = max((t for t in times if t is not None), default=None)
        if len(page) < size:
            return
        if newest is None or (low is not None and newest <= low):
            size *= 2
        else:
            low = newest


#: Page size of the margin probe (ids and updated_at only: cheap on both sides).
PROBE_PAGE_SIZE = 5000


def _reread_margin(
    store: Store,
    ctx: SaveContext,
    client: LabelStudioClient,
    project_id: int,
    start: datetime,
    end: datetime,
    page_size: int,
    seen: dict[int, datetime | None],
) -> None:
    """Re-read the tasks with ``start <= updated_at < end`` (the margin before the cursor):
    a probe of ids and ``updated_at`` (keyset pages) finds those not applied as they are (late
    commits, tasks the store has no time for); only they are read in full, by id."""
    probed: dict[int, datetime | None] = {}
    probe = {"include": "id,updated_at", "fields": "task_only"}
    for page, _ in _keyset_pages(client, project_id, start, PROBE_PAGE_SIZE, end, **probe):
        for item in page:
            task_id = item.get("id")
            if isinstance(task_id, int) and not isinstance(task_id, bool):
                probed[task_id] = parse_time(item.get("updated_at"))
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
        records = read_records(page, ctx.report)
        for record in records:
            seen[record.ls_id] = record.updated_at
        with store.session() as session:
            apply(session, ctx, records)


def _state(session: Session, dataset: str) -> PullState:
    state = session.get(PullState, dataset)
    if state is None:
        state = PullState(dataset=dataset)
        session.add(state)
    return state


def _mark_deleted_tasks(store: Store, ctx: SaveContext, live_ids: set[int]) -> None:
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
