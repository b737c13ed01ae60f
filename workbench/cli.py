"""The `workbench` command line. Each command parses, calls one library function, renders.

Errors the user can act on (`WorkbenchError`) are turned into one line and an exit code here,
in `main`, and nowhere else.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import sqlalchemy.exc

from workbench import __version__, corpus, render
from workbench import logging as wb_logging
from workbench.config import Settings, load_settings
from workbench.errors import PartialFailure, StoreError, WorkbenchError
from workbench.store import Store, open_store
from workbench.store import db as store_db

#: Set by the `cli` callback: `main` prints tracebacks of unexpected errors only when verbose.
_verbose = False


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

    @contextmanager
    def dataset_lock(self, dataset: str | None, operation: str) -> Iterator[None]:
        """One long-running operation per dataset: a second one waits
        `WORKBENCH_LOCK_WAIT` seconds (default 0), then is refused naming the first."""
        from workbench.store.lock import operation_lock

        try:
            wait = float(os.environ.get("WORKBENCH_LOCK_WAIT") or 0)
        except ValueError:
            raise click.UsageError("WORKBENCH_LOCK_WAIT must be a number of seconds") from None
        with operation_lock(self.store, dataset or self.settings.dataset, operation, wait=wait):
            yield


pass_state = click.make_pass_decorator(State)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    envvar="WORKBENCH_WORKERS",
    help="Processes for the text work (same result with any number) [env WORKBENCH_WORKERS].",
)


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
    global _verbose
    _verbose = verbose
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    wb_logging.install()  # secrets never reach a log line
    settings = load_settings({"database_url": database_url, "home": home})
    ctx.obj = State(settings, verbose)


@cli.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing starter files.")
def init_cmd(directory: Path, force: bool) -> None:
    """Start a folder of one's own: workbench.toml, schemas/ to edit, articles/ for files."""
    from workbench.scaffold import init_folder

    report = init_folder(directory, force=force)
    for path in report.written:
        click.echo(f"wrote {path}")
    click.echo(
        f"put article files (.txt, .md, .html) into {report.articles_dir}/, then "
        f"`workbench ingest {report.articles_dir}` (run from {report.directory})"
    )


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
@workers_option
@json_option
@pass_state
def ingest(state: State, paths: tuple[Path, ...], workers: int, as_json: bool) -> None:
    """Clean article files (.txt, .md, .html) or folders of them into the store.

    Re-ingesting an unchanged file changes nothing; a changed file becomes a new revision.
    """
    report = corpus.ingest(state.store, list(paths), progress=render.BarProgress(), workers=workers)
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
@workers_option
@json_option
@pass_state
def segment_cmd(state: State, unit: str, max_chars: int, workers: int, as_json: bool) -> None:
    """Split the current articles into segments (idempotent)."""
    results = corpus.segment(
        state.store,
        unit,  # type: ignore[arg-type]
        max_chars,
        progress=render.BarProgress(),
        workers=workers,
    )
    if as_json:
        render.emit_json(results)
        return
    added = sum(r.added for r in results)
    removed = sum(r.removed for r in results)
    total = sum(r.segments for r in results)
    click.echo(f"{len(results)} articles, {total} segments ({added} new, {removed} removed)")


@cli.command()
@click.option("--all", "all_revisions", is_flag=True, help="Include earlier revisions.")
@click.option(
    "--removed",
    "removed_of",
    metavar="ID",
    help="List the paragraphs ingest left out of this article (id prefix), with the reason.",
)
@json_option
@pass_state
def articles(state: State, all_revisions: bool, removed_of: str | None, as_json: bool) -> None:
    """List the articles in the store."""
    if removed_of is not None:
        removed = corpus.removed_paragraphs(state.store, removed_of)
        if as_json:
            render.emit_json(removed)
        else:
            render.removed_paragraphs(removed)
        return
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
@click.option("--no-server", is_flag=True, help="Only ingest and segment; no Label Studio.")
@json_option
@pass_state
def up(state: State, seeds: Path, no_server: bool, as_json: bool) -> None:
    """Run the main job on the embedded default: the local Label Studio and the seed articles.

    Ingests and segments the seeds, starts the local Label Studio (installing it on first use)
    and pushes the segments; prints where to label. Running it again changes nothing.
    """
    from workbench import pipeline

    if not no_server:
        render.note("starting Label Studio (the first start on a machine installs it: minutes)…")
    summary = pipeline.up(
        state.settings,
        state.store,
        seeds,
        progress=render.BarProgress(),
        start_server=not no_server,
    )
    if as_json:
        data = render.to_jsonable(summary)
        data.pop("admin_password", None)
        render.emit_json(data)
        return
    for line in pipeline.describe(summary):
        click.echo(line)
    if summary.errors:
        raise PartialFailure(f"{len(summary.errors)} seed files failed")


# -- label studio: server, schema, annotators, push ------------------------------------------


@cli.group()
def server() -> None:
    """The local Label Studio server (the embedded default)."""


@server.command("start")
@click.option("--port", type=click.IntRange(1, 65535), help="Port on 127.0.0.1 [default: free].")
@click.option(
    "--database",
    "database_url",
    metavar="URL",
    envvar="WORKBENCH_LABEL_STUDIO_DATABASE",
    help="Label Studio's own data on PostgreSQL (postgresql://user:pw@host:port/db) instead of "
    "SQLite; remembered for later starts [env WORKBENCH_LABEL_STUDIO_DATABASE].",
)
@json_option
@pass_state
def server_start(state: State, port: int | None, database_url: str | None, as_json: bool) -> None:
    """Install (first time), start and wait for the local Label Studio; a no-op when it runs."""
    from workbench.labelstudio import local

    render.note("starting Label Studio (the first start on a machine installs it: a few minutes)…")
    info = local.start(state.settings, port=port, database_url=database_url)
    if as_json:
        render.emit_json(
            {
                "url": info.url,
                "admin_email": info.admin_email,
                "pid": info.pid,
                "already_running": info.already_running,
                "database": info.database,
            }
        )
        return
    click.echo("already running" if info.already_running else f"started (pid {info.pid})")
    for line in info.login_lines():
        click.echo(line)


@server.command("status")
@json_option
@pass_state
def server_status(state: State, as_json: bool) -> None:
    """Is the local Label Studio up? (exit 1 when it is not)"""
    from workbench.labelstudio import local

    status = local.status(state.settings)
    if as_json:
        render.emit_json(
            {
                "running": status.running,
                "healthy": status.healthy,
                "url": status.url,
                "pid": status.pid,
            }
        )
    elif status.running:
        health = "healthy" if status.healthy else "not answering"
        click.echo(f"running (pid {status.pid}) at {status.url}, {health}")
    else:
        click.echo("not running")
    if not (status.running and status.healthy):
        sys.exit(1)


@server.command("stop")
@pass_state
def server_stop(state: State) -> None:
    """Stop the local Label Studio (only the process workbench started)."""
    from workbench.labelstudio import local

    click.echo("stopped" if local.stop(state.settings) else "was not running")


@cli.group()
def schema() -> None:
    """The annotation schema: check it, show it, and the Label Studio XML made from it."""


def _load_schema(path: Path | None, state: State) -> Any:
    from workbench.schema import load_schema

    return load_schema(path or state.settings.schema_path)


schema_path_arg = click.argument(
    "path", required=False, type=click.Path(dir_okay=False, path_type=Path)
)


@schema.command("validate")
@schema_path_arg
@pass_state
def schema_validate(state: State, path: Path | None) -> None:
    """Check a schema file (default: the configured one)."""
    s = _load_schema(path, state)
    click.echo(
        f"{s.source}: valid — {s.id} version {s.version}, {len(s.labels)} labels, "
        f"{len(s.relations)} relations, {len(s.attributes)} questions"
    )


@schema.command("show")
@schema_path_arg
@json_option
@pass_state
def schema_show(state: State, path: Path | None, as_json: bool) -> None:
    """The schema's labels, attributes, relations and hotkeys."""
    s = _load_schema(path, state)
    if as_json:
        render.emit_json({"id": s.id, "version": s.version, **s.to_dict()})
        return
    click.echo(f"{s.id} ({s.version}): {s.title}")
    render.table(["hotkey", "does"], sorted(s.hotkeys().items(), key=lambda kv: kv[1]))
    render.table(
        ["relation", "from", "to"],
        [(r.name, ", ".join(r.from_labels), ", ".join(r.to_labels)) for r in s.relations],
    )


@schema.command("xml")
@schema_path_arg
@pass_state
def schema_xml(state: State, path: Path | None) -> None:
    """The Label Studio labeling config generated from the schema."""
    click.echo(_load_schema(path, state).to_label_config())


@schema.command("import")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--project", type=int, help="Read the label config of this Label Studio project.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--id", "schema_id", help="Schema id [default: from the file or project name].")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@json_option
@pass_state
def schema_import(
    state: State,
    config: Path | None,
    project: int | None,
    output: Path | None,
    schema_id: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """A schema YAML from a Label Studio label config (CONFIG.xml, or --project ID).

    What the schema cannot hold is named on stderr, one line each."""
    from workbench.errors import ConfigError
    from workbench.schema.fetch import import_schema

    if (config is None) == (project is None):
        raise click.UsageError("give CONFIG.xml or --project ID (one of them)")
    if output is not None and output.exists() and not force:
        raise ConfigError(f"{output}: exists (use --force to overwrite)")
    client = None
    if project is not None:
        from workbench.labelstudio.connect import connect

        client = connect(state.settings)
    imported = import_schema(config=config, project=project, client=client, schema_id=schema_id)
    for note in imported.notes:
        render.warn(f"not kept: {note}")
    s = imported.schema
    if output is not None:
        output.write_text(imported.yaml, encoding="utf-8")
    if as_json:
        render.emit_json(
            {
                "id": s.id,
                "version": s.version,
                "output": str(output) if output else None,
                "yaml": imported.yaml,
                "notes": list(imported.notes),
            }
        )
    elif output is None:
        click.echo(imported.yaml, nl=False)
    else:
        click.echo(
            f"{output}: {s.id} version {s.version}, {len(s.labels)} labels, "
            f"{len(s.relations)} relations, {len(s.attributes)} questions"
            + (f"; {len(imported.notes)} not kept (named above)" if imported.notes else "")
        )


@cli.group()
def annotators() -> None:
    """Annotator accounts in Label Studio."""


@annotators.command("add")
@click.argument("emails", nargs=-1, required=True)
@json_option
@pass_state
def annotators_add(state: State, emails: tuple[str, ...], as_json: bool) -> None:
    """Create accounts; each new one's initial password is printed once."""
    from workbench import annotators as annotators_lib
    from workbench.labelstudio.connect import connect

    added = annotators_lib.add(state.settings, connect(state.settings), list(emails))
    if as_json:
        render.emit_json([{**render.to_jsonable(a), "password": a.password} for a in added])
        return
    for a in added:
        if not a.created:
            click.echo(f"{a.email}: exists (user {a.user_id})")
        elif a.password:
            click.echo(f"{a.email}: created (user {a.user_id}), password {a.password}")
        else:
            click.echo(f"{a.email}: created (user {a.user_id}); set a password in Label Studio")
    click.echo(f"log in at {state.settings.label_studio_url}")


@annotators.command("list")
@json_option
@pass_state
def annotators_list(state: State, as_json: bool) -> None:
    """Label Studio's users."""
    from workbench import annotators as annotators_lib
    from workbench.labelstudio.connect import connect

    users = annotators_lib.list_all(connect(state.settings))
    if as_json:
        render.emit_json([{"id": i, "email": e} for i, e in users])
    else:
        render.table(["id", "email"], users)


@cli.command()
@click.option("--dataset", help="Dataset name [env WORKBENCH_DATASET; default news].")
@click.option(
    "--annotators",
    "overlap",
    type=click.IntRange(min=1),
    help="Annotators per segment (Label Studio's maximum_annotations) [default 3].",
)
@click.option(
    "--schema",
    "schema_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Schema file [env WORKBENCH_SCHEMA].",
)
@click.option("--batch-size", type=click.IntRange(1, 5000), default=250, show_default=True)
@click.option("--dry-run", is_flag=True, help="Say what would happen; change nothing.")
@click.option("--force", is_flag=True, help="Update the label config even if it orphans labels.")
@click.option(
    "--no-suggestions",
    is_flag=True,
    help="Send no suggestions (the rules' attribution spans, as Label Studio predictions).",
)
@json_option
@pass_state
def push(
    state: State,
    dataset: str | None,
    overlap: int | None,
    schema_file: Path | None,
    batch_size: int,
    dry_run: bool,
    force: bool,
    no_suggestions: bool,
    as_json: bool,
) -> None:
    """Create/update the Label Studio project and import every segment not yet pushed."""
    from workbench import push as push_lib
    from workbench.labelstudio.connect import connect

    report = push_lib.push(
        state.settings,
        state.store,
        _load_schema(schema_file, state),
        connect(state.settings),
        dataset=dataset,
        annotators=overlap,
        batch_size=batch_size,
        dry_run=dry_run,
        force=force,
        suggestions=not no_suggestions,
        progress=render.BarProgress(),
    )
    if as_json:
        render.emit_json({**render.to_jsonable(report), "project_url": report.project_url})
        return
    for line in push_describe(report):
        click.echo(line)


def push_describe(report: Any) -> list[str]:
    verb = "would import" if report.dry_run else "imported"
    project = {
        "create": "created",
        "adopt": "adopted",
        "update": "updated",
        "unchanged": "unchanged",
    }[report.project]
    if report.dry_run:
        project = f"would be {project}"
    lines = [
        f"dataset {report.dataset}: project {report.project_id or '(new)'} {project}, "
        f"schema {report.schema_id} {report.schema_version}, {report.annotators} annotators "
        "per segment",
        f"{report.segments} segments: {report.already_pushed} already in Label Studio, "
        f"{verb} {report.imported}"
        + (f", recovered {report.recovered} from an interrupted push" if report.recovered else "")
        + (
            f" ({report.deleted_on_server} deleted in Label Studio, left deleted)"
            if report.deleted_on_server
            else ""
        )
        + (f", {report.suggested} with suggestions" if report.suggested else ""),
    ]
    if report.forced_orphans:
        lines.append(
            "forced: annotations now use labels the schema dropped: "
            + ", ".join(report.forced_orphans)
        )
    if report.project_url:
        lines.append(f"label at {report.project_url}")
    return lines


@cli.command("suggest")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
def suggest_cmd(file: Path, as_json: bool) -> None:
    """Print the suggested attribution spans for each segment of a text file (no store)."""
    from workbench.predictions import suggest_file

    paragraphs = suggest_file(file)
    if as_json:
        render.emit_json([render.suggestions_json(p) for p in paragraphs])
        return
    for line in render.suggestions_lines(paragraphs):
        click.echo(line)


# -- pull -------------------------------------------------------------------------------------


@cli.command("pull")
@click.option("--dataset", help="Dataset name [env WORKBENCH_DATASET; default news].")
@click.option("--full", is_flag=True, help="Re-read every task and look for deleted tasks.")
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Load a Label Studio JSON export instead of asking the server.",
)
@click.option(
    "--project",
    type=int,
    help="Link the dataset to this existing Label Studio project first (a team's own).",
)
@click.option(
    "--schema",
    "schema_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Schema of a new dataset (default: the configured one; see `schema import`).",
)
@json_option
@pass_state
def pull_cmd(
    state: State,
    dataset: str | None,
    full: bool,
    from_file: Path | None,
    project: int | None,
    schema_file: Path | None,
    as_json: bool,
) -> None:
    """Fetch annotations from Label Studio into the store (incremental; validated)."""
    from workbench import pull as pull_lib

    schema_ = _load_schema(schema_file, state) if schema_file else None
    if from_file is not None and project is not None:
        raise click.UsageError("--project reads the server; it does not go with --from-file")

    if from_file is not None:
        if full:
            raise click.UsageError("--full reads the server; it does not go with --from-file")
        with state.dataset_lock(dataset, "pull"):
            report = pull_lib.pull_from_file(
                state.settings,
                state.store,
                from_file,
                dataset=dataset,
                schema=schema_,
                progress=render.BarProgress(),
            )
    else:
        from workbench.labelstudio.connect import connect

        client = connect(state.settings)
        with state.dataset_lock(dataset, "pull"):
            report = pull_lib.pull(
                state.settings,
                state.store,
                client,
                dataset=dataset,
                full=full,
                schema=schema_,
                project=project,
                progress=render.BarProgress(),
            )
    for reason in report.skipped:
        render.warn(f"skipped: {reason}")
    if as_json:
        render.emit_json(report)
    else:
        for line in pull_describe(report):
            click.echo(line)
    if report.skipped:
        raise PartialFailure(f"{len(report.skipped)} items could not be read (listed above)")


def pull_describe(report: Any) -> list[str]:
    how = "full" if report.full else "incremental"
    lines = [
        f"dataset {report.dataset}: {how} pull from {report.source}, {report.tasks_read} tasks "
        f"read" + (f" ({report.tasks_created} new to the store)" if report.tasks_created else ""),
        f"annotations: {report.annotations_new} new, {report.annotations_revised} revised, "
        f"{report.annotations_deleted} deleted, {report.annotations_unchanged} unchanged"
        + (f"; {report.tasks_deleted} tasks deleted" if report.tasks_deleted else ""),
    ]
    if getattr(report, "feedback_written", 0):
        lines.append(
            f"feedback: messages about problems written to {report.feedback_written} tasks"
            " (shown to their annotators in Label Studio)"
        )
    if report.repaired or report.kept_unknown:
        lines.append(
            f"repaired {report.repaired} (Label Studio quirks, recorded), kept"
            f" {report.kept_unknown} with controls the schema does not know"
            " (see `workbench problems --repaired`)"
        )
    if report.predictions_changed or report.predictions_deleted:
        lines.append(
            f"predictions: {report.predictions_changed} new or changed, "
            f"{report.predictions_deleted} deleted"
        )
    if report.quarantined:
        lines.append(f"quarantined {len(report.quarantined)} (see `workbench problems`):")
        for q in report.quarantined[:20]:
            more = f" (+{len(q.problems) - 1} more)" if len(q.problems) > 1 else ""
            lines.append(
                f"  task {q.ls_task_id} annotation {q.ls_annotation_id} "
                f"({q.annotator or 'unknown'}): {q.problems[0]}{more}"
            )
        if len(report.quarantined) > 20:
            lines.append(f"  … and {len(report.quarantined) - 20} more")
    return lines


@cli.command("problems")
@click.option("--dataset", help="Only this dataset.")
@click.option("--repaired", is_flag=True, help="Also the annotations repaired on pull, and how.")
@click.option("--annotator", help="Only this annotator's (email or pseudonym).")
@json_option
@pass_state
def problems_cmd(
    state: State, dataset: str | None, repaired: bool, annotator: str | None, as_json: bool
) -> None:
    """Quarantined annotations: what is wrong with each (left out of reconcile)."""
    from workbench import status as status_lib

    rows = status_lib.problems(state.store, dataset, repaired=repaired, annotator=annotator)
    if as_json:
        render.emit_json(rows)
        return
    render.table(
        ["dataset", "task", "annotation", "rev", "annotator", "kind", "problems"],
        [
            (
                r.dataset,
                r.ls_task_id,
                r.ls_annotation_id,
                r.revision,
                r.annotator,
                r.kind,
                "; ".join(r.problems),
            )
            for r in rows
        ],
    )
    quarantined = sum(r.kind == "quarantined" for r in rows)
    fixed = f", {len(rows) - quarantined} repaired" if repaired else ""
    click.echo(f"{quarantined} quarantined annotations{fixed}")


@cli.command("status")
@click.option("--dataset", help="Only this dataset.")
@json_option
@pass_state
def status_cmd(state: State, dataset: str | None, as_json: bool) -> None:
    """Annotation progress per dataset: coverage against the overlap target, per annotator."""
    from workbench import status as status_lib

    report = status_lib.status(state.store, dataset)
    if as_json:
        render.emit_json(report)
        return
    if not report:
        click.echo("no datasets yet: run `workbench push` or `workbench pull --from-file`")
    for ds in report:
        where = f"project {ds.project_id}" if ds.project_id else "no project (from a file)"
        click.echo(
            f"dataset {ds.dataset} ({where}): {ds.segments} segments, {ds.tasks_pushed} tasks"
            f" pushed, target {ds.overlap} annotations per task, {ds.complete_tasks} complete"
        )
        click.echo(
            f"  {ds.annotations} annotations ({ds.repaired} repaired, {ds.gold} ground truth),"
            f" {ds.skipped} skipped, {ds.quarantined} quarantined, {ds.superseded} superseded;"
            f" last pull {ds.last_pull_at or 'never'}"
        )
        render.table(
            ["annotations per task", "tasks"],
            list(ds.annotations_per_task.items()),
        )
        if not ds.annotators:
            click.echo("  no annotations pulled yet (`workbench pull`)")
            continue
        render.table(
            [
                "annotator",
                "email",
                "annotations",
                "repaired",
                "skipped",
                "quarantined",
                "superseded",
                "median lead s",
            ],
            [
                (
                    a.pseudonym,
                    a.email,
                    a.annotations,
                    a.repaired,
                    a.skipped,
                    a.quarantined,
                    a.superseded,
                    None if a.median_lead_time is None else f"{a.median_lead_time:.1f}",
                )
                for a in ds.annotators
            ],
        )


# -- reconcile: agreement, consensus, adjudication ----------------------------------------------


def _min_support(_ctx: click.Context, _param: click.Parameter, value: str) -> int | float:
    from workbench.reconcile.save import parse_min_support

    return parse_min_support(value)


dataset_option = click.option(
    "--dataset", metavar="NAME", help="The dataset [env WORKBENCH_DATASET; default news]."
)


@cli.command("agreement")
@click.argument("labels_file", required=False, type=click.Path(path_type=Path))
@dataset_option
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report with plots.",
)
@click.option("--n-boot", default=1000, show_default=True, help="Bootstrap replicates.")
@click.option("--seed", default=0, show_default=True, help="Bootstrap seed.")
@json_option
@pass_state
def agreement_cmd(
    state: State,
    labels_file: Path | None,
    dataset: str | None,
    html_path: Path | None,
    n_boot: int,
    seed: int,
    as_json: bool,
) -> None:
    """Inter-annotator agreement on every layer of a dataset, or of LABELS_FILE.

    \b
    LABELS_FILE: CSV or JSONL with columns item, annotator, label (and optionally field),
    for labels made outside Label Studio.
    """
    from workbench.reconcile import commands, report

    result = commands.agreement(
        state.settings,
        None if labels_file else state.store,
        dataset=dataset,
        labels_file=labels_file,
        n_boot=n_boot,
        seed=seed,
    )
    if html_path is not None:
        report.write_html(result, html_path)
    if as_json:
        render.emit_json(report.agreement_json(result))
    else:
        report.print_agreement(result)
        if html_path is not None:
            click.echo(f"report written to {html_path}")


@cli.command("reconcile")
@dataset_option
@click.option(
    "--labels",
    "labels_file",
    type=click.Path(path_type=Path),
    help="Consensus of a CSV/JSONL labels file instead of the store (printed, not stored).",
)
@click.option(
    "--method",
    type=click.Choice(["vote", "dawid-skene"]),
    help="Consensus of categorical layers [default: vote; both for --labels].",
)
@click.option(
    "--min-support",
    default="0.5",
    show_default=True,
    callback=_min_support,
    help="Votes a label or span needs: a count (2) or a share of the annotators (0.5, 2/3).",
)
@json_option
@pass_state
def reconcile_cmd(
    state: State,
    dataset: str | None,
    labels_file: Path | None,
    method: str | None,
    min_support: int | float,
    as_json: bool,
) -> None:
    """Consensus of every layer; only segments whose annotations changed are recomputed."""
    from workbench.reconcile import commands, report

    if labels_file is not None:
        result = commands.reconcile(
            state.settings,
            None,
            labels_file=labels_file,
            method=method,  # type: ignore[arg-type]
            min_support=min_support,
        )
    else:
        with state.dataset_lock(dataset, "reconcile"):
            result = commands.reconcile(
                state.settings,
                state.store,
                dataset=dataset,
                method=method,  # type: ignore[arg-type]
                min_support=min_support,
            )
    if as_json:
        render.emit_json(result)
    else:
        report.print_reconcile(result)


@cli.command("disagreements")
@dataset_option
@json_option
@pass_state
def disagreements_cmd(state: State, dataset: str | None, as_json: bool) -> None:
    """What consensus left undecided, with each annotator's version (run reconcile first)."""
    from workbench.reconcile import commands

    items = commands.disagreements(state.settings, state.store, dataset=dataset)
    if as_json:
        render.emit_json(commands.as_rows(items))
        return
    annotators = sorted({a for d in items for a in d.versions})
    render.table(
        ["segment", "layer", "field", "span / text", "why", *annotators],
        [
            (
                d.segment_id[:12],
                d.layer,
                d.field,
                d.text or d.key,
                d.reason,
                *(d.versions.get(a, "") for a in annotators),
            )
            for d in items
        ],
        title=f"{len(items)} disagreements",
    )


@cli.group()
def adjudicate() -> None:
    """Settle disagreements in Label Studio: each annotator's version is a prediction."""


@adjudicate.command("push")
@dataset_option
@json_option
@pass_state
def adjudicate_push(state: State, dataset: str | None, as_json: bool) -> None:
    """Send undecided segments to the "<dataset> adjudication" project."""
    from workbench.reconcile import adjudicate as adj

    with state.dataset_lock(dataset, "adjudicate push"):
        report = adj.push(state.settings, state.store, dataset=dataset)
    if as_json:
        render.emit_json(report)
        return
    click.echo(
        f"{report.pushed} segments sent, {report.replaced} replaced (annotations changed), "
        f"{report.unchanged} already waiting: {report.project_url}"
    )


@adjudicate.command("pull")
@dataset_option
@json_option
@pass_state
def adjudicate_pull(state: State, dataset: str | None, as_json: bool) -> None:
    """Bring adjudicators' decisions back; they override the consensus of their segment."""
    from workbench.reconcile import adjudicate as adj
    from workbench.reconcile import report as rreport

    with state.dataset_lock(dataset, "adjudicate pull"):
        report = adj.pull(state.settings, state.store, dataset=dataset)
    for problem in report.problems:
        render.error(problem)
    if as_json:
        render.emit_json(report)
    else:
        click.echo(
            f"{report.decisions} decisions ({report.new} new, {report.updated} updated, "
            f"{report.removed} removed)"
        )
        if report.reconcile is not None:
            rreport.print_reconcile(report.reconcile)
    if report.problems:
        raise PartialFailure(f"{len(report.problems)} decisions do not fit the schema")


# -- export -----------------------------------------------------------------------------------


class _ExportGroup(click.Group):
    """`workbench export DATASET` makes a release; `export verify|diff` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["create", *args]
        return super().parse_args(ctx, args)


@cli.group("export", cls=_ExportGroup)
def export_group() -> None:
    """Versioned, immutable releases: `export [DATASET]`, `export verify`, `export diff`."""


@export_group.command("create")
@click.argument("dataset", required=False)
@click.option(
    "--split",
    "split_ratios",
    metavar="TRAIN,DEV,TEST",
    default="0.8,0.1,0.1",
    show_default=True,
    help="Ratios for articles not yet assigned to a split (assigned ones never move).",
)
@click.option("--force", is_flag=True, help="Make a new version even if nothing changed.")
@click.option("--schema", "schema_file", type=click.Path(path_type=Path), help="Schema file.")
@json_option
@pass_state
def export_create(
    state: State,
    dataset: str | None,
    split_ratios: str,
    force: bool,
    schema_file: Path | None,
    as_json: bool,
) -> None:
    """Write the next release of DATASET to exports/<dataset>/vNNNN/ (never overwritten)."""
    from workbench import export
    from workbench.datasets import dataset_schema

    ratios = export.parse_ratios(split_ratios)
    name = dataset or state.settings.dataset
    schema_ = (
        _load_schema(schema_file, state)
        if schema_file
        else dataset_schema(state.settings, state.store, name)
    )
    with state.dataset_lock(name, "export"):
        result = export.export_dataset(
            state.store, state.settings.exports_dir, name, schema_, ratios=ratios, force=force
        )
    if as_json:
        render.emit_json(result)
    elif result.status == "unchanged":
        click.echo(f"{result.dataset}: nothing changed since {result.version}; no new version")
    else:
        c = result.counts
        click.echo(
            f"{result.dataset} {result.version} written to {result.path}: {c['segments']} "
            f"segments, {c['spans']} spans, {c['annotations']} annotations by "
            f"{c['annotators']} annotators"
        )
        if result.diff is not None and result.parent is not None:
            changes = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result.diff.items() if v)
            click.echo(f"against {result.parent}: {changes or 'no changes'}")


@export_group.command("verify")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@json_option
def export_verify(path: Path, as_json: bool) -> None:
    """Recompute the checksums of the release at PATH; name every changed/missing/extra file."""
    from workbench import export

    report = export.verify_release(path)
    if as_json:
        render.emit_json({**render.to_jsonable(report), "ok": report.ok})
    else:
        for what, names in (
            ("changed", report.changed),
            ("missing", report.missing),
            ("extra", report.extra),
        ):
            for name in names:
                click.echo(f"{what}: {name}")
        if report.ok:
            click.echo(f"{path}: {report.checked} files match the manifest")
    if not report.ok:
        bad = len(report.changed) + len(report.missing) + len(report.extra)
        raise export.ReleaseError(f"{path}: {bad} files do not match the manifest")


@export_group.command("diff")
@click.argument("dataset")
@click.argument("old")
@click.argument("new")
@json_option
@pass_state
def export_diff(state: State, dataset: str, old: str, new: str, as_json: bool) -> None:
    """What changed in DATASET from release OLD to release NEW (e.g. v0001 v0002)."""
    from workbench import export

    diff = export.diff_releases(state.settings.exports_dir, dataset, old, new)
    if as_json:
        render.emit_json(diff)
        return
    click.echo(f"{dataset} {diff['parent']} → {diff['version']}")
    for key, value in diff["summary"].items():
        click.echo(f"  {key.replace('_', ' ')}: {value}")
    for change in diff["labels_changed"]:
        click.echo(f"  {change['segment_id']} {change['field']}: {change['old']} → {change['new']}")


@cli.command("releases")
@click.argument("dataset", required=False)
@json_option
@pass_state
def releases_cmd(state: State, dataset: str | None, as_json: bool) -> None:
    """List the releases of DATASET with counts and agreement."""
    from workbench import export
    from workbench.export.summary import headline_text

    rows = export.list_releases(state.store, dataset or state.settings.dataset)
    if as_json:
        render.emit_json(rows)
        return
    render.table(
        [
            "version",
            "parent",
            "created",
            "segments",
            "annotations",
            "annotators",
            "spans",
            "agreement",
            "path",
        ],
        [
            (
                r.version,
                r.parent,
                r.created_at.isoformat(timespec="seconds"),
                r.segments,
                r.annotations,
                r.annotators,
                r.spans,
                headline_text(r.agreement),
                r.path,
            )
            for r in rows
        ],
    )


def _first_line(text: str, limit: int = 300) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def main(argv: list[str] | None = None) -> Any:
    """Entry point: user errors become one line on stderr and a documented exit code.

    Anything else is a bug: one line naming the exception (exit 1), its traceback only with
    `--verbose`. Every line and traceback is scrubbed of the configured secrets first.
    """
    try:
        return cli.main(args=argv, prog_name="workbench", standalone_mode=False)
    except click.exceptions.Abort:
        render.error("aborted")
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
