"""The store: SQLAlchemy models, Alembic migrations, and opening a store by URL."""

from workbench.store.db import Store, check_revision, head_revision, open_store, upgrade
from workbench.store.models import Article, Base, Dataset, Segment, Task

__all__ = [
    "Article",
    "Base",
    "Dataset",
    "Segment",
    "Store",
    "Task",
    "check_revision",
    "head_revision",
    "open_store",
    "upgrade",
]
