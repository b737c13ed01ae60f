"""Label Studio results → reconciliation records (pure: no DB, no network).

One annotation ``result`` (the format documented in `workbench.schema`) becomes:

* a `Label` per segment-level choice (field = the choice's name, e.g. ``sentiment``);
* a `Span` per region, its per-region choices in `attrs` keyed by attribute name;
* a `Relation` per relation, always from → to in the schema's direction (``left`` is flipped).

Per-region attributes are compared on *aligned* spans: `attribute_labels` turns the spans'
attrs into `Label`s whose item is ``<segment>/<consensus span id>`` and field
``<Label>.<attribute>`` (``Source.source_type``), so the categorical metrics and the consensus
methods work on them unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from workbench.reconcile.extract import attribute_field
from workbench.reconcile.records import Label, Span
from workbench.reconcile.spanindex import ITEM_SEP
from workbench.schema import Schema

from .consensus_v1 import ConsensusSpan, span_consensus
from .spans_v1 import DEFAULT_THRESHOLD

#: Separates the segment id from the consensus span id in per-region attribute items.


def aligned_clusters(
    spans: Iterable[Span],
    coverage: Iterable[tuple[str, str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[ConsensusSpan]:
    """Every aligned span cluster (support ≥ 1), with its stable id ``label@start:end``."""
    return span_consensus(spans, (), min_support=1, threshold=threshold, coverage=coverage).spans


def attribute_labels(
    schema: Schema, clusters: Iterable[ConsensusSpan], spans: Iterable[Span]
) -> list[Label]:
    """Per-region attribute values as `Label`s on aligned spans (item ``<segment>/<span id>``).

    Only attributes the schema defines for the cluster's label are kept.
    """
    by_region: Mapping[tuple[str, str, str], Span] = {
        (s.item, s.annotator, s.region_id): s for s in spans
    }
    known = {lab.name: {a.name for a in lab.attributes} for lab in schema.labels}
    out: list[Label] = []
    for cluster in clusters:
        item = f"{cluster.item}{ITEM_SEP}{cluster.id}"
        for annotator, region in cluster.regions:
            span = by_region[(cluster.item, annotator, region)]
            for name, value in span.attrs.items():
                if name in known.get(cluster.label, ()):
                    out.append(Label(item, annotator, attribute_field(cluster.label, name), value))
    return out
