"""A release's agreement figures, stored: computed once by reconcile (seconds of bootstrap
at 10^5 segments) and reused by an export whose annotations are the very ones they were
computed from; any other export computes them itself.

The fingerprint covers everything the figures depend on: the released annotation revisions
(`collect.release_revisions`) and who made them (pseudonyms), the parser and the schema's
segment fields, and the figures' own parameters and format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
from sqlalchemy.orm import Session

from workbench import __version__
from workbench.annotation import parser_key
from workbench.export import summary
from workbench.export.collect import annotation_chunks, release_revisions
from workbench.export.tables import ordered_annotation_part
from workbench.schema import Schema
from workbench.store import Store
from workbench.store.models import AgreementFigures, utcnow

#: Bump when `summary.parsed_agreement` changes what it computes from the same annotations.
FORMAT = 1


def fingerprint(row_ids: Sequence[int], annotators: Sequence[str], schema: Schema) -> str:
    """What the figures of these annotations (store row ids, with each one's annotator, in
    any order) depend on, hashed (pure)."""
    basis = {
        "format": FORMAT,
        "workbench": __version__,
        "n_boot": summary.N_BOOT,
        "seed": summary.SEED,
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


def stored(store: Store, dataset: str, fingerprint: str) -> dict[str, Any] | None:
    """The stored figures of `dataset` if they were computed from `fingerprint`."""
    with store.session() as s:
        row = s.get(AgreementFigures, dataset)
        return dict(row.figures) if row is not None and row.fingerprint == fingerprint else None


def compute(store: Store, dataset: str, schema: Schema) -> tuple[str, dict[str, Any]]:
    """(fingerprint, figures) of the dataset's released annotations: the stored figures if
    current, else computed from the annotations (read and parsed as an export does)."""
    current = fingerprint(*release_revisions(store, dataset), schema)
    figures = stored(store, dataset, current)
    if figures is not None:
        return current, figures
    ids: list[int] = []
    rows = annotation_chunks(store, dataset, entry_key=parser_key(schema), row_ids=ids)
    parsed = ordered_annotation_part(rows, schema).parsed
    assert parsed is not None
    figures = summary.parsed_agreement(parsed, schema)
    return fingerprint(ids, parsed.annotator, schema), figures  # of what was read


def save(session: Session, dataset: str, fingerprint: str, figures: dict[str, Any]) -> None:
    """Store the figures in `session` (reconcile's transaction: consensus and figures are
    committed together or not at all)."""
    row = session.get(AgreementFigures, dataset)
    if row is None:
        session.add(AgreementFigures(dataset=dataset, fingerprint=fingerprint, figures=figures))
    elif row.fingerprint != fingerprint:
        row.fingerprint, row.figures, row.computed_at = fingerprint, figures, utcnow()
