"""`workbench status --json` and `workbench problems --json` through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "news-v1.yaml"
TEXT = "The minister said the plan will work."


def run(tmp_path: Path, *args: str, store: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WORKBENCH_DATABASE_URL": store or f"sqlite:///{tmp_path / 'store.db'}",
        "WORKBENCH_SCHEMA": str(SCHEMA),
        "WORKBENCH_DATASET": "team",
    }
    env.pop("LABEL_STUDIO_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def annotation(i: int, who: int, result: list[Any], lead: float, **extra: Any) -> dict[str, Any]:
    return {
        "id": i,
        "completed_by": {"id": who, "email": f"user{who}@example.com"},
        "result": result,
        "was_cancelled": False,
        "ground_truth": False,
        "lead_time": lead,
        "created_at": f"2026-01-01T00:00:0{i}.000000Z",
        "updated_at": f"2026-01-01T00:00:0{i}.000000Z",
        **extra,
    }


def test_status_and_problems_json(tmp_path: Path) -> None:
    ok = [{"from_name": "sentiment", "to_name": "text", "type": "choices",
           "value": {"choices": ["neutral"]}}]  # fmt: skip
    bad = [{"from_name": "sentiment", "to_name": "text", "type": "choices",
            "value": {"choices": ["furious"]}}]  # fmt: skip
    export = [
        {
            "id": 1,
            "data": {"text": TEXT},
            "annotations": [annotation(1, 7, ok, 10.0), annotation(2, 8, ok, 30.0)],
        },
        {
            "id": 2,
            "data": {"text": TEXT + " Again."},
            "annotations": [
                annotation(3, 7, ok, 20.0),
                annotation(4, 8, bad, 5.0),
                annotation(5, 9, [], 1.0, was_cancelled=True),
            ],
        },
        {"id": 3, "data": {"text": "Nobody labelled this."}, "annotations": []},
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")

    pulled = run(tmp_path, "pull", "--from-file", str(path), "--json")
    assert pulled.returncode == 0, pulled.stderr
    report = json.loads(pulled.stdout)
    assert report["annotations_new"] == 5 and len(report["quarantined"]) == 1

    result = run(tmp_path, "status", "--json")
    assert result.returncode == 0, result.stderr
    [team] = json.loads(result.stdout)
    assert team["dataset"] == "team" and team["tasks_pushed"] == 3
    assert team["overlap"] == 2  # most annotators seen on one task
    assert team["annotations_per_task"] == {"0": 1, "1": 1, "2": 1}
    assert (team["annotations"], team["skipped"], team["quarantined"]) == (3, 1, 1)
    assert team["complete_tasks"] == 1
    people = {a["pseudonym"]: a for a in team["annotators"]}
    assert people["annotator-01"]["email"] == "user7@example.com"
    assert people["annotator-01"]["annotations"] == 2
    assert people["annotator-01"]["median_lead_time"] == 15.0
    assert people["annotator-02"]["quarantined"] == 1

    problems = run(tmp_path, "problems", "--json")
    assert problems.returncode == 0, problems.stderr
    [row] = json.loads(problems.stdout)
    assert (row["ls_task_id"], row["ls_annotation_id"], row["annotator"]) == (
        2,
        4,
        "annotator-02",
    )
    assert "furious" in row["problems"][0]
    # for the annotator: the same problem in the view's words, with what to do
    mine = run(tmp_path, "problems", "--annotator", "USER8@example.com", "--json")
    assert mine.returncode == 0, mine.stderr
    [row] = json.loads(mine.stdout)
    said, missing = row["problems"]
    choices = "negative, neutral, positive, mixed"
    assert said == f"“furious” is not an answer to “Sentiment”: choose one of {choices}."
    assert missing == "“Segment sentiment” is not answered: answer it."
    assert (
        json.loads(run(tmp_path, "problems", "--annotator", "user7@example.com", "--json").stdout)
        == []
    )

    text = run(tmp_path, "status")
    assert text.returncode == 0 and "annotator-01" in text.stdout and "team" in text.stdout

    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": 1', encoding="utf-8")
    failed = run(tmp_path, "pull", "--from-file", str(broken))
    assert failed.returncode == 3
    assert failed.stderr.strip().count("\n") == 0 and "broken.json" in failed.stderr


def test_times_in_json_are_utc_alike_on_both_engines(store_url: str, tmp_path: Path) -> None:
    """SQLite hands back naive times, PostgreSQL aware ones: scripts get one format (a live
    pull's times in `status`: `test_maintainer_runs.py`)."""
    ok = [{"from_name": "sentiment", "to_name": "text", "type": "choices",
           "value": {"choices": ["neutral"]}}]  # fmt: skip
    task = {"id": 1, "data": {"text": TEXT}}
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{**task, "annotations": [annotation(1, 7, ok, 1.0)]}]))
    for step in (["pull", "--from-file", str(path)], ["reconcile"], ["export"]):
        done = run(tmp_path, *step, store=store_url)
        assert done.returncode == 0, done.stderr
    [release] = json.loads(run(tmp_path, "releases", "--json", store=store_url).stdout)
    assert datetime.fromisoformat(release["created_at"]).utcoffset() == timedelta(0)
