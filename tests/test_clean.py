"""Tests for `workbench.ingest.clean_article`: the five seed articles, unit cases and a property
test. Held-out articles from other sites are in test_ingest_heldout.py."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import InputError
from workbench.ingest import CleanArticle, clean_article, normalize_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def raw_seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*")
    return path.read_text(encoding="utf-8")


@cache
def seed(prefix: str) -> CleanArticle:
    (path,) = SEEDS.glob(f"{prefix}_*")
    return clean_article(path.read_text(encoding="utf-8"), path.suffix.lstrip("."))


def paragraphs(article: CleanArticle) -> list[str]:
    return article.text.split("\n\n")


def dropped(article: CleanArticle) -> tuple[str, ...]:
    """Removed paragraphs, header lines (whose content went to metadata fields) aside."""
    return tuple(r.text for r in article.removed if r.reason != "by-line or date line")


ALL_SEEDS = ["000", "001", "002", "003", "004"]


# --------------------------------------------------------------------------- all seeds


@pytest.mark.parametrize("prefix", ALL_SEEDS)
def test_seed_text_shape(prefix: str) -> None:
    article = seed(prefix)
    assert article.text == article.text.strip()
    assert "\r" not in article.text
    assert "\n\n\n" not in article.text
    for para in paragraphs(article):
        assert para == para.strip() and "\n" not in para
        assert "  " not in para
        # every paragraph starts a sentence: no page-break fragment left on its own
        assert not para[0].islower(), para
    assert article.title is not None and article.title not in paragraphs(article)


@pytest.mark.parametrize("prefix", ALL_SEEDS)
def test_seed_paragraphs_end_sentences_or_are_headings(prefix: str) -> None:
    for para in paragraphs(seed(prefix)):
        ends_sentence = re.search(r"[.?!…][”\"’)]*$|[”\"]$", para) is not None
        short_heading = len(para.split()) <= 10 and para[0].isupper()
        assert ends_sentence or short_heading, para


@pytest.mark.parametrize("prefix", ALL_SEEDS)
def test_seed_cleaning_is_idempotent_on_body(prefix: str) -> None:
    article = seed(prefix)
    assert clean_article(article.text, "txt").text.endswith(paragraphs(article)[-1])


# --------------------------------------------------------------------------- seed 000

SEED_000_BOILERPLATE = [
    "Follow us on",
    "share buttons",
    "Copyright",
    "Disclaimer",
    "fair use",
    "media inquiries",
    "Become a Member",
    "Articles by",
    "About the author",
    "Featured image",
    "Translate Website",
    "Region:",
    "Theme:",
    "In-depth Report",
    "click here",
    "originally published",
    "Note to readers",
    "original source",
    "Comment on Global Research",
    "regular contributor",
    "frequent contributor",
    "political analyst",
    "Telegram",
    "publications@globalresearch.ca",
    "](#)",
    "](",
    "**",
    "\\",
    "#",
]


@pytest.mark.parametrize("phrase", SEED_000_BOILERPLATE)
def test_seed_000_boilerplate_removed(phrase: str) -> None:
    assert phrase not in seed("000").text


def test_seed_000_no_markdown_left() -> None:
    text = seed("000").text
    assert "*" not in text and "[" not in text and "---" not in text


def test_seed_000_metadata() -> None:
    article = seed("000")
    assert article.title == "Russia-Pakistan Relations in the Wake of Coup against Imran Khan"
    assert article.subtitle == "Foreign Minister Bilawal Bhutto Zardari (BBZ) Visits Moscow"
    assert article.author == "Andrew Korybko"
    assert article.outlet == "Global Research"
    assert article.published == "2023-02-02"
    assert "By Andrew Korybko" not in article.text
    assert "Global Research, February 02, 2023" not in article.text


def test_seed_000_body_kept() -> None:
    paras = paragraphs(seed("000"))
    assert 14 <= len(paras) <= 16
    assert paras[0].startswith("It's of course in Pakistan's objective national interests")
    assert paras[1].startswith(
        '"Russian-Pakistani Economic & Energy Cooperation Just Took A Great Leap Forward" in'
    )
    assert paras[-1].startswith("The takeaway is that the damage inflicted upon Pakistan")
    assert paras[-1].endswith("truly harmed Pakistan's objective national interests.")
    # a page break inside a sentence is re-joined, the link text kept
    assert "hence the déjà vu that keen observers are experiencing." in seed("000").text
    assert "launched its ongoing special operation in Ukraine" in seed("000").text


def test_seed_000_dropped_lists_the_footer() -> None:
    removed = " ".join(dropped(seed("000")))
    for phrase in ["Disclaimer", "fair use", "Articles by", "Region:", "Featured image"]:
        assert phrase in removed


def test_seed_000_keeps_straight_quotes() -> None:
    # a document written with straight quotes stays straight: no curly quote appears
    text = seed("000").text
    assert not set("‘’“”") & set(text)
    assert 'superficially "democratic" post-modern coup' in text


# --------------------------------------------------------------------------- seeds 001, 002


@pytest.mark.parametrize(
    ("prefix", "title", "subtitle_start"),
    [
        ("001", "Deciphering Pakistan’s Mixed Signals Towards Russia", "Pakistan seems to be"),
        (
            "002",
            "Pakistan Must Do These Three Things In Order to Comprehensively Expand Ties With "
            "Russia",
            "Nobody should get their hopes up",
        ),
    ],
)
def test_seeds_001_002_title_and_subtitle(prefix: str, title: str, subtitle_start: str) -> None:
    article = seed(prefix)
    assert article.title == title
    assert article.subtitle is not None and article.subtitle.startswith(subtitle_start)
    assert not article.text.startswith(subtitle_start)
    assert (article.author, article.outlet, article.published) == (None, None, None)


@pytest.mark.parametrize("prefix", ["001", "002"])
def test_seeds_001_002_every_line_after_the_standfirst_is_a_paragraph(prefix: str) -> None:
    raw = raw_seed(prefix).replace("'", "’")  # 002 has one straight apostrophe, curled
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    assert paragraphs(seed(prefix)) == lines[2:]
    assert dropped(seed(prefix)) == ()


def test_seed_002_quotes_made_consistent() -> None:
    text = seed("002").text
    assert "He’s infamous for his role" in text  # the one straight apostrophe, curled
    assert "'" not in text and '"' not in text
    assert "“red lines”" in text


# --------------------------------------------------------------------------- seed 003

SEED_003_WRAPPED = (
    "Prime Minister Imran Khan’s recent visit to Moscow during the ongoing Russian invasion of "
    "Ukraine could be an indicator of a policy shift towards a more independent Pakistani "
    "foreign policy after the US Afghanistan exit."
)


def test_seed_003_metadata() -> None:
    article = seed("003")
    assert article.title == "Imran Khan in Moscow: Pakistan-Russia Realigning?"
    assert article.author == "Anne-Marie Schleich"
    assert article.subtitle is None
    assert "Anne-Marie Schleich" not in article.text
    assert "Invasion of Ukraine" in dropped(article)  # the kicker above the headline


def test_seed_003_wrapped_lines_joined() -> None:
    paras = paragraphs(seed("003"))
    assert paras[0] == SEED_003_WRAPPED
    assert any(
        p.startswith("ON THE night of 23 February 2022, Pakistan’s Prime Minister Imran Khan")
        and p.endswith("usually prepared well in advance.")
        for p in paras
    )


def test_seed_003_page_breaks_joined() -> None:
    text = seed("003").text
    assert "envoys of European and other Western countries urged Pakistan" in text
    assert "In the ongoing UNGA meeting, Josep Borell, High Representative" in text
    assert "coincidence or similarity of positions on most of the problems" in text


def test_seed_003_headings_are_own_paragraphs() -> None:
    paras = paragraphs(seed("003"))
    for heading in [
        "Groundbreaking Visit Amid Geopolitical Quake",
        "Diplomatic Reactions to Visit",  # followed by body without a blank line
        "Evolving Pakistan-Russia Relations",
        "Imran Khan’s Geopolitical Moves: A New Power Triangle?",
    ]:
        assert heading in paras
    after = paras[paras.index("Diplomatic Reactions to Visit") + 1]
    assert after.startswith("In an unprecedented open letter, 21 Islamabad-based")


def test_seed_003_labels_captions_and_artefacts_removed() -> None:
    article = seed("003")
    text = article.text
    for gone in ["SYNOPSIS", "COMMENTARY", "Image from", "en.kremlin.ru", "'’"]:
        assert gone not in text
    assert "PM Khan’s visit to Moscow was the first" in text
    assert "countering terrorism”." in text  # stray straight quote made consistent
    assert "'" not in text and '"' not in text
    assert len(dropped(article)) == 4


def test_seed_003_body_kept() -> None:
    paras = paragraphs(seed("003"))
    assert 24 <= len(paras) <= 28
    assert paras[-1].endswith("by the US, India and other regional and global players.")


# --------------------------------------------------------------------------- seed 004


def test_seed_004_metadata() -> None:
    article = seed("004")
    assert article.title == (
        "Pakistan’s Prime Minister Khan meets Putin in Moscow amid escalating Russia-Ukraine war"
    )
    assert article.subtitle == (
        "Since US troops left Afghanistan, relations between Washington and Islamabad seem to "
        "have cooled"
    )
    assert article.published is None  # the only date is in a photo caption: not a dateline


def test_seed_004_captions_removed() -> None:
    article = seed("004")
    for gone in ["photo credit", "(credit:", "REUTERS", "shakes hands", "attends a meeting"]:
        assert gone not in article.text
    assert len(dropped(article)) == 3  # caption, its duplicate line, the second caption


def test_seed_004_body_paragraphs_kept() -> None:
    raw_blocks = [b for b in re.split(r"\n\s*\n", raw_seed("004")) if b.strip()]
    paras = paragraphs(seed("004"))
    assert len(paras) == len(raw_blocks) - 4  # title, standfirst, two caption blocks
    assert paras[0].startswith("ISLAMABAD - Pakistan Prime Minister Imran Khan met Russian")
    assert paras[-1].endswith("relations with the United States,” Tsukerman said.")


def test_seed_004_unbalanced_quotations_left_as_they_are() -> None:
    paras = paragraphs(seed("004"))
    assert (
        "Energy Minister Hammad Azhar told The Media Line that Pakistan and Russia “are working "
        "together on energy-related projects."
    ) in paras
    assert any(
        p.startswith("Pakistan and Russia enjoy friendly relations")
        and p.endswith("regional issues,” the spokesperson added.")
        for p in paras
    )
    assert "Basit told The Media Line, “Pakistan and Russia have been trying" in seed("004").text


# --------------------------------------------------------------------------- normalisation


def test_normalize_line_endings() -> None:
    assert normalize_text("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_normalize_nfc_invisibles_spaces() -> None:
    assert normalize_text("cafe\u0301") == "café"
    assert normalize_text("\ufeffa\u200bb\u00a0c\td  \n") == "ab c d\n"


def test_clean_crlf_and_cr_only() -> None:
    for sep in ["\r\n", "\r"]:
        raw = sep.join(["Title Here", "", "First paragraph.", "", "Second paragraph.", ""])
        article = clean_article(raw, "txt")
        assert article.text == "First paragraph.\n\nSecond paragraph."
        assert article.title == "Title Here"


def test_clean_is_nfc() -> None:
    article = clean_article("Headline\n\nDe\u0301ja\u0300 vu again.\n\nMore text.", "txt")
    assert "Déjà vu again." in article.text
    assert unicodedata.is_normalized("NFC", article.text)


@pytest.mark.parametrize("raw", ["", "   ", "\n\n\t\r\n", "\ufeff\u200b"])
@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_empty_input_raises(raw: str, fmt: str) -> None:
    with pytest.raises(InputError):
        clean_article(raw, fmt)


def test_only_boilerplate_raises() -> None:
    with pytest.raises(InputError, match="no article body"):
        clean_article("***\n\nFollow us on Twitter.\n\nCopyright © 2023 Someone", "md")


def test_unknown_format_raises() -> None:
    with pytest.raises(InputError):
        clean_article("Some text.", "pdf")


# --------------------------------------------------------------------------- quotes


def test_quote_artefacts() -> None:
    text = clean_article("Title\n\nPM Khan'’s visit and “a ‘‘quote’’ here”.", "txt").text
    assert text == "PM Khan’s visit and “a “quote” here”."


def test_doubled_apostrophe_inside_a_word() -> None:
    assert clean_article("Title\n\nKhan’’s and Khan´s visit.", "txt").text == (
        "Khan’s and Khan’s visit."
    )


def test_doubled_apostrophes_in_straight_text() -> None:
    text = clean_article("Title\n\nHe said ''no'' and didn''t.", "txt").text
    assert text == 'He said "no" and didn\'t.'


def test_curly_quotes_never_straightened() -> None:
    raw = 'Title\n\n“One” and ‘two’ and it’s "three" here.'
    assert clean_article(raw, "txt").text == "“One” and ‘two’ and it’s “three” here."


# --------------------------------------------------------------------------- markdown


def test_markdown_links_emphasis_escapes() -> None:
    raw = (
        "# The Headline\n\nBy [Andrew Korybko](#)\n\n"
        "A [linked phrase](http://example.com/a_(b)) with **bold**, *italic* and _under_ "
        "text, snake_case_name kept, \\*escaped\\* stars.\n\n\\*\\*\\*\n\n---\n\n\\*\n\n"
        "## Section Heading\n\nLast paragraph with ![an image](x.png) gone.\n"
    )
    article = clean_article(raw, "md")
    assert article.title == "The Headline"
    assert article.author == "Andrew Korybko"
    assert article.text == (
        "A linked phrase with bold, italic and under text, snake_case_name kept, *escaped* "
        "stars.\n\nSection Heading\n\nLast paragraph with gone."
    )


def test_markdown_in_txt_is_detected() -> None:
    article = clean_article("Title\n\nSee [this](http://x.org) and **that**.\n\nMore.", "txt")
    assert article.text == "See this and that.\n\nMore."


def test_plain_brackets_in_txt_untouched() -> None:
    text = "Title\n\nHe would “debate with [Indian Prime Minister] Narendra Modi”.\n\nMore."
    assert "[Indian Prime Minister]" in clean_article(text, "txt").text


# --------------------------------------------------------------------------- HTML

HTML_PAGE = """<!doctype html><html><head><title>Big News | The Daily</title>
<meta name="author" content="Jane Roe">
<meta property="og:site_name" content="The Daily">
<meta property="article:published_time" content="2023-05-04T10:00:00Z">
<style>p { color: red }</style><script>var x = "<p>evil</p>";</script></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Big &amp; Important News</h1>
<p>First  paragraph with &ldquo;quotes&rdquo;,&nbsp;caf&eacute; and a
line break<br>inside it.</p>
<div>Second <b>bold</b> paragraph.</div><h2>A Section</h2><p>Third paragraph.</p>
<p>Follow us on Twitter for more.</p></article>
<aside>Related: other story</aside><form><input name="q"> Search</form>
<noscript>Enable JavaScript</noscript><footer>Copyright 2023 The Daily</footer>
</body></html>"""


def test_html_body_and_removed_elements() -> None:
    article = clean_article(HTML_PAGE, "html")
    assert article.text == (
        "First paragraph with “quotes”, café and a line break inside it.\n\n"
        "Second bold paragraph.\n\nA Section\n\nThird paragraph."
    )
    for gone in ["evil", "color", "Home", "Related", "Search", "JavaScript", "Copyright"]:
        assert gone not in article.text


def test_html_metadata() -> None:
    article = clean_article(HTML_PAGE, "html")
    assert article.title == "Big & Important News"
    assert article.author == "Jane Roe"
    assert article.outlet == "The Daily"
    assert article.published == "2023-05-04"


def test_html_list_items_are_paragraphs() -> None:
    intro = (
        "The ministry published its plan on Monday, listing the measures it wants parliament "
        "to pass before the summer recess."
    )
    end = "The opposition said it would vote against the plan when it comes before the house."
    raw = (
        f"<html><body><article><h1>Head</h1><p>{intro}</p><ul><li>a levy on imported fuel of "
        "two per cent</li><li>new rules for provincial budgets</li></ul>"
        f"<p>{end}</p></article></body></html>"
    )
    assert paragraphs(clean_article(raw, "html")) == [
        intro,
        "a levy on imported fuel of two per cent",
        "new rules for provincial budgets",
        end,
    ]


def test_html_title_tag_and_time_element() -> None:
    raw = (
        '<html><head><title>Headline Here | Site</title><meta property="og:site_name" '
        'content="Site"></head><body><time datetime="2022-02-24">Feb 24</time>'
        "<p>Body text.</p></body></html>"
    )
    article = clean_article(raw, "html")
    assert article.title == "Headline Here"
    assert article.published == "2022-02-24"
    assert article.text == "Body text."  # the <time> element's own text is page furniture


# --------------------------------------------------------------------------- text rules


def test_page_break_rejoined_but_headings_kept() -> None:
    raw = (
        "Title Line\n\nThe envoys of European\n\nand other countries urged it.\n\n"
        "Short Heading Here\n\nNew paragraph starts here.\n"
    )
    assert clean_article(raw, "txt").text == (
        "The envoys of European and other countries urged it.\n\n"
        "Short Heading Here\n\nNew paragraph starts here."
    )


def test_hard_wrapped_text_with_heading_without_blank_line() -> None:
    raw = (
        "A Title\n\n"
        "This is a long hard-wrapped line of body text that goes on and on until it\n"
        "wraps onto the next line. And it keeps going for a while before it ends\n"
        "somewhere around here.\n\n"
        "Heading Without Gap\n"
        "The paragraph after the heading is also wrapped at about the same width as\n"
        "the first one, and it ends here.\n"
    )
    assert paragraphs(clean_article(raw, "txt")) == [
        "This is a long hard-wrapped line of body text that goes on and on until it wraps onto "
        "the next line. And it keeps going for a while before it ends somewhere around here.",
        "Heading Without Gap",
        "The paragraph after the heading is also wrapped at about the same width as the first "
        "one, and it ends here.",
    ]


def test_standfirst_only_when_it_looks_like_one() -> None:
    lede = "WASHINGTON (Reuters) - The talks ended on Friday without a deal, officials said."
    article = clean_article(f"Headline\n\n{lede}\n\nSecond paragraph.\n\nThird.", "txt")
    assert article.subtitle is None and article.text.startswith(lede)
    dek = "A one-sentence standfirst that sums the story up."
    article = clean_article(f"Headline\n\n{dek}\n\nFirst. Body.\n\nSecond.", "txt")
    assert article.subtitle == dek and article.text == "First. Body.\n\nSecond."


@pytest.mark.parametrize(
    ("line", "outlet", "published"),
    [
        ("Global Research, February 02, 2023", "Global Research", "2023-02-02"),
        ("Published: 2 March 2023", None, "2023-03-02"),
        ("Sept. 5, 2021", None, "2021-09-05"),
        ("ISLAMABAD, May 2, 2023", None, "2023-05-02"),
        ("Global Research, February 30, 2023", "Global Research", None),
        ("Senin, 18 September 2023 | 14:20 WIB", None, "2023-09-18"),  # Monday, not an outlet
        ("maandag 18 september 2023", None, "2023-09-18"),
        ("Sonntag, 3 March 2024", None, "2024-03-03"),
    ],
)
def test_datelines(line: str, outlet: str | None, published: str | None) -> None:
    article = clean_article(f"Headline\n\nBy Jane Doe\n\n{line}\n\nBody text.\n\nMore.", "txt")
    assert (article.author, article.outlet, article.published) == ("Jane Doe", outlet, published)
    assert article.text == "Body text.\n\nMore."


def test_body_dates_are_not_publication_dates() -> None:
    raw = "Headline\n\nOn February 24, 2022, the leaders met.\n\nMore text."
    assert clean_article(raw, "txt").published is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Pakistan does not subscribe to the view that the talks failed.",
        "“They will not follow us,” he said.",
        "Related talks were held in March.",
        "The report was first published in 2019 by the ministry.",
        "Copyright law in Pakistan is weak.",
        "Photos by the agency showed the damage.",
        "Articles by Western journalists were criticised.",
        "About the author’s claims, nobody has commented yet.",
    ],
)
def test_short_body_sentences_are_not_boilerplate(sentence: str) -> None:
    article = clean_article(f"Headline\n\nFirst. Body.\n\n{sentence}\n\nLast.", "txt")
    assert sentence in paragraphs(article)
    assert dropped(article) == ()


def test_markdown_list_items_stay_apart() -> None:
    raw = "# Headline\n\nThe list. Has items:\n\n- apples\n- bananas and\n- cherries\n\nEnd."
    assert paragraphs(clean_article(raw, "md")) == [
        "The list. Has items:",
        "apples",
        "bananas and",
        "cherries",
        "End.",
    ]


def test_long_body_paragraph_mentioning_boilerplate_words_is_kept() -> None:
    body = (
        "Officials said they would follow us on every step, and the minister added that "
        "anyone could click here and there on the map to see the route. "
    ) * 3
    article = clean_article(f"Headline\n\n{body.strip()}\n\nMore.", "txt")
    assert article.text.startswith("Officials said")


# --------------------------------------------------------------------------- property

_TOKENS = st.sampled_from(
    [
        "\n", "\n\n", "\n\n\n\n", "\r\n", "\r", " ", "\t", "\u00a0", "\ufeff", "\u200b",
        "*", "**", "***", "# ", "## ", "[x](y)", "\\*", "_", "---", "> ", "- ",
        "'", '"', "’", "‘‘", "''", "“", "e\u0301",
        "By Jane Doe", "Global Research, February 02, 2023", "SYNOPSIS", "Copyright © 2023",
        "Follow us on X", "(photo credit: A/B)", "Image from x.org",
        "<p>", "</p>", "<br>", "<script>", "</script>", "<h1>", "</h1>", "<nav>", "&amp;",
        "&#0;", "<!--", "-->", "<!", "<?", "<![CDATA[",
        "Word", "word", "Title Case Heading", ".", ",", "—", "and", "the",
    ]
)  # fmt: skip
_TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(_TOKENS, st.text(max_size=4)), max_size=40).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(raw=_TEXTS, fmt=st.sampled_from(["txt", "md", "html"]))
def test_clean_article_property(raw: str, fmt: str) -> None:
    try:
        article = clean_article(raw, fmt)
    except InputError:
        return
    text = article.text
    assert text
    assert "\r" not in text
    assert "\n\n\n" not in text
    assert text == text.strip()
    assert "\n" not in text.replace("\n\n", "")
    for para in text.split("\n\n"):
        assert para == para.strip()
    for value in [article.title, article.subtitle, article.author, article.outlet]:
        assert value is None or (value == value.strip() and value and "\n" not in value)
    assert article.published is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", article.published)


def test_html_subheading_in_capitals_stays_a_short_label_goes() -> None:
    prose = (
        "The council said on Monday that the new bridge over the river would open in the "
        "spring, and that the old one would be closed to cars for as long as the work lasts."
    )
    page = (
        "<html><head><title>Bridge</title></head><body><article><h1>Bridge to open</h1>"
        f"<p>{prose}</p><h3>LONG WAIT FOR ‘NORTHSIDE’</h3><p>{prose} Again.</p>"
        f"<p>{prose} Once more.</p><h3>MORE NEWS</h3></article></body></html>"
    )
    article = clean_article(page, "html")
    assert "LONG WAIT FOR ‘NORTHSIDE’" in article.text.split("\n\n")
    assert "MORE NEWS" not in article.text
    assert "MORE NEWS" in [r.text for r in article.removed]


def test_html_heading_that_is_only_a_label_goes() -> None:
    prose = (
        "The council said on Monday that the new bridge over the river would open in the "
        "spring, and that the old one would be closed to cars for as long as the work lasts."
    )
    page = (
        "<html><head><title>Bridge</title></head><body><article><h1>Bridge to open</h1>"
        f"<p>{prose}</p><h2>Related</h2><p>{prose} Again.</p><h2>Background</h2>"
        f"<p>{prose} Once more.</p></article></body></html>"
    )
    article = clean_article(page, "html")
    assert "Related" not in article.text.split("\n\n")
    assert ("Related", "label") in [(r.text, r.reason) for r in article.removed]
    assert "Background" in article.text.split("\n\n")  # a heading of the story's own


def test_html_teaser_cut_off_with_a_marker_goes() -> None:
    prose = (
        "The council said on Monday that the new bridge over the river would open in the "
        "spring, and that the old one would be closed to cars for as long as the work lasts."
    )
    teaser = "The mayor opened the new market hall on Friday, and traders said that they [&hellip;]"
    quoted = "“The bridge will open in the spring […]”, the council said in its statement."
    page = (
        "<html><head><title>Bridge</title></head><body><article><h1>Bridge to open</h1>"
        f"<p>{prose}</p><p>{quoted}</p><p>{prose} Again.</p><p>{teaser}</p>"
        "</article></body></html>"
    )
    article = clean_article(page, "html")
    assert quoted in article.text.split("\n\n")  # an elision inside a quotation is news
    assert "market hall" not in article.text
    assert "teaser" in [r.reason for r in article.removed]


def test_paragraphs_the_description_quotes_after_the_first_are_marked() -> None:
    from workbench.ingest.html import _mark_quoted
    from workbench.ingest.text import Para

    prose = "The council said on Monday that the new bridge would open in the spring."
    paras = [Para(prose), Para("The plan in full", links=16), Para("(via City Desk)", links=9)]
    paras.append(Para("Market hall opens", links=17))
    cut = f"{prose} The plan in full (via City De…"  # a description cut off
    assert [p.quoted for p in _mark_quoted(paras, [cut])] == [False, True, True, False]
    # quoted only as the continuation of the paragraph before: not a line the summary repeats
    assert not any(p.quoted for p in _mark_quoted(paras, ["The plan in full"]))
