"""Adjudication in Label Studio: undecided segments go to a project "<dataset> adjudication"
where each annotator's version is a prediction (model_version = their pseudonym); the
adjudicator's annotation is the decision, which `pull` stores (who and when: store only) and
reconcile then uses for that segment. A segment whose annotations changed since its push is
pushed again, replacing the old task, so nobody adjudicates a stale version."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from workbench.annotation import from_entry, parse, to_result
from workbench.annotation.tasks import completed_by, parse_time
from workbench.config import Settings
from workbench.errors import ConfigError, LabelStudioError
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.connect import connect
from workbench.schema import Schema, label_config, load_schema
from workbench.store import Store, ensure_dataset
from workbench.store import models as m
from workbench.store.lock import operation_lock

from .engine import Method
from .load import load_decisions, load_released, load_texts
from .save import ReconcileReport, parse_min_support, reconcile


def project_title(dataset: str) -> str:
    return f"{dataset} adjudication"[:50]  # Label Studio's limit on project titles


@dataclass
class AdjudicationPushReport:
    dataset: str
    project_id: int
    project_url: str
    pushed: int = 0
    replaced: int = 0
    unchanged: int = 0
    segments: list[str] = field(default_factory=list)


@dataclass
class AdjudicationPullReport:
    dataset: str
    project_id: int
    decisions: int = 0
    new: int = 0
    updated: int = 0
    removed: int = 0
    problems: list[str] = field(default_factory=list)
    reconcile: ReconcileReport | None = None


def _undecided_segments(session: Session, dataset: str) -> list[str]:
    tables = (m.ConsensusLabel, m.ConsensusSpan, m.ConsensusRelation)
    query = union(
        *(select(t.segment_id).where(t.dataset == dataset, t.status == "undecided") for t in tables)
    )
    return sorted(session.scalars(query))


def _payload(session: Session, segment_id: str) -> dict[str, Any]:
    """Task data as the main project's (text, title, previous paragraph as context)."""
    seg = session.get(m.Segment, segment_id)
    assert seg is not None
    article = session.get(m.Article, seg.article_id)
    previous = session.scalars(
        select(m.Segment.text).where(
            m.Segment.article_id == seg.article_id,
            m.Segment.unit == seg.unit,
            m.Segment.position == seg.position - 1,
        )
    ).first()
    from workbench.push import task_payload

    return task_payload(seg, article.title if article else None, previous)


def _ensure_project(
    session: Session, client: LabelStudioClient, schema: Schema, dataset: str
) -> int:
    row = session.get(m.AdjudicationProject, dataset)
    if row is not None:
        if row.label_studio_url.rstrip("/") != client.url.rstrip("/"):
            raise ConfigError(
                f"the adjudication project of {dataset!r} lives on {row.label_studio_url}, "
                f"not on {client.url}"
            )
        return row.project_id
    from workbench.instructions import instructions_html

    project = client.create_project(
        title=project_title(dataset),
        label_config=label_config(schema),
        description=f"Adjudication of {dataset}: each annotator's version is a prediction "
        "(model version = their pseudonym). Pick the right one, fix it, submit.",
        expert_instruction=instructions_html(schema),
        maximum_annotations=1,
    )
    session.add(
        m.AdjudicationProject(dataset=dataset, label_studio_url=client.url, project_id=project.id)
    )
    session.flush()
    return project.id


def push(
    settings: Settings,
    store: Store,
    client: LabelStudioClient | None = None,
    *,
    dataset: str | None = None,
) -> AdjudicationPushReport:
    """Send the dataset's undecided segments to its adjudication project."""
    name = dataset or settings.dataset
    schema = load_schema(settings.schema_path)
    client = client or connect(settings)
    with operation_lock(store, name, "adjudicate push"), store.session() as session:
        ensure_dataset(session, name)
        project_id = _ensure_project(session, client, schema, name)
        decided = set(load_decisions(session, name))
        hashes = {
            r.segment_id: r.input_hash
            for r in session.scalars(
                select(m.ReconcileState).where(m.ReconcileState.dataset == name)
            )
        }
        pushed = {
            t.segment_id: t
            for t in session.scalars(
                select(m.AdjudicationTask).where(
                    m.AdjudicationTask.dataset == name,
                    m.AdjudicationTask.ls_project_id == project_id,
                )
            )
        }
        rel = load_released(session, name, schema)
        by_seg: dict[str, list[tuple[str, str]]] = defaultdict(list)  # annotator, entry
        for sid, who, entry in zip(rel.segment_id, rel.annotator, rel.entry, strict=True):
            by_seg[sid].append((who, entry))
        texts = load_texts(session, name)
        report = AdjudicationPushReport(
            name, project_id, f"{client.url.rstrip('/')}/projects/{project_id}"
        )
        todo: list[str] = []
        for seg in _undecided_segments(session, name):
            if seg in decided:
                continue
            old = pushed.get(seg)
            if old is not None and old.input_hash == hashes.get(seg):
                report.unchanged += 1
            else:
                todo.append(seg)
        tasks = []
        for seg in todo:
            task = _payload(session, seg)
            task["predictions"] = [
                {
                    "model_version": who,
                    "score": 1.0,
                    "result": to_result(schema, texts.get(seg), from_entry(orjson.loads(entry))),
                }
                for who, entry in sorted(by_seg[seg], key=itemgetter(0))
            ]
            tasks.append(task)
        ids = client.import_tasks(project_id, tasks) if tasks else []
        for seg, task_id in zip(todo, ids, strict=True):
            old = pushed.get(seg)
            if old is not None:
                with contextlib.suppress(LabelStudioError):  # already gone: nothing to replace
                    client.delete_task(old.ls_task_id)
                old.ls_task_id, old.input_hash = task_id, hashes.get(seg, "")
                old.pushed_at = m.utcnow()
                report.replaced += 1
            else:
                session.add(
                    m.AdjudicationTask(
                        dataset=name,
                        segment_id=seg,
                        ls_project_id=project_id,
                        ls_task_id=task_id,
                        input_hash=hashes.get(seg, ""),
                    )
                )
                report.pushed += 1
            report.segments.append(seg)
    return report


def pull(
    settings: Settings,
    store: Store,
    client: LabelStudioClient | None = None,
    *,
    dataset: str | None = None,
) -> AdjudicationPullReport:
    """Store the adjudicators' decisions, then re-run reconcile so that they take effect."""
    name = dataset or settings.dataset
    with operation_lock(store, name, "adjudicate pull"):
        return _pull(store, load_schema(settings.schema_path), client or connect(settings), name)


def _pull(
    store: Store, schema: Schema, client: LabelStudioClient, name: str
) -> AdjudicationPullReport:
    with store.session() as session:
        row = session.get(m.AdjudicationProject, name)
        if row is None:
            raise ConfigError(
                f"dataset {name!r} has no adjudication project: run `adjudicate push`"
            )
        project_id = row.project_id
        task_seg = {
            t.ls_task_id: t.segment_id
            for t in session.scalars(
                select(m.AdjudicationTask).where(m.AdjudicationTask.dataset == name)
            )
        }
    emails = {u.id: u.email for u in client.list_users()}
    report = AdjudicationPullReport(name, project_id)
    seen: set[int] = set()
    with store.session() as session:
        existing = {
            a.ls_annotation_id: a
            for a in session.scalars(
                select(m.Adjudication).where(
                    m.Adjudication.dataset == name, m.Adjudication.ls_project_id == project_id
                )
            )
        }
        for task in client.list_tasks(project_id, annotations=True):
            seg = task_seg.get(int(task["id"])) or (task.get("data") or {}).get("segment_id")
            segment = session.get(m.Segment, seg) if seg else None
            if segment is None:
                continue
            for ann in task.get("annotations") or []:
                if ann.get("was_cancelled"):
                    continue
                ann_id = int(ann["id"])
                result = list(ann.get("result") or [])
                problems = parse(schema, segment.text, result).problems
                if problems:
                    report.problems.append(
                        f"adjudication {ann_id} (task {task['id']}): {problems[0]}"
                    )
                    continue
                seen.add(ann_id)
                user = completed_by(ann.get("completed_by"))[0]
                adj = existing.get(ann_id)
                if adj is None:
                    adj = m.Adjudication(
                        dataset=name,
                        segment_id=seg,
                        field="*",
                        ls_project_id=project_id,
                        ls_task_id=int(task["id"]),
                        ls_annotation_id=ann_id,
                    )
                    session.add(adj)
                    report.new += 1
                elif adj.decision != result or adj.adjudicator_ls_user_id != user:
                    report.updated += 1
                else:
                    continue
                adj.decision = result
                adj.adjudicator_ls_user_id = user
                adj.adjudicator_email = emails.get(user) if user is not None else None
                decided_at = parse_time(ann.get("updated_at") or ann.get("created_at"))
                adj.decided_at = decided_at or m.utcnow()
                adj.pulled_at = m.utcnow()
        for ann_id, adj in existing.items():
            if ann_id not in seen:
                session.delete(adj)
                report.removed += 1
        report.decisions = len(seen)
        last = session.scalars(
            select(m.ReconcileState)
            .where(m.ReconcileState.dataset == name)
            .order_by(m.ReconcileState.updated_at.desc())
        ).first()
    method: Method = "dawid-skene" if last is not None and last.method == "dawid_skene" else "vote"
    min_support = parse_min_support(last.min_support) if last is not None else 0.5
    report.reconcile = reconcile(store, schema, name, method=method, min_support=min_support)
    return report
