"""Pull from a file: a standard Label Studio JSON export loaded into a dataset (`workbench pull
--from-file`), saved by the same code as a live pull (`workbench.pull_save`).

Tasks are matched by Label Studio task id, then by the ``segment_id`` workbench puts in task
data; others become new articles and segments (source ``labelstudio-export:<file>#<task id>``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workbench.config import Settings
from workbench.datasets import schema_of
from workbench.errors import InputError
from workbench.progress import NoProgress, Progress
from workbench.pull_save import PullReport, SaveContext, apply, new_dataset, read_records
from workbench.schema import Schema, load_schema
from workbench.store import Dataset, PullState, Store
from workbench.store.lock import operation_lock

#: Annotators of an export that does not name its server are keyed under this "URL".
EXPORT_SERVER = "labelstudio-export"
BATCH_SIZE = 200


def read_export(path: Path) -> list[Any]:
    """The task list of a Label Studio export: a JSON export (a list of tasks), one task, or a
    target storage's folder (Cloud/Local storage export: by default a file per annotation with
    its task, or, with Label Studio's newer task format, a file per task). One-line InputError
    naming the file otherwise."""
    if not path.is_dir():
        return _by_task(_items(path, _read_json(path)))
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise InputError(f"{path}: an empty folder (expected a target storage's export files)")
    return _by_task([item for file in files for item in _items(file, _read_json(file))])


def _read_json(path: Path) -> Any:
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
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        # cut off: nothing after the error, or a string that runs to the end of the file
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise InputError(f"{path}: truncated JSON ({exc.msg} at {where})") from None
        raise InputError(f"{path}: invalid JSON ({exc.msg} at {where})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None


def _is_stored_annotation(item: Any) -> bool:
    """An annotation as target storage saves it: its fields, with its task nested."""
    return isinstance(item, dict) and isinstance(item.get("task"), dict) and "result" in item


def _items(path: Path, data: Any) -> list[Any]:
    """The tasks or stored annotations of one file."""
    if not isinstance(data, (list, dict)):
        raise InputError(
            f"{path}: not a Label Studio export (expected a list of tasks, got a "
            f"{type(data).__name__})"
        )
    items = data if isinstance(data, list) else [data]
    first = next((x for x in items if isinstance(x, dict)), None)
    if first is not None and "annotation_id" in first and not {"data", "annotations"} & set(first):
        # JSON-MIN keeps one flat row per annotation, without region ids, relations or
        # per-region answers: what a consensus needs is not in the file
        raise InputError(
            f"{path}: a JSON-MIN export (no region ids or relations); export the project as "
            "JSON instead"
        )
    if isinstance(data, dict) and not (
        {"data", "annotations"} & set(data) or _is_stored_annotation(data)
    ):
        raise InputError(
            f"{path}: not a Label Studio export (expected a list of tasks, a task or an "
            "annotation with its task)"
        )
    return items


def _by_task(items: list[Any]) -> list[Any]:
    """Stored annotations gathered under their task (in first-seen order); tasks as they are."""
    tasks: list[Any] = []
    grouped: dict[Any, dict[str, Any]] = {}
    for item in items:
        if not _is_stored_annotation(item):
            tasks.append(item)
            continue
        task = item["task"]
        key = task.get("id")
        group = grouped.get(key) if key is not None else None
        if group is None:
            group = {**task, "annotations": []}
            tasks.append(group)
            if key is not None:
                grouped[key] = group
        group["annotations"].append({**item, "task": key})
    return tasks


def pull_from_file(
    settings: Settings,
    store: Store,
    path: Path,
    *,
    dataset: str | None = None,
    schema: Schema | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Load a Label Studio JSON export into a dataset (created if new), holding its lock.

    When the dataset is linked to a live project, annotations missing from the file are *not*
    marked deleted (the file may be older than the last live pull, the authority there).
    """
    raw_tasks = read_export(path)  # before any write: a bad file leaves the store unchanged
    name = dataset or settings.dataset
    progress = progress or NoProgress()
    with operation_lock(store, name, "pull"):
        report = PullReport(name, f"file {path}", full=True)
        records = read_records(raw_tasks, report, where=path.name)
        with store.session() as session:
            row = session.get(Dataset, name)  # detached: read after the session ends
        unsaved = None
        if row is None:
            people = ({a.user_id for a in r.annotations if not a.was_cancelled} for r in records)
            overlap = max(map(len, people), default=1)
            row = unsaved = new_dataset(name, schema or load_schema(settings.schema_path), overlap)
        # Everything that can refuse the file runs before the first write, and a new dataset row
        # is committed with the first batch: a refused load leaves the store as it was.
        ctx = SaveContext(
            dataset=name,
            schema=schema_of(name, row.schema_json, schema, settings),
            schema_version=row.schema_version,
            annotator_server=row.label_studio_url or EXPORT_SERVER,
            source_prefix=f"labelstudio-export:{path.name}",
            email_of=lambda _user_id: None,
            follow_deletions=row.label_studio_url is None,
            report=report,
            unsaved=unsaved,
        )
        progress.start(f"load {path.name}", len(records))
        for start in range(0, max(len(records), 1), BATCH_SIZE):
            batch = records[start : start + BATCH_SIZE]
            with store.session() as session:
                apply(session, ctx, batch)
            progress.advance(len(batch))
        progress.finish()
        # the file is the dataset's source: status says when it came (a file that changed
        # nothing and could not all be read leaves the store as it was)
        if ctx.follow_deletions and (report.changed or not report.skipped):
            with store.session() as session:
                state = session.get(PullState, name) or PullState(dataset=name)
                state.last_pull_at = ctx.now
                session.add(state)
        report.skipped = list(dict.fromkeys(report.skipped))
        return report
