"""Reconciliation: agreement metrics and consensus (pure: no DB, no I/O, inputs sorted
canonically and bootstraps seeded, so results never depend on record order), and around them
the store's reconcile, adjudication and reports."""

from .categorical import (
    CategoricalAgreement,
    categorical_agreement,
    krippendorff_alpha,
    percent_agreement,
)
from .consensus import ItemConsensus, dawid_skene, majority_vote
from .fleiss import fleiss_kappa, fleiss_kappa_from_counts, fleiss_raters
from .pairwise import cohen_kappa_pairwise, percent_agreement_pairwise
from .records import CategoricalData, Label, Metric, Relation, Span, categorical_data, jaccard
from .spanindex import SpanIndex
from .spans import pairwise_f1, pooled_f1, token_alpha
from .triples import pairwise_triple_f1, pooled_triple_f1, triple_counts, triple_spans

__all__ = [
    "CategoricalAgreement",
    "CategoricalData",
    "ItemConsensus",
    "Label",
    "Metric",
    "Relation",
    "Span",
    "SpanIndex",
    "categorical_agreement",
    "categorical_data",
    "cohen_kappa_pairwise",
    "dawid_skene",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "fleiss_raters",
    "jaccard",
    "krippendorff_alpha",
    "majority_vote",
    "pairwise_f1",
    "pairwise_triple_f1",
    "percent_agreement",
    "percent_agreement_pairwise",
    "pooled_f1",
    "pooled_triple_f1",
    "token_alpha",
    "triple_counts",
    "triple_spans",
]
