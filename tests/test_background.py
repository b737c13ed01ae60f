"""The forked workers of `workbench.background` and the export's hand-over through shared
memory: same values forked or not, errors and deaths reach the caller."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from workbench.background import Inbox, stages
from workbench.export import handoff
from workbench.export.jsonl import EncodedRecords
from workbench.export.tables import AnnotationPart, ordered_annotation_part
from workbench.export.write import parquet_bytes
from workbench.schema import load_schema

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "news-v1.yaml"


def _counting(inbox: Inbox, n: int) -> Iterator[tuple[int, int]]:
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


def _failing(inbox: Inbox) -> Iterator[int]:
    yield 1
    raise ValueError("stage two broke")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stage_error_reaches_the_caller(workers: int) -> None:
    worker = stages(_failing, workers=workers)
    assert worker.next() == 1
    with pytest.raises(ValueError, match="stage two broke"):
        worker.next()
    worker.cancel()


def _dying(inbox: Inbox) -> Iterator[int]:
    yield 1
    os.kill(os.getpid(), signal.SIGKILL)
    yield 2


def test_a_dead_worker_is_an_error_not_a_hang() -> None:
    worker = stages(_dying, workers=2)
    assert worker.next() == 1
    with pytest.raises(RuntimeError, match="died without an answer"):
        worker.next()
    worker.cancel()


def _echoing(inbox: Inbox, n: int) -> Iterator[tuple[Any, int]]:
    for _ in range(n):
        yield inbox.get(), os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_worker_gets_what_its_caller_sends_without_the_caller_waiting(workers: int) -> None:
    """Values sent before the worker asks for them wait in its inbox (a large one does not
    block the caller on a full pipe); they arrive in order."""
    worker = stages(_echoing, 2, workers=workers)
    big = {f"segment-{k}": "train" for k in range(100_000)}  # megabytes pickled
    worker.send(big)
    worker.send("second")
    first, pid = worker.next()
    assert first == big and worker.next()[0] == "second"
    assert (pid == os.getpid()) == (workers == 1)
    worker.cancel()


def _asking(inbox: Inbox) -> Iterator[Any]:
    yield inbox.get()


def test_a_worker_run_here_cannot_ask_for_what_was_not_sent() -> None:
    worker = stages(_asking, workers=1)
    with pytest.raises(RuntimeError, match="has not sent"):
        worker.next()


@pytest.mark.parametrize("n", [0, 3])
def test_handoff_round_trip(tmp_path: Path, n: int) -> None:
    entries = [b'{"a":%d}' % k for k in range(n)]
    data, ends = bytearray(), [0]
    for e in entries:
        data += e + b","
        ends.append(len(data))
    results = [f"[{k}]" for k in range(n)]
    table = pa.table(
        {"result": results, "segment_id": [f"s{k}" for k in range(n)]},
        schema=pa.schema([("result", pa.string()), ("segment_id", pa.string())]),
    )
    with handoff.directory() as folder:
        mapped = handoff.MappedResults(folder)  # the worker writes them as it parses
        for k in range(0, n, 2):
            mapped.add(pa.array(results[k : k + 2], type=pa.string()))
        column = mapped.column()
        assert column.to_pylist() == results
        part = AnnotationPart(
            table.set_column(0, "result", column), EncodedRecords(data, ends), None
        )
        shared = handoff.share(part, folder)
        whole = handoff.shared_table(folder)  # the worker's, for annotations.parquet
        got = handoff.receive(shared)  # the export process's: without `result`
        assert not list(folder.iterdir())  # unlinked once mapped
    assert whole.equals(table)
    assert got.table.equals(table.drop_columns(["result"]))
    assert list(got.records.ends) == ends
    assert bytes(memoryview(got.records.data)) == bytes(data)
    assert not folder.exists()


def test_a_handed_over_part_writes_the_same_parquet_bytes() -> None:
    """The worker's part (its results written chunk by chunk into the hand-over folder, the
    rest shared after, then mapped again to encode) and the same part built in one process
    make byte-identical Parquet:
    the writer cuts pages at chunk boundaries, so a release's hash would otherwise depend on
    whether the export could fork. Enough rows for several 1 MB pages."""
    schema = load_schema(SCHEMA)
    result = '[{"from_name":"sentiment","id":"r","type":"choices","value":{"choices":["neutral"]}}]'
    rows = [
        (f"segment-{k:08d}", f"annotator-{k % 3}", k, 1.5, result, True, None)
        for k in range(60_000)
    ]
    here = ordered_annotation_part([rows], schema)
    with handoff.directory() as folder:
        chunks = [rows[k : k + 7_000] for k in range(0, len(rows), 7_000)]
        shared = ordered_annotation_part(chunks, schema, results=handoff.MappedResults(folder))
        handoff.share(shared, folder)
        got = handoff.shared_table(folder)
    assert got.column("result").num_chunks > 1
    assert got.equals(here.table)
    assert parquet_bytes(got) == parquet_bytes(here.table)


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
