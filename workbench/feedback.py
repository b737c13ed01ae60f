"""Feedback to annotators: what pull found wrong with their work, written where they see it.

The Community edition has no comments API and no per-annotator messages, so the channel is the
task itself: a `feedback` field of its data, shown in red above the text by the generated view.
Every annotator of the task sees it and each line names whom it is for (Community annotators
see each other's work anyway); a per-annotator review project would split their work across
two projects for a message they may never open. Each problem is reworded (`plain`): what is
wrong in the view's words and what to do, never the pull's `result[3] (id …)` form (kept for
maintainers by `workbench problems`). Written after each live pull for tasks whose message
changed (`tasks.feedback` keeps the last), cleared when the problems are gone; only for the
generated news view: a team's own project keeps its data untouched.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy import select

from workbench.labelstudio.client import LabelStudioClient
from workbench.store import Annotation, Annotator, Dataset, Store, Task

#: At most this many problems per annotator in a message (the rest: `workbench problems`).
PER_ANNOTATOR = 3
PREFIX = "⚠ "

# Each form of the pull's problems (`workbench.annotation.parse`) → a sentence for the
# annotator; {links} is the schema's relations, {hN} group N as a heading.
_WHERE = re.compile(r"^result\[\d+\](?: \((?:id '[^']*'|relation)\))?: ")
_Q = r"'([^']*)'"
_PLAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (
            r"(\w+) region has no (\w+) \(required\)",
            "A {0} you marked has no answer to “{h1}”: click the {0} and answer it.",
        ),
        (
            rf"segment {_Q} is required but missing",
            "“Segment {0}” is not answered: answer it.",
        ),
        (
            r"(?:untyped relation|\w+) (\w+) → (\w+) fits no relation",
            "Your link from a {0} to a {1} fits no relation type, so it was left out: {links}.",
        ),
        (
            r"(?:untyped relation|\w+) (\w+) → (\w+) fits several relations",
            "Your link between a {0} and a {1} could be more than one relation: pick its type.",
        ),
        (
            r"offsets \d+\.\.\d+ (?:are outside the text|do not make a non-empty span)"
            r"|value\.text .* does not match text",
            "A region no longer fits the text (it may have changed since you opened the task):"
            " delete the region and mark it again.",
        ),
        (
            rf"unknown label {_Q} \(known: (.*)\)",
            "“{0}” is not a label of this project: give the region one of {1}.",
        ),
        (
            rf"{_Q} is not a (\w+) choice \(allowed: (.*)\)",
            "“{0}” is not an answer to “{h1}”: choose one of {2}.",
        ),
        (r"(\w+) takes one choice", "“{h0}” takes one answer: keep one."),
        (r"rating .* is off the (\w+) scale", "The “{h0}” rating is off its scale: rate again."),
        (
            r"second (\w+) answer for region|second answer for segment '(\w+)'",
            "“{h0}” has two answers: keep one.",
        ),
        (
            r"(\w+) answer for a region that does not exist",
            "An answer to “{h0}” belongs to a region you deleted: submit the task again.",
        ),
        (
            r"(\w+) answer dropped: region .* is now a (\w+)",
            "Your answer to “{h0}” was left out: its region is now a {1}, which does not ask it.",
        ),
        (
            r"(?:from_id|to_id) .* points to no region|relates region .* to itself",
            "A link does not join two regions (one end is missing): delete the link.",
        ),
        (
            rf"unknown relation {_Q}",
            "“{0}” is not a relation of this project: remove the type; a link is enough.",
        ),
        (
            rf"control {_Q} is not in the schema",
            "Your answer to “{h0}”, which this project no longer asks, is not used.",
        ),
    )
)


def plain(problem: str, links: str = "") -> str:
    """`problem` as an annotator can act on it; `links` says which links the schema allows
    ("link a Cue to its Content, or a Content to its Source")."""
    what = _WHERE.sub("", problem)
    for pattern, text in _PLAIN:
        if m := pattern.search(what):
            groups = [g for g in m.groups() if g is not None]
            readable = {f"h{i}": g.replace("_", " ").capitalize() for i, g in enumerate(groups)}
            links = links or "link only labels a relation joins"
            return text.format(*groups, links=links, **readable)
    return (
        "Part of this annotation could not be read: open the task, check your regions and"
        " answers, and submit again (the project's maintainers see the details)."
    )


def dataset_links(store: Store, dataset: str) -> str:
    """The relations of the dataset's schema as an instruction: "link a Cue to its Content,
    or a Content to its Source"."""
    with store.session() as session:
        stored = session.scalar(select(Dataset.schema_json).where(Dataset.name == dataset))
    ends = [
        ("/".join(rel.get("from") or ["region"]), "/".join(rel.get("to") or ["region"]))
        for rel in (stored or {}).get("relations") or []
    ]
    return "link " + ", or ".join(f"a {a} to its {b}" for a, b in ends) if ends else ""


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
    links = dataset_links(store, dataset)
    lines: dict[int, list[str]] = defaultdict(list)
    for task_id, email, pseudonym, status, problems, warnings in rows:
        found = problems if status == "quarantined" else warnings
        items = list(dict.fromkeys(plain(str(p), links) for p in found or []))
        if not items:
            continue
        who = email or pseudonym or "unknown annotator"
        what = (
            "your annotation is not used until you fix it."
            if status == "quarantined"
            else "your annotation is used, but part of it was left out."
        )
        more = f" (and {len(items) - PER_ANNOTATOR} more)" if len(items) > PER_ANNOTATOR else ""
        lines[task_id].append(f"{who}: {what} " + " ".join(items[:PER_ANNOTATOR]) + more)
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
