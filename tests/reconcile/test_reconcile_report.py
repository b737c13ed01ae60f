"""The agreement report (`workbench agreement --html`): no label outside its chart, the item
count in the header is the one the figures use, annotators without overlap explained (not
drawn as rows of n=0), quarantined and repaired annotations counted, and the Fleiss' kappa
generalisation named where items have different numbers of ratings.

Labels are checked twice: against the SVG geometry (each text's extent, measured with the
report's own width table, inside the chart's viewBox), and — where Chromium is installed — in
the browser, which lays the page out with real fonts: every text's box inside its chart, and
the width table never narrower than the rendered text.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks import synth
from workbench.annotation import parse
from workbench.reconcile import Label, Metric
from workbench.reconcile.charts import forest, heatmap, matrix, text_width
from workbench.reconcile.extract import parse_entries
from workbench.reconcile.layers import (
    LayerAgreement,
    labels_agreement,
    schema_agreement,
    to_dict,
)
from workbench.reconcile.overlap import overlap_of
from workbench.reconcile.report import print_agreement, to_html
from workbench.schema import load_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = load_schema(ROOT / "schemas" / "news-v1.yaml")
SVG = "{http://www.w3.org/2000/svg}"
LONG = "annotator-with-a-rather-long-pseudonym-07"
SOLO = "annotator-who-worked-alone"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def report() -> LayerAgreement:
    """Synthetic news annotations by three annotators, plus: a fourth with a long name who
    did a third of the items, one who did items nobody else did, and one item annotated
    once."""
    items = synth.items(60, seed=3)

    inputs = [
        (it.segment_id, f"annotator-{a + 1:02d}", it.text, r)
        for it in items
        for a, r in enumerate(it.results)
    ]
    inputs += [(it.segment_id, LONG, it.text, it.results[1]) for it in items[:20]]
    inputs += [(f"solo-{k}", SOLO, items[k].text, items[k].results[0]) for k in range(4)]
    texts = {it.segment_id: it.text for it in items}
    texts |= {f"solo-{k}": items[k].text for k in range(4)}
    given = [
        (seg, who, parse(SCHEMA, text, result).entry())
        for seg, who, text, result in inputs
        if result is not None
    ]
    parsed = parse_entries(SCHEMA, *zip(*given, strict=True))
    return schema_agreement(SCHEMA, parsed, texts, source="dataset news", n_boot=50)


@pytest.fixture(scope="module")
def page(report: LayerAgreement) -> str:
    counted = dataclasses.replace(report, quarantined={"annotator-02": 2, LONG: 1}, repaired=5)
    return to_html(counted)


# --------------------------------------------------------------------------- geometry


def _rotate(p: tuple[float, float], deg: float, cx: float, cy: float) -> tuple[float, float]:
    a = math.radians(deg)
    x, y = p[0] - cx, p[1] - cy
    return cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)


def text_boxes(svg: str) -> Iterator[tuple[str, float, float, float, float, float, float]]:
    """(text, x0, y0, x1, y1, width, height) of every text, the last two of the viewBox."""
    root = ET.fromstring(svg)
    _, _, vw, vh = (float(v) for v in root.attrib["viewBox"].split())
    assert (float(root.attrib["width"]), float(root.attrib["height"])) == (vw, vh)
    for t in root.iter(f"{SVG}text"):
        text = "".join(t.itertext())
        size = float(t.attrib["font-size"])
        w = text_width(text, size, bold=t.get("font-weight") in ("600", "bold"))
        x, y = float(t.attrib["x"]), float(t.attrib["y"])
        anchor = t.get("text-anchor", "start")
        x0 = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
        corners = [(x0 + dx, y + dy) for dx in (0, w) for dy in (-0.8 * size, 0.25 * size)]
        rot = re.fullmatch(r"rotate\((\S+) (\S+) (\S+)\)", t.get("transform", "rotate(0 0 0)"))
        assert rot is not None
        deg, cx, cy = (float(g) for g in rot.groups())
        pts = [_rotate(p, deg, cx, cy) for p in corners]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        yield text, min(xs), min(ys), max(xs), max(ys), vw, vh


def outside(svg: str) -> list[str]:
    return [
        f"{text!r} ({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f}) in {w:.0f}×{h:.0f}"
        for text, x0, y0, x1, y1, w, h in text_boxes(svg)
        if x0 < 0 or y0 < 0 or x1 > w or y1 > h
    ]


def overlapping(svg: str) -> list[tuple[str, str]]:
    """Pairs of level (unrotated) labels whose boxes intersect: labels written over each
    other, as long column labels over narrow columns were."""
    root = ET.fromstring(svg)
    turned = {"".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("transform")}
    level = [b for b in text_boxes(svg) if b[0] not in turned]
    out = []
    for i, (ta, ax0, ay0, ax1, ay1, *_) in enumerate(level):
        for tb, bx0, by0, bx1, by1, *_ in level[i + 1 :]:
            if ax0 < bx1 - 0.5 and bx0 < ax1 - 0.5 and ay0 < by1 - 0.5 and by0 < ay1 - 0.5:
                out.append((ta, tb))
    return out


def svgs(page: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", page, flags=re.S)


def test_no_label_outside_any_chart_of_the_report(page: str) -> None:
    charts = svgs(page)
    assert len(charts) >= 15
    assert [bad for svg in charts for bad in outside(svg)] == []
    assert [bad for svg in charts for bad in overlapping(svg)] == []


def _m(v: float, n: int) -> Metric:
    return Metric("x", v, n, max(-1.0, v - 0.1), min(1.0, v + 0.1))


@pytest.mark.parametrize(
    "names",
    [
        ["a", "b"],
        [LONG, "b", "annotator-02"],
        [f"annotateur·{k}-Ωμέγα-长名字" for k in range(6)],
        ["WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW", "x"],
    ],
)
def test_no_label_outside_for_long_and_wide_names(names: list[str]) -> None:
    pairs = {(a, b): 0.5 for i, a in enumerate(sorted(names)) for b in sorted(names)[i + 1 :]}
    title = f"{names[0]}: a title longer than the chart it heads, by quite a lot of words"
    charts = [
        heatmap(sorted(names), pairs, dict.fromkeys(pairs, 123456), title),
        forest([(n, _m(0.5, 10**6)) for n in names] + [("undef", _m(math.nan, 0))], title),
        matrix(names, [[10**7] * len(names) for _ in names], title),
    ]
    assert [bad for svg in charts for bad in outside(svg)] == []
    assert [bad for svg in charts for bad in overlapping(svg)] == []


def test_the_geometry_check_catches_a_cut_label() -> None:
    """The check is not vacuous: the report's charts before this fix failed it."""
    svg = heatmap(["a", "b"], {("a", "b"): 0.5}, {("a", "b"): 3}, "t")
    narrowed = re.sub(r"viewBox='0 0 (\d+)", "viewBox='0 0 20", svg, count=1)
    narrowed = re.sub(r"width='\d+'", "width='20'", narrowed, count=1)
    assert outside(narrowed)


# --------------------------------------------------------------------------- browser


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


MEASURE = """<script>
const out = [];
for (const svg of document.querySelectorAll('svg')) {
  const r = svg.getBoundingClientRect();
  for (const t of svg.querySelectorAll('text')) {
    const b = t.getBoundingClientRect();
    out.push([t.textContent, t.getComputedTextLength(), t.getAttribute('font-size'),
              t.getAttribute('font-weight') || '', b.left - r.left, r.right - b.right,
              b.top - r.top, r.bottom - b.bottom]);
  }
}
const p = document.createElement('pre'); p.id = 'measured';
p.textContent = JSON.stringify(out); document.body.appendChild(p);
</script>"""


@pytest.mark.skipif(_chromium() is None, reason="no Chromium installed (apt-get install chromium)")
def test_no_label_cut_off_in_the_browser(page: str, tmp_path: Path) -> None:
    """Chromium lays out the report at a laptop's width: every label lies inside its chart,
    and the width table behind the margins is never narrower than the rendered text."""
    html_path = tmp_path / "report.html"
    html_path.write_text(page.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    chromium = _chromium()
    assert chromium is not None
    proc = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,900",
            "--virtual-time-budget=10000",
            "--dump-dom",
            html_path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'<pre id="measured">(.*?)</pre>', proc.stdout, flags=re.S)
    assert found, proc.stderr[-2000:]
    rows = json.loads(html.unescape(found.group(1)))
    assert len(rows) > 300
    cut = [r for r in rows if min(r[4:]) < -0.5]
    assert cut == []
    narrow = [
        (text, real, text_width(text, float(size), weight in ("600", "bold")))
        for text, real, size, weight, *_ in rows
        if real > text_width(text, float(size), weight in ("600", "bold")) + 0.5
    ]
    assert narrow == []


# --------------------------------------------------------------------------- counts


def test_the_header_counts_the_items_the_figures_use(report: LayerAgreement) -> None:
    o = report.overlap
    assert o is not None
    # 60 items by three or four annotators, 4 by one annotator alone
    assert (o.items, o.shared, o.single) == (64, 60, 4)
    assert report.n_items == 60
    assert report.spans is not None
    assert report.spans.pooled_overlap["all"].n_items == report.n_items
    sentiment = next(f for f in report.fields if f.field == "sentiment")
    assert sentiment.agreement.alpha.n_items == report.n_items
    assert sentiment.agreement.percent_agreement.n_items == report.n_items
    data = to_dict(report)
    assert (data["n_items"], data["n_items_annotated"], data["n_items_single_annotator"]) == (
        60,
        64,
        4,
    )


def test_labels_file_header_counts_compared_items_only() -> None:
    labels = [
        Label("i1", "a", "f", "x"),
        Label("i1", "b", "f", "x"),
        Label("i2", "a", "f", "y"),
        Label("i2", "b", "f", "x"),
        Label("i3", "a", "f", "y"),  # nobody else: not comparable
    ]
    rep = labels_agreement(labels, source="file", n_boot=0)
    assert rep.n_items == 2 == rep.fields[0].agreement.alpha.n_items


def test_html_header_says_what_is_counted(page: str) -> None:
    head = page[: page.index("<h2>")]
    assert "60 items annotated by ≥ 2 annotators" in head
    assert "4 more items were annotated by one annotator only" in head
    assert "Quarantined annotations left out: 3 (annotator-02: 2, " + LONG + ": 1)" in head
    assert "Annotations repaired by pull (used as repaired): 5." in head


def test_counts_are_left_out_when_unknown(report: LayerAgreement) -> None:
    doc = to_html(report)
    assert "Quarantined" not in doc and "repaired" not in doc
    assert "quarantined" not in to_dict(report) and "repaired" not in to_dict(report)
    none = to_html(dataclasses.replace(report, quarantined={}))
    assert "Quarantined annotations left out: 0." in none


# --------------------------------------------------------------------------- overlap


def test_annotators_without_overlap_are_named_not_drawn(page: str) -> None:
    assert "n=0" not in page
    head = page[: page.index("<h2>")]
    assert f"No agreement figure for {SOLO} (4 items): nobody else annotated any" in head
    for svg in svgs(page):
        assert SOLO not in svg  # in no chart, heatmap rows included
    # the long-named annotator shares items, so they are drawn
    assert any(LONG in svg for svg in svgs(page))


def test_pairs_without_common_items_are_blank_and_named() -> None:
    labels = [
        Label("i1", "a", "f", "x"),
        Label("i1", "b", "f", "x"),
        Label("i2", "b", "f", "y"),
        Label("i2", "c", "f", "y"),
        Label("i3", "a", "f", "x"),
        Label("i3", "b", "f", "y"),
    ]
    rep = labels_agreement(labels, source="file", n_boot=0)
    doc = to_html(rep)
    assert "Pairs with no item in common (blank cells, no figure): a · c." in doc
    assert "n=0" not in doc and ">none</text>" in doc
    assert overlap_of((lab.item, lab.annotator) for lab in labels).missing_pairs("abc") == [
        ("a", "c")
    ]


@given(
    st.lists(
        st.tuples(st.sampled_from([f"i{k}" for k in range(12)]), st.sampled_from("abcdefg")),
        max_size=60,
    )
)
def test_overlap_is_the_definition(coverage: list[tuple[str, str]]) -> None:
    by_item: dict[str, set[str]] = defaultdict(set)
    for item, who in coverage:
        by_item[item].add(who)
    o = overlap_of(coverage)
    assert (o.items, o.shared) == (len(by_item), sum(len(w) > 1 for w in by_item.values()))
    assert o.pairs == dict(Counter(p for w in by_item.values() for p in combinations(sorted(w), 2)))
    annotated = Counter(a for w in by_item.values() for a in w)
    assert o.annotated == dict(sorted(annotated.items()))
    assert o.alone == {a: sum(w == {a} for w in by_item.values()) for a in sorted(annotated)}
    assert set(o.isolated) == {
        a for a in annotated if all(w == {a} for w in by_item.values() if a in w)
    }


def test_terminal_output_names_counts_and_isolated(
    report: LayerAgreement, capsys: pytest.CaptureFixture[str]
) -> None:
    print_agreement(dataclasses.replace(report, quarantined={"annotator-02": 2}, repaired=1))
    text = capsys.readouterr().out
    assert "60 items annotated by ≥ 2 annotators" in text
    assert f"No agreement figure for {SOLO}" in text
    assert "Quarantined annotations left out: 2 (annotator-02: 2)" in text


# --------------------------------------------------------------------------- Fleiss naming


def test_unequal_ratings_name_gwets_generalisation(page: str) -> None:
    assert "Fleiss&#x27; kappa, Gwet (2014) generalisation for unequal ratings per item" in page
    assert "Fleiss&#x27; kappa (Fleiss 1971) on the items with 3 ratings only" in page
    assert "Handbook of Inter-Rater Reliability" in page


def test_fixed_ratings_keep_fleiss_1971() -> None:
    labels = [
        Label(f"i{i}", who, "f", v)
        for i, votes in enumerate(["xxy", "xyy", "xxx", "yyx"])
        for who, v in zip("abc", votes, strict=True)
    ]
    doc = to_html(labels_agreement(labels, source="file", n_boot=0))
    assert "Fleiss&#x27; kappa (Fleiss 1971; 3 ratings per item)" in doc
    assert "Gwet (2014) generalisation" not in doc


def test_relations_of_another_schema_make_no_attribution_section() -> None:
    """A team's relation-extraction project has relations but no attributions: the report
    shows its spans and no empty "Attributions (source, cue, content)" table."""
    from workbench.schema.importer import import_config

    xml = """<View><Relations><Relation value="works_for"/></Relations>
      <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
      <Text name="text" value="$text"/></View>"""
    schema = import_config(xml, schema_id="re", title="re").schema
    text = "Ann Lee works for Acme and Bo Chen for Zeta."

    def region(rid: str, start: int, end: int, label: str) -> dict[str, object]:
        value = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
        return {"id": rid, "from_name": "ner", "to_name": "text", "type": "labels",
                "value": value}  # fmt: skip

    def result(end: int) -> list[dict[str, object]]:
        return [region("p", 0, 7, "PER"), region("o", 18, end, "ORG"),
                {"type": "relation", "from_id": "p", "to_id": "o", "direction": "right",
                 "labels": ["works_for"]}]  # fmt: skip

    given = [("s1", who, parse(schema, text, result(end)).entry())
             for who, end in (("a1", 22), ("a2", 23))]  # fmt: skip
    parsed = parse_entries(schema, *zip(*given, strict=True))
    assert parsed.relations  # the relations were read
    agreement = schema_agreement(schema, parsed, {"s1": text}, source="dataset re", n_boot=20)
    assert agreement.spans is not None and agreement.triples is None
    assert "Attributions" not in to_html(agreement)
    assert "triples" not in to_dict(agreement)
