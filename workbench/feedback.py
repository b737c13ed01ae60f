"""Feedback to annotators: what pull found wrong with their work, written where they see it.

The Community edition has no comments API and no per-annotator messages. The channel chosen is
the task itself: a `feedback` field of the task's data, which the generated view shows in red
above the text (an empty field shows nothing). Every annotator who opens the task sees it, and
each line names the annotator it is for (Community annotators can see each other's work
anyway). A per-annotator review project was the alternative; it would split an annotator's
work across two projects and need its own stream, for a message they may never open.

Written after each live pull, only for tasks whose message changed (`tasks.feedback` keeps the
last one), and cleared when the problems are gone. Only for projects with the generated news
view; a team's own project keeps its data untouched.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from workbench.labelstudio.client import LabelStudioClient
from workbench.store import Annotation, Annotator, Store, Task

#: At most this many problems per annotator in a message (the rest: `workbench problems`).
PER_ANNOTATOR = 3
PREFIX = "⚠ "


def messages(store: Store, dataset: str) -> dict[int, str]:
    """Task row id → its message, for tasks whose current annotations have problems
    (quarantined) or regions the pull had to drop (warnings)."""
    with store.session() as session:
        rows = session.execute(
            select(
                Annotation.task_id,
                Annotator.email,
                Annotator.pseudonym,
                Annotation.status,
                Annotation.problems,
                Annotation.warnings,
            )
            .outerjoin(Annotator, Annotator.id == Annotation.annotator_id)
            .where(
                Annotation.dataset == dataset,
                Annotation.is_current.is_(True),
                Annotation.deleted_at.is_(None),
                Annotation.was_cancelled.is_(False),
                (Annotation.status == "quarantined") | Annotation.warnings.is_not(None),
            )
            .order_by(Annotation.task_id, Annotation.ls_annotation_id)
        ).all()
    lines: dict[int, list[str]] = defaultdict(list)
    for task_id, email, pseudonym, status, problems, warnings in rows:
        items = [str(p) for p in (problems if status == "quarantined" else warnings) or []]
        if not items:
            continue
        who = email or pseudonym or "unknown annotator"
        what = "not used until fixed" if status == "quarantined" else "used without these"
        more = f" (+{len(items) - PER_ANNOTATOR} more)" if len(items) > PER_ANNOTATOR else ""
        lines[task_id].append(f"{who} ({what}): " + "; ".join(items[:PER_ANNOTATOR]) + more)
    return {task_id: PREFIX + " | ".join(found) for task_id, found in lines.items()}


def post(store: Store, client: LabelStudioClient, dataset: str) -> int:
    """Write changed messages into the tasks' data in Label Studio; returns how many tasks
    were written (set or cleared)."""
    wanted = messages(store, dataset)
    with store.session() as session:
        rows = session.execute(
            select(Task.id, Task.ls_task_id, Task.feedback).where(
                Task.dataset == dataset,
                Task.ls_task_id.is_not(None),
                Task.state == "pushed",
                (Task.feedback.is_not(None) & (Task.feedback != "")) | Task.id.in_(list(wanted)),
            )
        ).all()
    written = 0
    for task_id, ls_task_id, old in rows:
        new = wanted.get(task_id, "")
        if new == (old or "") or ls_task_id is None:
            continue
        data = dict(client.get_task(ls_task_id).get("data") or {})
        data["feedback"] = new
        client.update_task_data(ls_task_id, data)
        with store.session() as session:  # one task at a time: a failed write is retried
            task = session.get(Task, task_id)
            if task is not None:
                task.feedback = new
        written += 1
    return written
