"""The store's tables. Every box of the data flow is a table, so every step is inspectable.

Schema changes go through Alembic migrations in `store/migrations/versions/`; these models are
the code's view of the newest revision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
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
    lead_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    was_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_truth: Mapped[bool] = mapped_column(Boolean, default=False)
    ls_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ls_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    schema_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # valid: usable by reconcile; quarantined: kept with `problems`, left out of reconcile.
    status: Mapped[str] = mapped_column(String(16), default="valid")
    problems: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    pulled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_annotations_ls_revision", "dataset", "ls_annotation_id", "revision", unique=True),
        Index("ix_annotations_dataset_current", "dataset", "is_current"),
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
