"""The annotation side of a release, handed from the export's worker to the export process
through memory-mapped Arrow IPC files (in /dev/shm where there is one).

Pickling it would copy 600 MB at 10^5 segments twice (send, receive), and on this kind of VM
fresh memory costs seconds per gigabyte. The parent maps the pages the worker wrote instead:
no copy, and the files are unlinked as soon as they are mapped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa

from workbench.export.jsonl import EncodedRecords
from workbench.export.tables import STR, AnnotationPart

_SHM = Path("/dev/shm")
_TABLE, _ENTRIES, _RESULTS = "annotations.arrow", "entries.arrow", "results.arrow"
_RESULT = "result"


_PREFIX = "workbench-export-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _sweep(where: Path) -> None:
    """Remove the folders of exports that were killed before they could (their pid is gone):
    in /dev/shm they would hold memory until the machine restarts."""
    for old in where.glob(f"{_PREFIX}*-*"):
        pid = old.name[len(_PREFIX) :].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def directory() -> Iterator[Path]:
    """A private folder for one hand-over, removed afterwards (whatever happened)."""
    where = _SHM if _SHM.is_dir() and os.access(_SHM, os.W_OK) else Path(tempfile.gettempdir())
    _sweep(where)
    path = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=where))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _write(table: pa.Table, path: Path) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _mapped(path: Path, *, unlink: bool = True) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()  # buffers point into the mapping
    if unlink:
        path.unlink()  # the mapping outlives the name
    return table


def _joined(rest: pa.Table, results: pa.ChunkedArray) -> pa.Table:
    """The annotations table from its two files (`share`)."""
    at = int((rest.schema.metadata or {})[b"result_at"])
    # Chunked as the worker's table was (`tables.aligned`): both files hold its batches.
    return rest.replace_schema_metadata(None).add_column(at, pa.field(_RESULT, STR), results)


class MappedResults:
    """The annotations' `result` column (380 MB at 10^5 segments) written into the hand-over
    folder a chunk at a time as the worker builds it, then mapped: it never sits in the
    worker's heap, and the export process maps the same pages."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / _RESULTS
        self._schema = pa.schema([(_RESULT, STR)])
        self._sink = pa.OSFile(str(self._path), "wb")
        self._writer = pa.ipc.new_file(self._sink, self._schema)

    def add(self, chunk: pa.Array) -> None:
        self._writer.write_batch(pa.record_batch([chunk], schema=self._schema))

    def column(self) -> pa.ChunkedArray:
        self._writer.close()
        self._sink.close()
        with pa.memory_map(str(self._path)) as source:
            return pa.ipc.open_file(source).read_all()[_RESULT]


def _write_records(records: EncodedRecords, path: Path) -> None:
    ends = np.asarray(records.ends, dtype=np.int64)
    entries = pa.Array.from_buffers(
        pa.large_binary(),
        len(ends) - 1,
        [None, pa.py_buffer(ends), pa.py_buffer(records.data)],
    )
    _write(pa.table({"entry": entries}), path)


def _read_records(path: Path) -> EncodedRecords:
    column = _mapped(path)["entry"]
    # One chunk as written: taken as it is (`combine_chunks` would copy even that one).
    entries = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if len(entries) == 0:
        return EncodedRecords(b"", [0])
    _, offsets, data = entries.buffers()
    ends = np.frombuffer(offsets, dtype=np.int64)[
        entries.offset : entries.offset + len(entries) + 1
    ]
    return EncodedRecords(data, ends.tolist())


def share(part: AnnotationPart, folder: Path) -> Path:
    """Write `part` (but its `parsed`, which the worker keeps) into `folder`; returns it.
    Its `result` column is the one `MappedResults` wrote there already."""
    _write_records(part.records, folder / _ENTRIES)
    table = part.table
    at = table.schema.get_field_index(_RESULT)
    rest = table.drop_columns([_RESULT]).replace_schema_metadata({"result_at": str(at)})
    _write(rest, folder / _TABLE)
    return folder


def shared_table(folder: Path) -> pa.Table:
    """The whole table `share` wrote, mapped: what the worker encodes annotations.parquet
    from once its own copy is freed. The result column's file is unlinked here (the export
    process never reads it): its memory goes as soon as the worker drops the table."""
    rest = _mapped(folder / _TABLE, unlink=False)
    return _joined(rest, _mapped(folder / _RESULTS)[_RESULT])


def share_bytes(data: bytes, folder: Path, name: str) -> Path:
    """`data` as the file `name` in `folder` (for `receive_bytes`)."""
    path = folder / name
    path.write_bytes(data)
    return path


def receive_bytes(shared: bytes | Path) -> bytes:
    """What `share_bytes` wrote (bytes computed in this process are passed through)."""
    if isinstance(shared, bytes):
        return shared
    data = shared.read_bytes()
    shared.unlink()
    return data


def receive(shared: AnnotationPart | Path) -> AnnotationPart:
    """The part `share` wrote, but for its `result` column: the export process needs that
    only in annotations.parquet, which the worker encodes (`shared_table`). A part computed
    in this process is passed through whole."""
    if isinstance(shared, AnnotationPart):
        return shared
    rest = _mapped(shared / _TABLE)
    table = rest.replace_schema_metadata(None)
    return AnnotationPart(table, _read_records(shared / _ENTRIES), None)
