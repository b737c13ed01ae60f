"""Helpers of the reliability suite: running the CLI (plain or under `faultrun`), copying and
snapshotting stores, building a Label Studio export of the seed corpus, comparing states."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from workbench import corpus
from workbench.samples import read_samples, to_result
from workbench.schema import Schema, load_schema
from workbench.store import Segment, Store, open_store

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "schemas" / "news-v1.yaml"
SEEDS = ROOT / "seeds"
SAMPLES = SEEDS / "sample-annotations.yaml"
FAULTRUN = Path(__file__).resolve().parent / "faultrun.py"


def schema() -> Schema:
    return load_schema(SCHEMA_PATH)


@dataclass(frozen=True)
class Stages:
    """SQLite stores of the seed corpus, each a step further along (never modified)."""

    export_file: Path  # a Label Studio export of the annotated seed segments
    seeded: Path  # ingested + segmented
    pulled: Path  # + the export pulled into dataset "news"
    reconciled: Path  # + reconciled


# -- running the CLI ---------------------------------------------------------------------------


def cli_env(
    store_url: str,
    *,
    dataset: str = "news",
    ls_url: str | None = None,
    token: str | None = None,
    exports: Path | None = None,
    fault: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """A clean environment for one CLI run (no WORKBENCH_/LABEL_STUDIO_ leaking in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "LABEL_STUDIO_"))}
    env.update(
        WORKBENCH_DATABASE_URL=store_url,
        WORKBENCH_DATASET=dataset,
        WORKBENCH_SCHEMA=str(SCHEMA_PATH),
        PYTHONHASHSEED="0",
        COLUMNS="200",
    )
    if ls_url is not None:
        env["LABEL_STUDIO_URL"] = ls_url
    if token is not None:
        env["LABEL_STUDIO_API_KEY"] = token
    if exports is not None:
        env["WORKBENCH_EXPORTS"] = str(exports)
    if fault is not None:
        env["WB_FAULT"] = json.dumps(dict(fault))
    return env


def cli_command(args: Iterable[str], *, faulty: bool = False) -> list[str]:
    entry = [str(FAULTRUN)] if faulty else ["-m", "workbench"]
    return [sys.executable, *entry, *args]


def run_cli(
    args: Iterable[str],
    env: Mapping[str, str],
    cwd: Path,
    *,
    faulty: bool = False,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_command(args, faulty=faulty),
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_cli(
    args: Iterable[str], env: Mapping[str, str], cwd: Path, *, faulty: bool = False
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_command(args, faulty=faulty),
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str

    @property
    def killed(self) -> bool:
        return self.returncode == -9


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> Outcome:
    out, err = proc.communicate(timeout=timeout)
    return Outcome(proc.returncode, out, err)


def run_all(
    jobs: list[tuple[list[str], dict[str, str], Path, bool]], timeout: float = 300
) -> list[Outcome]:
    """Run CLI commands side by side (independent stores), wait for all."""
    procs = [start_cli(args, env, cwd, faulty=faulty) for args, env, cwd, faulty in jobs]
    return [finish(p, timeout) for p in procs]


# -- stores ------------------------------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def copy_sqlite(src: Path, dst: Path) -> Path:
    """A consistent copy of a SQLite store (the backup API: WAL content included)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    return dst


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in "[{":
        try:  # JSON columns come back as text from a raw select on SQLite
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    return repr(value)


def table_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (alembic_version included), as plain dicts."""
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        out: dict[str, list[dict[str, Any]]] = {}
        with engine.connect() as conn:
            for name, table in sorted(meta.tables.items()):
                out[name] = [dict(r._mapping) for r in conn.execute(sa.select(table))]
        return out
    finally:
        engine.dispose()


def dump_text(url: str) -> str:
    """The whole store as text (for grepping)."""
    lines = []
    for name, rows in table_rows(url).items():
        for row in rows:
            lines.append(name + " " + " ".join(f"{k}={_cell(v)}" for k, v in row.items()))
    return "\n".join(lines)


def snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Per table: row count and a checksum of its sorted rows."""
    out = {}
    for name, rows in table_rows(url).items():
        cells = sorted("\x1f".join(f"{k}={_cell(v)}" for k, v in sorted(r.items())) for r in rows)
        out[name] = (len(rows), hashlib.sha256("\n".join(cells).encode()).hexdigest()[:16])
    return out


#: Columns that differ between two runs doing the same work (row ids, times, lock owners).
VOLATILE = {"id", "token", "owner_pid", "owner_host", "owner_started", "path", "manifest"}


def semantic_state(
    url: str, *, ignore: Iterable[str] = (), datasets: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """The store's content independent of row ids and timestamps: what two runs doing the same
    work must agree on. Task references become segment ids, annotator references pseudonyms;
    `datasets` renames dataset names (two runs into two Label Studio projects)."""
    rows = table_rows(url)
    skip = VOLATILE | set(ignore)
    rename = dict(datasets or {})
    task_of = {t["id"]: t["segment_id"] for t in rows.get("tasks", [])}
    who = {a["id"]: a["pseudonym"] for a in rows.get("annotators", [])}
    out: dict[str, list[str]] = {}
    for name, table in rows.items():
        if name == "alembic_version":
            continue
        cells = []
        for row in table:
            items = []
            for key, value in sorted(row.items()):
                if key in skip or key.endswith("_at"):
                    continue
                if key == "task_id":
                    value = task_of.get(value, value)
                elif key == "annotator_id":
                    value = who.get(value, value)
                elif isinstance(value, str) and value in rename:
                    value = rename[value]
                items.append(f"{key}={_cell(value)}")
            cells.append(" ".join(items))
        out[name] = sorted(cells)
    return out


def diff_states(a: Mapping[str, list[str]], b: Mapping[str, list[str]]) -> list[str]:
    """Readable differences between two semantic states (empty when equal)."""
    problems = []
    for name in sorted(set(a) | set(b)):
        left, right = set(a.get(name, [])), set(b.get(name, []))
        if left != right or len(a.get(name, [])) != len(b.get(name, [])):
            only_a = sorted(left - right)[:3]
            only_b = sorted(right - left)[:3]
            problems.append(
                f"{name}: {len(a.get(name, []))} vs {len(b.get(name, []))} rows; "
                f"only in first: {only_a}; only in second: {only_b}"
            )
    return problems


# -- the seed corpus as a Label Studio export ----------------------------------------------------


def seed_store(path: Path) -> Store:
    """A SQLite store with the seeds ingested and segmented."""
    store = open_store(sqlite_url(path))
    corpus.ingest(store, [SEEDS])
    corpus.segment(store)
    return store


def sample_export(store: Store, *, first_task_id: int = 1001) -> list[dict[str, Any]]:
    """A Label Studio JSON export of the seed segments that `seeds/sample-annotations.yaml`
    annotates (three annotators each), in Label Studio 1.23's export shape."""
    the_schema = schema()
    data = read_samples(SAMPLES)
    users = {email: 501 + n for n, email in enumerate(data["annotators"])}
    with store.session() as s:
        segments = list(s.scalars(sa.select(Segment).where(Segment.retired_at.is_(None))))
    tasks: list[dict[str, Any]] = []
    annotation_id = 7001
    for n, entry in enumerate(data["segments"]):
        matches = [seg for seg in segments if seg.text.startswith(entry["find"])]
        assert len(matches) == 1, entry["find"]
        seg = matches[0]
        annotations = []
        for k, (email, spec) in enumerate(entry["annotations"].items()):
            stamp = f"2024-05-{n + 1:02d}T10:{k:02d}:00.000000Z"
            annotations.append(
                {
                    "id": annotation_id,
                    "completed_by": {"id": users[email], "email": email},
                    "result": to_result(the_schema, seg.text, spec, f"segments[{n}]"),
                    "was_cancelled": False,
                    "ground_truth": False,
                    "lead_time": 10.0 + k,
                    "created_at": stamp,
                    "updated_at": stamp,
                    "task": first_task_id + n,
                }
            )
            annotation_id += 1
        tasks.append(
            {
                "id": first_task_id + n,
                "data": {"text": seg.text, "segment_id": seg.id, "article_id": seg.article_id},
                "annotations": annotations,
                "predictions": [],
                "created_at": "2024-05-01T09:00:00.000000Z",
                "updated_at": f"2024-05-{n + 1:02d}T10:59:00.000000Z",
            }
        )
    return tasks


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"
