"""The main job, `workbench up`: the whole loop on the embedded default, step by step.

Each step is idempotent, so running `up` again changes nothing and is safe after a crash. The
dataset's lock is held from the push to the export: no other command runs in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from workbench import corpus
from workbench.config import Secret, Settings
from workbench.errors import NothingToRelease
from workbench.export.release import ExportResult, export_dataset
from workbench.labelstudio import local
from workbench.labelstudio.connect import connect
from workbench.progress import Progress
from workbench.pull import pull
from workbench.pull_save import PullReport
from workbench.push import PushReport, push
from workbench.reconcile.figures import headline_agreement, headline_text
from workbench.reconcile.save import ReconcileReport, reconcile
from workbench.samples import SampleReport, load_samples
from workbench.schema import load_schema
from workbench.store import Store
from workbench.store.lock import operation_lock

SAMPLES = "sample-annotations.yaml"


@dataclass
class UpSummary:
    seeds: str
    articles: int
    new_articles: int
    segments: int
    new_segments: int
    store: str
    label_studio_url: str = ""
    admin_email: str = ""
    admin_password: str = field(default="", repr=False)
    push: PushReport | None = None
    samples: SampleReport | None = None
    pull: PullReport | None = None
    reconcile: ReconcileReport | None = None
    export: ExportResult | None = None
    no_release: str = ""  # why there is no release yet (nothing annotated)
    errors: list[str] = field(default_factory=list)


def up(
    settings: Settings,
    store: Store,
    seeds: Path,
    progress: Progress | None = None,
    *,
    start_server: bool = True,
) -> UpSummary:
    """The whole loop: ingest and segment the seeds; push them to Label Studio (the local
    server, started here, unless LABEL_STUDIO_URL names another one); load the repository's
    sample annotations as three sample annotators; pull; reconcile; export a release."""
    report = corpus.ingest(store, [seeds], progress=progress)
    results = corpus.segment(store, progress=progress)
    summary = UpSummary(
        seeds=str(seeds),
        articles=len(results),
        new_articles=report.count("new") + report.count("revised"),
        segments=sum(r.segments for r in results),
        new_segments=sum(r.added for r in results),
        store=store.url,
        errors=[r.message or r.path for r in report.errors],
    )
    if not start_server:
        return summary
    if settings.label_studio_url is None or local.is_local(settings):
        server = local.start(settings)  # its URL and token are in the local config now too
        settings = replace(
            settings, label_studio_url=server.url, label_studio_api_key=Secret(server.token)
        )
        summary.admin_email = server.username
        summary.admin_password = server.password
    summary.label_studio_url = settings.label_studio_url or ""
    schema = load_schema(settings.schema_path)
    dataset = settings.dataset
    with operation_lock(store, dataset, "up"):
        client = connect(settings)
        summary.push = push(settings, store, schema, client, dataset=dataset, progress=progress)
        samples = seeds / SAMPLES
        if samples.is_file():
            summary.samples = load_samples(store, client, schema, dataset, samples)
        summary.pull = pull(
            settings, store, client, dataset=dataset, schema=schema, progress=progress
        )
        summary.reconcile = reconcile(store, schema, dataset)
        try:
            summary.export = export_dataset(store, settings.exports_dir, dataset, schema)
        except NothingToRelease as exc:  # nothing annotated yet: the loop ran, no release
            summary.no_release = exc.message
    return summary


def describe(summary: UpSummary) -> list[str]:
    lines = [
        *(f"error: {e}" for e in summary.errors),
        f"{summary.articles} articles ({summary.new_articles} new) and {summary.segments} "
        f"segments ({summary.new_segments} new) from {summary.seeds}/",
        f"store: {summary.store}",
    ]
    if (p := summary.push) is not None:
        lines.append(
            f"pushed to Label Studio project {p.project_id}: {p.imported} new tasks, "
            f"{p.already_pushed} already there ({p.annotators} annotators per segment)"
        )
    if (sm := summary.samples) is not None:
        lines.append(
            f"sample annotations: {sm.created} created, {sm.existing} already there "
            f"({sm.segments} segments x {sm.annotators} sample annotators)"
        )
    if (pl := summary.pull) is not None:
        lines.append(
            f"pulled: {pl.annotations_new} new, {pl.annotations_revised} revised, "
            f"{pl.annotations_deleted} deleted annotations, {len(pl.quarantined)} quarantined"
        )
    if (rc := summary.reconcile) is not None:
        lines.append(
            f"reconciled: {rc.recomputed} segments recomputed, {rc.unchanged} unchanged; "
            f"{rc.labels_decided} labels decided, {rc.labels_undecided} undecided "
            "(`workbench disagreements`, `workbench adjudicate push`)"
        )
        if headline := headline_agreement(rc.agreement):
            lines.append(f"agreement: {headline_text(headline)}")
    if (ex := summary.export) is not None:
        if ex.status == "created":
            lines.append(f"release {ex.version}: {ex.path}")
        else:
            lines.append(f"release: nothing changed since {ex.version or 'the last release'}")
    elif summary.no_release:
        lines.append(f"no release: {summary.no_release}")
    if p is not None:
        lines.append(f"keep labeling at {p.project_url}")
        if summary.admin_email:
            lines.append(f"  log in as {summary.admin_email} / {summary.admin_password}")
        lines.append("  add annotators: workbench annotators add EMAIL...")
    return lines
