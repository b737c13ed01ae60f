"""Rendering agreement and reconcile results: terminal tables and one self-contained HTML
file with inline SVG plots (`charts`): per field, per-label agreement, pairwise Cohen's
kappa and the coincidence matrix; for spans, per-label F1 and token alpha, and pairwise F1.
The header says what the figures are computed on and what was left out or repaired."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from workbench import render
from workbench.errors import InputError

from .categorical import CategoricalAgreement
from .charts import esc as _esc
from .charts import forest, heatmap, matrix
from .commands import FileConsensus
from .gwet import FLEISS_GWET_NAME
from .layers import FieldAgreement, LayerAgreement
from .overlap import isolation_sentence, pairs_sentence
from .records import Metric
from .save import ReconcileReport
from .spans import PairF1


def _fmt(m: Metric | None) -> str:
    if m is None or math.isnan(m.value):
        return "–"
    ci = "" if math.isnan(m.ci_low) else f" [{m.ci_low:.2f}, {m.ci_high:.2f}]"
    return f"{m.value:.3f}{ci}"


def print_agreement(report: LayerAgreement) -> None:
    click.echo(
        f"{report.source}: {report.n_items} items annotated by ≥ 2 annotators, "
        f"{len(report.annotators)} annotators (value [95% bootstrap CI])"
    )
    for sentence in counts_sentences(report):
        click.echo(sentence)
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
                    _fmt(f.agreement.fleiss_unequal or f.agreement.fleiss_kappa)
                    + (" *" if f.agreement.fleiss_unequal is not None else ""),
                    _fmt(f.agreement.percent_agreement),
                )
                for f in report.fields
            ],
            title="Categorical layers",
        )
        if any(f.agreement.fleiss_unequal is not None for f in report.fields):
            click.echo(
                f"* {FLEISS_GWET_NAME}: items have different numbers of ratings, which "
                "Fleiss (1971) does not allow (see --json or --html for both figures)"
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
                    _fmt(s.token_alpha.get(lab)),
                )
                for lab in ["all", *s.labels]
            ],
            title="Spans (F1 pooled over annotator pairs)",
        )
    if report.relations is not None:
        r = report.relations
        render.table(
            ["relation", "items", "F1"],
            [(name, r.pooled[name].n_items, _fmt(r.pooled[name])) for name in ["all", *r.names]],
            title="Relations (F1 pooled over annotator pairs; both ends matched by overlap)",
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


def _print_gold(report: LayerAgreement) -> None:
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
    from workbench.reconcile.figures import headline_agreement, headline_text

    headline = headline_agreement(r.agreement)  # the release's figures
    if headline:
        click.echo(f"agreement: {headline_text(headline)}")
    if r.labels_undecided or r.spans_undecided:
        click.echo("see them with `workbench disagreements`")


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#111;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2.2rem;
border-bottom:1px solid #e5e7eb;padding-bottom:.3rem}
.sub{color:#555;margin-top:0} .grid{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:.8rem;background:#fff;
max-width:100%;box-sizing:border-box} .card svg{display:block}
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


def fleiss_rows(a: CategoricalAgreement) -> list[tuple[str, Metric | None]]:
    """The kappa rows of a field, each named for what it is: Fleiss (1971) when every item
    has the same number of ratings; else Gwet's (2014) generalisation first, then Fleiss'
    formula on the items with the modal number only."""
    lo, hi = a.raters_per_item
    if a.fleiss_unequal is None:
        rows: list[tuple[str, Metric | None]] = [
            (f"Fleiss' kappa (Fleiss 1971; {hi} ratings per item)", a.fleiss_kappa)
        ]
    else:
        rows = [
            (f"{FLEISS_GWET_NAME} ({lo}–{hi} ratings)", a.fleiss_unequal),
            (
                f"Fleiss' kappa (Fleiss 1971) on the items with {a.fleiss_raters} ratings only",
                a.fleiss_kappa,
            ),
        ]
    return [*rows, ("Gwet's AC1", a.gwet_ac1)]


def fleiss_note(a: CategoricalAgreement) -> str:
    """Why the kappa rows are what they are, when items have different numbers of ratings."""
    if a.fleiss_unequal is None:
        return ""
    lo, hi = a.raters_per_item
    return (
        f"Items have between {lo} and {hi} ratings here. Fleiss' kappa (1971) assumes the same "
        "number for every item, so the first kappa is Gwet's generalisation for unequal "
        "numbers of ratings (Gwet 2014, Handbook of Inter-Rater Reliability, 4th ed.; irrCAC's "
        "fleiss.kappa.raw): observed agreement over the items with ≥ 2 ratings, chance "
        "agreement from the category shares of every rated item (its item count includes "
        "items rated once). The second applies Fleiss' formula to the items with the most "
        "common number of ratings only."
    )


def _field_section(f: FieldAgreement) -> str:
    a = f.agreement
    pairs = a.cohen_kappa
    values = {k: m.value for k, m in pairs.pairs.items()}
    ns = {k: m.n_items for k, m in pairs.pairs.items()}
    paired = sorted({x for pair in pairs.pairs for x in pair})
    alone = [x for x in pairs.annotators if x not in paired]
    missing = [(x, y) for i, x in enumerate(paired) for y in paired[i + 1 :] if (x, y) not in ns]
    plots = [
        forest(
            [("all labels (alpha)", a.alpha), *sorted(a.per_category.items())],
            f"{f.field}: agreement per label (one-vs-rest alpha)",
        ),
        matrix(f.categories, f.coincidence, f"{f.field}: annotator coincidences"),
    ]
    if paired:
        title = f"{f.field}: Cohen's κ per annotator pair"
        plots.insert(1, heatmap(paired, values, ns, title))
    table = _metric_table(
        [
            (f.field, "Krippendorff's alpha (nominal)", a.alpha),
            (f.field, "Krippendorff's alpha (ordinal)", a.alpha_ordinal),
            *((f.field, name, m) for name, m in fleiss_rows(a)),
            (f.field, "percent agreement", a.percent_agreement),
        ]
    )
    notes = [fleiss_note(a), pairs_sentence(missing)]
    if alone:
        told = ", ".join(f"{x} ({pairs.labelled.get(x, 0)} labelled)" for x in alone)
        notes.append(
            f"No Cohen's κ for {told}: no item they labelled in this field was labelled by "
            "another annotator, so there is no pair to compare."
        )
    return (
        f"<h2>{_esc(f.field)} <small style='color:#888'>({_esc(f.layer)})</small></h2>"
        f"{table}{_notes(notes)}{_cards(plots)}"
    )


def _notes(sentences: Sequence[str]) -> str:
    return "".join(f"<p class='note'>{_esc(x)}</p>" for x in sentences if x)


def _cards(plots: Sequence[str]) -> str:
    return "<div class='grid'>" + "".join(f"<div class='card'>{p}</div>" for p in plots) + "</div>"


def _pair_heatmap(pairs: Sequence[PairF1], report: LayerAgreement, title: str) -> str:
    micro = [p for p in pairs if p.label in (None, "triple")]
    isolated = set(report.overlap.isolated) if report.overlap is not None else set()
    return heatmap(
        [a for a in report.annotators if a not in isolated],
        {(p.annotator_a, p.annotator_b): p.f1.value for p in micro},
        {(p.annotator_a, p.annotator_b): p.f1.n_items for p in micro},
        title,
        lo=0.0,
    )


def counts_sentences(report: LayerAgreement) -> list[str]:
    """What the figures are computed on, who has nothing to compare, and what was left out
    or repaired: the report's header, in sentences (terminal and HTML)."""
    out = []
    o = report.overlap
    if o is not None:
        used = (
            f"Agreement is computed on the {report.n_items} items annotated by at least two "
            "annotators; each figure's n says how many of them (or of the spans aligned in "
            "them, or of their tokens) it uses."
        )
        if o.single:
            used += (
                f" {o.single} more {'item was' if o.single == 1 else 'items were'} annotated by "
                "one annotator only: nothing to compare, so no figure uses "
                f"{'it' if o.single == 1 else 'them'} (Gwet's kappa and AC1 count single "
                "ratings in chance agreement only)."
            )
        out.append(used)
        out.append(isolation_sentence(o))
        isolated = set(o.isolated)
        drawn = [a for a in report.annotators if a not in isolated]
        if report.spans is not None or report.triples is not None or report.relations:
            out.append(pairs_sentence(o.missing_pairs(drawn)))
    if report.quarantined is not None:
        total = sum(report.quarantined.values())
        most_first = sorted(report.quarantined.items(), key=lambda kv: (-kv[1], kv[0]))
        by = ", ".join(f"{who}: {n}" for who, n in most_first)
        out.append(
            f"Quarantined annotations left out: {total}"
            + (f" ({by}); see `workbench problems`." if total else ".")
        )
    if report.repaired is not None:
        out.append(f"Annotations repaired by pull (used as repaired): {report.repaired}.")
    return [x for x in out if x]


def to_html(report: LayerAgreement) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<h1>Agreement — {_esc(report.source)}</h1>",
        f"<p class='sub'>{report.n_items} items annotated by ≥ 2 annotators · "
        f"{len(report.annotators)} annotators ({_esc(', '.join(report.annotators))}) · "
        f"generated {now}</p>",
        _notes(counts_sentences(report)),
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
            "labels each token carries (its n counts tokens).</p>"
        )
        labels = ["all", *s.labels]
        plots = [
            forest([(lab, s.pooled_exact[lab]) for lab in labels], "span F1, exact", lo=0.0),
            forest([(lab, s.pooled_overlap[lab]) for lab in labels], "span F1, overlap", lo=0.0),
            forest([(lab, m) for lab, m in s.token_alpha.items()], "token-level alpha"),
            _pair_heatmap(s.pairwise_overlap, report, "span F1 (overlap) per pair"),
        ]
        body.append(_cards(plots))
    if report.relations is not None:
        r = report.relations
        body.append("<h2>Relations</h2>")
        body.append(
            "<p class='note'>F1 pooled over every annotator pair: two relations match when "
            "they have the same name and both ends match as spans do (same label, character "
            "Jaccard ≥ 0.5), one to one.</p>"
        )
        names = ["all", *r.names]
        plots = [
            forest([(name, r.pooled[name]) for name in names], "relation F1", lo=0.0),
            _pair_heatmap(r.pairwise, report, "relation F1 per pair"),
        ]
        body.append(_cards(plots))
    if report.triples is not None:
        t = report.triples
        body.append("<h2>Attributions (source, cue, content)</h2>")
        body.append(_metric_table([("triples", "F1 pooled over pairs", t.pooled)]))
        body.append(_cards([_pair_heatmap(t.pairwise, report, "triple F1 per pair")]))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Agreement — {_esc(report.source)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def write_html(report: LayerAgreement, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_html(report), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the report ({exc.strerror})") from None
