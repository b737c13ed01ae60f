"""Rendering results for people (tables on stdout) and scripts (`--json`). No logic here."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

if TYPE_CHECKING:
    from workbench.corpus import RemovedParagraphs

# Piped output keeps whole rows: a table folded to 80 columns is useless to grep.
stdout = Console(width=None if sys.stdout.isatty() else 400)
stderr = Console(stderr=True)


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: to_jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    return value


def emit_json(value: Any) -> None:
    click.echo(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False, sort_keys=False))


def show(value: Any, as_json: bool, text: Callable[[Any], Iterable[str] | None]) -> None:
    """`value` as JSON, or as `text` renders it (lines to print; a table prints itself)."""
    if as_json:
        emit_json(value)
        return
    for line in text(value) or ():
        click.echo(line)


def pick(value: Any, *names: str) -> dict[str, Any]:
    """Some attributes of `value`, for JSON (the others may hold secrets)."""
    return {name: getattr(value, name) for name in names}


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    t = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        t.add_column(col, overflow="fold")
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    stdout.print(t)


def removed_paragraphs(removed: RemovedParagraphs) -> None:
    """What ingest left out of one article, one paragraph per row with its reason."""
    title = f"{removed.article_id[:12]} {removed.title or ''} ({removed.source_path})"
    if not removed.recorded:
        note(
            f"{title}: ingested before removed paragraphs were kept; "
            "ingest its file again to record them"
        )
        return
    table(
        ["#", "reason", "paragraph"],
        [(i, r.reason, r.text) for i, r in enumerate(removed.paragraphs, 1)],
        title=f"{title}: {len(removed.paragraphs)} removed",
    )


def error(message: str) -> None:
    """One line on stderr: what went wrong and where."""
    click.echo(f"error: {message}", err=True)


def note(message: str) -> None:
    """Progress for people, on stderr (stdout stays clean for pipes and --json)."""
    click.echo(message, err=True)


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


class BarProgress:
    """A progress bar on stderr, shown only when stderr is a terminal (quiet in CI and pipes)."""

    def __init__(self) -> None:
        self._bar: RichProgress | None = None
        self._task: Any = None

    def start(self, label: str, total: int | None) -> None:
        self.finish()
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        self._bar.start()
        self._task = self._bar.add_task(label, total=total)

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def suggestions_json(paragraph: Any) -> dict[str, Any]:
    """One segment's suggestions (`workbench.predictions.ParagraphSuggestions`) for `--json`."""
    found = paragraph.suggestions
    return {
        "paragraph": paragraph.position,
        "text": paragraph.text,
        "spans": [
            {**pick(s, "id", "label", "start", "end", "text"), "attributes": s.attrs}
            for s in found.spans
        ],
        "relations": to_jsonable(found.relations),  # name, from_id, to_id
    }


def suggestions_lines(paragraphs: Sequence[Any]) -> list[str]:
    """Readable suggestions: each attribution as Source · Cue · Content, then the targets."""
    lines: list[str] = []
    for p in paragraphs:
        found = p.suggestions
        if not found.spans:
            continue
        by_id = {s.id: s for s in found.spans}
        source_of = {r.from_id: r.to_id for r in found.relations if r.name == "attributed_to"}
        cue_of = {r.to_id: r.from_id for r in found.relations if r.name == "cue_of"}
        lines.append(f"[{p.position}] {p.text[:70]}{'…' if len(p.text) > 70 else ''}")
        for c in found.spans:
            if c.label != "Content":
                continue
            src = by_id.get(source_of.get(c.id, ""))
            cue = by_id.get(cue_of.get(c.id, ""))
            who = (
                f"{src.text} ({src.attrs.get('source_type', 'type unset')})"
                if src
                else "(no source)"
            )
            said = cue.text if cue else "(no cue)"
            lines.append(f"    {who} · {said} · “{c.text}” ({c.attrs.get('quote_type')})")
        if targets := [s.text for s in found.spans if s.label == "Target"]:
            lines.append(f"    targets: {', '.join(targets)}")
    return lines or ["no suggestions"]


# -- each command's text (the data comes from the library; nothing is computed here) ---------


def fields(item: Any, *names: str) -> tuple[Any, ...]:
    """Attributes of `item`, in order: a table row."""
    return tuple(getattr(item, name) for name in names)


def short(text: str | None, width: int = 70) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 3] + "…"


def ingest_text(report: Any) -> list[str]:
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("new", "revised", "unchanged"))
    return [f"{counts}, {len(report.errors)} failed"]


def segment_text(results: Sequence[Any]) -> list[str]:
    added, removed = sum(r.added for r in results), sum(r.removed for r in results)
    total = sum(r.segments for r in results)
    return [f"{len(results)} articles, {total} segments ({added} new, {removed} removed)"]


def articles_text(rows: Sequence[Any]) -> None:
    names = ("revision", "title", "author", "outlet", "published", "chars", "segments")
    table(
        ["id", "rev", "title", "author", "outlet", "date", "chars", "segments", "source"],
        [(r.id[:12], *fields(r, *names), r.source_path) for r in rows],
    )


def segments_text(rows: Sequence[Any]) -> None:
    table(
        ["id", "article", "unit", "#", "start", "end", "text"],
        [
            (r.id, r.article_id[:12], r.unit, r.position, r.start, r.end, short(r.text))
            for r in rows
        ],
    )


def schema_summary(s: Any) -> str:
    return (
        f"{s.id} version {s.version}, {len(s.labels)} labels, "
        f"{len(s.relations)} relations, {len(s.attributes)} questions"
    )


def schema_text(s: Any) -> list[str]:
    click.echo(f"{s.id} ({s.version}): {s.title}")
    table(["hotkey", "does"], sorted(s.hotkeys().items(), key=lambda kv: kv[1]))
    relations = [(r.name, *r.ends()) for r in s.relations]
    table(["relation", "from", "to"], relations)
    return []


def annotators_text(added: Sequence[Any]) -> list[str]:
    lines = []
    for a in added:
        if not a.created:
            lines.append(f"{a.email}: exists (user {a.user_id})")
        elif a.password:
            lines.append(f"{a.email}: created (user {a.user_id}), password {a.password}")
        else:
            lines.append(f"{a.email}: created (user {a.user_id}); set a password in Label Studio")
    return lines


_PROJECT = {"create": "created", "adopt": "adopted", "update": "updated", "unchanged": "unchanged"}


def push_text(report: Any) -> list[str]:
    verb = "would import" if report.dry_run else "imported"
    project = _PROJECT[report.project]
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


def pull_text(report: Any) -> list[str]:
    how = "full" if report.full else "incremental"
    quiet = not report.full and not report.changed
    lines = [
        f"dataset {report.dataset}: {how} pull from {report.source}, {report.tasks_read} task"
        f"{'s' if report.tasks_read != 1 else ''} read"
        + (f" ({report.tasks_created} new to the store)" if report.tasks_created else ""),
        f"annotations: {report.annotations_new} new, {report.annotations_revised} revised, "
        f"{report.annotations_deleted} deleted, {report.annotations_unchanged} unchanged"
        + (f"; {report.tasks_deleted} tasks deleted" if report.tasks_deleted else "")
        + (": nothing new since the last pull" if quiet else ""),
    ]
    if report.feedback_written:
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
    if report.requalified:
        lines.append(
            f"requalified {report.requalified} quarantined annotations this version repairs"
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


def problems_text(rows: Sequence[Any], repaired: bool) -> list[str]:
    if not rows:  # no empty table: one line
        return [f"no quarantined{' or repaired' if repaired else ''} annotations"]
    table(
        ["dataset", "task", "annotation", "rev", "annotator", "kind", "problems"],
        [
            (
                *fields(
                    r, "dataset", "ls_task_id", "ls_annotation_id", "revision", "annotator", "kind"
                ),
                "; ".join(r.problems),
            )
            for r in rows
        ],
    )
    quarantined = sum(r.kind == "quarantined" for r in rows)
    fixed = f", {len(rows) - quarantined} repaired" if repaired else ""
    return [f"{quarantined} quarantined annotations{fixed}"]


def status_text(report: Sequence[Any]) -> list[str]:
    if not report:
        return ["no datasets yet: run `workbench push` or `workbench pull --from-file`"]
    for ds in report:
        where = f"project {ds.project_id}" if ds.project_id else "no project (from a file)"
        click.echo(
            f"dataset {ds.dataset} ({where}): {ds.segments} segments, {ds.tasks_pushed} tasks"
            f"{' pushed' if ds.project_id else ''}, target {ds.overlap} annotations per task,"
            f" {ds.complete_tasks} complete"
        )
        pulled = ds.last_pull_at.isoformat(timespec="seconds") if ds.last_pull_at else "never"
        click.echo(
            f"  {ds.annotations} annotations ({ds.repaired} repaired, {ds.gold} ground truth),"
            f" {ds.skipped} skipped, {ds.quarantined} quarantined, {ds.superseded} superseded;"
            f" last pull {pulled}"
        )
        table(["annotations per task", "tasks"], list(ds.annotations_per_task.items()))
        if not ds.annotators:
            click.echo("  no annotations pulled yet (`workbench pull`)")
            continue
        counts = ("annotations", "repaired", "skipped", "quarantined", "superseded")
        table(
            ["annotator", "email", *counts, "median lead s"],
            [
                (a.pseudonym, a.email, *fields(a, *counts), _seconds(a.median_lead_time))
                for a in ds.annotators
            ],
        )
    return []


def _seconds(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def disagreements_text(items: Sequence[Any]) -> None:
    annotators = sorted({a for d in items for a in d.versions})
    table(
        ["segment", "layer", "field", "span / text", "why", *annotators],
        [
            (
                d.segment_id[:12],
                *fields(d, "layer", "field"),
                d.text or d.key,
                d.reason,
                *(d.versions.get(a, "") for a in annotators),
            )
            for d in items
        ],
        title=f"{len(items)} disagreements",
    )


def export_text(result: Any) -> list[str]:
    if result.status == "unchanged":
        return [f"{result.dataset}: nothing changed since {result.version}; no new version"]
    c = result.counts
    lines = [
        f"{result.dataset} {result.version} written to {result.path}: {c['segments']} "
        f"segments, {c['spans']} spans, {c['annotations']} annotations by "
        f"{c['annotators']} annotators"
    ]
    if result.diff is not None and result.parent is not None:
        changes = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result.diff.items() if v)
        lines.append(f"against {result.parent}: {changes or 'no changes'}")
    return lines


def verify_text(report: Any, path: Path) -> list[str]:
    kinds = ("changed", "missing", "extra")
    lines = [f"{what}: {name}" for what in kinds for name in getattr(report, what)]
    if report.ok:
        lines.append(f"{path}: {report.checked} files match the manifest")
    return lines


def diff_text(dataset: str, diff: dict[str, Any]) -> list[str]:
    lines = [f"{dataset} {diff['parent']} → {diff['version']}"]
    lines += [f"  {k.replace('_', ' ')}: {v}" for k, v in diff["summary"].items()]
    changes = diff["labels_changed"]
    return lines + [f"  {c['segment_id']} {c['field']}: {c['old']} → {c['new']}" for c in changes]


def releases_text(rows: Sequence[Any], headline: Callable[[Any], str]) -> None:
    counts = ("segments", "annotations", "annotators", "spans")
    table(
        ["version", "parent", "created", *counts, "agreement", "path"],
        [
            (
                *fields(r, "version", "parent"),
                r.created_at.isoformat(timespec="seconds"),
                *fields(r, *counts),
                headline(r.agreement),
                r.path,
            )
            for r in rows
        ],
    )
