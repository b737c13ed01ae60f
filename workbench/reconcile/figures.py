"""A release's agreement figures: α, κ and percent agreement of the segment labels, pairwise
span F1, with seeded bootstrap intervals. Reconcile computes them from the annotations it
parses and stores them (`AgreementFigures`); an export reuses them while their fingerprint
(the released annotation revisions, their annotators, the parser and these parameters) is
that of the annotations it reads, and otherwise calls `parsed_agreement` itself.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import orjson
from sqlalchemy.orm import Session

from workbench import __version__
from workbench.annotation import parser_key
from workbench.annotation.clean import canonical_json
from workbench.schema import Schema
from workbench.store.models import AgreementFigures, utcnow

from .categorical import krippendorff_alpha, percent_agreement
from .extract import ParsedAnnotations, field_data, span_index
from .fleiss import fleiss_kappa
from .records import Metric
from .spanindex import SpanIndex
from .spans import DEFAULT_THRESHOLD, pairwise_f1

N_BOOT = 1000
SEED = 0
#: Bump when `parsed_agreement` changes what it computes from the same annotations.
FORMAT = 1


def segment_fields(schema: Schema) -> list[str]:
    """The segment questions with a column and a consensus: the categorical ones. Free text,
    numbers and dates are in each annotator's entry of segments.jsonl, not aggregated."""
    return [attr.name for attr in schema.segment if attr.categorical]


def label_text(value: Any) -> str | None:
    """An annotator's answer as its column holds it: several choices as their sorted JSON
    text (as the consensus column has them), a rating as text."""
    if isinstance(value, list):
        return canonical_json(sorted(value))
    return value if value is None or isinstance(value, str) else str(value)


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 4)


def metric_dict(m: Metric) -> dict[str, Any]:
    return {
        "value": _num(m.value),
        "ci_low": _num(m.ci_low),
        "ci_high": _num(m.ci_high),
        "n_items": m.n_items,
    }


def parsed_agreement(
    parsed: ParsedAnnotations, schema: Schema, index: SpanIndex | None = None
) -> dict[str, Any]:
    """The figures of the annotations, with 95 % bootstrap intervals (JSON-ready). `index`:
    their span index (`extract.span_index` of `parsed`, first labels only), when built
    already."""
    out: dict[str, Any] = {"segment": {}, "spans": {}}
    segment = field_data(schema, parsed)  # several choices: per-value figures in `agreement`
    for attr in schema.segment:
        if attr.name not in segment:
            continue
        data = segment[attr.name]
        ag = {
            name: metric(data, n_boot=N_BOOT, seed=SEED)
            for name, metric in (
                ("krippendorff_alpha", krippendorff_alpha),
                ("fleiss_kappa", fleiss_kappa),
                ("percent_agreement", percent_agreement),
            )
        }
        out["segment"][attr.name] = {k: metric_dict(v) for k, v in ag.items()}
        out["segment"][attr.name]["n_annotators"] = len(data.annotators)
    # Pairwise span F1 (overlap match), over the segments both annotators of a pair labelled.
    if parsed.span_of:
        index = index or span_index(parsed, DEFAULT_THRESHOLD, first_labels=True)[0]
        by_label: dict[str, list[dict[str, Any]]] = {}
        for p in pairwise_f1(index, "overlap", n_boot=N_BOOT, seed=SEED):
            by_label.setdefault(p.label or "(all labels)", []).append(
                {"pair": [p.annotator_a, p.annotator_b], "f1": metric_dict(p.f1)}
            )
        for key, rows in sorted(by_label.items()):
            values = [r["f1"]["value"] for r in rows if r["f1"]["value"] is not None]
            out["spans"][key] = {
                "mean_pairwise_f1": round(sum(values) / len(values), 4) if values else None,
                "pairs": rows,
            }
    return out


def headline_agreement(figures: Mapping[str, Any]) -> dict[str, float | None]:
    """The headline of the figures: α per segment field, mean span F1."""
    headline: dict[str, float | None] = {
        f"alpha[{f}]": ag["krippendorff_alpha"]["value"]
        for f, ag in figures.get("segment", {}).items()
    }
    spans = figures.get("spans", {}).get("(all labels)")
    if spans:
        headline["span_f1"] = spans["mean_pairwise_f1"]
    return headline


def headline_text(headline: Mapping[str, float | None]) -> str:
    """``alpha[sentiment] 0.62, span_f1 0.71`` (`headline_agreement`, for a terminal)."""
    return ", ".join(f"{k} {'-' if v is None else f'{v:.2f}'}" for k, v in headline.items())


def fingerprint(row_ids: Sequence[int], annotators: Sequence[str], schema: Schema) -> str:
    """What the figures of these annotations (store row ids, with each one's annotator, in
    any order) depend on, hashed."""
    basis = {
        "format": FORMAT,
        "workbench": __version__,
        "n_boot": N_BOOT,
        "seed": SEED,
        "parser": parser_key(schema),
        "segment": [[a.name, list(a.values)] for a in schema.segment],
    }
    if len(row_ids) != len(annotators):
        raise ValueError(f"{len(row_ids)} annotation ids for {len(annotators)} annotators")
    ids = np.asarray(row_ids, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    h = hashlib.sha256(orjson.dumps(basis))
    h.update(ids[order].tobytes())
    h.update("\0".join([annotators[i] for i in order.tolist()]).encode())
    return h.hexdigest()


def stored(session: Session, dataset: str, fingerprint: str) -> dict[str, Any] | None:
    """The stored figures of `dataset` if they were computed from `fingerprint`."""
    row = session.get(AgreementFigures, dataset)
    return dict(row.figures) if row is not None and row.fingerprint == fingerprint else None


def save(session: Session, dataset: str, fingerprint: str, figures: dict[str, Any]) -> None:
    """Store the figures in `session` (reconcile's transaction: consensus and figures are
    committed together or not at all)."""
    row = session.get(AgreementFigures, dataset)
    if row is None:
        session.add(AgreementFigures(dataset=dataset, fingerprint=fingerprint, figures=figures))
    elif row.fingerprint != fingerprint:
        row.fingerprint, row.figures, row.computed_at = fingerprint, figures, utcnow()
