"""The store: SQLAlchemy models, Alembic migrations, and opening a store by URL."""

from workbench.store.db import Store, ensure_dataset, head_revision, open_store, unknown, upgrade
from workbench.store.models import (
    Annotation,
    Annotator,
    Article,
    Base,
    Dataset,
    Prediction,
    PullState,
    Segment,
    Task,
)

__all__ = [
    "Annotation",
    "Annotator",
    "Article",
    "Base",
    "Dataset",
    "Prediction",
    "PullState",
    "Segment",
    "Store",
    "Task",
    "ensure_dataset",
    "head_revision",
    "open_store",
    "unknown",
    "upgrade",
]
