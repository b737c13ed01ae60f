"""Two operations on one dataset at once, on SQLite and PostgreSQL: the second waits or is
refused with one clear line (exit 5) naming the first; never duplicate rows. The library's
writers take the lock themselves (not only the CLI), `up` holds it from push to export. And the
lock itself: exactly one of many racing acquirers wins, a dead holder's lock is taken over, a
live one's is not; how long to wait comes from WORKBENCH_LOCK_WAIT."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import reliability_helpers as rh
import sqlalchemy as sa
from reliability_helpers import Stages

from workbench import corpus, pipeline
from workbench.config import load_settings
from workbench.errors import ConfigError
from workbench.export.release import export_dataset
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.pull import pull
from workbench.pull_file import pull_from_file
from workbench.push import push
from workbench.store import Store
from workbench.store.lock import LockedError, held_locks, is_stale, operation_lock
from workbench.store.models import OperationLock, utcnow


def _wait_for_lock(
    url: str, proc: subprocess.Popen[str], name: str = "dataset:news", timeout: float = 120
) -> None:
    engine = sa.create_engine(url)
    deadline = time.monotonic() + timeout
    query = sa.text("select count(*) from locks where name = :name")
    try:
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"the first command ended early: {proc.communicate()}"
            with engine.connect() as conn:
                if conn.execute(query, {"name": name}).scalar():
                    return
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError(f"the first command never took the lock {name}")


def _no_duplicates(url: str) -> None:
    rows = rh.table_rows(url)
    keys = [(a["dataset"], a["ls_annotation_id"], a["revision"]) for a in rows["annotations"]]
    assert len(keys) == len(set(keys)) == 24
    assert len(rows["annotators"]) == 3
    tasks = [(t["dataset"], t["segment_id"]) for t in rows["tasks"]]
    assert len(tasks) == len(set(tasks)) == 8
    assert rows["locks"] == []


@pytest.mark.parametrize("second_waits", [False, True], ids=["refused", "waits"])
def test_two_pulls_at_once(
    store: Store, store_url: str, stages: Stages, tmp_path: Path, second_waits: bool
) -> None:
    corpus.ingest(store, [rh.SEEDS])
    corpus.segment(store)
    args = ["pull", "--from-file", str(stages.export_file)]
    first = rh.start_cli(args, rh.cli_env(store_url, fault={"hold_lock": 8}), tmp_path, faulty=True)
    _wait_for_lock(store_url, first)
    env = rh.cli_env(store_url)
    if second_waits:
        env["WORKBENCH_LOCK_WAIT"] = "60"
    second = rh.run_cli(args, env, tmp_path)
    done = rh.finish(first)
    assert done.returncode == 0, done.stderr
    if second_waits:
        assert second.returncode == 0, second.stderr
        assert "0 new, 0 revised" in second.stdout  # it ran after the first, found it all there
        # and said what it waited for, not looking hung meanwhile
        waited = f"waiting up to 60 s for dataset 'news': pull by pid {first.pid} on "
        assert waited in second.stderr and "Traceback" not in second.stderr
    else:
        assert second.returncode == 5, second.stderr
        line = second.stderr.strip()
        assert len(line.splitlines()) == 1 and "Traceback" not in line
        assert line.startswith("error: dataset 'news' is busy: pull by pid ")
        assert str(first.pid) in line and socket.gethostname() in line
    _no_duplicates(store_url)


# -- the lock itself ----------------------------------------------------------------------------


def test_exactly_one_of_racing_acquirers_wins(store: Store) -> None:
    start = threading.Barrier(6)
    won: list[int] = []
    refused: list[str] = []
    release = threading.Event()

    def contender(n: int) -> None:
        start.wait()
        try:
            with operation_lock(store, "news", f"op{n}"):
                won.append(n)
                release.wait(10)
        except LockedError as exc:
            refused.append(exc.message)

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(won) + len(refused) < 6 and time.monotonic() < deadline:
        if len(refused) == 5:
            break
        time.sleep(0.05)
    release.set()
    for t in threads:
        t.join(30)
    assert len(won) == 1 and len(refused) == 5
    assert all("is busy: op" in m for m in refused)
    assert held_locks(store) == []


def _plant(store: Store, *, pid: int, host: str, heartbeat_age: timedelta) -> None:
    now = utcnow()
    with store.session() as s:
        s.add(
            OperationLock(
                name="dataset:news",
                operation="pull",
                token="f" * 32,
                owner_host=host,
                owner_pid=pid,
                owner_started=None,
                acquired_at=now - heartbeat_age,
                heartbeat_at=now - heartbeat_age,
            )
        )


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_lock_of_a_dead_process_is_taken_over(store: Store) -> None:
    _plant(store, pid=_dead_pid(), host=socket.gethostname(), heartbeat_age=timedelta(0))
    with operation_lock(store, "news", "push"):
        (holder,) = held_locks(store)
        assert holder.pid == os.getpid() and holder.operation == "push"
    assert held_locks(store) == []


def test_lock_of_a_silent_remote_host_is_taken_over_a_live_one_is_not(store: Store) -> None:
    _plant(store, pid=1, host="elsewhere.example", heartbeat_age=timedelta(minutes=1))
    busy = r"busy: pull by pid 1 on elsewhere\.example"
    with pytest.raises(LockedError, match=busy), operation_lock(store, "news", "export"):
        pass
    (holder,) = held_locks(store)
    assert is_stale(holder) is None
    assert is_stale(holder, stale_after=timedelta(seconds=30)) is not None
    with operation_lock(store, "news", "export", stale_after=timedelta(seconds=30)):
        assert held_locks(store)[0].operation == "export"
    assert held_locks(store) == []


def test_lock_is_reentrant_in_one_thread_and_other_datasets_are_free(store: Store) -> None:
    with operation_lock(store, "news", "pull"), operation_lock(store, "news", "pull"):
        with operation_lock(store, "other", "export"):
            assert len(held_locks(store)) == 2
        assert len(held_locks(store)) == 1
    assert held_locks(store) == []


def test_lock_is_released_when_the_block_raises(store: Store) -> None:
    with pytest.raises(RuntimeError), operation_lock(store, "news", "pull"):
        raise RuntimeError("boom")
    assert held_locks(store) == []


def test_waiting_acquirer_gets_the_lock_when_it_is_released(store: Store) -> None:
    got = threading.Event()

    def waiter() -> None:
        with operation_lock(store, "news", "export", wait=20):
            got.set()

    with operation_lock(store, "news", "pull"):
        t = threading.Thread(target=waiter)
        t.start()
        time.sleep(0.5)
        assert not got.is_set()
    t.join(20)
    assert got.is_set()


# -- the library takes the lock, not only the CLI ------------------------------------------------


@contextmanager
def _held_by_another_thread(store: Store, dataset: str | None) -> Iterator[None]:
    """The lock held for the block by another thread: a competitor like another process."""
    taken, release = threading.Event(), threading.Event()

    def holder() -> None:
        with operation_lock(store, dataset, "other", wait=0):
            taken.set()
            release.wait(60)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert taken.wait(30), "the competitor never took the lock"
        yield
    finally:
        release.set()
        thread.join(30)


def test_library_writers_refuse_a_concurrent_writer(
    store: Store, store_url: str, stages: Stages, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKBENCH_LOCK_WAIT", raising=False)
    corpus.ingest(store, [rh.SEEDS])
    corpus.segment(store)
    schema = rh.schema()
    # a real client of a server that is not there: every writer must refuse before using it
    offline = LabelStudioClient("http://127.0.0.1:9", "unused-token", retries=0)
    settings = load_settings(
        {
            "database_url": store_url,
            "dataset": "news",
            "schema_path": str(rh.SCHEMA_PATH),
            "label_studio_url": offline.url,
            "label_studio_api_key": "unused-token",
        },
        cwd=tmp_path,
        environ={},
    )
    before = rh.snapshot(store_url)
    writers: dict[str, Callable[[], Any]] = {
        "pull": lambda: pull(settings, store, offline),
        "pull --from-file": lambda: pull_from_file(settings, store, stages.export_file),
        "push": lambda: push(settings, store, schema, offline),
        "export": lambda: export_dataset(store, tmp_path / "exports", "news", schema),
        "up": lambda: pipeline.up(settings, store, rh.SEEDS),
    }
    with _held_by_another_thread(store, "news"):
        for name, write in writers.items():
            with pytest.raises(LockedError, match="dataset 'news' is busy: other by pid"):
                write()
                pytest.fail(f"{name} ran while another writer held the lock")
    corpus_writers = [lambda: corpus.ingest(store, [rh.SEEDS]), lambda: corpus.segment(store)]
    with _held_by_another_thread(store, None):
        for write in corpus_writers:
            with pytest.raises(LockedError, match="the corpus is busy: other by pid"):
                write()
    assert rh.snapshot(store_url) == before  # refused before writing anything
    assert held_locks(store) == []


def test_lock_wait_comes_from_the_environment(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_LOCK_WAIT", "30")
    with _held_by_another_thread(store, "news"):
        started = time.monotonic()
        with pytest.raises(LockedError), operation_lock(store, "news", "pull", wait=0.3):
            pass  # an explicit wait wins over the environment's
        assert time.monotonic() - started < 5

    def hold_briefly() -> None:
        with operation_lock(store, "news", "pull", wait=0):
            time.sleep(1)

    first = threading.Thread(target=hold_briefly)
    first.start()
    time.sleep(0.3)
    started = time.monotonic()
    with operation_lock(store, "news", "export"):  # waits (the environment's 30 s): not refused
        waited = time.monotonic() - started
    first.join(10)
    assert 0.2 < waited < 20
    for bad in ("soon", "-1", "nan"):
        monkeypatch.setenv("WORKBENCH_LOCK_WAIT", bad)
        refused = r"WORKBENCH_LOCK_WAIT=.*: not a number of seconds"
        with pytest.raises(ConfigError, match=refused), operation_lock(store, "news", "pull"):
            pass
    assert held_locks(store) == []


def test_bad_lock_wait_is_one_line_exit_4(store_url: str, stages: Stages, tmp_path: Path) -> None:
    env = {**rh.cli_env(store_url), "WORKBENCH_LOCK_WAIT": "a while"}
    out = rh.run_cli(["pull", "--from-file", str(stages.export_file)], env, tmp_path)
    assert out.returncode == 4
    assert out.stderr.strip() == "error: WORKBENCH_LOCK_WAIT='a while': not a number of seconds"


@pytest.mark.labelstudio
def test_up_holds_the_dataset_lock_from_push_to_export(
    stages: Stages, label_studio: ServerInfo, tmp_path: Path
) -> None:
    db = rh.copy_sqlite(stages.seeded, tmp_path / "up.db")
    url, dataset = rh.sqlite_url(db), rh.unique("up")
    env = rh.cli_env(
        url,
        dataset=dataset,
        ls_url=label_studio.url,
        token=label_studio.token,
        exports=tmp_path / "exports",
        fault={"hold_lock": 3, "preload_sdk": True},
    )
    first = rh.start_cli(["up", "--seeds", str(rh.SEEDS)], env, tmp_path, faulty=True)
    _wait_for_lock(url, first, name=f"dataset:{dataset}")
    second = rh.run_cli(
        ["pull", "--from-file", str(stages.export_file)], rh.cli_env(url, dataset=dataset), tmp_path
    )
    done = rh.finish(first)
    assert done.returncode == 0, done.stderr
    assert "release v0001" in done.stdout
    assert second.returncode == 5, second.stderr
    assert second.stderr.startswith(f"error: dataset '{dataset}' is busy: up by pid {first.pid} ")
    assert rh.table_rows(url)["locks"] == []
