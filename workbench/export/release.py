"""Making, listing and comparing releases: the library functions behind the CLI commands.

`export_dataset` reads a dataset's release from the store (`collect`), writes its files as
they are built, reuses stored agreement figures, skips when nothing changed, writes the
release folder atomically and records it.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from workbench import __version__
from workbench.annotation.tasks import as_utc
from workbench.datasets import reconciled_figures, released_fingerprint
from workbench.entries import refresh as refresh_entries
from workbench.export import card, summary, write
from workbench.export.collect import Collected, collect
from workbench.export.diff import DIFFED, diff_tables, first_release_diff
from workbench.export.jsonl import write_jsonl
from workbench.export.splits import DEFAULT_RATIOS, SPLITS
from workbench.export.verify import verify_release
from workbench.export.write import ReleaseError, StagedFile, version_name
from workbench.reconcile import figures
from workbench.reconcile.extract import parse_entries
from workbench.schema import Schema
from workbench.store import Store
from workbench.store.lock import operation_lock
from workbench.store.models import Release, SplitAssignment

FORMAT = "workbench-release/1"


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


def export_dataset(
    store: Store,
    exports_dir: Path,
    dataset: str,
    schema: Schema,
    *,
    ratios: tuple[float, float, float] = DEFAULT_RATIOS,
    force: bool = False,
    now: datetime | None = None,
    stale_consensus: bool = False,
    group_by: str | None = None,
) -> ExportResult:
    """Write the next release of `dataset` under `exports_dir/dataset/`, unless its data is
    the same as the last release's (then nothing is written; `force` writes anyway).
    Refused before anything else is read: a dataset with nothing to release, and a consensus
    not of the current annotations (`datasets.reconciled_figures`) unless `stale_consensus`
    (a caller that wrote the consensus tables itself; the figures are then computed here).
    `group_by` names the task data field that makes imported tasks one document for the
    splits (`collect`); None keeps the last release's, "" none.

    Holds the dataset's operation lock: a reconcile cannot change the consensus halfway
    through the read, and two exports cannot race for one version number.
    """
    with operation_lock(store, dataset, "export"):
        with store.session() as s:  # checked first; entries stale under this schema made again
            fingerprint = released_fingerprint(s, dataset, schema)  # none: NothingToRelease
            if not stale_consensus:
                reconciled_figures(s, dataset, fingerprint)
            refresh_entries(s, dataset, schema)
            if group_by is None:  # the last release's choice holds until it is changed
                group_by = _documents_by(s, dataset)
        release = collect(store, dataset, schema, ratios, group_by or None)
        figures_of = figures.stored if stale_consensus else reconciled_figures
        with store.session() as s:  # reconcile's figures (if of these annotations, when stale)
            stored = figures_of(s, dataset, release.fingerprint)
        with _staging(exports_dir / dataset) as staged:
            staging = Path(staged)
            try:
                files = _render(release, schema, staging)
            except OSError as exc:
                raise ReleaseError(f"cannot write into {staging}: {exc.strerror or exc}") from None
            return _publish(
                store, exports_dir / dataset, schema, release, files, stored, ratios, force, now
            )


def _documents_by(s: Session, dataset: str) -> str | None:
    """The task data field the dataset's last release grouped documents by, if any."""
    query = sa.select(Release.manifest).where(Release.dataset == dataset)
    manifest = s.scalars(query.order_by(Release.version.desc())).first() or {}
    found = manifest.get("splits", {}).get("documents_by")
    return found if isinstance(found, str) else None


def _render(release: Collected, schema: Schema, staging: Path) -> dict[str, StagedFile]:
    """The data files, written into `staging` as they are built. The annotations' `result`
    column (half the export's memory at 10^5 segments) is dropped once annotations.parquet
    is written."""
    files: dict[str, StagedFile] = {}
    for name in write.PARQUET:
        out = write.HashingFile(staging / f"{name}.parquet")
        write.write_parquet(release.tables[name], out)
        files[f"{name}.parquet"] = out.done()
    release.tables["annotations"] = release.tables["annotations"].drop_columns(["result"])
    nested, spacy = (write.HashingFile(staging / name) for name in (write.NESTED, write.SPACY))
    try:
        write_jsonl(release, figures.segment_fields(schema), nested, spacy)
    finally:
        files[write.NESTED], files[write.SPACY] = nested.done(), spacy.done()
    return files


def _staging(dataset_dir: Path) -> TemporaryDirectory[str]:
    """A folder beside the releases for files written as they are built (a `.tmp-` one: a
    killed export's is removed by the next), removed afterwards."""
    try:
        dataset_dir.mkdir(parents=True, exist_ok=True)
        prefix = f"{write.TMP_PREFIX}staged-"
        return TemporaryDirectory(prefix=prefix, dir=dataset_dir, ignore_cleanup_errors=True)
    except OSError as exc:
        raise ReleaseError(f"cannot write into {dataset_dir}: {exc.strerror or exc}") from None


def _publish(
    store: Store,
    dataset_dir: Path,
    schema: Schema,
    release: Collected,
    files: dict[str, StagedFile],
    agreement: dict[str, Any] | None,
    ratios: tuple[float, float, float],
    force: bool,
    now: datetime | None,
) -> ExportResult:
    dataset, staging = dataset_dir.name, next(iter(files.values())).path.parent
    sha = write.data_sha256(files, schema)
    with store.session() as s:
        query = sa.select(Release).where(Release.dataset == dataset)
        latest = s.scalars(query.order_by(Release.version.desc())).first()
    parent = version_name(latest.version) if latest is not None else None
    if latest is not None and parent is not None and latest.data_sha256 == sha and not force:
        counts = latest.manifest.get("counts", {})
        return ExportResult(
            dataset, "unchanged", parent, parent, dataset_dir / parent, sha, counts, None, 0
        )
    adopted = _settle_disk(store, dataset, dataset_dir, latest, sha, staging)
    if adopted is not None:
        number, target = adopted
        created_at = datetime.fromisoformat(write.read_manifest(target)["created_at"])
    else:
        number = max([latest.version if latest else 0, *write.existing_versions(dataset_dir)]) + 1
        created_at = now or datetime.now(UTC)
        version, tables = version_name(number), release.tables
        if parent is None:
            diff = first_release_diff(tables, version=version)
        else:
            folder = dataset_dir / parent  # gone from disk: everything is new
            old = write.read_tables(folder, DIFFED) if folder.is_dir() else None
            diff = diff_tables(old, tables, parent=parent, version=version)
        if agreement is None:  # reconcile's figures are missing or of other annotations
            anns = tables["annotations"]
            who = (anns["segment_id"].to_pylist(), anns["annotator"].to_pylist())
            parsed = parse_entries(schema, *who, release.entries.to_pylist())
            agreement = figures.parsed_agreement(parsed, schema)
        manifest = {
            "format": FORMAT,
            "dataset": dataset,
            "version": version,
            "parent": parent,
            "created_at": created_at.isoformat(),
            "schema": {"id": schema.id, "version": schema.version, "title": schema.title},
            "guidelines_version": schema.guidelines_version,
            "workbench_version": __version__,
            "label_studio": release.label_studio,
            "splits": {
                "grouped_by": "article",
                **({"documents_by": release.documents_by} if release.documents_by else {}),
                "ratios": dict(zip(SPLITS, ratios, strict=True)),
            },
            "counts": summary.counts(tables),
            "distributions": summary.distributions(tables, schema),
            "agreement": agreement,
            "diff": diff["summary"],
            "data_sha256": sha,
        }
        articles = tables["articles"].to_pylist()
        text = card.render_card(manifest, schema, articles, release.reconcile_info)
        files[write.CARD] = write.staged(staging / write.CARD, text.encode())
        files[write.DIFF] = write.staged(staging / write.DIFF, write.json_bytes(diff))
        target = write.write_release(dataset_dir, version, files, manifest)
    manifest = write.read_manifest(target)
    new = release.new_splits
    try:
        with store.session() as s:
            s.add(
                Release(
                    dataset=dataset,
                    version=number,
                    parent_version=latest.version if latest else None,
                    created_at=created_at,
                    path=target.as_posix(),
                    data_sha256=sha,
                    manifest=manifest,
                )
            )
            s.flush()  # one executemany: an ORM object per article was a second at 10^4
            rows = [
                {"dataset": dataset, "article_id": g, "split": sp, "assigned_at": created_at}
                for g, sp in sorted(new.items())
            ]
            if rows:
                s.execute(sa.insert(SplitAssignment), rows)
    except Exception:
        # Not recorded means not released: take the folder back so store and disk agree. (A
        # kill here leaves the folder; the next export adopts it, see `_settle_disk`.)
        if adopted is None:
            shutil.rmtree(target, ignore_errors=True)
        raise
    version, counts, diff = version_name(number), manifest["counts"], manifest["diff"]
    return ExportResult(dataset, "created", version, parent, target, sha, counts, diff, len(new))


def _settle_disk(
    store: Store,
    dataset: str,
    dataset_dir: Path,
    latest: Release | None,
    data_sha256: str,
    staging: Path,
) -> tuple[int, Path] | None:
    """Clean up after an export that was killed (we hold the dataset's lock, so no other
    export of it is running): `.tmp-*` build folders go; a release folder renamed into place
    but never recorded is adopted when it verifies and holds exactly the data about to be
    exported, and is otherwise set aside as a hidden `.orphan-*` folder (never released)."""
    if not dataset_dir.is_dir():
        return None
    for leftover in dataset_dir.glob(f"{write.TMP_PREFIX}*"):
        if leftover != staging:  # not this export's own staging folder
            shutil.rmtree(leftover, ignore_errors=True)
    with store.session() as s:
        recorded = set(s.scalars(sa.select(Release.version).where(Release.dataset == dataset)))
    adoptable = None
    for number in sorted(write.existing_versions(dataset_dir)):
        if number in recorded:
            continue
        path = dataset_dir / version_name(number)
        expected = (latest.version if latest else 0) + 1
        try:
            same = write.read_manifest(path).get("data_sha256") == data_sha256
            ok = same and verify_release(path).ok
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
        query = sa.select(Release).where(Release.dataset == dataset).order_by(Release.version)
        rows = list(s.scalars(query))
    out = []
    for r in rows:
        m = r.manifest or {}
        c = m.get("counts", {})
        out.append(
            ReleaseInfo(
                r.dataset,
                version_name(r.version),
                version_name(r.parent_version) if r.parent_version else None,
                as_utc(r.created_at) or r.created_at,  # aware on both engines
                r.path,
                r.data_sha256,
                int(c.get("segments", 0)),
                int(c.get("annotations", 0)),
                int(c.get("annotators", 0)),
                int(c.get("spans", 0)),
                figures.headline_agreement(m.get("agreement", {})),
            )
        )
    return out


def release_dir(exports_dir: Path, dataset: str, version: str) -> Path:
    number = write.version_number(version)
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
        write.read_tables(a, DIFFED), write.read_tables(b, DIFFED), parent=a.name, version=b.name
    )
