"""The forked workers of `workbench.background` and the export's hand-over through shared
memory: same values forked or not, errors and deaths reach the caller."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from workbench.background import stages
from workbench.export import handoff
from workbench.export.jsonl import EncodedRecords
from workbench.export.tables import AnnotationPart


def _counting(n: int) -> Iterator[tuple[int, int]]:
    for k in range(n):
        yield k, os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_stages_yield_in_order(workers: int) -> None:
    worker = stages(_counting, 3, workers=workers)
    got = [worker.next() for _ in range(3)]
    worker.cancel()
    assert [k for k, _ in got] == [0, 1, 2]
    pids = {pid for _, pid in got}
    assert (pids == {os.getpid()}) == (workers == 1)  # forked only with two workers


def _failing() -> Iterator[int]:
    yield 1
    raise ValueError("stage two broke")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stage_error_reaches_the_caller(workers: int) -> None:
    worker = stages(_failing, workers=workers)
    assert worker.next() == 1
    with pytest.raises(ValueError, match="stage two broke"):
        worker.next()
    worker.cancel()


def _dying() -> Iterator[int]:
    yield 1
    os.kill(os.getpid(), signal.SIGKILL)
    yield 2


def test_a_dead_worker_is_an_error_not_a_hang() -> None:
    worker = stages(_dying, workers=2)
    assert worker.next() == 1
    with pytest.raises(RuntimeError, match="died without an answer"):
        worker.next()
    worker.cancel()


@pytest.mark.parametrize("n", [0, 3])
def test_handoff_round_trip(tmp_path: Path, n: int) -> None:
    entries = [b'{"a":%d}' % k for k in range(n)]
    data, ends = bytearray(), [0]
    for e in entries:
        data += e + b","
        ends.append(len(data))
    table = pa.table({"segment_id": [f"s{k}" for k in range(n)], "result": ["[]"] * n})
    part = AnnotationPart(table, EncodedRecords(data, ends), None)
    with handoff.directory() as folder:
        got = handoff.receive(handoff.share(part, folder))
        assert not list(folder.iterdir())  # unlinked once mapped
    assert got.table.equals(table)
    assert list(got.records.ends) == ends
    assert bytes(memoryview(got.records.data)) == bytes(data)
    assert not folder.exists()


def test_a_killed_exports_folder_is_swept_by_the_next() -> None:
    """A folder left by an export that was killed (its pid is gone) goes; a live one stays."""
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    with handoff.directory() as mine:
        where = mine.parent
        stale = where / f"workbench-export-{gone.stdout.strip()}-abc"
        stale.mkdir()
        (stale / "annotations.arrow").write_bytes(b"x")
        live = where / f"workbench-export-{os.getpid()}-def"
        live.mkdir()
        try:
            with handoff.directory():
                pass
            assert not stale.exists() and live.exists() and mine.exists()
        finally:
            shutil.rmtree(live, ignore_errors=True)
            shutil.rmtree(stale, ignore_errors=True)
