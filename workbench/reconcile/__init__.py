"""Reconciliation core: agreement metrics and consensus, pure logic (no DB, no I/O).

Every function sorts its input into a canonical order first, so results never depend on the
order of the records; bootstrap intervals use a seeded generator, so they are reproducible.
"""

from .categorical import (
    CategoricalAgreement,
    alpha_per_category,
    categorical_agreement,
    krippendorff_alpha,
    percent_agreement,
)
from .consensus import (
    AlignedRelation,
    AlignedSpan,
    DawidSkeneResult,
    ItemConsensus,
    SpanConsensus,
    dawid_skene,
    majority_vote,
    span_consensus,
)
from .fleiss import (
    fleiss_kappa,
    fleiss_kappa_from_counts,
    fleiss_kappa_per_category,
    fleiss_kappa_per_category_from_counts,
    fleiss_raters,
)
from .gwet import ChanceCorrected, chance_corrected, fleiss_kappa_unequal, gwet_ac1
from .pairwise import PairwiseMetrics, cohen_kappa_pairwise, percent_agreement_pairwise
from .records import CategoricalData, Label, Metric, Relation, Span, categorical_data, jaccard
from .spans import PairF1, SpanCluster, align_spans, span_f1_pairwise, spans_match, token_alpha
from .triples import Triple, attribution_triples, triple_f1_pairwise

__all__ = [
    "AlignedRelation",
    "AlignedSpan",
    "CategoricalAgreement",
    "CategoricalData",
    "ChanceCorrected",
    "DawidSkeneResult",
    "ItemConsensus",
    "Label",
    "Metric",
    "PairF1",
    "PairwiseMetrics",
    "Relation",
    "Span",
    "SpanCluster",
    "SpanConsensus",
    "Triple",
    "align_spans",
    "alpha_per_category",
    "attribution_triples",
    "categorical_agreement",
    "categorical_data",
    "chance_corrected",
    "cohen_kappa_pairwise",
    "dawid_skene",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "fleiss_kappa_per_category",
    "fleiss_kappa_per_category_from_counts",
    "fleiss_kappa_unequal",
    "fleiss_raters",
    "gwet_ac1",
    "jaccard",
    "krippendorff_alpha",
    "majority_vote",
    "percent_agreement",
    "percent_agreement_pairwise",
    "span_consensus",
    "span_f1_pairwise",
    "spans_match",
    "token_alpha",
    "triple_f1_pairwise",
]
