"""README's "Bring your own Label Studio project" with an export file: import the config, pull
the export, reconcile, export — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from workbench.config import Settings, load_settings
from workbench.export.release import export_dataset
from workbench.pull_file import pull_from_file
from workbench.reconcile import commands
from workbench.reconcile.save import reconcile
from workbench.schema import Schema, load_schema
from workbench.schema.fetch import import_schema
from workbench.store import Store

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tests" / "fixtures" / "configs" / "ner_relations.xml"
TEXTS = [
    "Steve Jobs founded Apple in 1976 in Los Altos.",
    "Satya Nadella has led Microsoft since 2014.",
    "Larry Page and Sergey Brin started Google in 1998.",
]
PEOPLE = ["Steve Jobs", "Satya Nadella", "Larry Page"]
ORGS = ["Apple", "Microsoft", "Google"]


def _span(rid: str, text: str, part: str, label: str) -> dict[str, Any]:
    start = text.index(part)
    value = {"start": start, "end": start + len(part), "text": part, "labels": [label]}
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def _on(region: dict[str, Any], name: str, kind: str, answer: Any) -> dict[str, Any]:
    value = {k: region["value"][k] for k in ("start", "end")}
    if kind == "choices":
        value.update(text=region["value"]["text"], choices=answer)
    else:
        value["text"] = answer
    return {"id": region["id"], "from_name": name, "to_name": "text", "type": kind, "value": value}


def export_file(path: Path) -> Path:
    """Three tasks, two annotators each; they disagree on one person's role."""
    tasks = []
    for i, text in enumerate(TEXTS):
        annotations = []
        for user in (1, 2):
            person = _span(f"p{i}{user}", text, PEOPLE[i], "Person")
            org = _span(f"o{i}{user}", text, ORGS[i], "Organization")
            role = "Executive" if (i, user) == (1, 2) else "Founder"
            result = [
                person,
                org,
                _on(person, "person_role", "choices", [role]),
                _on(org, "region_notes", "textarea", [f"note {i}{user}"]),
                {"from_id": org["id"], "to_id": person["id"], "type": "relation",
                 "direction": "right", "labels": ["org:founded_by"]},
            ]  # fmt: skip
            stamp = f"2026-01-0{i + 1}T10:00:0{user}Z"
            annotations.append(
                {"id": 100 + 2 * i + user, "completed_by": user, "result": result,
                 "created_at": stamp, "updated_at": stamp}
            )  # fmt: skip
        tasks.append({"id": 10 + i, "data": {"text": text}, "annotations": annotations})
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    out = tmp_path / "team.yaml"
    out.write_text(import_schema(config=CONFIG, schema_id="team-ner").yaml, encoding="utf-8")
    return out


@pytest.fixture
def settings(store_url: str, tmp_path: Path, imported: Path) -> Settings:
    return load_settings(
        {"database_url": store_url, "dataset": "team", "schema_path": str(imported)},
        cwd=tmp_path,
        environ={},
    )


def test_import_pull_reconcile_export(
    store: Store, settings: Settings, imported: Path, tmp_path: Path
) -> None:
    schema: Schema = load_schema(imported)
    report = pull_from_file(settings, store, export_file(tmp_path / "export.json"))
    assert (report.annotations_new, len(report.quarantined), report.skipped) == (6, 0, [])
    rec = reconcile(store, schema, "team")
    assert (rec.recomputed, rec.spans_decided, rec.relations_decided) == (3, 6, 3)
    release = export_dataset(store, tmp_path / "exports", "team", schema)
    assert release.counts["annotations"] == 6 and release.counts["spans"] == 6
    relations = pq.read_table(release.path / "relations.parquet").to_pylist()
    assert len(relations) == 3 and {r["kind"] for r in relations} == {"org:founded_by"}
    rows = [json.loads(line) for line in (release.path / "segments.jsonl").open()]
    notes = {
        s["attributes"].get("region_notes", [""])[0]
        for row in rows
        for a in row["annotations"]
        for s in a["spans"]
    }
    assert {"note 01", "note 12"} <= notes  # free text kept, per region, as annotated


def test_agreement_on_a_schema_with_questions_for_any_region(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    pull_from_file(settings, store, export_file(tmp_path / "export.json"))
    report = commands.agreement(settings, store, n_boot=50)
    # a question of one label is measured; one for any label's regions is stored, not measured
    assert {f.field for f in report.fields} >= {"Person.person_role"}
