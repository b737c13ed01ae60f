"""Golden releases: what the export writes for two fixed stores, checked in byte for byte.

Cases (files under `tests/export/golden/<case>/`):
- `seed`: the five seed articles with the repository's sample annotations (as `workbench up`
  loads them), reconciled by majority vote, first release;
- `synthetic`: three articles, four disagreeing annotators, relations, several-choice and
  taxonomy answers, an adjudication, a quarantined, a repaired, a cancelled and a revised
  annotation (see `stores.build_synthetic_store`), first release;
- `synthetic-v2`: the next release of that store after a new article and a changed answer
  (its diff.json and CHANGELOG-like figures against `synthetic`).

The stores are built only through public entry points (ingest/segment, store rows, pull from
a Label Studio export file, reconcile, `export_dataset`), so the export's internals can be
rewritten freely: the release must stay the same.

Normalised before comparing (and before writing): `workbench_version` in manifest.json becomes
"<workbench version>" (it changes with every version bump). `created_at` needs no
normalising: the export is run with a fixed `now`. Nothing else is normalised: Parquet files
are compared by content (a readable failure) and then by bytes.

Regenerate after an intended change of the release format, then review the diff:

    WORKBENCH_REGENERATE_GOLDEN=1 pytest tests/export/test_golden.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from tests.export import stores
from workbench.export import export_dataset
from workbench.reconcile.store import reconcile
from workbench.schema import Schema
from workbench.store import Store, open_store
from workbench.store.models import Annotation

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("WORKBENCH_REGENERATE_GOLDEN") == "1"
VERSION = re.compile(rb'"workbench_version": "[^"]*"')


def normalise(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    out, n = VERSION.subn(b'"workbench_version": "<workbench version>"', data)
    assert n == 1, "manifest.json: no workbench_version"
    return out


def releases(tmp: Path) -> dict[str, Path]:
    """Every golden case's release folder, built in `tmp`."""
    out: dict[str, Path] = {}

    def run(folder: Path, build: Callable[[Store, Path], Schema], dataset: str) -> None:
        folder.mkdir()
        store = open_store(f"sqlite:///{folder / 'workbench.db'}")
        try:
            schema = build(store, folder)
            if dataset == "team":
                check_synthetic_store(store)
            reconcile(store, schema, dataset)
            first = export_dataset(store, folder / "exports", dataset, schema, now=stores.NOW)
            assert first.path is not None
            out[dataset] = first.path
            if dataset == "team":
                stores.extend_synthetic_store(store, folder, schema)
                reconcile(store, schema, dataset)
                later = export_dataset(store, folder / "exports", dataset, schema, now=stores.NOW)
                assert later.status == "created" and later.path is not None
                out["team-v2"] = later.path
        finally:
            store.close()

    run(tmp / "seed", stores.build_seed_store, "news")
    run(tmp / "synthetic", stores.build_synthetic_store, "team")
    return {"seed": out["news"], "synthetic": out["team"], "synthetic-v2": out["team-v2"]}


def check_synthetic_store(store: Store) -> None:
    """The synthetic store holds the cases its docstring claims (made by the pull itself)."""
    with store.session() as s:
        rows = s.scalars(sa.select(Annotation)).all()
    assert sum(r.status == "quarantined" for r in rows) == 1
    assert sum(bool(r.repairs) for r in rows if r.is_current) >= 1
    assert sum(r.revision == 2 for r in rows) == 1
    assert sum(r.was_cancelled for r in rows) == 1


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made = releases(tmp_path_factory.mktemp("golden"))
    if REGENERATE:
        for case, path in made.items():
            shutil.rmtree(GOLDEN / case, ignore_errors=True)
            (GOLDEN / case).mkdir(parents=True)
            for f in sorted(path.iterdir()):
                (GOLDEN / case / f.name).write_bytes(normalise(f.name, f.read_bytes()))
    return made


@pytest.mark.parametrize("case", ["seed", "synthetic", "synthetic-v2"])
def test_release_is_the_golden_one(built: dict[str, Path], case: str) -> None:
    got_dir, want_dir = built[case], GOLDEN / case
    got = sorted(f.name for f in got_dir.iterdir())
    assert got == sorted(f.name for f in want_dir.iterdir())
    for name in got:
        new, old = got_dir / name, want_dir / name
        if name.endswith(".parquet"):
            table, expected = pq.read_table(new), pq.read_table(old)
            assert table.schema == expected.schema, f"{case}/{name}: columns differ"
            assert table.to_pylist() == expected.to_pylist(), f"{case}/{name}: rows differ"
            assert new.read_bytes() == old.read_bytes(), f"{case}/{name}: same rows, other bytes"
        else:
            data = normalise(name, new.read_bytes())
            assert data.decode("utf-8") == old.read_text(encoding="utf-8"), f"{case}/{name}"


def test_the_stores_hold_what_the_cases_claim(built: dict[str, Path]) -> None:
    """The golden files cover what they say: not a release of an empty or trivial store."""
    team = json.loads((GOLDEN / "synthetic" / "manifest.json").read_text(encoding="utf-8"))
    counts = team["counts"]
    assert counts["annotators"] == 4 and counts["adjudications"] == 1
    assert counts["annotations"] == 14  # 16 loaded: one quarantined, one cancelled
    assert counts["relations"] > 0 and counts["spans"] > 10
    segs = pq.read_table(GOLDEN / "synthetic" / "segments.parquet").column_names
    assert {"topics", "category", "sentiment_adjudicated"} <= set(segs)
    seed = json.loads((GOLDEN / "seed" / "manifest.json").read_text(encoding="utf-8"))
    # the eight sample paragraphs (of four of the five seeds) by three sample annotators
    assert seed["counts"]["segments"] == 8 and seed["counts"]["annotations"] == 24
    later = json.loads((GOLDEN / "synthetic-v2" / "diff.json").read_text(encoding="utf-8"))
    assert later["summary"]["segments_added"] == 1 and later["summary"]["labels_changed"] >= 1
