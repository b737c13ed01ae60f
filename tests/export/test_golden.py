"""Golden releases: what the export writes for two fixed stores, checked in byte for byte.

Cases (files under `tests/export/golden/<case>/`):
- `seed`: the five seed articles with the repository's sample annotations (as `workbench up`
  loads them), reconciled by majority vote, first release;
- `synthetic`: three articles, four disagreeing annotators, relations, several-choice and
  taxonomy answers, an adjudication, a quarantined, a repaired, a cancelled and a revised
  annotation (see `synthetic.build_synthetic_store`), first release;
- `synthetic-v2`: the next release of that store after a new article and a changed answer
  (its diff.json is against `synthetic`).

The stores are built only through public entry points (ingest/segment, store rows, pull from
a Label Studio export file, reconcile, `export_dataset`), so the export's internals can be
rewritten freely: the release must stay the same — also when the synthetic store is on
PostgreSQL instead of SQLite.

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
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from tests.export import stores, synthetic
from workbench.export import export_dataset
from workbench.reconcile.save import reconcile
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


def export(store: Store, folder: Path, dataset: str, schema: Schema) -> Path:
    reconcile(store, schema, dataset)
    made = export_dataset(store, folder / "exports", dataset, schema, now=stores.NOW)
    assert made.status == "created" and made.path is not None
    return made.path


def seed_release(url: str, folder: Path) -> dict[str, Path]:
    store = open_store(url)
    try:
        return {"seed": export(store, folder, "news", stores.build_seed_store(store, folder))}
    finally:
        store.close()


def synthetic_releases(url: str, folder: Path) -> dict[str, Path]:
    store = open_store(url)
    try:
        schema = synthetic.build_synthetic_store(store, folder)
        check_synthetic_store(store)
        first = export(store, folder, "team", schema)
        synthetic.extend_synthetic_store(store, folder, schema)
        return {"synthetic": first, "synthetic-v2": export(store, folder, "team", schema)}
    finally:
        store.close()


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
    tmp = tmp_path_factory.mktemp("golden")
    (tmp / "seed").mkdir()
    (tmp / "synthetic").mkdir()
    made = {
        **seed_release(f"sqlite:///{tmp / 'seed' / 'workbench.db'}", tmp / "seed"),
        **synthetic_releases(f"sqlite:///{tmp / 'synthetic' / 'workbench.db'}", tmp / "synthetic"),
    }
    if REGENERATE:
        for case, path in made.items():
            shutil.rmtree(GOLDEN / case, ignore_errors=True)
            (GOLDEN / case).mkdir(parents=True)
            for f in sorted(path.iterdir()):
                (GOLDEN / case / f.name).write_bytes(normalise(f.name, f.read_bytes()))
    return made


def assert_golden(case: str, got_dir: Path) -> None:
    want_dir = GOLDEN / case
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


@pytest.mark.parametrize("case", ["seed", "synthetic", "synthetic-v2"])
def test_release_is_the_golden_one(built: dict[str, Path], case: str) -> None:
    assert_golden(case, built[case])


@pytest.mark.postgres
def test_a_store_on_postgresql_gives_the_same_bytes(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    for case, path in synthetic_releases(postgres_schema_url, tmp_path).items():
        assert_golden(case, path)


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
