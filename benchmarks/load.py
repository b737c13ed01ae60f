"""Under load, nothing lost (issue 22): simulated annotators against a Label Studio on PostgreSQL
while `workbench pull` runs over and over on a PostgreSQL store.

    python benchmarks/load.py [--seconds 60] [--annotators 20]

Starts a local Label Studio on a fresh PostgreSQL database (`server start --database`), pushes
the seed articles, then for `--seconds` lets N annotators (users made through the API; each
annotation made by the admin token with `completed_by` = that user, as Label Studio allows)
create, update and delete annotations from N threads, as fast as the server answers, while one
more thread pulls incrementally again and again. Then one more incremental pull, a comparison
of the store with the server annotation for annotation, a full pull (which must change
nothing) and the comparison again. Prints the figures and writes them into
`benchmarks/RESULTS.md` under their own heading (kept there by `benchmarks/run.py`).
`tests/test_load.py` runs the same `play` and `compare` for a shorter time.

PostgreSQL: `WORKBENCH_BENCH_POSTGRES_URL` (default: the test server, trust auth, database
`test`): a database for Label Studio and a schema for the store are made and dropped.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import string
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` and `workbench` importable

import sqlalchemy as sa  # noqa: E402

from workbench.annotation.clean import canonical_json  # noqa: E402
from workbench.labelstudio.client import LabelStudioClient  # noqa: E402
from workbench.store import Annotation, Annotator, Store, Task  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADING = "## Under load: annotators and pulls at once (benchmarks/load.py)"  # = run.py's
SENTIMENTS = ("negative", "neutral", "positive", "mixed")
_WORD = re.compile(r"[A-Za-z]{4,}")


# --------------------------------------------------------------------------- the annotators


def random_result(rng: random.Random, text: str, avoid: str | None = None) -> list[dict[str, Any]]:
    """A result valid under news-v1: the segment sentiment (never `avoid`, so an update always
    changes the result) and, half the time, a Cue span on a word of the text."""
    choice = rng.choice([s for s in SENTIMENTS if s != avoid])
    result: list[dict[str, Any]] = [
        {
            "from_name": "sentiment",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [choice]},
        }
    ]
    words = list(_WORD.finditer(text))
    if words and rng.random() < 0.5:
        word = rng.choice(words)
        result.append(
            {
                "id": "".join(rng.choices(string.ascii_letters, k=10)),
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": word.start(),
                    "end": word.end(),
                    "text": word.group(),
                    "labels": ["Cue"],
                },
            }
        )
    return result


def _sentiment_of(result: list[dict[str, Any]]) -> str | None:
    for item in result:
        if item.get("from_name") == "sentiment":
            return str(item["value"]["choices"][0])
    return None


@dataclass
class LoadFigures:
    seconds: float = 0.0
    annotators: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    api_latencies: list[float] = field(default_factory=list)
    api_errors: list[str] = field(default_factory=list)
    pull_latencies: list[float] = field(default_factory=list)
    pull_failures: list[str] = field(default_factory=list)
    updates_of: dict[int, int] = field(default_factory=dict)  # annotation id → updates made

    @property
    def operations(self) -> int:
        return self.created + self.updated + self.deleted

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0


def play(
    url: str,
    token: str,
    users: list[int],
    tasks: dict[int, str],
    seconds: float,
    pull_once: Callable[[], Any],
    *,
    seed: int = 22,
) -> LoadFigures:
    """One thread per user creates (50 %), updates (35 %) and deletes (15 %) its annotations
    on random tasks for `seconds`, while `pull_once` runs again and again on another thread."""
    figures = LoadFigures(annotators=len(users))
    lock = threading.Lock()
    stop = threading.Event()
    task_ids = sorted(tasks)

    def annotator(index: int, user_id: int) -> None:
        rng = random.Random(seed * 1000 + index)
        client = LabelStudioClient(url, token)  # one HTTP client per thread
        mine: dict[int, tuple[int, str | None]] = {}  # annotation id → (task, sentiment)
        counts = {"created": 0, "updated": 0, "deleted": 0}
        latencies: list[float] = []
        errors: list[str] = []
        updates: dict[int, int] = {}
        while not stop.is_set():
            roll = rng.random()
            t0 = time.perf_counter()
            try:
                if not mine or roll < 0.5:
                    task = rng.choice(task_ids)
                    result = random_result(rng, tasks[task])
                    made = client.create_annotation(task, result, completed_by=user_id)
                    mine[int(made["id"])] = (task, _sentiment_of(result))
                    counts["created"] += 1
                elif roll < 0.85:
                    ann = rng.choice(sorted(mine))
                    task, before = mine[ann]
                    result = random_result(rng, tasks[task], avoid=before)
                    client.update_annotation(ann, result=result)
                    mine[ann] = (task, _sentiment_of(result))
                    updates[ann] = updates.get(ann, 0) + 1
                    counts["updated"] += 1
                else:
                    ann = rng.choice(sorted(mine))
                    client.delete_annotation(ann)
                    del mine[ann]
                    counts["deleted"] += 1
            except Exception as exc:  # reported, and the server's state is what is compared
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            latencies.append(time.perf_counter() - t0)
        with lock:
            figures.created += counts["created"]
            figures.updated += counts["updated"]
            figures.deleted += counts["deleted"]
            figures.api_latencies.extend(latencies)
            figures.api_errors.extend(errors)
            for ann, n in updates.items():
                figures.updates_of[ann] = figures.updates_of.get(ann, 0) + n

    def puller() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                pull_once()
            except Exception as exc:  # a failed pull is a finding, not a crash of the run
                figures.pull_failures.append(f"{type(exc).__name__}: {exc}"[:300])
            figures.pull_latencies.append(time.perf_counter() - t0)

    threads = [
        threading.Thread(target=annotator, args=(i, u), name=f"annotator-{i}")
        for i, u in enumerate(users)
    ]
    pull_thread = threading.Thread(target=puller, name="puller")
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    pull_thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    figures.seconds = time.perf_counter() - started  # until the last annotator stopped
    pull_thread.join()
    return figures


# --------------------------------------------------------------------------- the comparison

Row = tuple[int, int | None, str]  # (task id, user id, result fingerprint)


def server_state(client: LabelStudioClient, project_id: int) -> dict[int, Row]:
    """Every annotation on the server, by id."""
    state: dict[int, Row] = {}
    for task in client.list_tasks(project_id, annotations=True):
        for ann in task.get("annotations") or []:
            who = ann.get("completed_by")
            user = who.get("id") if isinstance(who, dict) else who
            state[int(ann["id"])] = (
                int(task["id"]),
                int(user) if user is not None else None,
                canonical_json(ann.get("result")),
            )
    return state


@dataclass(frozen=True)
class StoreState:
    current: dict[int, Row]  # the current revision of every annotation not deleted
    deleted: set[int]  # annotations marked deleted
    revisions: dict[int, list[int]]  # every revision number stored, per annotation
    duplicates: list[str]  # more than one current revision, or a deleted one also current


def store_state(store: Store, dataset: str) -> StoreState:
    with store.session() as s:
        rows = s.execute(
            sa.select(
                Annotation.ls_annotation_id,
                Annotation.revision,
                Annotation.is_current,
                Annotation.deleted_at,
                Annotation.result,
                Task.ls_task_id,
                Annotator.ls_user_id,
            )
            .join(Task, Task.id == Annotation.task_id)
            .outerjoin(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotation.dataset == dataset)
            .order_by(Annotation.ls_annotation_id, Annotation.revision)
        ).all()
    current: dict[int, Row] = {}
    deleted: set[int] = set()
    revisions: dict[int, list[int]] = {}
    duplicates: list[str] = []
    currents: dict[int, int] = {}
    for ann, revision, is_current, deleted_at, result, task, user in rows:
        revisions.setdefault(ann, []).append(revision)
        if is_current:
            currents[ann] = currents.get(ann, 0) + 1
            if deleted_at is not None:
                deleted.add(ann)
            else:
                current[ann] = (task, user, canonical_json(result))
    duplicates += [f"annotation {a}: {n} current revisions" for a, n in currents.items() if n > 1]
    duplicates += [
        f"annotation {a}: revisions {r}"
        for a, r in revisions.items()
        if r != list(range(1, len(r) + 1))
    ]
    duplicates += [f"annotation {a}: no current revision" for a in revisions if a not in currents]
    return StoreState(current, deleted, revisions, duplicates)


def compare(
    server: dict[int, Row], stored: StoreState, updates_of: dict[int, int] | None = None
) -> list[str]:
    """What differs between the server and the store (empty: nothing lost, nothing extra)."""
    problems = list(stored.duplicates)
    missing = sorted(set(server) - set(stored.current))
    extra = sorted(set(stored.current) - set(server))
    if missing:
        problems.append(
            f"{len(missing)} annotations on the server not current in the store: {missing[:10]}"
        )
    if extra:
        problems.append(
            f"{len(extra)} annotations current in the store but gone from the server: {extra[:10]}"
        )
    differ = sorted(a for a in set(server) & set(stored.current) if server[a] != stored.current[a])
    if differ:
        a = differ[0]
        problems.append(
            f"{len(differ)} annotations differ (task, user or result), e.g. {a}: "
            f"server {server[a][:2]} store {stored.current[a][:2]}"
        )
    undead = sorted((set(stored.revisions) - set(server)) - stored.deleted)
    if undead:
        problems.append(f"{len(undead)} deleted annotations not marked deleted: {undead[:10]}")
    revived = sorted(stored.deleted & set(server))
    if revived:
        problems.append(f"{len(revived)} live annotations marked deleted: {revived[:10]}")
    if updates_of is not None:  # a revision per change seen, never more than the changes made
        over = sorted(a for a, r in stored.revisions.items() if len(r) > 1 + updates_of.get(a, 0))
        if over:
            problems.append(
                f"{len(over)} annotations with more revisions than updates: {over[:10]}"
            )
    return problems


# --------------------------------------------------------------------------- the benchmark


def _ms(x: float) -> str:
    return f"{x * 1000:,.0f} ms"


def figures_table(
    f: LoadFigures, annotations: int, tasks: int, final_pull: float, full_pull: float
) -> str:
    api = sorted(f.api_latencies)
    p95 = api[int(0.95 * (len(api) - 1))] if api else 0.0
    pulls = f.pull_latencies
    rows = [
        ("annotators (threads)", f"{f.annotators}", f"{tasks} tasks"),
        (
            "annotation operations held",
            f"{f.per_second:,.1f} /s",
            f"{f.operations:,} in {f.seconds:.1f} s: {f.created:,} created, {f.updated:,} "
            f"updated, {f.deleted:,} deleted; API errors {len(f.api_errors)}",
        ),
        (
            "API latency per operation",
            f"median {_ms(statistics.median(api)) if api else '-'}",
            f"p95 {_ms(p95)}, max {_ms(max(api)) if api else '-'}",
        ),
        (
            "incremental pull while annotators work",
            f"median {_ms(statistics.median(pulls)) if pulls else '-'}",
            f"max {_ms(max(pulls)) if pulls else '-'}; {len(pulls)} pulls, "
            f"{len(f.pull_failures)} failed",
        ),
        ("last incremental pull (quiet)", _ms(final_pull), ""),
        ("full pull at the end", _ms(full_pull), f"{annotations:,} annotations: changed nothing"),
    ]
    lines = ["| measure | figure | notes |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def write_section(path: Path, body: str) -> None:
    """Put `body` under HEADING in `path`, replacing an older section of the same heading."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    before, _, after = text.partition(HEADING)
    rest = after.partition("\n## ")[2] if after else ""
    text = before.rstrip("\n") + "\n\n" + HEADING + "\n\n" + body.rstrip("\n") + "\n"
    if rest:
        text += "\n## " + rest
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    import json
    import os
    import secrets
    import subprocess
    import tempfile
    import uuid
    from datetime import UTC, datetime

    import psycopg

    from workbench import corpus
    from workbench.config import load_settings
    from workbench.labelstudio import server
    from workbench.labelstudio.database import parse_database_url
    from workbench.pull import pull
    from workbench.push import push
    from workbench.schema import load_schema
    from workbench.store import open_store

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--annotators", type=int, default=20)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    base = os.environ.get(
        "WORKBENCH_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    url = sa.engine.make_url(base)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"ls_load_{uuid.uuid4().hex[:10]}"
    schema_name = f"wb_load_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(libpq, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.execute(f'CREATE SCHEMA "{schema_name}"')
    ls_url = url.set(
        drivername="postgresql", database=name, password=url.password or secrets.token_hex(8)
    ).render_as_string(hide_password=False)
    store_url = base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema_name}"
    try:
        with tempfile.TemporaryDirectory(prefix="wb-load-") as tmp_name:
            tmp = Path(tmp_name)
            say(f"starting Label Studio on PostgreSQL ({name}; migrations: minutes)…")
            info = server.start(
                tmp / "label-studio", database=parse_database_url(ls_url), timeout=900
            )
            try:
                store = open_store(store_url)
                schema_path = ROOT / "schemas" / "news-v1.yaml"
                settings = load_settings(
                    {
                        "database_url": store_url,
                        "label_studio_url": info.url,
                        "label_studio_api_key": info.token,
                        "dataset": "load",
                        "schema_path": str(schema_path),
                    },
                    cwd=tmp,
                    environ={},
                )
                client = LabelStudioClient(info.url, info.token)
                corpus.ingest(store, [ROOT / "seeds"])
                corpus.segment(store)
                report = push(settings, store, load_schema(schema_path), client, annotators=3)
                assert report.project_id is not None
                project = report.project_id
                tasks = {
                    int(t["id"]): t["data"]["text"]
                    for t in client.list_tasks(project, annotations=False)
                }
                users = [
                    client.ensure_user(f"load-{i:02d}@example.com").id
                    for i in range(args.annotators)
                ]
                say(f"{args.annotators} annotators on {len(tasks)} tasks for {args.seconds:.0f} s…")
                figures = play(
                    info.url,
                    info.token,
                    users,
                    tasks,
                    args.seconds,
                    lambda: pull(settings, store, LabelStudioClient(info.url, info.token)),
                )
                load_average = os.getloadavg()[0]
                t0 = time.perf_counter()
                pull(settings, store, client)
                final_pull = time.perf_counter() - t0
                on_server = server_state(client, project)
                problems = compare(on_server, store_state(store, "load"), figures.updates_of)
                t0 = time.perf_counter()
                full = pull(settings, store, client, full=True)
                full_pull = time.perf_counter() - t0
                if full.annotations_new or full.annotations_revised or full.annotations_deleted:
                    problems.append(f"the full pull changed the store: {full}")
                problems += compare(on_server, store_state(store, "load"), figures.updates_of)
                problems += [f"pull failed: {p}" for p in figures.pull_failures]
                store.close()
            finally:
                server.stop(tmp / "label-studio")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
        admin.close()

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(
        [
            f"- date: {when}; commit: {commit or 'unknown'}; {os.cpu_count()} cores, load "
            f"average {load_average:.1f} when the load ended (other work on the machine counts)",
            f"- Label Studio {server.LABEL_STUDIO_VERSION} (local, on PostgreSQL), the store on "
            f"PostgreSQL; {args.annotators} annotator threads for {args.seconds:.0f} s, one pull "
            "thread; annotations made through the API with the admin token as each user",
            "- result: "
            + (
                "nothing lost — store = server, annotation for annotation"
                if not problems
                else "**problems**: " + "; ".join(problems)
            ),
            "",
            figures_table(figures, len(on_server), len(tasks), final_pull, full_pull),
        ]
    )
    print(HEADING + "\n\n" + body)
    if figures.api_errors:
        print("API errors (first 5): " + json.dumps(figures.api_errors[:5]), file=sys.stderr)
    write_section(args.output, body)
    return 1 if problems else 0


def say(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
