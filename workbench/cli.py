"""The `workbench` command line. Each command parses, calls one library function, renders.

Errors the user can act on (`WorkbenchError`) are turned into one line and an exit code here,
in `main`, and nowhere else.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from workbench import __version__, corpus, render
from workbench.config import Settings, load_settings
from workbench.errors import PartialFailure, WorkbenchError
from workbench.store import Store, open_store
from workbench.store import db as store_db


class State:
    """What every command gets: the settings, and the store opened on first use."""

    def __init__(self, settings: Settings, verbose: bool) -> None:
        self.settings = settings
        self.verbose = verbose
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.resolved_database_url)
        return self._store


pass_state = click.make_pass_decorator(State)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
@click.option(
    "--database-url",
    metavar="URL",
    help="SQLAlchemy URL of the store [env WORKBENCH_DATABASE_URL; default sqlite in .workbench/].",
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
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
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    settings = load_settings({"database_url": database_url, "home": home})
    ctx.obj = State(settings, verbose)


# -- store ----------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """The store: migrations and where it is."""


@db.command("upgrade")
@pass_state
def db_upgrade(state: State) -> None:
    """Bring the store's schema to the newest revision."""
    engine = store_db.create_store_engine(state.settings.resolved_database_url)
    before, after = store_db.upgrade(engine)
    if before == after:
        click.echo(f"store is up to date (revision {after})")
    else:
        click.echo(f"store upgraded from {before or 'empty'} to revision {after}")


@db.command("status")
@json_option
@pass_state
def db_status(state: State, as_json: bool) -> None:
    """Where the store is and which revision it has."""
    engine = store_db.create_store_engine(state.settings.resolved_database_url)
    info = {
        "url": store_db._redacted(str(engine.url)),
        "revision": store_db.check_revision(engine),
        "newest": store_db.head_revision(),
    }
    if as_json:
        render.emit_json(info)
    else:
        for key, value in info.items():
            click.echo(f"{key}: {value or '-'}")


# -- corpus ---------------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@pass_state
def ingest(state: State, paths: tuple[Path, ...], as_json: bool) -> None:
    """Clean article files (.txt, .md, .html) or folders of them into the store.

    Re-ingesting an unchanged file changes nothing; a changed file becomes a new revision.
    """
    report = corpus.ingest(state.store, list(paths), progress=render.BarProgress())
    for failed in report.errors:
        render.error(failed.message or failed.path)
    if as_json:
        render.emit_json(report.results)
    else:
        click.echo(
            f"{report.count('new')} new, {report.count('revised')} revised, "
            f"{report.count('unchanged')} unchanged, {len(report.errors)} failed"
        )
    if report.errors:
        raise PartialFailure(f"{len(report.errors)} of {len(report.results)} files failed")


@cli.command("segment")
@click.option(
    "--unit",
    type=click.Choice(["paragraph", "sentence", "article"]),
    default="paragraph",
    show_default=True,
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=80),
    default=1200,
    show_default=True,
    help="Split longer paragraphs at sentence boundaries.",
)
@json_option
@pass_state
def segment_cmd(state: State, unit: str, max_chars: int, as_json: bool) -> None:
    """Split the current articles into segments (idempotent)."""
    results = corpus.segment(state.store, unit, max_chars, progress=render.BarProgress())  # type: ignore[arg-type]
    if as_json:
        render.emit_json(results)
        return
    added = sum(r.added for r in results)
    removed = sum(r.removed for r in results)
    total = sum(r.segments for r in results)
    click.echo(f"{len(results)} articles, {total} segments ({added} new, {removed} removed)")


@cli.command()
@click.option("--all", "all_revisions", is_flag=True, help="Include earlier revisions.")
@json_option
@pass_state
def articles(state: State, all_revisions: bool, as_json: bool) -> None:
    """List the articles in the store."""
    rows = corpus.list_articles(state.store, all_revisions)
    if as_json:
        render.emit_json(rows)
        return
    render.table(
        ["id", "rev", "title", "author", "outlet", "date", "chars", "segments", "source"],
        [
            (
                r.id[:12],
                r.revision,
                r.title,
                r.author,
                r.outlet,
                r.published,
                r.chars,
                r.segments,
                r.source_path,
            )
            for r in rows
        ],
    )


@cli.command()
@click.option("--article", "article_id", metavar="ID", help="Only this article (id prefix).")
@click.option("--unit", type=click.Choice(["paragraph", "sentence", "article"]))
@json_option
@pass_state
def segments(state: State, article_id: str | None, unit: str | None, as_json: bool) -> None:
    """List the segments in the store."""
    rows = corpus.list_segments(state.store, article_id, unit)
    if as_json:
        render.emit_json(rows)
        return
    render.table(
        ["id", "article", "unit", "#", "start", "end", "text"],
        [
            (
                r.id,
                r.article_id[:12],
                r.unit,
                r.position,
                r.start,
                r.end,
                r.text if len(r.text) <= 70 else r.text[:67] + "…",
            )
            for r in rows
        ],
    )


# -- the whole loop -------------------------------------------------------------------------


@cli.command()
@click.option(
    "--seeds",
    type=click.Path(path_type=Path),
    default=Path("seeds"),
    show_default=True,
    help="Folder of article files to start from.",
)
@json_option
@pass_state
def up(state: State, seeds: Path, as_json: bool) -> None:
    """Run the main job on the embedded default: ingest and segment the seed articles."""
    from workbench import pipeline

    summary = pipeline.up(state.settings, state.store, seeds, progress=render.BarProgress())
    if as_json:
        render.emit_json(summary)
        return
    for line in pipeline.describe(summary):
        click.echo(line)
    if summary.errors:
        raise PartialFailure(f"{len(summary.errors)} seed files failed")


# -- label studio: server, schema, annotators, push ------------------------------------------


# -- pull -------------------------------------------------------------------------------------


# -- reconcile: agreement, consensus, adjudication ----------------------------------------------


# -- export -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> Any:
    """Entry point: user errors become one line on stderr and a documented exit code."""
    try:
        return cli.main(args=argv, prog_name="workbench", standalone_mode=False)
    except click.exceptions.Abort:
        render.error("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except WorkbenchError as exc:
        render.error(exc.message)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        render.error("interrupted")
        sys.exit(130)
