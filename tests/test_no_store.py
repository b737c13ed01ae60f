"""Commands run where there is no store: the ones that read or work on stored data say so in
one line (exit 4) and make nothing — before, they left an empty `.workbench/workbench.db` in
whatever folder they ran in and reported an empty store; the ones that start a store (ingest)
still do. On SQLite (a folder without a store) and PostgreSQL (an empty schema)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

READERS = [
    ("status",),
    ("problems",),
    ("articles",),
    ("segments",),
    ("segment",),
    ("push",),
    ("agreement",),
    ("reconcile",),
    ("disagreements",),
    ("releases",),
    ("export", "news"),
    ("adjudicate", "push"),
]


def cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH", "LABEL_STUDIO"))}
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _tables(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        return sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a))
def test_a_reader_in_a_folder_without_a_store_makes_none(tmp_path: Path, args: tuple[str]) -> None:
    out = cli(tmp_path, *args)
    assert out.returncode == 4, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert "no workbench store at sqlite:///" in lines[0]
    assert str(tmp_path / ".workbench" / "workbench.db") in lines[0]
    assert "WORKBENCH_DATABASE_URL" in lines[0]
    assert not (tmp_path / ".workbench").exists()


def test_db_status_says_there_is_none_and_ingest_starts_one(
    tmp_path: Path, seeds_dir: Path
) -> None:
    out = cli(tmp_path, "db", "status", "--json")
    assert out.returncode == 0, out.stderr
    assert '"revision": null' in out.stdout
    assert not (tmp_path / ".workbench").exists()
    article = next(seeds_dir.glob("*.txt"))
    assert cli(tmp_path, "ingest", str(article)).returncode == 0
    assert (tmp_path / ".workbench" / "workbench.db").is_file()
    out = cli(tmp_path, "status")
    assert out.returncode == 0, out.stderr


@pytest.mark.postgres
def test_a_reader_leaves_an_empty_postgresql_schema_empty(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    for args in (("status",), ("agreement",), ("releases",)):
        out = cli(tmp_path, *args, WORKBENCH_DATABASE_URL=postgres_schema_url)
        assert out.returncode == 4, out.stderr
        assert "no workbench store at postgresql" in out.stderr
        assert _tables(postgres_schema_url) == []
    out = cli(tmp_path, "db", "upgrade", WORKBENCH_DATABASE_URL=postgres_schema_url)
    assert out.returncode == 0, out.stderr
    assert "datasets" in _tables(postgres_schema_url)
