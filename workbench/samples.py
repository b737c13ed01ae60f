"""The repository's sample annotations (`seeds/sample-annotations.yaml`) → Label Studio, once
(an annotator who has an annotation on a task is left alone); spans are found by their text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from workbench.annotation import Link, Parsed, Region, parse
from workbench.annotation import to_result as as_result
from workbench.annotation.tasks import completed_by
from workbench.errors import ConfigError
from workbench.labelstudio.client import LabelStudioClient
from workbench.schema import Schema
from workbench.store import Article, Segment, Store, Task

SPAN_KEYS = {"id", "label", "text", "occurrence"}


@dataclass(frozen=True)
class SampleReport:
    annotators: int
    segments: int
    created: int
    existing: int


def read_samples(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the sample annotations: {exc}") from None
    if not isinstance(data, dict) or data.get("sample") is not True:
        raise ConfigError(f"{path}: not a sample annotation file (`sample: true` missing)")
    return data


def _locate(text: str, needle: str, occurrence: int, where: str) -> int:
    start = -1
    for _ in range(occurrence):
        start = text.find(needle, start + 1)
        if start < 0:
            raise ConfigError(f"{where}: {needle[:60]!r} (occurrence {occurrence}) not in the text")
    return start


def to_result(schema: Schema, text: str, spec: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """One annotator's spec (spans by text, attributes, relations, sentiment) → LS result."""
    regions = []
    for span in spec.get("spans") or []:
        sid, needle = str(span["id"]), span["text"]
        start = _locate(text, needle, int(span.get("occurrence", 1)), f"{where} {sid}")
        answers = {k: str(v) for k, v in span.items() if k not in SPAN_KEYS}
        regions.append(Region(sid, (str(span["label"]),), start, start + len(needle), answers))
    links = tuple(Link(kind, a, b) for a, kind, b in spec.get("relations") or [])
    answers = {a.name: str(spec[a.name]) for a in schema.segment if a.name in spec}
    result = as_result(schema, text, Parsed(tuple(regions), links, answers))
    if problems := parse(schema, text, result).problems:
        raise ConfigError(f"{where}: {problems[0]}")
    return result


def load_samples(
    store: Store, client: LabelStudioClient, schema: Schema, dataset: str, path: Path
) -> SampleReport:
    """Annotate the pushed seed tasks as the sample annotators (once)."""
    data = read_samples(path)
    if data.get("schema") != schema.id:
        raise ConfigError(f"{path}: made for schema {data.get('schema')!r}, not {schema.id!r}")
    with store.session() as session:
        rows = session.execute(
            select(Segment.text, Task.ls_task_id)
            .join(Task, Task.segment_id == Segment.id)
            .join(Article, Article.id == Segment.article_id)
            .where(Task.dataset == dataset, Task.state == "pushed", Article.is_current.is_(True))
        ).all()
    users = {email: client.ensure_user(email).id for email in data["annotators"]}
    created = existing = 0
    for n, entry in enumerate(data["segments"]):
        matches = [
            (text, tid) for text, tid in rows if tid is not None and text.startswith(entry["find"])
        ]
        if len(matches) != 1:
            raise ConfigError(
                f"{path}: segments[{n}] find {entry['find']!r} matches {len(matches)} pushed "
                "segments (want exactly 1): push the seeds first"
            )
        text, task_id = matches[0][0], int(matches[0][1])
        done = {completed_by(a.get("completed_by"))[0] for a in client.list_annotations(task_id)}
        for email, spec in entry["annotations"].items():
            if users[email] in done:
                existing += 1
                continue
            result = to_result(schema, text, spec, f"{path}: segments[{n}] {email}")
            client.create_annotation(task_id, result, completed_by=users[email])
            created += 1
    return SampleReport(len(users), len(data["segments"]), created, existing)
