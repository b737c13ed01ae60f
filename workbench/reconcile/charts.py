"""The agreement report's inline SVG charts: a forest plot, a pairwise heatmap and a
coincidence matrix (no plotting dependency: they are simple enough to draw).

No label may be cut off, whatever the names of labels and annotators: every margin is sized
from the text it holds, measured with `text_width` (the advance widths of DejaVu Sans, the
widest of the common sans-serif fonts and what browsers fall back to on Linux, so it bounds
the others), column labels that do not fit their column are turned 45°, and every chart has
a viewBox so that a browser scales a wide one down instead of clipping it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

from .records import Metric

_BG = "<rect width='100%' height='100%' fill='#fff'/>"  # readable standalone and in dark mode
_FONT = "font-family='system-ui,-apple-system,Segoe UI,Roboto,sans-serif'"
_TITLE = 14  # title font size (bold)
_SIN45 = math.sqrt(0.5)

# Advance widths (1/1000 em) of the printable ASCII characters, space to tilde, in DejaVu Sans
# and DejaVu Sans Bold. Anything else counts as a full em (wider than any of these but "W").
_REGULAR = (
    "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 "
    "636 636 636 636 337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 "
    "557 863 748 787 603 787 695 635 611 732 684 989 685 611 685 390 337 390 838 500 500 613 "
    "635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 635 411 521 392 634 592 818 "
    "592 592 525 636 337 636 838"
)
_BOLD = (
    "348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 "
    "696 696 696 696 400 400 838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 "
    "637 995 837 850 733 850 770 720 682 812 774 1103 771 724 725 457 365 457 838 500 500 675 "
    "716 593 716 678 435 716 712 343 343 665 343 1042 712 687 716 716 493 595 478 712 652 924 "
    "645 652 582 712 365 712 838"
)
_WIDTHS = {
    bold: {chr(32 + i): int(w) / 1000 for i, w in enumerate(table.split())}
    for bold, table in ((False, _REGULAR), (True, _BOLD))
}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in px of `text` at font `size`, an upper bound for the usual sans-serif fonts."""
    table = _WIDTHS[bold]
    return size * sum(table.get(c, 1.0 if not bold else 1.1) for c in text)


def esc(x: object) -> str:
    return html.escape(str(x), quote=True)


def color(v: float, lo: float = -1.0, hi: float = 1.0) -> str:
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


def _open(w: float, h: float, title: str) -> list[str]:
    w, h = math.ceil(w), math.ceil(h)
    return [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' "
        f"viewBox='0 0 {w} {h}' style='max-width:100%;height:auto' {_FONT} "
        f"role='img' aria-label='{esc(title)}'>{_BG}",
        f"<text x='10' y='20' font-size='{_TITLE}' font-weight='600'>{esc(title)}</text>",
    ]


def _title_width(title: str) -> float:
    return 10 + text_width(title, _TITLE, bold=True) + 10


def _grid(
    names: Sequence[str], cell: float, size: float, title: str
) -> tuple[list[str], float, float]:
    """The start of a square grid chart with `names` over its columns and beside its rows:
    (the SVG so far, the grid's left edge, its top edge). Column names are level and centred
    when the widest fits its column, else turned 45° (rising to the right from the column's
    centre), with room above the grid and right of it for them."""
    widths = [text_width(n, size) for n in names]
    k = len(names)
    turned = bool(widths) and max(widths) > cell - 8
    height = max(widths) * _SIN45 + size + 12 if turned else size + 12
    overhang = 0.0
    if turned:  # how far the last turned name reaches right of the grid
        overhang = max(
            [(w + size) * _SIN45 - (k - j - 0.5) * cell for j, w in enumerate(widths)] + [0.0]
        )
    left = 10 + max([*widths, 0.0]) + 8
    top = 30 + height
    w = max(left + cell * k + overhang + 12, _title_width(title))
    parts = _open(w, top + cell * k + 12, title)
    for j, name in enumerate(names):
        x, y = left + j * cell + cell / 2, top - 8
        turn = f"transform='rotate(-45 {x:.1f} {y:.1f})'" if turned else "text-anchor='middle'"
        parts.append(f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' {turn}>{esc(name)}</text>")
    parts.extend(
        f"<text x='{left - 8:.1f}' y='{top + i * cell + cell / 2 + 4:.1f}' font-size='{size}' "
        f"text-anchor='end'>{esc(a)}</text>"
        for i, a in enumerate(names)
    )
    return parts, left, top


def heatmap(
    names: Sequence[str],
    value: Mapping[tuple[str, str], float],
    n: Mapping[tuple[str, str], int],
    title: str,
    lo: float = -1.0,
) -> str:
    """Symmetric annotator × annotator heatmap; each cell shows the value and its n. A pair
    absent from `n` shares no item: its cell is left blank ("none"), not drawn as n=0."""
    cell = 84
    parts, left, top = _grid(names, cell, 11, title)
    for i, a in enumerate(names):
        y = top + i * cell
        for j, b in enumerate(names):
            x = left + j * cell
            key = (a, b) if a < b else (b, a)
            if a == b or key not in n:
                tip = "" if a == b else f"<title>{esc(a)} · {esc(b)}: no item in common</title>"
                parts.append(
                    f"<rect x='{x:.1f}' y='{y:.1f}' width='{cell - 2}' height='{cell - 2}' "
                    f"fill='#fff' stroke='#e5e7eb'>{tip}</rect>"
                )
                if a != b:
                    parts.append(
                        f"<text x='{x + cell / 2 - 1:.1f}' y='{y + cell / 2 + 4:.1f}' "
                        f"font-size='10' text-anchor='middle' fill='#888'>none</text>"
                    )
                continue
            v = value.get(key, float("nan"))
            fill = color(v, lo)
            label = "–" if math.isnan(v) else f"{v:.2f}"
            parts.append(
                f"<rect x='{x:.1f}' y='{y:.1f}' width='{cell - 2}' height='{cell - 2}' rx='3' "
                f"fill='{fill}'><title>{esc(a)} · {esc(b)}: {label} (n={n[key]})</title></rect>"
                f"<text x='{x + cell / 2 - 1:.1f}' y='{y + cell / 2:.1f}' font-size='13' "
                f"font-weight='600' text-anchor='middle' fill='{_ink(fill)}'>{label}</text>"
                f"<text x='{x + cell / 2 - 1:.1f}' y='{y + cell / 2 + 15:.1f}' font-size='10' "
                f"text-anchor='middle' fill='{_ink(fill)}'>n={n[key]}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _value_label(m: Metric) -> tuple[str, str]:
    return f"{m.value:.2f} ", f"n={m.n_items}"


def forest(rows: Sequence[tuple[str, Metric]], title: str, lo: float = -1.0) -> str:
    """Point estimates with bootstrap-interval error bars, one row per label, on [lo, 1]."""
    row_h, top, plot_w, size = 26, 44, 420, 12
    left = 10 + max([text_width(name, size) for name, _ in rows] + [0.0]) + 10
    right = 8 + max(
        [text_width("".join(_value_label(m)), 11) for _, m in rows if not math.isnan(m.value)]
        + [0.0]
    )
    # an undefined row's note is written inside the plot, from its left edge
    undefined = [text_width(f"undefined (n={m.n_items})", 11) + 4 for _, m in rows]
    right = max(right, max([*undefined, 0.0]) - plot_w) + 10
    w = max(left + plot_w + right, _title_width(title))
    h = top + row_h * len(rows) + 36

    def x_of(v: float) -> float:
        return left + (max(lo, min(1.0, v)) - lo) / (1.0 - lo) * plot_w

    parts = _open(w, h, title)
    ticks = [lo + k * (1.0 - lo) / 4 for k in range(5)]
    bottom = top + row_h * len(rows)
    for t in ticks:
        x = x_of(t)
        parts.append(
            f"<line x1='{x:.1f}' y1='{top - 6}' x2='{x:.1f}' y2='{bottom}' stroke='#e5e7eb'/>"
            f"<text x='{x:.1f}' y='{bottom + 16}' font-size='10' text-anchor='middle' "
            f"fill='#555'>{t:g}</text>"
        )
    if lo < 0:
        parts.append(
            f"<line x1='{x_of(0):.1f}' y1='{top - 6}' x2='{x_of(0):.1f}' y2='{bottom}' "
            "stroke='#9ca3af' stroke-dasharray='3,3'/>"
        )
    for k, (name, m) in enumerate(rows):
        y = top + k * row_h + row_h / 2
        parts.append(
            f"<text x='{left - 10:.1f}' y='{y + 4}' font-size='{size}' text-anchor='end'>"
            f"{esc(name)}</text>"
        )
        if math.isnan(m.value):
            parts.append(
                f"<text x='{left + 4:.1f}' y='{y + 4}' font-size='11' fill='#888'>undefined "
                f"(n={m.n_items})</text>"
            )
            continue
        if not math.isnan(m.ci_low):
            lo_x, hi_x = x_of(m.ci_low), x_of(m.ci_high)
            parts.append(
                f"<line x1='{lo_x:.1f}' y1='{y}' x2='{hi_x:.1f}' y2='{y}' "
                "stroke='#334155' stroke-width='2'/>"
                f"<line x1='{lo_x:.1f}' y1='{y - 5}' x2='{lo_x:.1f}' y2='{y + 5}' "
                "stroke='#334155' stroke-width='2'/>"
                f"<line x1='{hi_x:.1f}' y1='{y - 5}' x2='{hi_x:.1f}' y2='{y + 5}' "
                "stroke='#334155' stroke-width='2'/>"
            )
        fill = color(m.value, lo)
        value, count = _value_label(m)
        parts.append(
            f"<circle cx='{x_of(m.value):.1f}' cy='{y}' r='6' fill='{fill}' stroke='#111'>"
            f"<title>{esc(name)}: {m.value:.3f} (n={m.n_items})</title></circle>"
            f"<text x='{left + plot_w + 8:.1f}' y='{y + 4}' font-size='11'>{value}"
            f"<tspan fill='#888'>{count}</tspan></text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def matrix(categories: Sequence[str], counts: Sequence[Sequence[int]], title: str) -> str:
    """Coincidence matrix: how often two annotators of one item gave category i and j."""
    size = 11
    biggest = max([c for row in counts for c in row] + [1])
    # wide enough for the count and, up to 96 px, for a level category name
    widest = max([text_width(c, size) for c in categories] + [0.0])
    cell = max(56.0, text_width(str(biggest), 12) + 12, min(widest + 10, 96.0))
    parts, left, top = _grid(categories, cell, size, title)
    for i in range(len(categories)):
        y = top + i * cell
        for j in range(len(categories)):
            v = counts[i][j]
            fill = color(v / biggest if i == j else -v / biggest)  # teal agrees, red does not
            x = left + j * cell
            parts.append(
                f"<rect x='{x:.1f}' y='{y:.1f}' width='{cell - 2:.1f}' height='{cell - 2:.1f}' "
                f"rx='3' fill='{fill}'/><text x='{x + cell / 2 - 1:.1f}' "
                f"y='{y + cell / 2 + 4:.1f}' font-size='12' text-anchor='middle' "
                f"fill='{_ink(fill)}'>{v}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
