"""Labels from outside Label Studio, end to end through the CLI (`python -m workbench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Wikipedia, "Fleiss' kappa": 10 subjects × 14 raters × 5 categories, κ = 0.210.
FLEISS_WIKI = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def fleiss_csv(tmp_path: Path) -> Path:
    rows = ["item,annotator,label"]
    for i, counts in enumerate(FLEISS_WIKI, start=1):
        rater = 0
        for cat, n in enumerate(counts, start=1):
            for _ in range(n):
                rater += 1
                rows.append(f"s{i},r{rater:02d},c{cat}")
    path = tmp_path / "fleiss.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_fleiss_example_from_csv(fleiss_csv: Path, tmp_path: Path) -> None:
    proc = run("agreement", str(fleiss_csv), "--json", "--n-boot", "200", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    field = json.loads(proc.stdout)["fields"][0]
    assert round(field["fleiss_kappa"]["value"], 3) == 0.210
    assert field["fleiss_kappa"]["n_items"] == 10
    for name in ("krippendorff_alpha", "fleiss_kappa", "percent_agreement"):
        assert set(field[name]) >= {"value", "n_items", "ci_low", "ci_high"}
        assert field[name]["ci_low"] <= field[name]["value"] <= field[name]["ci_high"]
    assert len(field["cohen_kappa"]) == 14 * 13 // 2
    assert round(field["percent_agreement"]["value"], 3) == 0.378  # Wikipedia's P̄


def test_html_report(fleiss_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "report" / "agreement.html"
    proc = run("agreement", str(fleiss_csv), "--html", str(out), "--n-boot", "50", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 3 and "Cohen" in page and "<script" not in page


def test_several_fields_in_jsonl_and_consensus(tmp_path: Path) -> None:
    lines = []
    for item, votes in {"i1": "aab", "i2": "abb", "i3": "aaa", "i4": "abc"}.items():
        for ann, v in zip(("x", "y", "z"), votes, strict=True):
            lines.append({"item": item, "annotator": ann, "label": v, "field": "topic"})
            lines.append({"item": item, "annotator": ann, "label": "yes", "field": "relevant"})
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    proc = run("agreement", str(path), "--json", "--n-boot", "50", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [f["field"] for f in json.loads(proc.stdout)["fields"]] == ["relevant", "topic"]

    proc = run("reconcile", "--labels", str(path), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)["items"]
    got = {(c["field"], c["item"], c["method"]): c for c in items}
    assert {m for _, _, m in got} == {"majority_vote", "dawid_skene"}
    vote = got[("topic", "i1", "majority_vote")]
    assert (vote["label"], vote["support"], round(vote["confidence"], 3)) == (
        "a",
        ["x", "y"],
        0.667,
    )
    assert got[("topic", "i4", "majority_vote")]["label"] is None
    assert got[("topic", "i3", "dawid_skene")]["label"] == "a"

    proc = run(
        "reconcile",
        "--labels",
        str(path),
        "--method",
        "vote",
        "--min-support",
        "1.0",
        "--json",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    decided = {
        c["item"] for c in json.loads(proc.stdout)["items"] if c["label"] and c["field"] == "topic"
    }
    assert decided == {"i3"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("nolabel.csv", "item,annotator,value\n1,a,x\n", "missing column 'label'"),
        ("empty.csv", "", "empty file"),
        ("bad.jsonl", '{"item": 1, "annotator": "a", "label": "x"}\n{oops\n', "line 2: bad JSON"),
        ("cols.jsonl", '{"item": 1, "label": "x"}\n', "missing column 'annotator' (line 1"),
    ],
)
def test_bad_files_are_one_line_and_exit_3(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    for args in (["agreement", str(path)], ["reconcile", "--labels", str(path)]):
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode == 3, proc.stderr
        assert proc.stderr.count("\n") == 1 and message in proc.stderr
        assert name in proc.stderr


def test_bad_min_support_is_a_config_error(fleiss_csv: Path, tmp_path: Path) -> None:
    proc = run("reconcile", "--labels", str(fleiss_csv), "--min-support", "1.5", cwd=tmp_path)
    assert proc.returncode == 4 and "min-support" in proc.stderr
