"""Rendering agreement and reconcile results: terminal tables, JSON, and one self-contained
HTML file with inline SVG plots (no plotting dependency: the plots are simple enough to draw).

Plots: per field, a forest plot of per-label agreement with bootstrap intervals, a heatmap of
pairwise Cohen's kappa between annotators, and the annotators' coincidence ("confusion")
matrix; for spans, per-label F1 (exact and overlap) and token alpha with intervals, and a
heatmap of pairwise span F1.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from workbench import render
from workbench.errors import InputError

from .agreement import AgreementReport, FieldAgreement, to_dict
from .commands import FileConsensus
from .records import Metric
from .spans import PairF1
from .store import ReconcileReport

# --------------------------------------------------------------------------- terminal / JSON


def agreement_json(report: AgreementReport) -> dict[str, Any]:
    return to_dict(report)


def _fmt(m: Metric | None) -> str:
    if m is None or math.isnan(m.value):
        return "–"
    ci = "" if math.isnan(m.ci_low) else f" [{m.ci_low:.2f}, {m.ci_high:.2f}]"
    return f"{m.value:.3f}{ci}"


def print_agreement(report: AgreementReport) -> None:
    click.echo(
        f"{report.source}: {report.n_items} items, {len(report.annotators)} annotators "
        "(value [95% bootstrap CI])"
    )
    if report.fields:
        render.table(
            ["layer", "field", "items", "alpha", "alpha ordinal", "Fleiss κ", "% agree"],
            [
                (
                    f.layer,
                    f.field,
                    f.agreement.alpha.n_items,
                    _fmt(f.agreement.alpha),
                    _fmt(f.agreement.alpha_ordinal),
                    _fmt(f.agreement.fleiss_kappa),
                    _fmt(f.agreement.percent_agreement),
                )
                for f in report.fields
            ],
            title="Categorical layers",
        )
        render.table(
            ["field", "label", "items", "alpha (one vs rest)", "Fleiss κ_j"],
            [
                (f.field, cat, m.n_items, _fmt(m), _fmt(f.agreement.fleiss_per_category[cat]))
                for f in report.fields
                for cat, m in f.agreement.per_category.items()
            ],
            title="Per label",
        )
        render.table(
            ["field", "annotators", "items", "Cohen κ", "% agree"],
            [
                (
                    f.field,
                    f"{a} · {b}",
                    m.n_items,
                    _fmt(m),
                    _fmt(f.agreement.pairwise_agreement.get(a, b)),
                )
                for f in report.fields
                for (a, b), m in sorted(f.agreement.cohen_kappa.pairs.items())
            ],
            title="Annotator pairs",
        )
    if report.spans is not None:
        s = report.spans
        render.table(
            ["label", "items", "F1 exact", "F1 overlap", "token alpha"],
            [
                (
                    lab,
                    s.pooled_overlap[lab].n_items,
                    _fmt(s.pooled_exact[lab]),
                    _fmt(s.pooled_overlap[lab]),
                    _fmt(s.token_alpha.get(lab if lab != "all" else "all")),
                )
                for lab in ["all", *s.labels]
            ],
            title="Spans (F1 pooled over annotator pairs)",
        )
    if report.triples is not None:
        render.table(
            ["layer", "items", "F1"],
            [("attribution triples", report.triples.pooled.n_items, _fmt(report.triples.pooled))],
            title="Attributions (source, cue, content)",
        )
    if report.gold:
        _print_gold(report)
    if report.answers:
        render.table(
            ["question", "kind", "measure", "items", "value [95% CI]"],
            [
                (a.field, a.kind, a.measure, a.metric.n_items, _fmt(a.metric))
                for a in report.answers
            ],
            title="Other questions (several choices: per label and Jaccard; taxonomy: per level)",
        )


def _print_gold(report: AgreementReport) -> None:
    fields = sorted({name for g in report.gold for name in g.fields})
    render.table(
        ["annotator", "items", *[f"{f} = gold" for f in fields], "span F1", "P", "R"],
        [
            (
                g.annotator,
                g.n_items,
                *[_share(g.fields.get(f)) for f in fields],
                _share(g.span_f1),
                _share(g.span_precision),
                _share(g.span_recall),
            )
            for g in report.gold
        ],
        title="Against the gold set (ground-truth annotations; spans: exact matches)",
    )


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def print_reconcile(result: ReconcileReport | FileConsensus) -> None:
    if isinstance(result, FileConsensus):
        render.table(
            ["field", "item", "method", "label", "support", "confidence"],
            [
                (
                    c.field,
                    c.item,
                    c.method,
                    c.label if c.label is not None else ("(tie)" if c.tie else "(undecided)"),
                    f"{len(c.support)}/{c.n_annotators}",
                    f"{c.confidence:.3f}",
                )
                for c in result.items
            ],
            title=f"{result.source}: consensus",
        )
        click.echo(f"{result.decided} of {len(result.items)} decided")
        return
    r = result
    click.echo(
        f"{r.dataset} ({r.method}, min support {r.min_support}): {r.segments} segments, "
        f"{r.recomputed} recomputed, {r.unchanged} unchanged"
        + (f", {r.refit_changed} moved by the Dawid–Skene refit" if r.refit_changed else "")
        + (f", {r.removed} removed" if r.removed else "")
    )
    click.echo(
        f"labels: {r.labels_decided} decided, {r.labels_undecided} undecided, "
        f"{r.labels_adjudicated} adjudicated · spans: {r.spans_decided} kept, "
        f"{r.spans_undecided} undecided · relations: {r.relations_decided} kept"
    )
    from workbench.export.summary import headline_agreement, headline_text

    headline = headline_agreement(r.agreement)  # the release's figures
    if headline:
        click.echo(f"agreement: {headline_text(headline)}")
    if r.labels_undecided or r.spans_undecided:
        click.echo("see them with `workbench disagreements`")


# --------------------------------------------------------------------------- SVG

_BG = "<rect width='100%' height='100%' fill='#fff'/>"  # readable standalone and in dark mode
_FONT = "font-family='system-ui,-apple-system,Segoe UI,Roboto,sans-serif'"


def _esc(x: object) -> str:
    return html.escape(str(x), quote=True)


def _color(v: float, lo: float = -1.0, hi: float = 1.0) -> str:
    """Diverging red (disagreement) → white → teal (agreement); grey for undefined."""
    if math.isnan(v):
        return "#e5e7eb"
    t = max(0.0, min(1.0, (v - lo) / (hi - lo)))
    neg, mid, pos = (200, 70, 60), (247, 247, 247), (13, 128, 120)
    a, b, u = (neg, mid, t / 0.5) if t < 0.5 else (mid, pos, (t - 0.5) / 0.5)
    r, g, bl = (round(a[i] + (b[i] - a[i]) * u) for i in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"


def _ink(fill: str) -> str:
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#111" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"


def heatmap(
    names: Sequence[str],
    value: Mapping[tuple[str, str], float],
    n: Mapping[tuple[str, str], int],
    title: str,
    lo: float = -1.0,
) -> str:
    """Symmetric annotator × annotator heatmap; each cell shows the value and its n."""
    cell, left, top = 84, 120, 56
    size = len(names)
    w, h = max(left + cell * size + 20, 16 + 8 * len(title)), top + cell * size + 20
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' {_FONT} "
        f"role='img' aria-label='{_esc(title)}'>{_BG}",
        f"<text x='10' y='20' font-size='14' font-weight='600'>{_esc(title)}</text>",
    ]
    for j, b in enumerate(names):
        x = left + j * cell + cell / 2
        parts.append(
            f"<text x='{x}' y='{top - 8}' font-size='11' text-anchor='middle'>{_esc(b)}</text>"
        )
    for i, a in enumerate(names):
        y = top + i * cell
        parts.append(
            f"<text x='{left - 8}' y='{y + cell / 2 + 4}' font-size='11' "
            f"text-anchor='end'>{_esc(a)}</text>"
        )
        for j, b in enumerate(names):
            x = left + j * cell
            key = (a, b) if a < b else (b, a)
            if a == b:
                parts.append(
                    f"<rect x='{x}' y='{y}' width='{cell - 2}' height='{cell - 2}' fill='#fff' "
                    "stroke='#e5e7eb'/>"
                )
                continue
            v = value.get(key, float("nan"))
            fill = _color(v, lo)
            label = "–" if math.isnan(v) else f"{v:.2f}"
            parts.append(
                f"<rect x='{x}' y='{y}' width='{cell - 2}' height='{cell - 2}' rx='3' "
                f"fill='{fill}'><title>{_esc(a)} · {_esc(b)}: {label} "
                f"(n={n.get(key, 0)})</title></rect>"
            )
            parts.append(
                f"<text x='{x + cell / 2 - 1}' y='{y + cell / 2}' font-size='13' "
                f"font-weight='600' text-anchor='middle' fill='{_ink(fill)}'>{label}</text>"
                f"<text x='{x + cell / 2 - 1}' y='{y + cell / 2 + 15}' font-size='10' "
                f"text-anchor='middle' fill='{_ink(fill)}'>n={n.get(key, 0)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def forest(rows: Sequence[tuple[str, Metric]], title: str, lo: float = -1.0) -> str:
    """Point estimates with bootstrap-interval error bars, one row per label, on [lo, 1]."""
    row_h, left, right, top = 26, 190, 70, 44
    plot_w = 420
    w, h = left + plot_w + right, top + row_h * len(rows) + 36

    def x_of(v: float) -> float:
        return left + (max(lo, min(1.0, v)) - lo) / (1.0 - lo) * plot_w

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' {_FONT} "
        f"role='img' aria-label='{_esc(title)}'>{_BG}",
        f"<text x='10' y='20' font-size='14' font-weight='600'>{_esc(title)}</text>",
    ]
    ticks = [lo + k * (1.0 - lo) / 4 for k in range(5)]
    bottom = top + row_h * len(rows)
    for t in ticks:
        x = x_of(t)
        parts.append(
            f"<line x1='{x}' y1='{top - 6}' x2='{x}' y2='{bottom}' stroke='#e5e7eb'/>"
            f"<text x='{x}' y='{bottom + 16}' font-size='10' text-anchor='middle' "
            f"fill='#555'>{t:g}</text>"
        )
    if lo < 0:
        parts.append(
            f"<line x1='{x_of(0)}' y1='{top - 6}' x2='{x_of(0)}' y2='{bottom}' stroke='#9ca3af' "
            "stroke-dasharray='3,3'/>"
        )
    for k, (name, m) in enumerate(rows):
        y = top + k * row_h + row_h / 2
        parts.append(
            f"<text x='{left - 10}' y='{y + 4}' font-size='12' text-anchor='end'>"
            f"{_esc(name)}</text>"
        )
        if math.isnan(m.value):
            parts.append(
                f"<text x='{left + 4}' y='{y + 4}' font-size='11' fill='#888'>undefined "
                f"(n={m.n_items})</text>"
            )
            continue
        if not math.isnan(m.ci_low):
            parts.append(
                f"<line x1='{x_of(m.ci_low)}' y1='{y}' x2='{x_of(m.ci_high)}' y2='{y}' "
                "stroke='#334155' stroke-width='2'/>"
                f"<line x1='{x_of(m.ci_low)}' y1='{y - 5}' x2='{x_of(m.ci_low)}' y2='{y + 5}' "
                "stroke='#334155' stroke-width='2'/>"
                f"<line x1='{x_of(m.ci_high)}' y1='{y - 5}' x2='{x_of(m.ci_high)}' y2='{y + 5}' "
                "stroke='#334155' stroke-width='2'/>"
            )
        fill = _color(m.value, lo)
        parts.append(
            f"<circle cx='{x_of(m.value)}' cy='{y}' r='6' fill='{fill}' stroke='#111'>"
            f"<title>{_esc(name)}: {_fmt(m)} (n={m.n_items})</title></circle>"
            f"<text x='{left + plot_w + 8}' y='{y + 4}' font-size='11'>{m.value:.2f} "
            f"<tspan fill='#888'>n={m.n_items}</tspan></text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def matrix(categories: Sequence[str], counts: Sequence[Sequence[int]], title: str) -> str:
    """Coincidence matrix: how often two annotators of one item gave category i and j."""
    cell, left, top = 56, 110, 70
    k = len(categories)
    w, h = max(left + cell * k + 20, 16 + 8 * len(title)), top + cell * k + 20
    biggest = max([c for row in counts for c in row] + [1])
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' {_FONT} "
        f"role='img' aria-label='{_esc(title)}'>{_BG}",
        f"<text x='10' y='20' font-size='14' font-weight='600'>{_esc(title)}</text>",
    ]
    for j, c in enumerate(categories):
        x = left + j * cell + cell / 2
        parts.append(
            f"<text x='{x}' y='{top - 10}' font-size='11' text-anchor='middle'>{_esc(c)}</text>"
        )
    for i, a in enumerate(categories):
        y = top + i * cell
        parts.append(
            f"<text x='{left - 8}' y='{y + cell / 2 + 4}' font-size='11' text-anchor='end'>"
            f"{_esc(a)}</text>"
        )
        for j in range(k):
            v = counts[i][j]
            t = v / biggest
            base = (13, 128, 120) if i == j else (200, 70, 60)
            r, g, b = (round(247 + (base[q] - 247) * t) for q in range(3))
            fill = f"#{r:02x}{g:02x}{b:02x}"
            x = left + j * cell
            parts.append(
                f"<rect x='{x}' y='{y}' width='{cell - 2}' height='{cell - 2}' rx='3' "
                f"fill='{fill}'/><text x='{x + cell / 2 - 1}' y='{y + cell / 2 + 4}' "
                f"font-size='12' text-anchor='middle' fill='{_ink(fill)}'>{v}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- HTML


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#111;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2.2rem;
border-bottom:1px solid #e5e7eb;padding-bottom:.3rem}
.sub{color:#555;margin-top:0} .grid{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:.8rem;background:#fff}
table{border-collapse:collapse;font-size:.9rem;margin:.6rem 0}
td,th{padding:.25rem .7rem;border-bottom:1px solid #eee;text-align:left}
th{background:#f9fafb} .num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:.85rem;max-width:70ch}
"""


def _metric_table(rows: Sequence[tuple[str, str, Metric | None]]) -> str:
    out = [
        "<table><tr><th>field</th><th>metric</th><th class='num'>value</th>"
        "<th class='num'>95% CI</th><th class='num'>items</th></tr>"
    ]
    for fld, name, m in rows:
        if m is None:
            continue
        v = "–" if math.isnan(m.value) else f"{m.value:.3f}"
        ci = "–" if math.isnan(m.ci_low) else f"{m.ci_low:.3f} – {m.ci_high:.3f}"
        out.append(
            f"<tr><td>{_esc(fld)}</td><td>{_esc(name)}</td><td class='num'>{v}</td>"
            f"<td class='num'>{ci}</td><td class='num'>{m.n_items}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _field_section(f: FieldAgreement) -> str:
    a = f.agreement
    pairs = a.cohen_kappa
    values = {k: m.value for k, m in pairs.pairs.items()}
    ns = {k: m.n_items for k, m in pairs.pairs.items()}
    plots = [
        forest(
            [("all labels (alpha)", a.alpha), *sorted(a.per_category.items())],
            f"{f.field}: agreement per label (one-vs-rest alpha)",
        ),
        heatmap(pairs.annotators, values, ns, f"{f.field}: Cohen's κ per annotator pair"),
        matrix(f.categories, f.coincidence, f"{f.field}: annotator coincidences"),
    ]
    table = _metric_table(
        [
            (f.field, "Krippendorff's alpha (nominal)", a.alpha),
            (f.field, "Krippendorff's alpha (ordinal)", a.alpha_ordinal),
            (f.field, f"Fleiss' kappa ({a.fleiss_raters} raters/item)", a.fleiss_kappa),
            (f.field, "percent agreement", a.percent_agreement),
        ]
    )
    cards = "".join(f"<div class='card'>{p}</div>" for p in plots)
    return (
        f"<h2>{_esc(f.field)} <small style='color:#888'>({_esc(f.layer)})</small></h2>"
        f"{table}<div class='grid'>{cards}</div>"
    )


def _pair_heatmap(pairs: Sequence[PairF1], annotators: Sequence[str], title: str) -> str:
    micro = [p for p in pairs if p.label in (None, "triple")]
    return heatmap(
        annotators,
        {(p.annotator_a, p.annotator_b): p.f1.value for p in micro},
        {(p.annotator_a, p.annotator_b): p.f1.n_items for p in micro},
        title,
        lo=0.0,
    )


def to_html(report: AgreementReport) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<h1>Agreement — {_esc(report.source)}</h1>",
        f"<p class='sub'>{report.n_items} items · {len(report.annotators)} annotators "
        f"({_esc(', '.join(report.annotators))}) · generated {now}</p>",
        "<p class='note'>Every figure comes with the number of items it is computed on and a "
        "95% percentile bootstrap interval over items. Alpha and kappa: 1 = perfect agreement, "
        "0 = chance level, below 0 = systematic disagreement. Teal = agreement, red = "
        "disagreement.</p>",
    ]
    for f in report.fields:
        body.append(_field_section(f))
    if report.spans is not None:
        s = report.spans
        body.append("<h2>Spans</h2>")
        body.append(
            "<p class='note'>F1 pooled over every annotator pair (exact: same boundaries; "
            "overlap: character Jaccard ≥ 0.5); token alpha: Krippendorff's alpha over the "
            "labels each token carries.</p>"
        )
        labels = ["all", *s.labels]
        plots = [
            forest([(lab, s.pooled_exact[lab]) for lab in labels], "span F1, exact", lo=0.0),
            forest([(lab, s.pooled_overlap[lab]) for lab in labels], "span F1, overlap", lo=0.0),
            forest([(lab, m) for lab, m in s.token_alpha.items()], "token-level alpha"),
            _pair_heatmap(s.pairwise_overlap, report.annotators, "span F1 (overlap) per pair"),
        ]
        body.append("<div class='grid'>")
        body.extend(f"<div class='card'>{p}</div>" for p in plots)
        body.append("</div>")
    if report.triples is not None:
        t = report.triples
        body.append("<h2>Attributions (source, cue, content)</h2>")
        body.append(_metric_table([("triples", "F1 pooled over pairs", t.pooled)]))
        body.append(
            "<div class='grid'><div class='card'>"
            + _pair_heatmap(list(t.pairwise), report.annotators, "triple F1 per pair")
            + "</div></div>"
        )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Agreement — {_esc(report.source)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def write_html(report: AgreementReport, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_html(report), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the report ({exc.strerror})") from None
