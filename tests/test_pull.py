"""Pull against a real Label Studio: several annotators create, update and delete annotations
between pulls and the store follows; bad regions are quarantined; nothing is pulled twice; an
interrupted pull resumes; an export loaded with --from-file gives the same store content."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ls_fixtures import export_json, export_snapshot

from workbench import corpus
from workbench import pull as pull_lib
from workbench.annotation import parser_key
from workbench.annotation.clean import canonical_json
from workbench.config import Settings, load_settings
from workbench.errors import AuthenticationError, LabelStudioError
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.pull import pull
from workbench.pull_file import pull_from_file
from workbench.push import push
from workbench.schema import Schema, load_schema
from workbench.store import Annotation, Annotator, Dataset, PullState, Store, Task, open_store

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "news-v1.yaml"

ARTICLES = {
    "one.txt": (
        "Ministers meet in Lahore\n\n"
        "The finance minister said on Monday that inflation would fall next year.\n\n"
        "Opposition leaders called the forecast unrealistic and demanded a debate.\n\n"
        "Markets were calm after the announcement."
    ),
    "two.txt": (
        "Harvest report\n\n"
        "Farmers in Punjab expect a record wheat harvest, the agriculture ministry said.\n\n"
        "Analysts warned that storage capacity remains a problem."
    ),
}


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(SCHEMA)


def settings_for(ls: ServerInfo, store_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        {
            "database_url": store_url,
            "label_studio_url": ls.url,
            "label_studio_api_key": ls.token,
            "dataset": f"p{uuid.uuid4().hex[:8]}",
            "schema_path": str(SCHEMA),
        },
        cwd=tmp_path,
        environ={},
    )


@pytest.fixture
def pushed(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    store: Store,
    store_url: str,
    schema: Schema,
    tmp_path: Path,
) -> tuple[Settings, int, dict[int, str]]:
    """A fresh project with the two articles pushed: (settings, project id, {task id: text})."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in ARTICLES.items():
        (seeds / name).write_text(text, encoding="utf-8")
    corpus.ingest(store, [seeds])
    corpus.segment(store)
    settings = settings_for(label_studio, store_url, tmp_path)
    report = push(settings, store, schema, ls_client, annotators=3)
    assert report.project_id is not None
    tasks = {
        int(t["id"]): t["data"]["text"]
        for t in ls_client.list_tasks(report.project_id, annotations=False)
    }
    return settings, report.project_id, tasks


def task_with(tasks: dict[int, str], word: str) -> tuple[int, str]:
    return next((i, text) for i, text in tasks.items() if word in text)


def sentiment(value: str = "neutral") -> dict[str, Any]:
    return {
        "from_name": "sentiment",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [value]},
    }


def cue(text: str, word: str, *, rid: str = "c1", shift: int = 0) -> dict[str, Any]:
    start = text.index(word) + shift
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": start + len(word), "text": word, "labels": ["Cue"]},
    }


def snapshot(store: Store, dataset: str) -> list[tuple[Any, ...]]:
    """What a pull is responsible for, independent of row ids and pull times."""
    with store.session() as s:
        rows = s.execute(
            sa.select(Annotation, Task.ls_task_id, Annotator)
            .join(Task, Task.id == Annotation.task_id)
            .outerjoin(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotation.dataset == dataset)
        ).all()
        return sorted(
            (
                ls_task,
                a.ls_annotation_id,
                a.revision,
                a.is_current,
                a.deleted_at is not None,
                who.ls_user_id if who else None,
                who.email if who else None,
                who.pseudonym if who else None,
                canonical_json(a.result),
                a.was_cancelled,
                a.ground_truth,
                a.lead_time,
                a.status,
                tuple(a.problems or ()),
            )
            for a, ls_task, who in rows
        )


def test_pull_follows_creates_updates_and_deletes(
    pushed: tuple[Settings, int, dict[int, str]],
    ls_client: LabelStudioClient,
    store: Store,
    schema: Schema,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, _, tasks = pushed
    name = settings.dataset
    ann1, ann2, ann3 = (ls_client.ensure_user(f"ann{i}-{name}@example.com") for i in (1, 2, 3))
    a_id, a_text = task_with(tasks, "wheat")
    b_id, b_text = task_with(tasks, "called")
    c_id, _ = task_with(tasks, "Markets")

    first = ls_client.create_annotation(
        a_id, [cue(a_text, "said"), sentiment()], completed_by=ann1.id, lead_time=12.0
    )
    second = ls_client.create_annotation(
        a_id, [sentiment("negative")], completed_by=ann2.id, lead_time=20.0
    )
    bad = ls_client.create_annotation(
        b_id, [cue(b_text, "called", shift=80), sentiment()], completed_by=ann3.id
    )
    ls_client.create_annotation(b_id, [], completed_by=ann1.id, was_cancelled=True)
    on_c = ls_client.create_annotation(c_id, [sentiment("positive")], completed_by=ann2.id)

    report = pull(settings, store, ls_client)
    assert report.full and report.annotations_new == 5 and not report.skipped
    assert [(q.ls_annotation_id, q.annotator) for q in report.quarantined] == [
        (bad["id"], "annotator-03")
    ]
    assert "outside the text" in report.quarantined[0].problems[0]
    with store.session() as s:
        people = {a.email: a.pseudonym for a in s.scalars(sa.select(Annotator))}
        by_ls = {a.ls_annotation_id: a for a in s.scalars(sa.select(Annotation))}
        dataset_row = s.get(Dataset, name)
        assert dataset_row is not None
        dataset_version = dataset_row.schema_version
    # pseudonyms in order of first appearance; emails kept in the store
    assert people[ann1.email] == "annotator-01" and people[ann3.email] == "annotator-03"
    assert by_ls[first["id"]].lead_time == 12.0 and by_ls[first["id"]].status == "valid"
    assert by_ls[first["id"]].schema_version == dataset_version
    assert by_ls[bad["id"]].status == "quarantined" and by_ls[bad["id"]].problems
    # each valid annotation keeps its release entry (the export reads it, not the result)
    kept = json.loads(by_ls[first["id"]].result_entry or "{}")
    assert kept["labels"] == {"sentiment": "neutral"} and kept["relations"] == []
    assert [(sp["label"], a_text[sp["start"] : sp["end"]]) for sp in kept["spans"]] == [
        ("Cue", "said")
    ]
    assert by_ls[first["id"]].entry_key == parser_key(schema)
    assert by_ls[bad["id"]].result_entry is None and by_ls[bad["id"]].entry_key is None

    # nothing changed: nothing added, and only the margin's worth of tasks is read again,
    # plus the task the pull wrote its feedback into (the quarantined one: read once more)
    assert report.feedback_written == 1
    before = snapshot(store, name)
    monkeypatch.setattr(pull_lib, "MARGIN", timedelta(0))
    again = pull(settings, store, ls_client)
    assert not again.full and again.changed == 0 and again.tasks_read <= 2
    assert again.feedback_written == 0
    assert not again.scanned_task_ids
    assert snapshot(store, name) == before
    # a wide margin is re-read by ids and updated_at: tasks come back as last applied, so
    # only the one at the cursor is read in full; one whose recorded time differs (a late
    # commit) is read in full and applied
    monkeypatch.setattr(pull_lib, "MARGIN", timedelta(hours=1))
    wide = pull(settings, store, ls_client)
    assert not wide.full and wide.changed == 0 and wide.tasks_read <= 1
    with store.session() as s:
        s.execute(sa.delete(Annotation).where(Annotation.ls_annotation_id == bad["id"]))
        s.execute(
            sa.update(Task)
            .where(Task.dataset == name, Task.ls_task_id == b_id)
            .values(ls_updated_at=None)
        )
    late = pull(settings, store, ls_client)
    assert late.annotations_new == 1 and late.changed == 1 and late.tasks_read <= 2
    assert snapshot(store, name) == before
    monkeypatch.undo()

    # update → new revision; delete → deleted_at; deleted task → scan, marked
    ls_client.update_annotation(first["id"], result=[sentiment("positive")])
    ls_client.delete_annotation(second["id"])
    ls_client.delete_task(c_id)
    changed = pull(settings, store, ls_client)
    assert changed.annotations_revised == 1
    assert changed.tasks_deleted == 1 and changed.scanned_task_ids
    assert changed.annotations_deleted == 2  # the deleted one, and the one on the deleted task
    with store.session() as s:
        revs = s.scalars(
            sa.select(Annotation)
            .where(Annotation.ls_annotation_id == first["id"], Annotation.dataset == name)
            .order_by(Annotation.revision)
        ).all()
        assert [(r.revision, r.is_current) for r in revs] == [(1, False), (2, True)]
        assert revs[0].result != revs[1].result  # the old result is kept
        assert s.scalar(
            sa.select(Annotation.deleted_at).where(Annotation.ls_annotation_id == second["id"])
        )
        assert s.scalar(
            sa.select(Annotation.deleted_at).where(Annotation.ls_annotation_id == on_c["id"])
        )
        assert s.scalar(sa.select(Task.state).where(Task.ls_task_id == c_id)) == "deleted"

    # --full re-reads everything and converges on the same state
    state = snapshot(store, name)
    full = pull(settings, store, ls_client, full=True)
    assert full.full and full.changed == 0 and full.scanned_task_ids
    assert snapshot(store, name) == state
    with store.session() as s:
        ps = s.get(PullState, name)
        assert ps is not None and ps.last_full_pull_at is not None and ps.cursor


class _Flaky:
    """The real client, except that the task list fails after ``pages`` pages."""

    def __init__(self, client: LabelStudioClient, pages: int) -> None:
        self._client = client
        self._left = pages

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def task_page(self, *args: Any, **kwargs: Any) -> Any:
        if self._left == 0:
            raise LabelStudioError("connection lost (simulated)")
        self._left -= 1
        return self._client.task_page(*args, **kwargs)


def test_interrupted_pull_resumes_and_matches_a_clean_pull(
    pushed: tuple[Settings, int, dict[int, str]],
    ls_client: LabelStudioClient,
    store: Store,
    tmp_path: Path,
) -> None:
    settings, _, tasks = pushed
    name = settings.dataset
    users = [ls_client.ensure_user(f"r{i}-{name}@example.com") for i in range(3)]
    for i, task_id in enumerate(sorted(tasks)):
        for user in users[: 1 + i % 3]:
            ls_client.create_annotation(task_id, [sentiment()], completed_by=user.id)

    flaky: Any = _Flaky(ls_client, pages=2)
    with pytest.raises(LabelStudioError, match="simulated"):
        pull(settings, store, flaky, page_size=2)
    with store.session() as s:
        partial = s.scalar(
            sa.select(sa.func.count()).select_from(Annotation).where(Annotation.dataset == name)
        )
        cursor = s.get(PullState, name)
    assert partial and cursor is not None and cursor.cursor  # committed pages stay, with cursor

    resumed = pull(settings, store, ls_client, page_size=2)
    assert not resumed.full  # it continued from the cursor
    total = sum(1 + i % 3 for i in range(len(tasks)))
    assert snapshot(store, name) and len(snapshot(store, name)) == total

    # the same project pulled in one go into a fresh store gives the same annotations
    other = open_store(f"sqlite:///{tmp_path / 'clean.db'}")
    try:
        _copy_corpus_and_dataset(store, other, name)
        pull(settings, other, ls_client)
        assert snapshot(other, name) == snapshot(store, name)
    finally:
        other.close()


def test_a_project_link_is_saved_only_with_the_pull_it_starts(
    pushed: tuple[Settings, int, dict[int, str]],
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    store: Store,
) -> None:
    """`pull --project` saves the link with the first page: a pull that fails before it (bad
    token, unknown project, server lost) leaves no dataset behind."""
    settings, project_id, tasks = pushed
    user = ls_client.ensure_user(f"link-{settings.dataset}@example.com")
    ls_client.create_annotation(min(tasks), [sentiment()], completed_by=user.id)
    name = f"{settings.dataset}-team"

    def datasets() -> dict[str, tuple[int | None, str | None]]:
        with store.session() as s:
            return {
                d.name: (d.project_id, d.label_studio_url) for d in s.scalars(sa.select(Dataset))
            }

    before = datasets()
    bad_token: Any = LabelStudioClient(label_studio.url, "not-the-token")
    failures = [
        (bad_token, project_id, AuthenticationError),
        (ls_client, 999_999, LabelStudioError),
        (_Flaky(ls_client, pages=0), project_id, LabelStudioError),  # lost after the check
    ]
    for client, project, error in failures:
        with pytest.raises(error):
            pull(settings, store, client, dataset=name, project=project)
        assert datasets() == before, client

    report = pull(settings, store, ls_client, dataset=name, project=project_id)
    assert report.annotations_new == 1
    assert datasets()[name] == (project_id, ls_client.url)
    assert pull(settings, store, ls_client, dataset=name).changed == 0  # linked: no flag now


def _copy_corpus_and_dataset(src: Store, dst: Store, dataset: str) -> None:
    from workbench.store import Article, Segment

    with src.session() as s:
        rows = [
            [
                {c.key: getattr(o, c.key) for c in sa.inspect(type(o)).mapper.column_attrs}
                for o in s.scalars(sa.select(model))
            ]
            for model in (Article, Segment, Dataset)
        ] + [
            [
                {c.key: getattr(t, c.key) for c in sa.inspect(Task).mapper.column_attrs}
                for t in s.scalars(sa.select(Task).where(Task.dataset == dataset))
            ]
        ]
    with dst.session() as s:
        for model, items in zip((Article, Segment, Dataset, Task), rows, strict=True):
            for item in items:
                s.add(model(**item))
            s.flush()


def test_from_file_export_gives_the_same_store_as_a_live_pull(
    pushed: tuple[Settings, int, dict[int, str]],
    ls_client: LabelStudioClient,
    store: Store,
    schema: Schema,
    tmp_path: Path,
) -> None:
    settings, project_id, tasks = pushed
    name = settings.dataset
    users = [ls_client.ensure_user(f"f{i}-{name}@example.com") for i in range(3)]
    a_id, a_text = task_with(tasks, "wheat")
    b_id, b_text = task_with(tasks, "called")
    ls_client.create_annotation(a_id, [cue(a_text, "said"), sentiment()], completed_by=users[1].id)
    ls_client.create_annotation(a_id, [sentiment("negative")], completed_by=users[0].id)
    ls_client.create_annotation(
        b_id, [cue(b_text, "called", shift=99)], completed_by=users[2].id, lead_time=3.5
    )
    ls_client.create_annotation(b_id, [], completed_by=users[0].id, was_cancelled=True)
    pull(settings, store, ls_client)
    live = snapshot(store, name)

    export = tmp_path / "export.json"
    import json

    export.write_text(json.dumps(export_snapshot(ls_client, project_id)), encoding="utf-8")

    # into a store that never saw this project: tasks, segments and annotations are created
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        report = pull_from_file(settings, fresh, export, dataset=name, schema=schema)
        assert report.tasks_created == len(tasks) and not report.skipped
        assert snapshot(fresh, name) == live
        with fresh.session() as s:
            paths = set(
                s.scalars(sa.select(sa.text("source_path")).select_from(sa.text("articles")))
            )
            units = set(s.scalars(sa.select(sa.text("unit")).select_from(sa.text("segments"))))
        assert units == {"article"}
        assert f"labelstudio-export:export.json#{a_id}" in paths
        again = pull_from_file(settings, fresh, export, dataset=name, schema=schema)
        assert again.changed == 0 and again.tasks_created == 0
    finally:
        fresh.close()

    # into the store that pulled it live: nothing changes
    same = pull_from_file(settings, store, export, dataset=name)
    assert same.changed == 0 and same.tasks_created == 0
    assert snapshot(store, name) == live

    # a target storage's folder (Local storage export): a file per annotation, its task nested
    folder = tmp_path / "storage"
    folder.mkdir()
    storage = ls_client._sdk.export_storage.local.create(project=project_id, path=str(folder))
    assert storage.id is not None
    ls_client._sdk.export_storage.local.sync(storage.id)
    files = sorted(folder.iterdir())
    assert len(files) == 4 and all("task" in json.loads(f.read_text()) for f in files)
    stored = open_store(f"sqlite:///{tmp_path / 'stored.db'}")
    try:
        report = pull_from_file(settings, stored, folder, dataset=name, schema=schema)
        assert report.tasks_created == 2 and report.annotations_new == 4
        assert snapshot(stored, name) == live
    finally:
        stored.close()

    # the quick export names annotators by id only: same annotations, no emails
    quick = tmp_path / "quick.json"
    quick.write_text(json.dumps(export_json(ls_client, project_id)), encoding="utf-8")
    bare = open_store(f"sqlite:///{tmp_path / 'bare.db'}")
    try:
        pull_from_file(settings, bare, quick, dataset=name, schema=schema)
        strip = [row[:6] + row[7:] + (row[6] is not None,) for row in live]
        assert [row[:6] + row[7:] + (True,) for row in snapshot(bare, name)] == strip
    finally:
        bare.close()


def test_problems_reach_their_annotator_in_the_task_and_clear_when_fixed(
    pushed: tuple[Settings, int, dict[int, str]],
    ls_client: LabelStudioClient,
    store: Store,
) -> None:
    settings, _, tasks = pushed
    name = settings.dataset
    who = ls_client.ensure_user(f"fb-{name}@example.com")
    b_id, b_text = task_with(tasks, "called")
    bad = ls_client.create_annotation(
        b_id, [cue(b_text, "called", shift=80), sentiment()], completed_by=who.id
    )
    report = pull(settings, store, ls_client)
    assert report.feedback_written == 1
    shown = ls_client.get_task(b_id)["data"]
    assert shown["text"] == b_text  # the rest of the task is untouched
    assert shown["feedback"].startswith("⚠ ") and who.email in shown["feedback"]
    # in the annotator's words, not the pull's ("result[0] (id …): offsets … outside …")
    assert "A region no longer fits the text" in shown["feedback"]
    assert "result[" not in shown["feedback"] and "offsets" not in shown["feedback"]
    # nothing changed: nothing written again
    assert pull(settings, store, ls_client).feedback_written == 0
    # the annotator fixes it: the message is cleared
    ls_client.update_annotation(bad["id"], result=[cue(b_text, "called"), sentiment()])
    assert pull(settings, store, ls_client).feedback_written == 1
    assert ls_client.get_task(b_id)["data"]["feedback"] == ""
