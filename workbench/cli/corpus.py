"""Commands on the corpus: ingest, segment, list; `up`, the whole loop; `suggest`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from workbench import corpus, render
from workbench.cli.base import PATH, State, cli, command
from workbench.errors import PartialFailure

workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    envvar="WORKBENCH_WORKERS",
    help="Processes for the text work (same result with any number) [env WORKBENCH_WORKERS].",
)


@command(cli)
@click.argument("paths", nargs=-1, required=True, type=PATH)
@workers_option
def ingest(state: State, paths: tuple[Path, ...], workers: int, as_json: bool) -> None:
    """Clean article files (.txt, .md, .html) or folders of them into the store.

    Re-ingesting an unchanged file changes nothing; a changed file becomes a new revision.
    """
    report = corpus.ingest(
        state.new_store, list(paths), progress=render.BarProgress(), workers=workers
    )
    for failed in report.errors:
        render.error(failed.message or failed.path)
    render.show(report.results, as_json, lambda _: render.ingest_text(report))
    if report.errors:
        raise PartialFailure(f"{len(report.errors)} of {len(report.results)} files failed")


unit_choice = click.Choice(["paragraph", "sentence", "article"])


@command(cli, "segment")
@click.option("--unit", type=unit_choice, default="paragraph", show_default=True)
@click.option(
    "--max-chars",
    type=click.IntRange(min=80),
    default=1200,
    show_default=True,
    help="Split longer paragraphs at sentence boundaries.",
)
@workers_option
def segment_cmd(state: State, /, as_json: bool, **options: Any) -> None:
    """Split the current articles into segments (idempotent)."""
    results = corpus.segment(state.store, progress=render.BarProgress(), **options)
    render.show(results, as_json, render.segment_text)


@command(cli)
@click.option("--all", "all_revisions", is_flag=True, help="Include earlier revisions.")
@click.option(
    "--removed",
    "removed_of",
    metavar="ID",
    help="List the paragraphs ingest left out of this article (id prefix), with the reason.",
)
def articles(state: State, all_revisions: bool, removed_of: str | None, as_json: bool) -> None:
    """List the articles in the store."""
    if removed_of is not None:
        removed = corpus.removed_paragraphs(state.store, removed_of)
        render.show(removed, as_json, render.removed_paragraphs)
    else:
        render.show(corpus.list_articles(state.store, all_revisions), as_json, render.articles_text)


@command(cli)
@click.option("--article", "article_id", metavar="ID", help="Only this article (id prefix).")
@click.option("--unit", type=unit_choice)
def segments(state: State, article_id: str | None, unit: str | None, as_json: bool) -> None:
    """List the segments in the store."""
    rows = corpus.list_segments(state.store, article_id, unit)
    render.show(rows, as_json, render.segments_text)


@command(cli)
@click.option(
    "--seeds",
    type=PATH,
    default=Path("seeds"),
    show_default=True,
    help="Folder of article files to start from.",
)
@click.option("--no-server", is_flag=True, help="Only ingest and segment; no Label Studio.")
def up(state: State, seeds: Path, no_server: bool, as_json: bool) -> None:
    """Run the main job on the embedded default: the local Label Studio and the seed articles.

    Ingests and segments the seeds, starts the local Label Studio (installing it on first use)
    and pushes the segments; prints where to label. Running it again changes nothing.
    """
    from workbench import pipeline

    if not no_server:
        render.note("starting Label Studio (the first start on a machine installs it: minutes)…")
    summary = pipeline.up(
        state.settings, state.new_store, seeds, render.BarProgress(), start_server=not no_server
    )
    data = {k: v for k, v in render.to_jsonable(summary).items() if k != "admin_password"}
    render.show(data, as_json, lambda _: pipeline.describe(summary))
    if summary.errors and not as_json:
        raise PartialFailure(f"{len(summary.errors)} seed files failed")
