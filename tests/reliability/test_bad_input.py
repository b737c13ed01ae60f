"""A corpus of bad input through the CLI: each case gets one line naming the problem (or a
quarantine entry saying what is wrong), a documented exit code (README "Exit codes"), and the
store does not change beyond that quarantine entry (row counts and checksums of every table
are compared before and after).

The CLI runs in-process (`workbench.cli.main`, exactly what `python -m workbench` runs) so that
the matrix stays fast; the crash and secrets tests run it as a real process.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import reliability_helpers as rh
import sqlalchemy as sa
from reliability_helpers import Stages

from workbench.cli import main
from workbench.store import Annotation, open_store

SCHEMA_TEXT = rh.SCHEMA_PATH.read_text(encoding="utf-8")


def _file(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(content)
        return path

    return make


def _huge(tmp: Path) -> Path:
    path = tmp / "huge.txt"
    with open(path, "wb") as fh:  # 50 MB of text, written sparse-free but quickly
        fh.write((b"The minister said the plan will work. " * 27) + b"\n")
        fh.truncate(50 * 1024 * 1024)
    return path


def _schema(name: str, text: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_text(text, encoding="utf-8")
        (tmp / "news-v1.md").write_text("guidelines", encoding="utf-8")
        return path

    return make


DUPLICATE_LABEL = SCHEMA_TEXT.replace("- name: Cue", "- name: Source", 1)
UNKNOWN_KEY = SCHEMA_TEXT.replace("id: news-v1\n", "id: news-v1\nflavour: vanilla\n", 1)
XML_ILLEGAL = SCHEMA_TEXT.replace(
    'title: "News claims, attribution and sentiment (v1)"', 'title: "News \\x01 claims"', 1
)


def _export(mutate: Callable[[list[dict[str, Any]]], None]) -> Callable[[Path, Stages], Path]:
    def make(tmp: Path, stages: Stages) -> Path:
        tasks = json.loads(stages.export_file.read_text(encoding="utf-8"))
        tasks = copy.deepcopy(tasks)
        mutate(tasks)
        return rh.write_json(tmp / "bad-export.json", tasks)

    return make


def _new_annotation(task: dict[str, Any], result: list[dict[str, Any]]) -> None:
    base = task["annotations"][0]
    task["annotations"].append(
        {**base, "id": 9001, "result": result, "updated_at": "2024-06-01T00:00:00.000000Z"}
    )


def _out_of_range(tasks: list[dict[str, Any]]) -> None:
    task = tasks[0]
    region = next(r for r in task["annotations"][0]["result"] if r["type"] == "labels")
    bad = copy.deepcopy(region)
    bad["value"].update(start=5, end=len(task["data"]["text"]) + 500)
    bad["value"].pop("text", None)
    _new_annotation(task, [bad])


def _missing_region(tasks: list[dict[str, Any]]) -> None:
    task = tasks[0]
    result = copy.deepcopy(task["annotations"][0]["result"])
    result.append(
        {
            "type": "relation",
            "from_id": "no-such-region",
            "to_id": "nor-this-one",
            "direction": "right",
            "labels": ["attributed_to"],
        }
    )
    _new_annotation(task, result)


def _unknown_task(tasks: list[dict[str, Any]]) -> None:
    ghost = copy.deepcopy(tasks[0])
    ghost["id"] = 424242
    ghost["data"] = {}  # a task the store has never seen, and nothing to make it from
    for n, a in enumerate(ghost["annotations"]):
        a["id"] = 99000 + n
        a["task"] = 424242
    tasks[:] = [ghost]


@dataclass
class Case:
    name: str
    args: Callable[[Path, Stages], list[str]]
    code: int | set[int]
    message: str  # regex the one stderr line must match ("" when no line is expected)
    changes: set[str] = field(default_factory=set)  # tables allowed to change
    check: Callable[[str], None] | None = None  # further checks on the store (by URL)


def _ingest(make: Callable[[Path], Path]) -> Callable[[Path, Stages], list[str]]:
    return lambda tmp, _stages: ["ingest", str(make(tmp))]


def _schema_args(command: str, make: Callable[[Path], Path]) -> Callable[[Path, Stages], list[str]]:
    if command == "validate":
        return lambda tmp, _stages: ["schema", "validate", str(make(tmp))]
    return lambda tmp, _stages: ["push", "--schema", str(make(tmp))]


def _pull(make: Callable[[Path, Stages], Path]) -> Callable[[Path, Stages], list[str]]:
    return lambda tmp, stages: ["pull", "--from-file", str(make(tmp, stages))]


def _quarantined(pattern: str) -> Callable[[str], None]:
    def check(url: str) -> None:
        store = open_store(url)
        with store.session() as s:
            row = s.scalars(sa.select(Annotation).where(Annotation.ls_annotation_id == 9001)).one()
        store.close()
        assert row.status == "quarantined"
        assert any(re.search(pattern, p) for p in row.problems or []), row.problems

    return check


def _html_is_clean(url: str) -> None:
    rows = rh.table_rows(url)
    (article,) = [a for a in rows["articles"] if a["source_path"].endswith("scripts.html")]
    assert "Parliament passed the budget" in article["text"]
    for leaked in ("alert(", "document.cookie", "color:", "tracker"):
        assert leaked not in article["text"]


HTML = b"""<html><head><title>Budget passed</title>
<style>body { color: red; }</style><script>alert(document.cookie)</script></head>
<body><script src="tracker.js"></script><p>Parliament passed the budget on Tuesday.</p>
<noscript>tracker</noscript><p>The minister said it would cut the deficit.</p></body></html>"""

CASES = [
    Case("empty file", _ingest(_file("empty.txt", b"")), 9, r"empty\.txt: empty file$"),
    Case(
        "binary file",
        _ingest(_file("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)),
        9,
        r"binary\.txt: binary file",
    ),
    Case("50 MB article", _ingest(_huge), 9, r"huge\.txt: 52 MB is too large for an article"),
    Case(
        "undecodable bytes",
        _ingest(_file("latin1.txt", "Caf\u00e9 au lait, said the minister.".encode("latin-1"))),
        9,
        r"latin1\.txt: not UTF-8 text \(undecodable byte at offset 3\)",
    ),
    Case(
        "HTML with scripts and styles",
        _ingest(_file("scripts.html", HTML)),
        0,
        "",
        changes={"articles"},
        check=_html_is_clean,
    ),
    Case(
        "schema with duplicate labels",
        _schema_args("validate", _schema("dup.yaml", DUPLICATE_LABEL)),
        4,
        r"dup\.yaml.*label 'Source' is already defined",
    ),
    Case(
        "push with a schema with duplicate labels",
        _schema_args("push", _schema("dup.yaml", DUPLICATE_LABEL)),
        4,
        r"dup\.yaml.*label 'Source' is already defined",
    ),
    Case(
        "schema with unknown keys",
        _schema_args("validate", _schema("unknown.yaml", UNKNOWN_KEY)),
        4,
        r"unknown\.yaml.*unknown key 'flavour'",
    ),
    Case(
        "schema with characters illegal in XML",
        _schema_args("validate", _schema("xml.yaml", XML_ILLEGAL)),
        4,
        r"xml\.yaml.*U\+0001, a character XML cannot carry",
    ),
    Case(
        "truncated Label Studio export",
        _pull(lambda tmp, stages: _file("trunc.json", stages.export_file.read_bytes()[:-700])(tmp)),
        3,
        r"trunc\.json: truncated JSON",
    ),
    Case(
        "export that is not JSON at all",
        _pull(lambda tmp, _stages: _file("binary.json", b"\x00\x01\x02\xff" * 64)(tmp)),
        3,
        r"binary\.json: not UTF-8",
    ),
    Case(
        "export with annotations for unknown tasks",
        _pull(_export(_unknown_task)),
        9,
        r"items could not be read",
    ),
    Case(
        "results with offsets out of range",
        _pull(_export(_out_of_range)),
        0,
        "",
        changes={"annotations", "pull_state"},  # the load's time, for status
        check=_quarantined(r"(?i)(out of range|beyond|exceeds|outside)"),
    ),
    Case(
        "relations to missing regions",
        _pull(_export(_missing_region)),
        0,
        "",
        changes={"annotations", "pull_state"},  # the load's time, for status
        check=_quarantined(r"no-such-region"),
    ),
    Case(
        "label-rows file with missing columns",
        _ingest(lambda tmp: tmp),  # replaced below
        3,
        r"rows\.csv.*(column|annotator)",
    ),
]
CASES[-1].args = lambda tmp, _stages: [
    "agreement",
    str(_file("rows.csv", b"item,label\nseg-1,positive\nseg-2,negative\n")(tmp)),
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gets_one_line_an_exit_code_and_changes_nothing_else(
    case: Case,
    stages: Stages,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = rh.copy_sqlite(stages.pulled, tmp_path / "store.db")
    url = rh.sqlite_url(db)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for key in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "WORKBENCH_HOME"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", url)
    monkeypatch.setenv("WORKBENCH_SCHEMA", str(rh.SCHEMA_PATH))
    monkeypatch.setenv("WORKBENCH_DATASET", "news")
    argv = case.args(work, stages)
    before = rh.snapshot(url)

    code, out, err = run(argv, capsys)

    allowed = case.code if isinstance(case.code, set) else {case.code}
    assert code in allowed, f"exit {code}: {err}"
    assert "Traceback" not in err + out
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    if case.message:
        assert errors, err
        assert len(errors) <= 2 and all("\n" not in e for e in errors)
        assert any(re.search(case.message, e) for e in errors), errors
    else:
        assert errors == [], err
    after = rh.snapshot(url)
    changed = {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}
    assert changed <= case.changes, f"tables changed: {sorted(changed)}"
    if case.check is not None:
        case.check(url)
