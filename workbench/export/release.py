"""Making, listing and comparing releases: the library functions behind the CLI commands.

`build_release` is pure (ReleaseData + splits → file bytes + manifest); `export_dataset` does
the I/O around it: collect from the store, reuse persisted splits, skip when nothing changed,
write atomically, record the release and the new split assignments.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from workbench import __version__, heap
from workbench.annotation import parser_key
from workbench.background import Inbox, Stages, can_fork, stages
from workbench.entries import refresh as refresh_entries
from workbench.export import agreement as stored_agreement
from workbench.export import card, handoff, summary
from workbench.export.collect import annotation_chunks, collect
from workbench.export.diff import DIFFED, diff_tables, first_release_diff
from workbench.export.jsonl import SegmentRecords, run_ranges, spacy_jsonl, write_nested
from workbench.export.model import DEFAULT_RATIOS, SPLITS, ReleaseData
from workbench.export.splits import assign_splits
from workbench.export.tables import (
    AnnotationPart,
    ReleaseTables,
    build_tables,
    consensus_columns,
    ordered_annotation_part,
    segment_layout,
    with_splits,
)
from workbench.export.verify import verify_release
from workbench.export.write import (
    CARD,
    DIFF,
    NESTED,
    PARQUET,
    SPACY,
    TMP_PREFIX,
    FileData,
    ReleaseError,
    StagedFile,
    StagingWriter,
    data_sha256,
    existing_versions,
    json_bytes,
    parquet_bytes,
    read_manifest,
    read_tables,
    stage,
    version_name,
    version_number,
    write_release,
)
from workbench.gcpause import paused_gc
from workbench.schema import Schema
from workbench.store import Store
from workbench.store.lock import operation_lock
from workbench.store.models import Release, SplitAssignment

FORMAT = "workbench-release/1"


@dataclass(frozen=True)
class RenderedData:
    tables: ReleaseTables
    files: dict[str, FileData]
    data_sha256: str


@dataclass(frozen=True)
class BuiltRelease:
    files: dict[str, FileData]  # every file but the manifest
    manifest: dict[str, Any]  # without the `files` checksums (added when written)


@dataclass(frozen=True)
class ExportResult:
    dataset: str
    status: str  # created | unchanged
    version: str | None
    parent: str | None
    path: Path | None
    data_sha256: str
    counts: dict[str, Any]
    diff: dict[str, Any] | None
    new_split_assignments: int


@dataclass(frozen=True)
class ReleaseInfo:
    dataset: str
    version: str
    parent: str | None
    created_at: datetime
    path: str
    data_sha256: str
    segments: int
    annotations: int
    annotators: int
    spans: int
    agreement: dict[str, float | None]


def _identity(schema: Schema) -> dict[str, Any]:
    return {
        "schema_id": schema.id,
        "schema_version": schema.version,
        "guidelines_version": schema.guidelines_version,
    }


def render_data(data: ReleaseData, splits: dict[str, str]) -> RenderedData:
    """The data files' bytes and their combined hash (pure)."""
    return render_tables(data, build_tables(data, splits))


def parquet_files(tables: Mapping[str, pa.Table]) -> dict[str, bytes]:
    """The Parquet files of a release's tables (of those in `tables`)."""
    return {f"{name}.parquet": parquet_bytes(tables[name]) for name in PARQUET if name in tables}


def render_tables(
    data: ReleaseData, tables: ReleaseTables, parquet: Mapping[str, FileData] | None = None
) -> RenderedData:
    """`render_data` of tables already built (and of their Parquet files, if encoded)."""
    files: dict[str, FileData] = dict(
        parquet if parquet is not None else parquet_files(tables.tables)
    )
    files[NESTED] = tables.nested_jsonl
    files[SPACY] = tables.spacy_jsonl
    return RenderedData(tables, files, data_sha256(files, _identity(data.schema)))


def build_release(
    data: ReleaseData,
    rendered: RenderedData,
    *,
    version: str,
    parent: str | None,
    parent_tables: dict[str, pa.Table] | None,
    ratios: tuple[float, float, float],
    created_at: datetime,
    agreement: dict[str, Any] | None = None,
) -> BuiltRelease:
    """Card, diff and manifest around rendered data (pure). `agreement` is
    `summary.agreement` of the tables, when the caller has computed it already."""
    schema = data.schema
    tables = rendered.tables
    counts = summary.counts(tables, schema)
    dists = summary.distributions(tables, schema)
    if agreement is None:
        agreement = summary.agreement(tables, schema)
    diff = (
        first_release_diff(tables.tables, version=version)
        if parent is None
        else diff_tables(parent_tables, tables.tables, parent=parent, version=version)
    )
    project = {"url": data.label_studio_url, "project_id": data.project_id}
    text = card.render_card(
        dataset=data.dataset,
        version=version,
        parent=parent,
        schema=schema,
        guidelines_version=schema.guidelines_version,
        project=project,
        counts=counts,
        distributions=dists,
        agreement=agreement,
        diff_summary=diff["summary"],
        articles=tables.tables["articles"].to_pylist(),
        ratios=ratios,
        reconcile_info=data.reconcile_info,
    )
    files = dict(rendered.files)
    files[CARD] = text.encode("utf-8")
    files[DIFF] = json_bytes(diff)
    manifest = {
        "format": FORMAT,
        "dataset": data.dataset,
        "version": version,
        "parent": parent,
        "created_at": created_at.isoformat(),
        "schema": {"id": schema.id, "version": schema.version, "title": schema.title},
        "guidelines_version": schema.guidelines_version,
        "workbench_version": __version__,
        "label_studio": project,
        "splits": {"grouped_by": "article", "ratios": dict(zip(SPLITS, ratios, strict=True))},
        "counts": counts,
        "distributions": dists,
        "agreement": agreement,
        "diff": diff["summary"],
        "data_sha256": rendered.data_sha256,
    }
    return BuiltRelease(files, manifest)


def _latest(store: Store, dataset: str) -> Release | None:
    with store.session() as s:
        return s.scalars(
            sa.select(Release).where(Release.dataset == dataset).order_by(Release.version.desc())
        ).first()


def export_dataset(
    store: Store,
    exports_dir: Path,
    dataset: str,
    schema: Schema,
    *,
    ratios: tuple[float, float, float] = DEFAULT_RATIOS,
    force: bool = False,
    now: datetime | None = None,
) -> ExportResult:
    """Write the next release of `dataset` under `exports_dir/dataset/`, unless its data is
    the same as the last release's (then nothing is written; `force` writes anyway).

    Holds the dataset's operation lock: a reconcile cannot change the consensus halfway
    through the read, and two exports cannot race for one version number.
    """
    with operation_lock(store, dataset, "export"):
        with store.session() as session:  # entries stale under this schema are made again
            refresh_entries(session, dataset, schema)
        return _export(store, exports_dir, dataset, schema, ratios, force, now)


def _annotation_side(
    inbox: Inbox, store: Store, dataset: str, schema: Schema, folder: Path | None
) -> Iterator[AnnotationPart | Path | bytes | dict[str, Any]]:
    """The export's worker: the annotations read and parsed into their part, given their
    splits (`inbox`: the export process sends them once assigned), shared through `folder`
    when forked; then annotations.parquet (in what was idle time) and the agreement figures:
    those reconcile stored, if of these very annotations, else computed from the same parse
    (seconds of bootstrap at 10^5 segments)."""
    if folder is not None:
        # Forked: a connection of its own. The parent's engine (and its connections) are left
        # untouched, never closed or reused here.
        store = store.reopened()
    results = handoff.MappedResults(folder) if folder is not None else None
    row_ids: list[int] = []
    rows = annotation_chunks(store, dataset, entry_key=parser_key(schema), row_ids=row_ids)
    part = ordered_annotation_part(rows, schema, results=results)
    parsed = part.parsed
    assert parsed is not None
    part = with_splits(part, inbox.get())
    if folder is None:
        yield part
        table = part.table
    else:
        shared = handoff.share(part, folder)
        table = handoff.shared_table(folder)  # mapped before the export process unlinks it
        yield shared  # the export process gets it without `result`: only Parquet needs it
    del part
    heap.trim()  # the part's heap copy: the Parquet encoder reads the mapped table
    encoded = parquet_bytes(table)
    del table
    yield encoded if folder is None else handoff.share_bytes(encoded, folder, "annotations.pq")
    del encoded
    # What reconcile stored, if it was computed from exactly the annotations read here
    read = stored_agreement.fingerprint(row_ids, parsed.annotator, schema)
    figures = stored_agreement.stored(store, dataset, read)
    yield summary.parsed_agreement(parsed, schema) if figures is None else figures


#: The share of segments.jsonl the export's helper writes (its last lines): the export
#: process meanwhile writes the others, the helper then also the spaCy file and the consensus
#: tables' Parquet (measured at 10^5 segments: the two then finish together).
_HELPER_SHARE = 0.27


def _consensus_side(
    inbox: Inbox,
    records: SegmentRecords,
    first: int,
    r_ann: dict[str, tuple[int, int]],
    annotations: AnnotationPart,
    tables: dict[str, pa.Table],
    staging: Path,
) -> Iterator[Path | dict[str, StagedFile]]:
    """The export's helper, forked once the consensus columns are built (it shares them and
    the mapped annotations, no copy): segments.jsonl from segment `first` on, written to a
    file in `staging` (for `StagingWriter.append`); then the spaCy file and the consensus
    tables' Parquet, staged there as release files. `r_ann` is each segment's range of the
    annotation entries."""
    writer = StagingWriter(staging / f"{NESTED}.tail")
    try:
        write_nested(
            records,
            first,
            records.n,
            r_ann,
            annotations.records,
            writer.buffer,
            writer.flush_if_full,
        )
    except BaseException:
        writer.abort()
        raise
    yield writer.done().path  # its hash goes unused: `StagingWriter.append` re-hashes
    files = {SPACY: stage(spacy_jsonl(records.seg, records.spans), staging / SPACY)}
    for name, data in parquet_files(tables).items():
        files[name] = stage(data, staging / name)
    yield files


@paused_gc()  # builds millions of small dicts and rows
def _export(
    store: Store,
    exports_dir: Path,
    dataset: str,
    schema: Schema,
    ratios: tuple[float, float, float],
    force: bool,
    now: datetime | None,
) -> ExportResult:
    # The two sides of the release are built at once: the raw annotations (read, parsed into
    # their table, nested entries and Parquet, then agreement) in a forked worker, the
    # consensus side here. Once its columns are built, a second fork (the helper) takes the
    # last part of segments.jsonl and the Parquet files. No thread runs here at either fork
    # (a fork copies only the calling thread, not the locks the others hold).
    dataset_dir = exports_dir / dataset
    with handoff.directory() as folder, _staging(dataset_dir) as staging:
        forked = can_fork()
        workers = 2 if forked else 1
        shared = folder if forked else None
        worker = stages(_annotation_side, store, dataset, schema, shared, workers=workers)
        helper: Stages | None = None
        try:
            # the worker reads the annotations
            data = collect(store, dataset, schema, annotations=False, as_columns=True)
            with store.session() as s:
                existing = {
                    a.article_id: a.split
                    for a in s.scalars(
                        sa.select(SplitAssignment).where(SplitAssignment.dataset == dataset)
                    )
                }
            groups = [str(g) for g in data.articles["split_group"]]
            splits, new = assign_splits(groups, existing, ratios)
            layout = segment_layout(data, splits)
            worker.send(layout.split_of)
            columns = consensus_columns(data, layout)
            data = data.identity()  # its rows are in `columns` now
            heap.trim()
            annotations = handoff.receive(worker.next())  # with its splits; the helper maps it
            annotation_parquet = handoff.receive_bytes(worker.next())
            agreement = worker.next()
            worker.cancel()  # done: never three processes at once (a gigabyte each at 10^5)
            c = columns
            records = SegmentRecords(c.seg, c.fields, c.spans, c.relations, c.attributions)
            first = records.n - int(records.n * _HELPER_SHARE)
            r_ann = run_ranges(annotations.table["segment_id"])  # each segment's entries
            helper = stages(
                _consensus_side,
                records,
                first,
                r_ann,
                annotations,
                c.tables,
                staging,
                workers=workers,
            )
            nested = staging / NESTED
            writer = StagingWriter(nested)
            try:  # written out as it is built: 300 MB at 10^5 segments
                write_nested(
                    records,
                    0,
                    first,
                    r_ann,
                    annotations.records,
                    writer.buffer,
                    writer.flush_if_full,
                )
                writer.append(helper.next())
                staged = writer.done()
                files: dict[str, FileData] = dict(helper.next())
            except OSError as exc:
                writer.abort()
                raise ReleaseError(f"cannot write into {staging}: {exc.strerror or exc}") from None
            except BaseException:
                writer.abort()
                raise
            spacy = files.pop(SPACY)
            tables = ReleaseTables(
                {**c.tables, "annotations": annotations.table}, staged, spacy, None
            )
            del columns, c, records
            parquet = files
            parquet["annotations.parquet"] = annotation_parquet
            return _publish(
                store,
                exports_dir,
                data,
                tables,
                parquet,
                lambda: agreement,
                new,
                ratios,
                force,
                now,
            )
        finally:
            worker.cancel()
            if helper is not None:
                helper.cancel()


@contextmanager
def _staging(dataset_dir: Path) -> Iterator[Path]:
    """A folder beside the releases for files written as they are built (a `.tmp-` one: a
    killed export's is removed by the next), removed afterwards."""
    path = dataset_dir / f"{TMP_PREFIX}staged-{uuid.uuid4().hex[:8]}"
    try:
        path.mkdir(parents=True)
    except OSError as exc:
        raise ReleaseError(f"cannot write into {dataset_dir}: {exc.strerror or exc}") from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _publish(
    store: Store,
    exports_dir: Path,
    data: ReleaseData,
    tables: ReleaseTables,
    parquet: Mapping[str, FileData],
    agreement: Callable[[], dict[str, Any]],
    new: dict[str, str],
    ratios: tuple[float, float, float],
    force: bool,
    now: datetime | None,
) -> ExportResult:
    dataset = data.dataset
    rendered = render_tables(data, tables, parquet)
    latest = _latest(store, dataset)
    parent = version_name(latest.version) if latest is not None else None
    unchanged = latest is not None and latest.data_sha256 == rendered.data_sha256
    if unchanged and latest is not None and parent is not None and not force:
        counts = latest.manifest.get("counts", {})
        path = exports_dir / dataset / parent
        return ExportResult(
            dataset, "unchanged", parent, parent, path, rendered.data_sha256, counts, None, 0
        )

    dataset_dir = exports_dir / dataset
    staged = {d.path.parent for d in rendered.files.values() if isinstance(d, StagedFile)}
    adopted = _settle_disk(store, dataset, dataset_dir, latest, rendered.data_sha256, staged)
    if adopted is not None:
        number, target = adopted
        manifest = read_manifest(target)
        created_at = datetime.fromisoformat(manifest["created_at"])
        _record(store, dataset, number, latest, created_at, target, rendered.data_sha256, new)
        return ExportResult(
            dataset,
            "created",
            version_name(number),
            parent,
            target,
            rendered.data_sha256,
            manifest["counts"],
            manifest["diff"],
            len(new),
        )
    number = max([latest.version if latest else 0, *existing_versions(dataset_dir)]) + 1
    version = version_name(number)
    parent_tables = None
    if parent is not None and (dataset_dir / parent).is_dir():
        parent_tables = read_tables(dataset_dir / parent, DIFFED)
    created_at = now or datetime.now(UTC)
    built = build_release(
        data,
        rendered,
        version=version,
        parent=parent,
        parent_tables=parent_tables,
        ratios=ratios,
        created_at=created_at,
        agreement=agreement(),
    )
    target = write_release(dataset_dir, version, built.files, built.manifest)
    try:
        _record(store, dataset, number, latest, created_at, target, rendered.data_sha256, new)
    except Exception:
        # Not recorded means not released: take the folder back so store and disk agree. (A
        # kill here leaves the folder; the next export adopts it, see `_settle_disk`.)
        shutil.rmtree(target, ignore_errors=True)
        raise
    return ExportResult(
        dataset,
        "created",
        version,
        parent,
        target,
        rendered.data_sha256,
        built.manifest["counts"],
        built.manifest["diff"],
        len(new),
    )


def _record(
    store: Store,
    dataset: str,
    number: int,
    latest: Release | None,
    created_at: datetime,
    target: Path,
    data_sha256: str,
    new_splits: dict[str, str],
) -> None:
    with store.session() as s:
        s.add(
            Release(
                dataset=dataset,
                version=number,
                parent_version=latest.version if latest else None,
                created_at=created_at,
                path=target.as_posix(),
                data_sha256=data_sha256,
                manifest=read_manifest(target),
            )
        )
        if new_splits:  # one executemany: an ORM object per article was a second at 10^4
            s.flush()
            s.execute(
                sa.insert(SplitAssignment),
                [
                    {"dataset": dataset, "article_id": g, "split": sp, "assigned_at": created_at}
                    for g, sp in sorted(new_splits.items())
                ],
            )


def _settle_disk(
    store: Store,
    dataset: str,
    dataset_dir: Path,
    latest: Release | None,
    data_sha256: str,
    in_use: Collection[Path] = (),
) -> tuple[int, Path] | None:
    """Clean up after an export that was killed (we hold the dataset's lock, so no other
    export of it is running): `.tmp-*` build folders go; a release folder renamed into place
    but never recorded is adopted when it verifies and holds exactly the data about to be
    exported, and is otherwise set aside as a hidden `.orphan-*` folder (never released)."""
    if not dataset_dir.is_dir():
        return None
    for leftover in dataset_dir.glob(f"{TMP_PREFIX}*"):
        if leftover not in in_use:  # this export's own staging folder
            shutil.rmtree(leftover, ignore_errors=True)
    with store.session() as s:
        recorded = set(s.scalars(sa.select(Release.version).where(Release.dataset == dataset)))
    adoptable = None
    for number in sorted(existing_versions(dataset_dir)):
        if number in recorded:
            continue
        path = dataset_dir / version_name(number)
        expected = (latest.version if latest else 0) + 1
        try:
            ok = verify_release(path).ok and read_manifest(path).get("data_sha256") == data_sha256
        except ReleaseError:
            ok = False
        if ok and number == expected and adoptable is None:
            adoptable = (number, path)
        else:
            path.rename(dataset_dir / f".orphan-{path.name}-{uuid.uuid4().hex[:8]}")
    return adoptable


def list_releases(store: Store, dataset: str) -> list[ReleaseInfo]:
    """The releases of `dataset`, oldest first, with counts and headline agreement."""
    with store.session() as s:
        rows = list(
            s.scalars(
                sa.select(Release).where(Release.dataset == dataset).order_by(Release.version)
            )
        )
    out = []
    for r in rows:
        m = r.manifest or {}
        c = m.get("counts", {})
        headline = summary.headline_agreement(m.get("agreement", {}))
        out.append(
            ReleaseInfo(
                dataset=r.dataset,
                version=version_name(r.version),
                parent=version_name(r.parent_version) if r.parent_version else None,
                created_at=r.created_at,
                path=r.path,
                data_sha256=r.data_sha256,
                segments=int(c.get("segments", 0)),
                annotations=int(c.get("annotations", 0)),
                annotators=int(c.get("annotators", 0)),
                spans=int(c.get("spans", 0)),
                agreement=headline,
            )
        )
    return out


def release_dir(exports_dir: Path, dataset: str, version: str) -> Path:
    number = version_number(version)
    if number is None:
        raise ReleaseError(f"{version!r} is not a version (expected e.g. v0001 or 1)")
    path = exports_dir / dataset / version_name(number)
    if not path.is_dir():
        raise ReleaseError(f"no release {version_name(number)} of {dataset!r} in {exports_dir}")
    return path


def diff_releases(exports_dir: Path, dataset: str, old: str, new: str) -> dict[str, Any]:
    """What changed from release `old` to release `new` (read from their folders)."""
    a, b = release_dir(exports_dir, dataset, old), release_dir(exports_dir, dataset, new)
    return diff_tables(
        read_tables(a, DIFFED), read_tables(b, DIFFED), parent=a.name, version=b.name
    )
