"""Store → :class:`ReleaseData`: the only export module that reads the store's data tables.

What goes in: the dataset's released annotations (current, valid, not cancelled, not deleted)
of live (not retired) segments, those segments, their articles, their consensus (decided or
adjudicated rows; an undecided segment label is an empty label) and the latest adjudication
per (segment, field). Annotators appear only by pseudonym. Rows are read through the
driver's cursor a chunk at a time straight into Arrow (no ORM objects, no row dicts); JSON
columns are read as text and decoded once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from workbench.annotation import parser_key
from workbench.export.model import SCHEMAS, STR, STRS, ReleaseData, attrs_json, frame
from workbench.export.write import ReleaseError
from workbench.results import canonical_json, canonical_result, clean_result
from workbench.schema import Schema
from workbench.store import Store
from workbench.store import models as m

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


def _text(column: Any) -> Any:
    """A JSON column read as its stored text (decoded in bulk by `_decoded`)."""
    return sa.cast(column, sa.Text).label(column.key)


def _binary(column: Any, dialect: str) -> Any:
    """`column` compared byte by byte (code point order, as Arrow and Python sort strings):
    PostgreSQL's default collation is the locale's."""
    return sa.collate(column, "C") if dialect == "postgresql" else column


def _read(conn: sa.Connection, query: Any, schema: pa.Schema) -> pa.Table:
    """The rows of a Core SELECT (its columns in `schema`'s order) as an Arrow table, through
    the driver's own cursor a chunk at a time: SQLAlchemy's result rows cost more than the
    database at 10^6 consensus rows. Booleans come from SQLite as 0/1."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args: Any = (
        tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
    )
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    batches = []
    try:
        cursor.execute(str(compiled), args)
        while rows := cursor.fetchmany(1 << 16):
            columns = list(zip(*rows, strict=True))
            batches.append(
                pa.record_batch(
                    [
                        pa.array(c).cast(f.type) if f.type == pa.bool_() else pa.array(c, f.type)
                        for c, f in zip(columns, schema, strict=True)
                    ],
                    schema=schema,
                )
            )
    finally:
        cursor.close()
    return pa.Table.from_batches(batches, schema).combine_chunks()


def _decoded(column: pa.ChunkedArray, fn: Callable[[Any], Any], type_: pa.DataType) -> pa.Array:
    """`fn` of each value of a text column, called once per distinct value (10^6 spans hold a
    few hundred attribute maps and a handful of annotator sets)."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    values = pa.array([fn(v) for v in encoded.dictionary.to_pylist()], type_)
    return values.take(encoded.indices)


def _support(text: str | None) -> list[str]:
    return sorted(map(str, orjson.loads(text) or [])) if text is not None else []


def _table(schema_name: str, columns: dict[str, Any]) -> pa.Table:
    schema = SCHEMAS[schema_name]
    return pa.table([columns[n] for n in schema.names], schema=schema)


def _select(*columns: Any) -> Any:
    return sa.select(*columns)


def _as_text(schema: pa.Schema, n: int) -> pa.Schema:
    """The first `n` fields of `schema`, `support` as its stored JSON text, then `status`."""
    fields = [f.with_type(STR) if f.name == "support" else f for f in schema][:n]
    return pa.schema([*fields, pa.field("status", STR)])


def _annotations(conn: sa.Connection, dataset: str, schema: Schema) -> pa.Table:
    """The released annotations of live segments in table order (segment, annotator, Label
    Studio id); each one's entry where it was made under this schema's parser, else parsed
    here, and its canonical result (the store keeps it; else cleaned here)."""
    a = m.Annotation
    name = sa.func.coalesce(sa.func.nullif(m.Annotator.pseudonym, ""), UNKNOWN)
    dialect = conn.dialect.name
    query = (
        _select(
            m.Task.segment_id,
            name,
            a.ls_annotation_id,
            a.lead_time,
            sa.func.coalesce(a.result_clean, _text(a.result)),
            sa.case((a.entry_key == parser_key(schema), a.result_entry), else_=sa.null()),
            a.id,
            a.result_clean.is_(None),
        )
        .join(m.Task, m.Task.id == a.task_id)
        .join(m.Segment, m.Segment.id == m.Task.segment_id)
        .outerjoin(m.Annotator, m.Annotator.id == a.annotator_id)
        .where(a.dataset == dataset, m.Segment.retired_at.is_(None), *m.released())
        .order_by(
            _binary(m.Task.segment_id, dialect),
            _binary(name, dialect),
            sa.func.coalesce(a.ls_annotation_id, 0),
        )
    )
    fields = [*SCHEMAS["annotations"], pa.field("raw", pa.bool_())]
    table = _read(conn, query, pa.schema(fields))
    raw = table["raw"]
    table = table.drop_columns(["raw"])
    if pc.any(raw).as_py():  # a store filled by other means: results cleaned here
        results = [
            canonical_result(r) if x else r
            for r, x in zip(table["result"].to_pylist(), raw.to_pylist(), strict=True)
        ]
        table = table.set_column(4, "result", pa.array(results, STR))
    return table


def _groups(conn: sa.Connection) -> dict[str, str]:
    """article id → its first revision's id (revisions of one article share a split)."""
    prev = dict(conn.execute(sa.select(m.Article.id, m.Article.previous_id)).all())
    out: dict[str, str] = {}
    for aid in prev:
        root, seen = aid, {aid}
        while prev.get(root) and prev[root] not in seen:
            root = prev[root]
            seen.add(root)
        out[aid] = root
    return out


def _in(table: pa.Table, column: str, values: pa.Array) -> pa.Table:
    return table.filter(pc.is_in(table[column], value_set=values))


def collect(store: Store, dataset: str, schema: Schema) -> ReleaseData:
    """Read one dataset's release data from the store."""
    with store.session() as s:
        ds = s.get(m.Dataset, dataset)
        if ds is None:
            raise ReleaseError(f"unknown dataset {dataset!r} (push it to Label Studio first)")
        url, project_id = ds.label_studio_url, ds.project_id
        adj_project = s.get(m.AdjudicationProject, dataset)
        conn = s.connection()
        annotations = _annotations(conn, dataset, schema)
        kept = pc.unique(annotations["segment_id"])
        seg = m.Segment
        segments = _in(
            _read(
                conn,
                _select(seg.id, seg.article_id, seg.position, seg.start, seg.end, seg.text)
                .join(m.Task, m.Task.segment_id == seg.id)
                .where(m.Task.dataset == dataset),
                SCHEMAS["segments"],
            ),
            "segment_id",
            kept,
        )
        art = m.Article
        article_fields = "article_id title author outlet published source_path".split()
        articles = _read(
            conn,
            _select(art.id, art.title, art.author, art.outlet, art.published, art.source_path),
            pa.schema([(c, STR) for c in article_fields]),
        )
        articles = _in(articles, "article_id", pc.unique(segments["article_id"]))
        articles = articles.sort_by("article_id")
        groups = _groups(conn)
        group = [groups.get(a, a) for a in articles["article_id"].to_pylist()]
        articles = articles.add_column(1, "split_group", pa.array(group, STR))

        label = m.ConsensusLabel
        labels = _read(
            conn,
            _select(
                label.segment_id,
                label.field,
                label.label,
                _text(label.support),
                label.confidence,
                label.n_annotators,
                label.method,
                label.status,
            ).where(
                label.dataset == dataset, sa.or_(label.span_key.is_(None), label.span_key == "")
            ),
            _as_text(SCHEMAS["labels"], 7),
        )
        labels = _in(labels, "segment_id", kept)
        decided = pc.is_in(labels["status"], value_set=pa.array(KEPT))
        labels = _table(
            "labels",
            {
                **{c: labels[c] for c in ("segment_id", "field", "confidence", "n_annotators")},
                "method": labels["method"],
                "label": pc.if_else(decided, labels["label"], None),
                "support": pc.if_else(
                    decided, _decoded(labels["support"], _support, STRS), pa.scalar([], STRS)
                ),
                "adjudicated": pc.equal(labels["status"], "adjudicated"),
            },
        )
        regions = _in(
            _read(
                conn,
                _select(label.segment_id, label.span_key, label.field, label.label).where(
                    label.dataset == dataset,
                    label.span_key.is_not(None),
                    label.span_key != "",
                    label.status.in_(KEPT),
                    label.label.is_not(None),
                ),
                pa.schema([(c, STR) for c in ("segment_id", "span_id", "field", "label")]),
            ),
            "segment_id",
            kept,
        )
        span = m.ConsensusSpan
        spans = _in(
            _read(
                conn,
                _select(
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
                ).where(span.dataset == dataset, span.status.in_(KEPT)),
                _as_text(SCHEMAS["spans"], 10),
            ),
            "segment_id",
            kept,
        )
        rel = m.ConsensusRelation
        rel_schema = SCHEMAS["relations"]
        relations = _in(
            _read(
                conn,
                _select(
                    rel.segment_id,
                    rel.kind,
                    rel.from_key,
                    rel.to_key,
                    _text(rel.support),
                    rel.confidence,
                ).where(rel.dataset == dataset, rel.status.in_(KEPT)),
                rel_schema.set(4, rel_schema.field("support").with_type(STR)),
            ),
            "segment_id",
            kept,
        )
        relations = relations.set_column(
            4, "support", _decoded(relations["support"], _support, STRS)
        )
        kept_ids = set(kept.to_pylist())
        adj_rows = [
            r
            for r in s.execute(
                sa.select(m.Adjudication)
                .where(m.Adjudication.dataset == dataset)
                .order_by(m.Adjudication.decided_at, m.Adjudication.id)
            ).scalars()
            if r.segment_id in kept_ids
        ]
        # Adjudicators are named by their annotator pseudonym when they also annotated: the
        # email and user id of `adjudications` are never read into a release.
        pseudonym_of = {
            (u, uid): p
            for u, uid, p in s.execute(
                sa.select(
                    m.Annotator.label_studio_url, m.Annotator.ls_user_id, m.Annotator.pseudonym
                )
            )
        }
        methods = s.execute(
            sa.select(m.ReconcileState.method, m.ReconcileState.min_support)
            .where(m.ReconcileState.dataset == dataset)
            .distinct()
        ).all()
        adjudications = _adjudications(
            adj_rows, pseudonym_of, adj_project.label_studio_url if adj_project else url
        )

    return ReleaseData(
        dataset=dataset,
        schema=schema,
        label_studio_url=public_url(url),
        project_id=project_id,
        articles=articles.select(SCHEMAS["articles"].names),
        segments=segments,
        labels=labels,
        spans=_merged_spans(spans, regions, schema),
        relations=relations,
        annotations=annotations,
        adjudications=adjudications,
        reconcile_info={
            "consensus method(s)": ", ".join(
                sorted({f"{m} (min support {ms})" for m, ms in methods})
            )
        }
        if methods
        else None,
    )


def _adjudications(
    rows: list[m.Adjudication], pseudonym_of: dict[tuple[str, int], str], url: str | None
) -> pa.Table:
    latest = {(r.segment_id, r.field): r for r in rows}  # by decision time: the last in force
    return frame(
        "adjudications",
        [
            {
                "segment_id": r.segment_id,
                "target": r.field,
                "kind": "segment" if r.field == "*" else "field",
                "decision": canonical_json(clean_result(r.decision)),
                "adjudicator": "adjudicator"
                if url is None or r.adjudicator_ls_user_id is None
                else pseudonym_of.get((url, r.adjudicator_ls_user_id), "adjudicator"),
            }
            for r in latest.values()
        ],
    )


def _merged_spans(spans: pa.Table, regions: pa.Table, schema: Schema) -> pa.Table:
    """The spans with their attribute maps: the one stored with the span, updated by the
    span's per-region attribute labels (reconcile writes both; a Target's attribute is only a
    label). One merge per distinct (map, labels) pair: 10^6 spans hold a few hundred."""
    controls = schema.controls

    def attribute(field: str) -> str:  # `Label.attribute`, or the control's name
        if "." in field:
            return field.partition(".")[2]
        attr = controls.get(field)
        return attr.name if attr is not None and attr.per_region else field

    extra: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    names = {f: attribute(f) for f in pc.unique(regions["field"]).to_pylist()}
    for sid, key, f, value in zip(
        *(regions[c].to_pylist() for c in regions.column_names), strict=True
    ):
        extra[(sid, key)] = (*extra.get((sid, key), ()), (names[f], value))
    merged: dict[tuple[Any, ...], str] = {}
    texts = spans["attrs"].to_pylist()
    if extra:
        keys = zip(spans["segment_id"].to_pylist(), spans["span_id"].to_pylist(), strict=True)
        pairs = [(t, extra.get(k, ())) for t, k in zip(texts, keys, strict=True)]
    else:
        pairs = [(t, ()) for t in texts]
    attrs = []
    for pair in pairs:
        value = merged.get(pair)
        if value is None:
            value = merged[pair] = attrs_json(
                {**(orjson.loads(pair[0] or "null") or {}), **dict(pair[1])}
            )
        attrs.append(value)
    n = spans.num_rows
    return _table(
        "spans",
        {
            **{
                c: spans[c]
                for c in SCHEMAS["spans"].names
                if c not in ("attrs", "support", "adjudicated")
            },
            "attrs": pa.array(attrs, STR) if n else pa.array([], STR),
            "support": _decoded(spans["support"], _support, STRS),
            "adjudicated": pc.equal(spans["status"], "adjudicated"),
        },
    )
