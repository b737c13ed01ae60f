"""Store → :class:`ReleaseData`: the only export module that reads the store's data tables.

What goes in: the dataset's released annotations (current, valid, not cancelled, not deleted)
of live segments, those segments, their articles, their consensus (decided or adjudicated
rows, and every segment label) and the latest adjudication per (segment, field). Annotators
appear only by pseudonym. JSON columns are read as text, decoded once per distinct value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from workbench.annotation import parser_key
from workbench.annotation.clean import canonical_json, canonical_result, clean_result
from workbench.export.model import (
    ANNOTATION_CHUNK,
    BOOL,
    INT,
    SCHEMAS,
    STR,
    STRS,
    ReleaseData,
    attrs_json,
    decoded,
    frame,
    schema_of,
)
from workbench.export.write import ReleaseError
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


def _binary(column: Any, dialect: str) -> Any:
    """`column` compared byte by byte (code point order, as Arrow and Python sort strings):
    PostgreSQL's default collation is the locale's."""
    return sa.collate(column, "C") if dialect == "postgresql" else column


class _Reader:
    """Core SELECTs into Arrow tables. On PostgreSQL through its ADBC driver (rows arrive as
    Arrow columns); on SQLite through the store's own driver, a chunk at a time (ADBC's
    SQLite is a second copy of the library in the process, which SQLite warns breaks its
    locks: it did not see the other's WAL)."""

    def __init__(self, store: Store, conn: sa.Connection) -> None:
        self.dialect, self.sa = store.engine.dialect, conn
        self.adbc: Any = None
        if self.dialect.name == "postgresql":
            import adbc_driver_postgresql.dbapi as postgresql

            url = store.engine.url.set(drivername="postgresql")
            self.adbc = postgresql.connect(url.render_as_string(hide_password=False))

    def batches(self, query: Any, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        """The rows of `query` (its columns in `schema`'s order), of `schema`'s types."""
        if self.adbc is not None:
            sql = query.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True})
            with self.adbc.cursor() as cursor:
                cursor.execute(str(sql))
                read = cursor.fetch_record_batch()  # streamed: a batch at a time
                yield from _rechunked(b.rename_columns(schema.names).cast(schema) for b in read)
            return
        compiled = query.compile(dialect=self.dialect, compile_kwargs={"render_postcompile": True})
        params = compiled.construct_params()
        dbapi: Any = self.sa.connection.dbapi_connection
        dbapi.text_factory = bytes  # texts as SQLite holds them, UTF-8: not decoded and encoded
        cursor = dbapi.cursor()
        try:
            cursor.execute(str(compiled), tuple(params[k] for k in compiled.positiontup or ()))
            while rows := cursor.fetchmany(ANNOTATION_CHUNK):
                columns = zip(zip(*rows, strict=True), schema, strict=True)
                yield pa.record_batch([_array(c, f.type) for c, f in columns], schema=schema)
        finally:
            cursor.close()
            dbapi.text_factory = str

    def close(self) -> None:
        if self.adbc is not None:
            self.adbc.close()


def _array(values: tuple[Any, ...], type_: pa.DataType) -> pa.Array:
    """A column of SQLite values as Arrow, typed (inferring costs many times more). Texts lie
    end to end in one buffer of their size (pyarrow's builder doubled: 200 MB more at 10^5)."""
    if type_ != STR:
        return pa.array(values, INT if type_ == BOOL else type_).cast(type_)
    valid = np.fromiter((v is not None for v in values), np.bool_, len(values))
    offsets = np.zeros(len(values) + 1, np.int64)
    np.cumsum(np.fromiter((len(v or b"") for v in values), np.int64, len(values)), out=offsets[1:])
    nulls = len(values) - int(valid.sum())
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    data = pa.py_buffer(b"".join(v for v in values if v is not None))
    array = pa.LargeStringArray.from_buffers(
        len(values), pa.py_buffer(offsets), data, bitmap, nulls
    )
    array.validate(full=True)  # UTF-8
    return array.cast(STR)  # its offsets only; a chunk of over 2 GB fails here, not silently


def _rechunked(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Batches of ANNOTATION_CHUNK rows (the last one fewer) from batches of any size, as
    SQLite's are read: the Parquet writer cuts pages at chunk boundaries."""
    pending: list[pa.RecordBatch] = []
    for batch in batches:
        pending.append(batch)
        while sum(b.num_rows for b in pending) >= ANNOTATION_CHUNK:
            rows = pa.Table.from_batches(pending).combine_chunks()
            yield rows.slice(0, ANNOTATION_CHUNK).to_batches()[0]
            pending = [b for b in rows.slice(ANNOTATION_CHUNK).to_batches() if b.num_rows]
    if pending:
        yield pa.Table.from_batches(pending).combine_chunks().to_batches()[0]


def _rows(conn: _Reader, model: Any, spec: str, *where: Any) -> pa.Table:
    """Columns of `model` (``name:type``; s str, i int, f float, b bool, j JSON read as text)
    where `where` holds, as Arrow."""
    table = model.__table__.c
    words = [w.partition(":") for w in spec.split()]
    columns = [sa.cast(table[n], sa.Text) if t == "j" else table[n] for n, _, t in words]
    schema = schema_of(" ".join(n if t == "j" else f"{n}:{t}" for n, _, t in words))
    return pa.Table.from_batches(conn.batches(sa.select(*columns).where(*where), schema), schema)


def _support(text: str | None) -> list[str]:
    return sorted(map(str, orjson.loads(text) or [])) if text is not None else []


def _annotations(conn: _Reader, dataset: str, schema: Schema) -> pa.Table:
    """The released annotations of live segments in table order (segment, annotator, Label
    Studio id), each with its entry where it was made under this schema's parser and its
    canonical result (the store keeps it; else cleaned here)."""
    a, d = m.Annotation, conn.dialect.name
    name = sa.func.coalesce(sa.func.nullif(m.Annotator.pseudonym, ""), UNKNOWN)
    entry = sa.case((a.entry_key == parser_key(schema), a.result_entry), else_=sa.null())
    result = sa.func.coalesce(a.result_clean, sa.cast(a.result, sa.Text))
    query = (
        sa.select(m.Task.segment_id, name, a.ls_annotation_id, a.lead_time, result, entry, a.id)
        .add_columns(a.result_clean.is_(None))
        .join(m.Task, m.Task.id == a.task_id)
        .join(m.Segment, m.Segment.id == m.Task.segment_id)
        .outerjoin(m.Annotator, m.Annotator.id == a.annotator_id)
        .where(a.dataset == dataset, m.Segment.retired_at.is_(None), *m.released())
        .order_by(
            _binary(m.Task.segment_id, d), _binary(name, d), sa.func.coalesce(a.ls_annotation_id, 0)
        )
    )
    read = conn.batches(query, SCHEMAS["annotations"].append(pa.field("raw", pa.bool_())))
    return pa.Table.from_batches(map(_cleaned, read), SCHEMAS["annotations"])


def _cleaned(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A chunk of annotations with the results the store lacks cleaned here (a store filled
    by other means), a chunk at a time: no second copy of every result."""
    raw = batch.column(batch.num_columns - 1)
    batch = batch.drop_columns(["raw"])
    if not pc.any(raw).as_py():
        return batch
    results = [
        canonical_result(r) if x else r
        for r, x in zip(batch.column(4).to_pylist(), raw.to_pylist(), strict=True)
    ]
    return batch.set_column(4, "result", pa.array(results, STR))


def _groups(conn: sa.Connection) -> dict[str, str]:
    """article id → its first revision's id (revisions of one article share a split)."""
    rows = conn.execute(sa.select(m.Article.id, m.Article.previous_id))
    prev: dict[str, str | None] = {a: p for a, p in rows}
    out: dict[str, str] = {}
    for aid in prev:
        root, seen = aid, {aid}
        while (before := prev.get(root)) and before not in seen:
            root = before
            seen.add(root)
        out[aid] = root
    return out


def collect(store: Store, dataset: str, schema: Schema) -> ReleaseData:
    """Read one dataset's release data from the store."""
    with store.session() as s:
        ds = s.get(m.Dataset, dataset)
        if ds is None:
            raise ReleaseError(f"unknown dataset {dataset!r} (push it to Label Studio first)")
        conn = _Reader(store, s.connection())
        try:
            return _collect(s, conn, ds, schema)
        finally:
            conn.close()


def _collect(s: Any, conn: _Reader, ds: m.Dataset, schema: Schema) -> ReleaseData:
    dataset = ds.name
    annotations = _annotations(conn, dataset, schema)
    task_segments = sa.select(m.Task.segment_id).where(m.Task.dataset == dataset)
    spec = "id article_id position:i start:i end:i text"
    segments = _rows(conn, m.Segment, spec, m.Segment.id.in_(task_segments))
    segments = segments.rename_columns(SCHEMAS["segments"].names)
    segments = segments.filter(pc.is_in(segments["segment_id"], annotations["segment_id"]))
    articles = _rows(conn, m.Article, "id title author outlet published source_path")
    articles = articles.filter(pc.is_in(articles["id"], segments["article_id"])).sort_by("id")
    groups = _groups(s.connection())
    group = [groups.get(a, a) for a in articles["id"].to_pylist()]
    articles = articles.add_column(1, "split_group", pa.array(group, STR))

    cl = m.ConsensusLabel
    mine = cl.dataset == dataset
    spec = "segment_id field label support:j confidence:f n_annotators:i method status"
    labels = _rows(conn, cl, spec, mine, sa.or_(cl.span_key.is_(None), cl.span_key == ""))
    labels = labels.set_column(3, "support", decoded(labels["support"], _support, STRS))
    spans = _spans(conn, dataset, schema)
    cr = m.ConsensusRelation
    spec = "segment_id kind from_key to_key support:j confidence:f"
    relations = _rows(conn, cr, spec, cr.dataset == dataset, cr.status.in_(KEPT))
    relations = relations.rename_columns(SCHEMAS["relations"].names)
    relations = relations.set_column(4, "support", decoded(relations["support"], _support, STRS))
    # The latest decision per (segment, field), its adjudicator named by their annotator
    # pseudonym when they also annotated: the email and user id of `adjudications` are never
    # read into a release.
    ad, ann = m.Adjudication, m.Annotator
    project = s.get(m.AdjudicationProject, dataset)
    same = (ann.label_studio_url == (project or ds).label_studio_url) & (
        ann.ls_user_id == ad.adjudicator_ls_user_id
    )
    decisions = s.execute(
        sa.select(ad.segment_id, ad.field, ad.decision, ann.pseudonym)
        .outerjoin(ann, same)
        .where(ad.dataset == dataset)
        .order_by(ad.decided_at, ad.id)
    )
    latest = {(sid, target): (decision, who) for sid, target, decision, who in decisions}
    adjudications = [
        {
            "segment_id": sid,
            "target": target,
            "kind": "segment" if target == "*" else "field",
            "decision": canonical_json(clean_result(decision)),
            "adjudicator": who if who is not None else "adjudicator",
        }
        for (sid, target), (decision, who) in latest.items()
    ]
    rs = m.ReconcileState
    methods = s.execute(sa.select(rs.method, rs.min_support).where(rs.dataset == dataset))
    info = {f"{method} (min support {ms})" for method, ms in methods}
    return ReleaseData(
        dataset=dataset,
        schema=schema,
        label_studio_url=public_url(ds.label_studio_url),
        project_id=ds.project_id,
        articles=articles.rename_columns(SCHEMAS["articles"].names),
        segments=segments,
        labels=labels,
        spans=spans,
        relations=relations,
        annotations=annotations,
        adjudications=frame("adjudications", adjudications),
        reconcile_info={"consensus method(s)": ", ".join(sorted(info))} if info else None,
    )


def _spans(conn: _Reader, dataset: str, schema: Schema) -> pa.Table:
    """The kept spans with their attribute maps: the stored one updated by the span's
    per-region attribute labels, gathered by the store (reconcile writes both; a Target's
    attribute is only a label). One merge per distinct (map, labels): a few hundred."""
    controls = schema.controls

    def attribute(field: str) -> str:  # `Label.attribute`, or the control's name
        if "." in field:
            return field.partition(".")[2]
        attr = controls.get(field)
        return attr.name if attr is not None and attr.per_region else field

    def merge(key: str) -> str:  # stored map, \x1d, "field\x1flabel" pairs split by \x1e
        text, _, extra = key.partition("\x1d")
        value = orjson.loads(text or "null") or {}
        pairs = (p.partition("\x1f") for p in extra.split("\x1e") if p)
        for name, label in sorted((attribute(field), label) for field, _, label in pairs):
            value[name] = label
        return attrs_json(value)

    cl, cs = m.ConsensusLabel, m.ConsensusSpan
    pair = sa.func.aggregate_strings(cl.field + "\x1f" + cl.label, "\x1e")
    regions = (
        sa.select(cl.segment_id, cl.span_key, pair.label("extra"))
        .where(cl.dataset == dataset, cl.span_key != "", cl.status.in_(KEPT))
        .group_by(cl.segment_id, cl.span_key)
        .subquery()
    )
    attrs = sa.func.coalesce(sa.cast(cs.attrs, sa.Text), "") + "\x1d"
    query = (
        sa.select(cs.segment_id, cs.span_key, cs.label, cs.start, cs.end)
        .add_columns(attrs + sa.func.coalesce(regions.c.extra, ""), sa.cast(cs.support, sa.Text))
        .add_columns(cs.confidence, cs.n_annotators, cs.exact, cs.status == "adjudicated")
        .outerjoin(regions, sa.tuple_(*regions.c[:2]) == sa.tuple_(cs.segment_id, cs.span_key))
        .where(cs.dataset == dataset, cs.status.in_(KEPT))
    )
    spans = pa.Table.from_batches(conn.batches(query, _SPANS_READ), _SPANS_READ)
    spans = spans.set_column(5, "attrs", decoded(spans["attrs"], merge, STR))
    spans = spans.set_column(6, "support", decoded(spans["support"], _support, STRS))
    return spans.cast(SCHEMAS["spans"])


_SPANS_READ = SCHEMAS["spans"].set(6, pa.field("support", STR))
