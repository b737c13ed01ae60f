"""Span layers written as records, turned into what reconcile reads: the stored entries of
their annotations (one per item and annotator), parsed (`parse_entries`), and from those the
span index, the triples' F1 and the consensus rows."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from workbench.reconcile import Relation, Span, SpanIndex, pairwise_triple_f1, triple_counts
from workbench.reconcile.engine import SegmentConsensus, reconcile_records
from workbench.reconcile.extract import (
    ParsedAnnotations,
    parse_entries,
    relation_records,
    span_index,
)
from workbench.reconcile.spans import PairF1
from workbench.schema import load_schema

SCHEMA = load_schema(Path(__file__).parents[2] / "schemas" / "news-v1.yaml")


def parsed_of(
    spans: Iterable[Span],
    relations: Iterable[Relation] = (),
    coverage: Iterable[tuple[str, str]] = (),
) -> ParsedAnnotations:
    """The annotations of `spans` and `relations`, and an empty one per (item, annotator) of
    `coverage` that drew nothing."""
    entries: dict[tuple[str, str], dict[str, list[Any]]] = {}

    def entry(item: str, who: str) -> dict[str, list[Any]]:
        return entries.setdefault((item, who), {"spans": [], "relations": []})

    for item, who in coverage:
        entry(item, who)
    for s in spans:
        entry(s.item, s.annotator)["spans"].append(
            {
                "label": s.label,
                "start": s.start,
                "end": s.end,
                "region_id": s.region_id,
                "attributes": dict(s.attrs),
            }
        )
    for r in relations:
        entry(r.item, r.annotator)["relations"].append(
            {"kind": r.kind, "from_id": r.from_region, "to_id": r.to_region}
        )
    keys = list(entries)
    return parse_entries(
        SCHEMA, [i for i, _ in keys], [a for _, a in keys], [entries[k] for k in keys]
    )


def index_of(
    spans: Iterable[Span], coverage: Iterable[tuple[str, str]] = (), threshold: float = 0.5
) -> SpanIndex:
    return span_index(parsed_of(spans, (), coverage), threshold)[0]


def triple_f1(
    spans: Iterable[Span],
    relations: Iterable[Relation],
    coverage: Iterable[tuple[str, str]] = (),
    threshold: float = 0.5,
    n_boot: int = 0,
) -> list[PairF1]:
    parsed = parsed_of(spans, relations, coverage)
    index = span_index(parsed, threshold)[0]
    counts = triple_counts(index, relation_records(parsed))
    return pairwise_triple_f1(index, counts, n_boot=n_boot)


def consensus(
    spans: Iterable[Span],
    relations: Iterable[Relation] = (),
    coverage: Iterable[tuple[str, str]] = (),
    *,
    min_support: int | float = 0.5,
    threshold: float = 0.5,
) -> dict[str, SegmentConsensus]:
    """Reconcile's consensus rows of the layer, per item."""
    parsed = parsed_of(spans, relations, coverage)
    rows = reconcile_records(SCHEMA, parsed, {}, min_support=min_support, threshold=threshold)
    return rows.records()
