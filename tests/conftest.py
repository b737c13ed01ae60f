"""Shared fixtures: stores on SQLite and on the real PostgreSQL server of this machine.

PostgreSQL: `WORKBENCH_TEST_POSTGRES_URL` (default: the local server, trust auth, database
`test`). Each test gets its own schema, dropped afterwards. When the server is unreachable the
PostgreSQL tests fail in CI (CI=true) with a clear message; on a laptop they are skipped with
the reason shown.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from workbench.store import Store, open_store

pytest_plugins = ["ls_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PG_URL = os.environ.get(
    "WORKBENCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

_pg_error: str | None = None
_pg_checked = False


def _postgres_problem() -> str | None:
    global _pg_checked, _pg_error
    if not _pg_checked:
        _pg_checked = True
        try:
            engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 5})
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            engine.dispose()
        except Exception as exc:  # any failure to connect is reported the same way
            _pg_error = f"PostgreSQL at {PG_URL} is unreachable: {str(exc).splitlines()[0]}"
    return _pg_error


def postgres_url_with_schema(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    problem = _postgres_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(
                problem + " (CI needs it: start PostgreSQL or set WORKBENCH_TEST_POSTGRES_URL)"
            )
        pytest.skip(problem)
    schema = f"wb_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield postgres_url_with_schema(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    yield s
    s.close()


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS
