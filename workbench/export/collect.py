"""Store → :class:`ReleaseData` (the only export module that reads the store's data tables).

What goes in: the dataset's current, valid, non-cancelled, non-deleted annotations; the live
(not retired) segments that have at least one of them; their consensus (decided or adjudicated
rows; undecided ones become empty labels and are left out as spans/relations); the latest
adjudication per (segment, field). Annotators appear only by pseudonym: emails and Label Studio
user ids are never selected.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import pandas as pd
import sqlalchemy as sa

from workbench.annotation import parser_key
from workbench.annotation.clean import canonical_json, clean_result
from workbench.export.model import COLUMNS, Columns, ReleaseData, frame
from workbench.export.model import frame_of as model_frame_of
from workbench.export.tables import AnnotationRow
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
    released,
)

KEPT = ("decided", "adjudicated")
UNKNOWN = "unknown"  # the annotator of an annotation whose annotator the store lacks


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


def _columns(model: Any, names: str | None = None) -> Any:
    """SELECT of the columns `names` (space-separated; default all) of `model`: rows, not ORM
    instances. Naming them skips the JSON columns a release does not use (votes, regions),
    whose decoding was a large share of an export at 10^6 consensus rows."""
    table = model.__table__
    cols = table.columns if names is None else [table.columns[n] for n in names.split()]
    return sa.select(*cols)


def _text(column: Any) -> Any:
    """A JSON column read as its stored text: decoded in bulk by `_json`, not per row by the
    driver's type processing (SQLite and PostgreSQL alike)."""
    return sa.cast(column, sa.Text).label(column.key)


def _json(texts: Sequence[str | None]) -> list[Any]:
    """Stored JSON texts → values (None stays None), one shared (read-only) value per
    distinct text: 10^6 spans hold a few hundred attribute maps."""
    seen: dict[str, Any] = {}
    loads = orjson.loads
    out: list[Any] = []
    for t in texts:
        if t is None:
            out.append(None)
            continue
        value = seen.get(t)
        if value is None:
            value = seen[t] = loads(t)
        out.append(value)
    return out


def _supports(texts: Sequence[str | None]) -> list[list[str]]:
    """Stored support lists (JSON texts) → sorted name lists, one shared list per distinct
    text: 10^6 rows hold a handful of annotator sets (read-only downstream)."""
    seen: dict[str | None, list[str]] = {}
    out = []
    for t in texts:
        names = seen.get(t)
        if names is None:
            names = seen[t] = sorted(orjson.loads(t) or []) if t is not None else []
        out.append(names)
    return out


def _execute(core: Any, statement: Any) -> Any:
    """A DB-API cursor that has run a Core SELECT (the driver's own cursor: at 10^6
    consensus rows, SQLAlchemy's result rows cost a second more per table than the database).
    Values are the driver's (SQLite booleans come back as 0/1; callers read them with `bool`)."""
    compiled = statement.compile(dialect=core.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args: Any = (
        tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
    )
    cursor = core.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), args)
    except BaseException:
        cursor.close()
        raise
    return cursor


def _fetch(core: Any, statement: Any) -> list[tuple[Any, ...]]:
    """All rows of a Core SELECT as plain tuples (see `_execute`)."""
    cursor = _execute(core, statement)
    try:
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _fetch_chunks(core: Any, statement: Any, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a Core SELECT, `size` at a time."""
    cursor = _execute(core, statement)
    try:
        while rows := cursor.fetchmany(size):
            yield list(rows)
    finally:
        cursor.close()


def _kept(
    core: Any,
    statement: Any,
    keep: set[str],
    width: int,
    shared: Container[int] = (),
    canon: dict[str, str] | None = None,
) -> list[list[Any]]:
    """Columns (`width` of them) of the rows of a Core SELECT whose first column is a kept
    segment id, read a chunk at a time. The text columns in `shared` hold one string per
    distinct value (`canon`, shared across reads): the driver makes a new one per row (a
    segment id, label or status repeated 10^6 times), and each chunk's rows are freed before
    the next is read, so the export's process grows by less (fresh pages are its time)."""
    cols: list[list[Any]] = [[] for _ in range(width)]
    same = (canon if canon is not None else {}).setdefault
    for rows in _fetch_chunks(core, statement, 1 << 15):
        kept = [r for r in rows if r[0] in keep]
        for k, values in enumerate(zip(*kept, strict=True)):
            cols[k] += [v if v is None else same(v, v) for v in values] if k in shared else values
    return cols


def _entry(entry_key: str | None) -> Any:
    """The stored entry where it was made under `entry_key` (the reader's parser), else NULL."""
    if entry_key is None:
        return sa.null()
    return sa.case((Annotation.entry_key == entry_key, Annotation.result_entry), else_=sa.null())


def _annotation_select(
    dataset: str, *columns: Any, live: bool = True, entry_key: str | None = None
) -> Any:
    """The SELECT of a release's annotations (their `columns`; by default what
    `_annotation_frame` reads). `live=False` leaves the segments' retirement to the caller."""
    by_annotator = not columns
    if by_annotator:
        columns = (
            Task.segment_id,
            Annotator.pseudonym,
            Annotation.ls_annotation_id,
            Annotation.lead_time,
            # the canonical text the store keeps (else the raw one, decoded and cleaned by
            # `tables`), and which of the two it is
            sa.func.coalesce(Annotation.result_clean, _text(Annotation.result)),
            Annotation.result_clean.is_not(None),
            _entry(entry_key),
        )
    query = (
        sa.select(*columns)
        .select_from(Annotation)
        .join(Task, Task.id == Annotation.task_id)
        .where(Annotation.dataset == dataset, *released())
    )
    if by_annotator:
        query = query.outerjoin(Annotator, Annotator.id == Annotation.annotator_id)
    if live:
        query = query.join(Segment, Segment.id == Task.segment_id).where(
            Segment.retired_at.is_(None)
        )
    return query


def _annotation_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    sid, pseudonym, ann_id, lead, result, canonical, entry = (
        [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(7)]
    )
    columns = {
        "segment_id": sid,
        "annotator": [p or UNKNOWN for p in pseudonym],
        "annotation_id": ann_id,
        "lead_time": lead,
        "result": result,
    }
    return model_frame_of("annotations", columns).assign(
        canonical=[bool(x) for x in canonical], entry=entry
    )


def _binary(column: Any, dialect: str) -> Any:
    """`column` compared byte by byte (code point order, as Arrow and Python sort strings):
    PostgreSQL's default collation is the locale's."""
    return sa.collate(column, "C") if dialect == "postgresql" else column


def annotation_chunks(
    store: Store,
    dataset: str,
    size: int = 8192,
    entry_key: str | None = None,
    row_ids: list[int] | None = None,
) -> Iterator[list[AnnotationRow]]:
    """`ReleaseData.annotations` alone, as rows in table order (segment, annotator,
    annotation id), `size` at a time: what the export's worker reads, on its own connection,
    while the export process reads the rest. Each row carries its stored release entry
    where that was made under `entry_key` (the export's parser), else None. The rows' ids in
    the store go to `row_ids` (`release_revisions` of exactly what was read)."""
    with store.session() as s:
        core = s.connection()
        dialect = core.dialect.name
        query = (
            _annotation_select(dataset, entry_key=entry_key)
            .add_columns(Annotation.id)
            .order_by(
                _binary(Task.segment_id, dialect),
                # the name the rows get below (`or`: NULL and empty alike)
                _binary(
                    sa.func.coalesce(sa.func.nullif(Annotator.pseudonym, ""), UNKNOWN), dialect
                ),
                sa.func.coalesce(Annotation.ls_annotation_id, 0),
            )
        )
        for rows in _fetch_chunks(core, query, size):
            if row_ids is not None:
                row_ids += [r[-1] for r in rows]
            yield [
                (sid, pseudonym or UNKNOWN, ann_id, lead, result, bool(canonical), made)
                for sid, pseudonym, ann_id, lead, result, canonical, made, _ in rows
            ]


def release_revisions(store: Store, dataset: str) -> tuple[list[int], list[str]]:
    """The row ids of a release's annotations (in no order) and their annotators'
    pseudonyms: what its agreement figures depend on. A revision's row is never rewritten
    (a change is a new row, or takes the old one out of the release), so the ids name the
    contents."""
    with store.session() as s:
        core = s.connection()
        query = _annotation_select(dataset, Annotation.id, Annotator.pseudonym).outerjoin(
            Annotator, Annotator.id == Annotation.annotator_id
        )
        rows = _fetch(core, query)
    return [r[0] for r in rows], [r[1] or UNKNOWN for r in rows]


def collect(
    store: Store,
    dataset: str,
    schema: Schema,
    *,
    annotations: bool = True,
    as_columns: bool = False,
) -> ReleaseData:
    """Read one dataset's release data from the store (as columns: at 10^5 segments a dict or
    ORM object per row was most of an export's time and memory). Without `annotations`,
    `ReleaseData.annotations` holds only their segment ids (one row per annotation): the
    export's worker reads the rest (`collect_annotations`). `as_columns`: the segment,
    label, span, relation and annotation frames as `Columns`, not pandas (the export's)."""
    frame_of = Columns if as_columns else model_frame_of
    controls = schema.controls
    with store.session() as s:
        ds = s.get(Dataset, dataset)
        if ds is None:
            raise ReleaseError(f"unknown dataset {dataset!r} (push it to Label Studio first)")

        core = s.connection()  # Core rows: the ORM session's result layer cost 20 % more
        dialect = core.dialect.name
        if annotations:
            annotation_frame = _annotation_frame(
                _fetch(core, _annotation_select(dataset, entry_key=parser_key(schema)))
            )
            a_sid = annotation_frame["segment_id"].tolist()
        else:
            # only segment ids (and no join with segments: their filter is applied below)
            query = _annotation_select(dataset, Task.segment_id, live=False)
            a_sid = [r[0] for r in _fetch(core, query)]
            annotation_frame = frame_of(
                "annotations",
                {**{c: [None] * len(a_sid) for c in COLUMNS["annotations"]}, "segment_id": a_sid},
            )
        keep_set = set(a_sid)

        # One scan each, filtered here: 200 chunked IN queries for 10^5 ids took seconds.
        seg = Segment.__table__.c
        segs = [
            r
            for r in _fetch(
                core,
                sa.select(seg.id, seg.article_id, seg.position, seg.start, seg.end, seg.text)
                .join(Task, Task.segment_id == seg.id)
                .where(Task.dataset == dataset, seg.retired_at.is_(None)),
            )
            if r[0] in keep_set
        ]
        segs.sort(key=lambda r: r[0])
        keep_set = {r[0] for r in segs}  # live segments with at least one annotation
        canon = {sid: sid for sid in keep_set}  # the segments' own id strings, and so on
        article_ids = {r[1] for r in segs}
        arts = sorted(
            (
                a
                for a in core.execute(
                    _columns(Article, "id title author outlet published source_path")
                )
                if a.id in article_ids
            ),
            key=lambda a: a.id,
        )
        groups = _groups(s)

        label = ConsensusLabel
        seg_labels = _kept(
            core,
            sa.select(
                label.segment_id,
                label.field,
                label.label,
                label.status,
                _text(label.support),
                label.confidence,
                label.n_annotators,
                label.method,
            ).where(
                label.dataset == dataset,
                sa.or_(label.span_key.is_(None), label.span_key == ""),
            ),
            keep_set,
            8,
            (0, 1, 2, 3, 4, 7),
            canon,
        )
        # Per-region attribute labels: only decided ones are used, and only these columns.
        region_rows = _kept(
            core,
            sa.select(label.segment_id, label.span_key, label.field, label.label).where(
                label.dataset == dataset,
                label.span_key.is_not(None),
                label.span_key != "",
                label.status.in_(KEPT),
                label.label.is_not(None),
            ),
            keep_set,
            4,
            (0, 1, 2, 3),
            canon,
        )
        span = ConsensusSpan
        span_cols = _kept(
            core,
            sa.select(
                span.segment_id,
                span.span_key,
                span.label,
                span.start,
                span.end,
                _text(span.attrs),
                _text(span.support),
                span.confidence,
                span.n_annotators,
                span.exact,
                span.status,
            )
            .where(span.dataset == dataset, span.status.in_(KEPT))
            # the spans table's order: sorted here, `tables` need not move 10^6 rows
            .order_by(
                _binary(span.segment_id, dialect),
                span.start,
                span.end,
                _binary(span.label, dialect),
                _binary(span.span_key, dialect),
            ),
            keep_set,
            11,
            (0, 1, 2, 5, 6, 10),
            canon,
        )
        rel = ConsensusRelation
        rel_cols = _kept(
            core,
            sa.select(
                rel.segment_id,
                rel.kind,
                rel.from_key,
                rel.to_key,
                _text(rel.support),
                rel.confidence,
            )
            .where(rel.dataset == dataset, rel.status.in_(KEPT))
            .order_by(
                _binary(rel.segment_id, dialect),
                _binary(rel.kind, dialect),
                _binary(rel.from_key, dialect),
                _binary(rel.to_key, dialect),
            ),
            keep_set,
            6,
            (0, 1, 2, 3, 4),
            canon,
        )
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

    field_name = {f: region_field(f) for f in set(region_rows[2])}
    region_labels: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for sid, key, f, value in zip(*region_rows, strict=True):
        region_labels[(sid, key)] = (*region_labels.get((sid, key), ()), (field_name[f], value))

    l_sid, l_field, l_label, l_status, l_support, l_conf, l_n, l_method = seg_labels
    decided = [st in KEPT for st in l_status]
    supports = _supports(l_support)
    labels = {
        "segment_id": l_sid,
        "field": l_field,
        "label": [lab if d else None for lab, d in zip(l_label, decided, strict=True)],
        "support": [sup if d else [] for sup, d in zip(supports, decided, strict=True)],
        "confidence": l_conf,
        "n_annotators": l_n,
        "method": l_method,
        "adjudicated": [st == "adjudicated" for st in l_status],
    }

    sp_sid, sp_key, sp_label, sp_start, sp_end, sp_attrs, sp_sup, sp_conf, sp_n, sp_exact, sp_st = (
        span_cols
    )
    # One (read-only) map per distinct stored text and region labels: a dict per span was
    # 85 MB at 10^6 spans.
    attrs = []
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for sid, key, text, stored in zip(sp_sid, sp_key, sp_attrs, _json(sp_attrs), strict=True):
        extra = region_labels.get((sid, key), ())
        value = merged.get((text, extra))
        if value is None:
            value = merged[(text, extra)] = {**(stored or {}), **dict(extra)}
        attrs.append(value)
    spans = {
        "segment_id": sp_sid,
        "span_id": sp_key,
        "label": sp_label,
        "start": sp_start,
        "end": sp_end,
        "attrs": attrs,
        "support": _supports(sp_sup),
        "confidence": sp_conf,
        "n_annotators": sp_n,
        "exact": [None if x is None else bool(x) for x in sp_exact],  # SQLite gives 0/1
        "adjudicated": [st == "adjudicated" for st in sp_st],
    }
    r_sid, r_kind, r_from, r_to, r_sup, r_conf = rel_cols
    relations = {
        "segment_id": r_sid,
        "kind": r_kind,
        "from_id": r_from,
        "to_id": r_to,
        "support": _supports(r_sup),
        "confidence": r_conf,
    }
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
        segments=frame_of(
            "segments",
            dict(
                zip(
                    COLUMNS["segments"],
                    [list(c) for c in zip(*segs, strict=True)] if segs else [[]] * 6,
                    strict=True,
                )
            ),
        ),
        labels=frame_of("labels", labels),
        spans=frame_of("spans", spans),
        relations=frame_of("relations", relations),
        annotations=annotation_frame,
        adjudications=frame("adjudications", adjudications),
        reconcile_info={
            "consensus method(s)": ", ".join(
                sorted({f"{m} (min support {ms})" for m, ms in methods})
            )
        }
        if methods
        else None,
    )
