"""`pull --from-file` without a server: hand-made exports, bad files, odd shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from workbench.config import Settings, load_settings
from workbench.errors import InputError
from workbench.pull_file import pull_from_file
from workbench.schema import Schema, load_schema
from workbench.schema.importer import import_config
from workbench.store import Annotation, Annotator, Article, Segment, Store, Task

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "news-v1.yaml"
TEXT = "The minister said the plan will work."


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(SCHEMA)


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        {"database_url": store_url, "dataset": "imported", "schema_path": str(SCHEMA)},
        cwd=tmp_path,
        environ={},
    )


def sentiment(value: str = "neutral") -> dict[str, Any]:
    return {"from_name": "sentiment", "to_name": "text", "type": "choices",
            "value": {"choices": [value]}}  # fmt: skip


def export_tasks() -> list[dict[str, Any]]:
    def ann(i: int, who: Any, result: list[Any], **extra: Any) -> dict[str, Any]:
        return {"id": i, "completed_by": who, "result": result, "was_cancelled": False,
                "ground_truth": False, "lead_time": 2.0 * i,
                "created_at": f"2026-01-01T00:00:0{i}.000000Z",
                "updated_at": f"2026-01-01T00:00:0{i}.000000Z", **extra}  # fmt: skip

    bad_span = {"id": "x", "from_name": "label", "to_name": "text", "type": "labels",
                "value": {"start": 4, "end": 400, "labels": ["Cue"]}}  # fmt: skip
    return [
        {
            "id": 11,
            "data": {"text": TEXT, "title": "A title"},
            "annotations": [
                ann(1, {"id": 5, "email": "b@example.com"}, [sentiment()]),
                ann(2, 6, [sentiment("negative")]),
            ],
            "predictions": [3],
        },
        {
            "id": 12,
            "data": {"body": "Second text, no 'text' key."},
            "annotations": [ann(3, 5, [bad_span, sentiment()])],
        },
        {"id": 13, "data": {"n": 1}, "annotations": [ann(4, 5, [])]},  # no text at all
        "not a task",
    ]


def counts(store: Store) -> tuple[int, ...]:
    with store.session() as s:
        return tuple(
            s.scalar(sa.select(sa.func.count()).select_from(m)) or 0
            for m in (Article, Segment, Task, Annotation, Annotator)
        )


def test_loads_an_export_into_a_new_dataset(
    store: Store, settings: Settings, schema: Schema, tmp_path: Path
) -> None:
    path = tmp_path / "team.json"
    path.write_text(json.dumps(export_tasks()), encoding="utf-8")
    report = pull_from_file(settings, store, path, schema=schema)
    assert report.tasks_created == 2 and report.annotations_new == 3
    assert len(report.skipped) == 2  # the task without text, and the non-object
    assert "team.json task #4: task is not an object (str)" in report.skipped
    assert [q.ls_annotation_id for q in report.quarantined] == [3]
    with store.session() as s:
        people = {a.ls_user_id: (a.pseudonym, a.email) for a in s.scalars(sa.select(Annotator))}
        assert people == {5: ("annotator-01", "b@example.com"), 6: ("annotator-02", None)}
        article = s.scalars(
            sa.select(Article).where(Article.source_path == "labelstudio-export:team.json#11")
        ).one()
        assert article.title == "A title" and article.text == TEXT
        seg = s.scalars(sa.select(Segment).where(Segment.article_id == article.id)).one()
        assert (seg.unit, seg.start, seg.end, seg.text) == ("article", 0, len(TEXT), TEXT)
        assert s.scalar(sa.select(Task.ls_task_id).where(Task.segment_id == seg.id)) == 11
    before = counts(store)
    again = pull_from_file(settings, store, path, schema=schema)
    assert again.changed == 0 and counts(store) == before


def test_an_edited_export_revises_and_deletes(
    store: Store, settings: Settings, schema: Schema, tmp_path: Path
) -> None:
    path = tmp_path / "team.json"
    tasks = export_tasks()
    path.write_text(json.dumps(tasks), encoding="utf-8")
    pull_from_file(settings, store, path, schema=schema)
    first = tasks[0]
    assert isinstance(first, dict)
    first["annotations"][0]["result"] = [sentiment("positive")]
    first["annotations"][0]["updated_at"] = "2026-02-01T00:00:00.000000Z"
    del first["annotations"][1]
    path.write_text(json.dumps(tasks), encoding="utf-8")
    report = pull_from_file(settings, store, path, schema=schema)
    assert (report.annotations_revised, report.annotations_deleted) == (1, 1)
    # an older file again does not roll the revision back
    first["annotations"][0]["updated_at"] = "2025-01-01T00:00:00.000000Z"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    assert pull_from_file(settings, store, path, schema=schema).annotations_revised == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('[{"id": 1, "data": {"text": "a"}', "truncated JSON"),
        ('[{"id": 1, "data": {"text": "a half-written te', "truncated JSON (Unterminated"),
        ('[{"id": 1,, }]', "invalid JSON (Expecting property name"),
        ('{"id": 1}', "not a Label Studio export (expected a list of tasks, a task or"),
        ('"tasks"', "not a Label Studio export (expected a list of tasks, got a str)"),
        (
            '[{"id": 1, "text": "a", "label": [], "annotator": "a@x.org", "annotation_id": 3}]',
            "a JSON-MIN export (no region ids or relations); export the project as JSON",
        ),
        (b"\xff\xfe[]", "not UTF-8"),
    ],
)
def test_bad_files_are_one_line_errors_and_change_nothing(
    store: Store,
    settings: Settings,
    schema: Schema,
    tmp_path: Path,
    content: str | bytes,
    expected: str,
) -> None:
    path = tmp_path / "broken.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    before = counts(store)
    with pytest.raises(InputError) as info:
        pull_from_file(settings, store, path, schema=schema)
    message = info.value.message
    assert "broken.json" in message and expected in message and "\n" not in message
    assert counts(store) == before
    with pytest.raises(InputError, match="file not found"):
        pull_from_file(settings, store, tmp_path / "missing.json", schema=schema)


def test_half_an_emoji_in_a_region_text_is_stored_not_a_crash(
    store: Store, settings: Settings, schema: Schema, tmp_path: Path
) -> None:
    # Label Studio's editor can store a region's text with half of an emoji (a lone surrogate,
    # written "\udf89" in the JSON) when the selection's edge falls inside it; the offsets
    # (code points) are right. Before, the store's insert raised UnicodeEncodeError.
    text = "Fans cheered \U0001f389 loudly, the mayor said."
    value = {"start": 13, "end": 21, "text": "\udf89 loudly", "labels": ["Cue"]}
    region = {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels", "value": value}
    tasks = [{"id": 21, "data": {"text": text}, "annotations": [
        {"id": 7, "completed_by": 5, "result": [region, sentiment()], "was_cancelled": False,
         "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}]}]  # fmt: skip
    path = tmp_path / "emoji.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")  # json escapes the lone surrogate
    report = pull_from_file(settings, store, path, schema=schema)
    assert report.annotations_new == 1 and report.quarantined == []
    with store.session() as s:
        ann = s.scalars(sa.select(Annotation).where(Annotation.ls_annotation_id == 7)).one()
        assert ann.result[0]["value"]["text"] == "\udf89 loudly"  # kept as Label Studio gave it
        assert "\\udf89" in ann.result_clean
    assert pull_from_file(settings, store, path, schema=schema).changed == 0


def test_a_task_text_with_half_an_emoji_is_skipped_with_its_reason(
    store: Store, settings: Settings, schema: Schema, tmp_path: Path
) -> None:
    tasks = [{"id": 22, "data": {"text": "Broken \ud83d emoji, the mayor said."}, "annotations": [
        {"id": 8, "completed_by": 5, "result": [sentiment()], "was_cancelled": False,
         "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}]}]  # fmt: skip
    path = tmp_path / "broken-text.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    before = counts(store)
    report = pull_from_file(settings, store, path, schema=schema)
    assert report.skipped == [
        "task 22: its text holds half of an emoji (a lone surrogate) at character 7,"
        " cannot store it"
    ]
    assert counts(store)[:4] == before[:4]  # no article, segment, task or annotation


def _result_with(start: Any) -> list[Any]:
    return [{"id": "c", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": start, "end": 8, "labels": ["Cue"]}}]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("completed_by", 2**70),  # beyond a SQL BIGINT: no user id
        ("result", "not JSON"),  # a result that is not a list, kept verbatim
        ("result", 5),
        ("result", _result_with(2**70)),  # an offset beyond 64 bits
    ],
)
def test_odd_values_in_an_export_are_quarantined_not_a_crash(
    store: Store, settings: Settings, schema: Schema, tmp_path: Path, field: str, value: Any
) -> None:
    # Found by fuzzing `pull --from-file` with mutated exports: each raised a stack trace.
    tasks = export_tasks()
    first = tasks[0]
    assert isinstance(first, dict)
    first["annotations"][0][field] = value
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    report = pull_from_file(settings, store, path, schema=schema)
    assert report.annotations_new == 3
    if field == "result":
        assert 1 in [q.ls_annotation_id for q in report.quarantined]
        with store.session() as s:
            kept = s.scalar(sa.select(Annotation.result).where(Annotation.ls_annotation_id == 1))
        assert kept == value  # verbatim
    assert pull_from_file(settings, store, path, schema=schema).changed == 0


def test_one_task_and_a_folder_of_stored_annotations_load_like_a_list(
    store: Store, settings: Settings, schema: Schema, tmp_path: Path
) -> None:
    # a target storage writes a file per annotation (its task nested), or per task
    task = export_tasks()[0]
    assert isinstance(task, dict)
    folder = tmp_path / "bucket"
    folder.mkdir()
    body = {k: v for k, v in task.items() if k != "annotations"}
    for ann in task["annotations"]:
        (folder / str(ann["id"])).write_text(json.dumps({**ann, "task": body}), encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0\1")  # hidden files are not exports
    report = pull_from_file(settings, store, folder, schema=schema)
    assert (report.tasks_created, report.annotations_new) == (1, 2) and not report.skipped
    single = tmp_path / "11.json"
    single.write_text(json.dumps(task), encoding="utf-8")
    again = pull_from_file(settings, store, single, schema=schema)
    assert (again.tasks_created, again.changed) == (0, 0)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="empty folder"):
        pull_from_file(settings, store, empty, schema=schema)


# A dialogue project's export, shaped like a real one (one utterance a line, spans and a
# relation between a readback and its instruction): the editor stored the line break after one
# span in its value.text, as a literal backslash-n.
DIALOGUE_CONFIG = """<View>
  <Labels name="ner" toName="text">
    <Label value="CALLSIGN"/><Label value="INSTRUCTION"/><Label value="FREQUENCY"/>
  </Labels>
  <Relations><Relation value="matches_instruction"/></Relations>
  <Text name="text" value="$text"/>
</View>"""
DIALOGUE = "AT: lot two contact praha one two five\nPI: one two five lot two"


def dialogue_export() -> list[dict[str, Any]]:
    def span(rid: str, start: int, end: int, label: str, stored: str) -> dict[str, Any]:
        value = {"start": start, "end": end, "text": stored, "labels": [label]}
        return {"id": rid, "from_name": "ner", "to_name": "text", "type": "labels",
                "origin": "manual", "value": value}  # fmt: skip

    s = DIALOGUE.index("one two five")
    e = DIALOGUE.index("\n")
    r = DIALOGUE.rindex("one two five")
    result = [
        span("Ftq1", s, e, "FREQUENCY", DIALOGUE[s:e] + "\\n"),
        span("Frb2", r, r + 12, "FREQUENCY", "one two five"),
        {"from_id": "Frb2", "to_id": "Ftq1", "type": "relation", "direction": "right",
         "labels": ["matches_instruction"]},
    ]  # fmt: skip
    annotation = {"id": 179, "completed_by": 1, "result": result, "was_cancelled": False,
                  "ground_truth": False, "created_at": "2025-04-29T02:40:17.232691Z",
                  "updated_at": "2025-04-29T02:40:17.232691Z", "task": 32817}  # fmt: skip
    return [{"id": 32817, "data": {"dialogue_id": "dlg_0019", "text": DIALOGUE},
             "annotations": [annotation], "inner_id": 20}]  # fmt: skip


def test_a_quirk_learnt_since_requalifies_a_quarantined_annotation(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    team = import_config(DIALOGUE_CONFIG, schema_id="atc", title="atc").schema
    path = tmp_path / "project-7-at-2025-04-29.json"
    path.write_text(json.dumps(dialogue_export()), encoding="utf-8")
    report = pull_from_file(settings, store, path, schema=team)
    assert report.annotations_new == 1 and not report.quarantined and report.repaired == 1

    def row() -> Annotation:
        with store.session() as s:
            return s.scalars(sa.select(Annotation).where(Annotation.ls_annotation_id == 179)).one()

    kept = row()
    assert kept.status == "valid" and kept.repairs and kept.result_entry
    # what a version that did not know the quirk left in the store: the same result, quarantined
    with store.session() as s:
        s.execute(
            sa.update(Annotation)
            .where(Annotation.id == kept.id)
            .values(status="quarantined", problems=["value.text does not match"],
                    repairs=None, result_entry=None, entry_key=None)
        )  # fmt: skip
    again = pull_from_file(settings, store, path, schema=team)
    assert again.annotations_unchanged == 1 and again.requalified == 1 and again.changed == 0
    now = row()
    assert (now.id, now.revision, now.status, now.problems) == (kept.id, 1, "valid", None)
    assert now.repairs == kept.repairs and now.result_entry == kept.result_entry
    assert pull_from_file(settings, store, path, schema=team).requalified == 0


def test_a_task_without_an_id_is_skipped_saying_where(
    store: Store, settings: Settings, schema: Schema, tmp_path: Path
) -> None:
    # Shaped like a task written for Label Studio's import (a real one in AstraZeneca/KAZU's
    # docs): annotations, but no task id to key them by.
    task = {"data": {"text": TEXT}, "annotations": [{"id": 3, "completed_by": 1,
            "result": [sentiment()], "task": 2019}]}  # fmt: skip
    path = tmp_path / "payload.json"
    path.write_text(json.dumps([export_tasks()[0], task]), encoding="utf-8")
    report = pull_from_file(settings, store, path, schema=schema)
    assert report.skipped == ["payload.json task #2: task without a valid id (None)"]
    assert report.tasks_created == 1


def test_status_of_a_dataset_from_a_file_does_not_say_pushed(
    store: Store, settings: Settings, schema: Schema, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from workbench import render
    from workbench.status import status

    path = tmp_path / "team.json"
    path.write_text(json.dumps(export_tasks()), encoding="utf-8")
    pull_from_file(settings, store, path, schema=schema)
    render.status_text(status(store, "imported"))
    first, second = capsys.readouterr().out.splitlines()[:2]
    assert "no project (from a file)" in first and "2 tasks," in first
    assert "pushed" not in first
    assert "last pull never" not in second and "last pull 20" in second  # when the file came


NER_CONFIG = """<View><Labels name="ner" toName="text">
<Label value="Date"/><Label value="Location"/></Labels><Text name="text" value="$text"/></View>"""


def test_a_label_studio_0_x_export_with_completions_loads(
    store: Store, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Shaped like Label Studio 0.x's examples/named_entity/completions/*.json: tasks numbered from
    # 0, annotations under "completions" (the first of task 1 with id 1001, others without an
    # id), no completed_by, and `end` one short (an inclusive end, repaired as usual).
    from workbench import render
    from workbench.status import status

    ner = import_config(NER_CONFIG, schema_id="ner", title="ner").schema
    text = "Arrivals in the Bahia zone for the week ended February 22 were lower."
    d, b = text.index("February 22"), text.index("Bahia")

    def region(rid: str, start: int, end: int, label: str) -> dict[str, Any]:
        value = {"start": start, "end": end - 1, "labels": [label], "text": text[start:end]}
        return {"from_name": "ner", "id": rid, "source": "$text", "to_name": "text",
                "type": "labels", "value": value}  # fmt: skip

    date, bahia = region("d1", d, d + 11, "Date"), region("b1", b, b + 5, "Location")
    tasks = [
        {"completions": [{"result": [date, bahia]}, {"result": [date]}], "data": {"text": text},
         "id": 0, "task_path": "../examples/named_entity/tasks.json"},
        {"completions": [{"id": 1001, "result": [date]}], "data": {"text": text}, "id": 1},
    ]  # fmt: skip
    path = tmp_path / "completions.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    report = pull_from_file(settings, store, path, schema=ner)
    assert report.skipped == [] and report.tasks_created == 2
    assert report.annotations_new == 3 and report.repaired == 3 and not report.quarantined
    with store.session() as s:
        rows = s.execute(
            sa.select(Task.ls_task_id, Annotation.ls_annotation_id, Annotation.result_entry)
            .join(Task, Task.id == Annotation.task_id)
            .order_by(Annotation.ls_annotation_id)
        ).all()  # fmt: skip
    assert [(t, a) for t, a, _ in rows] == [(0, 1), (0, 2), (1, 1001)]
    spans = json.loads(rows[0][2])["spans"]
    assert sorted((x["start"], x["end"]) for x in spans) == [(b, b + 5), (d, d + 11)]
    assert pull_from_file(settings, store, path, schema=ner).changed == 0
    render.status_text(status(store, "imported"))
    assert "(no annotator)" in capsys.readouterr().out
