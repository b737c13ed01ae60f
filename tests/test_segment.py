"""Tests for workbench.segment (pure segmentation of cleaned article text)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.segment import (
    MAX_MERGED_PARAGRAPHS,
    Segment,
    Unit,
    segment_article,
    split_sentences,
)

SEEDS = Path(__file__).parent.parent / "seeds"
UNITS: tuple[Unit, ...] = ("paragraph", "sentence", "article")


def normalise(raw: str) -> str:
    """Minimal local cleaning for the tests: blank-line paragraphs, stripped lines."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", raw):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines:
            paragraphs.append(" ".join(lines))
    return "\n\n".join(paragraphs)


def seed_004() -> str:
    return normalise((SEEDS / "004_6126446ed3470000.txt").read_text(encoding="utf-8"))


def the_segment(segments: list[Segment], needle: str) -> Segment:
    found = [s for s in segments if needle in s.text]
    assert len(found) == 1, (needle, [s.text[:60] for s in found])
    return found[0]


def check_invariants(text: str, segments: list[Segment], unit: str, article_id: str) -> None:
    assert [s.position for s in segments] == list(range(len(segments)))
    prev_end = 0
    for s in segments:
        assert s.unit == unit
        assert s.article_id == article_id
        assert text[s.start : s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert prev_end <= s.start < s.end
        prev_end = s.end
        assert 16 <= len(s.id) <= 20 and re.fullmatch(r"[0-9a-f]+", s.id)
        # sentences: inside the segment, ordered, disjoint, non-empty, stripped, covering
        assert s.sentences
        prev = s.start
        for a, b in s.sentences:
            assert prev <= a < b <= s.end
            assert text[a:b] == text[a:b].strip() != ""
            prev = b
        assert s.sentences[0][0] == s.start and s.sentences[-1][1] == s.end
        covered = {i for a, b in s.sentences for i in range(a, b)}
        assert all(text[i].isspace() for i in range(s.start, s.end) if i not in covered)
    assert len({s.id for s in segments}) == len(segments)


def assert_covers_text(text: str, segments: list[Segment]) -> None:
    """Every non-whitespace character is in exactly one segment."""
    counts = [0] * len(text)
    for s in segments:
        for i in range(s.start, s.end):
            counts[i] += 1
    for i, ch in enumerate(text):
        assert counts[i] == 1 or (ch.isspace() and counts[i] == 0), (i, ch, counts[i])


# --------------------------------------------------------------------------- property tests

_WORDS = st.sampled_from(
    [
        "the",
        "Minister",
        "said",
        "Mr.",
        "U.S.",
        "3.5",
        "vis-à-vis",
        "Ελλάδα",
        "Москва",
        "東京",
        "naïve",
        "e.g.",
        "(photo)",
        "—",
        "…",
        "a",
        "Khan’s",
    ]
)
_PUNCT = st.sampled_from(["", "", "", ".", ",", "!", "?", ";", ":", "...", ".”", ",”", '."'])
_QUOTES = st.sampled_from(["“", "”", '"', "‘", "’"])


@st.composite
def _token(draw: st.DrawFn) -> str:
    word = draw(_WORDS | st.text(alphabet="abcXYZé ", min_size=1, max_size=6))
    if draw(st.integers(0, 5)) == 0:
        word = draw(_QUOTES) + word
    if draw(st.integers(0, 5)) == 0:
        word = word + draw(_QUOTES)
    return word + draw(_PUNCT)


@st.composite
def _paragraph(draw: st.DrawFn) -> str:
    words = draw(st.lists(_token(), min_size=0, max_size=25))
    para = " ".join(words)
    if draw(st.booleans()):
        para = draw(_QUOTES) + para
    return draw(st.sampled_from(["", " ", "  "])) + para + draw(st.sampled_from(["", " ", "\t"]))


@st.composite
def _article(draw: st.DrawFn) -> str:
    paras = draw(st.lists(_paragraph(), min_size=0, max_size=8))
    out = ""
    for i, p in enumerate(paras):
        if i:
            out += draw(st.sampled_from(["\n\n", "\n\n", " \n\n", "\n\n ", "\n\n\n\n"]))
        out += p
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_article(), max_chars=st.integers(min_value=10, max_value=400))
def test_properties_all_units(text: str, max_chars: int) -> None:
    for unit in UNITS:
        segments = segment_article("art-1", text, unit, max_chars=max_chars)
        check_invariants(text, segments, unit, "art-1")
        assert segment_article("art-1", text, unit, max_chars=max_chars) == segments
        if unit in ("paragraph", "article"):
            assert_covers_text(text, segments)
        if not text.strip():
            assert segments == []
    # sentence starts are the only places a paragraph segment may start
    starts = {a for a, _ in split_sentences(text)}
    for s in segment_article("art-1", text, "paragraph", max_chars=max_chars):
        assert s.start in starts


@settings(max_examples=100, deadline=None)
@given(text=_article())
def test_split_sentences_properties(text: str) -> None:
    spans = split_sentences(text)
    prev = 0
    for a, b in spans:
        assert prev <= a < b
        assert text[a:b] == text[a:b].strip() != ""
        assert "\n\n" not in text[a:b]
        prev = b
    covered = {i for a, b in spans for i in range(a, b)}
    assert all(ch.isspace() for i, ch in enumerate(text) if i not in covered)


def test_split_sentences_range_is_absolute() -> None:
    text = "Skip this. First one here. Second one here. Not this."
    start = text.index("First")
    end = text.index(" Not")
    spans = split_sentences(text, start, end)
    assert [text[a:b] for a, b in spans] == ["First one here.", "Second one here."]
    with pytest.raises(ValueError):
        split_sentences(text, 5, 2)


# --------------------------------------------------------------------------- quotations


def test_continued_quotation_three_paragraphs_is_one_segment() -> None:
    text = (
        "The minister said on Monday, “We will build the pipeline. It matters.\n\n"
        "“Second paragraph of the same quotation. Still going.\n\n"
        "“Third and last paragraph,” he added.\n\n"
        "An unrelated paragraph follows."
    )
    segments = segment_article("a", text)
    assert len(segments) == 2
    first = segments[0]
    assert first.text.startswith("The minister said")
    assert first.text.endswith("he added.")
    assert first.text.count("\n\n") == 2
    assert text[first.start : first.end] == first.text
    assert segments[1].text == "An unrelated paragraph follows."


def test_continued_quotation_with_straight_quotes() -> None:
    text = 'He said, "First part.\n\n"Second part," he added.\n\nNext paragraph.'
    segments = segment_article("a", text)
    assert [s.text for s in segments] == [
        'He said, "First part.\n\n"Second part," he added.',
        "Next paragraph.",
    ]


def test_unclosed_quote_followed_by_plain_paragraph_does_not_merge() -> None:
    text = (
        "He told reporters, “This is unclosed.\n\n"
        "Another person noted that “the quote here is closed.”\n\n"
        "“A fresh quotation,” she said."
    )
    segments = segment_article("a", text)
    assert len(segments) == 3
    assert all("\n\n" not in s.text for s in segments)


def test_closed_quote_then_quote_paragraph_does_not_merge() -> None:
    text = "“One,” he said.\n\n“Two,” she said."
    assert len(segment_article("a", text)) == 2


def test_unclosed_quote_at_end_of_article() -> None:
    text = "First paragraph.\n\nHe said, “This never closes. Really."
    segments = segment_article("a", text)
    assert [s.text for s in segments] == [
        "First paragraph.",
        "He said, “This never closes. Really.",
    ]


def test_merge_safety_bound() -> None:
    paras = ["He said, “Start."] + [f"“Continued paragraph number {i}." for i in range(20)]
    text = "\n\n".join(paras)
    segments = segment_article("a", text, max_chars=100_000)
    assert all(s.text.count("\n\n") + 1 <= MAX_MERGED_PARAGRAPHS for s in segments)
    assert len(segments) == -(-len(paras) // MAX_MERGED_PARAGRAPHS)
    assert_covers_text(text, segments)


# --------------------------------------------------------------------------- seed 004


def test_seed_004_basit_continued_quotation_is_one_segment() -> None:
    text = seed_004()
    segments = segment_article("6126446ed3470000", text)
    basit = the_segment(
        segments, "Basit told The Media Line, “Pakistan and Russia have been trying"
    )
    assert "“The countries also have concerns" in basit.text
    assert basit.text.endswith("he added.")


def test_seed_004_unclosed_quotes_do_not_swallow() -> None:
    text = seed_004()
    segments = segment_article("6126446ed3470000", text)
    raja = the_segment(segments, "Adil Farooq Raja")
    noted = the_segment(segments, "Raja noted that")
    assert raja.id != noted.id
    assert raja.end < noted.start
    tsukerman = the_segment(segments, "It sends a completely different message")
    timing = the_segment(segments, "The timing of the visit")
    assert tsukerman.end < timing.start
    n_paragraphs = len(text.split("\n\n"))
    assert n_paragraphs - 6 <= len(segments) <= n_paragraphs
    assert max(s.text.count("\n\n") for s in segments) <= 1
    check_invariants(text, segments, "paragraph", "6126446ed3470000")
    assert_covers_text(text, segments)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_all_seeds_invariants(path: Path) -> None:
    text = normalise(path.read_text(encoding="utf-8"))
    for unit in UNITS:
        segments = segment_article(path.stem, text, unit)
        check_invariants(text, segments, unit, path.stem)
    assert all(
        len(s.text) <= 1200 for s in segment_article(path.stem, text) if len(s.sentences) > 1
    )


# --------------------------------------------------------------------------- long segments


def test_long_paragraph_split_at_sentence_boundaries() -> None:
    sentences = [f"This is sentence number {i} of the paragraph." for i in range(10)]
    text = " ".join(sentences)
    segments = segment_article("a", text, max_chars=100)
    assert len(segments) > 1
    assert all(len(s.text) <= 100 for s in segments)
    assert [t for s in segments for t in (text[a:b] for a, b in s.sentences)] == sentences
    assert " ".join(s.text for s in segments) == text
    assert_covers_text(text, segments)


def test_single_long_sentence_stays_whole() -> None:
    long_sentence = "This sentence " + "goes on and on " * 20 + "until it ends."
    text = f"Short one. {long_sentence} Short two."
    segments = segment_article("a", text, max_chars=50)
    assert [s.text for s in segments] == ["Short one.", long_sentence, "Short two."]


QUOTE_TEXT = (
    "Intro sentence one. Intro sentence two. He said, “Quoted sentence one is here. "
    "Quoted sentence two is here.\n\n"
    "“Quoted sentence three,” he added. After that it was calm."
)


def test_split_prefers_boundaries_outside_quotations() -> None:
    text = QUOTE_TEXT
    quote = text[text.index("He said") : text.index("he added.") + len("he added.")]
    max_chars = 110
    assert len(quote) <= max_chars
    # the greedy maximum (up to "two is here.") would cut inside the quotation
    assert text.index("two is here.") + len("two is here.") <= max_chars
    segments = segment_article("a", text, max_chars=max_chars)
    assert [s.text for s in segments] == [
        "Intro sentence one. Intro sentence two.",
        quote,
        "After that it was calm.",
    ]
    check_invariants(text, segments, "paragraph", "a")
    assert_covers_text(text, segments)


def test_unavoidable_cut_inside_quotation_prefers_its_paragraph_break() -> None:
    text = QUOTE_TEXT
    max_chars = 80
    segments = segment_article("a", text, max_chars=max_chars)
    assert [s.text for s in segments] == [
        "Intro sentence one. Intro sentence two.",
        "He said, “Quoted sentence one is here. Quoted sentence two is here.",
        "“Quoted sentence three,” he added. After that it was calm.",
    ]
    assert all(len(s.text) <= max_chars for s in segments)
    check_invariants(text, segments, "paragraph", "a")


def test_long_merged_quotation_fits_without_split_when_short() -> None:
    text = "He said, “One.\n\n“Two,” he added."
    assert len(segment_article("a", text, max_chars=1200)) == 1


# --------------------------------------------------------------------------- other units


def test_sentence_unit() -> None:
    text = "Mr. Smith went to Washington. He arrived at 3.5 p.m. on Monday.\n\n“Hi,” she said."
    segments = segment_article("a", text, "sentence")
    assert [s.text for s in segments] == [
        "Mr. Smith went to Washington.",
        "He arrived at 3.5 p.m. on Monday.",
        "“Hi,” she said.",
    ]
    for s in segments:
        assert s.sentences == ((s.start, s.end),)
    check_invariants(text, segments, "sentence", "a")


def test_article_unit() -> None:
    text = "  First paragraph. Two sentences.\n\nSecond paragraph.  "
    segments = segment_article("a", text, "article", max_chars=10)
    assert len(segments) == 1
    seg = segments[0]
    assert seg.text == text.strip()
    assert seg.position == 0
    assert [text[a:b] for a, b in seg.sentences] == [
        "First paragraph.",
        "Two sentences.",
        "Second paragraph.",
    ]


def test_empty_and_whitespace_texts() -> None:
    for unit in UNITS:
        assert segment_article("a", "", unit) == []
        assert segment_article("a", " \n\n  \n\n", unit) == []


def test_empty_paragraphs_produce_no_segments() -> None:
    text = "One.\n\n\n\n  \n\nTwo."
    assert [s.text for s in segment_article("a", text)] == ["One.", "Two."]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        segment_article("a", "x", "word")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        segment_article("a", "x", max_chars=0)


# --------------------------------------------------------------------------- ids


def test_id_formula_is_machine_independent() -> None:
    text = "Hello world."
    (seg,) = segment_article("art-42", text)
    payload = "\x1f".join(["art-42", "paragraph", "0", "12", "Hello world."])
    expected = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]
    assert seg.id == expected
    assert (seg.start, seg.end, seg.sentences) == (0, 12, ((0, 12),))


def test_ids_depend_on_article_unit_and_offsets() -> None:
    text = "Same text.\n\nSame text."
    a = segment_article("a", text)
    b = segment_article("b", text)
    assert a[0].text == a[1].text and a[0].id != a[1].id
    assert a[0].id != b[0].id
    assert segment_article("a", "Same text.", "sentence")[0].id != a[0].id
    assert segment_article("a", text) == a
