"""The command line as a user runs it: a subprocess, real exit codes, stdout vs stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import workbench

ROOT = Path(__file__).resolve().parent.parent


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "LABEL_STUDIO_"))
    }
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_help_and_version(tmp_path: Path) -> None:
    out = run("--help", cwd=tmp_path)
    assert out.returncode == 0 and "ingest" in out.stdout and "segment" in out.stdout
    version = run("--version", cwd=tmp_path)
    assert version.returncode == 0 and workbench.__version__ in version.stdout


def test_ingest_segment_list_json(tmp_path: Path) -> None:
    seeds = ROOT / "seeds"
    out = run("ingest", str(seeds), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "5 new" in out.stdout
    assert (tmp_path / ".workbench" / "workbench.db").exists()
    again = run("ingest", str(seeds), "--json", cwd=tmp_path)
    assert {r["status"] for r in json.loads(again.stdout)} == {"unchanged"}
    assert run("segment", cwd=tmp_path).returncode == 0
    articles = json.loads(run("articles", "--json", cwd=tmp_path).stdout)
    assert len(articles) == 5
    segments = json.loads(run("segments", "--json", cwd=tmp_path).stdout)
    assert len(segments) == sum(a["segments"] for a in articles)
    table = run("articles", cwd=tmp_path)
    assert table.returncode == 0 and "Andrew Korybko" in table.stdout


def test_bad_file_one_line_error_nonzero_exit_others_ingested(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    out = run("ingest", "bad.txt", str(ROOT / "seeds" / "002_af2b47d82d3e3151.txt"), cwd=tmp_path)
    assert out.returncode == 9
    errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert any("bad.txt" in e and "binary" in e for e in errors)
    assert "Traceback" not in out.stderr
    assert "1 new" in out.stdout


def test_store_newer_than_code_is_a_clear_refusal(tmp_path: Path) -> None:
    import sqlalchemy as sa

    assert (
        run("ingest", str(ROOT / "seeds" / "002_af2b47d82d3e3151.txt"), cwd=tmp_path).returncode
        == 0
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / '.workbench' / 'workbench.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    out = run("articles", cwd=tmp_path)
    assert out.returncode == 5
    assert "newer than this workbench" in out.stderr and "Traceback" not in out.stderr


def test_up_runs_main_job_and_is_idempotent(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    try:  # the main job as the README runs it: the whole loop, then again
        first = run("up", "--json", cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        summary = json.loads(first.stdout)
        assert summary["articles"] == 5 and summary["new_segments"] == summary["segments"] > 0
        assert summary["push"]["imported"] == summary["segments"]
        assert summary["label_studio_url"].startswith("http://127.0.0.1:")
        # the sample annotations went in as three annotators, came back, and were released
        assert summary["samples"]["created"] == 24
        assert summary["pull"]["annotations_new"] == 24
        assert summary["reconcile"]["recomputed"] == 8
        assert summary["export"]["version"] == "v0001"
        release = tmp_path / "exports" / "news" / "v0001"
        assert (release / "manifest.json").is_file() and (release / "segments.parquet").is_file()
        # reconcile's agreement figures are the release's (stored, then reused by the export)
        manifest = json.loads((release / "manifest.json").read_text())
        assert summary["reconcile"]["agreement"] == manifest["agreement"]
        assert manifest["agreement"]["segment"]["sentiment"]["krippendorff_alpha"]["value"]
        second = run("up", cwd=tmp_path)
        assert second.returncode == 0, second.stderr
        assert "0 new tasks" in second.stdout and "log in as" in second.stdout
        assert "agreement: alpha[sentiment] " in second.stdout
        assert "(0 new)" in second.stdout and "nothing changed since v0001" in second.stdout
        assert "pulled: 0 new, 0 revised, 0 deleted" in second.stdout
        assert sorted(p.name for p in (tmp_path / "exports" / "news").iterdir()) == ["v0001"]
    finally:
        run("server", "stop", cwd=tmp_path)
