"""The store's tables. Every box of the data flow is a table, so every step is inspectable.

Schema changes go through Alembic migrations in `store/migrations/versions/`; these models are
the code's view of the newest revision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    literal_column,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Article(Base):
    """One revision of a cleaned article. The id is the hash of the cleaned text."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_path: Mapped[str] = mapped_column(String(1024), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("articles.id"), nullable=True)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    format: Mapped[str] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    subtitle: Mapped[str | None] = mapped_column(Text, nullable=True)
    author: Mapped[str | None] = mapped_column(Text, nullable=True)
    outlet: Mapped[str | None] = mapped_column(Text, nullable=True)
    published: Mapped[str | None] = mapped_column(String(32), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    raw_sha256: Mapped[str] = mapped_column(String(64))
    # Paragraphs left out of `text`, [{"text", "reason"}] in reading order (None: not recorded).
    removed: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_articles_source_revision", "source_path", "revision", unique=True),)


class Segment(Base):
    """A span of an article's cleaned text: `article.text[start:end] == text`."""

    __tablename__ = "segments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sentences: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Segments that were pushed are never deleted by re-segmenting; they are retired instead.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_segments_article_unit", "article_id", "unit", "position"),)


class Dataset(Base):
    """A named dataset: the segments of one unit, pushed to one Label Studio project."""

    __tablename__ = "datasets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(16), default="paragraph")
    overlap: Mapped[int] = mapped_column(Integer, default=3)
    label_studio_url: Mapped[str | None] = mapped_column(String(512), nullable=True)
    project_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    schema_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    schema_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The schema as last pushed, so that a schema change can be checked against it.
    schema_json: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Task(Base):
    """A segment as a Label Studio task. `pending` rows are written before the import, so a
    push killed midway can find out on the next run which of them reached the server."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"))
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id"))
    ls_task_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|pushed|deleted
    schema_version: Mapped[str] = mapped_column(String(32))
    pushed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # the task's Label Studio `updated_at` when a live pull last applied it (all its annotations)
    ls_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # the feedback message last written into the task's data ("" once cleared)
    feedback: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        Index("ix_tasks_dataset_segment", "dataset", "segment_id", unique=True),
        Index("ix_tasks_dataset_ls_task", "dataset", "ls_task_id", unique=True),
        Index("ix_tasks_dataset_state", "dataset", "state"),
    )


class Annotator(Base):
    """A Label Studio user who annotated. Email and user id stay in the store; releases only
    ever see the pseudonym."""

    __tablename__ = "annotators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    label_studio_url: Mapped[str] = mapped_column(String(512))
    ls_user_id: Mapped[int] = mapped_column(Integer)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)

    __table_args__ = (
        Index("ix_annotators_url_user", "label_studio_url", "ls_user_id", unique=True),
    )


class Annotation(Base):
    """One revision of one Label Studio annotation. An update on the server becomes a new
    revision (the old one is kept, `is_current` false); a deletion sets `deleted_at`."""

    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    ls_annotation_id: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    annotator_id: Mapped[int | None] = mapped_column(ForeignKey("annotators.id"), nullable=True)
    result: Mapped[list[Any]] = mapped_column(JSON)
    # `result` cleaned, as canonical JSON (`annotation.clean.canonical_result`): what a release
    # holds, set by pull (revisions are never updated); NULL: the export cleans `result` itself.
    result_clean: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Its entry of a release's nested records (`workbench.export.entries`), made at pull under
    # the dataset's schema, and the key of the parser that made it (an export trusts only its
    # own key). NULL: the export parses `result` itself.
    result_entry: Mapped[str | None] = mapped_column(Text, nullable=True)
    entry_key: Mapped[str | None] = mapped_column(String(16), nullable=True)
    lead_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    was_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_truth: Mapped[bool] = mapped_column(Boolean, default=False)
    ls_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ls_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    schema_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # valid: usable by reconcile; quarantined: kept with `problems`, left out of reconcile;
    # superseded: valid, but the same annotator made a later annotation of the task (only
    # the latest counts, everywhere: `released`).
    status: Mapped[str] = mapped_column(String(16), default="valid")
    problems: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    # Label Studio quirks the annotation model repaired; controls it kept without using
    # (SQL NULL when there are none: counted with IS NOT NULL)
    repairs: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    warnings: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    pulled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_annotations_ls_revision", "dataset", "ls_annotation_id", "revision", unique=True),
        Index("ix_annotations_dataset_current", "dataset", "is_current"),
        # covers `entries.refresh`'s test for stale entries (migration 0017)
        Index("ix_annotations_entry", "dataset", "status", "entry_key"),
    )


def released(table: Any = Annotation) -> tuple[Any, ...]:
    """The conditions on an annotation (of `table`: the model, or a migration's table) for
    it to go into a release: current, not deleted, valid, not cancelled."""
    return (
        table.is_current.is_(True),
        table.deleted_at.is_(None),
        table.status == literal_column("'valid'"),  # a literal: SQLite then uses the index
        table.was_cancelled.is_(False),
    )


# An export reads only the released annotations of a dataset: this partial index covers the
# filter, so SQLite need not walk every row's overflow pages (its result) to test it. It
# leads with (dataset, is_current) so that SQLite's planner, without statistics, prefers it
# to ix_annotations_dataset_current.
Index(
    "ix_annotations_release",
    Annotation.dataset,
    Annotation.is_current,
    Annotation.task_id,
    sqlite_where=and_(*released()),
    postgresql_where=and_(*released()),
)


class Prediction(Base):
    """A model's suggestion on a task, kept apart from human annotations."""

    __tablename__ = "predictions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    ls_prediction_id: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str | None] = mapped_column(String(256), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    result: Mapped[list[Any]] = mapped_column(JSON)
    ls_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        Index("ix_predictions_dataset_ls", "dataset", "ls_prediction_id", unique=True),
    )


class PullState(Base):
    """Where the last pull of a dataset stopped: the cursor makes the next pull incremental."""

    __tablename__ = "pull_state"

    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_pull_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_full_pull_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )


# -- reconcile: consensus, adjudication, incremental state -----------------------------------
# Written by `workbench.reconcile.save`. `span_key` is "" for segment-level rows (not NULL, so
# that the unique indexes hold on every database); per-region rows carry the consensus span's
# stable id `Label@start:end`.


class ConsensusLabel(Base):
    """Consensus of one categorical field of a segment, or of one attribute of a span."""

    __tablename__ = "consensus_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"))
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id"))
    field: Mapped[str] = mapped_column(String(128))
    span_key: Mapped[str] = mapped_column(String(128), default="")
    method: Mapped[str] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(String(128), nullable=True)
    votes: Mapped[dict[str, Any]] = mapped_column(JSON)  # value -> pseudonyms who gave it
    support: Mapped[list[Any]] = mapped_column(JSON)  # pseudonyms who gave `label`
    n_annotators: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))  # decided|undecided|adjudicated
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_consensus_labels_key", "dataset", "segment_id", "field", "span_key", unique=True),
    )


class ConsensusSpan(Base):
    """An aligned span: kept (decided), partially supported (undecided) or adjudicated."""

    __tablename__ = "consensus_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"))
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id"))
    span_key: Mapped[str] = mapped_column(String(128))
    label: Mapped[str] = mapped_column(String(64))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON)
    support: Mapped[list[Any]] = mapped_column(JSON)
    n_annotators: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    exact: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    regions: Mapped[list[Any]] = mapped_column(JSON)  # [pseudonym, LS region id] per supporter
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_consensus_spans_key", "dataset", "segment_id", "span_key", unique=True),
    )


class ConsensusRelation(Base):
    """A relation between two consensus spans (by span key)."""

    __tablename__ = "consensus_relations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"))
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id"))
    kind: Mapped[str] = mapped_column(String(64))
    from_key: Mapped[str] = mapped_column(String(128))
    to_key: Mapped[str] = mapped_column(String(128))
    support: Mapped[list[Any]] = mapped_column(JSON)
    n_annotators: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index(
            "ix_consensus_relations_key",
            "dataset",
            "segment_id",
            "kind",
            "from_key",
            "to_key",
            unique=True,
        ),
    )


class ReconcileState(Base):
    """Per segment, the hash of what its consensus was computed from (incremental runs)."""

    __tablename__ = "reconcile_state"

    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"), primary_key=True)
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id"), primary_key=True)
    input_hash: Mapped[str] = mapped_column(String(64))
    # hash of the rows written: a global Dawid–Skene refit rewrites a segment only if it moved
    output_hash: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(32))
    min_support: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AgreementFigures(Base):
    """A dataset's release agreement figures (`workbench.reconcile.figures`): computed by
    reconcile, reused by an export of the very annotations they were computed from (the
    `fingerprint` of those annotations, their annotators and the figures' parameters)."""

    __tablename__ = "agreement_figures"

    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AdjudicationProject(Base):
    """The Label Studio project where a dataset's disagreements are adjudicated."""

    __tablename__ = "adjudication_projects"

    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"), primary_key=True)
    label_studio_url: Mapped[str] = mapped_column(String(512))
    project_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AdjudicationTask(Base):
    """A segment sent for adjudication, with the hash of the annotations it showed."""

    __tablename__ = "adjudication_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"))
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id"))
    ls_project_id: Mapped[int] = mapped_column(Integer)
    ls_task_id: Mapped[int] = mapped_column(Integer)
    input_hash: Mapped[str] = mapped_column(String(64))
    pushed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_adjudication_tasks_key", "dataset", "segment_id", "ls_project_id", unique=True),
    )


class Adjudication(Base):
    """An adjudicator's decision (their annotation in the adjudication project). It overrides
    the consensus of its segment. Who decided stays in the store, never in a release."""

    __tablename__ = "adjudications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"))
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id"))
    field: Mapped[str] = mapped_column(String(128), default="*")  # "*": the whole segment
    decision: Mapped[list[Any]] = mapped_column(JSON)  # a Label Studio result
    adjudicator_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    adjudicator_ls_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ls_project_id: Mapped[int] = mapped_column(Integer)
    ls_task_id: Mapped[int] = mapped_column(Integer)
    ls_annotation_id: Mapped[int] = mapped_column(Integer)
    pulled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_adjudications_ls", "dataset", "ls_project_id", "ls_annotation_id", unique=True),
        Index("ix_adjudications_segment", "dataset", "segment_id"),
    )


# -- export: releases and persisted splits ---------------------------------------------------
# Written by `workbench.export`. A split is stored per article group (the article's first
# revision) when it first goes into a release, so later releases never move it.


class Release(Base):
    """One immutable dataset release on disk (`exports/<dataset>/vNNNN/`)."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"))
    version: Mapped[int] = mapped_column(Integer)
    parent_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    path: Mapped[str] = mapped_column(String(1024))
    data_sha256: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_releases_dataset_version", "dataset", "version", unique=True),)


class SplitAssignment(Base):
    """The train/dev/test split of one article group in one dataset, fixed once assigned."""

    __tablename__ = "splits"

    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"), primary_key=True)
    article_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    split: Mapped[str] = mapped_column(String(8))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- operation locks ---------------------------------------------------------------------------
# Written by `workbench.store.lock`: one row per held lock, deleted on release; a row whose
# owner died (dead pid on this host, or no heartbeat for a long time) is taken over.


class OperationLock(Base):
    """A held lock: one long-running operation (push, pull, reconcile, export) of a dataset."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)  # "dataset:<name>"
    operation: Mapped[str] = mapped_column(String(32))
    token: Mapped[str] = mapped_column(String(32))  # this acquisition; release/heartbeat by it
    owner_host: Mapped[str] = mapped_column(String(255))
    owner_pid: Mapped[int] = mapped_column(Integer)
    owner_started: Mapped[str | None] = mapped_column(String(32), nullable=True)  # pid reuse
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
