"""The benchmark script at tiny size, so it cannot rot (it is not part of the figures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import load

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    "push ",
    "pull ",
    "incremental pull",
    "majority vote",
    "Dawid–Skene",
    "`workbench reconcile` (CLI)",
    "`workbench export` (CLI), 100 segments × 3 annotators, SQLite",
    "`workbench export` (CLI), 100 segments × 3 annotators, PostgreSQL",
    "ingest ",
    "segment them",
    "ingest + segment",
]


@pytest.mark.labelstudio
def test_benchmark_runs_at_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    load_section = f"{load.HEADING}\n\n| measure | figure | notes |\n| x | 1 /s | kept |\n"
    out.write_text("# Benchmark results\n\nold figures\n\n" + load_section)
    script = ROOT / "benchmarks" / "run.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--size", "tiny", "--runs", "1", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    for name in ROWS:
        assert any(name in row for row in rows), f"no row {name!r} in:\n{text}"
    assert "| error |" not in text
    for field in ("- date:", "- commit:", "- machine:"):
        assert field in text
    # the load benchmark's section (its own run) survives; the old figures do not
    assert "old figures" not in text and text.endswith("\n" + load_section)


def test_load_section_replaces_its_older_self(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\n| a | b |\n\n## Errors\n\n- e\n")
    load.write_section(out, "first\n")
    load.write_section(out, "second\n")
    text = out.read_text()
    assert text.count(load.HEADING) == 1 and "first" not in text
    assert text.startswith("# Benchmark results\n\n| a | b |\n\n## Errors\n\n- e\n")
    assert text.endswith(f"{load.HEADING}\n\nsecond\n")
