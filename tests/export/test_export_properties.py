"""Invariants of a release over generated stores (hypothesis), through public entry points
only (`stores`: ingest, pull from a Label Studio export file, reconcile, `export_dataset`):

- every span lies in its segment's text (text[start:end] is the span's text);
- every consensus label and span not adjudicated has at least `min_support` of its segment's
  annotators, and its support is exactly the annotators who gave it;
- splits are grouped by article, and stable: across re-exports and after new articles;
- a release is byte-identical when made again from the same store (a forced re-export writes
  the same data files; the same store built twice gives the same release folder);
- the diff of a release against itself, and a forced re-export's diff.json, are empty.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.export import stores
from workbench.export import diff_releases, export_dataset
from workbench.reconcile.save import reconcile
from workbench.schema import Schema
from workbench.store import Store, open_store

DS = "gen"
MIN_SUPPORT = 0.5
SCHEMA = stores.news_schema()
ATTRS = {
    "Source": {"source_type": ["official", "analyst", "unnamed"]},
    "Cue": {},
    "Content": {"quote_type": ["direct", "indirect"]},
    "Claim": {"claim_type": ["factual", "opinion"], "checkworthy": ["yes", "no"]},
    "Target": {"sentiment": ["negative", "positive"]},
}
WHO = ["Officials", "Analysts", "The minister", "Residents", "A spokesperson", "Critics"]
WHAT = ["the plan", "the budget", "the election", "the pipeline", "the talks", "the treaty"]
VERB = ["would fail", "was delayed", "will pass", "had stalled", "could help", "went well"]
CASES = settings(
    max_examples=4, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def articles(rng: random.Random, prefix: str, n: int) -> dict[str, str]:
    out = {}
    for a in range(n):
        paragraphs = [
            f"{rng.choice(WHO)} said on day {a}{p} of week {prefix} that {rng.choice(WHAT)} "
            f"{rng.choice(VERB)} in {rng.choice(['Lahore', 'Moscow', 'Berlin'])}."
            for p in range(rng.randint(1, 3))
        ]
        out[f"{prefix}{a}.txt"] = f"Report {prefix}{a}\n\nBy Reporter {a}\n\n" + "\n\n".join(
            paragraphs
        )
    return out


def annotations(rng: random.Random, texts: dict[str, str], first_id: int) -> list[stores.Ann]:
    """2-4 annotators per segment who mostly draw the same few spans and sentiment."""
    out: list[stores.Ann] = []
    for sid in sorted(texts):
        text = texts[sid]
        words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
        common = []
        for _ in range(rng.randint(0, 3)):
            i = rng.randrange(len(words))
            j = min(len(words), i + rng.randint(1, 4))
            label = rng.choice(sorted(ATTRS))
            attrs = {k: rng.choice(v) for k, v in ATTRS[label].items()}
            common.append((label, words[i][0], words[j - 1][1], attrs))
        mood = rng.choice(["negative", "neutral", "positive", "mixed"])
        for user in rng.sample([21, 22, 23, 24], rng.randint(2, 4)):
            mine = [s for s in common if rng.random() < 0.75]
            if rng.random() < 0.3:
                i = rng.randrange(len(words))
                mine.append(("Cue", words[i][0], words[i][1], {}))
            result: list[dict[str, Any]] = []
            for k, (label, start, end, attrs) in enumerate(mine):
                if rng.random() < 0.2:  # an attribute confusion
                    attrs = {a: rng.choice(ATTRS[label][a]) for a in attrs}
                result += stores.region_at(text, f"r{k}", label, start, end, **attrs)
            ids = {label: f"r{k}" for k, (label, *_) in enumerate(mine)}
            if "Content" in ids and "Source" in ids:
                result.append(stores.rel(ids["Content"], "attributed_to", ids["Source"]))
            if "Content" in ids and "Cue" in ids:
                result.append(stores.rel(ids["Cue"], "cue_of", ids["Content"]))
            if rng.random() < 0.9:
                other = rng.choice(["negative", "neutral", "positive", "mixed"])
                result.append(stores.choice("sentiment", mood if rng.random() < 0.7 else other))
            out.append(stores.Ann(sid, user, result, id=first_id + len(out)))
    return out


def grow(store: Store, folder: Path, seed: int, prefix: str, n: int, first_id: int) -> None:
    """Add `n` generated articles and annotations on their segments, then reconcile."""
    rng = random.Random(f"{seed}-{prefix}")
    before = set(stores.segment_texts(store))
    stores.add_articles(store, folder, articles(rng, prefix, n))
    texts = {k: v for k, v in stores.segment_texts(store).items() if k not in before}
    anns = annotations(rng, texts, first_id)
    stores.load_annotations(store, folder, DS, SCHEMA, anns, f"export-{prefix}.json")
    if rng.random() < 0.5:  # an adjudicated segment
        sid = rng.choice(sorted(texts))
        stores.adjudicate(store, DS, sid, [stores.choice("sentiment", "mixed")], user=24)
    reconcile(store, SCHEMA, DS, min_support=MIN_SUPPORT)


@contextmanager
def generated(seed: int, n: int) -> Iterator[tuple[Store, Path]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = open_store(f"sqlite:///{folder / 'workbench.db'}")
        try:
            grow(store, folder, seed, "a", n, 1)
            yield store, folder
        finally:
            store.close()


def release(store: Store, folder: Path, schema: Schema = SCHEMA, **kw: Any) -> Path:
    result = export_dataset(store, folder / "exports", DS, schema, now=stores.NOW, **kw)
    assert result.status == "created" and result.path is not None
    return result.path


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (path / "segments.jsonl").read_text("utf-8").splitlines()]


def splits(path: Path) -> dict[str, str]:
    t = pq.read_table(path / "segments.parquet", columns=["segment_id", "split"]).to_pylist()
    return {r["segment_id"]: r["split"] for r in t}


def check_release(path: Path) -> None:
    segs = records(path)
    assert segs, "the generated store released nothing"
    texts = {s["segment_id"]: s["text"] for s in segs}
    for row in pq.read_table(path / "spans.parquet").to_pylist():
        assert texts[row["segment_id"]][row["start"] : row["end"]] == row["text"]
        assert row["n_support"] == len(row["support"])
        if not row["adjudicated"]:
            assert row["n_support"] >= MIN_SUPPORT * row["n_annotators"] - 1e-9, row
    by_article: dict[str, set[str]] = {}
    for seg in segs:
        text, anns = seg["text"], seg["annotations"]
        for span in seg["spans"]:
            assert text[span["start"] : span["end"]] == span["text"]
            assert len(span["support"]) >= MIN_SUPPORT * len(anns) - 1e-9 or span["adjudicated"]
        for ann in anns:
            assert all(0 <= s["start"] < s["end"] <= len(text) for s in ann["spans"])
        for field, cons in seg["labels"].items():
            if cons["label"] is None or cons["adjudicated"]:
                continue
            gave = {a["annotator"] for a in anns if a["labels"].get(field) == cons["label"]}
            answered = sum(field in a["labels"] for a in anns)
            assert set(cons["support"]) == gave
            assert len(gave) >= MIN_SUPPORT * answered - 1e-9
        by_article.setdefault(seg["article_id"], set()).add(seg["split"])
    assert all(len(s) == 1 for s in by_article.values()), by_article
    arts = pq.read_table(path / "articles.parquet", columns=["article_id", "split"]).to_pylist()
    assert {a["article_id"]: {a["split"]} for a in arts} == by_article


def data_files(path: Path) -> dict[str, bytes]:
    skip = {"manifest.json", "diff.json", "README.md"}  # they name the version and parent
    return {f.name: f.read_bytes() for f in sorted(path.iterdir()) if f.name not in skip}


def empty(diff: dict[str, Any]) -> bool:
    return not any(v for k, v in diff["summary"].items() if k != "segments_unchanged")


@CASES
@given(st.integers(0, 10**6), st.integers(1, 3))
def test_release_invariants(seed: int, n: int) -> None:
    with generated(seed, n) as (store, folder):
        first = release(store, folder)
        check_release(first)
        assert empty(diff_releases(folder / "exports", DS, "v0001", "v0001"))
        again = release(store, folder, force=True)  # nothing changed: same data files
        assert data_files(again) == data_files(first)
        assert empty(json.loads((again / "diff.json").read_text("utf-8")))
        assert splits(again) == splits(first)
        grow(store, folder, seed, "b", 2, 1000)  # new articles: the old segments keep splits
        later = release(store, folder)
        check_release(later)
        old, new = splits(first), splits(later)
        assert set(new) > set(old)
        assert {k: new[k] for k in old} == old


def test_the_same_store_gives_the_same_release_bytes() -> None:
    """Built twice from one generator seed (three articles), released: the same folder."""
    made = []
    for _ in range(2):
        with generated(7, 3) as (store, folder):
            path = release(store, folder)
            made.append({f.name: f.read_bytes() for f in sorted(path.iterdir())})
    assert made[0] == made[1]
