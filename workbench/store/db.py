"""Opening the store: engine, migrations, and the guard against a store newer than the code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from workbench.errors import ConfigError, StoreError
from workbench.store.models import Base, Dataset

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def create_store_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"invalid database URL: {_redacted(url)}") from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is what we install
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use database {_redacted(url)}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

    return engine


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the store to the newest revision; returns (before, after)."""
    before = check_revision(engine)
    if before != head_revision():
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    return before, head_revision()


def describe(url: str) -> dict[str, str | None]:
    """Where the store is (password hidden), its revision and the newest one."""
    if _missing_file(url):  # nothing there yet: say so without creating the file
        return {"url": _redacted(url), "revision": None, "newest": head_revision()}
    engine = create_store_engine(url)
    return {
        "url": _redacted(str(engine.url)),
        "revision": check_revision(engine),
        "newest": head_revision(),
    }


def check_revision(engine: Engine) -> str | None:
    """The store's revision; refuses one this code does not know (a newer workbench wrote it)."""
    try:
        rev = current_revision(engine)
    except OperationalError as exc:
        raise StoreError(
            f"cannot open the store at {_redacted(str(engine.url))}: {_reason(exc)}"
        ) from None
    if rev is None:
        _refuse_foreign(engine)
        return None
    known = {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}
    if rev not in known:
        raise StoreError(
            f"the store at {_redacted(str(engine.url))} is at revision {rev}, newer than this "
            f"workbench knows (newest: {head_revision()}); upgrade workbench"
        )
    return rev


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's first line, without SQLAlchemy's wrapping and its "Background" link."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    return (str(orig or exc).strip().splitlines() or [type(exc).__name__])[0]


def _refuse_foreign(engine: Engine) -> None:
    """A database without a revision is made a store only if it holds none of another's
    tables: a mistyped URL must not migrate workbench's tables into someone else's data."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    if tables and not tables & set(Base.metadata.tables):
        foreign = sorted(tables)
        shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
        raise StoreError(
            f"the database at {_redacted(str(engine.url))} is not a workbench store (it holds"
            f" other tables: {shown}): give a workbench store or an empty database"
        )


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def url(self) -> str:
        return _redacted(str(self.engine.url))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True, create: bool = True) -> Store:
    """Open the store at `url`; a fresh or older store is upgraded first (unless `migrate`).

    With ``create=False`` (every command that only reads or works on what is stored) a
    missing store is a ConfigError: run in the wrong folder, such a command would otherwise
    leave an empty ``.workbench/workbench.db`` behind and report an empty store."""
    if not create and _missing_file(url):
        raise ConfigError(_no_store(url))
    engine = create_store_engine(url)
    try:
        if not create and check_revision(engine) is None:
            raise ConfigError(_no_store(url))
        if migrate:
            upgrade(engine)
        else:
            check_revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot prepare the store at {_redacted(url)}: {_reason(exc)}") from None
    except (StoreError, ConfigError):
        engine.dispose()
        raise
    return Store(engine, sessionmaker(engine, expire_on_commit=False))


def _missing_file(url: str) -> bool:
    """Whether `url` names an SQLite file that does not exist (connecting would create it)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return False  # create_store_engine says what is wrong with it
    name = parsed.database
    return (
        parsed.get_backend_name() == "sqlite"
        and bool(name)
        and name != ":memory:"
        and (not Path(str(name)).exists())
    )


def _no_store(url: str) -> str:
    return (
        f"no workbench store at {_redacted(url)}: run this in the folder where you ran "
        "`workbench ingest` or `workbench up`, or set WORKBENCH_DATABASE_URL"
    )


def ensure_dataset(session: Session, dataset: str) -> Dataset:
    """The dataset's row; ConfigError (`unknown`) when the store does not hold it."""
    row = session.get(Dataset, dataset)
    if row is None:
        raise ConfigError(unknown(session, dataset))
    return row


def unknown(session: Session, dataset: str) -> str:
    """What to say of a dataset the store does not hold: where the store is and what it holds
    (a mistyped name, or a command run against another folder's store)."""
    known = session.scalars(select(Dataset.name).order_by(Dataset.name)).all()
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return (
        f"no dataset {dataset!r} in the store at {url} (it has "
        f"{', '.join(map(repr, known)) if known else 'none'}): check --dataset or "
        "WORKBENCH_DATASET, and the folder or WORKBENCH_DATABASE_URL"
    )
