"""Releases from the store (SQLite and PostgreSQL): collect, versions, persisted splits,
privacy, listing, diff, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import (
    ANNOTATORS,
    ROOT,
    SECRET_URL,
    T0,
    TOKEN,
    World,
    add_third_article,
    insert_world,
    make_release,
)

from workbench.annotation import parser_key
from workbench.annotation.clean import canonical_result
from workbench.entries import refresh
from workbench.errors import OutOfDate
from workbench.export import (
    diff_releases,
    export_dataset,
    hash_split,
    list_releases,
    public_url,
    verify_release,
)
from workbench.export.write import read_tables
from workbench.store import Store, open_store
from workbench.store.models import (
    AgreementFigures,
    Annotation,
    Annotator,
    Article,
    Release,
    Segment,
    SplitAssignment,
    Task,
    released,
)


def test_public_url_drops_credentials() -> None:
    assert public_url(SECRET_URL) == "http://127.0.0.1:8089"
    assert public_url("https://ls.example.org/base/") == "https://ls.example.org/base"
    assert public_url(None) is None


def test_a_release_holds_exactly_the_released_rows(
    store: Store, world: World, tmp_path: Path
) -> None:
    """Of the stored world (with old revisions, quarantined, deleted and cancelled annotations,
    undecided spans), the release holds the current valid annotations, the kept consensus
    and the latest adjudication, named by pseudonym; the same bytes on either database as
    from a SQLite store."""
    insert_world(store, world)
    got = export_dataset(store, tmp_path / "exports", "news", world.schema, stale_consensus=True)
    assert got.path is not None
    t = read_tables(got.path)
    pseud = [a[0] for a in ANNOTATORS]
    anns = sorted((sid, pseud[i], ls_id) for sid, i, ls_id, _ in world.annotations)
    cols = ("segment_id", "annotator", "annotation_id")
    assert list(zip(*(t["annotations"][c].to_pylist() for c in cols), strict=True)) == anns
    kept = {
        (r["segment_id"], r["key"]): r["attrs"] for r in world.spans if r["status"] != "undecided"
    }
    spans = t["spans"].to_pylist()
    assert {(r["segment_id"], r["span_id"]) for r in spans} == set(kept)
    for r in spans:  # each attribute in its column (named by the Label Studio control)
        attrs = kept[(r["segment_id"], r["span_id"])]
        assert {c: r[c] for c in r if c.startswith(r["label"].lower() + "_") and r[c]} == {
            f"{r['label'].lower()}_{k}": v for k, v in attrs.items()
        }
    rels = {(r["segment_id"], r["kind"], r["from_key"], r["to_key"]) for r in world.relations}
    cols = ("segment_id", "kind", "from_id", "to_id")
    assert set(zip(*(t["relations"][c].to_pylist() for c in cols), strict=True)) == rels
    assert [(r["segment_id"], r["adjudicator"]) for r in t["adjudications"].to_pylist()] == [
        (world.segments[1].id, "ann-03")
    ]
    manifest = json.loads((got.path / "manifest.json").read_text())
    assert manifest["label_studio"] == {"url": "http://127.0.0.1:8089", "project_id": 7}
    want = make_release(world, tmp_path / "sqlite")
    for name in sorted(p.name for p in want.iterdir() if p.name != "manifest.json"):
        assert (got.path / name).read_bytes() == (want / name).read_bytes(), name


def test_canonical_results_are_stored_and_an_older_store_exports_the_same(
    store: Store, world: World, tmp_path: Path
) -> None:
    """Each inserted annotation keeps its cleaned canonical text (the export reads it); rows
    without it (a store filled by other means) are cleaned by the export: same bytes."""
    insert_world(store, world)
    with store.session() as s:
        rows = s.execute(sa.select(Annotation.result, Annotation.result_clean)).all()
    assert rows and all(clean == canonical_result(result) for result, clean in rows)
    assert any(json.loads(clean) != result for result, clean in rows)  # something was dropped
    exports = tmp_path / "exports"
    stored = export_dataset(store, exports, "news", world.schema, stale_consensus=True)
    with store.session() as s:
        s.execute(sa.update(Annotation).values(result_clean=None))
    cleaned_here = export_dataset(store, exports, "news", world.schema, stale_consensus=True)
    assert cleaned_here.status == "unchanged"  # the same data as the release before
    assert stored.data_sha256 == cleaned_here.data_sha256


def fill_entries(store: Store, world: World) -> int:
    with store.session() as s:
        return refresh(s, "news", world.schema)


def test_stored_entries_are_used_and_stale_ones_parsed_again(
    store: Store, world: World, tmp_path: Path
) -> None:
    """The export reads each annotation as the annotation model parsed it (its stored entry):
    missing or stale entries (another parser key) are made first, from the result and the
    segment text; an entry under the export's own key is trusted as stored."""
    insert_world(store, world)

    def export(where: str) -> str:
        return export_dataset(
            store, tmp_path / where, "news", world.schema, stale_consensus=True
        ).data_sha256

    key = parser_key(world.schema)
    assert fill_entries(store, world) > 3  # the world is stored without entries
    made = export("made")
    with store.session() as s:
        rows = s.execute(
            sa.select(Annotation.status, Annotation.result_entry, Annotation.entry_key)
        ).all()
    assert {k for st, _, k in rows if st == "valid"} == {key}
    assert all(e is None and k is None for st, e, k in rows if st == "quarantined")
    assert all(set(json.loads(e)) >= {"labels", "spans", "relations"} for _, e, k in rows if e)
    assert fill_entries(store, world) == 0  # nothing left to make

    # An entry is taken as stored: another one under the same key changes the release ...
    empty = '{"labels":{},"relations":[],"spans":[]}'
    with store.session() as s:
        s.execute(sa.update(Annotation).values(result_entry=empty))
    assert export("tampered") != made
    # ... while under another key (another schema's structure) it is made again first.
    with store.session() as s:
        s.execute(sa.update(Annotation).values(entry_key="0" * 16))
    assert export("stale") == made
    assert fill_entries(store, world) == 0  # the export made them


def test_migration_0009_backfills_the_canonical_results(store: Store, world: World) -> None:
    """A store from before `result_clean` (downgraded to 0008) gets it for every row."""
    from alembic import command

    from workbench.store.db import _alembic_config, upgrade

    insert_world(store, world)
    cfg = _alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0008")
    assert "result_clean" not in {
        c["name"] for c in sa.inspect(store.engine).get_columns("annotations")
    }
    upgrade(store.engine)
    with store.session() as s:
        rows = s.execute(sa.select(Annotation.result, Annotation.result_clean)).all()
    assert len(rows) > 3 and all(clean == canonical_result(result) for result, clean in rows)


def test_export_leaves_out_retired_segments(store: Store, world: World, tmp_path: Path) -> None:
    """A retired segment (its article re-ingested) and its annotations are in no file."""
    import pyarrow.parquet as pq

    insert_world(store, world)
    with store.session() as s:  # an annotator without a pseudonym is named, and sorted, "unknown"
        first = s.scalars(sa.select(Annotator).order_by(Annotator.pseudonym)).first()
        assert first is not None
        first.pseudonym = ""
    with store.session() as s:
        retired = s.scalars(sa.select(Task.segment_id).order_by(Task.segment_id)).first()
        assert retired is not None
        s.execute(sa.update(Segment).where(Segment.id == retired).values(retired_at=T0))
    result = export_dataset(store, tmp_path / "exports", "news", world.schema, stale_consensus=True)
    assert result.path is not None and verify_release(result.path).ok
    assert retired.encode() not in b"".join(f.read_bytes() for f in result.path.glob("*.*l"))
    for name in ("segments", "annotations", "spans"):
        table = pq.read_table(result.path / f"{name}.parquet")
        assert table.num_rows > 0 and retired not in table["segment_id"].to_pylist(), name
    assert "unknown" in pq.read_table(result.path / "annotations.parquet")["annotator"].to_pylist()


def test_staged_files_leave_nothing_behind_and_a_bad_exports_dir_is_one_line(
    store: Store, world: World, tmp_path: Path
) -> None:
    """The nested JSONL is staged on disk as it is built: after a release, an unchanged
    export and a failed one, only release folders are left; an exports path that is a file
    is a one-line error."""
    from workbench.export import ReleaseError

    insert_world(store, world)
    exports = tmp_path / "exports"
    first = export_dataset(store, exports, "news", world.schema, stale_consensus=True)
    assert first.path is not None and verify_release(first.path).ok
    assert (
        export_dataset(store, exports, "news", world.schema, stale_consensus=True).status
        == "unchanged"
    )
    assert sorted(p.name for p in (exports / "news").iterdir()) == ["v0001"]
    nested = (first.path / "segments.jsonl").read_bytes()
    assert nested.count(b"\n") == len({a[0] for a in world.annotations})  # annotated segments
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    with pytest.raises(ReleaseError, match="cannot write into") as info:
        export_dataset(store, blocked, "news", world.schema, stale_consensus=True)
    assert "\n" not in str(info.value)


def _grep(path: Path, needles: list[str]) -> list[tuple[str, str]]:
    hits = []
    for file in sorted(path.rglob("*")):
        if file.is_file():
            data = file.read_bytes()
            hits += [(file.name, n) for n in needles if n.encode() in data]
    return hits


def test_versions_splits_privacy_listing_and_diff(
    store: Store, world: World, tmp_path: Path
) -> None:
    insert_world(store, world)
    exports = tmp_path / "exports"

    first = export_dataset(store, exports, "news", world.schema, stale_consensus=True)
    assert first.status == "created" and first.version == "v0001" and first.parent is None
    v1 = exports / "news" / "v0001"
    assert first.path == v1 and verify_release(v1).ok

    # Privacy: no email, no Label Studio user id, no token, no `completed_by` anywhere.
    needles = [email for _, email, _ in ANNOTATORS] + [str(uid) for _, _, uid in ANNOTATORS]
    needles += [TOKEN, "completed_by", "admin", "free text note"]
    assert _grep(v1, needles) == []

    again = export_dataset(store, exports, "news", world.schema, stale_consensus=True)
    assert again.status == "unchanged" and again.version == "v0001"
    assert sorted(p.name for p in (exports / "news").iterdir()) == ["v0001"]

    forced = export_dataset(store, exports, "news", world.schema, force=True, stale_consensus=True)
    assert forced.version == "v0002" and forced.parent == "v0001"
    v2 = exports / "news" / "v0002"
    for name in ("segments.parquet", "spans.parquet", "annotations.parquet"):
        assert (v1 / name).read_bytes() == (v2 / name).read_bytes()  # reproducible

    with store.session() as s:
        before = {a.article_id: a.split for a in s.scalars(sa.select(SplitAssignment))}
    assert len(before) == 2

    # A new article, and different ratios: old articles keep their split, the new one follows
    # the new ratios.
    add_third_article(world)
    insert_world(store, world)
    third = export_dataset(
        store, exports, "news", world.schema, ratios=(0.0, 0.0, 1.0), stale_consensus=True
    )
    assert third.version == "v0003" and third.new_split_assignments == 1
    with store.session() as s:
        after = {a.article_id: a.split for a in s.scalars(sa.select(SplitAssignment))}
        rows = list(s.scalars(sa.select(Release).order_by(Release.version)))
    assert {k: after[k] for k in before} == before
    assert after[world.articles[-1]["article_id"]] == "test"
    assert [r.version for r in rows] == [1, 2, 3] and rows[2].parent_version == 2
    assert third.diff is not None and third.diff["segments_added"] == 1
    assert third.diff["splits_changed"] == 0

    listed = list_releases(store, "news")
    assert [r.version for r in listed] == ["v0001", "v0002", "v0003"]
    assert listed[2].segments == 4 and listed[2].annotators == 3
    assert "alpha[sentiment]" in listed[2].agreement and "span_f1" in listed[2].agreement

    diff = diff_releases(exports, "news", "v0001", "3")
    assert diff["segments"]["added"] == [world.segments[-1].id]
    assert diff["parent"] == "v0001" and diff["version"] == "v0003"


def test_revisions_of_an_article_share_its_split(
    store: Store, world: World, tmp_path: Path
) -> None:
    """An article's revision takes the split stored for its first revision."""
    insert_world(store, world)
    old = world.articles[0]["article_id"]
    with store.session() as s:
        art = s.get(Article, old)
        assert art is not None
        s.add(
            Article(
                id="f" * 32,
                source_path=art.source_path,
                revision=2,
                previous_id=old,
                format="txt",
                text=art.text,
                raw=art.raw,
                raw_sha256="1" * 64,
            )
        )
        art.is_current = False
        s.flush()
        s.execute(sa.update(Segment).where(Segment.article_id == old).values(article_id="f" * 32))
        # the first revision's stored split: one the revision's own id would not hash into
        split = "test" if hash_split("f" * 32) == "dev" else "dev"
        s.add(SplitAssignment(dataset="news", article_id=old, split=split, assigned_at=T0))
    result = export_dataset(store, tmp_path, "news", world.schema, stale_consensus=True)
    assert result.path is not None and result.new_split_assignments == 1  # the other article
    articles = pd.read_parquet(result.path / "articles.parquet").set_index("article_id")
    assert articles.loc["f" * 32, "split"] == split


# -- the command line ----------------------------------------------------------------------------


def run(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "LABEL_"))}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_export_releases_verify_diff(world: World, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    insert_world(store, world)
    store.close()
    env = {
        "WORKBENCH_DATABASE_URL": url,
        "WORKBENCH_EXPORTS": str(tmp_path / "exports"),
        "WORKBENCH_SCHEMA": str(ROOT / "schemas" / "news-v1.yaml"),
        "LABEL_STUDIO_API_KEY": TOKEN,
    }
    stale = run("export", "news", cwd=tmp_path, env=env)  # consensus written by hand, no figures
    assert stale.returncode == 10 and "run `workbench reconcile" in stale.stderr
    assert not (tmp_path / "exports" / "news").exists()
    assert run("reconcile", "--dataset", "news", cwd=tmp_path, env=env).returncode == 0
    out = run("export", "news", "--split", "0.8,0.1,0.1", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert "v0001" in out.stdout
    out = run("export", "news", cwd=tmp_path, env=env)
    assert out.returncode == 0 and "nothing changed" in out.stdout
    out = run("export", "--force", "news", "--json", cwd=tmp_path, env=env)
    assert out.returncode == 0 and json.loads(out.stdout)["version"] == "v0002"

    bad = run("export", "news", "--split", "0.5,0.5", cwd=tmp_path, env=env)
    assert bad.returncode == 4 and bad.stderr.startswith("error: --split")

    listed = json.loads(run("releases", "news", "--json", cwd=tmp_path, env=env).stdout)
    assert [r["version"] for r in listed] == ["v0001", "v0002"]
    table = run("releases", "news", cwd=tmp_path, env=env)
    assert table.returncode == 0 and "v0002" in table.stdout

    v1 = tmp_path / "exports" / "news" / "v0001"
    ok = run("export", "verify", str(v1), cwd=tmp_path, env=env)
    assert ok.returncode == 0 and "match the manifest" in ok.stdout
    (v1 / "README.md").write_text("tampered")
    tampered = run("export", "verify", str(v1), cwd=tmp_path, env=env)
    assert tampered.returncode != 0
    assert "changed: README.md" in tampered.stdout and tampered.stderr.startswith("error:")

    diff = run("export", "diff", "news", "v0001", "v0002", cwd=tmp_path, env=env)
    assert diff.returncode == 0 and "segments added: 0" in diff.stdout
    missing = run("export", "diff", "news", "v0001", "v0009", cwd=tmp_path, env=env)
    assert missing.returncode == 1 and "no release v0009" in missing.stderr


def test_export_after_the_real_reconcile_step(store: Store, world: World, tmp_path: Path) -> None:
    """End to end with the reconcile engineer's code writing the consensus tables."""
    from workbench.reconcile.save import reconcile

    insert_world(store, world)
    reconcile(store, world.schema, "news")
    result = export_dataset(store, tmp_path, "news", world.schema)
    assert result.status == "created"
    rel = tmp_path / "news" / "v0001"
    segs = pd.read_parquet(rel / "segments.parquet").set_index("segment_id")
    assert segs.loc[world.segments[0].id, "sentiment"] == "neutral"
    spans = pd.read_parquet(rel / "spans.parquet")
    s1 = spans[spans["segment_id"] == world.segments[0].id]
    assert {"Cue", "Source", "Content", "Claim"} <= set(s1["label"])
    assert set(s1[s1["label"] == "Source"]["source_source_type"]) == {"official"}
    assert pd.read_parquet(rel / "attributions.parquet")["source_text"].notna().any()
    needles = [email for _, email, _ in ANNOTATORS] + [str(uid) for _, _, uid in ANNOTATORS]
    assert _grep(rel, [*needles, TOKEN, "completed_by"]) == []


def _manifest_agreement(result: Any) -> Any:
    return json.loads((result.path / "manifest.json").read_text())["agreement"]


def test_reconcile_stores_the_agreement_an_export_of_the_same_annotations_reuses(
    store: Store, world: World, tmp_path: Path
) -> None:
    """The figures reconcile stores are those an export computes itself; an export uses them
    only while the annotations are the ones they were computed from (a sentinel planted in
    the stored figures shows which were used)."""
    from workbench.reconcile.save import reconcile

    insert_world(store, world)
    report = reconcile(store, world.schema, "news")
    assert report.agreement["segment"]["sentiment"]["krippendorff_alpha"]["value"] is not None
    with store.session() as s:
        s.execute(sa.delete(AgreementFigures))
    computed = export_dataset(store, tmp_path, "news", world.schema, stale_consensus=True)
    assert _manifest_agreement(computed) == report.agreement  # the same figures, JSON and all

    reconcile(store, world.schema, "news")  # stores them again
    with store.session() as s:
        row = s.get(AgreementFigures, "news")
        assert row is not None
        row.figures = {**row.figures, "sentinel": True}
    assert reconcile(store, world.schema, "news").agreement["sentinel"] is True  # kept
    reused = export_dataset(store, tmp_path, "news", world.schema, force=True)
    assert _manifest_agreement(reused)["sentinel"] is True

    with store.session() as s:  # one annotation taken out of the release: the figures move
        first = s.scalars(
            sa.select(Annotation)
            .where(Annotation.is_current.is_(True), Annotation.status == "valid")
            .order_by(Annotation.id)
        ).first()
        assert first is not None
        first.deleted_at = T0
    with pytest.raises(OutOfDate, match="run `workbench reconcile --dataset news` first"):
        export_dataset(store, tmp_path, "news", world.schema)  # its consensus is of the old
    fresh = export_dataset(store, tmp_path, "news", world.schema, stale_consensus=True)
    assert fresh.status == "created"
    assert "sentinel" not in _manifest_agreement(fresh)
    assert _manifest_agreement(fresh) != report.agreement
    after = reconcile(store, world.schema, "news").agreement
    assert "sentinel" not in after and after == _manifest_agreement(fresh)


def test_migration_0013_supersedes_an_annotators_earlier_annotations(
    store: Store, world: World
) -> None:
    """A store from before the one rule for duplicates (downgraded to 0012), where one annotator
    has two annotations of a task, keeps only the latest valid after the upgrade."""
    from alembic import command

    from workbench.store.db import _alembic_config, upgrade

    insert_world(store, world)
    with store.session() as s:
        first = s.scalars(
            sa.select(Annotation).where(*released(), Annotation.annotator_id.is_not(None))
        ).first()
        assert first is not None
        twin = Annotation(
            dataset=first.dataset,
            task_id=first.task_id,
            ls_annotation_id=first.ls_annotation_id + 10_000,
            revision=1,
            is_current=True,
            annotator_id=first.annotator_id,
            result=first.result,
            status="valid",
        )
        s.add(twin)
        s.flush()
        ids = (first.id, twin.id)
    cfg = _alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0012")
    upgrade(store.engine)
    with store.session() as s:
        status = {
            i: st
            for i, st in s.execute(
                sa.select(Annotation.id, Annotation.status).where(Annotation.id.in_(ids))
            )
        }
        others = s.scalar(
            sa.select(sa.func.count())
            .select_from(Annotation)
            .where(Annotation.status == "superseded", Annotation.id.not_in(ids))
        )
    assert status == {ids[0]: "superseded", ids[1]: "valid"} and others == 0
