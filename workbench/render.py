"""Rendering results for people (tables on stdout) and scripts (`--json`). No logic here."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

# Piped output keeps whole rows: a table folded to 80 columns is useless to grep.
if TYPE_CHECKING:
    from workbench.corpus import RemovedParagraphs

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
        if not sys.stderr.isatty():
            return
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
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
            {
                "id": s.id,
                "label": s.label,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "attributes": dict(s.attributes),
            }
            for s in found.spans
        ],
        "relations": [
            {"name": r.name, "from_id": r.from_id, "to_id": r.to_id} for r in found.relations
        ],
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
            who = f"{src.text} ({src.attrs.get('source_type')})" if src else "(no source)"
            said = cue.text if cue else "(no cue)"
            lines.append(f"    {who} · {said} · “{c.text}” ({c.attrs.get('quote_type')})")
        targets = [s.text for s in found.spans if s.label == "Target"]
        if targets:
            lines.append(f"    targets: {', '.join(targets)}")
    return lines or ["no suggestions"]
