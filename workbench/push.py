"""Push: segments → Label Studio tasks, idempotent and crash-safe.

Before a batch is imported, one `pending` task row per segment is committed; with Label
Studio's task ids, the rows become `pushed`. A push killed in between leaves `pending` rows,
and the next one looks the project's tasks up by the `segment_id` in their data: a pending
segment found is recorded, one not found imported again. So every segment ends up in Label
Studio exactly once, whenever the kill.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from sqlalchemy import bindparam, func, insert, select, update

from workbench.annotation import parse, schema_values, used_values
from workbench.annotation.tasks import task_text
from workbench.config import Settings
from workbench.errors import ConfigError, LabelStudioError
from workbench.instructions import instructions_html
from workbench.labelstudio.client import LabelStudioClient, Project
from workbench.predictions import prediction
from workbench.progress import NoProgress, Progress
from workbench.schema import Schema, label_config, schema_from_dict
from workbench.store import Article, Dataset, Segment, Store, Task
from workbench.store.lock import operation_lock
from workbench.store.models import utcnow

MARKER = "workbench-dataset:"
ProjectAction = Literal["create", "adopt", "update", "unchanged"]


@dataclass
class PushReport:
    dataset: str
    label_studio_url: str
    project_id: int | None
    project: ProjectAction
    schema_id: str
    schema_version: str
    annotators: int
    dry_run: bool
    segments: int = 0
    already_pushed: int = 0
    recovered: int = 0
    imported: int = 0
    deleted_on_server: int = 0  # included in already_pushed; never re-imported
    suggested: int = 0  # imported tasks that carry a prediction (workbench.suggest)
    forced_orphans: list[str] = field(default_factory=list)

    @property
    def project_url(self) -> str | None:
        if self.project_id is None:
            return None
        return f"{self.label_studio_url.rstrip('/')}/projects/{self.project_id}/data"


class SegmentText(Protocol):
    """What a task is made of: a `Segment` row, or the columns of one."""

    @property
    def id(self) -> str: ...
    @property
    def article_id(self) -> str: ...
    @property
    def text(self) -> str: ...


def task_payload(segment: SegmentText, title: str | None, context: str | None) -> dict[str, Any]:
    """What the generated labeling view expects (see workbench.schema's docstring)."""
    return {
        "data": {
            "text": segment.text,
            "title": title or "",
            "context": context or "(start of the article)",
            "segment_id": segment.id,
            "article_id": segment.article_id,
            "feedback": "",  # workbench's message about problems of this task's annotations
        }
    }


def push(
    settings: Settings,
    store: Store,
    schema: Schema,
    client: LabelStudioClient,
    *,
    dataset: str | None = None,
    annotators: int | None = None,
    batch_size: int = 250,
    dry_run: bool = False,
    force: bool = False,
    suggestions: bool = True,
    progress: Progress | None = None,
) -> PushReport:
    """Create or update the dataset's project, then import every segment not yet pushed;
    under the dataset's operation lock (`workbench.store.lock`) unless `dry_run`."""
    name = dataset or settings.dataset
    progress = progress or NoProgress()
    lock: AbstractContextManager[None] = (
        nullcontext() if dry_run else operation_lock(store, name, "push")
    )
    with lock:
        with store.session() as session:
            state = session.get(Dataset, name)  # detached: read after the session ends
        overlap = annotators or (state.overlap if state else 3)
        if overlap < 1:
            raise ConfigError(f"--annotators must be at least 1 (got {overlap})")
        url = state.label_studio_url if state else None
        if state and url and url.rstrip("/") != client.url.rstrip("/"):
            raise ConfigError(
                f"dataset {name!r} lives in project {state.project_id} on {url}, not on "
                f"{client.url}: set LABEL_STUDIO_URL to that server, or push another --dataset"
            )
        report = PushReport(
            dataset=name,
            label_studio_url=client.url,
            project_id=state.project_id if state else None,
            project="unchanged",
            schema_id=schema.id,
            schema_version=schema.version,
            annotators=overlap,
            dry_run=dry_run,
        )
        unit = state.unit if state else "paragraph"
        if state is None or state.project_id is None:
            _refuse_empty(store, unit)  # not a new, empty project on a team's server
        project = _ensure_project(client, name, schema, state, overlap, report, dry_run, force)
        if project is not None and not dry_run:
            _save_dataset(store, name, overlap, client.url, project.id, schema)
            report.project_id = project.id

        segments = _segments_to_push(store, name, unit)
        unpushed = segments.states[None] + segments.states["pending"]
        report.segments = segments.states.total()
        report.already_pushed = report.segments - unpushed
        report.deleted_on_server = segments.states["deleted"]
        if dry_run or project is None:
            report.imported = unpushed
            return report

        todo = segments.unpushed
        if segments.pending:
            report.recovered = _recover_pending(store, client, name, project.id, segments.pending)
            # recovery marked some of them pushed: read the list again (only then: it loads
            # every segment, a second or so at 10^4)
            todo = _segments_to_push(store, name, unit).unpushed
        progress.start("push", len(todo))
        for i in range(0, len(todo), batch_size):
            batch = todo[i : i + batch_size]
            imported, suggested = _import_batch(
                store, client, name, project.id, schema, batch, suggestions
            )
            report.imported += imported
            report.suggested += suggested
            progress.advance(len(batch))
        progress.finish()
        return report


def _refuse_empty(store: Store, unit: str) -> None:
    """No project for a store with nothing to push in it: the usual cause is the wrong folder
    or store (or segments of another unit), and an empty project is left to clean up."""
    with store.session() as session:
        counts = dict(
            session.execute(
                select(Segment.unit, func.count())
                .join(Article, Article.id == Segment.article_id)
                .where(Article.is_current.is_(True), Segment.retired_at.is_(None))
                .group_by(Segment.unit)
            ).all()
        )
    if not counts.get(unit):
        others = ", ".join(f"{n} {u}" for u, n in sorted(counts.items()))
        raise ConfigError(
            f"nothing to push: the store at {store.url} has no {unit} segments"
            f"{f' (only {others} segments)' if others else ''}: run `workbench ingest` and "
            "`workbench segment` first, in the folder (or WORKBENCH_DATABASE_URL) they are in"
        )


def _ensure_project(
    client: LabelStudioClient,
    name: str,
    schema: Schema,
    state: Dataset | None,
    overlap: int,
    report: PushReport,
    dry_run: bool,
    force: bool,
) -> Project | None:
    fields: dict[str, Any] = {
        "title": f"{name} (workbench)"[:50],
        "label_config": label_config(schema),
        "description": f"{MARKER}{name} · schema {schema.id} ({schema.version}). Managed by "
        "workbench: edit the schema file and run `workbench push` rather than the labeling "
        "config here.",
        "expert_instruction": instructions_html(schema),
        "maximum_annotations": overlap,
        "overlap_cohort_percentage": 100,
        "show_instruction": True,
    }
    if state is None or state.project_id is None:
        # A push killed right after creating the project left it unrecorded: adopt it.
        for candidate in client.list_projects():
            if candidate.description.startswith(f"{MARKER}{name} "):
                report.project = "adopt"
                report.project_id = candidate.id
                return None if dry_run else client.update_project(candidate.id, **fields)
        report.project = "create"
        if dry_run:
            return None
        project = client.create_project(**fields)
        report.project_id = project.id
        return project

    project = client.get_project(state.project_id)  # a deleted project fails here, clearly
    config_changed = state.schema_version != schema.version
    if config_changed and state.schema_json is not None:
        orphans = _orphaned(client, state.project_id, state.schema_json, schema)
        if orphans and not force:
            raise ConfigError(
                f"schema {schema.id} ({schema.version}) would orphan annotations in project "
                f"{state.project_id}: {', '.join(orphans)}; keep those labels, or push with "
                "--force to update anyway"
            )
        report.forced_orphans = orphans
    # The XML can change without the schema changing (a better view from a newer workbench).
    xml_changed = project.label_config.strip() != fields["label_config"].strip()
    if config_changed or xml_changed or project.maximum_annotations != overlap:
        report.project = "update"
        return project if dry_run else client.update_project(project.id, **fields)
    return project


def _orphaned(
    client: LabelStudioClient, project_id: int, old: dict[str, Any], schema: Schema
) -> list[str]:
    """What the project's annotations use that the new schema drops, with counts: read from
    the annotations, as Label Studio's own check accepts removed choice values and does not
    count imported annotations."""
    before = schema_from_dict(old, source="<the project's last schema>")
    removed = schema_values(before) - schema_values(schema)
    if not removed:
        return []
    used: Counter[tuple[str, str]] = Counter()
    for task in client.list_tasks(project_id, page_size=500, annotations=True):
        text = task_text(task.get("data") or {})
        for annotation in task.get("annotations") or []:
            parsed = parse(before, text, annotation.get("result") or [])
            for item in used_values(before, parsed) & removed:
                used[item] += 1
    return [
        f"{control}={value} ({count} annotation{'s' if count != 1 else ''})"
        for (control, value), count in sorted(used.items())
    ]


def _save_dataset(
    store: Store, name: str, overlap: int, url: str, project_id: int, schema: Schema
) -> None:
    with store.session() as session:
        row = session.get(Dataset, name)
        if row is None:
            row = Dataset(name=name, unit="paragraph")
            session.add(row)
        row.overlap = overlap
        row.label_studio_url = url
        row.project_id = project_id
        row.schema_id = schema.id
        row.schema_version = schema.version
        row.schema_json = schema.to_dict()
        row.updated_at = utcnow()


@dataclass
class _ToPush:
    states: Counter[str | None]  # of each segment's task: None (no row yet), pending, pushed,
    # or deleted (in Label Studio, seen by pull)
    pending: list[str]  # task row written, import not confirmed
    unpushed: list[tuple[SegmentText, str | None, str | None]]  # (segment, title, context)


def _segments_to_push(store: Store, dataset: str, unit: str) -> _ToPush:
    with store.session() as session:
        # columns, not Segment objects: loading every segment as an ORM object (sentences
        # JSON and all) was a visible share of what push costs beyond Label Studio's import
        rows = session.execute(
            select(Segment.id, Segment.article_id, Segment.text, Article.title)
            .join(Article, Article.id == Segment.article_id)
            .where(
                Article.is_current.is_(True),
                Segment.unit == unit,
                Segment.retired_at.is_(None),
            )
            .order_by(Article.source_path, Segment.position)
        ).all()
        states = dict(
            session.execute(
                select(Task.segment_id, Task.state).where(Task.dataset == dataset)
            ).all()
        )
    unpushed: list[tuple[SegmentText, str | None, str | None]] = []
    previous: dict[str, str] = {}
    for seg in rows:
        context = previous.get(seg.article_id)
        previous[seg.article_id] = seg.text
        # A task deleted in Label Studio was deleted on purpose: pull records it, push leaves
        # it deleted rather than bringing it back.
        if states.get(seg.id) not in ("pushed", "deleted"):
            unpushed.append((seg, seg.title, context))
    pending = [seg.id for seg in rows if states.get(seg.id) == "pending"]
    return _ToPush(Counter(states.get(seg.id) for seg in rows), pending, unpushed)


def _recover_pending(
    store: Store, client: LabelStudioClient, dataset: str, project_id: int, pending: list[str]
) -> int:
    """Find which pending segments reached the server before a crash, and record them."""
    wanted = set(pending)
    found: dict[str, int] = {}
    for task in client.list_tasks(project_id, page_size=1000, annotations=False):
        segment_id = (task.get("data") or {}).get("segment_id")
        if segment_id in wanted and segment_id not in found:
            found[segment_id] = int(task["id"])
    if found:
        with store.session() as session:
            for row in session.scalars(
                select(Task).where(Task.dataset == dataset, Task.segment_id.in_(list(found)))
            ):
                row.ls_task_id = found[row.segment_id]
                row.state = "pushed"
                row.pushed_at = utcnow()
    return len(found)


def _import_batch(
    store: Store,
    client: LabelStudioClient,
    dataset: str,
    project_id: int,
    schema: Schema,
    batch: Sequence[tuple[SegmentText, str | None, str | None]],
    suggestions: bool = True,
) -> tuple[int, int]:
    # 1. intent: commit pending rows before anything reaches the server. Core statements here
    # and in 3., not ORM objects: per-row ORM bookkeeping was most of what push cost beyond
    # Label Studio's own import (benchmarks/RESULTS.md).
    segment_ids = [seg.id for seg, _, _ in batch]
    with store.session() as session:
        known = set(
            session.scalars(
                select(Task.segment_id).where(
                    Task.dataset == dataset, Task.segment_id.in_(segment_ids)
                )
            )
        )
        intents = [
            {
                "dataset": dataset,
                "segment_id": sid,
                "state": "pending",
                "schema_version": schema.version,
            }
            for sid in segment_ids
            if sid not in known
        ]
        if intents:
            session.execute(insert(Task), intents)
    # 2. import: one request, one transaction on the server
    payloads = [task_payload(seg, title, context) for seg, title, context in batch]
    suggested = 0
    if suggestions:  # the rules' suggestions, as predictions the annotator accepts or corrects
        for payload, (seg, _, context) in zip(payloads, batch, strict=True):
            found = prediction(schema, seg.text, context or "")
            if found is not None:
                payload["predictions"] = [found]
                suggested += 1
    ids = client.import_tasks(project_id, payloads)
    if len(ids) != len(batch):
        raise LabelStudioError(
            f"Label Studio returned {len(ids)} task ids for {len(batch)} tasks; run push again "
            "to reconcile"
        )
    # 3. record the ids
    now = utcnow()
    with store.session() as session:
        session.connection().execute(
            update(Task)
            .where(Task.dataset == dataset, Task.segment_id == bindparam("sid"))
            .values(
                ls_task_id=bindparam("tid"),
                state="pushed",
                schema_version=schema.version,
                pushed_at=now,
            ),
            [{"sid": seg.id, "tid": tid} for (seg, _, _), tid in zip(batch, ids, strict=True)],
        )
    return len(ids), suggested
