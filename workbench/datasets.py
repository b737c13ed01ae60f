"""What every stage checks about a dataset before reading it: which schema, and (for an
export, before it reads anything else) whether it has anything to release and whether its
consensus is current.

The schema a dataset is read under is one rule for every stage (pull, reconcile, agreement,
disagreements, export). It is the schema stored with the dataset (the one its Label Studio
project was last pushed with, or the one its first pull made it under), so annotations are
read under the schema they were made with and no stage needs a flag, whatever the configured
file says meanwhile (edited and not pushed yet, or another project's). A dataset the store
holds no schema for is read under the given schema, else the configured file.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.annotation import parser_key
from workbench.config import Settings
from workbench.errors import ConfigError, NothingToRelease, OutOfDate
from workbench.reconcile import figures
from workbench.reconcile.load import UNKNOWN
from workbench.schema import Schema, load_schema, schema_from_dict
from workbench.store import Dataset, Store, unknown
from workbench.store import models as m


def dataset_schema(
    settings: Settings, store: Store, dataset: str, given: Schema | None = None
) -> Schema:
    """The schema `dataset` is read under (see the module docstring)."""
    with store.session() as session:
        stored = session.scalar(select(Dataset.schema_json).where(Dataset.name == dataset))
    return schema_of(dataset, stored, given, settings)


def schema_of(
    dataset: str, stored: dict[str, Any] | None, given: Schema | None, settings: Settings
) -> Schema:
    """The rule itself, for a caller that has read the dataset's row (its ``schema_json``).
    A given schema that would read the annotations otherwise than the stored one is refused:
    read silently under either, the annotations or the user's intent would be misread."""
    if not stored:
        return given or load_schema(settings.schema_path)  # a bad file is its one-line error
    schema = schema_from_dict(stored, source=f"<schema of dataset {dataset}>")
    # The stored schema has no file: its guideline file (whose version a release records and
    # hashes into its data_sha256) is the one beside the given or configured schema file, as
    # `up` and `push` read it, not one in the working directory.
    schema = replace(
        schema, source=given.source if given and given.source else settings.schema_path
    )
    if given is not None and parser_key(given) != parser_key(schema):
        where = f", {given.source}" if given.source else ""
        raise ConfigError(
            f"dataset {dataset!r} is read under its stored schema {schema.id} {schema.version};"
            f" the schema given ({given.id} {given.version}{where}) reads annotations otherwise:"
            " push it first (`workbench push --schema FILE`), or give it another --dataset"
        )
    return schema


def reconciled_figures(session: Session, dataset: str, fingerprint: str) -> dict[str, Any]:
    """The agreement figures reconcile stored with `dataset`'s consensus, when computed from
    the very annotations of `fingerprint` (`figures.fingerprint`): consensus and figures are
    written in one transaction, so anything else means the consensus is missing or older than
    the annotations (pulled, deleted or read under another schema since), and a release of it
    would be of other annotations than its own: OutOfDate."""
    stored = figures.stored(session, dataset, fingerprint)
    if stored is None:
        raise OutOfDate(
            f"dataset {dataset!r}: no consensus of its current annotations (never reconciled,"
            f" or annotations changed since): run `workbench reconcile --dataset {dataset}` first"
        )
    return stored


def released_fingerprint(session: Session, dataset: str, schema: Schema) -> str:
    """The `figures.fingerprint` of the annotations a release of `dataset` holds (released,
    of live segments), from their ids and annotators alone: what an export checks before it
    reads the rest. A dataset with none has nothing to release: NothingToRelease (a release
    of no annotations would be an empty version, permanent)."""
    if session.get(Dataset, dataset) is None:
        raise NothingToRelease(unknown(session, dataset))
    name = func.coalesce(func.nullif(m.Annotator.pseudonym, ""), UNKNOWN)  # as the export's
    query = (
        select(m.Annotation.id, name)
        .join(m.Task, m.Task.id == m.Annotation.task_id)
        .join(m.Segment, m.Segment.id == m.Task.segment_id)
        .outerjoin(m.Annotator, m.Annotator.id == m.Annotation.annotator_id)
        .where(m.Annotation.dataset == dataset, m.Segment.retired_at.is_(None), *m.released())
    )
    rows = session.connection().execute(query).all()  # Core: ORM execution cost 0.25 s more
    if not rows:
        raise NothingToRelease(
            f"dataset {dataset!r} has no annotations to release (none pulled, or none valid:"
            " `workbench problems`); no release written"
        )
    ids, who = zip(*rows, strict=True)
    return figures.fingerprint(ids, who, schema)
