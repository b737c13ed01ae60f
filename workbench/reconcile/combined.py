"""Agreement and consensus of one set of records, side by side on two cores.

The two are independent computations over the same records, and each is single-threaded
Python for the most part: with a second core, agreement runs in a forked child (which
inherits the records, so nothing big is copied) while the parent computes the consensus; only
the small `AgreementReport` travels back. The span index and its aligned clusters, which both
need, are built once before the fork. The result is exactly that of calling
`schema_agreement` and `reconcile_records` one after the other, which is also what happens
with one worker or where `fork` is unavailable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from workbench.background import beside
from workbench.schema import Schema

from ._bootstrap import DEFAULT_N_BOOT
from .agreement import AgreementReport, schema_agreement
from .engine import Method, SegmentConsensus, reconcile_records
from .extract import Records
from .spanindex import SpanIndex
from .spans import DEFAULT_THRESHOLD


def agreement_and_consensus(
    schema: Schema,
    records: Records,
    texts: Mapping[str, str],
    *,
    source: str,
    method: Method = "vote",
    min_support: int | float = 0.5,
    threshold: float = DEFAULT_THRESHOLD,
    decisions: Mapping[str, Sequence[Any]] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    workers: int | None = None,
) -> tuple[AgreementReport, dict[str, SegmentConsensus]]:
    """`schema_agreement` and `reconcile_records` of `records`, in parallel when `workers`
    (default: the CPU count) is 2 or more. Call it from a single-threaded program: a fork
    copies only the calling thread."""
    # The span index and its clusters serve both sides: built once, before the fork.
    index = SpanIndex(records.spans, records.coverage, threshold)
    _ = index.cluster_item_rank  # computes and caches the clusters, medoids, ids and names
    shared = index if threshold == DEFAULT_THRESHOLD else None  # agreement's own threshold
    agreement = beside(
        partial(schema_agreement, source=source, n_boot=n_boot, seed=seed, index=shared),
        schema,
        records,
        texts,
        workers=workers,
    )
    try:
        consensus = reconcile_records(
            schema,
            records,
            texts,
            method=method,
            min_support=min_support,
            threshold=threshold,
            decisions=decisions,
            index=index,
        )
    except BaseException:
        agreement.cancel()
        raise
    return agreement.result(), consensus
