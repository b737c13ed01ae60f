"""The main job, `workbench up`: the whole loop on the embedded default, step by step.

Each step is idempotent, so running `up` again changes nothing and is safe after a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workbench import corpus
from workbench.config import Settings
from workbench.progress import Progress
from workbench.store import Store


@dataclass
class UpSummary:
    seeds: str
    articles: int
    new_articles: int
    segments: int
    new_segments: int
    store: str
    errors: list[str] = field(default_factory=list)


def up(
    settings: Settings, store: Store, seeds: Path, progress: Progress | None = None
) -> UpSummary:
    report = corpus.ingest(store, [seeds], progress=progress)
    results = corpus.segment(store, progress=progress)
    return UpSummary(
        seeds=str(seeds),
        articles=len(results),
        new_articles=report.count("new") + report.count("revised"),
        segments=sum(r.segments for r in results),
        new_segments=sum(r.added for r in results),
        store=store.url,
        errors=[r.message or r.path for r in report.errors],
    )


def describe(summary: UpSummary) -> list[str]:
    lines = [f"error: {e}" for e in summary.errors]
    lines.append(
        f"{summary.articles} articles ({summary.new_articles} new) and {summary.segments} "
        f"segments ({summary.new_segments} new) from {summary.seeds}/"
    )
    lines.append(f"store: {summary.store}")
    lines.append("list them: workbench articles | workbench segments")
    return lines
