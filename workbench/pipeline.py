"""The main job, `workbench up`: the whole loop on the embedded default, step by step.

Each step is idempotent, so running `up` again changes nothing and is safe after a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from workbench import corpus
from workbench.config import Secret, Settings, read_local_config
from workbench.labelstudio import local
from workbench.labelstudio.connect import connect
from workbench.progress import Progress
from workbench.push import PushReport, push
from workbench.schema import load_schema
from workbench.store import Store


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
    errors: list[str] = field(default_factory=list)


def up(
    settings: Settings,
    store: Store,
    seeds: Path,
    progress: Progress | None = None,
    *,
    start_server: bool = True,
) -> UpSummary:
    """Ingest and segment the seeds, then (by default) push them to Label Studio: the local
    server, started here, unless LABEL_STUDIO_URL names another one."""
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
        server = local.start(settings)
        stored = read_local_config(settings.home)
        settings = replace(
            settings,
            label_studio_url=server.url,
            label_studio_api_key=Secret(stored["label_studio_api_key"]),
        )
        summary.admin_email = server.admin_email
        summary.admin_password = server.admin_password
    summary.label_studio_url = settings.label_studio_url or ""
    summary.push = push(
        settings, store, load_schema(settings.schema_path), connect(settings), progress=progress
    )
    return summary


def describe(summary: UpSummary) -> list[str]:
    lines = [f"error: {e}" for e in summary.errors]
    lines.append(
        f"{summary.articles} articles ({summary.new_articles} new) and {summary.segments} "
        f"segments ({summary.new_segments} new) from {summary.seeds}/"
    )
    lines.append(f"store: {summary.store}")
    if summary.push is not None:
        p = summary.push
        lines.append(
            f"pushed to Label Studio project {p.project_id}: {p.imported} new tasks, "
            f"{p.already_pushed} already there ({p.annotators} annotators per segment)"
        )
        lines.append(f"label at {p.project_url}")
        if summary.admin_email:
            lines.append(f"  log in as {summary.admin_email} / {summary.admin_password}")
        lines.append("  add annotators: workbench annotators add EMAIL...")
    return lines
