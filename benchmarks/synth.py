"""Seeded synthetic data for the benchmarks: segment texts, article files and annotations.

Everything is derived from the seed articles (so texts look like news, not lorem ipsum) and a
`random.Random(seed)`, so two runs build byte-identical data. Annotations mimic real noise: each
segment has a hidden "truth" (2-6 spans, attribution triples, attributes, sentiment) that each
annotator copies imperfectly (missed and spurious spans, boundary jitter, label and attribute
confusions, dropped relations, skipped segments), every result valid under news-v1.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from workbench import ingest as clean
from workbench.segment import split_sentences
from workbench.sources import read_source

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
TOKEN = re.compile(r"\w+")

# news-v1 attributes per span label (control name, values); kept in sync by the validity check
# in `check_results`, which runs the schema's own validator.
ATTRS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "Source": [("source_type", ("official", "analyst", "media", "unnamed", "author", "other"))],
    "Cue": [],
    "Content": [("quote_type", ("direct", "indirect", "mixed"))],
    "Claim": [
        ("claim_type", ("factual", "prediction", "opinion", "other")),
        ("checkworthy", ("yes", "no")),
    ],
    "Target": [("sentiment", ("negative", "neutral", "positive"))],
}
LABELS = tuple(ATTRS)
SENTIMENTS = ("negative", "neutral", "positive", "mixed")


@cache
def seed_paragraphs() -> tuple[str, ...]:
    """Cleaned paragraphs of the seed articles (the raw material of every synthetic text)."""
    paras: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        src = read_source(path)
        text = clean.clean_article(src.raw, src.format).text
        paras.extend(p.strip() for p in text.split("\n\n") if len(p.strip()) > 40)
    return tuple(paras)


@cache
def seed_sentences() -> tuple[str, ...]:
    out: list[str] = []
    for para in seed_paragraphs():
        out.extend(para[a:b] for a, b in split_sentences(para))
    return tuple(s for s in out if len(s) > 20)


def segment_text(rng: random.Random, target: int = 300) -> str:
    """A ~`target`-char paragraph of consecutive seed sentences (250-450 chars)."""
    sents = seed_sentences()
    i = rng.randrange(len(sents))
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < target - 50:
        parts.append(sents[i % len(sents)])
        i += 1
    return " ".join(parts)[: target + 150].rstrip()


# --------------------------------------------------------------------------- articles


def article_files(out_dir: Path, n: int, seed: int = 7, target: int = 3500) -> int:
    """Write `n` distinct article files (~`target` bytes, paragraphs from the seeds, a unique
    headline and dateline so every id differs); returns the total bytes written."""
    rng = random.Random(seed)
    paras = seed_paragraphs()
    out_dir.mkdir(parents=True, exist_ok=True)
    total = 0
    for k in range(n):
        body: list[str] = []
        i = rng.randrange(len(paras))
        while sum(len(p) + 2 for p in body) < target:
            body.append(paras[i % len(paras)])
            i += rng.choice((1, 1, 2, 3))
        rng.shuffle(body)
        # headline and byline become metadata when cleaned: the body itself must differ
        body[0] = f"Bureau {k} reports. {body[0]}"
        title = f"# Report {k}: {' '.join(rng.sample(TOKEN.findall(body[0]), 4))}"
        dateline = f"By Staff Writer {k % 97}\n\nJanuary {1 + k % 28}, 2023"
        text = "\n\n".join([title, dateline, *body]) + "\n"
        data = text.encode("utf-8")
        (out_dir / f"doc{k:06d}.txt").write_bytes(data)
        total += len(data)
    return total


# --------------------------------------------------------------------------- annotations


@dataclass(frozen=True)
class Region:
    label: str
    start: int
    end: int
    attrs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Truth:
    regions: tuple[Region, ...]
    relations: tuple[tuple[str, int, int], ...]  # (kind, from region index, to region index)
    sentiment: str


def _token_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def _attrs(rng: random.Random, label: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, rng.choice(values)) for name, values in ATTRS[label])


def _span(rng: random.Random, toks: list[tuple[int, int]], lo: int, hi: int) -> tuple[int, int]:
    """A token-aligned span of 1-`hi - lo` tokens starting in token range [lo, hi)."""
    a = rng.randrange(lo, max(lo + 1, hi))
    b = min(len(toks) - 1, a + rng.randint(0, max(0, min(8, hi - a - 1))))
    return toks[a][0], toks[b][1]


def truth(rng: random.Random, text: str) -> Truth:
    """The hidden "gold" annotation of one segment: 2-6 spans, often one attribution triple."""
    toks = _token_spans(text)
    n_tok = len(toks)
    regions: list[Region] = []
    relations: list[tuple[str, int, int]] = []
    n_spans = rng.randint(2, 6)
    if n_spans >= 3 and n_tok >= 12 and rng.random() < 0.7:
        third = n_tok // 3
        for label, (lo, hi) in zip(
            ("Source", "Cue", "Content"),
            ((0, third), (third, third + 2), (third + 2, n_tok)),
            strict=True,
        ):
            s, e = _span(rng, toks, lo, hi)
            regions.append(Region(label, s, e, _attrs(rng, label)))
        relations += [("attributed_to", 2, 0), ("cue_of", 1, 2)]
    while len(regions) < n_spans:
        label = rng.choice(("Claim", "Claim", "Target", "Source", "Content"))
        s, e = _span(rng, toks, 0, n_tok)
        regions.append(Region(label, s, e, _attrs(rng, label)))
    return Truth(tuple(regions), tuple(relations), rng.choice(SENTIMENTS))


def _rid(rng: random.Random) -> str:
    return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=10))


def _jitter(rng: random.Random, text: str, s: int, e: int) -> tuple[int, int]:
    """Boundary noise of a few characters (kept inside the text and non-empty)."""
    s = min(max(0, s + rng.randint(-4, 4)), len(text) - 1)
    e = min(len(text), max(s + 1, e + rng.randint(-4, 4)))
    return s, e


def annotate(rng: random.Random, text: str, gold: Truth, skill: float) -> list[dict[str, Any]]:
    """One annotator's Label Studio result for `gold` (lower `skill`, more noise)."""
    noise = 1.0 - skill
    kept: dict[int, str] = {}  # gold region index -> region id
    out: list[dict[str, Any]] = []

    def add(label: str, s: int, e: int, attrs: tuple[tuple[str, str], ...]) -> str:
        rid = _rid(rng)
        value = {"start": s, "end": e, "text": text[s:e], "labels": [label]}
        out.append(
            {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}
        )
        for name, choice in attrs:
            out.append(
                {
                    "id": rid,
                    "from_name": f"{label.lower()}_{name}",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"start": s, "end": e, "choices": [choice]},
                }
            )
        return rid

    for i, reg in enumerate(gold.regions):
        if rng.random() < 0.5 * noise:
            continue  # missed span
        label = reg.label
        attrs = reg.attrs
        if rng.random() < 0.2 * noise:  # label confusion: the attributes follow the new label
            label = rng.choice([x for x in LABELS if x != reg.label])
            attrs = _attrs(rng, label)
        elif attrs and rng.random() < 0.6 * noise:  # attribute confusion
            attrs = _attrs(rng, label)
        s, e = (
            (reg.start, reg.end) if rng.random() < 0.5 else _jitter(rng, text, reg.start, reg.end)
        )
        rid = add(label, s, e, attrs)
        if label == reg.label:
            kept[i] = rid
    if rng.random() < 0.5 * noise:  # a spurious span
        label = rng.choice(LABELS)
        s, e = _span(rng, _token_spans(text), 0, len(_token_spans(text)))
        add(label, s, e, _attrs(rng, label))
    for kind, a, b in gold.relations:
        if a in kept and b in kept and rng.random() > 0.3 * noise:
            out.append(
                {
                    "type": "relation",
                    "from_id": kept[a],
                    "to_id": kept[b],
                    "direction": "right",
                    "labels": [kind],
                }
            )
    sentiment = gold.sentiment
    if rng.random() < 1.2 * noise:
        sentiment = rng.choice(SENTIMENTS)
    out.append(
        {
            "id": _rid(rng),
            "from_name": "sentiment",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [sentiment]},
        }
    )
    return out


#: Three annotators of different reliability (probability-ish of copying the truth right).
SKILLS = (0.9, 0.8, 0.65)
MISSING = 0.05  # chance an annotator did not annotate a segment at all


@dataclass(frozen=True)
class Item:
    segment_id: str
    article_id: str
    position: int
    text: str
    results: tuple[list[dict[str, Any]] | None, ...]  # one per annotator; None = not annotated


def items(n: int, seed: int = 1, per_article: int = 10) -> list[Item]:
    """`n` annotated segments (`per_article` consecutive ones share an article)."""
    rng = random.Random(seed)
    out: list[Item] = []
    for k in range(n):
        text = segment_text(rng)
        gold = truth(rng, text)
        results = tuple(
            None if rng.random() < MISSING else annotate(rng, text, gold, skill) for skill in SKILLS
        )
        if all(r is None for r in results):  # every segment keeps at least one annotation
            results = (annotate(rng, text, gold, SKILLS[0]), *results[1:])
        art = f"art{seed}-{k // per_article}"
        sid = hashlib.sha256(f"{seed}/{k}/{text}".encode()).hexdigest()[:20]
        out.append(
            Item(sid, hashlib.sha256(art.encode()).hexdigest()[:20], k % per_article, text, results)
        )
    return out
