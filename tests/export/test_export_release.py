"""Releases of a small world exported from a SQLite store: splits, tables, files,
reproducibility, loading (pandas, datasets, spaCy), verify, diff and the card."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import NOW, World, add_third_article, make_release

from workbench.errors import ConfigError
from workbench.export import (
    ReleaseError,
    assign_splits,
    hash_split,
    parse_ratios,
    verify_release,
)
from workbench.export.diff import diff_tables
from workbench.export.jsonl import grouped
from workbench.export.write import read_tables, write_release

# -- splits --------------------------------------------------------------------------------------


def test_a_segments_rows_are_grouped_across_chunks() -> None:
    """segments.jsonl takes a segment's rows of a table as one slice of a string array."""
    import duckdb

    ids = pa.chunked_array([["a", "a", "b", "c"], ["c", "c", "d"]])  # "c" runs across chunks
    table = pa.table({"segment_id": ids, "v": pa.chunked_array([[1, 2, 3, 4], [5, 6, 7]])})
    got = grouped(duckdb.connect(), table, "to_json(v)").to_pydict()
    assert got == {"segment_id": ["a", "b", "c", "d"], "j": [",1,2", ",3", ",4,5,6", ",7"]}
    assert grouped(duckdb.connect(), table.slice(0, 0), "to_json(v)").num_rows == 0


def test_jsonl_writes_a_text_as_orjson_does() -> None:
    """Control characters escaped in lower-case hex, as orjson (the release's JSONL bytes
    before DuckDB wrote them) writes them; an escaped backslash before `u001F` is text."""
    import duckdb
    import orjson

    from workbench.export.jsonl import _lines

    text = 'a\x1fb\\u001F\x0b\x7f"é\u2028\n'
    rows = duckdb.connect().sql("SELECT to_json($t) || chr(10) AS x", params={"t": text})
    assert _lines(rows.to_arrow_table()["x"]) == orjson.dumps(text) + b"\n"


def test_batches_read_from_postgresql_are_cut_as_sqlites_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ADBC's batches (any size) become batches of ANNOTATION_CHUNK rows, as SQLite's are
    read: annotations.parquet's bytes depend on the chunks."""
    import importlib

    collect_module = importlib.import_module("workbench.export.collect")
    monkeypatch.setattr(collect_module, "ANNOTATION_CHUNK", 3)
    sizes = [(0, 2), (2, 5), (7, 1), (8, 1), (9, 1)]
    batches = [pa.record_batch({"a": list(range(i, i + n))}) for i, n in sizes]
    got = [b["a"].to_pylist() for b in collect_module._rechunked(iter(batches))]
    assert got == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(collect_module._rechunked(iter([]))) == []


def test_sqlite_texts_become_arrow_strings_as_stored() -> None:
    """SQLite's texts, read as bytes, laid end to end: nulls, empty and non-ASCII texts kept,
    invalid UTF-8 refused; its bools (ints) become bools."""
    import importlib

    collect_module = importlib.import_module("workbench.export.collect")
    got = collect_module._array((b"ab", None, "é\u2028".encode(), b""), pa.string())
    assert got.type == pa.string() and got.to_pylist() == ["ab", None, "é\u2028", ""]
    assert collect_module._array((1, None, 0), pa.bool_()).to_pylist() == [True, None, False]
    with pytest.raises(pa.ArrowInvalid):
        collect_module._array((b"\xff",), pa.string())


def test_parse_ratios() -> None:
    assert parse_ratios("0.8,0.1,0.1") == (0.8, 0.1, 0.1)
    assert parse_ratios(" 0.7, 0.15 ,0.15") == (0.7, 0.15, 0.15)
    assert parse_ratios(None) == (0.8, 0.1, 0.1)
    for bad in ("0.8,0.1", "a,b,c", "0.8,0.1,0.2", "1.2,-0.1,-0.1", "nan,0,1"):
        with pytest.raises(ConfigError):
            parse_ratios(bad)


def test_hash_split_is_deterministic_and_follows_the_ratios() -> None:
    ids = [f"{i:032x}" for i in range(4000)]
    first = [hash_split(i, (0.8, 0.1, 0.1)) for i in ids]
    assert first == [hash_split(i, (0.8, 0.1, 0.1)) for i in ids]
    share = {s: first.count(s) / len(ids) for s in ("train", "dev", "test")}
    assert abs(share["train"] - 0.8) < 0.03 and abs(share["dev"] - 0.1) < 0.03
    assert {hash_split(i, (0.0, 0.0, 1.0)) for i in ids[:200]} == {"test"}
    assert {hash_split(i, (1.0, 0.0, 0.0)) for i in ids[:200]} == {"train"}


def test_existing_assignments_win_and_only_new_ones_are_returned() -> None:
    every, new = assign_splits(["a", "b", "c"], {"a": "test", "b": "dev"}, (1.0, 0.0, 0.0))
    assert every == {"a": "test", "b": "dev", "c": "train"}
    assert new == {"c": "train"}


# -- tables --------------------------------------------------------------------------------------


def test_tables_content(world: World, tmp_path: Path) -> None:
    t = read_tables(make_release(world, tmp_path))
    segs = t["segments"].to_pandas()
    assert len(segs) == 3  # the unannotated segment is left out
    s1 = segs[segs["segment_id"] == world.segments[0].id].iloc[0]
    assert s1["sentiment"] == "neutral" and list(s1["sentiment_support"]) == ["ann-01", "ann-02"]
    assert s1["n_annotations"] == 3
    s2 = segs[segs["segment_id"] == world.segments[1].id].iloc[0]
    assert bool(s2["sentiment_adjudicated"]) is True

    spans = t["spans"].to_pandas()
    texts = dict(zip(segs["segment_id"], segs["text"], strict=True))
    for _, row in spans.iterrows():
        assert texts[row["segment_id"]][row["start"] : row["end"]] == row["text"]
    src = spans[spans["label"] == "Source"]
    assert set(src["source_source_type"]) == {"official", "analyst"}
    assert spans[spans["label"] == "Cue"]["source_source_type"].isna().all()
    # a Target's attribute is stored only as a consensus label of its region
    assert list(spans[spans["label"] == "Target"]["target_sentiment"]) == ["positive"]
    assert "Cue" not in set(spans[spans["segment_id"] == world.segments[2].id]["label"])

    att = t["attributions"].to_pylist()
    assert len(att) == 2
    first = next(a for a in att if a["segment_id"] == world.segments[0].id)
    assert first["source_text"] == "Foreign Minister Shah Mahmood Qureshi"
    assert first["cue_text"] == "According to"
    assert first["content_quote_type"] == "direct" and first["source_source_type"] == "official"

    anns = t["annotations"].to_pandas()
    assert set(anns["annotator"]) == {"ann-01", "ann-02", "ann-03"}
    assert len(anns) == 8
    results = [json.loads(r) for r in anns["result"]]
    assert all("meta" not in item and "origin" not in item for r in results for item in r)

    adj = t["adjudications"].to_pylist()
    assert adj[0]["adjudicator"] == "ann-03" and adj[0]["target"] == "sentiment"


def test_no_article_in_two_splits(world: World, tmp_path: Path) -> None:
    add_third_article(world)
    t = pd.read_parquet(make_release(world, tmp_path) / "segments.parquet")
    assert (t.groupby("article_id")["split"].nunique() == 1).all()


# -- reproducibility -----------------------------------------------------------------------------


def _shuffled(world: World, seed: int) -> World:
    """The same world with every list in another order (so stored in another row order)."""
    out, rng = copy.deepcopy(world), random.Random(seed)
    for rows in (out.articles, out.segments, out.annotations, out.labels, out.spans):
        rng.shuffle(rows)
    return out


def test_same_data_same_bytes_whatever_the_row_order(world: World, tmp_path: Path) -> None:
    a = make_release(world, tmp_path / "a")
    b = make_release(_shuffled(world, 3), tmp_path / "b")
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        if name != "manifest.json":
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma = json.loads((a / "manifest.json").read_text())
    mb = json.loads((b / "manifest.json").read_text())
    assert ma == mb  # created_at is fixed here, so even the manifests agree


def test_parquet_has_no_timestamps_or_pandas_index(world: World, tmp_path: Path) -> None:
    path = make_release(world, tmp_path)
    meta = pq.read_metadata(path / "segments.parquet")
    assert meta.created_by.startswith("parquet-cpp-arrow version")
    kv = meta.metadata or {}
    assert b"pandas" not in kv
    assert "__index_level_0__" not in pq.read_schema(path / "segments.parquet").names


# -- files, loading -------------------------------------------------------------------------------


EXPECTED_FILES = {
    "manifest.json",
    "README.md",
    "diff.json",
    "segments.parquet",
    "spans.parquet",
    "relations.parquet",
    "attributions.parquet",
    "annotations.parquet",
    "adjudications.parquet",
    "articles.parquet",
    "segments.jsonl",
    "spans.spacy.jsonl",
}


def test_release_files_and_manifest(world: World, tmp_path: Path) -> None:
    path = make_release(world, tmp_path)
    assert path == tmp_path / "news" / "v0001"
    assert {p.name for p in path.iterdir()} == EXPECTED_FILES
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]
    m = json.loads((path / "manifest.json").read_text())
    assert m["version"] == "v0001" and m["parent"] is None
    assert m["schema"]["id"] == "news-v1" and m["schema"]["version"] == world.schema.version
    assert m["guidelines_version"] == world.schema.guidelines_version
    assert m["label_studio"] == {"url": "http://127.0.0.1:8089", "project_id": 7}
    assert m["created_at"] == NOW.isoformat()
    assert set(m["files"]) == EXPECTED_FILES - {"manifest.json"}
    assert m["counts"]["segments"] == 3 and m["counts"]["annotators"] == 3
    alpha = m["agreement"]["segment"]["sentiment"]["krippendorff_alpha"]
    assert alpha["n_items"] == 3 and "ci_low" in alpha
    assert m["agreement"]["spans"]["(all labels)"]["mean_pairwise_f1"] > 0.5

    records = [json.loads(line) for line in (path / "segments.jsonl").read_text().splitlines()]
    assert len(records) == 3
    rec = next(r for r in records if r["segment_id"] == world.segments[0].id)
    assert rec["labels"]["sentiment"]["label"] == "neutral"
    assert {a["annotator"] for a in rec["annotations"]} == {"ann-01", "ann-02", "ann-03"}
    assert rec["attributions"][0]["source"].startswith("Source@")


def test_existing_version_is_never_overwritten(world: World, tmp_path: Path) -> None:
    path = make_release(world, tmp_path)
    before = (path / "segments.parquet").read_bytes()
    with pytest.raises(ReleaseError, match="never overwritten"):
        write_release(path.parent, "v0001", {}, {"version": "v0001"})
    assert (path / "segments.parquet").read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_loads_with_pandas_in_one_line(world: World, tmp_path: Path) -> None:
    path = make_release(world, tmp_path)
    for name in ("segments", "spans", "attributions", "annotations", "adjudications"):
        df = pd.read_parquet(path / f"{name}.parquet")
        assert len(df) > 0 and "segment_id" in df.columns
    assert pd.read_parquet(path / "segments.parquet")["split"].notna().all()


def test_loads_with_huggingface_datasets(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    path = make_release(world, tmp_path / "rel")
    ds = datasets.load_dataset(
        "parquet",
        data_files={"segments": str(path / "segments.parquet")},
        cache_dir=str(tmp_path / "cache"),
    )["segments"]
    assert ds.num_rows == 3 and "sentiment" in ds.column_names
    spans = datasets.load_dataset(
        "parquet", data_files=str(path / "spans.parquet"), cache_dir=str(tmp_path / "cache")
    )["train"]
    assert spans.num_rows == 9
    assert isinstance(spans[0]["support"], list)


def test_span_layer_loads_in_spacy(world: World, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    path = make_release(world, tmp_path)
    nlp = spacy.blank("en")
    docs = []
    n_spans = 0
    for line in (path / "spans.spacy.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        assert set(d) == {"text", "spans", "meta"}
        doc = nlp.make_doc(d["text"])
        spans = []
        for s in d["spans"]:
            sp = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="strict")
            assert sp is not None, (d["text"][s["start"] : s["end"]], s)  # token-aligned
            spans.append(sp)
        doc.spans["sc"] = spans
        n_spans += len(spans)
        docs.append(doc)
    assert n_spans == 9
    back = list(DocBin().from_bytes(DocBin(docs=docs).to_bytes()).get_docs(nlp.vocab))
    assert sum(len(d.spans["sc"]) for d in back) == n_spans
    labels = {s.label_ for d in back for s in d.spans["sc"]}
    assert labels == {"Cue", "Source", "Content", "Claim", "Target"}


# -- verify --------------------------------------------------------------------------------------


def test_verify_names_changed_missing_and_extra_files(world: World, tmp_path: Path) -> None:
    path = make_release(world, tmp_path)
    assert verify_release(path).ok
    with open(path / "spans.parquet", "ab") as fh:
        fh.write(b"x")
    (path / "diff.json").unlink()
    (path / "notes.txt").write_text("hello")
    report = verify_release(path)
    assert not report.ok
    assert report.changed == ["spans.parquet"]
    assert report.missing == ["diff.json"]
    assert report.extra == ["notes.txt"]


def test_verify_refuses_a_folder_without_manifest(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="manifest"):
        verify_release(tmp_path)


# -- diff and card -------------------------------------------------------------------------------


def test_diff_against_parent(world: World, tmp_path: Path) -> None:
    make_release(world, tmp_path)
    world.labels[0]["label"] = "positive"  # s1 sentiment changes
    world.spans = [s for s in world.spans if s["label"] != "Target"]
    add_third_article(world)
    v2 = make_release(world, tmp_path)  # into the same store: the next version
    diff = json.loads((v2 / "diff.json").read_text())
    assert diff["parent"] == "v0001" and diff["version"] == "v0002"
    assert diff["segments"]["added"] == [world.segments[-1].id]
    assert diff["segments"]["removed"] == []
    assert diff["labels_changed"] == [
        {
            "segment_id": world.segments[0].id,
            "field": "sentiment",
            "old": "neutral",
            "new": "positive",
        }
    ]
    assert diff["summary"]["spans_removed"] == 1 and diff["summary"]["spans_added"] == 1
    assert diff["summary"]["splits_changed"] == 0
    # unchanged: in both versions, and neither a label nor a span of it changed
    touched = {world.segments[0].id} | {s["segment_id"] for s in diff["spans"]["removed"]}
    n_segments = len(pd.read_parquet(v2 / "segments.parquet"))
    assert touched == {world.segments[0].id}  # its label and its Target changed
    assert diff["summary"]["segments_unchanged"] == n_segments - 2  # less the added one
    card = (v2 / "README.md").read_text()
    assert "segments added 1" in card and "labels changed 1" in card
    same = diff_tables(read_tables(v2), read_tables(v2), parent="v0002", version="v0002")
    assert all(v == 0 for k, v in same["summary"].items() if k != "segments_unchanged")
    assert same["summary"]["segments_unchanged"] == n_segments


def test_card_documents_schema_agreement_sources_and_loading(world: World, tmp_path: Path) -> None:
    path = make_release(world, tmp_path)
    card = (path / "README.md").read_text()
    for label in world.schema.labels:
        assert f"**{label.name}**: {label.description}" in card
    for needle in (
        world.schema.version,
        str(world.schema.guidelines_version),
        'pd.read_parquet("segments.parquet")',
        'load_dataset("parquet"',
        "spans.spacy.jsonl",
        "CoNLL",
        "Krippendorff's alpha",
        "Khan to visit Moscow",
        "Daily Example",
        "2022-02-20",
        "seeds/004.txt",
        "adjudicat",
        "Known limits",
        "majority (min support 0.5)",
    ):
        assert needle in card, needle


GOLDEN = Path(__file__).parent / "golden"


def undocumented(release: Path) -> list[str]:
    """The `table.column`s of a release's Parquet files its card does not name: in backticks,
    as `<field>…` for a segment field's columns, as `<part>_<attribute>` for a triple part's
    attribute."""
    card = (release / "README.md").read_text(encoding="utf-8")
    names = pq.read_schema(release / "segments.parquet").names
    fields = [n for n in names if f"{n}_confidence" in names]
    missing = []
    for file in sorted(release.glob("*.parquet")):
        for column in pq.read_schema(file).names:
            part = column.partition("_")[0]
            ok = f"`{column}`" in card or any(
                column.startswith(f) and f"`<field>{column[len(f) :]}`" in card
                for f in fields
                if f"**{f}**" in card
            )
            ok = ok or (
                file.stem == "attributions"
                and part in ("content", "source", "cue")
                and "`<part>_<attribute>`" in card
            )
            if not ok:
                missing.append(f"{file.stem}.{column}")
    return missing


def test_card_names_every_column(world: World, tmp_path: Path) -> None:
    assert undocumented(make_release(world, tmp_path)) == []
    for case in ("seed", "synthetic", "synthetic-v2"):  # two schemas; golden: what code makes
        assert undocumented(GOLDEN / case) == [], case


def test_card_loading_one_liners_run(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("datasets")
    path = make_release(world, tmp_path / "rel")
    card = (path / "README.md").read_text()
    block = card.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.chdir(path)
    scope: dict[str, object] = {}
    exec(compile(block, "card", "exec"), scope)  # the documented lines, verbatim
    assert len(scope["segments"]) == 3  # type: ignore[arg-type]
    assert scope["train"] is not None
    soft = scope["soft"]  # each segment's share of each answer among its annotators
    assert isinstance(soft, pd.DataFrame) and len(soft) == 3
    assert soft.sum(axis=1).round(9).eq(1).all() and "neutral" in soft.columns


def test_shuffle_helper_really_shuffles(world: World) -> None:
    ids = [a[2] for a in world.annotations]
    assert [a[2] for a in _shuffled(world, 3).annotations] != ids
    assert sorted(a[2] for a in _shuffled(world, 3).annotations) == sorted(ids)


def test_readme_loading_lines_run_and_give_the_splits(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's export lines, verbatim, from a folder whose exports/news/v0001 is a
    release: `ds` is every segment, `train` only the train split's."""
    datasets = pytest.importorskip("datasets")
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Export: what an ML team gets", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    path = make_release(world, tmp_path / "exports")
    assert path == tmp_path / "exports" / "news" / "v0001"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(block, "README", "exec"), scope)
    segments = pd.read_parquet(path / "segments.parquet")
    assert isinstance(scope["ds"], datasets.Dataset) and len(scope["ds"]) == len(segments)
    train = scope["train"]
    assert isinstance(train, datasets.Dataset) and set(train["split"]) == {"train"}
    assert len(train) == (segments["split"] == "train").sum() < len(segments)
