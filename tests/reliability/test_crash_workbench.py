"""The workbench process SIGKILLed at random points of push, pull, reconcile and export: the
re-run converges to the state of an uninterrupted run, and no half-written release is ever
visible.

How: `faultrun.py` counts the *events* of an uninterrupted run (calls into workbench,
SQLAlchemy, httpx, httpcore; see its docstring), then each seed picks a kill point among
them (deterministic: `random.Random(seed)`, fixed `PYTHONHASHSEED`). Every killed run works
on its own copy of the same starting store; after the re-run its store must equal the
reference run's store, compared without row ids and timestamps (`semantic_state`).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import reliability_helpers as rh
from reliability_helpers import Stages

from workbench.config import load_settings
from workbench.export import verify_release
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.push import push
from workbench.samples import load_samples
from workbench.store import open_store

KILL_SEEDS = (1, 2, 3)


def kill_points(total: int) -> list[int]:
    """One kill point per seed, anywhere but the first and last 2% of the run."""
    margin = max(1, total // 50)
    return [random.Random(seed).randint(margin, total - margin) for seed in KILL_SEEDS]


def assert_only_complete_releases(dataset_dir: Path) -> None:
    """What a reader of exports/<dataset>/ may ever see: complete vNNNN folders (their
    checksums verify) and hidden .tmp-* folders, nothing else."""
    if not dataset_dir.exists():
        return
    for child in dataset_dir.iterdir():
        if child.name.startswith(".tmp-"):
            continue
        assert child.is_dir() and re.fullmatch(r"v\d{4}", child.name), f"visible: {child}"
        report = verify_release(child)
        assert report.ok, f"{child} is incomplete: {report}"


@dataclass
class Op:
    name: str
    stage: str  # which `Stages` store it starts from
    args: list[str]
    fault: dict[str, Any] = field(default_factory=dict)  # always applied (preloads)


FILE_OPS = [
    Op("pull-from-file", "seeded", ["pull", "--from-file", "{export}"]),
    Op("reconcile", "pulled", ["reconcile"], {"preload_export": True}),
    Op("export", "reconciled", ["export"], {"preload_export": True}),
]


@pytest.mark.parametrize("op", FILE_OPS, ids=[op.name for op in FILE_OPS])
def test_killed_at_random_points_then_rerun_converges(
    op: Op, stages: Stages, tmp_path: Path
) -> None:
    baseline: Path = getattr(stages, op.stage)
    args = [a.format(export=stages.export_file) for a in op.args]

    def env(db: Path, exports: Path, fault: dict[str, Any] | None) -> dict[str, str]:
        return rh.cli_env(rh.sqlite_url(db), exports=exports, fault=fault)

    ref_db = rh.copy_sqlite(baseline, tmp_path / "reference.db")
    count_file = tmp_path / "events"
    ref = rh.run_cli(
        args,
        env(ref_db, tmp_path / "ref-exports", {**op.fault, "count_file": str(count_file)}),
        tmp_path,
        faulty=True,
    )
    assert ref.returncode == 0, ref.stderr
    total = int(count_file.read_text())
    reference = rh.semantic_state(rh.sqlite_url(ref_db))
    points = kill_points(total)

    runs = [(seed, tmp_path / f"seed{seed}.db", tmp_path / f"exports{seed}") for seed in KILL_SEEDS]
    for _, db, _ in runs:
        rh.copy_sqlite(baseline, db)
    crashed = rh.run_all(
        [
            (args, env(db, exports, {**op.fault, "kill_at": point}), tmp_path, True)
            for (_, db, exports), point in zip(runs, points, strict=True)
        ]
    )
    for (seed, _, exports), point, out in zip(runs, points, crashed, strict=True):
        assert out.killed, f"seed {seed}: not killed at event {point}/{total}: {out}"
        assert_only_complete_releases(exports / "news")

    reruns = rh.run_all(
        [(args, env(db, exports, None), tmp_path, False) for _, db, exports in runs]
    )
    for (seed, db, exports), point, out in zip(runs, points, reruns, strict=True):
        where = f"seed {seed}, killed at event {point}/{total}"
        assert out.returncode == 0, f"{where}: re-run failed: {out.stderr}"
        state = rh.semantic_state(rh.sqlite_url(db))
        assert rh.diff_states(reference, state) == [], where
        assert not [t for t in state["locks"]], f"{where}: a lock was left behind"
        if op.name == "export":
            assert_only_complete_releases(exports / "news")
            visible = sorted(p.name for p in (exports / "news").iterdir() if p.name[0] != ".")
            assert visible == ["v0001"], where
            ours = json.loads((exports / "news" / "v0001" / "manifest.json").read_text())
            theirs = json.loads(
                (tmp_path / "ref-exports" / "news" / "v0001" / "manifest.json").read_text()
            )
            assert ours["data_sha256"] == theirs["data_sha256"], where
            assert ours["files"] == theirs["files"], where


# -- exports: the two crash windows a random kill rarely hits --------------------------------------


def _export_env(db: Path, exports: Path, fault: dict[str, Any] | None = None) -> dict[str, str]:
    return rh.cli_env(rh.sqlite_url(db), exports=exports, fault=fault)


def test_next_export_cleans_up_what_a_killed_export_left(stages: Stages, tmp_path: Path) -> None:
    db = rh.copy_sqlite(stages.reconciled, tmp_path / "store.db")
    exports = tmp_path / "exports"
    leftover = exports / "news" / ".tmp-v0001-0badc0de"
    leftover.mkdir(parents=True)
    (leftover / "segments.parquet").write_bytes(b"half a file")
    out = rh.run_cli(["export"], _export_env(db, exports), tmp_path)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (exports / "news").iterdir()) == ["v0001"]


def test_export_killed_between_rename_and_commit_converges(stages: Stages, tmp_path: Path) -> None:
    reference_db = rh.copy_sqlite(stages.reconciled, tmp_path / "reference.db")
    ref = rh.run_cli(["export"], _export_env(reference_db, tmp_path / "ref"), tmp_path)
    assert ref.returncode == 0, ref.stderr
    db = rh.copy_sqlite(stages.reconciled, tmp_path / "store.db")
    exports = tmp_path / "exports"
    killed = rh.run_cli(
        ["export"],
        _export_env(db, exports, {"preload_export": True, "after_rename": r"/v\d{4}$"}),
        tmp_path,
        faulty=True,
    )
    assert killed.returncode == -9
    assert_only_complete_releases(exports / "news")
    again = rh.run_cli(["export"], _export_env(db, exports), tmp_path)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (exports / "news").iterdir()) == ["v0001"]
    reference = rh.semantic_state(rh.sqlite_url(reference_db))
    assert rh.diff_states(reference, rh.semantic_state(rh.sqlite_url(db))) == []


# -- push and live pull against the session's Label Studio ----------------------------------------


def _server_segments(client: LabelStudioClient, project_id: int) -> dict[str, int]:
    """segment id → task id, asserting each segment is there once."""
    seen: dict[str, int] = {}
    for task in client.list_tasks(project_id, page_size=500, annotations=False):
        sid = task["data"]["segment_id"]
        assert sid not in seen, f"segment {sid} is in project {project_id} twice"
        seen[sid] = int(task["id"])
    return seen


@pytest.mark.labelstudio
def test_push_killed_at_random_points_then_rerun_has_every_segment_once(
    stages: Stages, label_studio: ServerInfo, ls_client: LabelStudioClient, tmp_path: Path
) -> None:
    args = ["push", "--batch-size", "20"]
    fault = {"preload_sdk": True}

    def env(db: Path, dataset: str, extra: dict[str, Any] | None) -> dict[str, str]:
        return rh.cli_env(
            rh.sqlite_url(db),
            dataset=dataset,
            ls_url=label_studio.url,
            token=label_studio.token,
            fault=extra,
        )

    ref_db = rh.copy_sqlite(stages.seeded, tmp_path / "reference.db")
    ref_ds = rh.unique("crashref")
    count_file = tmp_path / "events"
    ref = rh.run_cli(
        args, env(ref_db, ref_ds, {**fault, "count_file": str(count_file)}), tmp_path, faulty=True
    )
    assert ref.returncode == 0, ref.stderr
    total = int(count_file.read_text())
    ignore = {"project_id", "ls_task_id"}
    reference = rh.semantic_state(rh.sqlite_url(ref_db), ignore=ignore, datasets={ref_ds: "DS"})
    points = kill_points(total)

    runs = [(seed, tmp_path / f"seed{seed}.db", rh.unique(f"crash{seed}-")) for seed in KILL_SEEDS]
    for _, db, _ in runs:
        rh.copy_sqlite(stages.seeded, db)
    crashed = rh.run_all(
        [
            (args, env(db, ds, {**fault, "kill_at": point}), tmp_path, True)
            for (_, db, ds), point in zip(runs, points, strict=True)
        ]
    )
    for (seed, _, _), point, out in zip(runs, points, crashed, strict=True):
        assert out.killed, f"seed {seed}: not killed at event {point}/{total}: {out}"
    reruns = rh.run_all([(args, env(db, ds, None), tmp_path, False) for _, db, ds in runs])
    for (seed, db, ds), point, out in zip(runs, points, reruns, strict=True):
        where = f"seed {seed}, killed at event {point}/{total}"
        assert out.returncode == 0, f"{where}: {out.stderr}"
        url = rh.sqlite_url(db)
        state = rh.semantic_state(url, ignore=ignore, datasets={ds: "DS"})
        assert rh.diff_states(reference, state) == [], where
        rows = rh.table_rows(url)
        (dataset,) = rows["datasets"]
        on_server = _server_segments(ls_client, int(dataset["project_id"]))
        assert {t["segment_id"]: t["ls_task_id"] for t in rows["tasks"]} == on_server, where
        assert len(on_server) == len([s for s in rows["segments"] if s["unit"] == "paragraph"])


@pytest.fixture(scope="module")
def annotated_project(
    stages: Stages,
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, str]:
    """The seeds pushed to a project that the sample annotators annotated: (store, dataset)."""
    base = tmp_path_factory.mktemp("annotated")
    db = rh.copy_sqlite(stages.seeded, base / "pushed.db")
    dataset = rh.unique("crashpull")
    settings = load_settings(
        {
            "database_url": rh.sqlite_url(db),
            "label_studio_url": label_studio.url,
            "label_studio_api_key": label_studio.token,
            "dataset": dataset,
        },
        cwd=base,
        environ={},
    )
    store = open_store(rh.sqlite_url(db))
    push(settings, store, rh.schema(), ls_client)
    load_samples(store, ls_client, rh.schema(), dataset, rh.SAMPLES)
    store.close()
    return db, dataset


@pytest.mark.labelstudio
def test_pull_killed_at_random_points_then_rerun_converges(
    annotated_project: tuple[Path, str], label_studio: ServerInfo, tmp_path: Path
) -> None:
    baseline, dataset = annotated_project
    fault = {"preload_sdk": True, "page_size": 20}

    def env(db: Path, extra: dict[str, Any]) -> dict[str, str]:
        return rh.cli_env(
            rh.sqlite_url(db),
            dataset=dataset,
            ls_url=label_studio.url,
            token=label_studio.token,
            fault=extra,
        )

    ref_db = rh.copy_sqlite(baseline, tmp_path / "reference.db")
    count_file = tmp_path / "events"
    ref = rh.run_cli(
        ["pull"], env(ref_db, {**fault, "count_file": str(count_file)}), tmp_path, faulty=True
    )
    assert ref.returncode == 0, ref.stderr
    total = int(count_file.read_text())
    reference = rh.semantic_state(rh.sqlite_url(ref_db))
    assert len(reference["annotations"]) == 24
    points = kill_points(total)
    dbs = [rh.copy_sqlite(baseline, tmp_path / f"seed{seed}.db") for seed in KILL_SEEDS]
    crashed = rh.run_all(
        [
            (["pull"], env(db, {**fault, "kill_at": point}), tmp_path, True)
            for db, point in zip(dbs, points, strict=True)
        ]
    )
    for seed, point, out in zip(KILL_SEEDS, points, crashed, strict=True):
        assert out.killed, f"seed {seed}: not killed at event {point}/{total}: {out}"
    reruns = rh.run_all([(["pull"], env(db, fault), tmp_path, True) for db in dbs])
    for seed, db, point, out in zip(KILL_SEEDS, dbs, points, reruns, strict=True):
        where = f"seed {seed}, killed at event {point}/{total}"
        assert out.returncode == 0, f"{where}: {out.stderr}"
        state = rh.semantic_state(rh.sqlite_url(db))
        assert rh.diff_states(reference, state) == [], where


def test_kill_points_are_deterministic() -> None:
    assert kill_points(10_000) == kill_points(10_000)
    assert len(set(kill_points(10_000))) == len(KILL_SEEDS)
