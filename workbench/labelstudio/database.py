"""Label Studio's own database: SQLite in the data dir (the default) or a PostgreSQL server.

A data dir is bound to its database on the first start with one, kept in ``<data dir>/
database.json`` (mode 0600: it may hold a password), so later starts, ``label-studio user`` and
``reset_password`` reach it untold. Label Studio reads it from its settings (``DJANGO_DB=default``,
``POSTGRE_*``) in environment variables: never on a command line, in the state file or a log
(the password is a registered secret from the moment it is parsed).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy.engine
import sqlalchemy.exc

from workbench.config import write_private_json
from workbench.errors import ConfigError, LabelStudioError
from workbench.logging import register_secret

BINDING_NAME = "database.json"
SQLITE_NAME = "label_studio.sqlite3"  # Label Studio's own default name inside BASE_DATA_DIR
_USAGE = "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…]"


@dataclass(frozen=True)
class PostgresDatabase:
    """Where Label Studio keeps its data on PostgreSQL. ``repr`` never shows the password."""

    name: str
    user: str
    host: str = "127.0.0.1"
    port: int = 5432
    password: str = field(default="", repr=False)
    sslmode: str | None = None

    @property
    def display(self) -> str:
        """The URL without its password: safe to print and to record."""
        tail = f"?sslmode={self.sslmode}" if self.sslmode else ""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.name}{tail}"

    def ls_env(self) -> dict[str, str]:
        """The environment that points Label Studio (Django) at this database."""
        env = {
            "DJANGO_DB": "default",  # Label Studio's alias for its PostgreSQL settings
            "LABEL_STUDIO_POSTGRE_NAME": self.name,
            "LABEL_STUDIO_POSTGRE_USER": self.user,
            "LABEL_STUDIO_POSTGRE_PASSWORD": self.password,  # "" : no password (trust, .pgpass)
            "LABEL_STUDIO_POSTGRE_HOST": self.host,
            "LABEL_STUDIO_POSTGRE_PORT": str(self.port),
        }
        if self.sslmode:
            env["PGSSLMODE"] = self.sslmode  # libpq reads it; LS's settings have no OPTIONS
        return env


def parse_database_url(url: str) -> PostgresDatabase:
    """A PostgreSQL URL (``postgresql://``, ``postgres://`` or ``postgresql+driver://``).

    Errors never repeat the URL: it may carry a password."""
    try:
        parsed = sqlalchemy.engine.make_url(url.strip())
    except (sqlalchemy.exc.ArgumentError, ValueError):
        raise ConfigError(f"Label Studio database: not a URL (expected {_USAGE})") from None
    if parsed.password:
        register_secret(str(parsed.password))
    backend = parsed.get_backend_name()
    if backend not in ("postgresql", "postgres"):
        raise ConfigError(
            f"Label Studio database: {backend!r} is not supported (expected {_USAGE})"
        )
    if not parsed.database:
        raise ConfigError(f"Label Studio database: the URL names no database (expected {_USAGE})")
    unknown = sorted(set(parsed.query) - {"sslmode"})
    if unknown:
        raise ConfigError(f"Label Studio database: unsupported URL option {unknown[0]!r}")
    sslmode = parsed.query.get("sslmode")
    return PostgresDatabase(
        name=parsed.database,
        user=parsed.username or "postgres",
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        password=str(parsed.password or ""),
        sslmode=str(sslmode) if isinstance(sslmode, str) else None,
    )


def read_binding(data_dir: Path) -> PostgresDatabase | None:
    """The PostgreSQL database ``data_dir`` is bound to; None for SQLite."""
    path = data_dir / BINDING_NAME
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        database = PostgresDatabase(**data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: cannot read the Label Studio database binding: {exc}") from None
    register_secret(database.password)
    return database


def bind(data_dir: Path, database: PostgresDatabase | None) -> PostgresDatabase | None:
    """The database Label Studio in ``data_dir`` uses, binding it on the first start with one.

    A data dir keeps its database: SQLite data is never silently left behind for PostgreSQL,
    nor one PostgreSQL database swapped for another (a changed password is taken)."""
    bound = read_binding(data_dir)
    if database is None:
        return bound
    if bound is None and (data_dir / SQLITE_NAME).exists():
        raise ConfigError(
            f"the Label Studio data in {data_dir} is on SQLite; use another workbench home "
            "for a PostgreSQL one"
        )
    if bound is not None and bound.display != database.display:
        raise ConfigError(
            f"the Label Studio data in {data_dir} is on {bound.display}, not {database.display}"
        )
    if bound != database:
        check_reachable(database)  # first: a mistyped URL must not bind the data dir
        write_private_json(data_dir / BINDING_NAME, asdict(database))
    return database


def check_reachable(database: PostgresDatabase, timeout: int = 10) -> None:
    """Connect once, so an unreachable or missing database is one clear line, not Django's
    traceback minutes into a start."""
    import psycopg

    try:
        with psycopg.connect(
            host=database.host,
            port=database.port,
            dbname=database.name,
            user=database.user,
            password=database.password or None,
            sslmode=database.sslmode or None,
            connect_timeout=timeout,
        ):
            pass
    except psycopg.Error as exc:
        reason = next(
            (ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__
        )
        raise LabelStudioError(
            f"Label Studio's database {database.display} is not usable: {reason}"
        ) from None
