"""Ingest on held-out articles from other kinds of sites (tests/fixtures/ingest/): the body
comes out exactly as expected (`<name>.body`), the site furniture is gone from it and listed
among the removed paragraphs, and segment offsets hold. Then repetition across a site's
articles, and `workbench articles --removed` against the store."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from test_cli import run as run_cli

from workbench import corpus
from workbench.ingest import clean_article, site_profile
from workbench.segment import segment_article
from workbench.store import Article, Store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"

# What each page carries besides its article: none of it may reach the body, all of it must be
# listed as removed (so nothing is lost silently).
FURNITURE: dict[str, list[str]] = {
    "wordpress-blog.html": [
        "Skip to content", "Share this:", "Like this:", "Leave a Reply",
        "Your email address will not be published.", "Save my name, email, and website",
        "My uncle in Kodia", "Recent Posts", "Subscribe via Email",  # (buttons are inputs)
        "Proudly powered by WordPress", "All rights reserved",
    ],
    "regional-paper.txt": [
        "Translate »", "Short Url Updated 03 April 2023 Follow", "Trending",
        "Motorcycle rider dies", "No stories found.", "Branded Content",
        "Why more Cebuano families", "SunStar Publishing Inc. www.sunstar.com.ph",
    ],
    "wire-service.html": [
        "We use cookies", "Accept all", "Sign In", "Advertisement · Scroll to continue",
        "Reporting by Bernadette Christina", "Our Standards", "Read Next",
        "Rupiah weakens", "All quotes delayed", "All rights reserved", "PACIFIC WIRE/Willy",
    ],
    "newsletter-export.md": [
        "Thanks for reading The Mekong Ledger!", "reader-supported publication",
        "Subscribe now", "Leave a comment", "Share The Mekong Ledger", "© 2023",
        "Unsubscribe",
    ],
    "broadcaster-page.html": [  # shaped like a dw.com article page
        "We use cookies", "NORTHWAVE in 12 languages", "TOP STORIES / Africa", "Advertisement",
        "Bola Ade has piloted lagoon boats", "Read more: Lagos traffic", "Life on the Lagos lagoon",
        "Fishing villages on stilts", "Author: Tunde Bakare", "Watch video", "Permalink",
        "Sign up for the newsletter", "Northwave recommends", "Author Adaeze Okafor",
        "Abuja's light rail runs again", "© 2024 Northwave Broadcasting",
    ],
    "news-portal.html": [
        "This website uses cookies", "Breaking News", "Also Read", "Related Stories",
        "K-IV project cost rises", "COMMENTS (3)", "Hydrant mafia will make a killing",
        "Most Read", "Follow us on", "All rights reserved", "PHOTO: EXPRESS",
    ],
    "portal-copy-paste.txt": [
        "Skip to content", "Translate »", "Lahore Desk", "Trending", "Rupee hits record low",
        "No stories found.", "Branded Content", "Five reasons to visit", "Comments are closed.",
        "Sindh announces Rs4,000", "Copyright © 2023",
    ],
    "blog-copy-paste.txt": [
        "Kathmandu Policy Notes", "Search for:", "Share this:", "Like Loading...",
        "Tags: economy", "Previous Post", "Leave a Reply", "Your email address",
        "Save my name, email", "Post Comment", "Recent Posts", "Blog at WordPress.com.",
        "Prakash Adhikari is an economist",  # the author's bio under the article
    ],
    "magazine-copy.txt": [  # hard-wrapped, furniture lines glued to the paragraphs
        "NEWSLETTER | PODCASTS", "ASIA / ECONOMY", "Advertisement", "Photo: A residential",
        "Read more: Vietnam cuts", "Sign up for our Asia Briefing newsletter", "Enter your email",
        "MORE FROM ASIA", "Thailand's election", "All rights reserved",
        "Linh Tran is a reporter",
    ],
    "citizen-copy.txt": [
        "LIVE TV", "Home › News › Counties", "Listen to this article", "00:00 / 04:12",
        "Share on WhatsApp", "Share on X", "ADVERTISEMENT", "RELATED", "Kenya to import",
        "Subscribe to our YouTube channel", "Follow The Citizen Digital", "Trending Stories",
        "EPL: Arsenal confirm Rice signing", "Royal Media Services Ltd ©",
    ],
    "regional-ticker.html": [  # shaped like rnz.de: a dpa ticker page, in German
        "E-Paper", "Gratis-Artikel", "31.10.2015, 15:40 Uhr", "WHATSAPP-Newsletter",
        "WhatsBroadcast", "Weitere Infos lesen hier", "Alles kostenlos?", "Guter Journalismus",
        "weitere Meldungen", "Ortsumfahrung Neckargemünd", "© Neckartal-Bote 2015",
    ],
    "tech-desk.html": [  # shaped like kulu-media.com: a lede naming the networks it is about
        "Kiswahili", "Home » Tech", "A widespread outage hit", "2 months ago",
        "A phone shows a connection error", "Advertisement", "Traders at Gikomba market check",
        "Related Topics:", "Up Next", "Safaricom speeds up", "Don't Miss", "Continue Reading",
        "You may like", "Uganda switches on", "Uganda opened", "All rights reserved",
    ],
    "blog-essay.html": [  # shaped like blog.mondediplo.net: SPIP, French, « » quotations
        "En kiosques", "Abonnement", "Rechercher", "cc riverbank", "Lire aussi Paul Sarr",
        "éditions du Fleuve", "Partager cet article", "Article précédent", "Un blog animé par",
        "engagent que leurs auteurs", "Écrire un commentaire", "Les commentaires sont modérés",
        "2 commentaires", "J'ai grandi à Podor", "Merci pour cette recension",
    ],
    "church-weekly.html": [  # shaped like sonntag-sachsen.de: Drupal, German, » « quotations
        "Montag, 02.12.2019", "Über uns", "Login", "Artikel empfehlen:", "© privat",
        "Mehr zum Thema", "Die große Orgel wird saniert", "Zur Startseite",
        "VERÖFFENTLICHT AM 13.06.2019", "Weitere Artikel in diesem Ressort:",
        "Folgen Sie dem Kirchenboten:", "Adventsmusik im Dom", "Folgen Sie uns auf",
        "Impressum", "Wochenzeitung für die Evangelische Kirche", "Die Landesbischöfin",
    ],
    "science-desk.html": [  # shaped like phys.org: the headline above the lede in the article
        "Week's top", "Subscribe", "share this!", "by Ruth Okafor", "An ice core drilled",
        "Explore further", "Tree rings date", "More information:", "© 2021 ScienceWire",
        "Feedback to editors", "Corals bleach earlier",
    ],
    "tech-portal.html": [  # shaped like futurezone.at: an Angular page, teasers in the article
        "Netzpolitik", "© Bild: APA / HANS PUNZ", "Wien plant 1000 neue Ladesäulen",
        "Bis Ende 2021", "Agenturen", "Zur Startseite", "Datenschutzrichtlinie",
    ],
    "magazine-feature.html": [  # shaped like nationalgeographic.co.uk: a Gatsby page
        "Skip to main content", "Magazine subscription", "Photo of the Day", "By Hélène Moreau",
        "Salt pans near Batz", "Photograph by Yann Le Goff", "A lousse, the long rake",
        "Tuesday, 14 September 2021", "Read More", "Find More Information", "Privacy Policy",
        "You might also like", "The oyster farmers",
    ],
    "indonesian-copy.txt": [  # another language: jusText's Indonesian stop-word list
        "Beranda", "Bagikan", "Baca juga:", "Editor: Rahmat Hidayat", "Ikuti berita terkini",
        "Berita Terkait", "Inflasi Jawa Tengah Agustus", "Terpopuler", "Copyright © 2023",
    ],
    # pages shaped like real ones of trafilatura's test cache, added blind (README, "run once")
    "wire-agency.html": [  # shaped like reuters.com: channel, "4 Min Read", Factbox, standards
        "Media Industry", "4 Min Read", "Factbox: Key winners", "Related Coverage",
        "Our Standards", "Thomson Reuters Trust Principles", "Oscar voters face", "All quotes",
        "Reporting by Jill Serjeant; Additional reporting by Rollo Ross",
    ],
    "spanish-daily.html": [  # shaped like eluniverso.com: "Publicidad" in every ad shell
        "Publicidad", "Síguenos:", "Tendencias:", "Equipos de rescate", "Por: Redacción",
        "redaccion@eluniverso.com", "24 de agosto, 2026", "Fallecen Michele Sensi-Contugi",
        "Trabaja con nosotros", "Todos los derechos reservados",
    ],
    "german-daily.html": [  # shaped like sueddeutsche.de: teasers in the text, Rivva, themes
        "15. Mai 2019, 05:28 Uhr", "Wettbewerb, jetzt auch auf der Schiene", "Von Markus Balser",
        "Markus Balser kam 2001", "Dieser Mann setzt die Deutsche Bahn", "ICE im S-Bahn-Takt",
        "zur Startseite", "Diskussion zu diesem Artikel auf:", "Themen in diesem Artikel:",
        "Berater-Affäre bringt Bahnchef Lutz in Bedrängnis", "Impressum",
    ],
    "canadian-daily.html": [  # shaped like vancouversun.com: wire copy on a Postmedia page
        "Mike Blake/Reuters files", "Share", "turns CO2 into soap", "© Thomson Reuters 2020",
        "Town Talk: Michael Bublé", "This Week's Flyers", "Postmedia is committed",
        "Sign in to Comment", "I consent to receiving", "All rights reserved",
    ],
    "group-blog.html": [  # shaped like boingboing.net: next-post teasers after the post
        "Follow Us", "SHARE", "82 COMMENTS", "happy mutants", "GET THE BOING BOING NEWSLETTER",
        "Patti Smith and Stewart Copeland", "The good folks at Choir!", "READ THE REST",
        "Want to build your own website?",
    ],
    "blogger-review.html": [  # shaped like plentylife.blogspot.com: a German Blogger post
        "Beauty, Bücher und mehr", "Kosmetik", "5 von 5 Punkten", "ISBN: 978-3960960010",
        "hier kaufen", "Buchbesprechung", "Related Posts", "1 Meinungen", "Great post, I like",
        "Antworten", "Kommentar veröffentlichen", "mehr über mich ♥",
        "Bitte beachte auch die Datenschutzerklärung von Google.", "Designed by Templateclue",
    ],
}  # fmt: skip

METADATA = {
    # the title without the site's " | NW | date", the reporter named in the fact list (not
    # the publisher the meta author names, nor the gallery's author), the page's own date (not
    # a related story's)
    "broadcaster-page.html": ("Lagos ferries return to the lagoon", "Adaeze Okafor", "2024-03-14"),
    "wordpress-blog.html": (
        "Fishers in Bantayan count the cost of the oil spill",
        "Maricel Dela Peña",
        "2023-04-11",
    ),
    "regional-paper.txt": (
        "Cebu City council approves P1.2-billion loan for new bus terminal",
        "Kristine Joy Patumbon",
        "2023-04-03",
    ),
    "wire-service.html": (
        "Indonesia raises nickel export levy, miners warn of smelter delays",
        "Bernadette Christina",
        "2023-05-16",
    ),
    "newsletter-export.md": (
        "Laos bets on power exports as debt payments come due",
        "Somsack Phommachanh",
        "2023-06-02",
    ),
    "news-portal.html": (
        "Karachi water board to ration supply as Hub dam runs low",
        "Imran Ayub",
        "2023-06-21",
    ),
    "portal-copy-paste.txt": (
        "Punjab farmers told to sow early as wheat support price is raised",
        None,
        "2023-05-09",
    ),
    "blog-copy-paste.txt": (
        "Remittances are holding Nepal's economy up. That should worry us.",
        "Prakash Adhikari",
        "2023-02-14",
    ),
    "magazine-copy.txt": (
        "Why Vietnam's property slump is a problem for its banks",
        "Linh Tran",
        "2023-03-28",
    ),
    "citizen-copy.txt": (
        "Nakuru farmers turn to drought-resistant sorghum as maize yields fall",
        "Wanjiru Kamau",
        "2023-07-12",
    ),
    # the date the page shows, not its CMS record's later dateCreated
    "regional-ticker.html": (
        "Neckarbrücke in Eberbach wird ein Jahr lang gesperrt",
        None,
        "2015-10-31",
    ),
    "tech-desk.html": (
        "Messaging outage leaves WhatsApp and Telegram users locked out",
        "Amina Wekesa",
        "2025-03-07",
    ),
    # the by-line the description is (not a standfirst); the description names no author
    "blog-essay.html": ("Le fleuve et la mémoire", "Claire Dubois", "2021-03-04"),
    # no "Mk Artikel Empfehlen" (the initials and the share box's label, title-cased by
    # trafilatura); the date the sidebar labels as the publication, not the day the page showed
    "church-weekly.html": ("Neue Kantorin für die Marienkirche", None, "2019-06-13"),
    "science-desk.html": (
        "Ice cores show volcanic winters were shorter than thought",
        "Ruth Okafor",
        "2021-05-11",
    ),
    "tech-portal.html": ("Laderoboter parken E-Autos in Wiener Garage um", None, "2020-02-18"),
    "magazine-feature.html": (
        "The last salt makers of the Guérande marshes keep an old trade alive",
        "Hélène Moreau",
        "2021-09-14",
    ),
    "indonesian-copy.txt": (
        "Harga beras di Jawa Tengah naik, Bulog siapkan operasi pasar",
        "Dian Pratiwi",
        "2023-09-18",
    ),
    # the published time, not the update the page's dateModified and REVISION_DATE carry
    "wire-agency.html": (
        "'Parasite' scores historic upset at SAG awards, boosting Oscar chances",
        "Jill Serjeant",
        "2020-01-19",
    ),
    # the head's UTC date (the page shows 23h23 on the 24th, Ecuador time); the desk's by-line
    "spanish-daily.html": (
        "Kenia brindará apoyo para repatriar restos de Michele Sensi-Contugi y su esposa tras "
        "accidente de helicóptero",
        "Redacción",
        "2026-08-25",
    ),
    # the reporter of "Von Markus Balser, Berlin", not the publisher GmbH the meta author names;
    # the time shown above the headline, not the `last-modified` meta
    "german-daily.html": ("Flixbus attackiert Deutsche Bahn", "Markus Balser", "2019-05-15"),
    "canadian-daily.html": (
        "Microsoft moves to erase its carbon footprint from the atmosphere in climate push",
        "Reuters",
        "2020-01-16",
    ),
    "group-blog.html": (
        "Hating Millennials - the prejudice you're allowed to boast about",
        "Cory Doctorow",
        "2013-07-19",
    ),
}


# (subtitle, outlet): a description that is the lede (after the headline) or a by-line is no
# standfirst; the site's name as the page writes it, not as trafilatura mangled it
STANDFIRST_OUTLET = {
    # the description the page shows under the h1, above its by-line: the standfirst, though
    # the text begins with it (vancouversun.com) or repeats it (eluniverso.com)
    "canadian-daily.html": (
        "Microsoft will invest US$1 billion over the next four years to speed up the "
        "development of carbon removal technology",
        "Vancouver Sun",
    ),
    "spanish-daily.html": (
        "Ambos fallecieron en un accidente de helicóptero ocurrido este 19 de agosto en el monte "
        "Ololokwe, en Kenia.",
        "El Universo",
    ),
    # the description is the lede behind its dateline ("LOS ANGELES (Reuters) - …")
    "wire-agency.html": (None, "Reuters"),
    # the chapo box trafilatura leaves out, which the cut-off description begins
    "blog-essay.html": (
        "Le romancier sénégalais Amadou Ndiaye publie un livre sur la vallée du fleuve, où il a "
        "grandi avant que les barrages ne changent les crues.",
        "L'Hebdo international",
    ),
    "church-weekly.html": (None, "kirchenbote-thueringen.example"),
    "science-desk.html": (None, "ScienceWire"),
    "tech-portal.html": (
        "Ein Start-up testet in einer Tiefgarage Roboter, die Elektroautos selbstständig zur "
        "Ladesäule schieben.",
        "netzfunk.at",
    ),
    # the h2 under the repeated h1, without the date run into it (not the cut-off description)
    "magazine-feature.html": (
        "On the Atlantic coast of Brittany, a few hundred paludiers still rake salt by hand from "
        "clay pans. Can a trade older than the cathedrals survive the century?",
        "Wide World",
    ),
}


def _clean(name: str):  # type: ignore[no-untyped-def]
    path = FIXTURES / name
    return clean_article(path.read_text(encoding="utf-8"), path.suffix.lstrip("."))


def test_fixtures_are_all_listed() -> None:
    files = sorted(p.name for p in FIXTURES.iterdir() if p.suffix != ".body")
    assert files == sorted(FURNITURE) and len(files) >= 6
    assert {(FIXTURES / n).suffix for n in files} == {".html", ".txt", ".md"}


# blind pages whose body still differs (README, known limits); strict: a fix must remove them
BODY_NOT_YET = {
    "blogger-review.html": "a <br />-separated post: labels, disclosure and blurb lines lost",
}
FURNITURE_NOT_YET: dict[str, str] = {}


def _known(name: str, reasons: dict[str, str]) -> object:
    mark = pytest.mark.xfail(reason=reasons[name], strict=True) if name in reasons else ()
    return pytest.param(name, marks=mark)


@pytest.mark.parametrize("name", [_known(n, BODY_NOT_YET) for n in sorted(FURNITURE)])
def test_body_is_exactly_the_article(name: str) -> None:
    expected = (FIXTURES / name).with_suffix(".body").read_text(encoding="utf-8").strip()
    assert _clean(name).text.split("\n\n") == expected.split("\n\n")


@pytest.mark.parametrize("name", [_known(n, FURNITURE_NOT_YET) for n in sorted(FURNITURE)])
def test_furniture_is_removed_and_listed(name: str) -> None:
    article = _clean(name)
    removed = " ".join(r.text for r in article.removed)
    for furniture in FURNITURE[name]:
        assert furniture not in article.text, furniture
        assert furniture in removed, f"{furniture!r} is not listed as removed"
    assert all(r.reason for r in article.removed)


@pytest.mark.parametrize("name", sorted(METADATA))
def test_metadata(name: str) -> None:
    article = _clean(name)
    assert (article.title, article.author, article.published) == METADATA[name]
    assert article.title not in article.text.split("\n\n")


@pytest.mark.parametrize("name", sorted(STANDFIRST_OUTLET))
def test_standfirst_and_outlet(name: str) -> None:
    article = _clean(name)
    assert (article.subtitle, article.outlet) == STANDFIRST_OUTLET[name]


@pytest.mark.parametrize("name", sorted(FURNITURE))
def test_segment_offsets_hold(name: str) -> None:
    text = _clean(name).text
    for unit in ("paragraph", "sentence"):
        segments = segment_article("a", text, unit)  # type: ignore[arg-type]
        assert segments
        for s in segments:
            assert text[s.start : s.end] == s.text


def test_quotes_follow_the_document() -> None:
    # a page with curly quotes keeps them curly; a copy with straight quotes keeps them straight
    assert "“We used to bring home" in _clean("wordpress-blog.html").text
    assert '"Passengers wait on the sidewalk' in _clean("regional-paper.txt").text


# --------------------------------------------------------------------------- one site, many pages

FOOTER = (
    "The Valley Chronicle is an independent newspaper published in Peshawar since 1998 and "
    "owned by its journalists. It receives no money from any government or political party."
)
STORIES = [
    (
        "Peshawar bus line extends service to Hayatabad",
        [
            "The provincial transport authority on Monday opened four new stations on the "
            "Peshawar bus rapid transit line, extending service to the western suburb of "
            "Hayatabad for the first time since the line opened in 2020.",
            "Officials said the extension would add about 40,000 passengers a day and cut the "
            "journey from the old city to Hayatabad to 35 minutes at peak hours.",
            "Fares on the new section will be the same as on the rest of the line, the "
            "authority said, with a discount for students who register their cards.",
        ],
    ),
    (
        "Flour prices climb again in Khyber Pakhtunkhwa markets",
        [
            "The price of a 20-kilogram bag of flour rose by Rs150 in Peshawar's wholesale "
            "markets this week, traders said, the third increase in a month.",
            "Dealers blamed restrictions on the movement of wheat from Punjab, which the "
            "provincial food department said it had asked the federal government to lift.",
            "The department said it would release 10,000 tonnes from its own stocks to mills "
            "from Thursday to bring prices down before the end of the month.",
        ],
    ),
]


def _site(tmp_path: Path) -> Path:
    folder = tmp_path / "valley-chronicle"
    folder.mkdir()
    for k, (title, paras) in enumerate(STORIES):
        text = "\n\n".join([title, "By Staff Reporter", *paras, FOOTER]) + "\n"
        (folder / f"story-{k}.txt").write_text(text, encoding="utf-8")
    return folder


def test_a_paragraph_recurring_across_a_sites_articles_is_removed(tmp_path: Path) -> None:
    folder = _site(tmp_path)
    raw = (folder / "story-0.txt").read_text(encoding="utf-8")
    alone = clean_article(raw, "txt")
    assert FOOTER in alone.text  # prose on its own features: one article cannot tell
    other = (folder / "story-1.txt").read_text(encoding="utf-8")
    common = site_profile(raw, "txt")[1] & site_profile(other, "txt")[1]
    together = clean_article(raw, "txt", common)
    assert FOOTER not in together.text
    assert [r.reason for r in together.removed if r.text == FOOTER] == ["repeated across the site"]
    assert together.text == alone.text.replace(f"\n\n{FOOTER}", "")


def test_a_republished_story_is_not_emptied_by_repetition() -> None:
    # the same article on two sites of one folder: every paragraph recurs; nothing is taken
    raw = (FIXTURES / "wire-service.html").read_text(encoding="utf-8")
    site, keys = site_profile(raw, "html")
    assert site == "pacificwire.example.com"
    assert clean_article(raw, "html", keys).text == clean_article(raw, "html").text


def test_ingest_records_removed_paragraphs_and_site_repetition(
    store: Store, tmp_path: Path
) -> None:
    folder = _site(tmp_path)
    shutil.copy(FIXTURES / "regional-paper.txt", folder.parent / "regional-paper.txt")
    report = corpus.ingest(store, [folder, folder.parent / "regional-paper.txt"])
    assert report.count("new") == 3 and not report.errors
    with store.session() as s:
        articles = {Path(a.source_path).name: a for a in s.scalars(select(Article))}
    for name in ("story-0.txt", "story-1.txt"):
        assert FOOTER not in articles[name].text
        assert {"text": FOOTER, "reason": "repeated across the site"} in (
            articles[name].removed or []
        )
    paper = articles["regional-paper.txt"]
    listed = corpus.removed_paragraphs(store, paper.id[:10])
    assert listed.recorded and listed.article_id == paper.id
    assert "Branded Content" in [r.text for r in listed.paragraphs]
    # ingesting again changes nothing
    again = corpus.ingest(store, [folder, folder.parent / "regional-paper.txt"])
    assert again.count("unchanged") == 3


def test_articles_removed_command(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "portal-copy-paste.txt", tmp_path / "portal.txt")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, cwd=tmp_path)

    assert run("ingest", "portal.txt").returncode == 0
    (article,) = json.loads(run("articles", "--json").stdout)
    listed = json.loads(run("articles", "--removed", article["id"][:8], "--json").stdout)
    assert listed["recorded"] is True
    reasons = {p["text"]: p["reason"] for p in listed["paragraphs"]}
    assert reasons["No stories found."] and reasons["Branded Content"] == "label"
    table = run("articles", "--removed", article["id"][:8])
    assert table.returncode == 0 and "Comments are closed." in table.stdout
    missing = run("articles", "--removed", "ffffffffff")
    assert missing.returncode == 3
    assert missing.stderr.strip() == "error: no article with id 'ffffffffff' in the store"


@pytest.mark.parametrize(
    "declared",
    [
        '<meta property="article:published_time" content="2021-09-14T08:10:00Z"/>',
        '<meta content="2021-09-14T08:10:00+02:00" name="article:published_time">',
        '<script type="application/ld+json">{"datePublished": "2021-09-14"}</script>',
    ],
)
def test_the_declared_publication_date_beats_a_later_update_date(declared: str) -> None:
    """nationalgeographic.co.uk shows and declares (`name="date"`) the day a story was updated;
    its `article:published_time` (or JSON-LD `datePublished`) says when it was published."""
    page = (FIXTURES / "magazine-feature.html").read_text(encoding="utf-8")
    page = re.sub(r"<meta[^>]*article:published_time[^>]*>", "", page)
    page = re.sub(r'"datePublished":"[^"]*",', "", page)
    page = page.replace('content="2021-09-14T08:10:00Z"', 'content="2021-09-20T10:00:00Z"')
    page = page.replace("Tuesday, 14 September 2021", "Monday, 20 September 2021")
    assert clean_article(page, "html").published == "2021-09-20"  # nothing else declared
    page = page.replace("</head>", declared + "\n</head>")
    assert clean_article(page, "html").published == "2021-09-14"


@pytest.mark.parametrize(
    ("line", "credits"),
    [
        (
            "Reporting by Jill Serjeant; Additional reporting by Rollo Ross; Editing by M. Perry",
            True,
        ),
        ("(Reporting by David Shepardson in Washington; Editing by Chris Reese)", True),
        ("Writing by Ann Lee, Bo Park and Cy Diaz; editing by Dan Eve", True),
        ("Reporting by The Washington Post showed that the agency knew of the leak.", False),
        ("Reporting by Reuters and others has found no evidence of fraud in the count.", False),
    ],
)
def test_a_wire_credit_line_is_removed_and_prose_about_reporting_stays(
    line: str, credits: bool
) -> None:
    body = "The council approved the budget on Tuesday after a long debate about the port."
    article = clean_article(f"{body}\n\n{body.replace('Tuesday', 'Monday')}\n\n{line}\n", "txt")
    assert (line in article.text) is not credits
    if credits:
        assert [r.reason for r in article.removed if r.text == line] == ["credit line"]
