"""Two operations on one dataset at once, on SQLite and PostgreSQL: the second waits or is
refused with one clear line (exit 5) naming the first; never duplicate rows. And the lock
itself: exactly one of many racing acquirers wins, a dead holder's lock is taken over, a live
one's is not."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import reliability_helpers as rh
import sqlalchemy as sa
from reliability_helpers import Stages

from workbench import corpus
from workbench.store import Store
from workbench.store.lock import LockedError, held_locks, is_stale, operation_lock
from workbench.store.models import OperationLock, utcnow


def _wait_for_lock(url: str, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    engine = sa.create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"the first pull ended early: {proc.communicate()}"
            with engine.connect() as conn:
                if conn.execute(sa.text("select count(*) from locks")).scalar():
                    return
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError("the first pull never took the lock")


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
    first = rh.start_cli(args, rh.cli_env(store_url, fault={"hold_lock": 3}), tmp_path, faulty=True)
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
