"""The columnar export against the first, row-by-row implementation (`oracle/*_v1.py`, kept
as it was): same tables, same nested records and spaCy file, same summary, same diff — on the
hand-made world and on a reconciled store of noisy synthetic annotations."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from benchmarks import fixtures, synth
from tests.export.conftest import World
from tests.export.oracle import diff_v1, summary_v1, tables_v1
from workbench.export import ReleaseData, assign_splits, collect
from workbench.export import summary as summary_new
from workbench.export.diff import diff_tables, first_release_diff
from workbench.export.tables import build_tables
from workbench.reconcile.save import reconcile
from workbench.schema import Schema
from workbench.store import open_store


def _splits(data: ReleaseData) -> dict[str, str]:
    return assign_splits([str(g) for g in data.articles["split_group"]], {})[0]


def _same(data: ReleaseData) -> None:
    splits = _splits(data)
    old = tables_v1.build_tables(data, splits)
    new = build_tables(data, splits)
    assert set(new.tables) == set(old.tables)
    for name, table in old.tables.items():
        assert new.tables[name].schema == table.schema, name
        assert new.tables[name].equals(table), name
    assert new.records() == json.loads(json.dumps(old.records))
    spacy = [json.loads(line) for line in new.spacy_jsonl.decode().splitlines()]
    assert spacy == json.loads(json.dumps(old.spacy))

    schema = data.schema
    assert summary_new.counts(new, schema) == summary_v1.counts(old, schema)  # type: ignore[arg-type]
    assert summary_new.distributions(new, schema) == summary_v1.distributions(old, schema)  # type: ignore[arg-type]
    want = summary_v1.agreement(old, schema)  # type: ignore[arg-type]
    assert summary_new.agreement(new, schema) == want
    assert summary_new.release_agreement(data, schema) == want


def test_world_matches_the_oracle(world: World) -> None:
    _same(world.release_data())


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory, schema: Schema) -> ReleaseData:
    """A reconciled store of 300 noisy synthetic segments × 3 annotators, collected. Under the
    schema without its `trim` rules: the oracle parses results as they were (pull now trims
    enclosing quotes, which the generator draws), and what is compared is the export."""
    schema = dataclasses.replace(
        schema,
        labels=tuple(dataclasses.replace(label, trim=()) for label in schema.labels),
        version="",
    )
    items = synth.items(300, seed=5)
    path = tmp_path_factory.mktemp("oracle") / "store.db"
    fixtures.build_store(
        path, items, schema, dataset="bench", task_ids=range(1, 301), annotations=True
    )
    store = open_store(fixtures.sqlite_url(path), migrate=False)
    try:
        reconcile(store, schema, "bench", method="vote")
        return collect(store, "bench", schema)
    finally:
        store.close()


def test_synthetic_release_matches_the_oracle(synthetic: ReleaseData) -> None:
    assert len(synthetic.spans) > 500 and len(synthetic.relations) > 100  # not a trivial case
    _same(synthetic)


def _changed(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """A later release: a tenth of the segments gone, some labels, spans and splits changed."""
    segs = tables["segments"]
    ids = segs["segment_id"].to_pylist()
    gone = set(ids[::10])
    keep = pc.invert(pc.is_in(segs["segment_id"], pa.array(sorted(gone))))
    segs = segs.filter(keep)
    flip = {"negative": "positive", "positive": "neutral", "neutral": None, None: "mixed"}
    rows: list[dict[str, Any]] = segs.to_pylist()
    for k, row in enumerate(rows):
        if k % 7 == 0:
            row["sentiment"] = flip.get(row["sentiment"], "negative")
        if k % 13 == 0:
            row["split"] = "test" if row["split"] != "test" else "dev"
    spans = tables["spans"]
    span_rows: list[dict[str, Any]] = spans.to_pylist()
    for k, sp in enumerate(span_rows):
        if k % 5 == 0:
            sp["end"] += 1
        if k % 17 == 0:
            sp["label"] = "Claim"
        if k % 11 == 0:
            sp["confidence"] = 0.0  # volatile: not a change
        if k % 19 == 0:  # an attribute set or cleared (null against a value)
            sp["content_quote_type"] = None if sp["content_quote_type"] else "direct"
    out = dict(tables)
    out["segments"] = pa.Table.from_pylist(rows, schema=segs.schema)
    out["spans"] = pa.Table.from_pylist(span_rows[3:], schema=spans.schema)
    return out


def test_diff_matches_the_oracle(synthetic: ReleaseData, tmp_path: Path) -> None:
    tables = build_tables(synthetic, _splits(synthetic)).tables
    later = _changed(tables)
    for old, new in ((None, tables), (tables, later), (later, tables), (tables, tables)):
        want = diff_v1.diff_tables(old, new, parent="v0001", version="v0002")
        got = diff_tables(old, new, parent="v0001", version="v0002")
        assert got == want
    first = first_release_diff(tables, version="v0001")
    assert (
        first["summary"]
        == diff_v1.diff_tables(None, tables, parent=None, version="v0001")["summary"]
    )
    assert "segments" not in first and "spans" not in first  # no lists of everything
    summary = diff_tables(tables, later, parent="v0001", version="v0002")["summary"]
    assert all(summary[k] for k in ("segments_removed", "labels_changed", "spans_changed"))
    # an older release without one attribute column: every span it shares has changed
    older = dict(tables)
    older["spans"] = tables["spans"].drop_columns(["content_quote_type"])
    want = diff_v1.diff_tables(older, later, parent="v0001", version="v0002")
    assert diff_tables(older, later, parent="v0001", version="v0002") == want
    assert want["summary"]["spans_changed"] == later["spans"].num_rows - summary["spans_added"]
