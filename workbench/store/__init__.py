"""The store: SQLAlchemy models, Alembic migrations, and opening a store by URL."""

from workbench.store.db import Store, check_revision, head_revision, open_store, upgrade
from workbench.store.models import Article, Base, Segment

__all__ = [
    "Article",
    "Base",
    "Segment",
    "Store",
    "check_revision",
    "head_revision",
    "open_store",
    "upgrade",
]
