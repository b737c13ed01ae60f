"""One set of rules for a schema file and its stored form; a refused load writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import workbench.pull_file as pull_module
from workbench.config import Settings, load_settings
from workbench.pull_file import pull_from_file
from workbench.schema import label_config, load_schema, parse_schema, schema_from_dict
from workbench.store import Annotation, Annotator, Article, Dataset, Segment, Store, Task

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "schemas" / "news-v1.yaml"
TEXT = "Anna Berg said the plan will work."

NO_GUIDELINES = """\
id: tiny
title: Tiny, without guidelines
labels:
  - name: Person
    description: a person
    hotkey: p
    color: "#ff0000"
segment:
  - name: tone
    choices:
      - {value: calm, hotkey: "1"}
      - {value: heated, hotkey: "2"}
"""

# an imported view: free names, no hotkeys, no colours, relations between any labels
FREE = """\
id: imported
title: Imported
guidelines:
view: {text: review, value: $review, labels: ner, hotkeys: optional, names: free,
       layout: plain}
labels:
  - {name: Product name}
  - {name: Brand, color: "#00ff00", hotkey: b}
relations:
  - {name: made by}
segment:
  - {name: stars, kind: rating, max_value: 10}
  - {name: notes, kind: textarea}
"""


@pytest.mark.parametrize("text", [NO_GUIDELINES, FREE, NEWS.read_text(encoding="utf-8")])
def test_a_schema_loads_again_from_its_stored_dict(text: str, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    if "news-v1.md" in text:
        (tmp_path / "news-v1.md").write_text("guide", encoding="utf-8")
    schema = load_schema(path)
    stored = json.loads(json.dumps(schema.to_dict()))  # as the store's JSON column holds it
    again = schema_from_dict(stored)
    assert again == schema and again.version == schema.version
    assert label_config(again) == label_config(schema)


def test_guidelines_absent_or_null_means_none() -> None:
    assert parse_schema(NO_GUIDELINES).guidelines is None
    assert parse_schema(NO_GUIDELINES + "guidelines:\n").guidelines is None
    assert parse_schema(NO_GUIDELINES + "guidelines: null\n").guidelines is None


def counts(store: Store) -> tuple[int, ...]:
    with store.session() as s:
        return tuple(
            s.scalar(sa.select(sa.func.count()).select_from(m)) or 0
            for m in (Dataset, Article, Segment, Task, Annotation, Annotator)
        )


def export(tmp_path: Path) -> Path:
    span = {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": 0, "end": 9, "text": "Anna Berg", "labels": ["Person"]}}  # fmt: skip
    tone = {"from_name": "tone", "to_name": "text", "type": "choices",
            "value": {"choices": ["calm"]}}  # fmt: skip
    tasks: list[dict[str, Any]] = [
        {"id": 7, "data": {"text": TEXT}, "annotations": [
            {"id": 70, "completed_by": 3, "result": [span, tone],
             "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}]},
    ]  # fmt: skip
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    schema_path = tmp_path / "tiny.yaml"
    schema_path.write_text(NO_GUIDELINES, encoding="utf-8")
    return load_settings(
        {"database_url": store_url, "dataset": "tiny", "schema_path": str(schema_path)},
        cwd=tmp_path,
        environ={},
    )


def test_a_schema_without_guidelines_pulls_from_a_file(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    # Was: the dataset row was written, then its stored schema refused ("guidelines: is empty").
    path = export(tmp_path)
    report = pull_from_file(settings, store, path)
    assert report.annotations_new == 1 and not report.quarantined
    again = pull_from_file(settings, store, path)  # the stored schema is read back
    assert again.changed == 0
    with store.session() as s:
        assert s.scalar(sa.select(Annotation.status)) == "valid"


def test_a_refused_load_leaves_the_store_as_it_was(
    store: Store, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export(tmp_path)
    real_apply = pull_module.apply

    def apply_then_fail(session: Any, ctx: Any, records: Any) -> None:
        real_apply(session, ctx, records)  # the batch's rows are written, then the load fails
        raise RuntimeError("the store failed mid-load")

    monkeypatch.setattr(pull_module, "apply", apply_then_fail)
    before = counts(store)
    assert before[0] == 0
    with pytest.raises(RuntimeError):
        pull_from_file(settings, store, path)
    assert counts(store) == before  # no dataset row either
    monkeypatch.undo()
    assert pull_from_file(settings, store, path).annotations_new == 1
    assert counts(store)[0] == 1


def test_a_bad_configured_schema_writes_nothing(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(NO_GUIDELINES.replace('hotkey: "2"', 'hotkey: "1"'), encoding="utf-8")
    url = store.engine.url.render_as_string(hide_password=False)
    settings = load_settings(
        {"database_url": url, "dataset": "tiny", "schema_path": str(bad)},
        cwd=tmp_path,
        environ={},
    )
    before = counts(store)
    with pytest.raises(Exception, match="already used"):
        pull_from_file(settings, store, export(tmp_path))
    assert counts(store) == before


def run(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "LABEL_"))}
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        env={**full, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_validate_and_pull_agree_from_the_command_line(tmp_path: Path) -> None:
    schema_path = tmp_path / "tiny.yaml"
    schema_path.write_text(NO_GUIDELINES, encoding="utf-8")
    env = {"WORKBENCH_SCHEMA": str(schema_path), "WORKBENCH_DATASET": "tiny"}
    checked = run("schema", "validate", cwd=tmp_path, env=env)
    assert checked.returncode == 0, checked.stderr
    for _ in range(2):
        pulled = run("pull", "--from-file", str(export(tmp_path)), cwd=tmp_path, env=env)
        assert pulled.returncode == 0, pulled.stderr
