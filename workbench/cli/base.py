"""The `workbench` command line. Each command parses, calls one library function, renders
(`workbench.render`): no logic and no locks here. Errors the user can act on
(`WorkbenchError`) become one line and an exit code in `main`, and nowhere else.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import sqlalchemy.exc

from workbench import __version__, render
from workbench import logging as wb_logging
from workbench.config import Settings, load_settings
from workbench.errors import StoreError, WorkbenchError
from workbench.scaffold import init_folder
from workbench.store import Store, open_store
from workbench.store import db as store_db

if TYPE_CHECKING:
    from click.decorators import FC

    from workbench.labelstudio.client import LabelStudioClient
    from workbench.schema import Schema

#: Set by the `cli` callback: `main` prints tracebacks of unexpected errors only when verbose.
_verbose = False


class State:
    """What every command gets: the settings; the store and Label Studio, opened when used."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def store(self) -> Store:
        """The existing store: a command that reads or works on stored data makes none."""
        return open_store(self.settings.resolved_database_url, create=False)

    @cached_property
    def new_store(self) -> Store:
        """The store, made first if there is none (ingest, up, pull of a new dataset)."""
        return open_store(self.settings.resolved_database_url)

    @property
    def client(self) -> LabelStudioClient:
        from workbench.labelstudio.connect import connect

        return connect(self.settings)

    def schema(self, path: Path | None = None) -> Schema:
        from workbench.schema import load_schema

        return load_schema(path or self.settings.schema_path)


pass_state = click.make_pass_decorator(State)
FILE = click.Path(dir_okay=False, path_type=Path)
DIR = click.Path(file_okay=False, path_type=Path)
PATH = click.Path(path_type=Path)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
dataset_option = click.option(
    "--dataset", metavar="NAME", help="The dataset [env WORKBENCH_DATASET; default news]."
)


def command(
    group: click.Group,
    name: str | None = None,
    *,
    json: bool = True,
    state: bool = True,
    dataset: bool = False,
) -> Callable[[Callable[..., Any]], click.Command]:
    """`group.command(name)`, with the options most commands share."""

    def decorate(fn: Callable[..., Any]) -> click.Command:
        fn = pass_state(fn) if state else fn
        fn = json_option(fn) if json else fn
        fn = dataset_option(fn) if dataset else fn
        return group.command(name)(fn)

    return decorate


def schema_option(help: str) -> Callable[[FC], FC]:
    return click.option("--schema", "schema_file", type=FILE, help=help)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
@click.option(
    "--database-url",
    metavar="URL",
    help="SQLAlchemy URL of the store [env WORKBENCH_DATABASE_URL; default sqlite in .workbench/].",
)
@click.option(
    "--home",
    type=DIR,
    help="Folder for local state [env WORKBENCH_HOME; default .workbench].",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, to stderr.")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, home: Path | None, verbose: bool) -> None:
    """Turn news articles into a trustworthy, versioned annotation dataset with Label Studio.

    \b
    The flow: ingest → segment → push → (annotate in Label Studio) → pull → reconcile → export.
    Start with `workbench up` to run it all on the seed articles.
    """
    global _verbose
    _verbose = verbose
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    wb_logging.install()  # secrets never reach a log line
    ctx.obj = State(load_settings({"database_url": database_url, "home": home}))


@command(cli, "init", json=False, state=False)
@click.argument("directory", required=False, default=".", type=PATH)
@click.option("--force", is_flag=True, help="Overwrite existing starter files.")
def init_cmd(directory: Path, force: bool) -> None:
    """Start a folder of one's own: workbench.toml, schemas/ to edit, articles/ for files."""
    report = init_folder(directory, force=force)
    for path in report.written:
        click.echo(f"wrote {path}")
    click.echo(
        f"put article files (.txt, .md, .html) into {report.articles_dir}/, then "
        f"`workbench ingest {report.articles_dir}` (run from {report.directory})"
    )


@cli.group()
def db() -> None:
    """The store: migrations and where it is."""


@command(db, "upgrade", json=False)
def db_upgrade(state: State) -> None:
    """Bring the store's schema to the newest revision."""
    url = state.settings.resolved_database_url
    before, after = store_db.upgrade(store_db.create_store_engine(url))
    if before == after:
        click.echo(f"store is up to date (revision {after})")
    else:
        click.echo(f"store upgraded from {before or 'empty'} to revision {after}")


@command(db, "status")
def db_status(state: State, as_json: bool) -> None:
    """Where the store is and which revision it has."""
    info = store_db.describe(state.settings.resolved_database_url)
    render.show(info, as_json, lambda i: [f"{k}: {v or '-'}" for k, v in i.items()])


def _first_line(text: str, limit: int = 300) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def main(argv: list[str] | None = None) -> Any:
    """Entry point: user errors become one line on stderr and a documented exit code; anything
    else is a bug: one line naming it (exit 1), the traceback only with `--verbose`. Every line
    and traceback is scrubbed of the configured secrets first."""
    try:
        return cli.main(args=argv, prog_name="workbench", standalone_mode=False)
    except click.exceptions.Abort as exc:  # Click's name for ctrl-c (and EOF at a prompt)
        render.error("interrupted" if isinstance(exc.__cause__, KeyboardInterrupt) else "aborted")
        sys.exit(130)
    except click.ClickException as exc:
        shown = io.StringIO()
        exc.show(file=shown)
        sys.stderr.write(wb_logging.redact(shown.getvalue()))
        sys.exit(exc.exit_code)
    except WorkbenchError as exc:
        render.error(wb_logging.redact(exc.message))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        render.error("interrupted")
        sys.exit(130)
    except sqlalchemy.exc.OperationalError as exc:  # the database went away, disk full, locked
        if _verbose:
            sys.stderr.write(wb_logging.format_exception(exc))
        reason = _first_line(str(exc.orig) if exc.orig is not None else str(exc))
        render.error(wb_logging.redact(f"the store failed: {reason}"))
        sys.exit(StoreError.exit_code)
    except Exception as exc:
        if _verbose:
            sys.stderr.write(wb_logging.format_exception(exc))
        detail = wb_logging.redact(_first_line(f"{type(exc).__name__}: {exc}"))
        hint = "" if _verbose else " (run with --verbose for the traceback)"
        render.error(f"internal error: {detail}{hint}")
        sys.exit(1)
