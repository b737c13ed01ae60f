"""What every stage checks about a dataset (`workbench.datasets`). One rule for the schema it
is read under, the same for pull, reconcile, agreement and export: the schema stored with the
dataset; the given or configured one only for a dataset the store holds none for; a given one
that reads otherwise refused. An export only of a consensus of the current annotations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from workbench.config import Settings, load_settings
from workbench.datasets import dataset_schema
from workbench.errors import ConfigError, NothingToRelease, OutOfDate
from workbench.export import export_dataset
from workbench.pipeline import describe, up
from workbench.pull_file import pull_from_file
from workbench.reconcile.commands import reconcile
from workbench.schema import load_schema, parse_schema
from workbench.store import Annotation, Dataset, Store
from workbench.store.models import AgreementFigures, ConsensusLabel, Release, SplitAssignment

TINY = """\
id: tiny
title: Tiny
labels:
  - {name: Person, description: a person, hotkey: p, color: "#ff0000"}
segment:
  - name: tone
    choices:
      - {value: calm, hotkey: "1"}
      - {value: heated, hotkey: "2"}
"""
# the same id, edited and not pushed: a value renamed (annotations would read otherwise)
EDITED = TINY.replace("heated", "angry")
# another version that reads annotations alike (only a description changed)
RETOLD = TINY.replace("a person", "someone")
V1, V2 = parse_schema(TINY).version, parse_schema(EDITED).version
TEXT = "Anna Berg said the plan will work."
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TABLES = (Annotation, Dataset, Release, SplitAssignment, ConsensusLabel, AgreementFigures)


def settings_with(store_url: str, tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "configured.yaml"
    path.write_text(text, encoding="utf-8")
    return load_settings(
        {"database_url": store_url, "dataset": "tiny", "schema_path": str(path)},
        cwd=tmp_path,
        environ={},
    )


def export_file(tmp_path: Path, users: tuple[int, ...] = (1, 2)) -> Path:
    tone = {"from_name": "tone", "to_name": "text", "type": "choices",
            "value": {"choices": ["heated"]}}  # fmt: skip
    tasks = [
        {"id": 7, "data": {"text": TEXT}, "annotations": [
            {"id": 70 + user, "completed_by": user, "result": [tone],
             "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
            for user in users]},
    ]  # fmt: skip
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def test_a_dataset_is_read_under_its_stored_schema_whatever_the_file_says(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    pull_from_file(settings_with(store_url, tmp_path, TINY), store, export_file(tmp_path))
    edited = settings_with(store_url, tmp_path, EDITED)  # the file edited, not pushed
    schema = dataset_schema(edited, store, "tiny")
    assert schema.version == V1 != V2 and schema == parse_schema(TINY)
    # reconcile reads the annotations as they were made: "heated" is a value of that schema
    report = reconcile(edited, store, dataset="tiny")
    assert report.labels_decided == 1 and report.labels_undecided == 0
    # a pull of the same file again under the edited file: still valid, nothing changed
    assert pull_from_file(edited, store, export_file(tmp_path)).changed == 0
    with store.session() as s:
        assert set(s.scalars(sa.select(Annotation.status))) == {"valid"}


def test_a_given_schema_that_reads_otherwise_is_refused_before_any_write(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    settings = settings_with(store_url, tmp_path, TINY)
    pull_from_file(settings, store, export_file(tmp_path))
    edited = parse_schema(EDITED, source=tmp_path / "edited.yaml")
    with pytest.raises(ConfigError) as refused:
        dataset_schema(settings, store, "tiny", edited)
    message = str(refused.value)
    assert f"stored schema tiny {V1}" in message and f"tiny {V2}" in message
    assert "edited.yaml" in message and "workbench push" in message
    with store.session() as s:
        before = s.scalar(sa.select(sa.func.count()).select_from(Annotation))
    with pytest.raises(ConfigError, match=f"stored schema tiny {V1}"):
        pull_from_file(settings, store, export_file(tmp_path), schema=edited)
    with store.session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Annotation)) == before
    # one that reads alike (a description changed) is accepted; the stored one is used
    retold = parse_schema(RETOLD)
    assert retold.version != V1 and dataset_schema(settings, store, "tiny", retold).version == V1


def test_a_dataset_without_a_stored_schema_takes_the_given_else_the_configured_one(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    settings = settings_with(store_url, tmp_path, TINY)
    with store.session() as s:
        s.add(Dataset(name="bare"))  # a row no push or pull wrote a schema into
    assert dataset_schema(settings, store, "bare").version == V1
    assert dataset_schema(settings, store, "absent").version == V1
    assert dataset_schema(settings, store, "bare", parse_schema(EDITED)).version == V2
    settings.schema_path.unlink()
    with pytest.raises(ConfigError, match=r"configured\.yaml"):
        dataset_schema(settings, store, "bare")
    # a stored schema needs no file at all
    pull_from_file(
        settings, store, export_file(tmp_path), schema=load_schema(_write(tmp_path, TINY))
    )
    assert dataset_schema(settings, store, "tiny").version == V1


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "given.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_export_is_refused_until_reconcile_has_seen_the_current_annotations(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    settings = settings_with(store_url, tmp_path, TINY)
    schema = parse_schema(TINY)
    exports = tmp_path / "exports"
    pull_from_file(settings, store, export_file(tmp_path))
    with pytest.raises(OutOfDate, match=r"run `workbench reconcile --dataset tiny` first"):
        export_dataset(store, exports, "tiny", schema)  # never reconciled
    reconcile(settings, store, dataset="tiny")
    assert export_dataset(store, exports, "tiny", schema).version == "v0001"

    pull_from_file(settings, store, export_file(tmp_path, users=(1, 2, 3)))  # one more
    with pytest.raises(OutOfDate):
        export_dataset(store, exports, "tiny", schema)  # the consensus is of two, not three
    assert not (exports / "tiny" / "v0002").exists()
    reconcile(settings, store, dataset="tiny")
    assert export_dataset(store, exports, "tiny", schema).version == "v0002"
    # read under another schema than reconcile's: its consensus is not of those entries
    edited = parse_schema(EDITED)
    with pytest.raises(OutOfDate):
        export_dataset(store, exports, "tiny", edited)


def test_a_refused_export_refuses_before_it_reads_or_writes_anything(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    """The OutOfDate refusal comes from the annotations' ids alone, before the entries are
    made again and the release read (seconds at 10^5 segments): the store is left as it was."""
    settings = settings_with(store_url, tmp_path, TINY)
    pull_from_file(settings, store, export_file(tmp_path))
    with store.session() as s:  # entries as a store from before them has them: none yet
        s.execute(sa.update(Annotation).values(result_entry=None, entry_key=None))
    with pytest.raises(OutOfDate, match=r"run `workbench reconcile --dataset tiny` first"):
        export_dataset(store, tmp_path / "exports", "tiny", parse_schema(TINY))
    with store.session() as s:
        assert set(s.execute(sa.select(Annotation.result_entry, Annotation.entry_key))) == {
            (None, None)
        }
    assert not (tmp_path / "exports" / "tiny").exists()


def quarantined_file(tmp_path: Path) -> Path:
    """A task whose only annotation answers with a value the schema lacks: quarantined."""
    path = export_file(tmp_path, users=(1,))
    path.write_text(path.read_text().replace("heated", "furious"), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", ["no annotations", "only quarantined", "unknown dataset"])
def test_an_export_with_nothing_to_release_is_refused_and_writes_no_release(
    store: Store, store_url: str, tmp_path: Path, case: str
) -> None:
    """Not an empty, permanent v0001: one line, exit 11, no release folder, store unchanged
    (whatever reconcile said of it)."""
    settings = settings_with(store_url, tmp_path, TINY)
    exports, name = tmp_path / "exports", "tiny" if case != "unknown dataset" else "nope"
    if case != "unknown dataset":
        source = export_file(tmp_path, users=()) if case == "no annotations" else None
        report = pull_from_file(settings, store, source or quarantined_file(tmp_path))
        assert len(report.quarantined) == (case == "only quarantined")
        reconcile(settings, store, dataset="tiny")  # a consensus of nothing is current
    with store.session() as s:
        before = [s.scalar(sa.select(sa.func.count()).select_from(t)) for t in TABLES]
    why = (
        "no dataset 'nope' in the store"
        if name == "nope"
        else "'tiny' has no annotations to release"
    )
    with pytest.raises(NothingToRelease, match=why) as refused:
        export_dataset(store, exports, name, parse_schema(TINY), force=True)
    assert "\n" not in refused.value.message and refused.value.exit_code == 11
    assert not (exports / name).exists()
    with store.session() as s:
        assert [s.scalar(sa.select(sa.func.count()).select_from(t)) for t in TABLES] == before
    env = {**os.environ, "WORKBENCH_DATABASE_URL": store_url, "WORKBENCH_EXPORTS": str(exports)}
    cli = [sys.executable, "-m", "workbench", "export", name]
    out = subprocess.run(cli, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 11, out.stderr
    assert [line for line in out.stderr.splitlines() if line] == [f"error: {refused.value}"]
    assert not (exports / name).exists()


def test_up_with_nothing_annotated_yet_runs_the_loop_and_makes_no_release(
    store: Store, store_url: str, tmp_path: Path, label_studio: Any
) -> None:
    """`workbench up` on seeds without sample annotations: pushed, pulled (nothing), reconciled
    and no release, said so, and not an error (the annotators have not started yet)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEEDS / "002_af2b47d82d3e3151.txt", seeds)  # and no sample-annotations.yaml
    settings = load_settings(
        {
            "database_url": store_url,
            "dataset": "empty",
            "schema_path": str(SEEDS.parent / "schemas" / "news-v1.yaml"),
            "label_studio_url": label_studio.url,
            "label_studio_api_key": label_studio.token,
            "exports_dir": str(tmp_path / "exports"),
        },
        cwd=tmp_path,
        environ={},
    )
    summary = up(settings, store, seeds)
    assert summary.push is not None and summary.push.imported == summary.segments > 0
    assert summary.pull is not None and summary.pull.annotations_new == 0
    assert summary.export is None and "'empty' has no annotations to release" in summary.no_release
    assert f"no release: {summary.no_release}" in describe(summary)
    assert not (tmp_path / "exports" / "empty").exists()


def test_a_stored_schemas_guidelines_are_the_ones_beside_the_schema_file(
    store: Store, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make up` exports under the schema file, whose guidelines lie beside it; `workbench
    export` afterwards reads the stored schema. Both must record the same guidelines version,
    or the second export writes a new version of unchanged data (guidelines_version null)."""
    text = TINY + "guidelines: tiny.md\n"
    settings = settings_with(store_url, tmp_path, text)
    (tmp_path / "tiny.md").write_text("# Tiny\n\nLabel persons.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path.parent)  # run from elsewhere: no tiny.md in the working folder
    from_file = load_schema(settings.schema_path)
    assert from_file.guidelines_version is not None
    pull_from_file(settings, store, export_file(tmp_path), schema=from_file)
    reconcile(settings, store, dataset="tiny")
    exports = tmp_path / "exports"
    assert export_dataset(store, exports, "tiny", from_file).version == "v0001"  # as `up` does
    stored = dataset_schema(settings, store, "tiny")  # as `workbench export` does
    assert stored.guidelines_version == from_file.guidelines_version
    again = export_dataset(store, exports, "tiny", stored)
    assert again.status == "unchanged" and not (exports / "tiny" / "v0002").exists()
    first = from_file.guidelines_version
    other = tmp_path / "given"  # --schema FILE: the guidelines beside that file
    other.mkdir()
    (other / "tiny.md").write_text("# Tiny, revised\n", encoding="utf-8")
    (other / "tiny.yaml").write_text(text, encoding="utf-8")
    given = dataset_schema(settings, store, "tiny", load_schema(other / "tiny.yaml"))
    assert given.guidelines_version not in (None, first)
