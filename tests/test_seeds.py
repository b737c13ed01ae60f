"""The seed articles end to end through clean + segment: the acceptance checks of the corpus.

The quotation finder here is independent of the segmenter's own logic on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.ingest import clean_article
from workbench.segment import segment_article

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
PAIRS = [("“", "”"), ('"', '"')]


def _quotations(text: str) -> list[tuple[int, int]]:
    """Spans of well-formed quotations: closed within a paragraph, or continued across
    paragraphs by the news convention (each continuing paragraph opens with a quote mark)."""
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"“[^“”\n]*”", text):
        spans.append((m.start(), m.end()))
    for m in re.finditer(r'(?<![\w])"[^"\n]*"', text):
        spans.append((m.start(), m.end()))
    # Continued: “ opens and stays open to the paragraph end, the next paragraphs open with “,
    # and one of them finally closes.
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    for i, (start, end) in enumerate(paragraphs):
        para = text[start:end]
        last_open = para.rfind("“")
        if last_open < 0 or "”" in para[last_open:]:
            continue
        j = i + 1
        while j < len(paragraphs) and text[paragraphs[j][0]] == "“":
            nxt = text[paragraphs[j][0] : paragraphs[j][1]]
            close = nxt.find("”")
            if close >= 0 and "“" not in nxt[1:close]:
                spans.append((start + last_open, paragraphs[j][0] + close + 1))
                break
            j += 1
    return spans


@pytest.fixture(scope="module")
def cleaned() -> dict[str, str]:
    return {p.name: clean_article(p.read_text(encoding="utf-8"), "txt").text for p in SEEDS}


def test_there_are_five_seeds() -> None:
    assert len(SEEDS) == 5


@pytest.mark.parametrize("seed", [p.name for p in SEEDS])
def test_every_well_formed_quotation_is_inside_one_segment(
    cleaned: dict[str, str], seed: str
) -> None:
    text = cleaned[seed]
    segments = segment_article("a", text)
    quotes = _quotations(text)
    assert quotes, "each seed quotes someone"
    for qs, qe in quotes:
        owners = [s for s in segments if s.start <= qs and qe <= s.end]
        assert len(owners) == 1, f"quotation cut across segments: {text[qs:qe][:80]!r}"


def test_continued_quotations_in_seed_004_are_kept_whole(cleaned: dict[str, str]) -> None:
    text = cleaned["004_6126446ed3470000.txt"]
    segments = segment_article("a", text)
    basit = [s for s in segments if "Basit told The Media Line" in s.text]
    assert len(basit) == 1 and "The countries also have concerns" in basit[0].text
    # The unclosed Raja quotation must not swallow what follows.
    raja = next(s for s in segments if s.text.startswith("Adil Farooq Raja"))
    assert "Raja noted that" not in raja.text
    tsukerman = next(s for s in segments if "Tsukerman told The Media Line" in s.text)
    assert "The timing of the visit" not in tsukerman.text
    paragraphs = text.count("\n\n") + 1
    assert paragraphs - 5 <= len(segments) <= paragraphs


def test_offsets_hold_on_every_seed_and_unit(cleaned: dict[str, str]) -> None:
    for text in cleaned.values():
        for unit in ("paragraph", "sentence", "article"):
            for s in segment_article("a", text, unit):  # type: ignore[arg-type]
                assert text[s.start : s.end] == s.text
