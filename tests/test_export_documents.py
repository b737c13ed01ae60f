"""Splits of a team's project whose tasks are paragraphs: `export --group-by FIELD` keeps the
paragraphs of one story (the same `FIELD` in their task data) in one split, later releases
keep grouping the same way, and a misspelt field is refused before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_cli import run as run_cli
from test_team_attribution import team_settings

from workbench.config import Settings
from workbench.errors import ConfigError
from workbench.export.release import export_dataset
from workbench.export.splits import assign_splits, hash_split
from workbench.pull_file import pull_from_file
from workbench.reconcile.save import reconcile
from workbench.schema import Schema, load_schema
from workbench.store import Store

CONFIG = """<View>
  <Labels name="label" toName="text">
    <Label value="Person"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>
"""
NAMES = ("Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea")


def _export(path: Path, paragraphs: range, first_id: int) -> Path:
    """Twelve stories (`doc` in the task data), a task per paragraph, two annotators each."""
    tasks = []
    for d, name in enumerate(NAMES):
        for k in paragraphs:
            text = f"{name} spoke in paragraph {k} of story {d}."
            value = {"start": 0, "end": len(name), "text": name, "labels": ["Person"]}
            result = [{"id": "p", "from_name": "label", "to_name": "text", "type": "labels",
                       "value": value}]  # fmt: skip
            task_id = first_id + 10 * d + k
            annotations = [
                {"id": 100 * task_id + u, "completed_by": u, "result": result,
                 "was_cancelled": False, "created_at": "2024-05-01T10:00:00Z"}
                for u in (1, 2)
            ]  # fmt: skip
            data = {"text": text, "doc": f"story-{d}", "title": f"Story {d}"}
            tasks.append({"id": task_id, "data": data, "annotations": annotations})
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return team_settings(store_url, tmp_path, CONFIG)


def _pulled(
    settings: Settings, store: Store, path: Path, paragraphs: range, first_id: int
) -> Schema:
    """The export of `_export` pulled and reconciled; the dataset's schema."""
    schema = load_schema(settings.schema_path)
    pull_from_file(settings, store, _export(path, paragraphs, first_id))
    reconcile(store, schema, "team")
    return schema


def _splits_by_story(path: Path) -> dict[str, set[str]]:
    articles = pq.read_table(path / "articles.parquet").to_pylist()
    out: dict[str, set[str]] = {}
    for a in articles:
        out.setdefault(a["title"], set()).add(a["split"])
    return out


def test_paragraphs_of_one_story_share_a_split(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    schema = _pulled(settings, store, tmp_path / "a.json", range(4), 1000)
    # each task is its own article: without grouping, stories straddle splits
    loose = export_dataset(store, tmp_path / "loose", "team", schema, group_by="")
    assert any(len(s) > 1 for s in _splits_by_story(loose.path).values())


def test_group_by_holds_across_releases(store: Store, settings: Settings, tmp_path: Path) -> None:
    schema = _pulled(settings, store, tmp_path / "a.json", range(4), 1000)
    first = export_dataset(store, tmp_path / "exports", "team", schema, group_by="doc")
    by_story = _splits_by_story(first.path)
    assert len(by_story) == 12 and all(len(s) == 1 for s in by_story.values())
    assert {next(iter(s)) for s in by_story.values()} >= {"train"}
    manifest = json.loads((first.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["splits"]["documents_by"] == "doc"
    card = (first.path / "README.md").read_text(encoding="utf-8")
    assert "with the same `doc` in their data are one document" in card

    # two more paragraphs of every story, exported without naming the field again
    _pulled(settings, store, tmp_path / "b.json", range(4, 6), 5000)
    second = export_dataset(store, tmp_path / "exports", "team", schema)
    assert second.version == "v0002"
    after = _splits_by_story(second.path)
    assert after == by_story  # every new paragraph joined its story's split
    before = {a["article_id"] for a in pq.read_table(first.path / "articles.parquet").to_pylist()}
    added = [
        a for a in pq.read_table(second.path / "articles.parquet").to_pylist()
        if a["article_id"] not in before
    ]  # fmt: skip
    assert len(added) == 24
    # on their own (hashed by article) some would have gone elsewhere: the grouping decided
    assert any(hash_split(a["article_id"]) != a["split"] for a in added)


def test_a_misspelt_field_is_refused_and_nothing_is_written(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    schema = _pulled(settings, store, tmp_path / "a.json", range(2), 1000)
    with pytest.raises(ConfigError, match=r"'dco': no task of dataset 'team' has that data field"):
        export_dataset(store, tmp_path / "exports", "team", schema, group_by="dco")
    assert not list((tmp_path / "exports").glob("team/v*"))
    env = {
        "WORKBENCH_DATABASE_URL": settings.database_url,
        "WORKBENCH_SCHEMA": str(settings.schema_path),
        "WORKBENCH_DATASET": "team",
        "WORKBENCH_EXPORTS": str(tmp_path / "exports"),
        "WORKBENCH_GROUP_BY": "dco",
    }
    result = run_cli("export", cwd=tmp_path, env=env)
    assert result.returncode == 4, result.stderr
    assert "their fields: doc, text, title" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_new_paragraph_takes_the_split_of_its_story() -> None:
    existing = {"a1": "test"}
    every, new = assign_splits(["a1", "a2", "b1"], existing, documents={"a1": "d=A", "a2": "d=A"})
    assert every["a2"] == "test" and new == {"a2": "test", "b1": hash_split("b1")}
    # a document met for the first time is placed by its own hash, all of it
    every, _ = assign_splits(["x1", "x2", "x3"], {}, documents=dict.fromkeys(["x1", "x2"], "d=X"))
    assert every["x1"] == every["x2"] == hash_split("d=X")
