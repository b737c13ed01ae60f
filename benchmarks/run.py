"""Benchmarks: what the workbench costs beyond Label Studio itself, at 100k segments (issue 7).

    python benchmarks/run.py [--size tiny|full] [--runs N] [--workers N]

Starts a real local Label Studio (`workbench.labelstudio.server.start`), measures push, pull,
reconcile, export and ingest + segment against their baselines, prints a table and writes
`benchmarks/RESULTS.md`. Every figure is the median of `--runs` runs. Set-up (synthetic data,
stores, Label Studio projects) is never timed. Exit code 1 when a benchmark crashed (goals
missed are reported, not failed: the table is the result).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` and `workbench` importable

from benchmarks import fixtures, synth  # noqa: E402
from workbench.annotation import parse  # noqa: E402
from workbench.config import Secret, Settings  # noqa: E402
from workbench.labelstudio.server import LABEL_STUDIO_VERSION as LS_VERSION  # noqa: E402
from workbench.schema import Schema, label_config, load_schema  # noqa: E402

STEPS = ["push", "pull", "reconcile", "export", "ingest"]
SCHEMA_PATH = ROOT / "schemas" / "news-v1.yaml"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
LOAD_HEADING = "## Under load: annotators and pulls at once (benchmarks/load.py)"
BATCH = 250  # push's default batch size; the SDK baseline imports in the same batches
PAGE = 200  # pull's default page size; the SDK baseline pages the same way


@dataclass(frozen=True)
class Size:
    push: int
    pull: int
    reconcile: int
    docs: int


SIZES = {
    "full": Size(push=10_000, pull=10_000, reconcile=100_000, docs=10_000),
    "tiny": Size(push=50, pull=50, reconcile=100, docs=20),
}


@dataclass
class Row:
    what: str
    workbench: str
    baseline: str = ""
    ratio: str = ""
    goal: str = ""
    met: str = ""
    note: str = ""


@dataclass
class Bench:
    size: Size
    runs: int
    workers: int
    tmp: Path
    schema: Schema
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ls_url: str = ""
    ls_token: str = ""


# --------------------------------------------------------------------------- helpers


def median_of(runs: int, fn: Callable[[int], float]) -> float:
    """Median of `fn(run)` over the runs; `fn` does its own set-up and returns seconds."""
    return statistics.median(fn(i) for i in range(runs))


@contextlib.contextmanager
def timer() -> Iterator[list[float]]:
    out: list[float] = []
    start = time.perf_counter()
    yield out
    out.append(time.perf_counter() - start)


def secs(x: float) -> str:
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def settings_for(b: Bench, db: Path, dataset: str) -> Settings:
    return Settings(
        home=b.tmp / "home",
        database_url=fixtures.sqlite_url(db),
        label_studio_url=b.ls_url,
        label_studio_api_key=Secret(b.ls_token),
        dataset=dataset,
        schema_path=SCHEMA_PATH,
        exports_dir=b.tmp / "exports",
    )


def sdk(b: Bench) -> Any:
    from label_studio_sdk import LabelStudio

    return LabelStudio(base_url=b.ls_url, api_key=b.ls_token, timeout=600)  # type: ignore[no-untyped-call]


def unavailable(b: Bench, what: str, module: str) -> bool:
    """A row saying so when a step another engineer is writing has not landed yet."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        b.rows.append(Row(what, "not available yet", note=f"{module}: {exc}"))
        return True
    return False


# --------------------------------------------------------------------------- 1. push


def bench_push(b: Bench) -> None:
    from workbench.labelstudio.client import LabelStudioClient
    from workbench.push import push
    from workbench.store import open_store

    n = b.size.push
    items = synth.items(n, seed=11)
    base = fixtures.build_store(b.tmp / "push-base.db", items, b.schema)
    tasks = fixtures.payloads(items)
    ls = sdk(b)
    config = label_config(b.schema)
    times: dict[str, list[float]] = {"workbench": [], "sdk": []}
    for run in range(b.runs):
        # alternate which goes first so a server warming up or filling up favours neither
        order = ("sdk", "workbench") if run % 2 == 0 else ("workbench", "sdk")
        for who in order:
            if who == "workbench":
                db = fixtures.copy_db(base, b.tmp / "push.db")
                store = open_store(fixtures.sqlite_url(db), migrate=False)
                client = LabelStudioClient(b.ls_url, b.ls_token)
                name = f"push{run}"
                with timer() as t:
                    # like for like: the SDK baseline imports no predictions (suggestions
                    # cost ~0.4 ms a segment: benchmarks/suggest_eval.py)
                    report = push(
                        settings_for(b, db, name),
                        store,
                        b.schema,
                        client,
                        batch_size=BATCH,
                        suggestions=False,
                    )
                store.close()
                assert report.imported == n, report
                project_id = report.project_id
            else:
                with timer() as t:
                    project = ls.projects.create(title=f"sdk push {run}", label_config=config)
                    for i in range(0, n, BATCH):
                        ls.projects.import_tasks(
                            id=project.id, request=tasks[i : i + BATCH], return_task_ids=True
                        )
                project_id = project.id
            times[who].append(t[0])
            ls.projects.delete(id=project_id)  # keep the server's database the same size
    wb, base_t = statistics.median(times["workbench"]), statistics.median(times["sdk"])
    ratio = wb / base_t
    b.rows.append(
        Row(
            f"push {n:,} segments (new project, batches of {BATCH})",
            secs(wb),
            f"SDK import_tasks {secs(base_t)}",
            f"{ratio:.2f}",
            "≤ 1.2",
            verdict(ratio <= 1.2),
            f"{n / wb:,.0f} tasks/s",
        )
    )


# --------------------------------------------------------------------------- 2. pull


def bench_pull(b: Bench) -> None:
    if unavailable(b, "pull", "workbench.pull"):
        return
    from sqlalchemy import select

    from workbench.labelstudio.client import LabelStudioClient
    from workbench.pull import pull
    from workbench.store import open_store
    from workbench.store.models import Annotation, Task

    n = b.size.pull
    items = synth.items(n, seed=22)
    ls = sdk(b)
    client = LabelStudioClient(b.ls_url, b.ls_token)
    users = [client.ensure_user(f"bench-annotator-{a}@example.org") for a in range(3)]
    project = ls.projects.create(title="bench pull", label_config=label_config(b.schema))
    tasks = fixtures.payloads(items)
    for task, it in zip(tasks, items, strict=True):
        task["annotations"] = [
            {"result": result, "completed_by": users[a].id, "ground_truth": False}
            for a, result in enumerate(it.results)
            if result is not None
        ]
    n_annotations = sum(len(t["annotations"]) for t in tasks)
    task_ids: list[int] = []
    for i in range(0, n, BATCH):
        answer = ls.projects.import_tasks(
            id=project.id, request=tasks[i : i + BATCH], return_task_ids=True
        )
        task_ids.extend(answer.task_ids or [])
    base = fixtures.build_store(
        b.tmp / "pull-base.db",
        items,
        b.schema,
        dataset="bench",
        ls_url=client.url,
        project_id=project.id,
        task_ids=task_ids,
    )

    def full(run: int) -> float:
        db = fixtures.copy_db(base, b.tmp / "pull.db")
        store = open_store(fixtures.sqlite_url(db), migrate=False)
        with timer() as t:
            report = pull(
                settings_for(b, db, "bench"), store, LabelStudioClient(b.ls_url, b.ls_token)
            )
        store.close()
        assert report.annotations_new == n_annotations and not report.quarantined, report
        return t[0]

    def raw(run: int) -> float:
        with timer() as t:
            seen = sum(1 for _ in ls.tasks.list(project=project.id, fields="all", page_size=PAGE))
        assert seen == n, seen
        return t[0]

    wb_times, sdk_times = [], []
    for run in range(b.runs):
        sdk_times.append(raw(run))
        wb_times.append(full(run))
    wb, base_t = statistics.median(wb_times), statistics.median(sdk_times)
    ratio = wb / base_t
    b.rows.append(
        Row(
            f"pull {n:,} tasks × 3 annotations (full)",
            secs(wb),
            f"SDK tasks.list {secs(base_t)}",
            f"{ratio:.2f}",
            "≤ 1.2",
            verdict(ratio <= 1.2),
            f"{n_annotations:,} annotations, validated and stored",
        )
    )

    # Incremental: the store as a full pull left it, then 1 % of the annotations change.
    done = fixtures.copy_db(b.tmp / "pull.db", b.tmp / "pull-done.db")
    store = open_store(fixtures.sqlite_url(done), migrate=False)
    with store.session() as session:
        rows = session.execute(
            select(Annotation.ls_annotation_id, Task.segment_id)
            .join(Task, Task.id == Annotation.task_id)
            .order_by(Annotation.ls_annotation_id)
        ).all()
    store.close()
    text_of = {it.segment_id: it.text for it in items}
    changed = rows[::100][: max(1, len(rows) // 100)]
    for ann_id, segment_id in changed:
        rng = random.Random(ann_id)
        text = text_of[segment_id]
        client.update_annotation(
            ann_id, result=synth.annotate(rng, text, synth.truth(rng, text), 0.9)
        )

    def incremental(run: int) -> float:
        db = fixtures.copy_db(done, b.tmp / "pull-inc.db")
        store = open_store(fixtures.sqlite_url(db), migrate=False)
        with timer() as t:
            report = pull(
                settings_for(b, db, "bench"), store, LabelStudioClient(b.ls_url, b.ls_token)
            )
        store.close()
        assert report.annotations_revised == len(changed) and not report.full, report
        return t[0]

    inc = median_of(b.runs, incremental)
    ratio = inc / wb
    b.rows.append(
        Row(
            f"incremental pull, {len(changed)} annotations (1 %) changed",
            secs(inc),
            f"full pull {secs(wb)}",
            f"{ratio:.3f}",
            "≤ 0.1",
            verdict(ratio <= 0.1),
        )
    )
    ls.projects.delete(id=project.id)


# --------------------------------------------------------------------------- 3. reconcile


def bench_reconcile(b: Bench, items: list[synth.Item]) -> None:
    """The consensus methods against crowd-kit's (`workbench reconcile` itself: the store
    rows, `bench_store_reconcile`)."""
    from workbench.reconcile.extract import parse_entries, records_of

    inputs = [
        (it.segment_id, f"annotator-{a + 1:02d}", parse(b.schema, it.text, result).entry())
        for it in items
        for a, result in enumerate(it.results)
        if result is not None
    ]
    parsed = parse_entries(b.schema, *zip(*inputs, strict=True))
    bench_crowdkit(b, records_of(b.schema, parsed).labels)


def bench_crowdkit(b: Bench, labels: list[Any]) -> None:
    import pandas as pd
    from crowdkit.aggregation import DawidSkene, MajorityVote

    from workbench.reconcile.consensus import dawid_skene, majority_vote
    from workbench.reconcile.records import CategoricalData

    data = CategoricalData.from_labels(labels, "sentiment")
    frame = pd.DataFrame(
        {
            "task": [data.items[i] for i in data.item_idx],
            "worker": [data.annotators[a] for a in data.annotator_idx],
            "label": [data.categories[c] for c in data.code],
        }
    )
    methods: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("majority vote", lambda: majority_vote(data), lambda: MajorityVote().fit_predict(frame)),
        (
            "Dawid–Skene",
            lambda: dawid_skene(data).labels,
            lambda: DawidSkene(n_iter=100, tol=1e-5).fit_predict(frame),
        ),
    ]
    for name, ours_fn, theirs_fn in methods:
        ours_t, theirs_t = [], []
        for _ in range(b.runs):
            with timer() as t:
                ours = ours_fn()
            ours_t.append(t[0])
            with timer() as t:
                theirs = theirs_fn()
            theirs_t.append(t[0])
        decided = [c for c in ours if not c.tie]
        same = sum(c.label == theirs[c.item] for c in decided)
        wb, ck = statistics.median(ours_t), statistics.median(theirs_t)
        ratio = wb / ck
        pct = 100 * same / max(1, len(decided))
        b.rows.append(
            Row(
                f"{name}, segment sentiment of {data.n_items:,} segments",
                secs(wb),
                f"crowd-kit {secs(ck)}",
                f"{ratio:.2f}",
                "≤ 1, identical labels",
                verdict(ratio <= 1 and same == len(decided)),
                f"{pct:.2f} % identical ({len(ours) - len(decided):,} ties aside)",
            )
        )


PG_URL = os.environ.get(
    "WORKBENCH_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextlib.contextmanager
def postgres_schema() -> Iterator[str | None]:
    """A private schema in the PostgreSQL database (dropped after), or None without one."""
    import uuid

    import sqlalchemy as sa

    schema = f"wb_bench_{uuid.uuid4().hex[:12]}"
    try:
        admin = sa.create_engine(PG_URL, connect_args={"connect_timeout": 5})
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # no server: the row says so
        say(f"PostgreSQL at {PG_URL} unavailable: {str(exc).splitlines()[0]}")
        yield None
        return
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def reset_reconcile(url: str) -> None:
    """The store as before any reconcile: consensus, states and figures deleted."""
    from sqlalchemy import delete

    from workbench.store import models as m
    from workbench.store import open_store

    store = open_store(url, migrate=False)
    with store.session() as s:
        for model in (
            m.ConsensusLabel,
            m.ConsensusSpan,
            m.ConsensusRelation,
            m.ReconcileState,
            m.AgreementFigures,
        ):
            s.execute(delete(model))
    store.close()


def read_into_arrow(url: str, schema: Schema) -> tuple[float, int]:
    """The raw baseline: the rows reconcile reads (the released annotations with their
    segment, annotator and stored entry; the segments' texts) into Arrow tables, through
    SQLAlchemy Core: (seconds, annotations)."""
    import pyarrow as pa
    from sqlalchemy import select

    from workbench.reconcile.load import released_query
    from workbench.store import models as m
    from workbench.store import open_store

    store = open_store(url, migrate=False)
    start = time.perf_counter()
    with store.session() as s:
        conn = s.connection()
        rows = conn.execute(released_query("bench", schema)).all()  # what reconcile reads
        names = ["id", "segment_id", "annotator", "ls_annotation_id", "revision", "entry"]
        names += ["live", "ground_truth"]
        annotations = pa.table(dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)))
        texts = conn.execute(
            select(m.Segment.id, m.Segment.text).join(m.Task, m.Task.segment_id == m.Segment.id)
        ).all()
        pa.table(dict(zip(["id", "text"], map(list, zip(*texts, strict=True)), strict=True)))
    seconds = time.perf_counter() - start
    store.close()
    return seconds, annotations.num_rows


def cli_reconcile(url: str, limit: float) -> float:
    """`workbench reconcile` as a user runs it (the installed command, in its own process,
    the store named by WORKBENCH_DATABASE_URL): its wall time."""
    exe = Path(sys.executable).with_name("workbench")
    env = {**os.environ, "WORKBENCH_DATABASE_URL": url, "WORKBENCH_DATASET": "bench"}
    start = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "reconcile"], env=env, capture_output=True, text=True, timeout=limit
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"workbench reconcile failed: {proc.stderr.strip()[-2000:]}")
    return seconds


def bench_store_reconcile(
    b: Bench, items: list[synth.Item], on_postgres: Callable[[str], None] | None = None
) -> Path | None:
    """`workbench reconcile` (store → consensus tables and agreement figures) on SQLite and
    on PostgreSQL, each beside the time to read the same rows into Arrow; returns the
    reconciled SQLite store for the export benchmark, and hands the reconciled PostgreSQL
    one (its URL) to `on_postgres` before its schema is dropped."""
    base = fixtures.build_store(
        b.tmp / "rec-base.db",
        items,
        b.schema,
        dataset="bench",
        task_ids=range(1, len(items) + 1),
        annotations=True,
    )
    n = len(items)
    limit = 120 + n // 100  # a quadratic step must cost a row, not the run (loaded VMs: 4x)
    load = os.getloadavg()

    def row(
        engine: str, times: list[float], raw: list[float], n_ann: int, goal: float | None
    ) -> None:
        t, r = statistics.median(times), statistics.median(raw)
        b.rows.append(
            Row(
                f"`workbench reconcile` (CLI), {n:,} segments × 3 annotators, {engine}",
                secs(t),
                f"read the rows into Arrow {secs(r)}",
                f"{t / r:.1f}",
                f"≤ {goal:.0f} s" if goal else "",
                verdict(t <= goal) if goal else "",
                f"{n_ann:,} annotations; fresh store each run (all recomputed): load + parse + "
                "agreement figures + consensus + write, one transaction; runs: "
                + ", ".join(secs(x) for x in times)
                + f"; load average {load[0]:.1f}",
            )
        )

    times, raw = [], []
    n_ann = 0
    for _ in range(b.runs):
        db = fixtures.copy_db(base, b.tmp / "rec.db")
        r, n_ann = read_into_arrow(fixtures.sqlite_url(db), b.schema)
        raw.append(r)
        try:
            times.append(cli_reconcile(fixtures.sqlite_url(db), limit))
        except subprocess.TimeoutExpired:
            b.rows.append(Row("`workbench reconcile` (CLI), SQLite", f"not done in {limit} s"))
            return None
    row("SQLite", times, raw, n_ann, 20)
    with postgres_schema() as url:
        if url is None:
            b.rows.append(Row("`workbench reconcile` (CLI), PostgreSQL", "no server"))
        else:
            fixtures.build_store(
                b.tmp / "unused.db",
                items,
                b.schema,
                dataset="bench",
                task_ids=range(1, n + 1),
                annotations=True,
                url=url,
            )
            times, raw = [], []
            for _ in range(b.runs):
                reset_reconcile(url)
                r, n_ann = read_into_arrow(url, b.schema)
                raw.append(r)
                times.append(cli_reconcile(url, limit))
            row("PostgreSQL", times, raw, n_ann, None)
            if on_postgres is not None:
                on_postgres(url)
    return b.tmp / "rec.db"


# --------------------------------------------------------------------------- 4. export

#: Runs the CLI's own `main` and then writes the process's peak RSS (VmHWM: this process's
#: own pages; `ru_maxrss` of a child starts at its spawning parent's high-water mark).
_CLI_WITH_PEAK = """
import os, sys
from workbench.cli import main
try:
    main()
finally:
    status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
    open(os.environ["BENCH_PEAK_FILE"], "w").write(status)
"""


def cli_export(url: str, exports: Path, limit: float) -> tuple[float, float]:
    """`workbench export` as a user runs it (its own process, the store named by
    WORKBENCH_DATABASE_URL): (wall seconds, peak RSS in MB)."""
    peak_file = exports.with_suffix(".peak")
    env = {
        **os.environ,
        "WORKBENCH_DATABASE_URL": url,
        "WORKBENCH_DATASET": "bench",
        "WORKBENCH_EXPORTS": str(exports),
        "BENCH_PEAK_FILE": str(peak_file),
    }
    args = [sys.executable, "-c", _CLI_WITH_PEAK, "export"]
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=limit)
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or "written to" not in proc.stdout:
        raise RuntimeError(f"workbench export failed: {(proc.stderr or proc.stdout)[-2000:]}")
    return seconds, float(peak_file.read_text()) / 1024


def reset_releases(url: str) -> None:
    """The store as before any export: releases and split assignments deleted."""
    from sqlalchemy import delete

    from workbench.store import models as m
    from workbench.store import open_store

    store = open_store(url, migrate=False)
    with store.session() as s:
        for model in (m.Release, m.SplitAssignment):
            s.execute(delete(model))
    store.close()


def raw_export(url: str, out: Path) -> float:
    """The raw baseline: the rows a release is made of (released annotations with result and
    entry, segments, consensus labels, spans and relations) read through SQLAlchemy Core
    into Arrow and written as Parquet by pyarrow alone, untransformed: its seconds."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import sqlalchemy as sa

    from workbench.store import models as m
    from workbench.store import open_store

    store = open_store(url, migrate=False)
    out.mkdir(parents=True, exist_ok=True)
    a = m.Annotation
    queries = {
        "annotations": sa.select(
            m.Task.segment_id, a.annotator_id, a.ls_annotation_id, a.lead_time,
            a.result_clean, a.result_entry,
        )
        .join(m.Task, m.Task.id == a.task_id)
        .where(a.dataset == "bench", *m.released()),
        "segments": sa.select(m.Segment.id, m.Segment.article_id, m.Segment.text),
        "labels": sa.select(m.ConsensusLabel.__table__),
        "spans": sa.select(m.ConsensusSpan.__table__),
        "relations": sa.select(m.ConsensusRelation.__table__),
    }  # fmt: skip
    start = time.perf_counter()
    with store.engine.connect() as conn:
        for name, query in queries.items():
            result = conn.execute(query)
            names = list(result.keys())
            columns = list(zip(*result.all(), strict=True)) or [()] * len(names)
            table = pa.table(
                {n: pa.array([v if isinstance(v, str | int | float | type(None)) else str(v)
                              for v in c]) for n, c in zip(names, columns, strict=True)}
            )  # fmt: skip
            pq.write_table(table, out / f"{name}.parquet", compression="zstd")
    seconds = time.perf_counter() - start
    store.close()
    return seconds


def bench_export_on(b: Bench, engine: str, url: str, n: int, goal: bool) -> None:
    """`workbench export` (CLI) of a reconciled store, beside the raw baseline, `b.runs`
    times, each a first release."""
    limit = 120 + n // 200
    times, peaks, raw = [], [], []
    for i in range(b.runs):
        reset_releases(url)
        raw.append(raw_export(url, b.tmp / f"raw-{engine}-{i}"))
        t, peak = cli_export(url, b.tmp / f"exports-{engine}-{i}", limit)
        times.append(t)
        peaks.append(peak)
    t, r, peak = statistics.median(times), statistics.median(raw), max(peaks)
    b.rows.append(
        Row(
            f"`workbench export` (CLI), {n:,} segments × 3 annotators, {engine}",
            f"{secs(t)}, peak {peak:,.0f} MB",
            f"pyarrow alone {secs(r)}",
            f"{t / r:.1f}",
            "≤ 12 s, ≤ 1.5 GB" if goal else "",
            verdict(t <= 12 and peak <= 1536) if goal else "",
            "one process; first release (Parquet + JSONL + card + manifest, verified "
            "checksums); peak RSS of the process; baseline: the same rows read through "
            "SQLAlchemy Core and written as Parquet, untransformed; runs: "
            + ", ".join(secs(x) for x in times)
            + f"; load average {os.getloadavg()[0]:.1f}",
        )
    )


def bench_export(b: Bench, reconciled: Path | None, n: int) -> None:
    if reconciled is None:
        b.rows.append(Row(f"`workbench export` (CLI), {n:,} segments, SQLite", "not measured"))
        return
    db = fixtures.copy_db(reconciled, b.tmp / "exp.db")
    bench_export_on(b, "SQLite", fixtures.sqlite_url(db), n, goal=True)


# --------------------------------------------------------------------------- 5. ingest


def bench_ingest(b: Bench) -> None:
    from workbench import corpus
    from workbench.store import open_store

    docs = b.tmp / "docs"
    total = synth.article_files(docs, b.size.docs)
    mb = total / 1e6
    seg_kw: dict[str, Any] = {}
    ingest_kw: dict[str, Any] = {}
    import inspect

    if "workers" in inspect.signature(corpus.segment).parameters:
        seg_kw["workers"] = b.workers
    if "workers" in inspect.signature(corpus.ingest).parameters:
        ingest_kw["workers"] = b.workers
    ingest_t, segment_t, n_segments = [], [], 0
    for _ in range(b.runs):
        db = b.tmp / "ingest.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        store = open_store(fixtures.sqlite_url(db))
        with timer() as t:
            report = corpus.ingest(store, [docs], **ingest_kw)
        ingest_t.append(t[0])
        assert report.count("new") == b.size.docs, report.count("error")
        with timer() as t:
            results = corpus.segment(store, **seg_kw)
        segment_t.append(t[0])
        n_segments = sum(r.segments for r in results)
        store.close()
    it, st = statistics.median(ingest_t), statistics.median(segment_t)
    w = f"{seg_kw.get('workers', 1)} worker(s)"
    b.rows.append(
        Row(
            f"ingest {b.size.docs:,} article files ({mb:.1f} MB)",
            f"{mb / it:.2f} MB/s",
            note=f"{secs(it)}; {ingest_kw.get('workers', 1)} worker(s)",
        )
    )
    b.rows.append(
        Row(
            "segment them (paragraphs, pysbd sentences)",
            f"{mb / st:.2f} MB/s",
            note=f"{secs(st)}; {n_segments:,} segments; {w}",
        )
    )
    b.rows.append(Row("ingest + segment", f"{mb / (it + st):.2f} MB/s", note=secs(it + st)))


# --------------------------------------------------------------------------- main


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def table(rows: list[Row]) -> str:
    head = ["benchmark", "workbench", "baseline", "ratio", "goal", "met", "notes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r.what, r.workbench, r.baseline, r.ratio, r.goal, r.met, r.note]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def merged_table(old: str, rows: list[Row]) -> str:
    """`table(rows)` with the rows of the old file's table that this run did not make (a
    `--only` run replaces its own rows, by their first cell, and keeps the others)."""
    new = table(rows).splitlines()
    at = old.find("\n| benchmark |")
    if at < 0:
        return "\n".join(new)
    lines = [x for x in old[at + 1 :].split("\n\n", 1)[0].splitlines()[2:] if x.startswith("| ")]
    mine = {line.split(" | ", 1)[0]: line for line in new[2:]}
    out = [mine.pop(key, line) for line in lines for key in [line.split(" | ", 1)[0]]]
    return "\n".join(new[:2] + out + list(mine.values()))


def write_results(
    b: Bench, path: Path, size: str, steps: list[str], elapsed: float, partial: bool = False
) -> str:
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = "\n".join(
        [
            "# Benchmark results",
            "",
            "Written by `python benchmarks/run.py` (issue 7): do not edit by hand.",
            "",
            f"- date: {when}",
            f"- commit: {commit()}",
            f"- machine: {machine()}",
            f"- steps: {', '.join(steps)}"
            + (" (the other rows: an earlier run)" if partial else ""),
            f"- size: `{size}`; each figure the median of {b.runs} run(s); "
            f"{os.cpu_count()} cores, {b.workers} worker(s) where the library can use them",
            f"- Label Studio {LS_VERSION} (local server, SQLite), label-studio-sdk "
            f"{_version('label-studio-sdk')}, crowd-kit {_version('crowd-kit')}",
            f"- wall time of the whole benchmark: {elapsed / 60:.1f} min",
            "",
            merged_table(old, b.rows) if partial else table(b.rows),
            "",
        ]
    )
    if b.errors:
        text += "\n## Errors\n\n" + "\n".join(f"- {e}" for e in b.errors) + "\n"
    # benchmarks/load.py's section is its own run (Label Studio on PostgreSQL): kept as it was
    _, heading, load_part = old.partition(LOAD_HEADING)
    if heading:
        text += "\n" + heading + load_part.split("\n## ", 1)[0].rstrip("\n") + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="*", choices=STEPS, help="run only these benchmarks")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--export-store",
        nargs=2,
        action="append",
        metavar=("ENGINE", "URL"),
        help="time the export of this reconciled 10^5-segment store (dataset `bench`, built "
        "as the export step builds it) instead of building one; e.g. SQLite sqlite:///x.db",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    steps = args.only or STEPS
    started = time.perf_counter()
    if args.export_store:  # stores built by an earlier run: only their export is timed
        b = Bench(
            SIZES[args.size], args.runs, max(1, args.workers), Path(), load_schema(SCHEMA_PATH)
        )
        with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp_name:
            b.tmp = Path(tmp_name)
            for engine, url in args.export_store:
                say(f"export of {engine}…")
                bench_export_on(b, engine, url, b.size.reconcile, goal=engine == "SQLite")
            elapsed = time.perf_counter() - started
            text = write_results(b, args.output, args.size, ["export"], elapsed, True)
        print(text)
        return 0
    from workbench.labelstudio import server

    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp_name:
        tmp = Path(tmp_name)
        b = Bench(SIZES[args.size], args.runs, max(1, args.workers), tmp, load_schema(SCHEMA_PATH))
        data_dir = tmp / "label-studio"
        needs_ls = {"push", "pull"} & set(steps)
        info = server.start(data_dir, timeout=600) if needs_ls else None
        try:
            if info is not None:
                b.ls_url, b.ls_token = info.url, info.token

            def step(name: str, fn: Callable[[], Any]) -> Any:
                if name not in steps:
                    return None
                say(f"{name}…")
                t0, before = time.perf_counter(), len(b.rows)
                try:
                    return fn()
                except Exception as exc:  # one broken step must not hide the others
                    traceback.print_exc()
                    b.errors.append(f"{name}: {type(exc).__name__}: {exc}")
                    b.rows.append(Row(name, "error", note=f"{type(exc).__name__}: {exc}"[:200]))
                    return None
                finally:
                    say(f"{name} done in {time.perf_counter() - t0:.0f} s")
                    for row in b.rows[before:]:  # progress: the figures as they come
                        cells = (row.workbench, row.baseline, row.ratio, row.met, row.note)
                        say(f"  {row.what}: {' | '.join(cells)}")

            step("push", lambda: bench_push(b))
            step("pull", lambda: bench_pull(b))
            if info is not None:  # only push and pull use it: the rest runs without it beside
                server.stop(data_dir)
                info = None
            rec_items = (
                synth.items(b.size.reconcile, seed=33)
                if {"reconcile", "export"} & set(steps)
                else []
            )
            step("reconcile", lambda: bench_reconcile(b, rec_items))
            reconciled = step(
                "reconcile" if "reconcile" in steps else "export",
                lambda: bench_store_reconcile(
                    b,
                    rec_items,
                    (lambda url: bench_export_on(b, "PostgreSQL", url, len(rec_items), False))
                    if "export" in steps
                    else None,
                ),
            )
            if "export" in steps:
                step("export", lambda: bench_export(b, reconciled, len(rec_items)))
            step("ingest", lambda: bench_ingest(b))
        finally:
            if info is not None:
                server.stop(data_dir)
        elapsed = time.perf_counter() - started
        text = write_results(b, args.output, args.size, steps, elapsed, args.only is not None)
    print(text)
    return 1 if b.errors else 0


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
