"""The store: migrations, the newer-store guard, clear errors — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from workbench.errors import StoreError
from workbench.store import head_revision, open_store
from workbench.store.db import create_store_engine, current_revision, upgrade


def test_fresh_store_is_upgraded_to_head(store_url: str) -> None:
    store = open_store(store_url)
    assert current_revision(store.engine) == head_revision()
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {"articles", "segments", "alembic_version"} <= tables
    store.close()


def test_upgrade_twice_is_a_no_op(store_url: str) -> None:
    engine = create_store_engine(store_url)
    before, after = upgrade(engine)
    assert before is None and after == head_revision()
    assert upgrade(engine) == (head_revision(), head_revision())
    engine.dispose()


def test_store_newer_than_code_is_refused(store_url: str) -> None:
    store = open_store(store_url)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    store.close()
    with pytest.raises(StoreError, match="newer than this workbench"):
        open_store(store_url)


def test_unreachable_database_is_one_line() -> None:
    with pytest.raises(StoreError) as info:
        open_store("postgresql+psycopg://nobody:secretpw@127.0.0.1:1/none?connect_timeout=2")
    assert "\n" not in info.value.message
    assert "secretpw" not in info.value.message
    assert "cannot open the store" in info.value.message


def test_invalid_url() -> None:
    with pytest.raises(StoreError, match="invalid database URL"):
        open_store("not a url")


def test_migrations_match_models(store_url: str) -> None:
    """Autogenerate finds nothing to do: the models and the migrations describe one schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from workbench.store import Base

    store = open_store(store_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    store.close()
    assert diff == []
