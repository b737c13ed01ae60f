"""Agreement on every layer of a schema, from records (pure).

Layers: segment-level choices and per-region attributes (categorical: Krippendorff's alpha —
ordinal too where the schema says ``ordered``, on the on-scale values only —, Fleiss' kappa,
pairwise Cohen's kappa, percent agreement, per-label one-vs-rest alpha), spans (pairwise and
pooled F1, exact and overlap, per label; token-level alpha) and attribution triples (pairwise
and pooled F1). Every figure is a `Metric`: value, n_items and a bootstrap interval.

`to_dict` names the figures plainly for ``--json`` (``krippendorff_alpha``, ``fleiss_kappa``,
``cohen_kappa``, ``percent_agreement``) and turns NaN (undefined) into null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.reconcile._bootstrap import DEFAULT_N_BOOT
from workbench.reconcile.agreement import (
    AgreementReport,
    FieldAgreement,
    SpanAgreement,
    TripleAgreement,
    field_agreement,
)
from workbench.reconcile.extract import Records, attribute_field
from workbench.reconcile.overlap import overlap_of
from workbench.schema import Schema

from .extract_v1 import aligned_clusters, attribute_labels
from .pooled_v1 import span_f1_pooled, triple_f1_pooled
from .spans_v1 import span_f1_pairwise, token_alpha, triple_f1_pairwise


def schema_agreement(
    schema: Schema,
    records: Records,
    texts: Mapping[str, str],
    *,
    source: str,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
) -> AgreementReport:
    """Agreement on every layer of `schema` (layers nobody used are left out)."""
    fields: list[FieldAgreement] = []
    for attr in schema.segment:
        if any(lab.field == attr.name for lab in records.labels):
            fields.append(
                field_agreement(
                    "segment", records.labels, attr.name, attr, n_boot=n_boot, seed=seed
                )
            )
    clusters = aligned_clusters(records.spans, records.coverage)
    attr_labels = attribute_labels(schema, clusters, records.spans)
    for attr in schema.region_attributes:
        assert attr.label is not None
        name = attribute_field(attr.label, attr.name)
        if any(lab.field == name for lab in attr_labels):
            fields.append(
                field_agreement("attribute", attr_labels, name, attr, n_boot=n_boot, seed=seed)
            )
    spans = triples = None
    if records.spans:
        kw: dict[str, Any] = {"coverage": records.coverage, "n_boot": n_boot, "seed": seed}
        spans = SpanAgreement(
            labels=tuple(sorted({s.label for s in records.spans})),
            pooled_exact=span_f1_pooled(records.spans, match="exact", **kw),
            pooled_overlap=span_f1_pooled(records.spans, match="overlap", **kw),
            token_alpha=token_alpha(records.spans, texts, **kw),
            pairwise_exact=tuple(span_f1_pairwise(records.spans, match="exact", **kw)),
            pairwise_overlap=tuple(span_f1_pairwise(records.spans, match="overlap", **kw)),
        )
        if records.relations:
            triples = TripleAgreement(
                pooled=triple_f1_pooled(records.spans, records.relations, **kw),
                pairwise=tuple(triple_f1_pairwise(records.spans, records.relations, **kw)),
            )
    # the header counts the items annotated by >= 2 annotators (what the figures use)
    overlap = overlap_of(records.coverage)
    assert overlap.items == len({i for i, _ in records.coverage})
    return AgreementReport(
        source=source,
        annotators=tuple(sorted({a for _, a in records.coverage})),
        n_items=overlap.shared,
        fields=tuple(fields),
        spans=spans,
        triples=triples,
        overlap=overlap,
    )


# --------------------------------------------------------------------------- JSON
