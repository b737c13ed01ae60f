"""Store → :class:`ReleaseData` (the only export module that reads the store's data tables).

What goes in: the dataset's current, valid, non-cancelled, non-deleted annotations; the live
(not retired) segments that have at least one of them; their consensus (decided or adjudicated
rows; undecided ones become empty labels and are left out as spans/relations); the latest
adjudication per (segment, field). Annotators appear only by pseudonym: emails and Label Studio
user ids are never selected.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

from workbench.export.model import ReleaseData, frame
from workbench.export.tables import canonical_json, clean_result
from workbench.export.write import ReleaseError
from workbench.schema import Schema
from workbench.store import Store
from workbench.store.models import (
    Adjudication,
    AdjudicationProject,
    Annotation,
    Annotator,
    Article,
    ConsensusLabel,
    ConsensusRelation,
    ConsensusSpan,
    Dataset,
    ReconcileState,
    Segment,
    Task,
)

KEPT = ("decided", "adjudicated")


def public_url(url: str | None) -> str | None:
    """The URL without user, password, query or fragment (tokens hide in all of those)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def _groups(session: Any) -> dict[str, str]:
    """article id → its first revision's id (revisions of one article share a split)."""
    prev = dict(session.execute(sa.select(Article.id, Article.previous_id)).all())
    out: dict[str, str] = {}
    for aid in prev:
        root, seen = aid, {aid}
        while prev.get(root) and prev[root] not in seen:
            root = prev[root]
            seen.add(root)
        out[aid] = root
    return out


def _adjudicator(
    pseudonym_of: dict[tuple[str, int], str], url: str | None, user_id: int | None
) -> str:
    """The adjudicator's annotator pseudonym, or a generic name: never their id or email."""
    if url is None or user_id is None:
        return "adjudicator"
    return pseudonym_of.get((url, user_id), "adjudicator")


_IDS_PER_QUERY = 500  # SQLite refuses statements with more than 32,766 parameters


def _columns(model: Any, names: str | None = None) -> Any:
    """SELECT of the columns `names` (space-separated; default all) of `model`: rows, not ORM
    instances. Naming them skips the JSON columns a release does not use (votes, regions),
    whose decoding was a large share of an export at 10^6 consensus rows."""
    table = model.__table__
    cols = table.columns if names is None else [table.columns[n] for n in names.split()]
    return sa.select(*cols)


def _by_ids(session: Any, model: Any, column: Any, ids: list[str]) -> list[Any]:
    """The rows of `model` whose `column` is in `ids`, in chunks of bound parameters."""
    out: list[Any] = []
    for i in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[i : i + _IDS_PER_QUERY]
        out.extend(session.execute(_columns(model).where(column.in_(chunk))))
    return out


def collect(store: Store, dataset: str, schema: Schema) -> ReleaseData:
    """Read one dataset's release data from the store."""
    controls = schema.controls
    with store.session() as s:
        ds = s.get(Dataset, dataset)
        if ds is None:
            raise ReleaseError(f"unknown dataset {dataset!r} (push it to Label Studio first)")

        ann_rows = s.execute(
            sa.select(
                Task.segment_id,
                Annotator.pseudonym,
                Annotation.ls_annotation_id,
                Annotation.lead_time,
                Annotation.result,
            )
            .join(Task, Task.id == Annotation.task_id)
            .join(Segment, Segment.id == Task.segment_id)
            .outerjoin(Annotator, Annotator.id == Annotation.annotator_id)
            .where(
                Annotation.dataset == dataset,
                Annotation.is_current.is_(True),
                Annotation.deleted_at.is_(None),
                Annotation.status == "valid",
                Annotation.was_cancelled.is_(False),
                Segment.retired_at.is_(None),
            )
        ).all()
        keep = sorted({r[0] for r in ann_rows})
        annotations = [
            {
                "segment_id": sid,
                "annotator": pseudonym or "unknown",
                "annotation_id": ls_id,
                "lead_time": lead,
                "result": result,  # cleaned once, by `tables.build_tables`
            }
            for sid, pseudonym, ls_id, lead, result in ann_rows
        ]

        # rows as plain column tuples (attribute access by column name), not ORM objects:
        # ~10x less time and memory at 10^6 consensus rows
        segs = _by_ids(s, Segment, Segment.id, keep)
        article_ids = sorted({seg.article_id for seg in segs})
        arts = _by_ids(s, Article, Article.id, article_ids)
        groups = _groups(s)

        keep_set = set(keep)
        label_rows = [
            r
            for r in s.execute(
                _columns(
                    ConsensusLabel,
                    "segment_id field span_key label status support confidence n_annotators method",
                ).where(ConsensusLabel.dataset == dataset)
            )
            if r.segment_id in keep_set
        ]
        span_rows = [
            r
            for r in s.execute(
                _columns(
                    ConsensusSpan,
                    "segment_id span_key label start end attrs support confidence n_annotators"
                    " exact status",
                ).where(ConsensusSpan.dataset == dataset, ConsensusSpan.status.in_(KEPT))
            )
            if r.segment_id in keep_set
        ]
        rel_rows = [
            r
            for r in s.execute(
                _columns(
                    ConsensusRelation, "segment_id kind from_key to_key support confidence"
                ).where(ConsensusRelation.dataset == dataset, ConsensusRelation.status.in_(KEPT))
            )
            if r.segment_id in keep_set
        ]
        adj_rows = [
            r
            for r in s.execute(
                _columns(Adjudication)
                .where(Adjudication.dataset == dataset)
                .order_by(Adjudication.decided_at, Adjudication.id)
            )
            if r.segment_id in keep_set
        ]
        adj_project = s.get(AdjudicationProject, dataset)
        # Adjudicators are named by their annotator pseudonym when they also annotated; the
        # email / user id columns of `adjudications` are never read into a release.
        pseudonym_of = {
            (url, uid): p
            for url, uid, p in s.execute(
                sa.select(Annotator.label_studio_url, Annotator.ls_user_id, Annotator.pseudonym)
            ).all()
        }
        methods = s.execute(
            sa.select(ReconcileState.method, ReconcileState.min_support)
            .where(ReconcileState.dataset == dataset)
            .distinct()
        ).all()
        url, project_id = ds.label_studio_url, ds.project_id

    def region_field(field: str) -> str:
        # reconcile names a span attribute `Label.attribute`; accept the control name too.
        if "." in field:
            return field.partition(".")[2]
        attr = controls.get(field)
        return attr.name if attr is not None and attr.per_region else field

    region_labels: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    labels: list[dict[str, Any]] = []
    for lr in label_rows:
        decided = lr.status in KEPT
        if lr.span_key:
            if decided and lr.label is not None:
                region_labels[(lr.segment_id, lr.span_key)][region_field(lr.field)] = lr.label
            continue
        labels.append(
            {
                "segment_id": lr.segment_id,
                "field": lr.field,
                "label": lr.label if decided else None,
                "support": sorted(lr.support or []) if decided else [],
                "confidence": lr.confidence,
                "n_annotators": lr.n_annotators,
                "method": lr.method,
                "adjudicated": lr.status == "adjudicated",
            }
        )

    spans = [
        {
            "segment_id": r.segment_id,
            "span_id": r.span_key,
            "label": r.label,
            "start": r.start,
            "end": r.end,
            "attrs": {**(r.attrs or {}), **region_labels.get((r.segment_id, r.span_key), {})},
            "support": sorted(r.support or []),
            "confidence": r.confidence,
            "n_annotators": r.n_annotators,
            "exact": r.exact,
            "adjudicated": r.status == "adjudicated",
        }
        for r in span_rows
    ]
    relations = [
        {
            "segment_id": r.segment_id,
            "kind": r.kind,
            "from_id": r.from_key,
            "to_id": r.to_key,
            "support": sorted(r.support or []),
            "confidence": r.confidence,
        }
        for r in rel_rows
    ]
    latest: dict[tuple[str, str], Any] = {}
    for r in adj_rows:  # ordered by decision time: the last one is in force
        latest[(r.segment_id, r.field)] = r
    adj_url = adj_project.label_studio_url if adj_project is not None else url
    adjudications = [
        {
            "segment_id": r.segment_id,
            "target": r.field,
            "kind": "segment" if r.field == "*" else "field",
            "decision": canonical_json(clean_result(r.decision)),
            "adjudicator": _adjudicator(pseudonym_of, adj_url, r.adjudicator_ls_user_id),
            "note": None,
        }
        for r in latest.values()
    ]

    return ReleaseData(
        dataset=dataset,
        schema=schema,
        label_studio_url=public_url(url),
        project_id=project_id,
        articles=frame(
            "articles",
            [
                {
                    "article_id": a.id,
                    "split_group": groups.get(a.id, a.id),
                    "title": a.title,
                    "author": a.author,
                    "outlet": a.outlet,
                    "published": a.published,
                    "source_path": a.source_path,
                }
                for a in arts
            ],
        ),
        segments=frame(
            "segments",
            [
                {
                    "segment_id": seg.id,
                    "article_id": seg.article_id,
                    "position": seg.position,
                    "start": seg.start,
                    "end": seg.end,
                    "text": seg.text,
                }
                for seg in segs
            ],
        ),
        labels=frame("labels", labels),
        spans=frame("spans", spans),
        relations=frame("relations", relations),
        annotations=frame("annotations", annotations),
        adjudications=frame("adjudications", adjudications),
        reconcile_info={
            "consensus method(s)": ", ".join(
                sorted({f"{m} (min support {ms})" for m, ms in methods})
            )
        }
        if methods
        else None,
    )
