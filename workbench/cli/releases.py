"""Commands from annotations to releases: agreement, reconcile, disagreements, adjudicate,
export, releases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from workbench import render
from workbench.cli.base import DIR, FILE, PATH, State, cli, command, schema_option
from workbench.errors import PartialFailure


def _min_support(_ctx: click.Context, _param: click.Parameter, value: str) -> int | float:
    from workbench.reconcile.save import parse_min_support

    return parse_min_support(value)


@command(cli, "agreement", dataset=True)
@click.argument("labels_file", required=False, type=PATH)
@click.option("--html", "html_path", type=FILE, help="Also write an HTML report with plots.")
@click.option("--n-boot", default=1000, show_default=True, help="Bootstrap replicates.")
@click.option("--seed", default=0, show_default=True, help="Bootstrap seed.")
def agreement_cmd(state: State, /, html_path: Path | None, as_json: bool, **options: Any) -> None:
    """Inter-annotator agreement on every layer of a dataset, or of LABELS_FILE.

    \b
    LABELS_FILE: CSV or JSONL with columns item, annotator, label (and optionally field),
    for labels made outside Label Studio.
    """
    from workbench.reconcile import commands, layers, report

    store = None if options["labels_file"] else state.store
    result = commands.agreement(state.settings, store, **options)
    if html_path is not None:
        report.write_html(result, html_path)
    if as_json:
        render.emit_json(layers.to_dict(result))
        return
    report.print_agreement(result)
    if html_path is not None:
        click.echo(f"report written to {html_path}")


@command(cli, "reconcile", dataset=True)
@click.option(
    "--labels",
    "labels_file",
    type=PATH,
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
def reconcile_cmd(state: State, /, as_json: bool, **options: Any) -> None:
    """Consensus of every layer; only segments whose annotations changed are recomputed."""
    from workbench.reconcile import commands, report

    store = None if options["labels_file"] else state.store
    result = commands.reconcile(state.settings, store, **options)
    render.show(result, as_json, report.print_reconcile)


@command(cli, "disagreements", dataset=True)
def disagreements_cmd(state: State, dataset: str | None, as_json: bool) -> None:
    """What consensus left undecided, with each annotator's version (run reconcile first)."""
    from workbench.reconcile import commands

    items = commands.disagreements(state.settings, state.store, dataset=dataset)
    if as_json:
        render.emit_json(items)  # each Disagreement as a JSON object
    else:
        render.disagreements_text(items)


@cli.group()
def adjudicate() -> None:
    """Settle disagreements in Label Studio: each annotator's version is a prediction."""


@command(adjudicate, "push", dataset=True)
def adjudicate_push(state: State, dataset: str | None, as_json: bool) -> None:
    """Send undecided segments to the "<dataset> adjudication" project."""
    from workbench.reconcile import adjudicate as adj

    report = adj.push(state.settings, state.store, dataset=dataset)
    line = (
        f"{report.pushed} segments sent, {report.replaced} replaced (annotations changed), "
        f"{report.unchanged} already waiting: {report.project_url}"
    )
    render.show(report, as_json, lambda _: [line])


@command(adjudicate, "pull", dataset=True)
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


def _ratios(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[float, ...]:
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


@command(export_group, "create")
@click.argument("dataset", required=False)
@click.option(
    "--split",
    "ratios",
    callback=_ratios,
    metavar="TRAIN,DEV,TEST",
    default="0.8,0.1,0.1",
    show_default=True,
    help="Ratios for articles not yet assigned to a split (assigned ones never move).",
)
@click.option(
    "--group-by",
    metavar="FIELD",
    envvar="WORKBENCH_GROUP_BY",
    help="Task data field that makes tasks imported one paragraph each one document for the "
    "splits (default: the last release's; '' for none).",
)
@click.option("--force", is_flag=True, help="Make a new version even if nothing changed.")
@schema_option("Schema file (default: the one stored with the dataset, which it must match).")
def export_create(
    state: State, /, dataset: str | None, schema_file: Path | None, as_json: bool, **options: Any
) -> None:
    """Write the next release of DATASET to exports/<dataset>/vNNNN/ (never overwritten)."""
    from workbench import export
    from workbench.datasets import dataset_schema

    name = dataset or state.settings.dataset
    given = state.schema(schema_file) if schema_file else None
    s = dataset_schema(state.settings, state.store, name, given)
    exports = state.settings.exports_dir
    result = export.export_dataset(state.store, exports, name, s, **options)
    render.show(result, as_json, render.export_text)


@command(export_group, "verify", state=False)
@click.argument("path", type=DIR)
def export_verify(path: Path, as_json: bool) -> None:
    """Recompute the checksums of the release at PATH; name every changed/missing/extra file."""
    from workbench import export

    report = export.verify_release(path)
    data = {**render.to_jsonable(report), "ok": report.ok}
    render.show(data, as_json, lambda _: render.verify_text(report, path))
    if not report.ok:
        bad = len(report.changed) + len(report.missing) + len(report.extra)
        raise export.ReleaseError(f"{path}: {bad} files do not match the manifest")


@command(export_group, "diff")
@click.argument("dataset")
@click.argument("old")
@click.argument("new")
def export_diff(state: State, dataset: str, old: str, new: str, as_json: bool) -> None:
    """What changed in DATASET from release OLD to release NEW (e.g. v0001 v0002)."""
    from workbench import export

    diff = export.diff_releases(state.settings.exports_dir, dataset, old, new)
    render.show(diff, as_json, lambda d: render.diff_text(dataset, d))


@command(cli, "releases")
@click.argument("dataset", required=False)
def releases_cmd(state: State, dataset: str | None, as_json: bool) -> None:
    """List the releases of DATASET with counts and agreement."""
    from workbench import export
    from workbench.reconcile.figures import headline_text

    rows = export.list_releases(state.store, dataset or state.settings.dataset)
    render.show(rows, as_json, lambda r: render.releases_text(r, headline_text))
