"""Commands that talk to Label Studio: server, schema, annotators, push, pull; and the
progress and problems of what was pulled."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from workbench import render
from workbench import status as status_lib
from workbench.cli.base import FILE, State, cli, command, schema_option
from workbench.errors import PartialFailure
from workbench.schema import label_config

schema_path_arg = click.argument("path", required=False, type=FILE)


@cli.group()
def server() -> None:
    """The local Label Studio server (the embedded default)."""


@command(server, "start")
@click.option("--port", type=click.IntRange(1, 65535), help="Port on 127.0.0.1 [default: free].")
@click.option(
    "--database",
    "database_url",
    metavar="URL",
    envvar="WORKBENCH_LABEL_STUDIO_DATABASE",
    help="Label Studio's own data on PostgreSQL (postgresql://user:pw@host:port/db) instead of "
    "SQLite; remembered for later starts [env WORKBENCH_LABEL_STUDIO_DATABASE].",
)
def server_start(state: State, port: int | None, database_url: str | None, as_json: bool) -> None:
    """Install (first time), start and wait for the local Label Studio; a no-op when it runs."""
    from workbench.labelstudio import local

    render.note("starting Label Studio (the first start on a machine installs it: a few minutes)…")
    info = local.start(state.settings, port=port, database_url=database_url)
    started = "already running" if info.already_running else f"started (pid {info.pid})"
    fields = render.pick(info, "url", "pid", "already_running", "database")
    fields["admin_email"] = info.username  # the JSON key scripts already read
    render.show(fields, as_json, lambda _: [started, *info.login_lines()])


@command(server, "status")
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


@command(server, "stop", json=False)
def server_stop(state: State) -> None:
    """Stop the local Label Studio (only the process workbench started)."""
    from workbench.labelstudio import local

    click.echo("stopped" if local.stop(state.settings) else "was not running")


@cli.group()
def schema() -> None:
    """The annotation schema: check it, show it, and the Label Studio XML made from it."""


@command(schema, "validate", json=False)
@schema_path_arg
def schema_validate(state: State, path: Path | None) -> None:
    """Check a schema file (default: the configured one)."""
    s = state.schema(path)
    click.echo(f"{s.source}: valid — {render.schema_summary(s)}")


@command(schema, "show")
@schema_path_arg
def schema_show(state: State, path: Path | None, as_json: bool) -> None:
    """The schema's labels, attributes, relations and hotkeys."""
    s = state.schema(path)
    data = {"id": s.id, "version": s.version, **s.to_dict()} if as_json else s
    render.show(data, as_json, render.schema_text)


@command(schema, "xml", json=False)
@schema_path_arg
def schema_xml(state: State, path: Path | None) -> None:
    """The Label Studio labeling config generated from the schema."""
    click.echo(label_config(state.schema(path)))


@command(schema, "import")
@click.argument("config", required=False, type=FILE)
@click.option("--project", type=int, help="Read the label config of this Label Studio project.")
@click.option("-o", "--output", type=FILE, help="Write here.")
@click.option("--id", "schema_id", help="Schema id [default: from the file or project name].")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
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


@command(annotators, "add")
@click.argument("emails", nargs=-1, required=True)
def annotators_add(state: State, emails: tuple[str, ...], as_json: bool) -> None:
    """Create accounts; each new one's initial password is printed once."""
    from workbench import annotators as annotators_lib

    added = annotators_lib.add(state.settings, state.client, list(emails))
    data = [{**render.to_jsonable(a), "password": a.password} for a in added]
    login = f"log in at {state.settings.label_studio_url}"
    render.show(data, as_json, lambda _: [*render.annotators_text(added), login])


@command(annotators, "list")
def annotators_list(state: State, as_json: bool) -> None:
    """Label Studio's users."""
    from workbench import annotators as annotators_lib

    users = annotators_lib.list_all(state.client)
    data = [{"id": i, "email": e} for i, e in users]
    render.show(data, as_json, lambda _: render.table(["id", "email"], users))


@command(cli, dataset=True)
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
def push(state: State, /, schema_file: Path | None, as_json: bool, **options: Any) -> None:
    """Create/update the Label Studio project and import every segment not yet pushed."""
    from workbench import push as push_lib

    schema_, progress = state.schema(schema_file), render.BarProgress()
    report = push_lib.push(
        state.settings, state.store, schema_, state.client, progress=progress, **options
    )
    data = {**render.to_jsonable(report), "project_url": report.project_url}
    render.show(data, as_json, lambda _: render.push_text(report))


@command(cli, "suggest", state=False)
@click.argument("file", type=FILE)
def suggest_cmd(file: Path, as_json: bool) -> None:
    """Print the suggested attribution spans for each segment of a text file (no store)."""
    from workbench.predictions import suggest_file

    paragraphs = suggest_file(file)
    data = [render.suggestions_json(p) for p in paragraphs]
    render.show(data, as_json, lambda _: render.suggestions_lines(paragraphs))


@command(cli, "pull", dataset=True)
@click.option("--full", is_flag=True, help="Re-read every task and look for deleted tasks.")
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(path_type=Path),
    help="Load a Label Studio JSON export (or a target storage's folder) instead of asking "
    "the server.",
)
@click.option(
    "--project",
    type=int,
    help="Link the dataset to this existing Label Studio project first (a team's own).",
)
@schema_option("Schema of a new dataset (default: the configured one; see `schema import`).")
def pull_cmd(
    state: State, /, from_file: Path | None, schema_file: Path | None, as_json: bool, **options: Any
) -> None:
    """Fetch annotations from Label Studio into the store (incremental; validated)."""
    from workbench import pull as pull_lib
    from workbench import pull_file

    options.update(schema=state.schema(schema_file) if schema_file else None)
    options.update(progress=render.BarProgress())
    # a team's project (--project) or an export file may start the store; a plain pull may not
    store = state.store if from_file is None and options["project"] is None else state.new_store
    if from_file is None:
        report = pull_lib.pull(state.settings, store, state.client, **options)
    else:
        project, full = options.pop("project"), options.pop("full")
        if project is not None or full:
            flag = "--project" if project is not None else "--full"
            raise click.UsageError(f"{flag} reads the server; it does not go with --from-file")
        report = pull_file.pull_from_file(state.settings, store, from_file, **options)
    for reason in report.skipped:
        render.warn(f"skipped: {reason}")
    render.show(report, as_json, render.pull_text)
    if report.skipped:
        raise PartialFailure(f"{len(report.skipped)} items could not be read (listed above)")


@command(cli, "problems")
@click.option("--dataset", help="Only this dataset.")
@click.option("--repaired", is_flag=True, help="Also the annotations repaired on pull, and how.")
@click.option("--annotator", help="Only this annotator's (email or pseudonym).")
def problems_cmd(state: State, /, as_json: bool, **options: Any) -> None:
    """Quarantined annotations: what is wrong with each (left out of reconcile)."""
    rows = status_lib.problems(state.store, **options)
    render.show(rows, as_json, lambda _: render.problems_text(rows, options["repaired"]))


@command(cli, "status")
@click.option("--dataset", help="Only this dataset.")
def status_cmd(state: State, dataset: str | None, as_json: bool) -> None:
    """Annotation progress per dataset: coverage against the overlap target, per annotator."""
    render.show(status_lib.status(state.store, dataset), as_json, render.status_text)
