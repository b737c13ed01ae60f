"""The `workbench` command line. Each command parses, calls one library function, renders
(`workbench.render`). No logic and no locks here: the library takes the dataset lock itself.

Errors the user can act on (`WorkbenchError`) become one line and an exit code in `main`, and
nowhere else.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import sqlalchemy.exc

from workbench import __version__, corpus, render
from workbench import logging as wb_logging
from workbench.config import Settings, load_settings
from workbench.errors import PartialFailure, StoreError, WorkbenchError
from workbench.store import Store, open_store

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
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.resolved_database_url)
        return self._store

    @property
    def client(self) -> LabelStudioClient:
        from workbench.labelstudio.connect import connect

        return connect(self.settings)

    def schema(self, path: Path | None = None) -> Schema:
        from workbench.schema import load_schema

        return load_schema(path or self.settings.schema_path)


pass_state = click.make_pass_decorator(State)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
dataset_option = click.option(
    "--dataset", metavar="NAME", help="The dataset [env WORKBENCH_DATASET; default news]."
)
workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    envvar="WORKBENCH_WORKERS",
    help="Processes for the text work (same result with any number) [env WORKBENCH_WORKERS].",
)
schema_path_arg = click.argument(
    "path", required=False, type=click.Path(dir_okay=False, path_type=Path)
)


def schema_option(help: str) -> Callable[[FC], FC]:
    return click.option(
        "--schema", "schema_file", type=click.Path(dir_okay=False, path_type=Path), help=help
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
    ctx.obj = State(load_settings({"database_url": database_url, "home": home}))


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
    from workbench.store import db as store_db

    url = state.settings.resolved_database_url
    before, after = store_db.upgrade(store_db.create_store_engine(url))
    if before == after:
        click.echo(f"store is up to date (revision {after})")
    else:
        click.echo(f"store upgraded from {before or 'empty'} to revision {after}")


@db.command("status")
@json_option
@pass_state
def db_status(state: State, as_json: bool) -> None:
    """Where the store is and which revision it has."""
    from workbench.store import db as store_db

    info = store_db.describe(state.settings.resolved_database_url)
    render.show(info, as_json, lambda i: [f"{k}: {v or '-'}" for k, v in i.items()])


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
    render.show(report.results, as_json, lambda _: render.ingest_text(report))
    if report.errors:
        raise PartialFailure(f"{len(report.errors)} of {len(report.results)} files failed")


unit_choice = click.Choice(["paragraph", "sentence", "article"])


@cli.command("segment")
@click.option("--unit", type=unit_choice, default="paragraph", show_default=True)
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
def segment_cmd(state: State, /, as_json: bool, **options: Any) -> None:
    """Split the current articles into segments (idempotent)."""
    results = corpus.segment(state.store, progress=render.BarProgress(), **options)
    render.show(results, as_json, render.segment_text)


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
        render.show(removed, as_json, render.removed_paragraphs)
    else:
        render.show(corpus.list_articles(state.store, all_revisions), as_json, render.articles_text)


@cli.command()
@click.option("--article", "article_id", metavar="ID", help="Only this article (id prefix).")
@click.option("--unit", type=unit_choice)
@json_option
@pass_state
def segments(state: State, article_id: str | None, unit: str | None, as_json: bool) -> None:
    """List the segments in the store."""
    rows = corpus.list_segments(state.store, article_id, unit)
    render.show(rows, as_json, render.segments_text)


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
        state.settings, state.store, seeds, render.BarProgress(), start_server=not no_server
    )
    data = {k: v for k, v in render.to_jsonable(summary).items() if k != "admin_password"}
    render.show(data, as_json, lambda _: pipeline.describe(summary))
    if summary.errors and not as_json:
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
    started = "already running" if info.already_running else f"started (pid {info.pid})"
    fields = ("url", "admin_email", "pid", "already_running", "database")
    render.show(render.pick(info, *fields), as_json, lambda _: [started, *info.login_lines()])


@server.command("status")
@json_option
@pass_state
def server_status(state: State, as_json: bool) -> None:
    """Is the local Label Studio up? (exit 1 when it is not)"""
    from workbench.labelstudio import local

    status = local.status(state.settings)
    health = "healthy" if status.healthy else "not answering"
    line = f"running (pid {status.pid}) at {status.url}, {health}"
    data = render.pick(status, "running", "healthy", "url", "pid")
    render.show(data, as_json, lambda _: [line if status.running else "not running"])
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


@schema.command("validate")
@schema_path_arg
@pass_state
def schema_validate(state: State, path: Path | None) -> None:
    """Check a schema file (default: the configured one)."""
    s = state.schema(path)
    click.echo(f"{s.source}: valid — {render.schema_summary(s)}")


@schema.command("show")
@schema_path_arg
@json_option
@pass_state
def schema_show(state: State, path: Path | None, as_json: bool) -> None:
    """The schema's labels, attributes, relations and hotkeys."""
    s = state.schema(path)
    data = {"id": s.id, "version": s.version, **s.to_dict()} if as_json else s
    render.show(data, as_json, render.schema_text)


@schema.command("xml")
@schema_path_arg
@pass_state
def schema_xml(state: State, path: Path | None) -> None:
    """The Label Studio labeling config generated from the schema."""
    click.echo(state.schema(path).to_label_config())


@schema.command("import")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--project", type=int, help="Read the label config of this Label Studio project.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--id", "schema_id", help="Schema id [default: from the file or project name].")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@json_option
@pass_state
def schema_import(state: State, /, output: Path | None, as_json: bool, **options: Any) -> None:
    """A schema YAML from a Label Studio label config (CONFIG.xml, or --project ID).

    What the schema cannot hold is named on stderr, one line each."""
    from workbench.schema.fetch import import_schema

    if (options["config"] is None) == (options["project"] is None):
        raise click.UsageError("give CONFIG.xml or --project ID (one of them)")
    client = None if options["project"] is None else state.client
    imported = import_schema(client=client, output=output, **options)
    for note in imported.notes:
        render.warn(f"not kept: {note}")
    s, notes, yaml = imported.schema, list(imported.notes), imported.yaml
    not_kept = f"; {len(notes)} not kept (named above)" if notes else ""
    text = f"{output}: {render.schema_summary(s)}{not_kept}" if output else yaml.removesuffix("\n")
    data = {"id": s.id, "version": s.version, "output": output and str(output)}
    render.show({**data, "yaml": yaml, "notes": notes}, as_json, lambda _: [text])


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

    added = annotators_lib.add(state.settings, state.client, list(emails))
    data = [{**render.to_jsonable(a), "password": a.password} for a in added]
    login = f"log in at {state.settings.label_studio_url}"
    render.show(data, as_json, lambda _: [*render.annotators_text(added), login])


@annotators.command("list")
@json_option
@pass_state
def annotators_list(state: State, as_json: bool) -> None:
    """Label Studio's users."""
    from workbench import annotators as annotators_lib

    users = annotators_lib.list_all(state.client)
    data = [{"id": i, "email": e} for i, e in users]
    render.show(data, as_json, lambda _: render.table(["id", "email"], users))


@cli.command()
@dataset_option
@click.option(
    "--annotators",
    type=click.IntRange(min=1),
    help="Annotators per segment (Label Studio's maximum_annotations) [default 3].",
)
@schema_option("Schema file [env WORKBENCH_SCHEMA].")
@click.option("--batch-size", type=click.IntRange(1, 5000), default=250, show_default=True)
@click.option("--dry-run", is_flag=True, help="Say what would happen; change nothing.")
@click.option("--force", is_flag=True, help="Update the label config even if it orphans labels.")
@click.option(
    "--no-suggestions",
    "suggestions",
    flag_value=False,
    default=True,
    help="Send no suggestions (the rules' attribution spans, as Label Studio predictions).",
)
@json_option
@pass_state
def push(state: State, /, schema_file: Path | None, as_json: bool, **options: Any) -> None:
    """Create/update the Label Studio project and import every segment not yet pushed."""
    from workbench import push as push_lib

    schema_, progress = state.schema(schema_file), render.BarProgress()
    report = push_lib.push(
        state.settings, state.store, schema_, state.client, progress=progress, **options
    )
    data = {**render.to_jsonable(report), "project_url": report.project_url}
    render.show(data, as_json, lambda _: render.push_text(report))


@cli.command("suggest")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
def suggest_cmd(file: Path, as_json: bool) -> None:
    """Print the suggested attribution spans for each segment of a text file (no store)."""
    from workbench.predictions import suggest_file

    paragraphs = suggest_file(file)
    data = [render.suggestions_json(p) for p in paragraphs]
    render.show(data, as_json, lambda _: render.suggestions_lines(paragraphs))


# -- pull -------------------------------------------------------------------------------------


@cli.command("pull")
@dataset_option
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
@schema_option("Schema of a new dataset (default: the configured one; see `schema import`).")
@json_option
@pass_state
def pull_cmd(
    state: State, /, from_file: Path | None, schema_file: Path | None, as_json: bool, **options: Any
) -> None:
    """Fetch annotations from Label Studio into the store (incremental; validated)."""
    from workbench import pull as pull_lib
    from workbench import pull_file

    options.update(schema=state.schema(schema_file) if schema_file else None)
    options.update(progress=render.BarProgress())
    if from_file is None:
        report = pull_lib.pull(state.settings, state.store, state.client, **options)
    else:
        project, full = options.pop("project"), options.pop("full")
        if project is not None or full:
            flag = "--project" if project is not None else "--full"
            raise click.UsageError(f"{flag} reads the server; it does not go with --from-file")
        report = pull_file.pull_from_file(state.settings, state.store, from_file, **options)
    for reason in report.skipped:
        render.warn(f"skipped: {reason}")
    render.show(report, as_json, render.pull_text)
    if report.skipped:
        raise PartialFailure(f"{len(report.skipped)} items could not be read (listed above)")


@cli.command("problems")
@click.option("--dataset", help="Only this dataset.")
@click.option("--repaired", is_flag=True, help="Also the annotations repaired on pull, and how.")
@click.option("--annotator", help="Only this annotator's (email or pseudonym).")
@json_option
@pass_state
def problems_cmd(state: State, /, as_json: bool, **options: Any) -> None:
    """Quarantined annotations: what is wrong with each (left out of reconcile)."""
    from workbench import status as status_lib

    rows = status_lib.problems(state.store, **options)
    render.show(rows, as_json, lambda _: render.problems_text(rows, options["repaired"]))


@cli.command("status")
@click.option("--dataset", help="Only this dataset.")
@json_option
@pass_state
def status_cmd(state: State, dataset: str | None, as_json: bool) -> None:
    """Annotation progress per dataset: coverage against the overlap target, per annotator."""
    from workbench import status as status_lib

    render.show(status_lib.status(state.store, dataset), as_json, render.status_text)


# -- reconcile: agreement, consensus, adjudication ----------------------------------------------


def _min_support(_ctx: click.Context, _param: click.Parameter, value: str) -> int | float:
    from workbench.reconcile.store import parse_min_support

    return parse_min_support(value)


labels_path = click.Path(path_type=Path)
html_path = click.Path(dir_okay=False, path_type=Path)


@cli.command("agreement")
@click.argument("labels_file", required=False, type=labels_path)
@dataset_option
@click.option("--html", "html_path", type=html_path, help="Also write an HTML report with plots.")
@click.option("--n-boot", default=1000, show_default=True, help="Bootstrap replicates.")
@click.option("--seed", default=0, show_default=True, help="Bootstrap seed.")
@json_option
@pass_state
def agreement_cmd(state: State, /, html_path: Path | None, as_json: bool, **options: Any) -> None:
    """Inter-annotator agreement on every layer of a dataset, or of LABELS_FILE.

    \b
    LABELS_FILE: CSV or JSONL with columns item, annotator, label (and optionally field),
    for labels made outside Label Studio.
    """
    from workbench.reconcile import commands, report

    store = None if options["labels_file"] else state.store
    result = commands.agreement(state.settings, store, **options)
    if html_path is not None:
        report.write_html(result, html_path)
    if as_json:
        render.emit_json(report.agreement_json(result))
        return
    report.print_agreement(result)
    if html_path is not None:
        click.echo(f"report written to {html_path}")


@cli.command("reconcile")
@dataset_option
@click.option(
    "--labels",
    "labels_file",
    type=labels_path,
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
def reconcile_cmd(state: State, /, as_json: bool, **options: Any) -> None:
    """Consensus of every layer; only segments whose annotations changed are recomputed."""
    from workbench.reconcile import commands, report

    store = None if options["labels_file"] else state.store
    result = commands.reconcile(state.settings, store, **options)
    render.show(result, as_json, report.print_reconcile)


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
    else:
        render.disagreements_text(items)


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

    report = adj.push(state.settings, state.store, dataset=dataset)
    line = (
        f"{report.pushed} segments sent, {report.replaced} replaced (annotations changed), "
        f"{report.unchanged} already waiting: {report.project_url}"
    )
    render.show(report, as_json, lambda _: [line])


@adjudicate.command("pull")
@dataset_option
@json_option
@pass_state
def adjudicate_pull(state: State, dataset: str | None, as_json: bool) -> None:
    """Bring adjudicators' decisions back; they override the consensus of their segment."""
    from workbench.reconcile import adjudicate as adj
    from workbench.reconcile.report import print_reconcile

    report = adj.pull(state.settings, state.store, dataset=dataset)
    for problem in report.problems:
        render.error(problem)

    def text(r: adj.AdjudicationPullReport) -> None:
        click.echo(
            f"{r.decisions} decisions ({r.new} new, {r.updated} updated, {r.removed} removed)"
        )
        if r.reconcile is not None:
            print_reconcile(r.reconcile)

    render.show(report, as_json, text)
    if report.problems:
        raise PartialFailure(f"{len(report.problems)} decisions do not fit the schema")


# -- export -----------------------------------------------------------------------------------


def parse_ratios(value: str) -> tuple[float, float, float]:
    from workbench.export.splits import parse_ratios

    return parse_ratios(value)


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
    "ratios",
    callback=lambda _ctx, _param, value: parse_ratios(value),
    metavar="TRAIN,DEV,TEST",
    default="0.8,0.1,0.1",
    show_default=True,
    help="Ratios for articles not yet assigned to a split (assigned ones never move).",
)
@click.option("--force", is_flag=True, help="Make a new version even if nothing changed.")
@schema_option("Schema file.")
@json_option
@pass_state
def export_create(
    state: State, /, dataset: str | None, schema_file: Path | None, as_json: bool, **options: Any
) -> None:
    """Write the next release of DATASET to exports/<dataset>/vNNNN/ (never overwritten)."""
    from workbench import export
    from workbench.datasets import dataset_schema

    name = dataset or state.settings.dataset
    s = (
        state.schema(schema_file)
        if schema_file
        else dataset_schema(state.settings, state.store, name)
    )
    exports = state.settings.exports_dir
    result = export.export_dataset(state.store, exports, name, s, **options)
    render.show(result, as_json, render.export_text)


@export_group.command("verify")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@json_option
def export_verify(path: Path, as_json: bool) -> None:
    """Recompute the checksums of the release at PATH; name every changed/missing/extra file."""
    from workbench import export

    report = export.verify_release(path)
    data = {**render.to_jsonable(report), "ok": report.ok}
    render.show(data, as_json, lambda _: render.verify_text(report, path))
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
    render.show(diff, as_json, lambda d: render.diff_text(dataset, d))


@cli.command("releases")
@click.argument("dataset", required=False)
@json_option
@pass_state
def releases_cmd(state: State, dataset: str | None, as_json: bool) -> None:
    """List the releases of DATASET with counts and agreement."""
    from workbench import export
    from workbench.export.summary import headline_text

    rows = export.list_releases(state.store, dataset or state.settings.dataset)
    render.show(rows, as_json, lambda r: render.releases_text(r, headline_text))


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
