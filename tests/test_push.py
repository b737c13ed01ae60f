"""Push against a real Label Studio server: config accepted, text round-trips byte for byte,
idempotent, crash-safe under SIGKILL, schema changes guarded, clear errors, several annotators."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from workbench import corpus
from workbench.config import Settings, load_settings
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.push import push
from workbench.schema import Schema, load_schema, parse_schema
from workbench.store import Segment, Store, Task

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "news-v1.yaml"


def settings_for(ls: ServerInfo, store_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        {
            "database_url": store_url,
            "label_studio_url": ls.url,
            "label_studio_api_key": ls.token,
            "dataset": f"t{uuid.uuid4().hex[:8]}",
        },
        cwd=tmp_path,
        environ={},
    )


@pytest.fixture
def seeded(store: Store, seeds_dir: Path) -> Store:
    corpus.ingest(store, [seeds_dir])
    corpus.segment(store)
    return store


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(SCHEMA)


def _server_segment_ids(client: LabelStudioClient, project_id: int) -> list[str]:
    return [
        t["data"]["segment_id"]
        for t in client.list_tasks(project_id, page_size=500, annotations=False)
    ]


def test_push_creates_project_imports_every_segment_once_and_is_idempotent(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    seeded: Store,
    schema: Schema,
    store_url: str,
    tmp_path: Path,
) -> None:
    settings = settings_for(label_studio, store_url, tmp_path)
    dry = push(settings, seeded, schema, ls_client, dry_run=True)
    assert dry.project == "create" and dry.imported == dry.segments > 0
    with seeded.session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Task)) == 0  # dry run wrote nothing

    first = push(settings, seeded, schema, ls_client, annotators=3, batch_size=40)
    assert first.project == "create" and first.imported == first.segments
    assert first.project_id is not None
    project = ls_client.get_project(first.project_id)
    assert project.maximum_annotations == 3
    assert '<Label value="Source"' in project.label_config  # Label Studio accepted our XML
    assert "Attribution" in project.expert_instruction or "Source" in project.expert_instruction

    on_server = _server_segment_ids(ls_client, first.project_id)
    assert sorted(on_server) == sorted(set(on_server))
    with seeded.session() as s:
        segment_ids = set(s.scalars(sa.select(Segment.id)))
        tasks = s.scalars(sa.select(Task)).all()
    assert set(on_server) == segment_ids
    assert {t.state for t in tasks} == {"pushed"} and len(tasks) == len(segment_ids)

    second = push(settings, seeded, schema, ls_client)
    assert second.imported == 0 and second.project == "unchanged"
    assert len(_server_segment_ids(ls_client, first.project_id)) == len(segment_ids)


def test_task_text_round_trips_byte_for_byte(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    store: Store,
    store_url: str,
    tmp_path: Path,
) -> None:
    article = tmp_path / "tricky.md"
    tricky = (
        "# Tricky text\n\nQuotes “curly” and ‘single’ — dashes – and déjà vu; "
        "emoji 🇵🇰🇷🇺 and Urdu: پاکستان.\n\nA second paragraph with a tab\tand  two spaces."
    )
    article.write_text(tricky, encoding="utf-8")
    corpus.ingest(store, [article])
    corpus.segment(store)
    settings = settings_for(label_studio, store_url, tmp_path)
    report = push(settings, store, load_schema(SCHEMA), ls_client)
    with store.session() as s:
        pairs = s.execute(sa.select(Segment.text, Task.ls_task_id).join(Task)).all()
    assert pairs
    for text, task_id in pairs:
        assert ls_client.get_task(task_id)["data"]["text"] == text
    assert report.imported == len(pairs)


def test_three_annotators_annotate_pushed_tasks(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    seeded: Store,
    schema: Schema,
    store_url: str,
    tmp_path: Path,
) -> None:
    settings = settings_for(label_studio, store_url, tmp_path)
    push(settings, seeded, schema, ls_client)
    with seeded.session() as s:
        text, task_id = s.execute(
            sa.select(Segment.text, Task.ls_task_id)
            .join(Task)
            .where(Segment.text.like("According to Foreign Minister%"))
        ).one()
    assert task_id is not None
    cue = text.index("According to")
    users = [ls_client.ensure_user(f"ann{i}-{uuid.uuid4().hex[:6]}@example.org") for i in range(3)]
    for n, user in enumerate(users):
        end = cue + len("According to")
        result: list[dict[str, Any]] = [
            {
                "id": f"c{n}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": cue, "end": end, "text": text[cue:end], "labels": ["Cue"]},
            },
            {
                "id": f"s{n}",
                "from_name": "sentiment",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": ["neutral" if n < 2 else "positive"]},
            },
        ]
        ls_client.create_annotation(task_id, result, completed_by=user.id)
    task = ls_client.get_task(task_id)
    annotations = task.get("annotations") or ls_client.list_annotations(task_id)
    # the task detail expands completed_by into a user object; the list endpoint gives the id
    by_user = {
        (a["completed_by"]["id"] if isinstance(a["completed_by"], dict) else a["completed_by"]): a
        for a in annotations
    }
    assert set(by_user) == {u.id for u in users}
    for a in by_user.values():
        cue_region = next(r for r in a["result"] if r["type"] == "labels")
        assert cue_region["value"]["text"] == "According to"
    sentiments = sorted(
        r["value"]["choices"][0] for a in annotations for r in a["result"] if r["type"] == "choices"
    )
    assert sentiments == ["neutral", "neutral", "positive"]


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _env(ls: ServerInfo, store_url: str, dataset: str, token: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "LABEL_STUDIO_"))}
    env.update(
        WORKBENCH_DATABASE_URL=store_url,
        LABEL_STUDIO_URL=ls.url,
        LABEL_STUDIO_API_KEY=token if token is not None else ls.token,
        WORKBENCH_DATASET=dataset,
    )
    return env


@pytest.mark.parametrize("kill_after", [1, 3])
def test_push_killed_midway_then_rerun_has_every_segment_exactly_once(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    seeded: Store,
    store_url: str,
    tmp_path: Path,
    kill_after: int,
) -> None:
    """SIGKILL the push process once `kill_after` batches reached the server, run it again."""
    dataset = f"kill{uuid.uuid4().hex[:8]}"
    env = _env(label_studio, store_url, dataset)
    (tmp_path / "schemas").mkdir()
    for f in (ROOT / "schemas").iterdir():
        (tmp_path / "schemas" / f.name).write_bytes(f.read_bytes())
    proc = _cli(["push", "--batch-size", "5"], env, tmp_path)
    deadline = time.monotonic() + 120
    project_id = None
    while time.monotonic() < deadline and proc.poll() is None:
        with seeded.session() as s:
            project_id = s.scalar(
                sa.text("select project_id from datasets where name = :n"), {"n": dataset}
            )
        if project_id and len(_server_segment_ids(ls_client, project_id)) >= 5 * kill_after:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "push finished before it could be killed: " + str(
        proc.communicate()
    )
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert project_id is not None
    partial = _server_segment_ids(ls_client, project_id)
    with seeded.session() as s:
        total = s.scalar(sa.select(sa.func.count()).select_from(Segment))
    assert 0 < len(partial) < (total or 0)

    rerun = _cli(["push", "--batch-size", "5"], env, tmp_path)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    final = _server_segment_ids(ls_client, project_id)
    assert len(final) == len(set(final)) == total  # every segment exactly once
    with seeded.session() as s:
        rows = s.execute(sa.select(Task.segment_id, Task.ls_task_id, Task.state)).all()
    assert {state for _, _, state in rows} == {"pushed"}
    assert {seg for seg, _, _ in rows} == set(final)
    server_ids = {
        t["data"]["segment_id"]: t["id"]
        for t in ls_client.list_tasks(project_id, annotations=False)
    }
    assert {seg: tid for seg, tid, _ in rows} == server_ids


def test_errors_are_one_line_nonzero_and_leave_the_store_unchanged(
    label_studio: ServerInfo, seeded: Store, store_url: str, tmp_path: Path
) -> None:
    (tmp_path / "schemas").mkdir()
    for f in (ROOT / "schemas").iterdir():
        (tmp_path / "schemas" / f.name).write_bytes(f.read_bytes())

    def run(env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "workbench", "push", *extra],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def snapshot() -> tuple[int, int]:
        with seeded.session() as s:
            return (
                s.scalar(sa.text("select count(*) from tasks")) or 0,
                s.scalar(sa.text("select count(*) from datasets")) or 0,
            )

    before = snapshot()
    wrong = "wrongtoken" + "x" * 30
    out = run(_env(label_studio, store_url, "errs", token=wrong))
    assert out.returncode == 7
    assert "authentication failed" in out.stderr and wrong not in out.stderr + out.stdout
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr

    env = _env(label_studio, store_url, "errs")
    env["LABEL_STUDIO_URL"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    out = run(env)
    assert out.returncode == 6 and "cannot reach Label Studio" in out.stderr
    assert label_studio.token not in out.stderr

    bad_schema = tmp_path / "schemas" / "bad.yaml"
    bad_schema.write_text(
        (ROOT / "schemas" / "news-v1.yaml").read_text().replace('hotkey: "2"', 'hotkey: "1"')
    )
    out = run(_env(label_studio, store_url, "errs"), "--schema", str(bad_schema))
    assert out.returncode == 4 and "hotkey" in out.stderr and "bad.yaml" in out.stderr
    assert snapshot() == before


def test_deleted_project_is_a_clear_error(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    seeded: Store,
    schema: Schema,
    store_url: str,
    tmp_path: Path,
) -> None:
    settings = settings_for(label_studio, store_url, tmp_path)
    report = push(settings, seeded, schema, ls_client)
    assert report.project_id is not None
    ls_client.delete_project(report.project_id)
    from workbench.errors import LabelStudioError

    with pytest.raises(LabelStudioError, match=r"project \d+ not found"):
        push(settings, seeded, schema, ls_client)


def test_schema_change_that_orphans_annotations_is_refused_unless_forced(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    seeded: Store,
    schema: Schema,
    store_url: str,
    tmp_path: Path,
) -> None:
    from workbench.errors import ConfigError

    settings = settings_for(label_studio, store_url, tmp_path)
    report = push(settings, seeded, schema, ls_client)
    with seeded.session() as s:
        task_id = s.scalars(sa.select(Task.ls_task_id)).first()
    assert task_id is not None and report.project_id is not None
    ls_client.create_annotation(
        task_id,
        [
            {
                "id": "m1",
                "from_name": "sentiment",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": ["mixed"]},
            }
        ],
        completed_by=ls_client.check()["id"],
    )
    text = SCHEMA.read_text(encoding="utf-8")
    # A new schema version that keeps every used value is accepted...
    harmless = parse_schema(
        text.replace("News claims, attribution and sentiment (v1)", "News v1b"), SCHEMA
    )
    assert push(settings, seeded, harmless, ls_client).project == "update"
    # ...one that drops the value an annotation uses is refused, naming it.
    start = text.index('- {value: mixed, hotkey: "0"')
    dropped = parse_schema(text[:start] + text[text.index("\n", start) + 1 :], SCHEMA)
    with pytest.raises(ConfigError, match=r"sentiment=mixed \(1 annotation\)"):
        push(settings, seeded, dropped, ls_client)
    assert push(settings, seeded, dropped, ls_client, force=True).forced_orphans == [
        "sentiment=mixed (1 annotation)"
    ]


def test_server_cli_start_status_stop_and_annotators(tmp_path: Path) -> None:
    """`workbench server start` twice is a no-op; annotators get a password; stop stops it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "LABEL_STUDIO_"))}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "workbench", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    first = run("server", "start")
    assert first.returncode == 0, first.stderr
    assert "Label Studio: http://127.0.0.1:" in first.stdout and "admin login" in first.stdout
    config = tmp_path / ".workbench" / "config.json"
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    try:
        again = run("server", "start")
        assert again.returncode == 0 and "already running" in again.stdout
        assert run("server", "status").returncode == 0
        added = run("annotators", "add", "amina@example.org", "boris@example.org")
        assert added.returncode == 0, added.stderr
        assert added.stdout.count("password") == 2
        listed = run("annotators", "list", "--json")
        emails = {u["email"] for u in json.loads(listed.stdout)}
        assert {"amina@example.org", "boris@example.org"} <= emails
        token = json.loads(config.read_text())["label_studio_api_key"]
        for out in (first, again, added, listed):
            assert token not in out.stdout + out.stderr
    finally:
        stopped = run("server", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert run("server", "status").returncode == 1
