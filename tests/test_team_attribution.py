"""A team's own attribution project brought in from a Label Studio export: Source / Cue /
Content spans with relations `source_of` and `cue_of` (names of the team's choosing, between
any labels), a discontinuous Content drawn as one region per fragment, paragraphs an annotator
left empty — the shape of a professionally annotated corpus converted to a Label Studio export
(invented sentences)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from workbench import render
from workbench.config import Settings, load_settings
from workbench.export.release import export_dataset
from workbench.pull_file import pull_from_file
from workbench.reconcile import commands
from workbench.reconcile.save import reconcile
from workbench.schema import load_schema
from workbench.schema.fetch import import_schema
from workbench.store import Store

CONFIG = """<View>
  <Relations>
    <Relation value="source_of"/>
    <Relation value="cue_of"/>
  </Relations>
  <Labels name="label" toName="text">
    <Label value="Source"/>
    <Label value="Cue"/>
    <Label value="Content"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>
"""
QUOTE = "Mayor Lina Ortiz said the bridge would reopen in May."
SPLIT = "The budget, the council warned, is already spent."
PLAIN = "Rain fell all night on the harbour."


def _span(rid: str, text: str, part: str, label: str) -> dict[str, Any]:
    start = text.index(part)
    value = {"start": start, "end": start + len(part), "text": part, "labels": [label]}
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def _rel(a: str, b: str, name: str) -> dict[str, Any]:
    return {"from_id": a, "to_id": b, "type": "relation", "direction": "right", "labels": [name]}


def _quote(user: int) -> list[dict[str, Any]]:
    t = QUOTE
    out = [_span("s", t, "Mayor Lina Ortiz", "Source"), _span("c", t, "said", "Cue"),
           _span("t", t, "the bridge would reopen in May", "Content"),
           _rel("c", "t", "cue_of")]  # fmt: skip
    return out if user == 3 else [*out, _rel("s", "t", "source_of")]  # 3 left source_of out


def _split(user: int) -> list[dict[str, Any]]:
    t = SPLIT
    out = [_span("s", t, "the council", "Source"), _span("c", t, "warned", "Cue"),
           _span("t2", t, "is already spent", "Content"),
           _rel("s", "t2", "source_of"), _rel("c", "t2", "cue_of")]  # fmt: skip
    if user == 3:  # drew the second fragment only
        return out
    return [*out, _span("t1", t, "The budget", "Content"),
            _rel("s", "t1", "source_of"), _rel("c", "t1", "cue_of")]  # fmt: skip


def export_file(path: Path) -> Path:
    """Three paragraphs, three annotators (completed_by a user id or an object with an
    email, as exports have it); nobody drew anything in the third paragraph."""
    tasks = []
    for i, (text, drawn) in enumerate([(QUOTE, _quote), (SPLIT, _split), (PLAIN, None)]):
        annotations = []
        for user in (1, 2, 3):
            who: Any = user if user != 2 else {"id": 2, "email": "b@team.example"}
            annotations.append(
                {"id": 10 * i + user, "completed_by": who, "result": drawn(user) if drawn else [],
                 "was_cancelled": False, "created_at": "2024-05-01T10:00:00Z"}
            )  # fmt: skip
        tasks.append(
            {"id": 100 + i, "data": {"text": text, "doc": "d1"}, "annotations": annotations}
        )
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def team_settings(store_url: str, folder: Path, config: str) -> Settings:
    """Settings of a team's project brought in by `schema import` of its label config
    (`config`, XML): dataset "team", its schema written to `folder`/team.yaml."""
    schema = folder / "team.yaml"
    (folder / "config.xml").write_text(config, encoding="utf-8")
    schema.write_text(import_schema(config=folder / "config.xml", schema_id="team").yaml)
    return load_settings(
        {"database_url": store_url, "dataset": "team", "schema_path": str(schema)},
        cwd=folder,
        environ={},
    )


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return team_settings(store_url, tmp_path, CONFIG)


def test_agreement_measures_the_teams_relations(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    report = pull_from_file(settings, store, export_file(tmp_path / "export.json"))
    assert (report.annotations_new, len(report.quarantined)) == (9, 0)
    agreement = commands.agreement(settings, store, n_boot=50)
    assert agreement.relations is not None and agreement.triples is None
    f1 = {name: round(m.value, 3) for name, m in agreement.relations.pooled.items()}
    # source_of: 1 of 2 pairs' relations match in the quote (3 drew none), 2 + 1 + 1 of
    # 4 + 3 + 3 in the split one: 2·5/14; cue_of: 2·7/16; all: 2·12/30
    assert f1 == {"all": 0.8, "cue_of": 0.875, "source_of": 0.714}
    assert agreement.relations.pooled["all"].n_items == 2  # nobody drew one in the third


def test_export_of_a_team_schema_with_a_relation_named_cue_of(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    pull_from_file(settings, store, export_file(tmp_path / "export.json"))
    schema = load_schema(settings.schema_path)
    rec = reconcile(store, schema, "team")
    assert (rec.spans_decided, rec.relations_decided) == (7, 6)
    release = export_dataset(store, tmp_path / "exports", "team", schema)
    relations = pq.read_table(release.path / "relations.parquet").to_pylist()
    assert sorted(r["kind"] for r in relations) == ["cue_of"] * 3 + ["source_of"] * 3
    # a triple needs the news schema's attributed_to too: none, and the card says why
    assert pq.read_table(release.path / "attributions.parquet").num_rows == 0
    card = (release.path / "README.md").read_text(encoding="utf-8")
    assert "claims" not in card and "sentiment" not in card and "attribution triples," not in card
    assert "span labels **Source**, **Cue**, **Content**" in card
    assert "**source_of** (any label → any label)" in card
    assert "`kind` (`source_of`, `cue_of`)" in card


def test_schema_show_says_an_imported_relation_joins_any_labels(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = load_schema(settings.schema_path)
    assert schema.relation("cue_of").ends() == ("any label", "any label")
    render.schema_text(schema)
    shown = capsys.readouterr().out
    row = next(line for line in shown.splitlines() if "source_of" in line)
    assert row.count("any label") == 2
