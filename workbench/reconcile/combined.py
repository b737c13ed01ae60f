"""Agreement and consensus of one set of records, side by side on two cores.

The two are independent computations over the same records, and each is single-threaded
Python for the most part: with a second core, agreement runs in a forked child (which
inherits the records, so nothing big is copied) while the parent computes the consensus; only
the small `AgreementReport` travels back. The result is exactly that of calling
`schema_agreement` and `reconcile_records` one after the other, which is also what happens
with one worker or where `fork` is unavailable.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from typing import Any

from workbench.schema import Schema

from ._bootstrap import DEFAULT_N_BOOT
from .agreement import AgreementReport, schema_agreement
from .engine import Method, SegmentConsensus, reconcile_records
from .extract import Records
from .spans import DEFAULT_THRESHOLD


def _agreement_child(
    conn: Connection,
    schema: Schema,
    records: Records,
    texts: Mapping[str, str],
    source: str,
    n_boot: int,
    seed: int,
) -> None:
    try:
        conn.send(schema_agreement(schema, records, texts, source=source, n_boot=n_boot, seed=seed))
    except BaseException as exc:  # the parent re-raises it
        conn.send(exc)
    finally:
        conn.close()


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
    consensus_kw: dict[str, Any] = {
        "method": method,
        "min_support": min_support,
        "threshold": threshold,
        "decisions": decisions,
    }
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 2 or "fork" not in mp.get_all_start_methods():
        alone = schema_agreement(schema, records, texts, source=source, n_boot=n_boot, seed=seed)
        return alone, reconcile_records(schema, records, texts, **consensus_kw)
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_agreement_child,
        args=(send, schema, records, texts, source, n_boot, seed),
        daemon=True,
    )
    child.start()
    send.close()
    try:
        consensus = reconcile_records(schema, records, texts, **consensus_kw)
        try:
            answer = receive.recv()
        except EOFError:
            raise RuntimeError(
                f"the agreement worker (pid {child.pid}) died without an answer"
            ) from None
    except BaseException:
        child.terminate()  # nobody will read its answer
        raise
    finally:
        receive.close()
        child.join()
    if isinstance(answer, BaseException):
        raise answer
    report: AgreementReport = answer
    return report, consensus
